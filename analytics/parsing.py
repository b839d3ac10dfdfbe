"""Vectorised cell parsers (DOMAIN 3.3-3.7).

Every parser takes a column of cell text (pandas string dtype, NA for an empty cell) and
returns the typed values plus a `problems` column: the problem text where a non-blank cell
could not be read (the value is then missing), NA elsewhere. Readers render every cell as
text first (Excel dates as ``YYYY-MM-DD HH:MM:SS``, booleans as ``true``/``false``,
numbers without a trailing ``.0``), so one set of parsers serves xlsx, xls and CSV alike.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np
import pandas as pd

from analytics import fields

NOT_BOOLEAN = "not a yes/no value"
NOT_NUMBER = "not a number"
NEGATIVE_NUMBER = "negative number"
NOT_DATE = "not a date"
UNRECOGNISED_DEGREE = "unrecognised degree"

DATE_ORDERS = ("dmy", "mdy")
SERIAL_MIN, SERIAL_MAX = 20_000, 80_000  # Excel serial day numbers read as dates
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
EARLIEST_DATE = pd.Timestamp("1900-01-01")  # earlier is a time-only cell or a typo

_UNITS = r"(?:hours?|hrs?|h|years?|yrs?|y)"
_NUMBER = (
    r"^(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][+-]?\d+)?|[+-]?\.\d+)"
    rf"\s*(?:{_UNITS}\.?)?$"
)
_ISO = r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO_LOOSE = r"^(\d{4})-(\d{1,2})-(\d{1,2})$"
_SLASH = r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$"
_DAY_MONTH_YEAR = r"^(\d{1,2})(?:st|nd|rd|th)?[ -]([A-Za-z]{3,9})\.?,?[ -](\d{4})$"
_MONTH_DAY_YEAR = r"^([A-Za-z]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$"
_SERIAL = r"\d{5}(?:\.\d+)?"
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
MONTH_WORDS: dict[str, int] = {
    **{m: i + 1 for i, m in enumerate(_MONTHS)},
    **{m[:3]: i + 1 for i, m in enumerate(_MONTHS)},
    "sept": 9,
}


class Parsed(NamedTuple):
    values: pd.Series
    problems: pd.Series  # problem text where a non-blank cell was unreadable, else NA


class ParsedDates(NamedTuple):
    values: pd.Series
    problems: pd.Series
    order: str | None  # "dmy"/"mdy" when the column had DD/MM vs MM/DD text, else None


def clean_text(cells: pd.Series) -> pd.Series:
    """Trimmed text; empty and whitespace-only cells become NA. Never guesses NA words."""
    text = cells.astype("string").str.strip()
    return text.mask(text == "").astype("string[python]")


def _no_problems(index: pd.Index) -> pd.Series:
    return pd.Series(pd.NA, index=index, dtype="string[python]")


def _problems_where(bad: pd.Series, message: str) -> pd.Series:
    out = _no_problems(bad.index)
    out[bad.to_numpy(dtype=bool, na_value=False)] = message
    return out


def parse_boolean(cells: pd.Series) -> Parsed:
    """true/yes/y/1/t and false/no/n/0/f in any case (Excel TRUE/FALSE and 1/0 cells too)."""
    text = clean_text(cells).str.lower()
    is_true = text.isin(fields.TRUE_WORDS)
    is_false = text.isin(fields.FALSE_WORDS)
    values = pd.Series(pd.NA, index=cells.index, dtype="boolean")
    values[is_true.to_numpy(dtype=bool)] = True
    values[is_false.to_numpy(dtype=bool)] = False
    bad = text.notna() & ~is_true & ~is_false
    return Parsed(values, _problems_where(bad, NOT_BOOLEAN))


def parse_number(cells: pd.Series) -> Parsed:
    """Numbers with optional thousands commas and a unit (12, 1,200, 12 hrs, 3 yrs); >= 0."""
    text = clean_text(cells)
    digits = text.str.extract(_NUMBER, flags=re.IGNORECASE, expand=False)
    numbers = pd.to_numeric(digits.str.replace(",", "", regex=False), errors="coerce")
    numbers = numbers.astype("float64")
    negative = numbers < 0
    problems = _problems_where(text.notna() & numbers.isna(), NOT_NUMBER)
    problems[negative.to_numpy()] = NEGATIVE_NUMBER
    return Parsed(numbers.mask(negative), problems)


def detect_date_order(first: pd.Series, second: pd.Series) -> str:
    """DOMAIN 3.7: a first part over 12 means day-first; else a second part over 12 means
    month-first; else day-first."""
    if (first > 12).any():
        return "dmy"
    if (second > 12).any():
        return "mdy"
    return "dmy"


def _from_parts(year, month, day, index) -> pd.Series:
    parts = pd.DataFrame(
        {
            "year": pd.to_numeric(year, errors="coerce"),
            "month": pd.to_numeric(month, errors="coerce"),
            "day": pd.to_numeric(day, errors="coerce"),
        },
        index=index,
    )
    if parts.empty:
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    return pd.to_datetime(parts, errors="coerce").astype("datetime64[ns]")


def parse_date(cells: pd.Series, order: str | None = None) -> ParsedDates:
    """Excel date cells, ISO text, DD/MM/YYYY or MM/DD/YYYY (order per column, `order`
    overrides), '12 Mar 2025' / 'Mar 12, 2025', Excel serials 20000-80000. Midnight."""
    if order is not None and order not in DATE_ORDERS:
        raise ValueError(f"date order must be one of {DATE_ORDERS}, not {order!r}")
    text = clean_text(cells)
    index = text.index
    values = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")

    # Fast path: Excel date cells and ISO text, the bulk of most columns.
    is_iso = text.str.fullmatch(_ISO).fillna(False).astype(bool)
    if is_iso.any():
        iso = text[is_iso].str.slice(0, 10)
        values[is_iso] = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")
    rest = text[text.notna() & ~is_iso]
    used_order = None
    if not rest.empty:
        loose = rest.str.extract(_ISO_LOOSE)
        hit = loose[0].notna()
        if hit.any():
            values[loose.index[hit]] = _from_parts(
                loose[0][hit], loose[1][hit], loose[2][hit], loose.index[hit]
            )

        slash = rest.str.extract(_SLASH)
        hit = slash[0].notna()
        if hit.any():
            first = pd.to_numeric(slash[0][hit])
            second = pd.to_numeric(slash[1][hit])
            used_order = order or detect_date_order(first, second)
            day, month = (first, second) if used_order == "dmy" else (second, first)
            values[slash.index[hit]] = _from_parts(slash[2][hit], month, day, slash.index[hit])

        for pattern, day_at, month_at in ((_DAY_MONTH_YEAR, 0, 1), (_MONTH_DAY_YEAR, 1, 0)):
            words = rest.str.extract(pattern)
            hit = words[0].notna()
            if hit.any():
                month = words[month_at][hit].str.lower().map(MONTH_WORDS)
                values[words.index[hit]] = _from_parts(
                    words[2][hit], month, words[day_at][hit], words.index[hit]
                )

        is_serial = rest.str.fullmatch(_SERIAL).fillna(False).astype(bool)
        if is_serial.any():
            serial = pd.to_numeric(rest[is_serial])
            serial = serial.where((serial >= SERIAL_MIN) & (serial <= SERIAL_MAX))
            days = pd.to_timedelta(np.floor(serial.to_numpy(dtype="float64")), unit="D")
            values[serial.index] = EXCEL_EPOCH + days

    values = values.dt.normalize()
    values = values.mask(values < EARLIEST_DATE)
    problems = _problems_where(text.notna() & values.isna(), NOT_DATE)
    return ParsedDates(values, problems, used_order)


def normalise_category(cells: pd.Series) -> pd.Series:
    """Lower-case, dots removed, whitespace runs collapsed, trimmed (DOMAIN 3.3)."""
    text = clean_text(cells).str.lower().str.replace(".", "", regex=False)
    return text.str.replace(r"\s+", " ", regex=True).str.strip()


def parse_degree(cells: pd.Series) -> Parsed:
    """Degree text -> category key; unknown text is a problem and the value missing."""
    text = normalise_category(cells)
    values = text.map(fields.DEGREE_LOOKUP).astype("string[python]")
    bad = text.notna() & (text != "") & values.isna()
    return Parsed(values, _problems_where(bad, UNRECOGNISED_DEGREE))


def parse_specialty(cells: pd.Series) -> Parsed:
    """Specialty text -> dermatology / plastic_surgery / other (DOMAIN 3.4)."""
    text = normalise_category(cells)
    values = text.map(fields.SPECIALTY_LOOKUP).astype("string[python]")
    values = values.mask(text.notna() & (text != "") & values.isna(), fields.SPECIALTY_OTHER)
    return Parsed(values, _no_problems(cells.index))
