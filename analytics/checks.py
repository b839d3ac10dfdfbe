"""The check-kind vocabulary: one vectorised function per kind.

Every check reads one column of the whole frame and returns a `CheckResult`: an int8
state per row (PASS / FAIL / MISSING, DOMAIN §5) and, for numeric and date checks, how far
a failing row is from passing (NaN elsewhere). Text columns are evaluated once per
distinct value and spread back by integer codes, so a million rows cost a handful of
numpy takes rather than a million string operations.

`KINDS` declares, for each kind, which field types it can read and which parameters it
takes; `analytics.rules` validates rule-set files against it, so a check function can
trust its parameters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

PASS, FAIL, MISSING = 0, 1, 2
STATES = ("pass", "fail", "missing")


@dataclass(frozen=True)
class CheckResult:
    """Three-valued outcome for every row, plus the distance to passing where numeric."""

    state: np.ndarray  # int8: PASS / FAIL / MISSING
    shortfall: np.ndarray | None = None  # float64, > 0 on failing rows, NaN elsewhere
    threshold: np.ndarray | None = None  # float64 threshold applied per row (at_least)


class Columns:
    """Read-only access to the frame's columns for one evaluation, with encodings cached.

    A column absent from the frame reads as all-missing (the loader always supplies the
    canonical fields; inline frames in tests and callers may not).
    """

    def __init__(self, frame: pd.DataFrame, as_of: date):
        self.frame = frame
        self.n = len(frame)
        self.as_of = np.datetime64(pd.Timestamp(as_of).normalize().to_datetime64(), "ns")
        self._codes: dict[str, tuple[np.ndarray, pd.Index]] = {}

    def has(self, name: str) -> bool:
        return name in self.frame.columns

    def numbers(self, name: str) -> np.ndarray:
        if not self.has(name):
            return np.full(self.n, np.nan)
        return self.frame[name].to_numpy(dtype="float64", na_value=np.nan)

    def flags(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(is_true, is_missing) boolean arrays of a boolean column."""
        if not self.has(name):
            return np.zeros(self.n, bool), np.ones(self.n, bool)
        col = self.frame[name]
        missing = col.isna().to_numpy()
        if not isinstance(col.dtype, pd.BooleanDtype):
            col = col.astype("boolean")
        return col.to_numpy(dtype=bool, na_value=False), missing

    def dates(self, name: str) -> np.ndarray:
        if not self.has(name):
            return np.full(self.n, np.datetime64("NaT"), "datetime64[ns]")
        return pd.to_datetime(self.frame[name]).to_numpy(dtype="datetime64[ns]")

    def codes(self, name: str) -> tuple[np.ndarray, pd.Index]:
        """Integer codes per row (-1 when missing or blank) and the distinct values."""
        if name in self._codes:
            return self._codes[name]
        if not self.has(name):
            result = (np.full(self.n, -1, np.int64), pd.Index([], dtype=object))
        else:
            col = self.frame[name]
            if isinstance(col.dtype, pd.CategoricalDtype):
                codes = col.cat.codes.to_numpy()
                uniques = col.cat.categories
            else:
                codes, uniques = pd.factorize(col, use_na_sentinel=True)
            codes = codes.astype(np.intp, copy=False)
            uniques = pd.Index(uniques.astype(str), dtype=object)
            blank = uniques.str.strip() == ""
            if blank.any():
                # A cell holding only spaces is as good as empty.
                remap = np.where(blank, -1, np.arange(len(uniques)))
                codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
            result = (codes, uniques)
        self._codes[name] = result
        return result


def _from_lookup(codes: np.ndarray, passes: np.ndarray) -> np.ndarray:
    """State per row from a per-distinct-value pass flag; code -1 is missing."""
    table = np.where(passes, PASS, FAIL).astype(np.int8)
    table = np.append(table, np.int8(MISSING))  # index -1 lands here
    return table[codes]


# --- check kinds -------------------------------------------------------------------------


def at_least(cols: Columns, field: str, params: dict) -> CheckResult:
    """Pass when the number is at least the threshold.

    The threshold is `min`, or, with `by`, `thresholds[value of by]` falling back to
    `default` when that field is missing or has a value without its own threshold.
    """
    values = cols.numbers(field)
    if "by" in params:
        codes, uniques = cols.codes(params["by"])
        per_value = np.array(
            [float(params["thresholds"].get(u, params["default"])) for u in uniques] + [np.nan]
        )
        threshold = per_value[codes]
        threshold[codes < 0] = float(params["default"])
    else:
        threshold = np.full(cols.n, float(params["min"]))
    missing = np.isnan(values)
    ok = values >= threshold
    state = np.where(missing, MISSING, np.where(ok, PASS, FAIL)).astype(np.int8)
    shortfall = np.where(state == FAIL, threshold - values, np.nan)
    return CheckResult(state, shortfall, threshold)


def in_set(cols: Columns, field: str, params: dict) -> CheckResult:
    """Pass when the value is one of `values`; missing when blank."""
    codes, uniques = cols.codes(field)
    return CheckResult(_from_lookup(codes, uniques.isin(params["values"])))


def is_true(cols: Columns, field: str, params: dict) -> CheckResult:
    """Pass when the yes/no field is yes; missing when blank."""
    values, missing = cols.flags(field)
    state = np.where(missing, MISSING, np.where(values, PASS, FAIL)).astype(np.int8)
    return CheckResult(state)


def date_on_or_after_as_of(cols: Columns, field: str, params: dict) -> CheckResult:
    """Pass when the date is on or after the as-of date; shortfall = days before it."""
    values = cols.dates(field)
    missing = np.isnat(values)
    ok = values >= cols.as_of
    state = np.where(missing, MISSING, np.where(ok, PASS, FAIL)).astype(np.int8)
    days = (cols.as_of - values) / np.timedelta64(1, "D")
    shortfall = np.where(state == FAIL, days, np.nan)
    return CheckResult(state, shortfall)


def mentions_any(cols: Columns, field: str, params: dict) -> CheckResult:
    """Pass when the text contains any of `terms` (any case); missing when blank."""
    codes, uniques = cols.codes(field)
    pattern = "|".join(re.escape(t) for t in params["terms"])
    hits = np.asarray(uniques.str.contains(pattern, case=False, regex=True), dtype=bool)
    return CheckResult(_from_lookup(codes, hits))


# --- declarations ------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """What a check kind reads and which settings it takes (validated by analytics.rules)."""

    function: Callable[[Columns, str, dict], CheckResult]
    field_types: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...]
    summary: str


KINDS: dict[str, Kind] = {
    "at_least": Kind(
        at_least,
        ("number",),
        (),
        ("min", "by", "thresholds", "default", "unit", "unit_singular", "explain"),
        "the number is at least `min` (or a threshold per value of `by`, else `default`)",
    ),
    "in_set": Kind(
        in_set,
        ("text", "category"),
        ("values",),
        ("explain",),
        "the value is one of `values`",
    ),
    "is_true": Kind(is_true, ("boolean",), (), ("explain",), "the yes/no field is yes"),
    "date_on_or_after_as_of": Kind(
        date_on_or_after_as_of,
        ("date",),
        (),
        ("noun", "explain"),
        "the date is on or after the as-of date",
    ),
    "mentions_any": Kind(
        mentions_any,
        ("text", "category"),
        ("terms",),
        ("explain",),
        "the text mentions any of `terms` (any case)",
    ),
}


def run(kind: str, cols: Columns, field: str, params: dict) -> CheckResult:
    return KINDS[kind].function(cols, field, params)


# --- explanations ------------------------------------------------------------------------


def _number(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def explain_failure(kind: str, params: dict, shortfall: float, field_label: str) -> str:
    """Words for one failing row: "4 CME hours short", "licence expired 41 days ago"."""
    if kind == "at_least" and not np.isnan(shortfall):
        unit = params.get("unit", field_label)
        if shortfall == 1 and "unit_singular" in params:
            unit = params["unit_singular"]
        return f"{_number(shortfall)} {unit} short"
    if kind == "date_on_or_after_as_of" and not np.isnan(shortfall):
        noun = params.get("noun", field_label)
        days = int(round(shortfall))
        return f"{noun} expired {days} day{'s' if days != 1 else ''} ago"
    return params.get("explain", f"{field_label}: requirement not met")


def explain_missing(field_label: str) -> str:
    return f"{field_label} not given or unreadable"
