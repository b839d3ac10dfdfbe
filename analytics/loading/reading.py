"""Raw sheet reading: every cell as text, blank rows dropped, sheet row numbers kept.

xlsx / xls go through calamine (fastexcel, Arrow strings, no Python object per cell);
openpyxl (read-only, defusedxml) serves where calamine cannot: workbooks whose far cells
would make calamine allocate a huge rectangle, and files calamine rejects. CSV is decoded
as UTF-8 (BOM or not), else cp1252, with the delimiter sniffed among , ; tab |, and
parsed by the csv module in batches that become Arrow text at once (memory follows the
text, not one Python list per row).

Everything here touches untrusted bytes: the app and the CLI call it through
`analytics.loading.worker`, in a child process with memory and time limits.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import fastexcel
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics.errors import LoadError
from analytics.loading import fields, parsing, safety

HEADER_SCAN_ROWS = 20  # the header row is one of the sheet's first 20 rows (DOMAIN 3.1)
MIN_HEADER_MATCHES = 3
CSV_DELIMITERS = (",", ";", "\t", "|")
CSV_SNIFF_LINES = 50
CSV_SNIFF_BYTES = 64 * 1024  # first guess of the prefix that holds the sniffed lines
CSV_BATCH_ROWS = 65_536  # CSV rows held as Python lists at once, then made Arrow text
CSV_SHEET = "(csv)"  # the sheet name reported for CSV files
_TEXT = parsing.TEXT_DTYPE


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

    def read(self, sheet: str) -> RawSheet:
        if self.kind == "csv":
            return RawSheet(CSV_SHEET, _read_csv(self.file, self.data))
        if self.use_calamine:
            try:
                cells = _read_calamine(self._reader, sheet)
            except BaseException as exc:  # calamine refused this sheet: openpyxl may read it
                if not is_reader_failure(exc):
                    raise
                if _is_password_error(exc):
                    raise LoadError(f"{self.file}: {safety.PASSWORD_HINT}") from None
                if self.kind != "xlsx":
                    raise _unreadable(self.file) from None
            else:
                errors = _count_error_cells(self._reader, sheet) if cells.empty else 0
                return RawSheet(sheet, cells, errors)
        return RawSheet(sheet, _read_openpyxl(self.file, self.data, sheet))

    def sheets(self) -> Iterator[RawSheet]:
        for name in self.sheet_names:
            yield self.read(name)


def open_workbook(file: str, data: bytes) -> Workbook:
    """Sniff and guard the bytes, then open the workbook (no sheet is parsed yet)."""
    kind = safety.sniff(file, data)
    if kind == "csv":
        return Workbook(file, kind, [CSV_SHEET], data)
    use_calamine = True
    if kind == "xlsx":
        report = safety.check_zip(file, data)
        use_calamine = report.calamine_safe
    if use_calamine:
        try:
            reader = fastexcel.read_excel(data)
            return Workbook(file, kind, list(reader.sheet_names), data, True, reader)
        except BaseException as exc:
            if not is_reader_failure(exc):
                raise
            if _is_password_error(exc):
                raise LoadError(f"{file}: {safety.PASSWORD_HINT}") from None
            if kind != "xlsx":
                raise _unreadable(file) from None
    return Workbook(file, kind, _openpyxl_sheet_names(file, data), data, False)


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


def _read_calamine(reader, sheet: str) -> pd.DataFrame:
    # header_row=None + skip_rows=0 keeps leading empty rows, so position = sheet row - 1.
    batch = reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string", eager=True)
    return drop_blank(_arrow_to_frame(batch))


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


def drop_blank(cells: pd.DataFrame) -> pd.DataFrame:
    """Rows and columns with no content at all (empty or whitespace-only) are dropped."""
    if cells.shape[1] == 0:
        return pd.DataFrame(index=pd.Index([], dtype="int64"))
    keep_rows = np.zeros(len(cells), dtype=bool)
    keep_cols = []
    for position in cells.columns:
        filled = has_content(cells[position])
        if filled.any():
            keep_rows |= filled
            keep_cols.append(position)
    # Without blank rows a slice keeps the columns' memory shared (no copy of the sheet).
    rows = slice(None) if keep_rows.all() else keep_rows
    frame = cells.iloc[rows, keep_cols]
    frame.columns = range(len(keep_cols))
    frame.index = frame.index.astype("int64")
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


def text_encoding(data: bytes) -> str:
    """UTF-8 (BOM or not), else cp1252 (DOMAIN 3.8)."""
    if not data.isascii():
        try:
            data.decode("utf-8")  # only whether it is valid; the text is decoded as a stream
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def decode_text(data: bytes) -> str:
    """The bytes as text, in the encoding `text_encoding` picks."""
    return data.decode(text_encoding(data), errors="replace")


def sniff_delimiter(text: str) -> str:
    """The delimiter among , ; tab | that splits the first lines most consistently."""
    lines = text.splitlines()[:CSV_SNIFF_LINES]
    best, best_score = ",", (-1, -1)
    for delimiter in CSV_DELIMITERS:
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter) if row]
        multi = [c for c in counts if c > 1]
        if not multi:
            continue
        mode = max(set(multi), key=multi.count)
        score = (multi.count(mode), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _head(data: bytes, encoding: str) -> str:
    """A prefix of the text holding its first CSV_SNIFF_LINES lines whole (or all of it)."""
    size = CSV_SNIFF_BYTES
    while True:
        # A character cut at the end is dropped: it lies beyond the lines that are used.
        head = data[:size].decode(encoding, errors="ignore" if size < len(data) else "replace")
        if size >= len(data) or len(head.splitlines()) > CSV_SNIFF_LINES:
            return head
        size *= 4


def _read_csv(file: str, data: bytes) -> pd.DataFrame:
    # Fields up to the upload limit: the csv module's default stops at 131,072 characters.
    csv.field_size_limit(max(csv.field_size_limit(), safety.MAX_FILE_BYTES))
    encoding = text_encoding(data)
    delimiter = sniff_delimiter(_head(data, encoding))
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="replace", newline="")
    reader = csv.reader(stream, delimiter=delimiter)
    columns: list[list[pa.Array]] = []  # per position, one Arrow chunk per batch
    rows = 0
    try:
        with _without_cycle_collection():
            while batch := list(itertools.islice(reader, CSV_BATCH_ROWS)):
                rows = _add_batch(file, columns, batch, rows)
    except csv.Error:
        raise LoadError(
            f"{file}: the CSV file is malformed (unbalanced quotes or stray characters): "
            "export it again or save it from Excel as CSV"
        ) from None
    index = pd.RangeIndex(1, rows + 1)  # the record's number: blank lines count
    text = {
        position: pd.arrays.ArrowStringArray(_one_chunk(chunks))
        for position, chunks in enumerate(columns)
    }
    frame = pd.DataFrame(
        {position: pd.Series(array, index=index, copy=False) for position, array in text.items()},
        index=index,
    )
    return drop_blank(frame)


def _one_chunk(chunks: list[pa.Array]) -> pa.ChunkedArray:
    """One column's batches as one contiguous array, like calamine's, freed as it goes."""
    column = pa.chunked_array(chunks, type=pa.string())
    chunks.clear()
    return pa.chunked_array([column.combine_chunks()], type=pa.string())


@contextlib.contextmanager
def _without_cycle_collection():
    """Millions of short-lived row lists set off the cyclic garbage collector again and
    again (about 3x the parsing time); reference counting frees them all the same."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _add_batch(file: str, columns: list[list[pa.Array]], batch: list[list[str]], rows: int) -> int:
    """Append one batch of rows to the column chunks; short rows (trailing empty cells left
    out) and columns first seen later are padded with missing cells."""
    width = max(map(len, batch))
    if width > safety.MAX_COLUMNS:
        raise LoadError(f"{file}: the CSV file has more than {safety.MAX_COLUMNS} columns")
    for _ in range(len(columns), width):
        columns.append([pa.nulls(rows, pa.string())])
    # zip_longest transposes in C and pads short rows with None.
    transposed = itertools.zip_longest(*batch) if width else iter(())
    for chunks, values in itertools.zip_longest(columns, transposed):
        if values is None:
            chunks.append(pa.nulls(len(batch), pa.string()))
        else:
            chunks.append(pa.array(list(values), type=pa.string()))  # a tuple converts slowly
    return rows + len(batch)


# ---- header row ----------------------------------------------------------------------------


def known_headers(mapping: dict[str, str] | None = None) -> set[str]:
    """Normalised headers that count towards finding the header row."""
    known = set(fields.HEADER_VARIANTS) | set(fields.NAME_PART_VARIANTS)
    if mapping:
        known |= {fields.normalise_header(k) for k in mapping}
    return known


def find_header_row(cells: pd.DataFrame, known: set[str]) -> int | None:
    """The first of the sheet's first 20 rows with at least 3 cells naming a known header."""
    top = cells[cells.index <= HEADER_SCAN_ROWS]
    for number, row in top.iterrows():
        matches = sum(
            1 for value in row if isinstance(value, str) and fields.normalise_header(value) in known
        )
        if matches >= MIN_HEADER_MATCHES:
            return int(number)
    return None


def header_guess(cells: pd.DataFrame) -> list[str]:
    """Column names to show when no header row is found: the fullest of the first rows."""
    top = cells[cells.index <= HEADER_SCAN_ROWS]
    if top.empty:
        return []
    counts = top.notna().sum(axis=1)
    row = top.loc[counts.idxmax()]
    return [str(v).strip() for v in row if isinstance(v, str) and v.strip()]
