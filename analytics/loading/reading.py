"""Raw sheet reading: every cell as text, blank rows dropped, sheet row numbers kept.

xlsx / xls go through calamine (fastexcel, Arrow strings, no Python object per cell);
openpyxl (read-only, defusedxml) serves where calamine cannot: workbooks whose far cells
would make calamine allocate a huge rectangle, and files calamine rejects. Text files
(.csv, .tsv, .txt) are decoded as their byte-order mark says (UTF-8, UTF-16 LE or BE),
else as UTF-8, else cp1252, with the delimiter sniffed among , ; tab |, and parsed by
Arrow's CSV reader (memory follows the text, not one Python object per cell).

Everything here touches untrusted bytes: the app and the CLI call it through
`analytics.loading.worker`, in a child process with memory and time limits.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import fastexcel
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from analytics.errors import LoadError
from analytics.loading import fields, parsing, safety

HEADER_SCAN_ROWS = 20  # the header row is one of the sheet's first 20 rows (DOMAIN 3.1)
MIN_HEADER_MATCHES = 3
CSV_DELIMITERS = (",", ";", "\t", "|")
CSV_SNIFF_LINES = 50
CSV_SNIFF_BYTES = 64 * 1024  # first guess of the prefix that holds the sniffed lines
CSV_BLOCK_BYTES = 4 * 2**20  # text Arrow parses at once; a longer record gets one block
CSV_TRANSCODE_BYTES = 2**20  # UTF-16 and cp1252 are made UTF-8 this much at a time
CSV_SHEET = "(csv)"  # the sheet name reported for CSV files
_TEXT = parsing.TEXT_DTYPE
_STR = pa.large_string()  # what pandas keeps Arrow text as: no cast, no copy


@dataclass
class RawSheet:
    """A sheet's non-blank rows as text.

    `cells` has positional integer columns (string dtype, NA for an empty cell) and is
    indexed by the spreadsheet's own 1-based row number.
    """

    name: str
    cells: pd.DataFrame
    error_cells: int = 0  # Excel error values (#N/A, #DIV/0!, ...), read as empty cells


@dataclass
class Workbook:
    """An opened file: its kind, sheet names and how its sheets are read."""

    file: str
    kind: str  # "xlsx", "xls" or "csv"
    sheet_names: list[str]
    data: bytes
    use_calamine: bool = True
    _reader: object = None
    _ahead: _ReadAhead | None = None

    def read(self, sheet: str) -> RawSheet:
        if self.kind == "csv":
            return RawSheet(CSV_SHEET, _read_csv(self.file, self.data))
        if self.use_calamine:
            try:
                if self._ahead is not None and self._ahead.next_sheet == sheet:
                    batch = self._ahead.take()
                else:
                    with self._reader_free():
                        batch = _load_calamine(self._reader, sheet)
                cells = drop_blank(_arrow_to_frame(batch))
            except BaseException as exc:  # calamine refused this sheet: openpyxl may read it
                if not is_reader_failure(exc):
                    raise
                if _is_password_error(exc):
                    raise LoadError(f"{self.file}: {safety.PASSWORD_HINT}") from None
                if self.kind != "xlsx":
                    raise _unreadable(self.file) from None
            else:
                errors = 0
                if cells.empty:
                    with self._reader_free():
                        errors = _count_error_cells(self._reader, sheet)
                return RawSheet(sheet, cells, errors)
        return RawSheet(sheet, _read_openpyxl(self.file, self.data, sheet))

    def _reader_free(self):
        """Held while this thread uses the reader: the read-ahead's thread may be in it."""
        return self._ahead.busy if self._ahead is not None else contextlib.nullcontext()

    def sheets(self) -> Iterator[RawSheet]:
        for name in self.sheet_names:
            yield self.read(name)


class ReadAheadRefused(Exception):
    """The guard found cells calamine must not read while it was already reading them:
    the caller reads the file again without reading ahead (in a fresh process, since the
    calamine thread cannot be stopped)."""


class _ReadAhead:
    """calamine opening an xlsx and reading its sheets, in order, in a thread, while the
    guard's zip scan runs in the caller's (fastexcel releases the GIL, so on two cores the
    two overlap). One sheet ahead at most: the thread reads the next sheet once the
    caller has claimed the one before, while the caller builds it.

    Calamine starts before the guard has vetted the file, so a far cell can make it
    allocate up to the process's memory limit, or past it and abort: use this only in a
    disposable process with an address-space limit (the reader's worker child), which is
    read again without it when the guard refuses (`ReadAheadRefused`) or the process dies
    before the verdict (docs/loading.md, "Reading ahead")."""

    def __init__(self, data: bytes):
        self._opened: queue.Queue = queue.Queue(maxsize=1)
        self._sheets: queue.Queue = queue.Queue(maxsize=1)
        self._claimed = threading.Semaphore(0)
        self._stopped = threading.Event()
        self.busy = threading.Lock()  # held while the thread is in the reader
        self.next_sheet: str | None = None
        self._names: list[str] = []
        self._position = 0
        threading.Thread(target=self._run, args=(data,), daemon=True, name="read-ahead").start()

    def _run(self, data: bytes) -> None:
        try:
            reader = fastexcel.read_excel(data)
            names = list(reader.sheet_names)  # read now: the reader is busy from here on
        except BaseException as exc:  # noqa: BLE001 - given to the caller, who decides
            self._opened.put(exc)
            return
        self._opened.put((reader, names))
        for name in names:
            if self._stopped.is_set():  # refused, or stopped once a sheet was claimed
                return
            try:
                with self.busy:
                    item = _load_calamine(reader, name)
            except BaseException as exc:  # noqa: BLE001 - raised where the sheet is read
                item = exc
            self._sheets.put(item)
            del item
            # The next sheet is read once this one is claimed: one sheet ahead, no more.
            while not self._claimed.acquire(timeout=0.1):
                if self._stopped.is_set():
                    return

    def opened(self):
        """(the fastexcel reader, its sheet names), or what opening the file raised."""
        opened = self._opened.get()
        if not isinstance(opened, BaseException):
            self._names = opened[1]
            self.next_sheet = self._names[0] if self._names else None
        return opened

    def take(self) -> pa.RecordBatch:
        """The next sheet's cells (`next_sheet`), or raise what reading it raised."""
        item = self._sheets.get()
        self._claimed.release()
        # By position: a workbook may name two sheets alike.
        self._position += 1
        position = self._position
        self.next_sheet = self._names[position] if position < len(self._names) else None
        if isinstance(item, BaseException):
            raise item
        return item

    def stop(self) -> None:
        """Read no further sheet (the one being read, if any, is finished and dropped)."""
        self._stopped.set()
        self.next_sheet = None
        with contextlib.suppress(queue.Empty):
            self._sheets.get_nowait()


def open_workbook(
    file: str, data: bytes, read_ahead: Callable[[str], None] | None = None
) -> Workbook:
    """Sniff and guard the bytes, then open the workbook (no sheet is parsed yet).

    With `read_ahead` (a disposable process only: `_ReadAhead`), an xlsx is opened and
    its sheets read by calamine while the guard scans it; `read_ahead` is called with
    "started" before and "vetted" once the guard has passed the file."""
    kind = safety.sniff(file, data)
    if kind == "csv":
        return Workbook(file, kind, [CSV_SHEET], data)
    # Not ahead of the guard for a workbook that declares cells past its limit: calamine
    # would take up to the reader's memory limit before the guard refused it.
    if (
        kind == "xlsx"
        and read_ahead is not None
        and safety.declared_cells(data) <= safety.MAX_CALAMINE_CELLS
    ):
        return _open_reading_ahead(file, data, read_ahead)
    use_calamine = True
    if kind == "xlsx":
        report = safety.check_zip(file, data)
        use_calamine = report.calamine_safe
    if use_calamine:
        try:
            reader = fastexcel.read_excel(data)
            return Workbook(file, kind, list(reader.sheet_names), data, True, reader)
        except BaseException as exc:
            _calamine_refused(file, kind, exc)
    return Workbook(file, kind, _openpyxl_sheet_names(file, data), data, False)


def _calamine_refused(file: str, kind: str, exc: BaseException) -> None:
    """calamine could not open the file: raise what the person is told, or return when
    openpyxl may read it (an xlsx)."""
    if not is_reader_failure(exc):
        raise exc
    if _is_password_error(exc):
        raise LoadError(f"{file}: {safety.PASSWORD_HINT}") from None
    if kind != "xlsx":
        raise _unreadable(file) from None


def _open_reading_ahead(file: str, data: bytes, read_ahead: Callable[[str], None]) -> Workbook:
    read_ahead("started")
    ahead = _ReadAhead(data)
    try:
        report = safety.check_zip(file, data)
    except BaseException:
        ahead.stop()
        raise
    if not report.calamine_safe:
        ahead.stop()
        raise ReadAheadRefused(file)
    read_ahead("vetted")
    opened = ahead.opened()
    if not isinstance(opened, BaseException):
        reader, names = opened
        return Workbook(file, "xlsx", names, data, True, reader, ahead)
    ahead.stop()
    _calamine_refused(file, "xlsx", opened)
    return Workbook(file, "xlsx", _openpyxl_sheet_names(file, data), data, False)


def is_reader_failure(exc: BaseException) -> bool:
    """An error of the reader about the file: any Exception, and the PanicException pyo3
    raises when calamine's Rust code panics (a BaseException, so `except Exception` misses
    it). KeyboardInterrupt and SystemExit are not failures of the file."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _is_password_error(exc: BaseException) -> bool:
    return "password" in type(exc).__name__.lower() or "password" in str(exc).lower()


def _unreadable(file: str) -> LoadError:
    return LoadError(
        f"{file}: the workbook is damaged or in a form that cannot be read: {safety.RESAVE_HINT}"
    )


def _arrow_to_frame(batch: pa.RecordBatch) -> pd.DataFrame:
    columns = {}
    for position, column in enumerate(batch.columns):
        if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
            column = column.cast(pa.string())
        columns[position] = pd.Series(pd.arrays.ArrowStringArray(column), copy=False)
    frame = pd.DataFrame(columns)
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return frame


def _load_calamine(reader, sheet: str) -> pa.RecordBatch:
    # header_row=None + skip_rows=0 keeps leading empty rows, so position = sheet row - 1.
    return reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string", eager=True)


def _count_error_cells(reader, sheet: str) -> int:
    """Cells holding an Excel error value: the string read gives them as empty, so a sheet
    of only errors would otherwise be called empty. Asked only for sheets read as empty."""
    try:
        lazy = reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string")
        _, errors = lazy.to_arrow_with_errors()
    except BaseException as exc:
        if not is_reader_failure(exc):
            raise
        return 0
    return 0 if errors is None else len(errors.errors)


# A sheet's kept rows in at most this many runs (blank rows between them) are sliced per
# run; more, and they are copied (`drop_blank`): many small chunks slow every kernel after.
MAX_SLICED_RUNS = 16


def drop_blank(cells: pd.DataFrame) -> pd.DataFrame:
    """Rows and columns with no content at all (empty or whitespace-only) are dropped."""
    if cells.shape[1] == 0:
        return pd.DataFrame(index=pd.Index([], dtype="int64"))
    keep_rows = np.zeros(len(cells), dtype=bool)
    keep_cols = []
    for position in cells.columns:
        column = cells[position]
        pending = np.flatnonzero(~keep_rows)
        if len(pending) * 4 >= len(cells):
            filled = has_content(column)
            keep_rows |= filled
            is_kept = filled.any()
        else:  # most rows hold something already: only the rest can change keep_rows
            filled = has_content(column.iloc[pending])
            keep_rows[pending[filled]] = True
            is_kept = filled.any() or _any_content(column)
        if is_kept:
            keep_cols.append(position)
    kept = np.flatnonzero(keep_rows)
    runs = _runs(kept)
    if len(runs) > 1 and len(runs) <= MAX_SLICED_RUNS:
        sliced = _sliced(cells, keep_cols, runs)
        if sliced is not None:
            return sliced
    # Where the rows kept are one run (blank rows only above and below it) a slice keeps
    # the columns' memory shared: no copy of the sheet.
    rows = slice(*runs[0]) if len(runs) == 1 else keep_rows
    # Every column kept (an export has no blank column): no column list, which would copy
    # each column (a take), 0.01-0.06 s at 100,000 rows.
    every_column = len(keep_cols) == cells.shape[1]
    frame = cells.iloc[rows] if every_column else cells.iloc[rows, keep_cols]
    frame.columns = range(len(keep_cols))
    frame.index = frame.index.astype("int64")
    return frame


def _any_content(column: pd.Series) -> bool:
    """Whether some cell of the column holds something: its first cells first, which
    answer for any column of an export (0.03 s of a 100,000-row sheet's 20 columns)."""
    return bool(has_content(column.iloc[:CONTENT_SAMPLE]).any() or has_content(column).any())


CONTENT_SAMPLE = 1_000


def _runs(kept: np.ndarray) -> list[tuple[int, int]]:
    """The kept positions as runs of consecutive rows, each (start, stop)."""
    if kept.size == 0:
        return [(0, 0)]
    breaks = np.flatnonzero(np.diff(kept) != 1)
    starts = kept[np.concatenate(([0], breaks + 1))]
    stops = kept[np.concatenate((breaks, [kept.size - 1]))] + 1
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


def _sliced(
    cells: pd.DataFrame, keep_cols: list, runs: list[tuple[int, int]]
) -> pd.DataFrame | None:
    """The kept rows of Arrow text columns as one chunk per run, each a slice of the column
    as read: no copy of the sheet. A title over a blank row over the header (most CRM
    exports) would otherwise copy every column to drop one row: 0.1 s at 300,000 rows.
    None when a column is not Arrow text (the caller takes the rows)."""
    columns = {}
    for number, position in enumerate(keep_cols):
        array = cells[position].array
        if not isinstance(array, pd.arrays.ArrowStringArray):
            return None
        whole = array.__arrow_array__()
        pieces = [whole.slice(start, stop - start) for start, stop in runs]
        chunks = [chunk for piece in pieces for chunk in piece.chunks]
        column = pa.chunked_array(chunks, type=whole.type)
        columns[number] = pd.Series(
            pd.arrays.ArrowStringArray(column, dtype=array.dtype), copy=False
        )
    positions = np.concatenate([np.arange(start, stop) for start, stop in runs])
    index = pd.Index(cells.index.to_numpy()[positions].astype("int64", copy=False))
    frame = pd.DataFrame(columns, copy=False)
    frame.index = index
    return frame


def has_content(cells: pd.Series) -> np.ndarray:
    """True where a cell holds something other than nothing or whitespace."""
    array = cells.array
    if isinstance(array, pd.arrays.ArrowStringArray):
        text = pa.array(array)
    else:
        text = pa.array(cells.astype(object), type=pa.string(), from_pandas=True)
    if text.null_count == len(text):
        return np.zeros(len(text), dtype=bool)
    # utf8_is_space is false for "", so empty text is tested on its own; both agree with
    # utf8_trim_whitespace on what counts as whitespace, without copying the text.
    blank = pc.or_kleene(pc.equal(pc.utf8_length(text), 0), pc.utf8_is_space(text))
    return pc.fill_null(pc.invert(blank), False).to_numpy(zero_copy_only=False)


# ---- openpyxl (bounded fallback) -------------------------------------------------------


def _load_openpyxl(file: str, data: bytes):
    safety.check_xml_hardening()
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise _unreadable(file) from None


def _openpyxl_sheet_names(file: str, data: bytes) -> list[str]:
    book = _load_openpyxl(file, data)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def cell_text(value) -> str | None:
    """Render a Python cell value the way the calamine path renders it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d 00:00:00")
    if isinstance(value, dt.time):
        return "1899-12-31 " + value.strftime("%H:%M:%S")
    return str(value)


def _read_openpyxl(file: str, data: bytes, sheet: str) -> pd.DataFrame:
    """Stream rows, keep only cells with content: memory follows the real content, not the
    used range a far cell claims."""
    book = _load_openpyxl(file, data)
    try:
        worksheet = book[sheet]
        worksheet.reset_dimensions()  # ignore the claimed range; rows come as written
        sparse: dict[int, dict[int, str]] = {}
        try:
            for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
                kept = {}
                for position, value in enumerate(row[: safety.MAX_COLUMNS]):
                    text = cell_text(value)
                    if text is not None and text.strip():
                        kept[position] = text
                if kept:
                    sparse[number] = kept
        except Exception:
            raise _unreadable(file) from None
    finally:
        book.close()
    used = sorted({position for row in sparse.values() for position in row})
    rows = sorted(sparse)
    columns = {
        i: pd.Series([sparse[r].get(p) for r in rows], index=rows, dtype=_TEXT)
        for i, p in enumerate(used)
    }
    return drop_blank(pd.DataFrame(columns, index=pd.Index(rows, dtype="int64")))


# ---- CSV ---------------------------------------------------------------------------------


def text_encoding(data: bytes) -> tuple[str, int]:
    """The text's encoding and the length of its byte-order mark (DOMAIN 3.8): a BOM
    decides (UTF-8, UTF-16 LE or BE, as Excel's "Unicode Text" save writes it); without
    one, UTF-8 if the bytes are valid UTF-8, else cp1252."""
    for bom, encoding in safety.TEXT_BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return ("utf-8" if _is_utf8(data) else "cp1252"), 0


def _is_utf8(data: bytes) -> bool:
    if data.isascii():
        return True
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:  # in pieces: a whole decoded copy could take four times the file
        for start in range(0, len(view), CSV_TRANSCODE_BYTES):
            decoder.decode(view[start : start + CSV_TRANSCODE_BYTES])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def utf8_text(data: bytes) -> memoryview:
    """The text as UTF-8 without its BOM: the bytes themselves when they are UTF-8,
    otherwise transcoded piece by piece (undecodable bytes become U+FFFD)."""
    encoding, bom = text_encoding(data)
    view = memoryview(data)[bom:]
    if encoding == "utf-8":
        return view
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    out = bytearray()
    for start in range(0, len(view), CSV_TRANSCODE_BYTES):
        out += decoder.decode(view[start : start + CSV_TRANSCODE_BYTES]).encode("utf-8")
    out += decoder.decode(b"", final=True).encode("utf-8")
    return memoryview(out)


def sniff_delimiter(text: str) -> tuple[str, int]:
    """The delimiter among , ; tab | that splits the first lines most consistently, and
    the number of fields its lines most often have (1 when none splits them)."""
    lines = text.splitlines()[:CSV_SNIFF_LINES]
    best, best_score = (",", 1), (-1, -1)
    for delimiter in CSV_DELIMITERS:
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter) if row]
        multi = [c for c in counts if c > 1]
        if not multi:
            continue
        mode = max(set(multi), key=multi.count)
        score = (multi.count(mode), mode)
        if score > best_score:
            best, best_score = (delimiter, mode), score
    return best


def _head(text: memoryview) -> str:
    """A prefix of the text holding its first CSV_SNIFF_LINES lines whole (or all of it)."""
    size = CSV_SNIFF_BYTES
    while True:
        # A character cut at the end is dropped: it lies beyond the lines that are used.
        head = bytes(text[:size]).decode("utf-8", errors="ignore")
        if size >= len(text) or len(head.splitlines()) > CSV_SNIFF_LINES:
            return head
        size *= 4


def _read_csv(file: str, data: bytes) -> pd.DataFrame:
    # Fields up to the upload limit: the csv module's default stops at 131,072 characters.
    csv.field_size_limit(max(csv.field_size_limit(), safety.MAX_FILE_BYTES))
    text = utf8_text(data)
    if len(text) == 0:  # a byte-order mark and nothing else
        return drop_blank(pd.DataFrame(index=pd.RangeIndex(1, 1)))
    delimiter, width = sniff_delimiter(_head(text))
    _check_width(file, width)
    table, odd = _parse_csv(file, text, delimiter, width)
    rows = odd.split(file, delimiter)
    valid = table.num_rows
    total = valid + len(rows)
    order = odd.order(valid, total) if rows else None
    width = max([width, *map(len, rows)])
    _check_width(file, width)
    index = pd.RangeIndex(1, total + 1)  # the record's number: blank lines count
    text_columns = {}
    for position in range(width):
        # Arrow's blocks stay the column's chunks (4 MB of text each): no copy of the text.
        if position < table.num_columns:
            chunks = table.column(position).chunks
        else:  # a column only longer odd rows have
            chunks = [pa.nulls(valid, _STR)]
        if rows:
            cells = pa.array([row[position] if position < len(row) else None for row in rows], _STR)
            column = pa.chunked_array([*chunks, cells], type=_STR).take(order)
        else:
            column = pa.chunked_array(chunks, type=_STR)
        text_columns[position] = pd.Series(
            pd.arrays.ArrowStringArray(column), index=index, copy=False
        )
    return drop_blank(pd.DataFrame(text_columns, index=index))


def _check_width(file: str, width: int) -> None:
    if width > safety.MAX_COLUMNS:
        raise LoadError(f"{file}: the CSV file has more than {safety.MAX_COLUMNS} columns")


class _OddRows:
    """Records without the sniffed number of fields, as Arrow's parser hands them over
    (its `invalid_row_handler`): their record number and text, in file order."""

    def __init__(self) -> None:
        self.numbers: list[int] = []
        self.texts: list[str] = []

    def __call__(self, row) -> str:
        self.numbers.append(row.number)
        self.texts.append(row.text)
        return "skip"  # left out of Arrow's table; `split` reads it

    def split(self, file: str, delimiter: str) -> list[list[str]]:
        try:
            return [next(csv.reader((text,), delimiter=delimiter), []) for text in self.texts]
        except csv.Error:
            raise _malformed(file) from None

    def order(self, valid: int, total: int) -> np.ndarray:
        """Where each record lies in Arrow's rows followed by the odd ones."""
        is_odd = np.zeros(total, dtype=bool)
        is_odd[np.asarray(self.numbers, dtype=np.int64) - 1] = True
        order = np.empty(total, dtype=np.int64)
        order[~is_odd] = np.arange(valid)
        order[is_odd] = np.arange(valid, total)
        return order


def _parse_csv(
    file: str, text: memoryview, delimiter: str, width: int
) -> tuple[pa.Table, _OddRows]:
    """Every field as text, nothing read as missing ("NA" stays text), quoted newlines
    kept, empty lines kept as rows (so record numbers stay the file's). Serial, because
    only the serial reader numbers the odd records."""
    names = [str(position) for position in range(width)]
    block = CSV_BLOCK_BYTES
    while True:
        odd = _OddRows()
        try:
            table = pacsv.read_csv(
                pa.BufferReader(pa.py_buffer(text)),
                read_options=pacsv.ReadOptions(
                    column_names=names, use_threads=False, block_size=block
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter,
                    newlines_in_values=True,
                    ignore_empty_lines=False,
                    invalid_row_handler=odd,
                ),
                convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, _STR)),
            )
        except pa.ArrowInvalid as exc:
            # A record longer than a block cannot be split: read it as one block.
            if "straddl" not in str(exc) or block > len(text):
                raise _malformed(file) from None
            block = len(text) + 1
            continue
        return table, odd


def _malformed(file: str) -> LoadError:
    return LoadError(
        f"{file}: the CSV file is malformed (unbalanced quotes or stray characters): "
        "export it again or save it from Excel as CSV"
    )


# ---- header row ----------------------------------------------------------------------------


def known_headers(mapping: dict[str, str] | None = None) -> set[str]:
    """Normalised headers that count towards finding the header row."""
    known = set(fields.HEADER_VARIANTS) | set(fields.NAME_PART_VARIANTS)
    if mapping:
        known |= {fields.normalise_header(k) for k in mapping}
    return known


def find_header_row(cells: pd.DataFrame, known: set[str]) -> int | None:
    """The first of the sheet's first 20 rows with at least 3 cells naming a known header."""
    top = _top_rows(cells)
    for number, row in top.iterrows():
        matches = sum(
            1 for value in row if isinstance(value, str) and fields.normalise_header(value) in known
        )
        if matches >= MIN_HEADER_MATCHES:
            return int(number)
    return None


def _top_rows(cells: pd.DataFrame) -> pd.DataFrame:
    """The sheet's rows numbered up to HEADER_SCAN_ROWS: a slice when the row numbers
    ascend, as every reader gives them (a mask over every row cost 0.01 s at 100,000)."""
    if cells.index.is_monotonic_increasing:
        return cells.iloc[: cells.index.searchsorted(HEADER_SCAN_ROWS, side="right")]
    return cells[cells.index <= HEADER_SCAN_ROWS]


def guess_header_row(cells: pd.DataFrame) -> int | None:
    """The row taken for headers when no header row is found: the fullest of the first rows."""
    top = _top_rows(cells)
    if top.empty:
        return None
    return int(top.notna().sum(axis=1).idxmax())


def header_guess(cells: pd.DataFrame) -> list[str]:
    """Column names to show when no header row is found: the fullest of the first rows."""
    row = guess_header_row(cells)
    if row is None:
        return []
    return [str(v).strip() for v in cells.loc[row] if isinstance(v, str) and v.strip()]
