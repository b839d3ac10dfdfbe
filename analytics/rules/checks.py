"""The check vocabulary: one small vectorised function per check kind (DOMAIN §5).

A check reads one field of the rows under evaluation and answers, for every row, **pass**,
**fail** or **missing** (the value it needs is blank or could not be read). Each kind is a
function of a few lines of pandas over the whole column, and the `@check_kind(...)` above
it declares the field types it can read, the settings it takes and, in one line, what it
asks. The decorator is also what puts the kind into `KINDS`, the vocabulary that rule-set
files are validated against (analytics.rules.rule_sets), so the words a director may write
and the code that runs them cannot drift apart; a check can trust its settings.

A check reads its field through `Columns`, which gives every field as its type: numbers
as float64 (NaN when missing), yes/no as nullable booleans, dates as datetime64 and text as
a categorical whose blank cells are missing, so a text check runs once per distinct value
rather than once per row. It returns a `Result`: the state per row and, for number and
date checks, how far each failing row is from passing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd

PASS, FAIL, MISSING = "pass", "fail", "missing"
STATES = (PASS, FAIL, MISSING)
STATE_DTYPE = pd.CategoricalDtype(list(STATES))


class Result:
    """A check's outcome for every row, aligned with the rows' index.

    `state`: "pass" / "fail" / "missing" (a categorical Series). Number and date checks
    add `shortfall`: how far a failing row is from passing, in the rule's unit (CME hours
    short, days since the date passed), NaN on every other row; a check may give it as a
    function, worked out when first read (counting statuses never needs it). `at_least`
    also gives the `threshold` each row was held to.
    """

    def __init__(
        self,
        state: pd.Series,
        shortfall: pd.Series | Callable[[], pd.Series] | None = None,
        threshold: pd.Series | None = None,
    ):
        self.state = state
        self.threshold = threshold
        self._shortfall = shortfall

    @cached_property
    def shortfall(self) -> pd.Series | None:
        return self._shortfall() if callable(self._shortfall) else self._shortfall


def _as_bools(condition) -> np.ndarray:
    """A boolean Series (or array) as a numpy array; a missing value counts as False."""
    if isinstance(condition, np.ndarray) and condition.dtype == bool:
        return condition
    condition = pd.Series(condition)
    if condition.dtype == bool:
        return condition.to_numpy()
    return condition.to_numpy(dtype=bool, na_value=False)


def choose(
    conditions: Sequence, choices: Sequence[str], default: str, dtype: pd.CategoricalDtype, index
) -> pd.Series:
    """`np.select` into a categorical: per row, the choice of the first condition that
    holds, else `default`. A condition is boolean; a missing one counts as False."""
    categories = list(dtype.categories)
    codes = np.full(len(index), categories.index(default), dtype=np.int8)
    # The first condition that holds wins: apply the last first, so earlier ones overwrite.
    for condition, choice in reversed(list(zip(conditions, choices, strict=True))):
        # np.where(holds, choice, codes), as arithmetic (several times faster on int8)
        codes = codes + _as_bools(condition) * (np.int8(categories.index(choice)) - codes)
    return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype, validate=False), index=index)


def three_valued(passes: pd.Series, missing: pd.Series) -> pd.Series:
    """MISSING where `missing`, else PASS where `passes`, else FAIL."""
    is_missing = _as_bools(missing)
    is_failing = ~_as_bools(passes) & ~is_missing
    # `choose` for the three states, in two vector additions: each row is exactly one of
    # failing, missing or neither, and STATES codes pass 0, fail 1, missing 2.
    codes = is_failing.astype(np.int8) + 2 * is_missing.astype(np.int8)
    states = pd.Categorical.from_codes(codes, dtype=STATE_DTYPE, validate=False)
    return pd.Series(states, index=missing.index)


class Columns:
    """The fields of the rows under evaluation, each read as its type, at one as-of date.

    A field absent from the frame reads as all missing (the loader supplies every canonical
    field; frames built by hand may not). Text fields are read once and kept: several
    rules and every grouping by cohort read the same few.
    """

    def __init__(self, frame: pd.DataFrame, as_of: date):
        self.frame = frame
        self.as_of = pd.Timestamp(as_of).normalize()
        self._text: dict[str, pd.Series] = {}

    def _get(self, name: str, dtype: str) -> pd.Series:
        if name in self.frame.columns:
            return self.frame[name]
        return pd.Series(index=self.frame.index, dtype=dtype)

    def numbers(self, name: str) -> pd.Series:
        """float64; NaN when missing."""
        column = self._get(name, "float64")
        return column if column.dtype == "float64" else column.astype("float64")

    def flags(self, name: str) -> pd.Series:
        """Nullable booleans; <NA> when missing."""
        column = self._get(name, "boolean")
        return column if column.dtype == "boolean" else column.astype("boolean")

    def dates(self, name: str) -> pd.Series:
        """datetime64; NaT when missing."""
        column = self._get(name, "datetime64[ns]")
        return column if column.dtype.kind == "M" else pd.to_datetime(column)

    def text(self, name: str) -> pd.Series:
        """A categorical of the field's values; a blank or spaces-only cell is missing."""
        if name not in self._text:
            values = self._get(name, "string")
            if not isinstance(values.dtype, pd.CategoricalDtype):
                # Codes and distinct values in one pass (astype("category") also sorts).
                codes, uniques = pd.factorize(values)
                distinct = pd.Categorical.from_codes(codes, categories=uniques, validate=False)
                values = pd.Series(distinct, index=values.index)
            categories = values.cat.categories
            blank = categories[categories.astype("string").str.strip() == ""]
            self._text[name] = values.cat.remove_categories(blank) if len(blank) else values
        return self._text[name]


# --- declarations ------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """A check kind as rule-set files use it (validated by analytics.rules.rule_sets).

    `required` and `optional` are the settings a rule of this kind may give; `wording`
    (part of `optional`) only words explanations and is not passed to the function.
    `failure_words(params, shortfall, field_label)` words a failing row from its
    shortfall, for kinds that have one; other kinds say the rule's `explain`.
    """

    function: Callable[..., Result]
    field_types: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...]
    summary: str
    wording: tuple[str, ...] = ("explain",)
    failure_words: Callable[[dict, float, str], str] | None = None


KINDS: dict[str, Kind] = {}


def check_kind(
    *,
    field_types: tuple[str, ...],
    summary: str,
    required: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
    wording: tuple[str, ...] = ("explain",),
    failure_words: Callable[[dict, float, str], str] | None = None,
):
    """Declare the decorated function as the check kind of its name (entered in `KINDS`).

    The function is called as `function(cols, field, **settings)` and returns a `Result`.
    """

    def register(function: Callable[..., Result]) -> Callable[..., Result]:
        KINDS[function.__name__] = Kind(
            function=function,
            field_types=field_types,
            required=required,
            optional=optional + wording,
            summary=summary,
            wording=wording,
            failure_words=failure_words,
        )
        return function

    return register


def run(kind: str, cols: Columns, field: str, params: dict) -> Result:
    """Apply the check kind `kind` with a rule's settings `params` to `field` of `cols`."""
    declared = KINDS[kind]
    settings = {k: v for k, v in params.items() if k not in declared.wording}
    return declared.function(cols, field, **settings)


# --- check kinds -------------------------------------------------------------------------


def _number(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _words_short(params: dict, shortfall: float, field_label: str) -> str:
    """ "4 CME hours short" (`unit`, or `unit_singular` when exactly 1 short)."""
    unit = params.get("unit", field_label)
    if shortfall == 1 and "unit_singular" in params:
        unit = params["unit_singular"]
    return f"{_number(shortfall)} {unit} short"


@check_kind(
    field_types=("number",),
    optional=("min", "by", "thresholds", "default"),
    wording=("unit", "unit_singular", "explain"),
    failure_words=_words_short,
    summary="the number is at least `min` (or a threshold per value of `by`, else `default`)",
)
def at_least(cols: Columns, field: str, min=None, by=None, thresholds=None, default=None) -> Result:
    """Pass when the number is at least the threshold; missing when there is no number.

    The threshold is `min`, or, with `by`, `thresholds[value of by]`, falling back to
    `default` when that field is blank or its value has no threshold of its own.
    Shortfall: threshold - number.
    """
    if (min is None) == (by is None):
        raise ValueError("at_least needs either 'min' or 'by' (with 'thresholds', 'default')")
    numbers = cols.numbers(field)
    if by is None:
        threshold = pd.Series(float(min), index=numbers.index)
    else:
        if thresholds is None or default is None:
            raise ValueError("at_least with 'by' needs 'thresholds' and 'default'")
        # Each row's threshold: that of its `by` value, the default where there is none.
        per_value = pd.Series(thresholds, dtype="float64").reindex(cols.text(by))
        threshold = per_value.fillna(float(default)).set_axis(numbers.index)
    state = three_valued(passes=numbers >= threshold, missing=numbers.isna())
    return Result(
        state, shortfall=lambda: (threshold - numbers).where(state == FAIL), threshold=threshold
    )


@check_kind(
    field_types=("text", "category"),
    required=("values",),
    summary="the value is one of `values`",
)
def in_set(cols: Columns, field: str, values: list[str]) -> Result:
    """Pass when the value is one of `values`, fail for any other; missing when blank."""
    text = cols.text(field)
    return Result(three_valued(passes=text.isin(values), missing=text.isna()))


@check_kind(field_types=("boolean",), summary="the yes/no field is yes")
def is_true(cols: Columns, field: str) -> Result:
    """Pass when the answer is yes, fail when no; missing when blank."""
    answers = cols.flags(field)
    return Result(three_valued(passes=answers, missing=answers.isna()))


def _words_expired(params: dict, days: float, field_label: str) -> str:
    """ "licence expired 41 days ago" (`noun`)."""
    noun = params.get("noun", field_label)
    days = int(round(days))
    return f"{noun} expired {days} day{'s' if days != 1 else ''} ago"


@check_kind(
    field_types=("date",),
    wording=("noun", "explain"),
    failure_words=_words_expired,
    summary="the date is on or after the as-of date",
)
def date_on_or_after_as_of(cols: Columns, field: str) -> Result:
    """Pass when the date is on or after the as-of date (the as-of date itself passes);
    missing when there is no date. Shortfall: days from the date to the as-of date."""
    dates = cols.dates(field)
    state = three_valued(passes=dates >= cols.as_of, missing=dates.isna())

    def days_before() -> pd.Series:
        return ((cols.as_of - dates) / pd.Timedelta(days=1)).where(state == FAIL)

    return Result(state, shortfall=days_before)


@check_kind(
    field_types=("text", "category"),
    required=("terms",),
    summary="the text mentions any of `terms` (any case)",
)
def mentions_any(cols: Columns, field: str, terms: list[str]) -> Result:
    """Pass when the text contains any of `terms` in any case (as plain text, never as a
    pattern); fail for other text such as "none"; missing when blank."""
    if isinstance(terms, str) or not terms:
        raise ValueError("mentions_any needs a non-empty list of terms")
    text = cols.text(field)
    pattern = "|".join(re.escape(term) for term in terms)
    mentions = text.str.contains(pattern, case=False, regex=True, na=False)
    return Result(three_valued(passes=mentions, missing=text.isna()))


# --- explanations ------------------------------------------------------------------------


def explain_failure(kind: str, params: dict, shortfall: float, field_label: str) -> str:
    """Words for one failing row: "4 CME hours short", "licence expired 41 days ago", or
    the rule's `explain`."""
    words = KINDS[kind].failure_words
    if words is not None and not np.isnan(shortfall):
        return words(params, shortfall, field_label)
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
