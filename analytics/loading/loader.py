"""Load applicant exports into one typed canonical frame (DOMAIN 2-3).

Nothing is dropped silently: unreadable cells go to `problems`, rows without an
applicant_id to `rejected`, rows sharing one to `duplicates`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics.errors import MAP_HINT, LoadError, NoHeaderError
from analytics.loading import fields, parsing, reading

PROBLEM_COLUMNS = ["file", "sheet", "row", "column", "value", "problem"]
REJECTED_META = ["file", "sheet", "row", "reason"]
DUPLICATE_COLUMNS = [
    "file",
    "sheet",
    "row",
    "applicant_id",
    "kept_file",
    "kept_sheet",
    "kept_row",
]
NO_ID_REASON = "no applicant_id"
# Why a sheet of a workbook read without a sheet choice was left out (DOMAIN 3.1).
SKIPPED_NO_HEADER = "no header row"
SKIPPED_NO_ID = "no applicant ID column"
SKIPPED_EMPTY = "empty"
SKIPPED_ONLY_ERRORS = "only Excel error values"
ERRORS_HINT = (
    "the formulas failed when the file was saved; fix them in Excel, or paste the values, "
    "and upload again"
)
MAX_NAMES_IN_MESSAGE = 12
PARSE_THREADS = 2  # columns parsed at once (Arrow compute runs outside the GIL)
_TEXT = parsing.TEXT_DTYPE


@dataclass(frozen=True)
class Source:
    """One uploaded file: its name (as the user knows it) and its bytes."""

    name: str
    data: bytes = field(repr=False)

    @classmethod
    def from_path(cls, path: str | Path) -> Source:
        path = Path(path)
        try:
            return cls(name=path.name, data=path.read_bytes())
        except OSError as exc:
            reason = exc.strerror or "cannot be opened"
            raise LoadError(
                f"{path.name}: {reason.lower()}: check the path", file=path.name
            ) from None


@dataclass
class SheetInfo:
    file: str
    sheet: str
    sheets: list[str]
    header_row: int
    columns: dict[str, str | None]
    date_orders: dict[str, str]


@dataclass
class SkippedSheet:
    """A sheet not read because no sheet was chosen and it holds no table to analyse.

    `reason` is one of the SKIPPED_* texts; `columns_found` the headers it seems to have
    (for a sheet without a header row, the fullest of its first rows)."""

    file: str
    sheet: str
    reason: str
    columns_found: list[str] = field(default_factory=list)


@dataclass
class LoadResult:
    frame: pd.DataFrame
    problems: pd.DataFrame
    rejected: pd.DataFrame
    duplicates: pd.DataFrame
    rows_read: int
    extra_columns: list[str]
    sources: list[SheetInfo]  # every sheet read, files and sheets in the order read
    skipped: list[SkippedSheet] = field(default_factory=list)


def list_sheets(source: Source) -> list[str]:
    """The workbook's sheet names (one pseudo-sheet for a CSV file)."""
    return reading.open_workbook(source.name, source.data).sheet_names


def load_exports(
    sources: Iterable[Source] | Source,
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
    date_order: dict[str, str] | None = None,
    on_source: Callable[[Source], None] | None = None,
    read_ahead: Callable[[str], None] | None = None,
) -> LoadResult:
    """Read every source (in the order given) into one LoadResult.

    `sheet` picks the sheet in each workbook (CSV files have one); without it every sheet
    with a header row is read, each as if it were a file of its own, and the others are
    listed in `skipped`. `mapping` maps source headers (raw or normalised) to canonical
    fields; `date_order` forces "dmy"/"mdy" per canonical date field; `on_source` is
    called with each source before it is read. `read_ahead`: `reading.open_workbook`'s,
    for a disposable process only (the worker child); it may raise
    `reading.ReadAheadRefused`.
    """
    if isinstance(sources, Source):
        sources = [sources]
    mapping = _check_mapping(mapping or {})
    date_order = _check_date_order(date_order or {})
    parts: list[_Part] = []
    skipped: list[SkippedSheet] = []
    for src in sources:
        if on_source is not None:
            on_source(src)
        read, left_out = _load_source(src, sheet, mapping, date_order, read_ahead)
        parts += read
        skipped += left_out
    result = _combine(parts, skipped)
    del parts
    pa.default_memory_pool().release_unused()  # hand Arrow's scratch memory back at once
    return result


# ---- one file -------------------------------------------------------------------------------


@dataclass
class _Part:
    info: SheetInfo
    frame: pd.DataFrame  # canonical + source + extras, every non-blank row with an id or not
    problems: pd.DataFrame
    rejected: pd.DataFrame
    extras: list[str]
    rows_read: int


def _check_mapping(mapping: dict[str, str]) -> dict[str, str]:
    unknown = sorted({v for v in mapping.values() if v not in fields.MAPPING_TARGETS})
    if unknown:
        raise LoadError(
            "the mapping names unknown field(s) "
            + ", ".join(unknown)
            + ": use one of "
            + ", ".join(fields.CANONICAL_FIELDS)
        )
    return dict(mapping)


def _check_date_order(date_order: dict[str, str]) -> dict[str, str]:
    for name, order in date_order.items():
        if name not in fields.DATE_FIELDS or order not in parsing.DATE_ORDERS:
            raise LoadError(
                f"date order {name}={order} is not understood: use one of "
                f"{', '.join(fields.DATE_FIELDS)} with dmy or mdy"
            )
    return dict(date_order)


def _load_source(
    src: Source,
    sheet: str | None,
    mapping: dict[str, str],
    date_order: dict[str, str],
    read_ahead: Callable[[str], None] | None = None,
) -> tuple[list[_Part], list[SkippedSheet]]:
    """The sheets of one file that are read, and those left out (DOMAIN 3.1)."""
    # Reading ahead takes the sheets in order: not for one named sheet.
    book = reading.open_workbook(src.name, src.data, read_ahead if sheet is None else None)
    known = reading.known_headers(mapping)
    if sheet is not None and book.kind != "csv":
        return [_load_named_sheet(src, book, sheet, known, mapping, date_order)], []

    parts: list[_Part] = []
    skipped: list[SkippedSheet] = []
    first_with_data = None
    no_id: NoHeaderError | None = None
    error_cells = 0
    for raw in book.sheets():
        error_cells += raw.error_cells
        if raw.cells.empty:
            reason = SKIPPED_ONLY_ERRORS if raw.error_cells else SKIPPED_EMPTY
            skipped.append(SkippedSheet(src.name, raw.name, reason))
            continue
        first_with_data = first_with_data or raw
        header = reading.find_header_row(raw.cells, known)
        if header is None:
            found = reading.header_guess(raw.cells)
            skipped.append(SkippedSheet(src.name, raw.name, SKIPPED_NO_HEADER, found))
            continue
        try:
            parts.append(_build_part(src.name, book.sheet_names, raw, header, mapping, date_order))
        except NoHeaderError as err:  # a header row, but nothing says who each row is
            no_id = no_id or err
            skipped.append(SkippedSheet(src.name, raw.name, SKIPPED_NO_ID, err.columns_found))
    if parts:
        return parts, skipped
    if no_id is not None:  # the sheet that looks like the data: let the user map it
        raise no_id
    if first_with_data is None and error_cells:
        raise LoadError(
            f"{src.name}: the sheets hold only Excel error values ({error_cells} cells such "
            f"as #N/A or #REF!), no data: {ERRORS_HINT}",
            file=src.name,
        )
    if first_with_data is None:
        where = "the file is" if book.kind == "csv" else "every sheet is"
        raise LoadError(
            f"{src.name}: {where} empty: export the data again and upload it",
            file=src.name,
        )
    raise _no_header(src.name, first_with_data)


def _load_named_sheet(
    src: Source,
    book: reading.Workbook,
    sheet: str,
    known: set[str],
    mapping: dict[str, str],
    date_order: dict[str, str],
) -> _Part:
    """The one sheet the user chose: anything that keeps it from being read is an error."""
    if sheet not in book.sheet_names:
        raise LoadError(
            f"{src.name}: there is no sheet named '{sheet}'; the sheets are: "
            + ", ".join(f"'{s}'" for s in book.sheet_names)
            + ": choose one of them",
            file=src.name,
        )
    raw = book.read(sheet)
    if raw.cells.empty and raw.error_cells:
        raise LoadError(
            f"{src.name}: {_sheet_words(sheet)} holds only Excel error values "
            f"({raw.error_cells} cells such as #N/A or #REF!), no data: {ERRORS_HINT}",
            file=src.name,
        )
    if raw.cells.empty:
        raise LoadError(
            f"{src.name}: {_sheet_words(sheet)} is empty: choose the sheet that holds the data",
            file=src.name,
        )
    header = reading.find_header_row(raw.cells, known)
    if header is None:
        raise _no_header(src.name, raw)
    return _build_part(src.name, book.sheet_names, raw, header, mapping, date_order)


def _sheet_words(name: str) -> str:
    """A sheet as a message names it: "sheet 'Applicants'"; a CSV file has no sheets (its
    one sheet is reading.CSV_SHEET, "(csv)", which read as jargon): "the file"."""
    return "the file" if name == reading.CSV_SHEET else f"sheet '{name}'"


def _no_header(file: str, raw: reading.RawSheet) -> NoHeaderError:
    found = reading.header_guess(raw.cells)
    return NoHeaderError(
        f"{file}: no header row with known column names in the first "
        f"{reading.HEADER_SCAN_ROWS} rows of {_sheet_words(raw.name)} (columns found: "
        f"{_name_list(found)}): {MAP_HINT}",
        file=file,
        columns_found=found,
    )


def _name_list(names: list[str]) -> str:
    if not names:
        return "none"
    shown = ", ".join(names[:MAX_NAMES_IN_MESSAGE])
    more = len(names) - MAX_NAMES_IN_MESSAGE
    return shown + (f" and {more} more" if more > 0 else "")


def _unique(name: str, taken: set[str]) -> str:
    candidate, k = name, 2
    while candidate in taken:
        candidate, k = f"{name} ({k})", k + 1
    taken.add(candidate)
    return candidate


def _build_part(
    file: str,
    sheet_names: list[str],
    raw: reading.RawSheet,
    header: int,
    mapping: dict[str, str],
    date_order: dict[str, str],
) -> _Part:
    cells = raw.cells
    header_cells = cells.loc[header]
    # The index is the sheet's row number, ascending: the body is a slice (no copy).
    body = cells.iloc[cells.index.searchsorted(header, side="right") :]
    by_norm = {fields.normalise_header(k): v for k, v in mapping.items()}

    taken = set(fields.CANONICAL_FIELDS) | set(fields.SOURCE_COLUMNS)
    display: dict[int, str] = {}  # position -> unique column name as shown to the user
    assigned: dict[str, int] = {}  # field or name part -> position
    extras: dict[str, int] = {}  # extra column name -> position
    columns: dict[str, str | None] = {}
    header_problems = []
    for position, text in header_cells.items():
        label = text.strip() if isinstance(text, str) else ""
        if not label:
            if body[position].isna().all():
                continue
            label = f"Unnamed column {position + 1}"
        norm = fields.normalise_header(label)
        target = (
            mapping.get(label)
            or by_norm.get(norm)
            or fields.HEADER_VARIANTS.get(norm)
            or fields.NAME_PART_VARIANTS.get(norm)
        )
        if target == fields.IGNORE:  # chosen by hand: an extra column even if recognised
            target = None
        elif target is not None and target not in assigned:
            assigned[target] = position
            name = _unique(label, set(display.values()))
            display[position] = name
            columns[name] = target if target in fields.FIELD_KINDS else "full_name"
            continue
        name = _unique(label, taken | set(display.values()))
        taken.add(name)
        display[position] = name
        extras[name] = position
        columns[name] = None
        if target is not None:
            header_problems.append(
                (
                    label,
                    f"duplicate column for {target}: the first one is used, "
                    f"this one is kept as '{name}'",
                )
            )
    if "applicant_id" not in assigned:
        found = [n for n in display.values()]
        raise NoHeaderError(
            f"{file}: {_sheet_words(raw.name)} has no applicant ID column (columns found: "
            f"{_name_list(found)}): {MAP_HINT}",
            file=file,
            columns_found=found,
        )
    if "full_name" in assigned:  # first/last name columns are then ordinary extras
        for part in fields.NAME_PART_VARIANTS.values():
            if part in assigned:
                position = assigned.pop(part)
                columns[display[position]] = None
                extras[display[position]] = position

    index = body.index
    out: dict[str, pd.Series] = {}
    problems = []
    date_orders: dict[str, str] = {}

    def parse(name: str, kind: str):
        column = body[assigned[name]]
        if kind in ("id", "text"):
            return parsing.clean_text(column)
        if kind == "date":
            return parsing.parse_date(column, date_order.get(name))
        return _PARSERS[kind](column)

    # Arrow kernels release the GIL, so columns parse side by side.
    jobs = [(n, k) for n, k in fields.FIELD_KINDS.items() if n in assigned]
    with ThreadPoolExecutor(max_workers=PARSE_THREADS) as pool:
        parsed_columns = list(pool.map(lambda job: parse(*job), jobs))
    results = {name: parsed for (name, _), parsed in zip(jobs, parsed_columns, strict=True)}
    for name, kind in fields.FIELD_KINDS.items():
        if name not in results:
            out[name] = _empty(kind, index)
            continue
        parsed = results[name]
        if isinstance(parsed, pd.Series):
            out[name] = parsed
            continue
        if kind == "date" and parsed.order is not None:
            date_orders[name] = parsed.order
        out[name] = parsed.values
        position = assigned[name]
        problems.append(_problem_cells(display[position], body[position], parsed.problems))
    if "full_name" not in assigned and ("first_name" in assigned or "last_name" in assigned):
        first = _part_text(body, assigned.get("first_name"))
        last = _part_text(body, assigned.get("last_name"))
        text_type = first.type if "first_name" in assigned else last.type
        joined = pc.binary_join_element_wise(
            first.cast(text_type),
            last.cast(text_type),
            pa.scalar(" ", text_type),
            null_handling="replace",
            null_replacement="",
        )
        out["full_name"] = parsing.clean_text(pd.Series(pd.arrays.ArrowStringArray(joined)))
        out["full_name"].index = index

    frame = pd.DataFrame(out, index=index)
    frame["source_file"] = pd.Series(file, index=index, dtype=_TEXT)
    frame["source_sheet"] = pd.Series(raw.name, index=index, dtype=_TEXT)
    frame["source_row"] = index.to_numpy(dtype="int64")
    for name, position in extras.items():
        frame[name] = parsing.clean_text(body[position])

    header_cells = [
        _ProblemCells(np.array([header], "int64"), label, _texts([label]), _texts([problem]))
        for label, problem in header_problems
    ]
    problems_frame = _problem_list(file, raw.name, [*header_cells, *problems])

    no_id = frame["applicant_id"].isna().to_numpy()
    rejected_cells = body[no_id].rename(columns=display)[list(display.values())]
    rejected = pd.concat(
        [
            pd.DataFrame(
                {
                    "file": file,
                    "sheet": raw.name,
                    "row": rejected_cells.index.to_numpy(dtype="int64"),
                    "reason": NO_ID_REASON,
                },
                index=rejected_cells.index,
            ),
            rejected_cells.astype(_TEXT),
        ],
        axis=1,
    )
    info = SheetInfo(
        file=file,
        sheet=raw.name,
        sheets=list(sheet_names),
        header_row=int(header),
        columns=columns,
        date_orders=date_orders,
    )
    return _Part(info, frame, problems_frame, rejected, list(extras), len(body))


def _part_text(body: pd.DataFrame, position: int | None) -> pa.ChunkedArray:
    """A name part as trimmed Arrow text (null where blank or absent)."""
    if position is None:
        return pa.chunked_array([pa.nulls(len(body), pa.string())])
    return parsing.clean_arrow(body[position])


def _empty(kind: str, index: pd.Index) -> pd.Series:
    if kind == "date":
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    if kind == "number":
        return pd.Series(np.nan, index=index, dtype="float64")
    if kind == "boolean":
        return pd.Series(pd.NA, index=index, dtype="boolean")
    return pd.Series(pd.NA, index=index, dtype=_TEXT)


_PARSERS = {
    "boolean": parsing.parse_boolean,
    "number": parsing.parse_number,
    "degree": parsing.parse_degree,
    "specialty": parsing.parse_specialty,
}


class _ProblemCells(NamedTuple):
    """One column's unreadable cells: their sheet rows, the column's name as shown, the
    cells' trimmed text and what is wrong with each (Arrow text)."""

    rows: np.ndarray
    column: str
    values: pa.ChunkedArray
    problems: pa.ChunkedArray


def _problem_cells(column: str, cells: pd.Series, problems: pd.Series) -> _ProblemCells:
    """`problems` holds only the rows with a problem (see analytics.parsing), labelled by
    sheet row as `cells` is."""
    positions = cells.index.get_indexer(problems.index)
    if (positions < 0).any():  # a parser's contract broken: say so, never a wrong cell
        raise KeyError(f"problem rows outside the sheet's rows in column {column!r}")
    return _ProblemCells(
        problems.index.to_numpy(dtype="int64"),
        column,
        _large_text(parsing.clean_arrow(cells.iloc[positions])),
        _texts(problems),
    )


def _texts(values) -> pa.ChunkedArray:
    """Text (a list, or a "string" Series) as Arrow large text, the type of every chunk."""
    array = values.array if isinstance(values, pd.Series) else None
    if isinstance(array, pd.arrays.ArrowStringArray):
        arrow = array.__arrow_array__()
    else:
        arrow = pa.chunked_array([pa.array(list(values), pa.large_string())])
    return _large_text(arrow)


def _large_text(arrow: pa.ChunkedArray) -> pa.ChunkedArray:
    return arrow if arrow.type == pa.large_string() else arrow.cast(pa.large_string())


def _problem_list(file: str, sheet: str, pieces: list[_ProblemCells]) -> pd.DataFrame:
    """One sheet's problem list in row order (a row's problems in the order given), typed
    as `_typed_problems` types it, built from Arrow text and codes: a frame per column of
    problems, concatenated, sorted and typed, took 0.03 s at 100,000 rows."""
    pieces = [piece for piece in pieces if len(piece.rows)]
    if not pieces:
        return _empty_problems()
    rows = np.concatenate([piece.rows for piece in pieces])
    order = np.argsort(rows, kind="stable")
    names = sorted({piece.column for piece in pieces})
    lengths = [len(piece.rows) for piece in pieces]
    column_codes = np.repeat([names.index(piece.column) for piece in pieces], lengths)

    def joined(part: str) -> pd.Series:
        chunks = [chunk for piece in pieces for chunk in getattr(piece, part).chunks]
        text = pa.chunked_array(chunks, pa.large_string()).take(order)
        return pd.Series(pd.arrays.ArrowStringArray(text), copy=False)

    zeros = np.zeros(len(rows), dtype="int8")
    return pd.DataFrame(
        {
            "file": pd.Categorical.from_codes(zeros, dtype=_text_categories([file])),
            "sheet": pd.Categorical.from_codes(zeros, dtype=_text_categories([sheet])),
            "row": rows[order],
            "column": pd.Categorical.from_codes(column_codes[order], dtype=_text_categories(names)),
            "value": joined("values"),
            "problem": joined("problems").astype("category"),
        }
    )


def _text_categories(names: list[str]) -> pd.CategoricalDtype:
    return pd.CategoricalDtype(pd.array(names, dtype=_TEXT))


def _empty_problems() -> pd.DataFrame:
    """A problem table with no rows: one shared frame, handed out as a shallow copy (pandas
    copies on write, so a caller's change stays in its copy). Building it anew took a few
    milliseconds each time, several times per sheet."""
    return _EMPTY_PROBLEMS.copy(deep=False)


def _typed_problems(frame: pd.DataFrame) -> pd.DataFrame:
    """`row` int64, `value` text, and the columns that repeat a handful of values (file,
    sheet, column, problem) categoricals of text: a byte a row rather than the text again
    (6.5 -> 1.8 MB for the 60,000 problems of the 100,000-row benchmark export)."""
    typed = {}
    for name in PROBLEM_COLUMNS:
        column = frame[name]
        if name == "row":
            column = column.astype("int64")
        elif name not in _REPEATED_PROBLEM_COLUMNS:
            column = column.astype(_TEXT)
        elif not (
            isinstance(column.dtype, pd.CategoricalDtype) and column.cat.categories.dtype == _TEXT
        ):
            column = column.astype(_TEXT).astype("category")
        typed[name] = column
    return pd.DataFrame(typed, index=frame.index)


_REPEATED_PROBLEM_COLUMNS = ["file", "sheet", "column", "problem"]
_EMPTY_PROBLEMS = _typed_problems(pd.DataFrame({c: [] for c in PROBLEM_COLUMNS}))


# ---- several files ------------------------------------------------------------------------


def _combine(parts: list[_Part], skipped: list[SkippedSheet]) -> LoadResult:
    extras: list[str] = []
    for part in parts:
        extras += [e for e in part.extras if e not in extras]
    canonical = fields.CANONICAL_FIELDS + fields.SOURCE_COLUMNS
    if len(parts) == 1:
        frame = parts[0].frame  # the part's own frame: relabel it in place, no copy
        frame.index = pd.RangeIndex(len(frame))
    elif parts:
        frame = pd.concat([p.frame for p in parts], ignore_index=True)
    else:
        frame = pd.DataFrame(
            {n: _empty(fields.FIELD_KINDS[n], pd.RangeIndex(0)) for n in fields.CANONICAL_FIELDS}
        )
        frame["source_file"] = pd.Series(dtype=_TEXT)
        frame["source_sheet"] = pd.Series(dtype=_TEXT)
        frame["source_row"] = pd.Series(dtype="int64")
    for name in extras:
        if name not in frame:
            frame[name] = pd.Series(pd.NA, index=frame.index, dtype=_TEXT)
        elif frame[name].dtype != _TEXT:
            frame[name] = frame[name].astype(_TEXT)
    if list(frame.columns) != canonical + extras:
        frame = frame[canonical + extras]
    for name, kind in fields.FIELD_KINDS.items():  # concat of all-NA parts can loosen dtypes
        dtype = _empty(kind, pd.RangeIndex(0)).dtype
        if frame[name].dtype != dtype:
            frame[name] = frame[name].astype(dtype)
    if frame["source_row"].dtype != "int64":
        frame["source_row"] = frame["source_row"].astype("int64")

    has_id = frame["applicant_id"].notna().to_numpy()
    candidates = np.flatnonzero(has_id)
    kept_mask, duplicates = _resolve_duplicates(frame[_DUPLICATE_INPUTS].take(candidates))
    keep, reordered = _kinds_in_blocks(frame, candidates[kept_mask])
    if len(keep) == len(frame) and not reordered:  # nothing rejected, merged or moved
        kept = frame
    else:
        kept = frame.take(keep)
        kept.index = pd.RangeIndex(len(kept))

    rejected = [p.rejected for p in parts if len(p.rejected)]
    if rejected:
        rejected_frame = pd.concat(rejected, ignore_index=True)
        rejected_frame["row"] = rejected_frame["row"].astype("int64")
        for column in rejected_frame.columns:
            if column != "row":
                rejected_frame[column] = rejected_frame[column].astype(_TEXT)
    else:
        rejected_frame = pd.DataFrame(
            {c: pd.Series(dtype="int64" if c == "row" else _TEXT) for c in REJECTED_META}
        )
    problems = [p.problems for p in parts if len(p.problems)]
    if len(problems) == 1:  # typed already (`_problem_list`)
        problems_frame = problems[0]
    elif problems:
        problems_frame = _typed_problems(pd.concat(problems, ignore_index=True))
    else:
        problems_frame = _empty_problems()
    return LoadResult(
        frame=kept,
        problems=problems_frame,
        rejected=rejected_frame,
        duplicates=duplicates,
        rows_read=sum(p.rows_read for p in parts),
        extra_columns=extras,
        sources=[p.info for p in parts],
        skipped=skipped,
    )


def _kinds_in_blocks(frame: pd.DataFrame, keep: np.ndarray) -> tuple[np.ndarray, bool]:
    """The kept rows' positions with the applicants first and the certified practitioners
    (a certification date given) after them, each kind in the order read; and whether
    that moved any row.

    The evaluation splits a frame whose two kinds lie in one block each into two slices
    that share the frame's memory; interleaved, each side would copy its rows (about the
    frame's size again: 29 MB of a 100,000-row sheet). An export whose kinds already lie
    in blocks (an applicant export and a register, either first) is kept as it is; a
    mixed one is ordered here, in the copy the loader makes when it drops a rejected or
    duplicate row (or in a copy of its own when nothing is dropped)."""
    is_certified = fields.certified_rows(frame)[keep]
    if np.count_nonzero(is_certified[1:] != is_certified[:-1]) <= 1:
        return keep, False
    return np.concatenate([keep[~is_certified], keep[is_certified]]), True


_DUPLICATE_INPUTS = [
    "applicant_id",
    "application_date",
    "source_file",
    "source_sheet",
    "source_row",
]


def applicant_key(ids: pd.Series) -> pd.Series:
    """What makes two rows one person (DOMAIN 3.9): the applicant_id trimmed and
    lower-cased. Duplicates within a load and the people of two loads match on it."""
    return ids.str.strip().str.lower()


def _resolve_duplicates(frame: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """DOMAIN 3.9: one row per trimmed, case-insensitive applicant_id; the latest
    application_date wins, missing dates count as earliest, a tie goes to the last row."""
    codes, _ = pd.factorize(applicant_key(frame["applicant_id"]))
    # Only the rows whose key recurs are ranked (a few thousand of 300,000): sorting them
    # all took 0.04 s.
    contested = np.flatnonzero(np.bincount(codes)[codes] > 1) if len(codes) else codes
    dates = frame["application_date"].to_numpy(dtype="datetime64[ns]").view("int64")[contested]
    # NaT is the smallest int64, so a missing date sorts as the earliest.
    ranked = contested[np.lexsort((contested, dates, codes[contested]))]  # last of a key wins
    ranked_codes = codes[ranked]
    is_last = np.ones(len(ranked), dtype=bool)
    is_last[:-1] = ranked_codes[:-1] != ranked_codes[1:]
    winner_of_code = np.empty(codes.max() + 1 if len(codes) else 0, dtype="int64")
    winner_of_code[ranked_codes[is_last]] = ranked[is_last]
    kept_mask = np.ones(len(frame), dtype=bool)
    kept_mask[contested] = False
    kept_mask[ranked[is_last]] = True
    dup_pos = np.flatnonzero(~kept_mask)
    kept_pos = winner_of_code[codes[dup_pos]]
    src = frame[["source_file", "source_sheet", "source_row", "applicant_id"]]
    dup_rows = src.iloc[dup_pos]
    kept_rows = src.iloc[kept_pos]
    duplicates = pd.DataFrame(
        {
            "file": dup_rows["source_file"].to_numpy(),
            "sheet": dup_rows["source_sheet"].to_numpy(),
            "row": dup_rows["source_row"].to_numpy(dtype="int64"),
            "applicant_id": dup_rows["applicant_id"].to_numpy(),
            "kept_file": kept_rows["source_file"].to_numpy(),
            "kept_sheet": kept_rows["source_sheet"].to_numpy(),
            "kept_row": kept_rows["source_row"].to_numpy(dtype="int64"),
        }
    )
    for column in DUPLICATE_COLUMNS:
        if column not in ("row", "kept_row"):
            duplicates[column] = duplicates[column].astype(_TEXT)
    return kept_mask, duplicates
