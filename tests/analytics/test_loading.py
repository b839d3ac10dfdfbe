"""load_exports (DOMAIN 2-3): headers, sheets, types, rejected rows, duplicates, CSV."""

import datetime as dt
import io

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pytest

from analytics import loading, rules
from analytics.errors import LoadError, NoHeaderError
from analytics.loading import fields, loader, parsing, reading
from analytics.rules import evaluation
from tests import workbooks

HEADER = ["Applicant ID", "Full Name", "Applied On", "Degree", "CME Hours"]


def xlsx(*sheets, name="export.xlsx"):
    """Source from sheets given as (title, rows); rows are lists of cell values."""
    return loading.Source(name=name, data=workbooks.workbook(*sheets))


def csv_source(text, encoding="utf-8", name="export.csv"):
    return loading.Source(name=name, data=text.encode(encoding))


def load(*sources, **options):
    return loading.load_exports(list(sources), **options)


class TestFrameShape:
    def test_columns_order_and_dtypes(self):
        res = load(xlsx(("A", [HEADER, ["1", "Ana Smith", "2025-01-02", "MD", 20], ["2"]])))
        frame = res.frame
        assert list(frame.columns) == fields.CANONICAL_FIELDS + fields.SOURCE_COLUMNS
        assert frame["applicant_id"].dtype == "string"
        assert frame["application_date"].dtype == "datetime64[ns]"
        assert frame["cme_hours"].dtype == "float64"
        assert frame["degree_accredited"].dtype == "boolean"
        assert frame["source_row"].dtype == "int64"
        assert frame["email"].isna().all()  # absent fields are present and missing

    def test_typed_excel_cells(self):
        rows = [
            ["ID", "Accredited", "CME Hours", "Licence Expiry", "Certified On"],
            ["7", True, 25, dt.datetime(2026, 5, 1), 45000],
            ["8", 0, "1,200", dt.date(2024, 2, 29), "2023-01-31"],
        ]
        res = load(xlsx(("S", rows)))
        expected = pd.DataFrame(
            {
                "applicant_id": pd.Series(["7", "8"], dtype="string"),
                "degree_accredited": pd.Series([True, False], dtype="boolean"),
                "cme_hours": [25.0, 1200.0],
                "license_expiry": pd.to_datetime(["2026-05-01", "2024-02-29"]).as_unit("ns"),
                "certified_on": pd.to_datetime(["2023-03-15", "2023-01-31"]).as_unit("ns"),
            }
        )
        pd.testing.assert_frame_equal(res.frame[list(expected.columns)], expected)
        assert res.problems.empty


class TestHeaderRow:
    def test_title_rows_above_header_are_skipped_and_rows_keep_sheet_numbers(self):
        rows = [["Applicant export"], ["Generated 2025-03-01"], HEADER, ["A1", "Ana"], [], ["A2"]]
        res = load(xlsx(("Export", rows)))
        assert res.sources[0].header_row == 3
        assert list(res.frame["source_row"]) == [4, 6]
        assert res.rows_read == 2  # the blank row is neither read nor counted
        assert list(res.frame["source_sheet"]) == ["Export", "Export"]
        assert list(res.frame["source_file"]) == ["export.xlsx", "export.xlsx"]

    def test_header_variants_are_normalised(self):
        rows = [
            ["APPLICANT-NO.", "E-mail", "Intake Cohort", "Licence No"],
            ["9", "a@b.c", "2025-A", "007"],
        ]
        res = load(xlsx(("S", rows)))
        assert res.sources[0].columns == {
            "APPLICANT-NO.": "applicant_id",
            "E-mail": "email",
            "Intake Cohort": "cohort",
            "Licence No": "license_number",
        }
        assert res.frame.loc[0, "license_number"] == "007"

    def test_header_beyond_row_20_is_not_found(self):
        rows = [["x"]] * 20 + [HEADER, ["1"]]
        with pytest.raises(NoHeaderError):
            load(xlsx(("S", rows)))

    def test_two_known_headers_are_not_enough(self):
        with pytest.raises(NoHeaderError) as caught:
            load(xlsx(("S", [["ID", "Name", "Colour"], ["1", "A", "red"]])))
        assert caught.value.columns_found == ["ID", "Name", "Colour"]
        assert "--mapping" in str(caught.value)
        assert "export.xlsx" in str(caught.value)

    def test_header_without_applicant_id_is_a_no_header_error(self):
        with pytest.raises(NoHeaderError) as caught:
            load(xlsx(("S", [["Name", "Email", "Cohort"], ["A", "a@b", "X"]])))
        assert caught.value.columns_found == ["Name", "Email", "Cohort"]

    def test_merged_two_row_header_uses_the_row_with_the_variants(self):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["Applicant", None, "Licence", None])
        sheet.append(["ID", "Name", "Licence Number", "Licence Expiry"])
        sheet.append(["1", "Ana", "0042", "2026-01-01"])
        sheet.merge_cells("A1:B1")
        sheet.merge_cells("C1:D1")
        buffer = io.BytesIO()
        book.save(buffer)
        res = load(loading.Source("merged.xlsx", buffer.getvalue()))
        assert res.sources[0].header_row == 2
        assert res.frame.loc[0, "license_number"] == "0042"


class TestSheets:
    def test_sheets_without_a_header_are_skipped(self):
        src = xlsx(("Notes", [["read me"]]), ("Empty", []), ("Data", [HEADER, ["1"]]))
        res = load(src)
        assert [s.sheet for s in res.sources] == ["Data"]
        assert [(s.sheet, s.reason) for s in res.skipped] == [
            ("Notes", "no header row"),
            ("Empty", "empty"),
        ]
        assert res.sources[0].sheets == ["Notes", "Empty", "Data"]
        assert loading.list_sheets(src) == ["Notes", "Empty", "Data"]

    def test_named_sheet(self):
        src = xlsx(("One", [HEADER, ["1"]]), ("Two", [HEADER, ["2"], ["3"]]))
        assert list(load(src, sheet="Two").frame["applicant_id"]) == ["2", "3"]

    def test_missing_named_sheet_names_the_sheets(self):
        src = xlsx(("One", [HEADER, ["1"]]), ("Two", [HEADER]))
        with pytest.raises(LoadError) as caught:
            load(src, sheet="Three")
        message = str(caught.value)
        assert "'Three'" in message and "'One', 'Two'" in message and "\n" not in message


class TestColumns:
    def test_first_and_last_name_are_joined(self):
        rows = [
            ["ID", "First Name", "Last Name", "Email"],
            ["1", "Ana", "Smith", "a@x"],
            ["2", "Bo", None, ""],
        ]
        res = load(xlsx(("S", rows)))
        assert list(res.frame["full_name"]) == ["Ana Smith", "Bo"]
        assert res.extra_columns == []

    def test_unknown_columns_are_kept_as_text_extras(self):
        rows = [HEADER + ["Notes", "Score"], ["1", "A", None, None, None, "vip", 5]]
        res = load(xlsx(("S", rows)))
        assert res.extra_columns == ["Notes", "Score"]
        assert list(res.frame.columns[-2:]) == ["Notes", "Score"]
        assert res.frame["Score"].dtype == "string"
        assert res.frame.loc[0, "Score"] == "5"
        assert res.sources[0].columns["Notes"] is None

    def test_extra_columns_are_trimmed_and_blank_is_missing(self):
        rows = [HEADER + ["Notes"], ["1", "A", None, None, None, "  call back  "], ["2", "B"]]
        rows[2] += [None, None, None, "   "]
        res = load(xlsx(("S", rows)))
        assert res.frame.loc[0, "Notes"] == "call back"
        assert res.frame["Notes"].isna().tolist() == [False, True]
        assert res.frame["Notes"].dtype == "string"

    def test_duplicate_header_keeps_the_first_and_reports_the_second(self):
        rows = [["ID", "Email", "Name", "Email"], ["1", "first@x", "A", "second@x"]]
        res = load(xlsx(("S", rows)))
        assert res.frame.loc[0, "email"] == "first@x"
        assert res.frame.loc[0, "Email (2)"] == "second@x"
        problem = res.problems.iloc[0]
        assert (problem["row"], problem["column"]) == (1, "Email")
        assert "duplicate column for email" in problem["problem"]

    def test_mapping_maps_unknown_headers(self):
        rows = [["Ref No", "Person", "Cohort", "When"], ["5", "A", "X", "2025-02-01"]]
        res = load(
            xlsx(("S", rows)),
            mapping={"Ref No": "applicant_id", "person": "full_name", "When": "application_date"},
        )
        assert res.frame.loc[0, "applicant_id"] == "5"
        assert res.frame.loc[0, "full_name"] == "A"
        assert res.frame.loc[0, "application_date"] == pd.Timestamp("2025-02-01")

    def test_mapping_to_an_unknown_field_is_refused(self):
        with pytest.raises(LoadError):
            load(xlsx(("S", [HEADER, ["1"]])), mapping={"Degree": "diploma"})


class TestIdentifiers:
    def test_ids_and_licences_stay_text(self):
        rows = [
            ["ID", "Name", "Licence Number"],
            ["007", "A", "NA"],
            ["NA", "B", "0123"],
            [" n/a ", "C", None],
        ]
        res = load(xlsx(("S", rows)))
        assert list(res.frame["applicant_id"]) == ["007", "NA", "n/a"]
        assert list(res.frame["license_number"].fillna("<missing>")) == ["NA", "0123", "<missing>"]


class TestProblems:
    def test_unreadable_cells_are_reported_and_rows_stay(self):
        rows = [
            ["ID", "Degree", "CME Hours", "Accredited", "Applied On"],
            ["1", "Vet", "lots", "maybe", "soon"],
        ]
        res = load(xlsx(("S", rows)))
        assert len(res.frame) == 1
        expected = pd.DataFrame(
            {
                "file": "export.xlsx",
                "sheet": "S",
                "row": [2, 2, 2, 2],
                "column": ["Applied On", "Degree", "Accredited", "CME Hours"],
                "value": ["soon", "Vet", "maybe", "lots"],
                "problem": [
                    "not a date",
                    "unrecognised degree",
                    "not a yes/no value",
                    "not a number",
                ],
            }
        ).astype({c: "string" for c in ["file", "sheet", "column", "value", "problem"]})
        got = res.problems.astype({c: "string" for c in ["file", "sheet", "column", "problem"]})
        got = got.sort_values("column", ignore_index=True)
        pd.testing.assert_frame_equal(got, expected.sort_values("column", ignore_index=True))

    def test_the_repeated_problem_columns_are_categoricals_of_text(self):
        rows = [["ID", "Degree", "CME Hours"], ["1", "Vet", "lots"], ["2", "Vet", "x"]]
        one = load(xlsx(("S", rows)))
        two = load(xlsx(("S", rows)), xlsx(("T", rows), name="other.xlsx"))
        for problems in (one.problems, two.problems):
            for column in ["file", "sheet", "column", "problem"]:
                assert isinstance(problems[column].dtype, pd.CategoricalDtype), column
                assert problems[column].cat.categories.dtype == "string", column
            assert problems["value"].dtype == "string"
            assert problems["row"].dtype == "int64"
        assert sorted(two.problems["file"].cat.categories) == ["export.xlsx", "other.xlsx"]
        assert two.problems["file"].tolist() == ["export.xlsx"] * 4 + ["other.xlsx"] * 4

    def test_date_order_detected_per_column_and_overridable(self):
        rows = [
            ["ID", "Name", "Applied On", "Licence Expiry"],
            ["1", "A", "03/04/2025", "04/13/2026"],
        ]
        src = xlsx(("S", rows))
        res = load(src)
        assert res.sources[0].date_orders == {"application_date": "dmy", "license_expiry": "mdy"}
        assert res.frame.loc[0, "application_date"] == pd.Timestamp("2025-04-03")
        forced = load(src, date_order={"application_date": "mdy"})
        assert forced.frame.loc[0, "application_date"] == pd.Timestamp("2025-03-04")

    def test_bad_date_order_is_refused(self):
        with pytest.raises(LoadError):
            load(xlsx(("S", [HEADER, ["1"]])), date_order={"degree": "dmy"})


class TestRejectedAndDuplicates:
    def test_rows_without_id_are_rejected_with_their_cells(self):
        rows = [HEADER, ["1", "A"], [None, "B", None, "MD"], ["  ", "C"]]
        res = load(xlsx(("S", rows)))
        assert list(res.frame["applicant_id"]) == ["1"]
        assert res.rows_read == 3
        assert list(res.rejected["row"]) == [3, 4]
        assert list(res.rejected["reason"]) == ["no applicant_id", "no applicant_id"]
        assert list(res.rejected["Full Name"]) == ["B", "C"]
        assert res.rejected.loc[0, "Degree"] == "MD"

    def test_latest_application_date_wins(self):
        rows = [
            ["ID", "Name", "Applied On"],
            ["A1", "old", "2025-01-01"],
            [" a1 ", "new", "2025-02-01"],
            ["A1", "undated", None],
        ]
        res = load(xlsx(("S", rows)))
        assert list(res.frame["full_name"]) == ["new"]
        expected = pd.DataFrame(
            {
                "file": ["export.xlsx"] * 2,
                "sheet": ["S", "S"],
                "row": [2, 4],
                "applicant_id": ["A1", "A1"],
                "kept_file": ["export.xlsx"] * 2,
                "kept_sheet": ["S", "S"],
                "kept_row": [3, 3],
            }
        ).astype(
            {c: "string" for c in ["file", "sheet", "applicant_id", "kept_file", "kept_sheet"]}
        )
        pd.testing.assert_frame_equal(res.duplicates, expected)

    def test_rows_of_one_person_among_others_leave_the_others_in_place(self):
        rows = [
            ["ID", "Name", "Applied On"],
            ["U1", "one", "2025-03-01"],
            ["B2", "b late", "2025-05-01"],
            ["A1", "a old", "2025-01-01"],
            ["U2", "two", None],
            ["b2", "b early", "2025-04-01"],
            ["a1", "a new", "2025-02-01"],
            ["U3", "three", "2025-01-01"],
        ]
        res = load(xlsx(("S", rows)))
        assert list(res.frame["full_name"]) == ["one", "b late", "two", "a new", "three"]
        assert list(res.frame["source_row"]) == [2, 3, 5, 7, 8]
        assert res.duplicates["row"].tolist() == [4, 6]
        assert res.duplicates["kept_row"].tolist() == [7, 3]

    def test_tie_goes_to_the_last_row_in_file_order(self):
        one = xlsx(("S", [HEADER, ["X", "first", "2025-01-01"]]), name="one.xlsx")
        two = xlsx(("S", [HEADER, ["x", "second", "2025-01-01"]]), name="two.xlsx")
        res = load(one, two)
        assert list(res.frame["full_name"]) == ["second"]
        assert list(res.duplicates["file"]) == ["one.xlsx"]
        res = load(two, one)
        assert list(res.frame["full_name"]) == ["first"]

    def test_missing_dates_count_as_earliest(self):
        rows = [HEADER, ["X", "dated", "2020-01-01"], ["X", "undated", None]]
        assert list(load(xlsx(("S", rows))).frame["full_name"]) == ["dated"]

    def test_several_files_keep_their_source_and_extras_union(self):
        one = xlsx(("S", [HEADER + ["Notes"], ["1", "A"]]), name="one.xlsx")
        two = csv_source("ID,Name,Cohort,Room\n2,B,X,12\n", name="two.csv")
        res = load(one, two)
        assert list(res.frame["source_file"]) == ["one.xlsx", "two.csv"]
        assert res.extra_columns == ["Notes", "Room"]
        assert res.frame["Room"].tolist()[1] == "12" and pd.isna(res.frame["Room"].iloc[0])
        assert res.rows_read == 2
        assert [s.sheet for s in res.sources] == ["S", "(csv)"]


class TestKindsInBlocks:
    """The frame holds each kind of row (applicants, certified practitioners) in one block,
    in the order read, applicants first when an export mixes them: the evaluation's two
    sides are then slices of it."""

    HEADER = ["Applicant ID", "Full Name", "Applied On", "Certified On"]

    def ids(self, rows, *more):
        res = load(xlsx(("S", [self.HEADER, *rows])), *more)
        return res.frame["applicant_id"].tolist(), res

    def test_a_sheet_mixing_both_kinds_is_ordered_applicants_first(self):
        rows = [
            ["A1", "a", None, None],
            ["C1", "c", None, "2024-05-01"],
            ["A2", "b", None, None],
            ["C2", "d", None, "2023-01-01"],
            ["A3", "e", None, None],
        ]
        ids, res = self.ids(rows)
        assert ids == ["A1", "A2", "A3", "C1", "C2"]
        assert res.frame["source_row"].tolist() == [2, 4, 6, 3, 5]  # where each row was
        assert list(res.frame.index) == [0, 1, 2, 3, 4]

    def test_an_expiry_alone_makes_a_certified_row(self):
        header = ["Applicant ID", "Full Name", "Certification Expiry"]
        rows = [["C1", "c", "2027-01-01"], ["A1", "a", None], ["C2", "d", "2027-02-01"]]
        res = load(xlsx(("S", [header, *rows])))
        assert res.frame["applicant_id"].tolist() == ["A1", "C1", "C2"]

    def test_kinds_already_in_blocks_keep_the_order_read(self):
        register_first = [
            ["C1", "c", None, "2024-05-01"],
            ["C2", "d", None, "2023-01-01"],
            ["A1", "a", None, None],
        ]
        ids, res = self.ids(register_first)
        assert ids == ["C1", "C2", "A1"]
        assert res.frame["source_row"].tolist() == [2, 3, 4]

    def test_a_duplicate_is_resolved_before_the_rows_are_ordered(self):
        rows = [
            ["A1", "old", "2025-01-01", None],
            ["C1", "c", None, "2024-05-01"],
            ["a1", "new", "2025-03-01", None],
            [None, "no id", None, "2024-01-01"],
            ["A2", "b", None, None],
            ["C2", "d", None, "2023-01-01"],
        ]
        ids, res = self.ids(rows)
        assert ids == ["a1", "A2", "C1", "C2"]
        assert res.frame["full_name"].tolist() == ["new", "b", "c", "d"]
        assert res.duplicates["row"].tolist() == [2]
        assert res.rejected["row"].tolist() == [5]

    def test_the_evaluation_splits_a_mixed_sheet_into_slices_of_the_frame(self):
        rows = [["A1", "a", None, None], ["C1", "c", None, "2024-05-01"], ["A2", "b", None, None]]
        _, res = self.ids(rows)
        ev = evaluation.evaluate(res.frame, rules.load_rule_set("standard"), dt.date(2026, 1, 1))
        assert ev.applicants["applicant_id"].tolist() == ["A1", "A2"]
        assert ev.certified["applicant_id"].tolist() == ["C1"]
        rows_read = res.frame["source_row"].to_numpy()
        assert np.shares_memory(ev.applicants["source_row"].to_numpy(), rows_read)
        assert np.shares_memory(ev.certified["source_row"].to_numpy(), rows_read)


class TestCsv:
    @pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
    def test_delimiters(self, delimiter):
        text = (
            delimiter.join(["ID", "Name", "CME Hours"])
            + "\n"
            + delimiter.join(["1", "A", "1,200"])
            + "\n"
        )
        if delimiter == ",":
            text = text.replace("1,200", '"1,200"')
        res = load(csv_source(text))
        assert res.frame.loc[0, "cme_hours"] == 1200.0

    def test_utf8_with_bom(self):
        res = load(loading.Source("x.csv", "\ufeffID,Name,Country\n1,Zoë,España\n".encode()))
        assert res.sources[0].columns["ID"] == "applicant_id"
        assert res.frame.loc[0, "full_name"] == "Zoë"

    def test_cp1252(self):
        res = load(csv_source("ID;Name;Country\n1;Zoë;Curaçao\n", encoding="cp1252"))
        assert res.frame.loc[0, "country"] == "Curaçao"

    def test_title_line_and_ragged_rows(self):
        res = load(csv_source("Export of 1 March\n\nID,Name,Cohort\n1,A,X,extra\n2\n"))
        assert res.sources[0].header_row == 3
        assert list(res.frame["applicant_id"]) == ["1", "2"]
        assert list(res.frame["source_row"]) == [4, 5]
        assert res.extra_columns == ["Unnamed column 4"]

    def test_na_text_is_not_missing(self):
        res = load(csv_source("ID,Name,Licence Number\nNA,A,NA\n"))
        assert res.frame.loc[0, "applicant_id"] == "NA"
        assert res.frame.loc[0, "license_number"] == "NA"


class TestSource:
    def test_from_path_and_missing_path(self, tmp_path):
        path = tmp_path / "x.csv"
        path.write_text("ID,Name,Cohort\n1,A,B\n", encoding="utf-8")
        assert loading.Source.from_path(path).name == "x.csv"
        with pytest.raises(LoadError) as caught:
            loading.Source.from_path(tmp_path / "nope.xlsx")
        assert "nope.xlsx" in str(caught.value)
        assert str(tmp_path) not in str(caught.value)

    def test_a_single_source_is_accepted(self):
        res = loading.load_exports(csv_source("ID,Name,Cohort\n1,A,B\n"))
        assert res.rows_read == 1


class TestCsvInBlocks:
    """Arrow parses the text a block at a time; rows with fewer or more fields than the
    sniffed number are read apart and put back. Nothing about the result may change."""

    TEXT = (
        "Export of 2025\n"  # 1
        "\n"  # 2
        "Applicant ID;Full Name;Email\n"  # 3
        "1;Ana\n"  # 4: trailing cells left out
        "\n"  # 5
        "2;Ben;b@x;note\n"  # 6: one cell more than any row before
        '3;"Cy; Jr";c@x\n'  # 7
    )

    # 8 bytes: shorter than most records, so the text is read again as one block.
    @pytest.mark.parametrize("block", [8, 32, 64, 2**20])
    def test_rows_numbers_padding_and_late_columns(self, monkeypatch, block):
        monkeypatch.setattr(reading, "CSV_BLOCK_BYTES", block)
        monkeypatch.setattr(reading, "CSV_SNIFF_BYTES", 4)  # the sniffed lines grow it
        res = load(csv_source(self.TEXT))
        frame = res.frame
        assert frame["applicant_id"].tolist() == ["1", "2", "3"]
        assert frame["source_row"].tolist() == [4, 6, 7]
        assert frame["full_name"].tolist() == ["Ana", "Ben", "Cy; Jr"]
        assert frame["email"].isna().tolist() == [True, False, False]
        assert res.extra_columns == ["Unnamed column 4"]
        assert frame["Unnamed column 4"].isna().tolist() == [True, False, True]
        assert res.rows_read == 3


def test_problem_cells_of_text_not_held_by_arrow_are_listed_too():
    # The readers give Arrow text; a column of Python strings must be listed the same way.
    for dtype in (object, pd.StringDtype("python")):
        cells = pd.Series(["x", " 5 ", " bad "], index=[4, 5, 6], dtype=dtype)
        found = loader._problem_cells("CME", cells, parsing.parse_number(cells).problems)
        listed = loader._problem_list("f.xlsx", "S", [found])
        assert listed["row"].tolist() == [4, 6]
        assert listed["value"].tolist() == ["x", "bad"]
        assert listed["problem"].tolist() == [parsing.NOT_NUMBER] * 2


def test_a_problem_outside_the_sheet_is_an_error_not_another_cell():
    cells = pd.Series(["a", "b", "c"], index=[1, 2, 3], dtype="string")
    with pytest.raises(KeyError):
        loader._problem_cells("CME", cells, pd.Series(["bad"], index=[9], dtype="string"))


class TestDropBlank:
    """reading.drop_blank: rows and columns with nothing in them go; row numbers stay."""

    @staticmethod
    def cells(rows, start=1):
        frame = pd.DataFrame(rows, dtype="string")
        frame.index = pd.RangeIndex(start, start + len(frame))
        return frame

    def test_blank_rows_above_and_below_one_run(self):
        raw = self.cells([[None, None], ["  ", ""], ["ID", "Name"], ["1", None], [None, " "]])
        out = reading.drop_blank(raw)
        assert out.index.tolist() == [3, 4]
        assert out.values.tolist() == [["ID", "Name"], ["1", pd.NA]]

    def test_blank_rows_between_and_a_blank_column(self):
        raw = self.cells([["ID", None, "Name"], [None, " ", None], ["1", None, "Ann"]], start=5)
        out = reading.drop_blank(raw)
        assert out.index.tolist() == [5, 7]
        assert out.columns.tolist() == [0, 1]
        assert out.values.tolist() == [["ID", "Name"], ["1", "Ann"]]

    @pytest.mark.parametrize("gap", [False, True])
    def test_every_column_filled_keeps_them_all_and_leaves_the_sheet_as_read(self, gap):
        rows = [["ID", "Name"], *([[None, ""]] if gap else []), ["1", "Ann"], [None, None]]
        raw = self.cells(rows, start=3)
        raw.columns = [4, 9]  # as a sheet whose first columns were never written
        out = reading.drop_blank(raw)
        assert out.columns.tolist() == [0, 1]
        assert out.index.tolist() == ([3, 5] if gap else [3, 4])
        assert out.values.tolist() == [["ID", "Name"], ["1", "Ann"]]
        assert raw.columns.tolist() == [4, 9] and len(raw) == len(rows)

    def test_nothing_at_all(self):
        assert reading.drop_blank(self.cells([[None, " "], ["", None]])).empty

    @staticmethod
    def arrow_cells(rows, start=1):
        columns = {
            position: pd.Series(pd.arrays.ArrowStringArray(pa.array(list(values), pa.string())))
            for position, values in enumerate(zip(*rows, strict=True))
        }
        frame = pd.DataFrame(columns)
        frame.index = pd.RangeIndex(start, start + len(rows))
        return frame

    def test_a_title_over_a_blank_row_keeps_the_sheets_memory(self):
        # The usual CRM export: a title, a blank row, the header, then the data.
        rows = [["Export", None], [None, "  "], ["ID", "Name"], ["1", "Ann"], ["2", "Ben"]]
        raw = self.arrow_cells(rows, start=1)
        out = reading.drop_blank(raw)
        assert out.index.tolist() == [1, 3, 4, 5]
        assert out.values.tolist() == [
            ["Export", pd.NA],
            ["ID", "Name"],
            ["1", "Ann"],
            ["2", "Ben"],
        ]
        assert out.index.dtype == "int64"
        read = raw[1].array.__arrow_array__().chunk(0)
        kept = out[1].array.__arrow_array__()
        # The data rows are the sheet's own buffer: no copy of the text.
        assert kept.chunk(kept.num_chunks - 1).buffers()[2].address == read.buffers()[2].address
        # The body after the header (what the loader parses) is one piece of it.
        body = out.iloc[out.index.searchsorted(3, side="right") :]
        assert body[1].tolist() == ["Ann", "Ben"]

    def test_a_blank_column_and_gaps_between_rows_are_dropped_alike(self):
        rows = [["ID", None, "Name"], [None, None, " "], ["1", None, "Ann"], ["", None, None]]
        rows += [["2", None, "Ben"]]
        out = reading.drop_blank(self.arrow_cells(rows, start=2))
        assert out.index.tolist() == [2, 4, 6]
        assert out.columns.tolist() == [0, 1]
        assert out.values.tolist() == [["ID", "Name"], ["1", "Ann"], ["2", "Ben"]]

    def test_a_column_filled_only_where_others_are_and_late_in_the_sheet_is_kept(self):
        # The first column fills every row but one, so the later columns are looked at
        # row by row only where it is blank; a column whose one cell lies in a filled row,
        # past the first cells, must still be kept, and one with only spaces dropped.
        count = reading.CONTENT_SAMPLE + 50
        rows = [[str(n), None, " ", None] for n in range(count)]
        rows[3] = [None, None, "  ", None]  # blank in every column: dropped
        rows[7] = [None, "only here", None, None]  # kept for its second column
        rows[-1][3] = "late"
        out = reading.drop_blank(self.arrow_cells(rows, start=1))
        assert out.columns.tolist() == [0, 1, 2]
        assert 4 not in out.index and 8 in out.index
        assert len(out) == count - 1
        assert out.loc[8].tolist() == [pd.NA, "only here", pd.NA]
        assert out.loc[count].tolist() == [str(count - 1), pd.NA, "late"]

    def test_rows_broken_into_many_runs_read_the_same(self):
        count = reading.MAX_SLICED_RUNS + 3
        rows = []
        for number in range(count):
            rows += [[str(number), f"n{number}"], [None, None]]
        out = reading.drop_blank(self.arrow_cells(rows, start=1))
        assert out.index.tolist() == list(range(1, 2 * count, 2))
        assert out[0].tolist() == [str(n) for n in range(count)]
        assert out[1].tolist() == [f"n{n}" for n in range(count)]
        # Past MAX_SLICED_RUNS runs the rows are copied into one piece, not sliced.
        assert out[0].array.__arrow_array__().num_chunks == 1


def test_a_change_to_one_reads_empty_problem_table_does_not_reach_the_next_read():
    clean = b"Applicant ID,Full Name,Email\nA1,Ana,a@x\n"
    first = loading.load_exports([loading.Source("clean.csv", clean)])
    assert first.problems.empty
    first.problems.loc[0, "row"] = 7
    first.problems["note"] = "added"
    assert len(first.problems) == 1
    second = loading.load_exports([loading.Source("clean.csv", clean)])
    assert second.problems.empty and "note" not in second.problems


@pytest.mark.parametrize("order", ["ascending", "shuffled"])
def test_the_header_row_is_looked_for_in_the_first_rows_only(order):
    header = ["Applicant ID", "Full Name", "Email"]
    rows = {1: ["Export", None, None], 2: header, 40: header}
    numbers = [1, 2, 40] if order == "ascending" else [40, 1, 2]
    cells = pd.DataFrame([rows[n] for n in numbers], index=pd.Index(numbers, dtype="int64"))
    known = reading.known_headers({})
    assert reading.find_header_row(cells, known) == 2
    # A header only past the first HEADER_SCAN_ROWS rows is not taken.
    late = cells.drop(index=2)
    assert reading.find_header_row(late, known) is None
    assert reading.guess_header_row(late) == 1
