"""Exports: injection-safe Excel and CSV, masked personal data, offline HTML."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest

from analytics.reporting import exports

ATTACKS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "＝1+1"]


def _near_misses() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "applicant_id": pd.array(["A1", "A2", "A3"], dtype="string"),
            "full_name": pd.array(["Jane Doe", '=HYPERLINK("x")', None], dtype="string"),
            "email": pd.array(["jane@clinic.org", "", None], dtype="string"),
            "license_number": pd.array(["RN-448812", None, "MD-1"], dtype="string"),
            "cohort": pd.array(["2025-spring", "2025-spring", None], dtype="string"),
            "application_date": pd.to_datetime(["2025-01-05", None, "2025-02-01"]),
            "cme_hours": [12.5, float("nan"), -3.0],
            "failing": [["cme_hours"], ["license_current", "cme_hours"], []],
        }
    )


def _excel_text(value: str) -> str:
    """Decode OOXML's _xHHHH_ escapes (how a CR is stored), as Excel does on opening."""
    return re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), value)


def _book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _report(tables=None, **kwargs) -> bytes:
    summary = {
        "applicants": 3,
        "eligible": 1,
        "eligibility_rate": 1 / 3,
        "renewals": {"backlog": 2, "overdue_aging": {"1-30": 1, "91+": 1}},
        "issues": [{"row": 4}],
    }
    return exports.excel_report(summary, tables if tables is not None else {}, **kwargs)


class TestExcelInjection:
    def test_every_attack_is_a_text_cell_with_its_exact_value(self):
        frame = pd.DataFrame({"value": pd.array(ATTACKS, dtype="string")})
        ws = _book(_report({"Problems": frame}))["Problems"]
        cells = [ws.cell(row=r, column=1) for r in range(2, len(ATTACKS) + 2)]
        assert [c.data_type for c in cells] == ["s"] * len(ATTACKS)
        assert [_excel_text(c.value) for c in cells] == ATTACKS

    def test_attack_in_object_column_header_and_summary_is_text(self):
        frame = pd.DataFrame({"=cmd|' /C calc'!A0": ["@SUM(1)", 5]})
        book = _book(_report({"Gaps": frame}, meta={"dataset": "=evil()"}))
        ws = book["Gaps"]
        assert (ws["A1"].data_type, ws["A1"].value) == ("s", "=cmd|' /C calc'!A0")
        assert (ws["A2"].data_type, ws["A2"].value) == ("s", "@SUM(1)")
        assert (ws["A3"].data_type, ws["A3"].value) == ("n", 5)
        summary = book["Summary"]
        meta_cell = next(c for row in summary.iter_rows() for c in row if c.value == "=evil()")
        assert meta_cell.data_type == "s"

    def test_no_cell_in_the_workbook_is_a_formula(self):
        book = _book(_report({"Near misses": _near_misses()}, include_personal=True))
        for ws in book.worksheets:
            for row in ws.iter_rows():
                assert all(c.data_type != "f" for c in row)


class TestExcelLayout:
    def test_sheets_in_order_with_frozen_header_and_autofilter(self):
        tables = {
            "Eligibility by cohort": pd.DataFrame({"cohort": ["a"], "applicants": [2]}),
            "Gaps": pd.DataFrame({"rule_id": ["cme_hours"], "fail": [1], "missing": [0]}),
            "Near misses": _near_misses(),
            "Renewal backlog": pd.DataFrame({"applicant_id": pd.Series([], dtype="string")}),
            "Problems": pd.DataFrame({"file": ["a.csv"], "row": [4], "problem": ["bad date"]}),
        }
        book = _book(_report(tables))
        assert book.sheetnames == ["Summary", *tables]
        gaps = book["Gaps"]
        assert gaps.freeze_panes == "A2"
        assert gaps.auto_filter.ref == "A1:C2"
        assert gaps["A1"].font.b
        assert [c.value for c in gaps[1]] == ["Rule", "Not met", "Not given"]
        assert book["Renewal backlog"]["A1"].value == "Applicant ID"
        assert book["Renewal backlog"].max_row == 1

    def test_values_keep_their_types(self):
        ws = _book(_report({"Near misses": _near_misses()}, include_personal=True))["Near misses"]
        header = [c.value for c in ws[1]]
        row2 = dict(zip(header, [c.value for c in ws[2]], strict=True))
        row3 = dict(zip(header, [c.value for c in ws[3]], strict=True))
        assert row2["Application date"].date().isoformat() == "2025-01-05"
        assert ws.cell(row=2, column=header.index("Application date") + 1).number_format == (
            "dd mmm yyyy"
        )
        assert row2["CME hours"] == 12.5
        assert row3["CME hours"] is None
        assert row3["Application date"] is None
        assert row3["Requirements not met"] == "license current, cme hours"
        assert row2["Applicant ID"] == "A1"

    def test_summary_flattens_nested_figures_and_formats_rates(self):
        ws = _book(_report(meta={"rule set": "standard", "as of": "2025-06-30"}))["Summary"]
        values = {r[0].value: r[1] for r in ws.iter_rows(min_row=1) if r[0].value}
        assert values["rule set"].value == "standard"
        assert values["Applicants"].value == 3
        assert values["Eligibility rate"].number_format == "0.0%"
        assert values["Renewal backlog (due or overdue)"].value == 2
        assert values["Overdue by 91+ days"].value == 1
        assert not {"issues", "Issues"} & set(values)

    def test_long_and_clashing_sheet_titles_are_made_valid(self):
        frame = pd.DataFrame({"a": [1]})
        long = "Eligibility by cohort and programme: spring/autumn"
        book = _book(_report({long: frame, long + " again": frame, "summary": frame}))
        names = book.sheetnames
        assert len(set(n.lower() for n in names)) == 4
        assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)


class TestMasking:
    def test_personal_columns_hidden_by_default_in_excel(self):
        ws = _book(_report({"Near misses": _near_misses()}))["Near misses"]
        header = [c.value for c in ws[1]]
        col = {
            name: [ws.cell(row=r, column=i + 1).value for r in (2, 3, 4)]
            for i, name in enumerate(header)
        }
        assert col["Name"] == [exports.HIDDEN, exports.HIDDEN, None]
        assert col["Email"] == [exports.HIDDEN, None, None]
        assert col["Licence number"] == [exports.HIDDEN, None, exports.HIDDEN]
        assert col["Applicant ID"] == ["A1", "A2", "A3"]

    def test_extra_columns_that_look_personal_are_hidden(self):
        frame = pd.DataFrame(
            {"Mobile Phone": ["+44 7700"], "Date of Birth": ["1990-01-01"], "cohort": ["x"]}
        )
        masked = exports.mask_personal(frame)
        expected = pd.DataFrame(
            {
                "Mobile Phone": pd.array([exports.HIDDEN], dtype="string"),
                "Date of Birth": pd.array([exports.HIDDEN], dtype="string"),
                "cohort": ["x"],
            }
        )
        pd.testing.assert_frame_equal(masked, expected)

    @pytest.mark.parametrize(
        "column",
        ["Registration number", "Licence No", "First name", "E-mail", "Contact phone"],
    )
    def test_export_headers_of_personal_fields_are_personal(self, column):
        assert exports.is_personal_column(column)

    @pytest.mark.parametrize(
        "column",
        [
            "license_expiry",
            "Licence Expires",
            "state__license_current",
            "explain__license_current",
            "short__license_current",
            "programme",
        ],
    )
    def test_licence_dates_and_rule_results_are_not_personal(self, column):
        assert not exports.is_personal_column(column)

    def test_include_personal_keeps_values(self):
        frame = _near_misses()
        pd.testing.assert_frame_equal(exports.mask_personal(frame, True), frame)


class TestCsv:
    def _rows(self, data: bytes) -> pd.DataFrame:
        assert data.startswith(b"\xef\xbb\xbf")
        return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)

    def test_a_categorical_of_text_is_prefixed_like_text(self):
        # The explanation columns are categoricals of their sentences; a rule set's own
        # words can start like a formula.
        why = pd.Series(["=1+1", "", "@cmd", "=1+1"], dtype="category")
        why = why.cat.set_categories(why.cat.categories.astype("string"))
        frame = pd.DataFrame({"why": why, "number": [-1.0, 2.0, 3.0, 4.0]})
        got = self._rows(exports.csv_bytes(frame))
        assert got["why"].tolist() == ["'=1+1", "", "'@cmd", "'=1+1"]
        assert got["number"].tolist() == ["-1.0", "2.0", "3.0", "4.0"]

    def test_attacks_are_prefixed_and_numbers_are_not(self):
        frame = pd.DataFrame(
            {
                "value": pd.array(ATTACKS, dtype="string"),
                "mixed": [-1, "-1", "ok", None, 2.5, "@x", "x=1"],
                "number": [-1.5, 2, 3, 4, 5, 6, 7],
            }
        )
        got = self._rows(exports.csv_bytes(frame))
        assert got["Value"].tolist() == ["'" + a for a in ATTACKS]
        assert got["mixed"].tolist() == ["-1", "'-1", "ok", "", "2.5", "'@x", "x=1"]
        assert got["number"].tolist()[0] == "-1.5"

    def test_header_attack_is_prefixed(self):
        got = self._rows(exports.csv_bytes(pd.DataFrame({"=cmd": ["a"]})))
        assert got.columns.tolist() == ["'=cmd"]

    def test_masked_dates_and_lists(self):
        got = self._rows(exports.csv_bytes(_near_misses()))
        assert got["Name"].tolist() == [exports.HIDDEN, exports.HIDDEN, ""]
        assert got["Application date"].tolist() == ["2025-01-05", "", "2025-02-01"]
        assert got["Requirements not met"].tolist() == [
            "cme hours",
            "license current, cme hours",
            "",
        ]
        assert "Jane" not in exports.csv_bytes(_near_misses()).decode("utf-8-sig")

    def test_included_personal_values_are_still_injection_safe(self):
        got = self._rows(exports.csv_bytes(_near_misses(), include_personal=True))
        assert got["Name"].tolist() == ["Jane Doe", '\'=HYPERLINK("x")', ""]


class _Resources(HTMLParser):
    """Collects every attribute that would make a browser fetch something."""

    FETCHING = {"src", "href", "action", "data", "poster", "srcset", "background"}

    def __init__(self):
        super().__init__()
        self.fetches: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.fetches += [v or "" for k, v in attrs if k in self.FETCHING]


def _dashboard(**kwargs) -> str:
    fig = go.Figure(go.Bar(x=["2025-spring", "2025-autumn"], y=[3, 5]))
    pie = go.Figure(go.Pie(labels=["eligible", "ineligible"], values=[1, 2]))
    return exports.html_dashboard(
        "Spring <intake>",
        {"applicants": 3, "eligibility_rate": 0.5},
        figures={"By cohort": fig, "Status": pie},
        tables={"Near misses": _near_misses()},
        meta={"rule set": "standard"},
        **kwargs,
    )


class TestHtml:
    def test_one_copy_of_plotly_js_serves_every_chart(self):
        bars = [go.Figure(go.Bar(x=["a", "b"], y=[n, n + 1])) for n in range(4)]
        page = exports.html_dashboard(
            "Report", {}, figures={f"Chart {n}": f for n, f in enumerate(bars)}
        )
        assert page.count("plotly.js v") == 1
        assert page.count("Plotly.newPlot(") == 4
        # the library comes before the first chart that calls it
        assert page.index("plotly.js v") < page.index("Plotly.newPlot(")

    def test_self_contained_no_external_resources(self):
        page = _dashboard()
        parser = _Resources()
        parser.feed(page)
        assert parser.fetches == []
        assert "<link" not in page
        assert "@import" not in page
        assert parser.tags.count("script") >= 3  # plotly.js + one per figure
        # plotly.js itself is inline, exactly once.
        assert page.count("plotly.js v") == 1

    def test_nothing_outside_plotly_js_names_a_url(self):
        page = _dashboard()
        start = page.index("plotly.js v")
        end = page.index("</script>", start)
        outside = page[:start] + page[end:]
        assert re.findall(r"https?://", outside) == []

    def test_content_security_policy_forbids_fetching(self):
        page = _dashboard()
        assert f'http-equiv="Content-Security-Policy" content="{exports.CSP}"' in page
        assert "default-src 'none'" in exports.CSP
        assert "connect-src 'none'" in exports.CSP

    def test_personal_data_masked_unless_included(self):
        masked = _dashboard()
        assert "Jane" not in masked and "jane@clinic.org" not in masked
        assert "RN-448812" not in masked
        shown = _dashboard(include_personal=True)
        assert "Jane Doe" in shown and "RN-448812" in shown

    def test_markup_in_data_is_escaped(self):
        page = _dashboard(include_personal=True)
        assert "<h1>Spring &lt;intake&gt;</h1>" in page
        assert "<intake>" not in page
        assert "<td>=HYPERLINK(" in page

    def test_without_figures_no_plotly_is_embedded(self):
        page = exports.html_dashboard("t", {"applicants": 0}, tables={"Gaps": pd.DataFrame()})
        assert "<script" not in page
        assert "No rows." in page


class TestWords:
    def _frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "cohort": pd.array(["2026-01 London", None], dtype="string"),
                "degree": pd.array(["non_healthcare", "medicine"], dtype="string"),
                "eligibility_rate": [0.451, 0.0],
                "failing": [["cme_hours"], []],
            }
        )

    def test_excel_tables_in_words_with_rates_as_percentages(self):
        data = _report({"Eligibility by degree": self._frame()}, rule_labels={"cme_hours": "CME"})
        ws = _book(data)["Eligibility by degree"]
        assert [c.value for c in ws[1]] == [
            "Cohort",
            "Degree",
            "Eligibility rate",
            "Requirements not met",
        ]
        assert [c.value for c in ws[2]] == ["2026-01 London", "Non-healthcare degree", 0.451, "CME"]
        assert ws["A3"].value == "Unassigned"
        assert ws["C2"].number_format == "0.0%"

    def test_csv_in_words(self):
        got = TestCsv()._rows(exports.csv_bytes(self._frame()))
        assert got.columns.tolist()[:2] == ["Cohort", "Degree"]
        assert got["Degree"].tolist() == ["Non-healthcare degree", "Medicine"]

    def test_html_tables_and_figures_in_words(self):
        page = exports.html_dashboard(
            "t",
            {"applicants": 1234, "eligibility_rate": 0.451, "renewals": {"backlog": 3}},
            tables={"By degree": self._frame()},
        )
        assert "<td>Applicants</td><td>1,234</td>" in page
        assert "<td>Eligibility rate</td><td>45.1%</td>" in page
        assert "<td>Renewal backlog (due or overdue)</td><td>3</td>" in page
        assert "<th>Eligibility rate</th>" in page and "<td>45.1%</td>" in page
        assert "non_healthcare" not in page and "Non-healthcare degree" in page
