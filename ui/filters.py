"""Filters a user sets on a screen, applied to frames (no Streamlit here; pure and tested).

A filter is plain data: `Filters(values={column: [allowed values]}, date_range=(start, end))`
so it can be part of a memo key, and one `mask` serves every chart on the page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

BLANK = "(blank)"  # how a missing value is offered as a choice


@dataclass(frozen=True)
class Filters:
    values: tuple[tuple[str, tuple[str, ...]], ...] = ()
    date_column: str = "application_date"
    date_range: tuple[dt.date, dt.date] | None = None

    @classmethod
    def build(
        cls,
        chosen: dict[str, list[str]],
        date_range: tuple[dt.date, dt.date] | None = None,
        full_range: tuple[dt.date, dt.date] | None = None,
        date_column: str = "application_date",
    ) -> Filters:
        """Only real choices count: an empty multiselect, or a date range that still spans
        every date, is "no filter" (so undated rows are not dropped by default)."""
        values = tuple((col, tuple(sorted(v))) for col, v in sorted(chosen.items()) if v)
        if date_range is not None and full_range is not None:
            covers = date_range[0] <= full_range[0] and date_range[1] >= full_range[1]
            date_range = None if covers else date_range
        return cls(values=values, date_column=date_column, date_range=date_range)

    @property
    def is_active(self) -> bool:
        return bool(self.values) or self.date_range is not None


def date_bounds(frame: pd.DataFrame, column: str) -> tuple[dt.date, dt.date] | None:
    """First and last date in a column, None when it holds none."""
    if column not in frame.columns:
        return None
    dates = frame[column].dropna()
    if dates.empty:
        return None
    return dates.min().date(), dates.max().date()


def options(frame: pd.DataFrame, column: str) -> list[str]:
    """Distinct values of a column as choices, blanks offered as BLANK, sorted."""
    if column not in frame.columns:
        return []
    text = frame[column].astype("string")
    found = sorted(text.dropna().unique().tolist())
    return [*found, BLANK] if text.isna().any() else found


def mask(frame: pd.DataFrame, filters: Filters) -> pd.Series:
    """Boolean Series: rows that every filter admits."""
    keep = pd.Series(True, index=frame.index)
    for column, allowed in filters.values:
        if column not in frame.columns:
            continue
        text = frame[column].astype("string")
        hit = text.isin([v for v in allowed if v != BLANK]).fillna(False)
        if BLANK in allowed:
            hit = hit | text.isna()
        keep &= hit.astype(bool)
    if filters.date_range is not None and filters.date_column in frame.columns:
        start, end = (pd.Timestamp(d) for d in filters.date_range)
        dates = frame[filters.date_column]
        keep &= ((dates >= start) & (dates < end + pd.Timedelta(days=1))).fillna(False)
    return keep


def search(frame: pd.DataFrame, text: str, columns: list[str] | None = None) -> pd.DataFrame:
    """Rows where any of `columns` (default: all) contains `text`, case-insensitive."""
    needle = text.strip()
    if not needle or frame.empty:
        return frame
    cols = columns or list(frame.columns)
    hit = pd.Series(False, index=frame.index)
    for column in cols:
        cells = frame[column].astype("string")
        hit |= cells.str.contains(needle, case=False, regex=False).fillna(False).astype(bool)
    return frame[hit.to_numpy()]
