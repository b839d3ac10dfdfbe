"""Static copies of tables for print: headers as on screen, escaped cells, a row cap."""

from html.parser import HTMLParser

import pandas as pd
import streamlit as st

from ui import printing


class _Rows(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _cells(html: str) -> list[list[str]]:
    """The table's rows as lists of cell texts (header row first)."""
    parser = _Rows()
    parser.feed(html)
    return parser.rows


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
    def test_cells_are_escaped(self):
        frame = pd.DataFrame({"note": ["<script>alert(1)</script>", "a & b"]})
        html = printing.table_html(frame, (("note", "Note", ""),))
        assert "<script>" not in html
        assert "&lt;script&gt;" in html and "a &amp; b" in html

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
        assert "Printed: the first 3 of 7 rows" in html

    def test_a_short_table_prints_whole_without_a_note(self):
        html = printing.table_html(pd.DataFrame({"n": [1, 2]}), (("n", "n", ""),), limit=3)
        assert _cells(html) == [["n"], ["1"], ["2"]]
        assert "Printed" not in html
