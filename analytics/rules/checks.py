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
from functools import cached_property

import numpy as np
import pandas as pd

PASS, FAIL, MISSING = 0, 1, 2
STATES = ("pass", "fail", "missing")
_NAT = np.iinfo(np.int64).min  # NaT on the int64 view of datetime64


class CheckResult:
    """Three-valued outcome for every row, plus the distance to passing where numeric.

    `shortfall` (float64, > 0 on failing rows, NaN elsewhere) is worked out the first time
    it is read: counting statuses never needs it, explaining and ranking near misses does.
    """

    def __init__(self, state: np.ndarray, shortfall=None, threshold=None):
        self.state = state  # int8: PASS / FAIL / MISSING
        self._shortfall = shortfall  # an array, a zero-argument function, or None
        self._threshold = threshold  # likewise: the threshold applied per row (at_least)

    @cached_property
    def shortfall(self) -> np.ndarray | None:
        return self._shortfall() if callable(self._shortfall) else self._shortfall

    @cached_property
    def threshold(self) -> np.ndarray | None:
        return self._threshold() if callable(self._threshold) else self._threshold


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
        col = self.frame[name]
        if col.dtype == np.float64:
            return col.to_numpy()  # no copy: NaN already marks missing
        return col.to_numpy(dtype="float64", na_value=np.nan)

    def flags(self, name: str) -> np.ndarray:
        """int8 per row: 1 yes, 0 no, 2 missing (a fresh array the caller may reuse)."""
        if not self.has(name):
            return np.full(self.n, 2, np.int8)
        col = self.frame[name]
        if not isinstance(col.dtype, pd.BooleanDtype):
            col = col.astype("boolean")
        array = col.array
        data, mask = getattr(array, "_data", None), getattr(array, "_mask", None)
        if data is None or mask is None:  # not pandas' masked array layout: the slow way
            return col.to_numpy(dtype=np.int8, na_value=2)
        # yes/no bytes, then 2 where the mask says missing (a value under the mask is
        # arbitrary, so it is cleared first): three byte-wide passes instead of a masked
        # conversion.
        out = np.bitwise_and(data.view(np.int8), ~mask.view(np.int8))
        out |= mask.view(np.int8) << 1
        return out

    def dates(self, name: str) -> np.ndarray:
        if not self.has(name):
            return np.full(self.n, np.datetime64("NaT"), "datetime64[ns]")
        col = self.frame[name]
        if col.dtype.kind != "M":
            col = pd.to_datetime(col)
        return col.to_numpy(dtype="datetime64[ns]")

    def codes(self, name: str) -> tuple[np.ndarray, pd.Index]:
        """Integer codes per row (-1 when missing or blank) and the distinct values.

        Codes are the smallest signed integer type that holds them (int8 for up to 127
        distinct values): lookups compare codes rather than gather through them, and a
        byte per row is what makes that cheap. Cast before doing arithmetic on them.
        """
        if name in self._codes:
            return self._codes[name]
        if not self.has(name):
            result = (np.full(self.n, -1, np.int8), pd.Index([], dtype=object))
        else:
            col = self.frame[name]
            if isinstance(col.dtype, pd.CategoricalDtype):
                codes = col.cat.codes.to_numpy()
                uniques = col.cat.categories
            else:
                codes, uniques = factorize(col)
            uniques = pd.Index(np.asarray(uniques, dtype=object).astype(str), dtype=object)
            codes = codes.astype(_code_type(len(uniques)), copy=False)
            blank = np.flatnonzero(np.asarray(uniques.str.strip() == ""))
            if len(blank):
                # A cell holding only spaces is as good as empty.
                codes = codes.copy()
                for code in blank:
                    codes[codes == code] = -1
            result = (codes, uniques)
        self._codes[name] = result
        return result


def factorize(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes (-1 for missing) and distinct values of a text column.

    A `string` column is factorised through its object array: hashing the str objects
    directly is about twice as fast as going through the extension array.
    """
    values = column.array
    if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "python":
        values = np.asarray(values)  # the array's own object ndarray, pd.NA for missing
    return pd.factorize(values, use_na_sentinel=True)


def _code_type(count: int) -> type:
    for candidate in (np.int8, np.int16, np.int32):
        if count < np.iinfo(candidate).max:
            return candidate
    return np.int64


# Up to this many table entries, a lookup compares the codes against each entry that
# differs from the most common outcome (a byte-wide SIMD pass each) instead of gathering.
_COMPARE_LOOKUP_MAX = 24


def _from_lookup(codes: np.ndarray, passes: np.ndarray) -> np.ndarray:
    """State per row from a per-distinct-value pass flag; code -1 is missing."""
    passes = np.asarray(passes, dtype=bool)
    missing = codes < 0
    n_pass = int(np.count_nonzero(passes))
    if min(n_pass, len(passes) - n_pass) <= _COMPARE_LOOKUP_MAX:
        # Compare with the rarer side (few distinct values on each side: a handful of
        # byte-wide passes, no index arrays).
        look_for_pass = n_pass <= len(passes) - n_pass
        targets = np.flatnonzero(passes if look_for_pass else ~passes)
        hit = np.zeros(len(codes), bool)
        for code in targets.tolist():  # Python ints: the comparison stays byte-wide
            hit |= codes == code
        if look_for_pass:  # fail = neither passing nor missing
            np.logical_or(hit, missing, out=hit)
            np.logical_not(hit, out=hit)
        return _from_below(hit, missing)
    table = np.where(passes, PASS, FAIL).astype(np.int8)
    table = np.append(table, np.int8(MISSING))  # index -1 lands here
    return table[codes.astype(np.intp)]


def _from_below(below: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """State from "is below the bar" and "is missing" (fresh bool arrays, reused).

    A missing value is never below the bar (NaN and NaT compare False), so the state is
    below + 2 * missing: PASS 0, FAIL 1, MISSING 2, with no masked assignment.
    """
    state = below.view(np.int8)
    twice = missing.view(np.int8)
    np.left_shift(twice, 1, out=twice)
    np.bitwise_or(state, twice, out=state)
    return state


# --- check kinds -------------------------------------------------------------------------


def at_least(cols: Columns, field: str, params: dict) -> CheckResult:
    """Pass when the number is at least the threshold.

    The threshold is `min`, or, with `by`, `thresholds[value of by]` falling back to
    `default` when that field is missing or has a value without its own threshold.
    """
    values = cols.numbers(field)
    if "by" in params:
        codes, uniques = cols.codes(params["by"])
        default = float(params["default"])
        per_value = [float(params["thresholds"].get(u, default)) for u in uniques]
        table = np.array([*per_value, default])  # code -1 (missing): the default, last
        threshold = table[codes.astype(np.intp)] if np.any(table != default) else default
    else:
        threshold = float(params["min"])
    state = _from_below(values < threshold, np.isnan(values))

    def per_row():
        return np.broadcast_to(np.asarray(threshold, dtype="float64"), values.shape)

    def shortfall():
        return np.where(state == FAIL, threshold - values, np.nan)

    return CheckResult(state, shortfall, per_row)


def in_set(cols: Columns, field: str, params: dict) -> CheckResult:
    """Pass when the value is one of `values`; missing when blank."""
    codes, uniques = cols.codes(field)
    return CheckResult(_from_lookup(codes, uniques.isin(params["values"])))


def is_true(cols: Columns, field: str, params: dict) -> CheckResult:
    """Pass when the yes/no field is yes; missing when blank."""
    flags = cols.flags(field)  # no 0, yes 1, missing 2
    np.bitwise_xor(flags, 1, out=flags)  # no 1 (FAIL), yes 0 (PASS), missing 3
    np.minimum(flags, MISSING, out=flags)  # missing 2
    return CheckResult(flags)


def date_on_or_after_as_of(cols: Columns, field: str, params: dict) -> CheckResult:
    """Pass when the date is on or after the as-of date; shortfall = days before it."""
    values = cols.dates(field)
    # On the int64 view NaT is the smallest value, so it is "before" the as-of date as
    # well as NaT: before + is_nat gives PASS 0, FAIL 1, MISSING 2 in two comparisons.
    ticks = values.view(np.int64)
    state = (ticks < cols.as_of.astype(np.int64)).view(np.int8)
    state += (ticks == _NAT).view(np.int8)

    def shortfall():
        days = (cols.as_of - values) / np.timedelta64(1, "D")
        return np.where(state == FAIL, days, np.nan)

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


# --- requirements ------------------------------------------------------------------------


def threshold_for(params: dict, by_value=None) -> float:
    """The number an `at_least` rule requires of one row: `min`, or with `by` the threshold
    for the row's value of that field (`default` when it is blank or has none of its own),
    the same lookup `at_least` applies to the whole column."""
    if "by" not in params:
        return float(params["min"])
    thresholds = params.get("thresholds", {})
    key = None if by_value is None or pd.isna(by_value) else str(by_value)
    return float(thresholds.get(key, params["default"]))
