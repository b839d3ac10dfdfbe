"""Static copies of tables for print: headers as on screen, escaped cells, a row cap."""

import json
from html.parser import HTMLParser

import pandas as pd
import streamlit as st

from ui import printing


class _Copies(HTMLParser):
    """The print copies' elements: their class and the JSON in their data attribute."""

    def __init__(self):
        super().__init__()
        self.copies: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and attrs.get("class") == "print-table":
            self.copies.append(json.loads(attrs["data-print-copy"]))


def _copy(html: str) -> dict:
    parser = _Copies()
    parser.feed(html)
    (copy,) = parser.copies
    return copy


def _cells(html: str) -> list[list[str]]:
    """The table's rows as lists of cell texts (header row first)."""
    copy = _copy(html)
    return [copy["headers"], *copy["rows"]]


class TestLabels:
    def test_configured_labels_order_and_hidden_columns(self):
        config = {
            "days": st.column_config.NumberColumn("Days until expiry"),
            "name": "Name",
            "internal": None,
        }
        headers = printing.labels(["id", "name", "days", "internal"], config, ["days", "id"])
        assert headers == (("days", "Days until expiry", ""), ("id", "id", ""))

    def test_without_config_every_column_under_its_own_name(self):
        assert printing.labels(["a", "b"], None, None) == (("a", "a", ""), ("b", "b", ""))

    def test_an_order_naming_a_missing_column_skips_it(self):
        assert printing.labels(["a"], {}, ["b", "a"]) == (("a", "a", ""),)

    def test_number_formats_travel_with_the_header(self):
        config = {
            "rate": st.column_config.NumberColumn("Rate", format="percent"),
            "delta": st.column_config.NumberColumn("Change", format="%+.1f pts"),
            "when": st.column_config.DateColumn("When", format="DD MMM YYYY"),
        }
        assert printing.labels(["rate", "delta", "when"], config, None) == (
            ("rate", "Rate", "percent"),
            ("delta", "Change", "%+.1f pts"),
            ("when", "When", ""),
        )


class TestTableHtml:
    def test_cells_are_data_the_browser_does_not_parse_as_html(self):
        frame = pd.DataFrame({"note": ["<script>alert(1)</script>", "a & b", 'x --> "y"']})
        html = printing.table_html(frame, (("note", "<b>Note</b>", ""),))
        # One element and nothing inside it: no tag, quote or ampersand of a cell reaches
        # the markup, and the sanitiser's "-->" and "</" checks find nothing to drop.
        assert html.count("<") == 2 and html.endswith("></div>")
        assert "-->" not in html and "</s" not in html
        assert _cells(html) == [
            ["<b>Note</b>"],
            ["<script>alert(1)</script>"],
            ["a & b"],
            ['x --> "y"'],
        ]

    def test_headers_dates_and_blanks_as_on_screen(self):
        frame = pd.DataFrame(
            {
                "when": pd.to_datetime(["2026-11-01", None]),
                "who": pd.array(["A1", None], dtype="string"),
            }
        )
        html = printing.table_html(frame, (("who", "Applicant ID", ""), ("when", "Applied on", "")))
        assert _cells(html) == [["Applicant ID", "Applied on"], ["A1", "01 Nov 2026"], ["", ""]]

    def test_rates_points_lists_and_yes_no_as_on_screen(self):
        frame = pd.DataFrame(
            {
                "rate": [0.4509, 0.5],
                "delta": [-5.33, 2.0],
                "rules": [["Healthcare degree", "CME hours"], []],
                "ok": [True, False],
            }
        )
        headers = (
            ("rate", "Rate", "percent"),
            ("delta", "Change", "%+.1f pts"),
            ("rules", "Failing", ""),
            ("ok", "Ready", ""),
        )
        assert _cells(printing.table_html(frame, headers)) == [
            ["Rate", "Change", "Failing", "Ready"],
            ["45.1%", "-5.3 pts", "Healthcare degree, CME hours", "yes"],
            ["50.0%", "+2.0 pts", "", "no"],
        ]

    def test_a_long_table_prints_its_first_rows_and_says_how_many_there_are(self):
        frame = pd.DataFrame({"n": range(1, 8)})
        html = printing.table_html(frame, (("n", "n", ""),), limit=3)
        assert _cells(html) == [["n"], ["1"], ["2"], ["3"]]
        assert _copy(html)["note"] == (
            "Printed: the first 3 of 7 rows; the screen shows all of them."
        )

    def test_a_list_the_screen_shows_only_the_start_of_says_where_the_rest_is(self):
        frame = pd.DataFrame({"n": range(1, 6)})  # the screen's first 5 rows of 40
        rest = "Narrow the filters to see the others."  # the screen's own line
        html = printing.table_html(frame, (("n", "n", ""),), limit=3, total=40, rest=rest)
        assert _cells(html) == [["n"], ["1"], ["2"], ["3"]]
        assert _copy(html)["note"] == (
            "Printed: the first 3 of 40 rows. Narrow the filters to see the others."
        )
        whole = printing.table_html(frame, (("n", "n", ""),), limit=10, total=40, rest=rest)
        assert _cells(whole)[1:] == [["1"], ["2"], ["3"], ["4"], ["5"]]
        assert _copy(whole)["note"] == (
            "Printed: the first 5 of 40 rows. Narrow the filters to see the others."
        )

    def test_a_short_table_prints_whole_without_a_note(self):
        html = printing.table_html(pd.DataFrame({"n": [1, 2]}), (("n", "n", ""),), limit=3)
        assert _cells(html) == [["n"], ["1"], ["2"]]
        assert _copy(html)["note"] == ""


def test_the_builder_writes_cells_as_text_and_runs_once_per_tab():
    script = printing.script()
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script
    assert "textContent" in script
    assert '"beforeprint"' in script and '"afterprint"' in script
    assert script.count("window.admissionsPrintCopies") == 2  # tested, then set
