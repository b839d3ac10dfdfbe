"""Vectorised cell parsers (DOMAIN 3.3-3.7).

Every parser takes a column of cell text (a pandas string Series, NA for an empty cell)
and returns the typed values plus `problems`: a Series holding the problem text for the
rows whose non-blank cell could not be read (their value is then missing), indexed like
the input and holding only those rows.

Readers render every cell as text first (Excel dates as ``YYYY-MM-DD HH:MM:SS``, booleans
as ``true``/``false``, numbers without a trailing ``.0``), so one set of parsers serves
xlsx, xls and CSV alike. The work runs in Arrow compute kernels (RE2 regexes) on whole
columns: no Python code runs per cell.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics.loading import fields

NOT_BOOLEAN = "not a yes/no value"
NOT_NUMBER = "not a number"
NEGATIVE_NUMBER = "negative number"
NOT_DATE = "not a date"
UNRECOGNISED_DEGREE = "unrecognised degree"

DATE_ORDERS = ("dmy", "mdy")
SERIAL_MIN, SERIAL_MAX = 20_000, 80_000  # Excel serial day numbers read as dates
EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
EARLIEST_DATE = np.datetime64("1900-01-01", "ns")  # earlier is a time-only cell or a typo

_UNITS = r"(?:hours?|hrs?|h|years?|yrs?|y)"
# Matched against lower-cased text.
_NUMBER = (
    r"^(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:e[+-]?\d+)?|[+-]?\.\d+(?:e[+-]?\d+)?)"
    rf"\s*(?:{_UNITS}\.?)?$"
)
_ISO = (
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_SLASH = r"^(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<y>\d{4})$"
_DAY_MONTH_YEAR = r"^(?P<d>\d{1,2})(?:st|nd|rd|th)?[ -](?P<m>[a-z]{3,9})\.?,?[ -](?P<y>\d{4})$"
_MONTH_DAY_YEAR = r"^(?P<m>[a-z]{3,9})\.? (?P<d>\d{1,2})(?:st|nd|rd|th)?,? (?P<y>\d{4})$"
_SERIAL = r"^\d{5}(?:\.\d+)?$"
_MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
MONTH_WORDS: dict[str, int] = {
    **{m: i + 1 for i, m in enumerate(_MONTHS)},
    **{m[:3]: i + 1 for i, m in enumerate(_MONTHS)},
    "sept": 9,
}
_MONTH_KEYS = pa.array(list(MONTH_WORDS))
_MONTH_VALUES = pa.array(list(MONTH_WORDS.values()), type=pa.int64())
_TRUE = pa.array(sorted(fields.TRUE_WORDS))
_FALSE = pa.array(sorted(fields.FALSE_WORDS))
_DEGREE_KEYS = pa.array(list(fields.DEGREE_LOOKUP))
_DEGREE_VALUES = pa.array(list(fields.DEGREE_LOOKUP.values()))
_DEGREE_RANKS = pa.array(
    [fields.DEGREE_PRECEDENCE.index(c) for c in fields.DEGREE_LOOKUP.values()], type=pa.int64()
)
_NO_RANK = len(fields.DEGREE_PRECEDENCE)
_DEGREE_BY_RANK = pa.array([*fields.DEGREE_PRECEDENCE, None], type=pa.string())
_SPECIALTY_KEYS = pa.array(list(fields.SPECIALTY_LOOKUP))
_SPECIALTY_VALUES = pa.array(list(fields.SPECIALTY_LOOKUP.values()))

TEXT_DTYPE = pd.StringDtype("pyarrow")  # the frame's text dtype: "string", Arrow-backed


class Parsed(NamedTuple):
    values: pd.Series
    problems: pd.Series  # problem text, only for the rows with a problem


class ParsedDates(NamedTuple):
    values: pd.Series
    problems: pd.Series
    order: str | None  # "dmy"/"mdy" when the column had DD/MM vs MM/DD text, else None


# ---- Arrow helpers --------------------------------------------------------------------------


def _to_arrow(cells: pd.Series) -> pa.ChunkedArray:
    array = cells.array
    if isinstance(array, pd.arrays.ArrowStringArray):
        converted = pa.array(array)  # zero-copy through __arrow_array__
    else:
        converted = pa.array(cells.astype(object), type=pa.string(), from_pandas=True)
    if isinstance(converted, pa.ChunkedArray):
        return converted
    return pa.chunked_array([converted])


def _clean(cells: pd.Series) -> pa.ChunkedArray:
    """Trimmed text; empty and whitespace-only cells become null."""
    return _trimmed(_to_arrow(cells))


def _trimmed(raw):
    text = pc.utf8_trim_whitespace(raw)
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def _mask(condition) -> np.ndarray:
    """Arrow boolean (nulls as False) -> numpy bool."""
    return pc.fill_null(condition, False).to_numpy(zero_copy_only=False).astype(bool, copy=False)


def _field(struct, name: str):
    """A named group of extract_regex; null where the pattern did not match."""
    values = pc.struct_field(struct, name)
    return pc.if_else(pc.is_valid(struct), values, pa.scalar(None, values.type))


def _text_series(array, index: pd.Index) -> pd.Series:
    """Arrow text -> a "string" Series holding the same Arrow buffers (no copy)."""
    return pd.Series(pd.arrays.ArrowStringArray(array), index=index, copy=False)


def _problems(bad: np.ndarray, index: pd.Index, message) -> pd.Series:
    """Problem text for the rows where `bad`; `message` is a str, or one text per bad row
    (in row order)."""
    if isinstance(message, str):
        return pd.Series(message, index=index[bad], dtype=TEXT_DTYPE)
    return pd.Series(np.asarray(message, dtype=object), index=index[bad], dtype=TEXT_DTYPE)


def _lookup(text, keys: pa.Array, values: pa.Array):
    return pc.take(values, pc.index_in(text, value_set=keys))


# ---- parsers --------------------------------------------------------------------------------


def clean_arrow(cells: pd.Series) -> pa.ChunkedArray:
    """Trimmed text as Arrow; empty and whitespace-only cells become null."""
    return _clean(cells)


def clean_text(cells: pd.Series) -> pd.Series:
    """Trimmed text; empty and whitespace-only cells become NA. Never guesses NA words."""
    return _text_series(_clean(cells), cells.index)


def parse_boolean(cells: pd.Series) -> Parsed:
    """true/yes/y/1/t and false/no/n/0/f in any case (Excel TRUE/FALSE and 1/0 cells too)."""
    text = pc.utf8_lower(_clean(cells))
    is_true = _mask(pc.is_in(text, value_set=_TRUE))
    is_false = _mask(pc.is_in(text, value_set=_FALSE))
    missing = ~(is_true | is_false)
    values = pd.Series(pd.arrays.BooleanArray(is_true, missing), index=cells.index)
    bad = missing & _mask(pc.is_valid(text))
    return Parsed(values, _problems(bad, cells.index, NOT_BOOLEAN))


def _repeated(text):
    """(the distinct texts, each row's position among them) when the column repeats its
    texts (fewer distinct than half its rows: a column of dates, hours, years or
    degrees), so that work per text is done once each; None otherwise."""
    distinct = pc.unique(text)
    if 2 * len(distinct) >= len(text):
        return None
    return distinct, pc.index_in(text, value_set=distinct)


def _by_distinct(text, compute, missing) -> np.ndarray:
    """`compute(texts)` (one numpy value per text) for every row of `text`, run once per
    distinct text when the column repeats them (`_repeated`), each row then taking its
    text's value; `missing` fills the rows whose text is null."""
    repeated = _repeated(text)
    if repeated is None:
        return compute(text)
    distinct, where = repeated
    found = np.append(compute(distinct), missing)
    where = pc.fill_null(where, len(distinct))
    return found[np.asarray(where.to_numpy(zero_copy_only=False), dtype="int64")]


def _numbers_of_text(text) -> np.ndarray:
    digits = _field(pc.extract_regex(text, _NUMBER), "num")
    digits = pc.replace_substring(digits, ",", "")
    return np.asarray(pc.cast(digits, pa.float64()).to_numpy(zero_copy_only=False), "float64")


def parse_number(cells: pd.Series) -> Parsed:
    """Numbers with optional thousands commas and a unit (12, 1,200, 12 hrs, 3 yrs); >= 0."""
    text = pc.utf8_lower(_clean(cells))
    numbers = np.array(_by_distinct(text, _numbers_of_text, np.nan), dtype="float64")  # a copy
    negative = numbers < 0
    unreadable = np.isnan(numbers) & _mask(pc.is_valid(text))
    bad = negative | unreadable
    # Words for the bad rows only: a text per row of the column took 0.01 s at 100,000.
    message = np.where(negative[bad], NEGATIVE_NUMBER, NOT_NUMBER).astype(object)
    numbers[negative] = np.nan
    values = pd.Series(numbers, index=cells.index, dtype="float64")
    return Parsed(values, _problems(bad, cells.index, message))


def detect_date_order(first: np.ndarray, second: np.ndarray) -> str:
    """DOMAIN 3.7: a first part over 12 means day-first; else a second part over 12 means
    month-first; else day-first."""
    if (first > 12).any():
        return "dmy"
    if (second > 12).any():
        return "mdy"
    return "dmy"


def _date_from_parts(year, month, day) -> np.ndarray:
    """Arrow int parts -> datetime64[ns] (NaT where absent or not a real calendar date)."""
    iso = pc.binary_join_element_wise(
        pc.cast(year, pa.string()),
        pc.utf8_lpad(pc.cast(month, pa.string()), 2, "0"),
        pc.utf8_lpad(pc.cast(day, pa.string()), 2, "0"),
        "-",
    )
    stamps = pc.strptime(iso, format="%Y-%m-%d", unit="s", error_is_null=True)
    # Arrow rolls 30 Feb over to 2 Mar: keep only dates whose day and month survive.
    real = pc.and_(pc.equal(pc.day(stamps), day), pc.equal(pc.month(stamps), month))
    stamps = pc.if_else(real, stamps, pa.scalar(None, stamps.type))
    return np.asarray(
        pc.cast(stamps, pa.timestamp("ns")).to_numpy(zero_copy_only=False), dtype="datetime64[ns]"
    )


def _int(array):
    return pc.cast(array, pa.int64())


def parse_date(cells: pd.Series, order: str | None = None) -> ParsedDates:
    """Excel date cells, ISO text, DD/MM/YYYY or MM/DD/YYYY (order per column, `order`
    overrides), '12 Mar 2025' / 'Mar 12, 2025', Excel serials 20000-80000. Midnight."""
    if order is not None and order not in DATE_ORDERS:
        raise ValueError(f"date order must be one of {DATE_ORDERS}, not {order!r}")
    text = pc.utf8_lower(_clean(cells))
    index = cells.index
    orders = []

    def dates(texts):
        found, used = _dates_of_text(texts, order)
        orders.append(used)
        return found

    # A date column repeats its dates (300,000 rows over a few years).
    values = _by_distinct(text, dates, np.datetime64("NaT", "ns"))
    used_order = orders[0]
    values = values.astype("datetime64[D]").astype("datetime64[ns]")  # midnight
    values[values < EARLIEST_DATE] = np.datetime64("NaT")
    bad = np.isnat(values) & _mask(pc.is_valid(text))
    series = pd.Series(values, index=index, dtype="datetime64[ns]")
    return ParsedDates(series, _problems(bad, index, NOT_DATE), used_order)


def _dates_of_text(text, order: str | None) -> tuple[np.ndarray, str | None]:
    """Lower-cased cell texts (nulls for blanks) -> datetime64[ns] (NaT where no date is
    read) and the slash order used, if any slash date was met."""
    values = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[ns]")

    def fill(found: np.ndarray) -> None:
        hit = ~np.isnat(found)
        values[hit] = found[hit]

    iso = pc.extract_regex(text, _ISO)
    if pc.any(pc.is_valid(iso)).as_py():
        fill(
            _date_from_parts(_int(_field(iso, "y")), _int(_field(iso, "m")), _int(_field(iso, "d")))
        )
    used_order = None
    # Everything else is rare in a date column of cells; skip the patterns when none is left.
    rest = pc.and_(pc.is_valid(text), pc.invert(pc.is_valid(iso)))
    if pc.any(rest).as_py():
        slash = pc.extract_regex(text, _SLASH)
        if pc.any(pc.is_valid(slash)).as_py():
            first, second = _int(_field(slash, "a")), _int(_field(slash, "b"))
            valid = _mask(pc.is_valid(first))
            used_order = order or detect_date_order(
                np.asarray(first.to_numpy(zero_copy_only=False))[valid],
                np.asarray(second.to_numpy(zero_copy_only=False))[valid],
            )
            day, month = (first, second) if used_order == "dmy" else (second, first)
            fill(_date_from_parts(_int(_field(slash, "y")), month, day))
        for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
            words = pc.extract_regex(text, pattern)
            if pc.any(pc.is_valid(words)).as_py():
                month = _lookup(_field(words, "m"), _MONTH_KEYS, _MONTH_VALUES)
                fill(_date_from_parts(_int(_field(words, "y")), month, _int(_field(words, "d"))))
        is_serial = pc.match_substring_regex(text, _SERIAL)
        if pc.any(is_serial).as_py():
            serial = pc.cast(
                pc.if_else(is_serial, text, pa.scalar(None, pa.string())), pa.float64()
            )
            serial = np.asarray(serial.to_numpy(zero_copy_only=False), dtype="float64")
            in_range = (serial >= SERIAL_MIN) & (serial <= SERIAL_MAX)
            days = np.floor(np.where(in_range, serial, 0)).astype("int64")
            found = (EXCEL_EPOCH + days).astype("datetime64[ns]")
            found[~in_range] = np.datetime64("NaT")
            fill(found)
    return values, used_order


def _normalise_category(cells: pd.Series):
    """Lower-case, dots removed, whitespace runs collapsed, trimmed (DOMAIN 3.3); done once
    per distinct cell text when the column repeats them (a column of degrees does)."""
    raw = _to_arrow(cells)
    repeated = _repeated(raw)
    if repeated is None:
        return _normalised(raw)
    distinct, where = repeated
    return pc.take(_normalised(distinct), where)


def _normalised(raw):
    text = pc.replace_substring(pc.utf8_lower(_trimmed(raw)), ".", "")
    return pc.utf8_trim_whitespace(pc.replace_substring_regex(text, r"\s+", " "))


def parse_degree(cells: pd.Series) -> Parsed:
    """Degree text -> category key; unknown text is a problem and the value missing.

    A cell that is no known degree as a whole is split into the credentials it names
    (DOMAIN 3.3): "MD, PhD" is medicine, "MBA; RN" nursing; "n/a" stays one word. The work
    is done once per distinct cell text.
    """
    text = _normalise_category(cells)
    distinct = pc.unique(text)
    category = pc.coalesce(
        _lookup(distinct, _DEGREE_KEYS, _DEGREE_VALUES), _degree_of_parts(distinct)
    )
    category = pc.take(category, pc.index_in(text, value_set=distinct))
    bad = _mask(pc.and_(pc.is_valid(text), pc.not_equal(text, ""))) & ~_mask(pc.is_valid(category))
    return Parsed(
        _text_series(category, cells.index), _problems(bad, cells.index, UNRECOGNISED_DEGREE)
    )


def _degree_of_parts(texts: pa.Array) -> pa.Array:
    """Each text split at the credential separators, every part looked up; the category is
    the first of DEGREE_PRECEDENCE any part names, null when no part names one."""
    parts = pc.split_pattern_regex(texts, fields.DEGREE_SEPARATORS)
    owner = pc.list_parent_indices(parts).to_numpy(zero_copy_only=False)
    ranks = _lookup(pc.utf8_trim_whitespace(pc.list_flatten(parts)), _DEGREE_KEYS, _DEGREE_RANKS)
    best = np.full(len(texts), _NO_RANK, dtype="int64")
    np.minimum.at(best, owner, pc.fill_null(ranks, _NO_RANK).to_numpy(zero_copy_only=False))
    return pc.take(_DEGREE_BY_RANK, pa.array(best))


def parse_specialty(cells: pd.Series) -> Parsed:
    """Specialty text -> dermatology / plastic_surgery / other (DOMAIN 3.4)."""
    text = _normalise_category(cells)
    category = _lookup(text, _SPECIALTY_KEYS, _SPECIALTY_VALUES)
    present = pc.and_(pc.is_valid(text), pc.not_equal(text, ""))
    category = pc.if_else(
        pc.and_(present, pc.invert(pc.is_valid(category))), fields.SPECIALTY_OTHER, category
    )
    return Parsed(
        _text_series(category, cells.index), _problems(np.zeros(len(cells), bool), cells.index, "")
    )
