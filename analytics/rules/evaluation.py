"""Apply a rule set to a loaded frame: admission states and statuses, renewal states.

`evaluate` splits the frame into applicants and certified practitioners (DOMAIN §4), runs
every rule once over the whole column (analytics.checks) and keeps the results as int8
arrays. The per-person tables (`Evaluation.applicants`, `Evaluation.certified`) are built
from those arrays the first time they are asked for; the summaries in analytics.summary and
analytics.renewals count straight from the arrays, so a change of rule set or as-of date
does not pay for a million explanation strings it may never show.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd

from analytics.rules import checks
from analytics.rules.checks import FAIL, MISSING, PASS, CheckResult, Columns
from analytics.rules.rule_sets import FIELDS, Rule, RuleSet

ELIGIBLE, INCOMPLETE, INELIGIBLE = 0, 1, 2
STATUSES = ("eligible", "incomplete", "ineligible")
CURRENT, DUE, OVERDUE = 0, 1, 2
RENEWAL_STATUSES = ("current", "due", "overdue")
AGEING_BUCKETS = ("1-30", "31-60", "61-90", "91+")
UNASSIGNED = "Unassigned"
IDENTITY = (
    "applicant_id",
    "full_name",
    "email",
    "license_number",
    "cohort",
    "programme",
    "country",
    "degree",
    "application_date",
)
SOURCE_COLUMNS = ("source_file", "source_sheet", "source_row")
# Text fields with few distinct values: rules and groupings read them (see prepare()).
PREPARED_COLUMNS = (
    "cohort",
    "programme",
    "country",
    "degree",
    "specialty",
    "injectables_experience",
)
_STATE_DTYPE = pd.CategoricalDtype(list(checks.STATES))


@dataclass(frozen=True)
class RuleResult:
    """One rule's outcome over the applicants (or certified) rows, aligned by position."""

    rule: Rule
    result: CheckResult

    @property
    def state(self) -> np.ndarray:
        return self.result.state


class Evaluation:
    """Outcome of one rule set on one frame at one as-of date.

    Array attributes are aligned with `applicant_index` / `certified_index` by position;
    `applicants` and `certified` are the per-person tables of docs/architecture.md.
    """

    def __init__(self, frame: pd.DataFrame, rule_set: RuleSet, as_of: date):
        self.rule_set = rule_set
        self.as_of = as_of
        self.extra_columns = [
            c for c in frame.columns if c not in FIELDS and c not in SOURCE_COLUMNS
        ]
        is_certified = _certified_mask(frame)
        self._app_frame = frame if not is_certified.any() else frame.loc[~is_certified]
        self._cert_frame = frame.loc[is_certified] if is_certified.any() else frame.iloc[0:0]
        self.applicant_index = self._app_frame.index
        self.certified_index = self._cert_frame.index
        self.cols = Columns(self._app_frame, as_of)
        self._evaluate_admission()
        self._evaluate_renewal()

    # --- admission ---------------------------------------------------------------------

    def _evaluate_admission(self) -> None:
        self.admission: dict[str, RuleResult] = {}
        for rule in self.rule_set.admission:
            result = checks.run(rule.check, self.cols, rule.field, rule.params)
            self.admission[rule.id] = RuleResult(rule, result)
        required = [self.admission[r.id].state for r in self.rule_set.required]
        self._patterns = _Patterns.of(required, len(self._app_frame))

    # Per-applicant arrays of docs/architecture.md, spread from the pattern tables the
    # first time they are read (the summaries count patterns and never need them).

    @cached_property
    def pattern(self) -> np.ndarray:
        """Per applicant, the index of its required-rule pattern (see `pattern_counts`)."""
        return self._patterns.index

    @cached_property
    def fail_bits(self) -> np.ndarray:
        """Bit i set: the i-th required rule (set order) fails."""
        return self._patterns.spread(self._patterns.fail_bits)

    @cached_property
    def missing_bits(self) -> np.ndarray:
        """Bit i set: the i-th required rule (set order) is missing."""
        return self._patterns.spread(self._patterns.missing_bits)

    @cached_property
    def status_code(self) -> np.ndarray:
        """int8: ELIGIBLE / INCOMPLETE / INELIGIBLE."""
        return self._patterns.spread(self._patterns.status)

    @cached_property
    def is_near_miss(self) -> np.ndarray:
        """Exactly one required rule fails and none is missing."""
        return self._patterns.spread(self._patterns.near_miss)

    @cached_property
    def n_fail(self) -> np.ndarray:
        """Required rules failing, per applicant."""
        return np.bitwise_count(self.fail_bits)

    @cached_property
    def n_missing(self) -> np.ndarray:
        """Required rules missing, per applicant."""
        return np.bitwise_count(self.missing_bits)

    @property
    def patterns(self) -> _Patterns:
        """The required-rule patterns: per pattern fail / missing bits, status, near miss."""
        return self._patterns

    def pattern_counts_by(self, column: str) -> tuple[np.ndarray, pd.Index]:
        """Applicants per (group, pattern): an int64 (k + 1, patterns) table.

        Row 0 counts the applicants whose `column` is blank, row g + 1 those holding the
        g-th value of the returned distinct values (`Columns.codes`). One bincount over
        the whole cohort; every admission summary reads from such a table.
        """
        cache = self.__dict__.setdefault("_pattern_counts", {})
        if column not in cache:
            codes, uniques = self.cols.codes(column)
            k = len(uniques) + 1
            size = self._patterns.size
            wide = np.uint16 if k * size <= np.iinfo(np.uint16).max + 1 else np.intp
            key = codes.astype(wide)
            key += wide(1)  # blank (-1) -> row 0
            if size > 1:
                key *= wide(size)
                np.add(key, self._patterns.index, out=key, casting="unsafe")  # fits: k * size
            counts = np.bincount(key, minlength=k * size).reshape(k, size)
            cache[column] = (counts, uniques)
        return cache[column]

    @cached_property
    def pattern_counts(self) -> np.ndarray:
        """Applicants per required-rule pattern (the cohort table's column sums: every
        summary screen groups by cohort, so this costs no second pass over the cohort)."""
        return self.pattern_counts_by("cohort")[0].sum(axis=0)

    # --- renewal -----------------------------------------------------------------------

    def _evaluate_renewal(self) -> None:
        cert = self._cert_frame
        spec = self.rule_set.renewal
        cols = Columns(cert, self.as_of)
        self.cert_cols = cols
        given = cols.dates("certification_expiry")
        certified_on = pd.Series(cols.dates("certified_on"))
        computed = (certified_on + pd.DateOffset(years=spec.validity_years)).to_numpy(
            dtype="datetime64[ns]"
        )
        self.expiry = np.where(np.isnat(given), computed, given)
        days_left = (self.expiry - cols.as_of) // np.timedelta64(1, "D")
        self.renewal_code = np.where(
            days_left < 0, OVERDUE, np.where(days_left <= spec.window_days, DUE, CURRENT)
        ).astype(np.int8)
        self.days_overdue = np.where(days_left < 0, -days_left, 0).astype(np.int64)
        self.is_backlog = self.renewal_code != CURRENT
        self.renewal: dict[str, RuleResult] = {}
        blocked = np.zeros(len(cert), bool)
        for rule in spec.rules:
            result = checks.run(rule.check, cols, rule.field, rule.params)
            self.renewal[rule.id] = RuleResult(rule, result)
            if rule.is_required:
                blocked |= result.state != PASS
        self.is_ready = self.is_backlog & ~blocked
        self.is_blocked = self.is_backlog & blocked

    # --- per-person tables -------------------------------------------------------------

    @cached_property
    def applicants(self) -> pd.DataFrame:
        frame = self._app_frame
        columns = _identity(frame, self.cols)
        columns["status"] = pd.Categorical.from_codes(self.status_code, categories=list(STATUSES))
        columns["is_near_miss"] = self.is_near_miss
        columns["n_fail"] = self.n_fail.astype(np.int64)
        columns["n_missing"] = self.n_missing.astype(np.int64)
        columns["failing"] = self._failing_lists()
        for rr in self.admission.values():
            columns.update(_rule_columns(rr, with_short=True))
        return _finish(columns, frame, self.extra_columns)

    @cached_property
    def certified(self) -> pd.DataFrame:
        frame = self._cert_frame
        columns = _identity(frame, self.cert_cols)
        columns["certified_on"] = _column(frame, "certified_on")
        columns["expiry"] = pd.array(self.expiry, dtype="datetime64[ns]")
        columns["renewal_status"] = pd.Categorical.from_codes(
            self.renewal_code, categories=list(RENEWAL_STATUSES)
        )
        columns["days_overdue"] = self.days_overdue
        columns["ageing"] = ageing_labels(self.days_overdue)
        columns["is_backlog"] = self.is_backlog
        columns["is_ready"] = self.is_ready
        columns["blocked_by"] = self._blocked_lists()
        for rr in self.renewal.values():
            columns.update(_rule_columns(rr, with_short=False))
        return _finish(columns, frame, self.extra_columns)

    def _failing_lists(self) -> list[list[str]]:
        """Per applicant, the ids of the failing required rules (a list each)."""
        rule_ids = [r.id for r in self.rule_set.required]
        patterns = self._patterns
        per_pattern = np.empty(patterns.size, dtype=object)
        for j, bits in enumerate(patterns.fail_bits.tolist()):
            per_pattern[j] = [rid for i, rid in enumerate(rule_ids) if (bits >> i) & 1]
        return _own_lists(per_pattern[patterns.index.astype(np.intp)])

    def _blocked_lists(self) -> list[list[str]]:
        required = [rr for rr in self.renewal.values() if rr.rule.is_required]
        bits = np.zeros(len(self.is_backlog), np.int64)
        for i, rr in enumerate(required):
            bits |= (rr.state != PASS).astype(np.int64) << i
        bits = np.where(self.is_backlog, bits, 0)
        return _failing_lists(bits, [rr.rule.id for rr in required])


def evaluate(frame: pd.DataFrame, rule_set: RuleSet, as_of: date | None = None) -> Evaluation:
    """Evaluate `rule_set` on the loaded `frame` as of `as_of` (default: today)."""
    return Evaluation(frame, rule_set, as_of if as_of is not None else date.today())


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its few-valued text fields held as categoricals.

    Evaluation reads text once per distinct value; on `string` columns finding those values
    costs a hash of every cell on every evaluation, on categoricals it is free. Call this
    once per loaded dataset (and cache it) when the same data is evaluated again and again
    (another rule set, another as-of date). Results are identical either way; the
    per-person tables still hold `string` columns.
    """
    out = frame.copy(deep=False)
    for name in PREPARED_COLUMNS:
        if name not in out.columns or isinstance(out[name].dtype, pd.CategoricalDtype):
            continue
        column = out[name]
        is_text = isinstance(column.dtype, pd.StringDtype)
        out[name] = _as_category(column) if is_text else column.astype("category")
    return out


def _as_category(column: pd.Series) -> pd.Series:
    """`column.astype("category")` for a `string` column, built from one factorisation
    of its values (astype hashes the extension array about twice as slowly)."""
    codes, uniques = checks.factorize(column)
    categories = pd.Index(uniques, dtype=column.dtype)
    order = categories.argsort()
    categories = categories.take(order)
    if len(order) and np.any(order != np.arange(len(order))):
        remap = np.empty(len(order) + 1, np.intp)
        remap[order] = np.arange(len(order))
        remap[-1] = -1  # missing stays missing
        codes = remap[codes]
    dtype = pd.CategoricalDtype(categories)
    return pd.Series(
        pd.Categorical.from_codes(codes, dtype=dtype), index=column.index, name=column.name
    )


def ageing_labels(days_overdue: np.ndarray) -> pd.Categorical:
    """ "1-30" / "31-60" / "61-90" / "91+" for overdue rows, "" for the rest."""
    bucket = np.digitize(days_overdue, [1, 31, 61, 91])  # 0 when not overdue
    labels = ["", *AGEING_BUCKETS]
    return pd.Categorical.from_codes(bucket, categories=labels)


# --- helpers -----------------------------------------------------------------------------


def _bits_type(count: int) -> type:
    for candidate in (np.uint8, np.uint16, np.uint32, np.uint64):
        if count <= np.iinfo(candidate).bits:
            return candidate
    raise ValueError("a rule set has at most 64 required admission rules")


def _set_bit(bits: np.ndarray, flags: np.ndarray, bit) -> None:
    """bits |= flags << bit, in place (flags: a fresh boolean array, reused)."""
    same_size = bits.dtype == np.uint8
    shifted = flags.view(np.uint8) if same_size else flags.astype(bits.dtype)
    if bit:
        np.left_shift(shifted, bit, out=shifted)
    np.bitwise_or(bits, shifted, out=bits)


# Up to this many required rules, a pattern is the rules' states packed two bits each
# (4**8 = 65,536 possible patterns, a uint16 per applicant) and needs no sort to number.
_PACKED_MAX_RULES = 8


class _Patterns:
    """The distinct combinations of required-rule states, and which one each applicant has.

    Status, near miss and every admission count depend only on an applicant's states on
    the required rules, so the summaries count applicants per pattern once and then work
    on tables of at most a few thousand entries. `index` (per applicant) points into the
    per-pattern arrays `fail_bits`, `missing_bits`, `status` (int8) and `near_miss`.
    """

    def __init__(self, index: np.ndarray, fail_bits: np.ndarray, missing_bits: np.ndarray):
        self.index = index
        self.fail_bits = fail_bits
        self.missing_bits = missing_bits
        self.size = len(fail_bits)
        has_fail = fail_bits != 0
        has_missing = missing_bits != 0
        self.status = np.where(
            has_fail, INELIGIBLE, np.where(has_missing, INCOMPLETE, ELIGIBLE)
        ).astype(np.int8)
        one_bit = (fail_bits & (fail_bits - fail_bits.dtype.type(1))) == 0
        self.near_miss = has_fail & one_bit & ~has_missing

    @classmethod
    def of(cls, states: list[np.ndarray], n: int) -> _Patterns:
        """Patterns of the required rules' int8 state arrays (set order) over n rows."""
        count = len(states)
        bits_type = _bits_type(count)
        if count <= _PACKED_MAX_RULES:
            # State s of rule i lands in bits 2i (fail) and 2i + 1 (missing): PASS 0,
            # FAIL 1, MISSING 2 are already those two bits.
            packed_type = np.uint8 if count <= 4 else np.uint16
            # A copy: the states stay as they are.
            index = states[0].astype(packed_type) if states else np.zeros(n, packed_type)
            for i, state in enumerate(states[1:], start=1):
                shifted = state.astype(packed_type)
                shifted <<= packed_type(2 * i)
                index |= shifted
            every = np.arange(4**count, dtype=np.uint64)
            fail_bits = np.zeros(len(every), bits_type)
            missing_bits = np.zeros(len(every), bits_type)
            for i in range(count):
                fail_bits |= (((every >> np.uint64(2 * i)) & np.uint64(1)) << np.uint64(i)).astype(
                    bits_type
                )
                missing_bits |= (
                    ((every >> np.uint64(2 * i + 1)) & np.uint64(1)) << np.uint64(i)
                ).astype(bits_type)
            return cls(index, fail_bits, missing_bits)
        fail = np.zeros(n, bits_type)
        missing = np.zeros(n, bits_type)
        for i, state in enumerate(states):
            _set_bit(fail, state == FAIL, bits_type(i))
            _set_bit(missing, state == MISSING, bits_type(i))
        pairs = np.stack([fail, missing], axis=1)
        uniques, index = np.unique(pairs, axis=0, return_inverse=True)
        return cls(index.reshape(-1), uniques[:, 0].copy(), uniques[:, 1].copy())

    def spread(self, per_pattern: np.ndarray) -> np.ndarray:
        """The per-pattern values, one per applicant."""
        return per_pattern[self.index.astype(np.intp)]


def _certified_mask(frame: pd.DataFrame) -> np.ndarray:
    mask = np.zeros(len(frame), bool)
    for name in ("certified_on", "certification_expiry"):
        if name in frame.columns:
            column = frame[name]
            if column.dtype.kind == "M":
                mask |= ~np.isnat(column.to_numpy())
            else:
                mask |= column.notna().to_numpy()
    return mask


def _column(frame: pd.DataFrame, name: str):
    """The frame's column as an array (a typed all-missing one when absent)."""
    if name in frame.columns:
        column = frame[name]
        if name in PREPARED_COLUMNS and isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype("string")  # prepare()d: the tables keep the contract's dtype
        return column.array
    kind = FIELDS.get(name, ("text",))[0]
    dtype = {"date": "datetime64[ns]", "number": "float64", "boolean": "boolean"}.get(
        kind, "string"
    )
    return pd.Series(index=frame.index, dtype=dtype).array


def _identity(frame: pd.DataFrame, cols: Columns) -> dict:
    columns = {name: _column(frame, name) for name in IDENTITY}
    # Blank or spaces-only cohorts read as "Unassigned": the codes already say which.
    codes, uniques = cols.codes("cohort")
    labels = np.array([*uniques, UNASSIGNED], dtype=object)  # code -1: the last
    columns["cohort"] = pd.array(labels[codes.astype(np.intp)], dtype="string")
    return columns


def _finish(columns: dict, frame: pd.DataFrame, extras: list[str]) -> pd.DataFrame:
    """The table: `columns`, then the remaining canonical fields, the source location and
    the extra columns."""
    tail = {c: _column(frame, c) for c in FIELDS if c not in columns}
    tail.update({c: frame[c].array for c in SOURCE_COLUMNS if c in frame.columns})
    extra = {c: frame[c].array for c in extras}
    if set(extra).isdisjoint(columns) and set(extra).isdisjoint(tail):
        return pd.DataFrame({**columns, **tail, **extra}, index=frame.index)
    # An extra column named like a table column: keep both, as the export had them.
    parts = [columns, {**tail, **extra}]
    return pd.concat([pd.DataFrame(part, index=frame.index) for part in parts], axis=1)


def _failing_lists(bits: np.ndarray, rule_ids: list[str]) -> list[list[str]]:
    inverse, uniques = pd.factorize(bits)
    per_value = np.empty(len(uniques), dtype=object)
    for j, u in enumerate(uniques.tolist()):
        per_value[j] = [rid for i, rid in enumerate(rule_ids) if (int(u) >> i) & 1]
    return _own_lists(per_value[inverse])


def _own_lists(shared: np.ndarray) -> list[list[str]]:
    """A copy of each list, so a caller that edits one row's list edits only that row.

    A million small lists set off hundreds of cyclic garbage collections that find nothing
    (lists of strings hold no cycles); pausing the collector while they are made takes the
    cost from about 350 ms to 60 ms.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return list(map(list, shared))
    finally:
        if was_enabled:
            gc.enable()


def explanations(rr: RuleResult) -> pd.Series:
    """Words per row: "" when the rule passes, why not otherwise (worded once per distinct
    shortfall among the failing rows, so it stays cheap on large frames)."""
    rule, state = rr.rule, rr.state
    texts = np.full(len(state), "", dtype=object)
    missing = state == MISSING
    if missing.any():
        texts[missing] = checks.explain_missing(rule.field_label)
    failing = np.flatnonzero(state == FAIL)
    if len(failing):
        shortfall = rr.result.shortfall
        distance = shortfall[failing] if shortfall is not None else np.full(len(failing), np.nan)
        codes, uniques = pd.factorize(distance, use_na_sentinel=False)  # NaN: no number
        words = [
            checks.explain_failure(rule.check, rule.params, float(value), rule.field_label)
            for value in uniques
        ]
        texts[failing] = np.array(words, dtype=object)[codes]
    return pd.Series(pd.array(texts, dtype="string"))


def _rule_columns(rr: RuleResult, with_short: bool) -> dict:
    rule_id = rr.rule.id
    columns = {
        f"state__{rule_id}": pd.Categorical.from_codes(rr.state, dtype=_STATE_DTYPE),
        f"explain__{rule_id}": explanations(rr).array,
    }
    if with_short:
        short = rr.result.shortfall
        columns[f"short__{rule_id}"] = (
            short if short is not None else np.full(len(rr.state), np.nan, dtype="float64")
        )
    return columns
