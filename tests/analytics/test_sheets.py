"""Every sheet with a header row is read (DOMAIN 3.1), each as if it were a file of its own:
rows keep file and sheet, duplicates across sheets follow 3.9, other sheets are listed as
skipped with the reason. The engine, the reader's worker and the CLI."""

import json

import pytest

from analytics import loading, rules
from analytics.__main__ import main
from analytics.errors import LoadError, NoHeaderError
from analytics.loading import worker
from analytics.rules import evaluation
from tests.workbooks import APPLICANTS, AS_OF, NOTES, REGISTER, notes_applicants_register, workbook


def source(*sheets, name="book.xlsx") -> loading.Source:
    return loading.Source(name, workbook(*sheets))


def read_sheets(result) -> list[tuple[str, str, int]]:
    return [(s.file, s.sheet, s.header_row) for s in result.sources]


def skipped(result) -> list[tuple[str, str, str]]:
    return [(s.file, s.sheet, s.reason) for s in result.skipped]


class TestEverySheet:
    def test_applicants_and_register_on_two_sheets_are_both_read(self):
        res = loading.load_exports(source(("Applicants", APPLICANTS), ("Register", REGISTER)))
        assert read_sheets(res) == [("book.xlsx", "Applicants", 2), ("book.xlsx", "Register", 1)]
        assert res.skipped == []
        assert res.rows_read == 5
        frame = res.frame
        assert frame["applicant_id"].tolist() == ["A1", "A2", "C1", "C2", "C3"]
        assert frame["source_sheet"].tolist() == ["Applicants"] * 2 + ["Register"] * 3
        assert frame["source_row"].tolist() == [3, 4, 2, 3, 4]
        ev = evaluation.evaluate(frame, rules.load_rule_set("standard"), AS_OF)
        assert (len(ev.applicant_index), len(ev.certified_index)) == (2, 3)

    def test_problems_name_the_sheet_they_are_on(self):
        res = loading.load_exports(source(("Applicants", APPLICANTS), ("Register", REGISTER)))
        problems = res.problems[["file", "sheet", "row", "column", "value"]].values.tolist()
        assert problems == [["book.xlsx", "Applicants", 4, "CME hours", "lots"]]

    def test_sheets_without_a_header_row_are_skipped_and_listed(self):
        src = source(("Notes", NOTES), ("Applicants", APPLICANTS), ("Blank", []))
        res = loading.load_exports(src)
        assert read_sheets(res) == [("book.xlsx", "Applicants", 2)]
        assert skipped(res) == [
            ("book.xlsx", "Notes", "no header row"),
            ("book.xlsx", "Blank", "empty"),
        ]
        assert res.skipped[0].columns_found == ["How to read this workbook"]
        assert res.frame["applicant_id"].tolist() == ["A1", "A2"]

    def test_a_sheet_with_headers_but_no_applicant_id_is_skipped(self):
        by_cohort = [["Cohort", "Country", "Degree", "Applicants"], ["2026-01", "UK", "MD", 4]]
        res = loading.load_exports(source(("Applicants", APPLICANTS), ("By cohort", by_cohort)))
        assert read_sheets(res) == [("book.xlsx", "Applicants", 2)]
        assert skipped(res) == [("book.xlsx", "By cohort", "no applicant ID column")]
        assert res.skipped[0].columns_found == ["Cohort", "Country", "Degree", "Applicants"]

    def test_no_sheet_with_a_header_row_is_the_no_header_error(self):
        with pytest.raises(NoHeaderError) as caught:
            loading.load_exports(source(("Notes", NOTES), ("More notes", [["x", "y"]])))
        message = str(caught.value)
        assert message.startswith("book.xlsx: no header row") and "'Notes'" in message
        assert caught.value.columns_found == ["How to read this workbook"]

    def test_only_sheets_without_an_applicant_id_is_that_error(self):
        headers = [["Name", "Cohort", "Degree"], ["Ann", "2026-01", "MD"]]
        with pytest.raises(NoHeaderError) as caught:
            loading.load_exports(source(("Notes", NOTES), ("People", headers)))
        assert "sheet 'People' has no applicant ID column" in str(caught.value)
        assert caught.value.columns_found == ["Name", "Cohort", "Degree"]

    def test_a_csv_is_named_the_file_not_a_sheet(self):
        # A CSV's one pseudo-sheet is "(csv)": a message naming "sheet '(csv)'" read as jargon.
        people = loading.Source("people.csv", b"Name,Cohort,Degree\nAnn,2026-01,MD\n")
        with pytest.raises(NoHeaderError) as caught:
            loading.load_exports([people])
        assert str(caught.value).startswith("people.csv: the file has no applicant ID column")
        notes = loading.Source("notes.csv", b"How to read this export\nSee the other file\n")
        with pytest.raises(NoHeaderError) as caught:
            loading.load_exports([notes])
        assert "rows of the file (columns found" in str(caught.value)
        assert "(csv)" not in str(caught.value)
        with pytest.raises(LoadError) as caught:
            loading.load_exports([loading.Source("blank.csv", b",,\n,,\n")])
        assert str(caught.value).startswith("blank.csv: the file is empty")

    def test_files_and_sheets_are_taken_in_the_order_given(self):
        csv = loading.Source("autumn.csv", b"Applicant ID,Name,Degree\nB1,Bo,MD\n")
        book = source(("Register", REGISTER), ("Applicants", APPLICANTS))
        res = loading.load_exports([csv, book])
        assert read_sheets(res) == [
            ("autumn.csv", "(csv)", 1),
            ("book.xlsx", "Register", 1),
            ("book.xlsx", "Applicants", 2),
        ]
        # The applicants first, then the register, each kind in the order read.
        assert res.frame["applicant_id"].tolist() == ["B1", "A1", "A2", "C1", "C2", "C3"]
        assert res.frame["source_file"].tolist() == ["autumn.csv"] + ["book.xlsx"] * 5

    def test_the_skipped_sheets_come_back_from_the_reader_process(self):
        res = worker.load_exports([source(("Notes", NOTES), ("Register", REGISTER))])
        assert skipped(res) == [("book.xlsx", "Notes", "no header row")]
        assert read_sheets(res) == [("book.xlsx", "Register", 1)]


class TestChosenSheet:
    def test_only_the_chosen_sheet_is_read(self):
        src = source(("Notes", NOTES), ("Applicants", APPLICANTS), ("Register", REGISTER))
        res = loading.load_exports(src, sheet="Register")
        assert read_sheets(res) == [("book.xlsx", "Register", 1)]
        assert res.skipped == []
        assert res.frame["applicant_id"].tolist() == ["C1", "C2", "C3"]


class TestDuplicatesAcrossSheets:
    HEADER = ["Applicant ID", "Name", "Applied on"]

    def test_the_latest_application_is_kept_whichever_sheet_it_is_on(self):
        first = [self.HEADER, ["A1", "Ann", "2026-03-01"], ["A2", "Ben", "2026-01-01"]]
        second = [self.HEADER, [" a1 ", "Ann", "2026-01-01"], ["A2", "Ben", "2026-02-01"]]
        res = loading.load_exports(source(("Spring", first), ("Autumn", second)))
        kept = res.frame[["applicant_id", "source_sheet", "source_row"]].values.tolist()
        assert kept == [["A1", "Spring", 2], ["A2", "Autumn", 3]]
        duplicates = res.duplicates[["sheet", "row", "kept_sheet", "kept_row"]].values.tolist()
        assert sorted(duplicates) == [["Autumn", 2, "Spring", 2], ["Spring", 3, "Autumn", 3]]
        assert set(res.duplicates["file"]) == set(res.duplicates["kept_file"]) == {"book.xlsx"}

    def test_on_a_tie_the_row_of_the_later_sheet_wins(self):
        first = [self.HEADER, ["A1", "Ann", "2026-03-01"]]
        second = [self.HEADER, ["A1", "Ann B.", "2026-03-01"]]
        res = loading.load_exports(source(("One", first), ("Two", second)))
        assert res.frame[["full_name", "source_sheet"]].values.tolist() == [["Ann B.", "Two"]]
        assert res.duplicates[["sheet", "kept_sheet"]].values.tolist() == [["One", "Two"]]


class TestReport:
    def run(self, argv, capsys):
        code = main(argv)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    @pytest.fixture
    def book(self, tmp_path):
        path = tmp_path / "book.xlsx"
        path.write_bytes(notes_applicants_register())
        return path

    def test_json_counts_both_sheets_and_names_them(self, book, capsys):
        argv = ["report", str(book), "--as-of", AS_OF.isoformat()]
        code, out, err = self.run(argv, capsys)
        assert code == 0, err
        data = json.loads(out)
        assert data["files"] == [
            {"file": "book.xlsx", "sheet": "Applicants", "header_row": 2},
            {"file": "book.xlsx", "sheet": "Register", "header_row": 1},
        ]
        assert data["rows_read"] == 5
        # A1 eligible; A2 incomplete (its CME hours cannot be read): tests/workbooks.py
        assert (data["applicants"], data["eligible"], data["incomplete"]) == (2, 1, 1)
        renewals = data["renewals"]
        assert (renewals["certified"], renewals["current"], renewals["due"]) == (3, 2, 1)

    def test_text_names_the_sheets_read_once_per_file(self, book, capsys):
        argv = ["report", str(book), "--as-of", AS_OF.isoformat(), "--format", "text"]
        code, out, err = self.run(argv, capsys)
        assert code == 0, err
        assert "Files: book.xlsx (sheets Applicants, Register)\n" in out

    def test_sheet_option_reads_only_that_sheet(self, book, capsys):
        argv = ["report", str(book), "--sheet", "Register", "--as-of", AS_OF.isoformat()]
        code, out, err = self.run(argv, capsys)
        assert code == 0, err
        data = json.loads(out)
        assert [f["sheet"] for f in data["files"]] == ["Register"]
        assert (data["applicants"], data["renewals"]["certified"]) == (0, 3)
