"""Reading ahead (reading.py's `_ReadAhead`): calamine reads an xlsx while the guard scans it,
and the result is the one the sequential read gives; a file the guard refuses, or a child
that dies before the guard's verdict, is read again the sequential way."""

import datetime as dt
import io
import json
import re
import zipfile

import pandas as pd
import pytest

from analytics import loading, rules
from analytics.errors import LoadError
from analytics.loading import loader, reading, safety, worker
from tests.analytics.hostile_files import HEADER, SHEET, rewrite, workbook_bytes
from tests.workbooks import APPLICANTS, NOTES, REGISTER, workbook


def _lying(data: bytes) -> bytes:
    """The workbook with its sheet declaring the dimension A1:C2, whatever it holds."""
    assert b'<dimension ref="A1:C2"' not in zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    return rewrite(
        data,
        {SHEET: lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:C2"', xml)},
    )


def _stages():
    seen = []
    return seen, seen.append


def _same(a: loading.LoadResult, b: loading.LoadResult) -> None:
    pd.testing.assert_frame_equal(a.frame, b.frame)
    pd.testing.assert_frame_equal(a.problems, b.problems)
    assert a.skipped == b.skipped


class TestInProcess:
    def test_every_sheet_in_order_as_the_sequential_read(self):
        data = workbook(
            ("Notes", NOTES), ("Empty", []), ("Applicants", APPLICANTS), ("Register", REGISTER)
        )
        source = loading.Source("three.xlsx", data)
        seen, note = _stages()
        ahead = loader.load_exports([source], read_ahead=note)
        assert seen == ["started", "vetted"]
        sequential = loader.load_exports([source])
        _same(ahead, sequential)
        # Worked out from the workbook: two applicants, three register rows, two sheets left out.
        assert sorted(ahead.frame["applicant_id"]) == ["A1", "A2", "C1", "C2", "C3"]
        assert [(s.sheet, s.reason) for s in ahead.skipped] == [
            ("Notes", loader.SKIPPED_NO_HEADER),
            ("Empty", loader.SKIPPED_EMPTY),
        ]

    def test_a_sheet_of_only_error_values_is_counted_while_the_next_is_read(self):
        book = workbook(("Errors", [["#N/A", "#REF!"]]), ("Data", [HEADER, ["1", "Ana", "a@x"]]))
        # openpyxl writes "#N/A" as an error cell (type e): calamine reads it as empty.
        source = loading.Source("errors.xlsx", book)
        ahead = loader.load_exports([source], read_ahead=lambda stage: None)
        _same(ahead, loader.load_exports([source]))
        assert ahead.frame["applicant_id"].tolist() == ["1"]
        assert [(s.sheet, s.reason) for s in ahead.skipped] == [
            ("Errors", loader.SKIPPED_ONLY_ERRORS)
        ]

    def test_one_named_sheet_is_not_read_ahead(self):
        source = loading.Source("three.xlsx", workbook(("A", NOTES), ("B", REGISTER)))
        seen, note = _stages()
        result = loader.load_exports([source], sheet="B", read_ahead=note)
        assert seen == []
        assert result.frame["applicant_id"].tolist() == ["C1", "C2", "C3"]

    def test_csv_is_not_read_ahead(self):
        seen, note = _stages()
        source = loading.Source("a.csv", b"Applicant ID,Full Name,Email\n1,Ana,a@x\n")
        loader.load_exports([source], read_ahead=note)
        assert seen == []

    def test_a_file_the_guard_refuses_calamine_is_refused(self):
        # 500,000 rows x 30 columns: over the guard's limit, small enough for this process;
        # the sheet claims to be small, so reading ahead starts.
        source = loading.Source("far.xlsx", _lying(workbook_bytes(far_cell="AD500000")))
        seen, note = _stages()
        with pytest.raises(reading.ReadAheadRefused):
            loader.load_exports([source], read_ahead=note)
        assert seen == ["started"]

    def test_a_file_that_declares_far_cells_is_not_read_ahead(self):
        data = workbook_bytes(far_cell="AD500000")  # declares A1:AD500000, 15 million cells
        assert safety.declared_cells(data) == 500_000 * 30
        seen, note = _stages()
        result = loader.load_exports([loading.Source("far.xlsx", data)], read_ahead=note)
        assert seen == []  # the sequential read: guard first, then the bounded reader
        assert result.frame["applicant_id"].tolist() == ["1"]

    def test_a_damaged_workbook_is_the_same_error(self):
        data = workbook_bytes()
        damaged = data[: len(data) // 2]
        messages = []
        for read_ahead in (None, lambda stage: None):
            with pytest.raises(LoadError) as caught:
                loader.load_exports([loading.Source("half.xlsx", damaged)], read_ahead=read_ahead)
            messages.append(str(caught.value))
        assert messages[0] == messages[1]


@pytest.fixture
def attempts(monkeypatch):
    """Each read the caller asks a child for, as whether it reads ahead."""
    seen = []
    real = worker._read

    def read(*args, **kwargs):
        seen.append(kwargs.get("read_ahead", args[5] if len(args) > 5 else False))
        return real(*args, **kwargs)

    monkeypatch.setattr(worker, "_read", read)
    return seen


class TestInTheWorker:
    def test_a_refused_file_is_read_again_the_bounded_way(self, attempts):
        source = loading.Source("far.xlsx", _lying(workbook_bytes(far_cell="AD500000")))
        result = worker.load_exports([source])
        assert attempts == [True, False]  # read ahead, refused, read again without
        assert result.frame["applicant_id"].tolist() == ["1"]
        assert list(result.rejected["row"]) == [500000]  # the far cell's row, reported

    def test_a_child_that_dies_before_the_verdict_is_read_again(self, monkeypatch, attempts):
        monkeypatch.setattr(worker, "_test_fault", ("ahead", None))
        source = loading.Source("book.xlsx", workbook_bytes())
        assert worker.load_exports([source]).frame["full_name"].tolist() == ["Ana"]
        assert attempts == [True, False]

    def test_a_workbook_gives_what_the_sequential_read_gives(self, attempts):
        data = workbook(("Notes", NOTES), ("Applicants", APPLICANTS), ("Register", REGISTER))
        source = loading.Source("three.xlsx", data)
        _same(worker.load_exports([source]), loader.load_exports([source]))
        assert attempts == [True]  # read ahead, and nothing to read again

    def test_the_headless_report_reads_ahead_and_again_as_a_load_does(self, monkeypatch, attempts):
        monkeypatch.setattr(worker, "_test_fault", ("ahead", None))
        source = loading.Source("book.xlsx", workbook_bytes())  # one applicant: 1, Ana
        rule_set = rules.load_rule_set(rules.DEFAULT_RULE_SET)
        result = json.loads(worker.report([source], rule_set, dt.date(2026, 11, 25), "json"))
        assert attempts == [True, False]
        assert (result["rows_read"], result["applicants"]) == (1, 1)

    def test_other_requests_do_not_read_ahead(self, attempts):
        worker.list_sheets(loading.Source("three.xlsx", workbook(("A", NOTES))))
        assert attempts == [False]


class TestReadAheadItself:
    def test_sheets_named_alike_are_taken_in_order(self):
        """A hand-made workbook may name two sheets alike: taken by position, not name."""
        ahead = reading._ReadAhead(workbook(("A", NOTES), ("B", REGISTER)))
        reader, names = ahead.opened()
        ahead._names = ["A", "A", "B"]  # as such a workbook lists them
        ahead.take()
        assert ahead.next_sheet == "A"
        ahead.take()
        assert ahead.next_sheet == "B"
        ahead.stop()
