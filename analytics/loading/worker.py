"""Untrusted bytes are read in a child process, never in the caller's own.

`load_exports` and `list_sheets` take the arguments of `analytics.loading`'s functions of
the same names and give the same results, but the reading (sniffing, zip checks,
calamine/openpyxl, CSV, parsing) runs in a child forked for that one read by a warm fork
server (`worker_server`) that imported the readers once. The child has an address-space
limit (RLIMIT_AS) and the call a wall-clock limit: a native abort, a Rust panic, a
MemoryError or a time-out ends only that child, and the caller gets one `LoadError` line
naming the file. Why this mechanism: docs/loading.md, "Reading in a worker".

Settings (environment, read at every call): ADMISSIONS_READER_MEMORY_MB (address space a
read may add, default 2048), ADMISSIONS_READER_TIMEOUT_S (default 120),
ADMISSIONS_READER_PROCESSES (reads at once, default 2; more wait for a free slot).
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import io
import os
import pickle
import signal
import socket
import tempfile
import threading
import time
import traceback
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from multiprocessing import reduction
from multiprocessing.connection import Connection

import pandas as pd

from analytics import fork_server
from analytics.errors import LoadError, NoHeaderError, UnsafeSetupError
from analytics.loading import loader, preview, reading

MEMORY_ENV = "ADMISSIONS_READER_MEMORY_MB"
TIMEOUT_ENV = "ADMISSIONS_READER_TIMEOUT_S"
PROCESSES_ENV = "ADMISSIONS_READER_PROCESSES"
DEFAULT_MEMORY_MB = 2048
DEFAULT_TIMEOUT_S = 120.0
DEFAULT_PROCESSES = 2
_LOG_TAIL_BYTES = 4096  # what is read back of a dead child's own output
_RUST_OUT_OF_MEMORY = b"memory allocation of"  # Rust's message before it aborts

FAILED_HINT = "open it in Excel, save it as .xlsx and upload again"
SMALLER_HINT = "export only the rows and columns you need, or " + FAILED_HINT

# Tests set this to make the child fail the ways a hostile file can, as it starts on a
# file: (kind, file name or None for any), kind one of "abort", "panic", "memory",
# "calamine", "hang", "noise", "ahead" (an abort once calamine reads ahead of the
# guard), or "report" (the report's own code fails once the files are read). It travels
# with each request, so nothing in a server's environment can switch it on.
_test_fault: tuple[str, str | None] | None = None


class SettingError(ValueError):
    """A reader limit in the environment is not a positive number."""


@dataclass(frozen=True)
class Limits:
    memory_mb: int
    timeout_s: float
    processes: int

    @classmethod
    def from_env(cls) -> Limits:
        return cls(
            memory_mb=int(_setting(MEMORY_ENV, DEFAULT_MEMORY_MB)),
            timeout_s=_setting(TIMEOUT_ENV, DEFAULT_TIMEOUT_S),
            processes=int(_setting(PROCESSES_ENV, DEFAULT_PROCESSES)),
        )


def _setting(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = 0
    if not value >= 1:
        raise SettingError(f"{name}={text!r}: give a number of at least 1 (default {default:g})")
    return value


def load_exports(
    sources: Iterable[loader.Source] | loader.Source,
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
    date_order: dict[str, str] | None = None,
) -> loader.LoadResult:
    """`analytics.loading.load_exports`, read in a child process."""
    if isinstance(sources, loader.Source):
        sources = [sources]
    sources = list(sources)
    request = ("load", (sources, sheet, mapping, date_order))
    return _run(request, [s.name for s in sources])


def report(
    sources: Iterable[loader.Source],
    rule_set,
    as_of,
    output_format: str,
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
) -> str:
    """The headless report on `sources` (`analytics.reporting.report.render`), read,
    evaluated and written in a child process: the frame never travels back to the caller,
    which receives the text alone. A failure of the report's own code (not the file's) is
    a `ReportFailure`."""
    sources = list(sources)
    request = ("report", (sources, sheet, mapping, rule_set, as_of, output_format))
    return _run(request, [s.name for s in sources])


class ReportFailure(RuntimeError):
    """The report's own code failed in the child after the files were read: the message is
    the exception's type alone (its text may quote cell values)."""


class _ReportCodeFailed(Exception):
    """In the child: evaluating or writing the report failed (`ReportFailure` for the caller)."""


def list_sheets(source: loader.Source) -> list[str]:
    """`analytics.loading.list_sheets`, read in a child process."""
    return _run(("sheets", (source,)), [source.name])


def column_samples(
    sources: Iterable[loader.Source],
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
) -> dict[str, list[str]]:
    """`analytics.loading.preview.column_samples`, read in a child process."""
    sources = list(sources)
    return _run(("preview", (sources, sheet, mapping)), [s.name for s in sources])


def warm_up() -> None:
    """Start the fork server now (it imports the readers), not on the first upload."""
    _server.ensure_running()


# ---- the caller's side ----------------------------------------------------------------------


_server = fork_server.SERVER
_setup_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}


class _ServerLost(Exception):
    """The fork server ended before it forked a child for this read, or the child ended
    before it said it took the request ("took": nothing of the file was read yet)."""


class _ReadAgain(Exception):
    """Read the request again without reading ahead: the guard refused calamine a file it
    was already reading, or the child died before the guard's verdict."""


def _slot(processes: int) -> threading.BoundedSemaphore:
    with _setup_lock:
        return _slots.setdefault(processes, threading.BoundedSemaphore(processes))


def _run(request: tuple, files: list[str]):
    limits = Limits.from_env()
    deadline = time.monotonic() + limits.timeout_s
    # The children's own output (Rust's last words before an abort) goes to a file with no
    # name, handed to each child with its request: nothing is left behind when the caller
    # itself is killed mid-read.
    with _slot(limits.processes), tempfile.TemporaryFile(prefix="admissions-reader-") as log:
        log_fd = log.fileno()
        flags = fcntl.fcntl(log_fd, fcntl.F_GETFL)
        fcntl.fcntl(log_fd, fcntl.F_SETFL, flags | os.O_APPEND)  # the children append
        # An xlsx is read ahead first (calamine while the guard scans, reading.py's
        # `_ReadAhead`), and once more without when the guard refuses it or the child
        # dies before the guard's verdict. Once more as well if the fork server itself
        # went away.
        read_ahead = request[0] in ("load", "report")
        server_lost = False
        while True:
            try:
                return _read(request, files, limits, deadline, log_fd, read_ahead)
            except _ServerLost:
                if server_lost:
                    raise LoadError(
                        f"{files[0]}: the file reader could not be started: try again"
                    ) from None
                server_lost = True
            except _ReadAgain:
                read_ahead = False
                os.ftruncate(log_fd, 0)  # the first child's output says nothing now


def _read(
    request: tuple,
    files: list[str],
    limits: Limits,
    deadline: float,
    log_fd: int,
    read_ahead: bool = False,
):
    ours, theirs = socket.socketpair()
    with theirs:
        _server.submit(theirs)
    conn = Connection(ours.detach())
    current = files[0]
    pid = None
    unvetted = False  # calamine is reading ahead of the guard's verdict
    try:
        message = _receive(conn, deadline, limits, current)
        if message is None:
            raise _ServerLost
        pid = message[1]
        try:
            conn.send((*request, _test_fault, limits.memory_mb, read_ahead))
            reduction.send_handle(conn, log_fd, pid)
        except (OSError, RuntimeError):  # the child is gone (a broken pipe): fork another
            pid = None  # reaped by the fork server: its number may be another process's
            raise _ServerLost from None
        taken = False  # the child said it has the request: from then on, it may read
        while True:
            message = _receive(conn, deadline, limits, current)
            if message is None:  # the child died without a word: an abort or a kill
                pid = None  # it has ended (the fork server reaps it)
                if not taken:  # before it took the request: nothing was read
                    raise _ServerLost
                if unvetted:
                    raise _ReadAgain
                tail = _log_tail(log_fd)
                kind = "memory" if _RUST_OUT_OF_MEMORY in tail else "died"
                raise _failure(current, kind, limits, None)
            tag = message[0]
            if tag == "took":
                taken = True
            elif tag == "reading":
                current = message[1]
            elif tag == "ahead":
                unvetted = message[1] == "started"
            elif tag == "again":  # the child is ending: `finally` makes sure of it
                raise _ReadAgain
            elif tag == "result":
                result = receive_result(conn, message[1])
                pid = None  # done: the child ends by itself
                return result
            elif unvetted:
                # Anything that went wrong before the guard's verdict may be calamine's
                # doing (memory it took while the guard scanned: a MemoryError, or an
                # allocation zlib could not get): only the sequential read decides.
                raise _ReadAgain
            elif tag == "error":
                pid = None
                raise _rebuild_error(*message[1:])
            elif tag == "report-failed":
                pid = None
                raise ReportFailure(message[1])
            else:  # "failed": the child caught what went wrong and is ending
                raise _failure(current, message[1], limits, message[2])
    finally:
        conn.close()
        if pid is not None:  # timed out, failed, or the caller was interrupted
            _kill(pid)


def _receive(conn: Connection, deadline: float, limits: Limits, current: str):
    """The child's next message; None when it is gone; a time-out is a LoadError."""
    try:
        if not conn.poll(max(deadline - time.monotonic(), 0)):
            raise LoadError(
                f"{current}: reading it took longer than {limits.timeout_s:g} s, the "
                f"reader's limit: {SMALLER_HINT}",
                file=current,
            )
        return conn.recv()
    except (EOFError, OSError):
        return None


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it had ended (the fork server reaps it)
        os.kill(pid, signal.SIGKILL)


def _rebuild_error(kind: str, message: str, file: str | None, columns_found) -> LoadError:
    if kind == "NoHeaderError":
        return NoHeaderError(message, file=file, columns_found=columns_found)
    return LoadError(message, file=file)


class ReaderFailure(RuntimeError):
    """What failed in the child (the cause of the LoadError): kind and the traceback's
    frames, never the exception's message (it may quote cell values)."""


def _failure(file: str, kind: str, limits: Limits, frames: str | None) -> LoadError:
    if kind == "memory":
        error = LoadError(
            f"{file}: reading it needs more than {limits.memory_mb} MB of memory, the "
            f"reader's limit: {SMALLER_HINT}",
            file=file,
        )
    else:
        error = LoadError(
            f"{file}: this file makes the spreadsheet reader fail; {FAILED_HINT}", file=file
        )
    error.__cause__ = ReaderFailure(f"{kind}\n{frames or ''}".strip())
    error.__suppress_context__ = True
    return error


def _log_tail(fd: int) -> bytes:
    try:
        size = os.fstat(fd).st_size
        return os.pread(fd, _LOG_TAIL_BYTES, max(size - _LOG_TAIL_BYTES, 0))
    except OSError:
        return b""


# ---- the child's side -----------------------------------------------------------------------


def serve(conn: Connection) -> None:
    """A forked child's life: say who it is, take one request, answer it, end."""
    conn.send(("started", os.getpid()))
    kind, args, fault, memory_mb, read_ahead = conn.recv()
    _confine(memory_mb, reduction.recv_handle(conn))
    if fault is not None and fault[0] == "untaken":
        os._exit(1)  # as a child killed before it took its request
    conn.send(("took",))  # a death before this is retried by the caller

    def on_read_ahead(stage: str) -> None:
        conn.send(("ahead", stage))
        if fault is not None and fault[0] == "ahead" and stage == "started":
            os.abort()  # as calamine does when it asks for more than the limit

    def on_source(source: loader.Source) -> None:
        conn.send(("reading", source.name))
        if fault is not None and fault[1] in (None, source.name):
            _rehearse(fault[0], source, memory_mb)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the caller shows one line, nothing else
            result = _handle(kind, args, on_source, on_read_ahead if read_ahead else None, fault)
        send_result(conn, result)
    except reading.ReadAheadRefused:
        conn.send(("again",))
    except _ReportCodeFailed as exc:
        conn.send(("report-failed", str(exc)))
    except LoadError as exc:
        conn.send(("error", type(exc).__name__, str(exc), exc.file, _columns(exc)))
    except UnsafeSetupError as exc:  # the caller says what to install, as the app's start does
        conn.send(("error", "LoadError", str(exc), None, None))
    except MemoryError:
        conn.send(("failed", "memory", None))
    except BaseException as exc:  # a panic is a BaseException; this process ends anyway
        frames = "".join(traceback.format_tb(exc.__traceback__))
        conn.send(("failed", type(exc).__name__, frames))
    finally:
        conn.close()


def _confine(memory_mb: int, log: int) -> None:
    """Limits and output of this child: address space, no core files, and the libraries'
    own printing (Rust messages, openpyxl warnings) into the caller's log file `log`, off
    the caller's stderr."""
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    try:
        import resource
    except ImportError:  # no rlimits on this platform: the time limit still holds
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _address_space() + memory_mb * 2**20
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _address_space() -> int:
    """What this process has mapped already (the imported libraries' reservations), so the
    limit is on what reading adds."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _handle(kind: str, args: tuple, on_source, read_ahead=None, fault=None):
    if kind == "sheets":
        (source,) = args
        on_source(source)
        return loader.list_sheets(source)
    if kind == "preview":
        sources, sheet, mapping = args
        return preview.column_samples(sources, sheet, mapping, on_source=on_source)
    if kind == "report":
        sources, sheet, mapping, rule_set, as_of, output_format = args
        loaded = loader.load_exports(
            sources, sheet=sheet, mapping=mapping, on_source=on_source, read_ahead=read_ahead
        )
        rehearse = fault is not None and fault[0] == "report"
        return _render_report(loaded, rule_set, as_of, output_format, rehearse)
    sources, sheet, mapping, date_order = args
    return loader.load_exports(
        sources,
        sheet=sheet,
        mapping=mapping,
        date_order=date_order,
        on_source=on_source,
        read_ahead=read_ahead,
    )


def warm_report(loaded: loader.LoadResult) -> None:
    """Run the report's code once on `loaded` (the fork server's warm-up file), so that its
    children start with what its first call imports and prepares already done."""
    from analytics import rules

    rule_set = rules.load_rule_set(rules.DEFAULT_RULE_SET)
    for output_format in ("json", "text"):
        _render_report(loaded, rule_set, datetime.date.today(), output_format)


def _render_report(
    loaded: loader.LoadResult, rule_set, as_of, output_format: str, rehearse: bool = False
) -> str:
    # Imported here: reading needs neither; the fork server imports both on its warm-up.
    from analytics.reporting import report
    from analytics.rules import evaluation

    try:
        if rehearse:
            raise KeyError("rehearsed failure of the report's code")
        ev = evaluation.evaluate(loaded.frame, rule_set, as_of)
        return report.render(loaded, ev, output_format)
    except MemoryError:
        raise
    except Exception as exc:
        raise _ReportCodeFailed(type(exc).__name__) from None


def receive_result(conn: Connection, buffers: int):
    """What `send_result` sent after its ("result", buffers) message."""
    main = conn.recv_bytes()
    return pickle.loads(main, buffers=[conn.recv_bytes() for _ in range(buffers)])


def send_result(conn: Connection, result) -> None:
    # Pickle protocol 5 hands the Arrow buffers over as they are (out of band): the
    # frame's columns are not copied into one large pickle first.
    buffers: list[pickle.PickleBuffer] = []
    out = io.BytesIO()
    _ResultPickler(out, protocol=5, buffer_callback=buffers.append).dump(result)
    conn.send(("result", len(buffers)))
    conn.send_bytes(out.getbuffer())
    for buffer in buffers:
        conn.send_bytes(buffer.raw())


class _ResultPickler(pickle.Pickler):
    """Arrow text columns travel as their Arrow chunks: pandas' own pickling first copies
    each one into a single new chunk (a tenth of a second at 100,000 rows)."""

    def reducer_override(self, obj):
        if type(obj) is pd.arrays.ArrowStringArray:
            return _text_array, (obj.__arrow_array__(), obj.dtype)
        return NotImplemented


def _text_array(chunks, dtype) -> pd.arrays.ArrowStringArray:
    return pd.arrays.ArrowStringArray(chunks, dtype=dtype)


def _columns(exc: LoadError):
    return getattr(exc, "columns_found", None)


class _RehearsedPanic(BaseException):
    """Stands in for pyo3's PanicException in tests."""


def _rehearse(fault: str, source: loader.Source, memory_mb: int) -> None:
    """Fail on purpose, the way a hostile file makes a reader fail (tests only)."""
    if fault == "abort":
        os.abort()
    if fault == "panic":
        raise _RehearsedPanic("rehearsed panic")
    if fault == "memory":
        bytearray(2 * memory_mb * 2**20)  # twice the limit: MemoryError if the limit holds
    if fault == "calamine":  # calamine on the file with no guard before it
        import fastexcel

        reader = fastexcel.read_excel(source.data)
        reader.load_sheet(0, header_row=None, dtypes="string", eager=True)
    if fault == "hang":
        time.sleep(3600)
    if fault == "noise":
        print("printed by a library")
        os.write(2, b"written to stderr by native code\n")
        warnings.warn("a library warning", UserWarning, stacklevel=1)
