"""Reading in a child process: the same results as in-process, and a reader that aborts,
panics, runs out of memory or hangs ends only its child; the caller gets one LoadError
line, is still alive, and the next read works."""

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from analytics import loading
from analytics.__main__ import main
from analytics.errors import LoadError, NoHeaderError
from analytics.loading import worker
from tests.analytics.hostile_files import SHEET, far_reference, rewrite, workbook_bytes

ROOT = Path(__file__).resolve().parents[2]
CSV = b"Applicant ID,Full Name,Email\n1,Ana,a@x\n2,Ben,b@x\n"
FAILED = "this file makes the spreadsheet reader fail; open it in Excel, save it as .xlsx"


def csv_source(name="export.csv"):
    return loading.Source(name, CSV)


def fault(monkeypatch, kind, file=None):
    monkeypatch.setattr(worker, "_test_fault", (kind, file))


def read_error(*sources):
    with pytest.raises(LoadError) as caught:
        worker.load_exports(list(sources))
    message = str(caught.value)
    assert "\n" not in message
    return message


def assert_next_read_works():
    assert worker.load_exports([csv_source()]).frame["full_name"].tolist() == ["Ana", "Ben"]


class TestSameResults:
    def test_csv_and_workbook_read_as_in_process(self):
        sources = [csv_source(), loading.Source("more.xlsx", workbook_bytes())]
        here = loading.load_exports(sources)
        there = worker.load_exports(sources)
        pd.testing.assert_frame_equal(there.frame, here.frame)
        pd.testing.assert_frame_equal(there.problems, here.problems)
        # "1" is in both files; the tie goes to the last row read, more.xlsx's.
        assert there.frame["applicant_id"].tolist() == ["2", "1"]
        assert there.frame["source_file"].tolist() == ["export.csv", "more.xlsx"]
        assert there.rows_read == 3
        assert [s.file for s in there.sources] == ["export.csv", "more.xlsx"]

    def test_sheet_names(self):
        assert worker.list_sheets(loading.Source("x.xlsx", workbook_bytes())) == ["Sheet"]

    def test_no_header_error_keeps_the_columns_found(self):
        data = workbook_bytes(rows=[["Colour", "Size", "Shape"], ["red", "L", "round"]])
        with pytest.raises(NoHeaderError) as caught:
            worker.load_exports([loading.Source("shop.xlsx", data)])
        assert caught.value.columns_found == ["Colour", "Size", "Shape"]
        assert caught.value.file == "shop.xlsx"

    def test_lower_case_far_cell_is_read_in_bounded_memory(self):
        res = worker.load_exports([loading.Source("far.xlsx", far_reference("xfd1048576"))])
        assert res.frame["applicant_id"].tolist() == ["1"]


class TestReaderFailures:
    def test_native_abort_ends_only_the_child(self, monkeypatch):
        fault(monkeypatch, "abort")
        assert read_error(csv_source("bad.csv")) == f"bad.csv: {FAILED} and upload again"
        monkeypatch.setattr(worker, "_test_fault", None)
        assert_next_read_works()

    def test_panic_is_a_load_error(self, monkeypatch):
        fault(monkeypatch, "panic")
        assert FAILED in read_error(csv_source("bad.csv"))
        monkeypatch.setattr(worker, "_test_fault", None)
        assert_next_read_works()

    def test_the_failing_file_is_named(self, monkeypatch):
        fault(monkeypatch, "abort", "second.csv")
        message = read_error(csv_source("first.csv"), csv_source("second.csv"))
        assert message.startswith("second.csv: ")

    def test_memory_error_at_the_limit(self, monkeypatch):
        monkeypatch.setenv(worker.MEMORY_ENV, "256")
        fault(monkeypatch, "memory")
        message = read_error(csv_source("big.csv"))
        assert message.startswith("big.csv: reading it needs more than 256 MB of memory")

    def test_calamine_on_a_far_cell_aborts_at_the_limit(self, monkeypatch):
        # calamine with no guard before it asks for 512 GiB; under RLIMIT_AS that fails,
        # and Rust aborts the process: a real native abort, told apart by Rust's message.
        monkeypatch.setenv(worker.MEMORY_ENV, "512")
        fault(monkeypatch, "calamine")
        message = read_error(loading.Source("far.xlsx", far_reference("xfd1048576")))
        assert message.startswith("far.xlsx: reading it needs more than 512 MB of memory")
        monkeypatch.setattr(worker, "_test_fault", None)
        assert_next_read_works()

    def test_time_limit(self, monkeypatch):
        monkeypatch.setenv(worker.TIMEOUT_ENV, "1")
        fault(monkeypatch, "hang")
        started = time.monotonic()
        message = read_error(csv_source("slow.csv"))
        assert message.startswith("slow.csv: reading it took longer than 1 s")
        assert time.monotonic() - started < 30
        monkeypatch.delenv(worker.TIMEOUT_ENV)
        monkeypatch.setattr(worker, "_test_fault", None)
        assert_next_read_works()

    def test_libraries_output_stays_in_the_child(self, monkeypatch, capfd):
        fault(monkeypatch, "noise")
        assert worker.load_exports([csv_source()]).frame["email"].tolist() == ["a@x", "b@x"]
        out, err = capfd.readouterr()
        assert (out, err) == ("", "")

    def test_the_childrens_log_has_no_name_on_disk(self, monkeypatch, tmp_path):
        # A caller killed mid-read runs no clean-up: a named log file would stay behind.
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
        listings = []
        receive = worker._receive

        def listing_receive(*args, **kwargs):
            listings.append(sorted(os.listdir(tmp_path)))
            return receive(*args, **kwargs)

        monkeypatch.setattr(worker, "_receive", listing_receive)
        fault(monkeypatch, "noise")
        assert worker.load_exports([csv_source()]).rows_read == 2
        assert listings and all(names == [] for names in listings)

    def test_reads_at_once_while_one_aborts(self, monkeypatch):
        fault(monkeypatch, "abort", "bad.csv")
        outcomes = {}

        def read(name):
            try:
                outcomes[name] = worker.load_exports([csv_source(name)]).rows_read
            except LoadError as error:
                outcomes[name] = str(error)

        names = ["a.csv", "bad.csv", "b.csv", "c.csv", "d.csv"]
        threads = [threading.Thread(target=read, args=(name,)) for name in names]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert outcomes.pop("bad.csv").startswith("bad.csv: this file makes")
        assert outcomes == dict.fromkeys(["a.csv", "b.csv", "c.csv", "d.csv"], 2)

    def test_fork_server_comes_back_after_it_dies(self):
        worker.warm_up()
        os.kill(worker._server.pid(), signal.SIGKILL)
        worker._server._process.wait()
        assert_next_read_works()

    def test_a_child_gone_before_its_request_is_replaced(self, monkeypatch):
        receive, killed = worker._receive, []

        def kill_the_first_child(*args, **kwargs):
            message = receive(*args, **kwargs)
            if not killed and message is not None and message[0] == "started":
                killed.append(message[1])
                os.kill(message[1], signal.SIGKILL)
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:  # reaped by the fork server
                    try:
                        os.kill(message[1], 0)
                    except ProcessLookupError:
                        break
                    time.sleep(0.01)
            return message

        monkeypatch.setattr(worker, "_receive", kill_the_first_child)
        assert worker.load_exports([csv_source()]).rows_read == 2
        assert len(killed) == 1

    def test_a_child_that_dies_before_taking_its_request_does_not_blame_the_file(self, monkeypatch):
        # Every child ends before it takes the request: retried once, then the reader is
        # at fault, not the file (which was never read).
        fault(monkeypatch, "untaken")
        message = read_error(csv_source("fine.csv"))
        assert message == "fine.csv: the file reader could not be started: try again"
        monkeypatch.setattr(worker, "_test_fault", None)
        assert_next_read_works()

    def test_bad_setting_is_refused(self, monkeypatch):
        monkeypatch.setenv(worker.MEMORY_ENV, "lots")
        with pytest.raises(worker.SettingError, match="ADMISSIONS_READER_MEMORY_MB='lots'"):
            worker.load_exports([csv_source()])


class TestCommandLine:
    def test_reader_abort_is_one_line_and_exit_2(self, monkeypatch, capfd, tmp_path):
        path = tmp_path / "bad.csv"
        path.write_bytes(CSV)
        fault(monkeypatch, "abort")
        assert main(["report", str(path)]) == 2
        out, err = capfd.readouterr()
        assert out == ""
        assert err == f"error: bad.csv: {FAILED} and upload again\n"

    def test_warning_workbook_gives_one_stderr_line(self, tmp_path):
        # A lower-case far cell (calamine would abort the process) read by openpyxl,
        # which warns about the unknown extension; no known headers, so exit 2.
        extension = b'<extLst><ext uri="{00000000-0000-0000-0000-000000000001}"/></extLst>'

        def add_extension(xml):
            return xml.replace(b"</worksheet>", extension + b"</worksheet>")

        rows = [["Colour", "Size", "Shape"], ["red", "L", "M"]]
        data = rewrite(far_reference("xfd1048576", rows=rows), {SHEET: add_extension})
        path = tmp_path / "noisy.xlsx"
        path.write_bytes(data)
        done = subprocess.run(
            [sys.executable, "-W", "always", "-m", "analytics", "report", str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 2
        assert done.stdout == ""
        assert done.stderr.count("\n") == 1, done.stderr
        assert done.stderr.startswith("error: noisy.xlsx: no header row")
