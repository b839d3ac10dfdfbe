"""Apply a rule set to a loaded frame: admission states and statuses, renewal states.

`evaluate` splits the frame into applicants and certified practitioners (DOMAIN §4) and
runs every rule of the set once over its whole column (analytics.rules.checks). What it
keeps is plain pandas, aligned with the frame's index:

- applicants: `states`, a DataFrame with one column per admission rule holding "pass" /
  "fail" / "missing"; for the required rules `required_fails` (True / False per rule),
  `n_fail` and `n_missing`, the
  `status` (DOMAIN §5: ineligible when a required rule fails, else incomplete when one is
  missing, else eligible) and `is_near_miss` (exactly one fail and nothing missing);
- certified practitioners: `expiry`, `renewal_status` (current / due / overdue),
  `days_overdue`, `ageing`, `renewal_states`, `is_backlog`, `is_ready`, `is_blocked`.

The summaries (analytics.reporting.summary and .renewals) count from these. The per-person
tables `applicants` and `certified` (docs/architecture.md) are built the first time they
are asked for, so a change of rule set or as-of date does not pay for a million
explanations it may never show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd

from analytics.loading.fields import SOURCE_COLUMNS, certified_rows
from analytics.rules import checks
from analytics.rules.checks import FAIL, MISSING, PASS, Columns, choose
from analytics.rules.rule_sets import FIELDS, Rule, RuleSet

ELIGIBLE, INCOMPLETE, INELIGIBLE = "eligible", "incomplete", "ineligible"
STATUSES = (ELIGIBLE, INCOMPLETE, INELIGIBLE)
CURRENT, DUE, OVERDUE = "current", "due", "overdue"
RENEWAL_STATUSES = (CURRENT, DUE, OVERDUE)
# Overdue ageing (DOMAIN §5): each bucket's label and the last day past expiry it holds;
# a bucket starts the day after the one before it ends, the first on day 1.
AGEING_LAST_DAY = {"1-30": 30, "31-60": 60, "61-90": 90, "91+": np.inf}
AGEING_BUCKETS = tuple(AGEING_LAST_DAY)
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
STATUS_DTYPE = pd.CategoricalDtype(list(STATUSES))
RENEWAL_STATUS_DTYPE = pd.CategoricalDtype(list(RENEWAL_STATUSES))
AGEING_DTYPE = pd.CategoricalDtype(["", *AGEING_BUCKETS])


@dataclass(frozen=True)
class RuleResult:
    """One rule's outcome over the applicants' (or certified practitioners') rows."""

    rule: Rule
    result: checks.Result

    @property
    def state(self) -> pd.Series:
        return self.result.state

    @property
    def shortfall(self) -> pd.Series | None:
        return self.result.shortfall

    @property
    def threshold(self) -> pd.Series | None:
        return self.result.threshold


class Evaluation:
    """Outcome of one rule set on one frame at one as-of date.

    Series and DataFrame attributes are indexed like `applicant_index` (admission) or
    `certified_index` (renewal); `applicants` and `certified` are the per-person tables of
    docs/architecture.md.
    """

    def __init__(self, frame: pd.DataFrame, rule_set: RuleSet, as_of: date):
        self.rule_set = rule_set
        self.as_of = as_of
        self.extra_columns = [
            c for c in frame.columns if c not in FIELDS and c not in SOURCE_COLUMNS
        ]
        applicants, certified = _split(frame)
        self.applicant_index = applicants.index
        self.certified_index = certified.index
        self.applicant_columns = Columns(applicants, as_of)
        self.certified_columns = Columns(certified, as_of)
        self._evaluate_admission()
        self._evaluate_renewal()

    def _evaluate_admission(self) -> None:
        cols = self.applicant_columns
        self.admission = _run_rules(self.rule_set.admission, cols)
        self.states = _states(self.admission, self.applicant_index)
        required = [r.id for r in self.rule_set.required]
        self.required_fails = _is_state(self.states, required, FAIL)
        self.n_fail = _count_state(self.states, required, FAIL)
        self.n_missing = _count_state(self.states, required, MISSING)
        self.status = choose(
            [self.n_fail > 0, self.n_missing > 0],
            [INELIGIBLE, INCOMPLETE],
            ELIGIBLE,
            STATUS_DTYPE,
            self.applicant_index,
        )
        self.is_near_miss = self.n_fail.eq(1) & self.n_missing.eq(0)

    def _evaluate_renewal(self) -> None:
        cols = self.certified_columns
        spec = self.rule_set.renewal
        computed = cols.dates("certified_on") + pd.DateOffset(years=spec.validity_years)
        given = cols.dates("certification_expiry")
        self.expiry = given.fillna(computed).astype("datetime64[ns]")
        days_left = (self.expiry - cols.as_of).dt.days.to_numpy()
        self.renewal_status = choose(
            [days_left < 0, days_left <= spec.window_days],
            [OVERDUE, DUE],
            CURRENT,
            RENEWAL_STATUS_DTYPE,
            self.certified_index,
        )
        days_overdue = np.maximum(-days_left, 0).astype("int64")  # 0 unless overdue
        self.days_overdue = pd.Series(days_overdue, index=self.certified_index, copy=False)
        self.ageing = ageing_labels(self.days_overdue)
        self.is_backlog = self.renewal_status.ne(CURRENT)
        self.renewal = _run_rules(spec.rules, cols)
        self.renewal_states = _states(self.renewal, self.certified_index)
        required = [r.id for r in spec.rules if r.is_required]
        is_blocked_by_rules = _count_state(self.renewal_states, required, PASS) < len(required)
        self.is_ready = self.is_backlog & ~is_blocked_by_rules
        self.is_blocked = self.is_backlog & is_blocked_by_rules

    # --- per-person tables -------------------------------------------------------------

    @cached_property
    def applicants(self) -> pd.DataFrame:
        cols = self.applicant_columns
        columns = _identity(cols)
        columns["status"] = self.status
        columns["is_near_miss"] = self.is_near_miss
        columns["n_fail"] = self.n_fail
        columns["n_missing"] = self.n_missing
        columns["failing"] = _true_columns(self.required_fails)
        no_shortfall = _all_missing(self.applicant_index)  # shared by every rule without
        for rr in self.admission.values():
            columns.update(_rule_columns(rr, no_shortfall))
        return _table(columns, cols.frame, self.extra_columns)

    @cached_property
    def certified(self) -> pd.DataFrame:
        cols = self.certified_columns
        columns = _identity(cols)
        columns["certified_on"] = _column(cols.frame, "certified_on")
        columns["expiry"] = self.expiry
        columns["renewal_status"] = self.renewal_status
        columns["days_overdue"] = self.days_overdue
        columns["ageing"] = self.ageing
        columns["is_backlog"] = self.is_backlog
        columns["is_ready"] = self.is_ready
        required = [r.id for r in self.rule_set.renewal.rules if r.is_required]
        not_passing = self.renewal_states[required].ne(PASS)
        not_passing.loc[~self.is_backlog] = False  # only the backlog is blocked
        columns["blocked_by"] = _true_columns(not_passing)
        for rr in self.renewal.values():
            columns.update(_rule_columns(rr))
        return _table(columns, cols.frame, self.extra_columns)


def evaluate(frame: pd.DataFrame, rule_set: RuleSet, as_of: date | None = None) -> Evaluation:
    """Evaluate `rule_set` on the loaded `frame` as of `as_of` (default: today)."""
    return Evaluation(frame, rule_set, as_of if as_of is not None else date.today())


def ageing_labels(days_overdue: pd.Series) -> pd.Series:
    """The ageing bucket of each row ("1-30" ... "91+"), "" when not overdue."""
    # A bucket holds the days after the previous bucket's last day (after day 0 for the
    # first); the latest bucket a row has passed the start of is its own.
    after = dict(zip(AGEING_BUCKETS, [0, *list(AGEING_LAST_DAY.values())[:-1]], strict=True))
    latest_first = list(reversed(after.items()))
    days = days_overdue.to_numpy()
    return choose(
        [days > day for _, day in latest_first],
        [bucket for bucket, _ in latest_first],
        "",
        AGEING_DTYPE,
        days_overdue.index,
    )


def category_counts(values: pd.Series, rows: pd.Series | None = None) -> np.ndarray:
    """How many rows (all, or those where `rows` is True) hold each category of the
    categorical `values`, in category order: `values[rows].value_counts(sort=False)` as
    an array, counted straight from the category codes (missing values not counted)."""
    # Shifted by one, a missing value (code -1) is counted in a slot of its own, left out;
    # weighted by `rows` (1 or 0 each), only those rows count.
    shifted = values.cat.codes.to_numpy().astype(np.intp) + 1
    weights = None if rows is None else rows.to_numpy(dtype=bool)
    counts = np.bincount(shifted, weights=weights, minlength=len(values.cat.categories) + 1)
    return counts[1:].astype("int64")


def blank_as(values: pd.Series, label: str) -> pd.Series:
    """A categorical of text values (blank ones missing) with the blanks named `label`."""
    if not values.hasnans:
        return values
    if label not in values.cat.categories:
        values = values.cat.add_categories([label])
    return values.fillna(label)


def explanations(rr: RuleResult) -> pd.Series:
    """Words per row: "" when the rule passes, why not otherwise, as a categorical.

    Each row's words are picked from a short vocabulary: "", the missing words, and the
    failure words of each distinct shortfall among the failing rows (one for a check
    without shortfalls), so a million rows cost a handful of worded sentences; held as
    codes into those sentences, a column costs a byte a row rather than its text (4 MB
    a rule over 100,000 applicants as `string`).
    """
    rule, state = rr.rule, rr.state
    is_failing = state.eq(FAIL).to_numpy()
    shortfall = rr.shortfall if rr.shortfall is not None else pd.Series(np.nan, state.index)
    which, distances = pd.factorize(shortfall.to_numpy()[is_failing], use_na_sentinel=False)
    vocabulary = [
        "",
        checks.explain_missing(rule.field_label),
        *(checks.explain_failure(rule.check, rule.params, d, rule.field_label) for d in distances),
    ]
    picked = np.zeros(len(state), dtype=np.intp)
    picked[state.eq(MISSING).to_numpy()] = 1
    picked[is_failing] = 2 + which
    codes, words = pd.factorize(np.array(vocabulary, dtype=object))  # sentences alike: one
    categories = pd.Index(words, dtype="string")
    return pd.Series(pd.Categorical.from_codes(codes[picked], categories), index=state.index)


# --- helpers -----------------------------------------------------------------------------


class _Rows:
    """Some rows of a frame, for `Columns` and the per-person tables: each column is
    taken (copied) once, when first asked for. Rules read a few columns; the whole frame
    is copied only if a per-person table is drawn (0.17 s and 30 MB of a 100,000-row frame
    interleaving applicants and register rows, which Home's figures never needed). The
    loader orders the kinds in blocks (`loader._kinds_in_blocks`), so only a frame built
    otherwise comes here."""

    def __init__(self, frame: pd.DataFrame, rows: np.ndarray):
        self._frame = frame
        self._positions = np.flatnonzero(rows)
        self.columns = frame.columns
        self.index = frame.index[self._positions]
        self._taken: dict = {}

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, name):
        if name not in self._taken:
            taken = self._frame[name].iloc[self._positions]
            taken.index = self.index  # one index for every column, not a copy each
            self._taken[name] = taken
        return self._taken[name]


def _split(frame: pd.DataFrame) -> tuple[pd.DataFrame | _Rows, pd.DataFrame | _Rows]:
    """(applicants, certified practitioners); the frame itself when it holds only one.

    Each side is a slice of the frame, sharing its memory, when the two kinds of row lie
    in one block each: the usual upload, an applicant export and a certification register
    read one after the other, and every frame the loader gives (it orders a mixed sheet's
    rows so). Interleaved rows are `_Rows`: copied a column at a time, as the columns are
    used."""
    is_certified = certified_rows(frame)
    if not is_certified.any():
        return frame, frame.iloc[0:0]
    if is_certified.all():
        return frame.iloc[0:0], frame
    turns = np.flatnonzero(is_certified[1:] != is_certified[:-1])
    if len(turns) == 1:
        first, second = frame.iloc[: turns[0] + 1], frame.iloc[turns[0] + 1 :]
        return (second, first) if is_certified[0] else (first, second)
    return _Rows(frame, ~is_certified), _Rows(frame, is_certified)


def _run_rules(rules: list[Rule], cols: Columns) -> dict[str, RuleResult]:
    return {
        rule.id: RuleResult(rule, checks.run(rule.check, cols, rule.field, rule.params))
        for rule in rules
    }


def _states(results: dict[str, RuleResult], index: pd.Index) -> pd.DataFrame:
    """One state column per rule (set order)."""
    return pd.DataFrame({rule_id: rr.state.array for rule_id, rr in results.items()}, index=index)


def _is_state(states: pd.DataFrame, rule_ids: list[str], state: str) -> pd.DataFrame:
    """True where the rule (one column each, `rule_ids` order) is in `state`."""
    flags = {rule_id: states[rule_id].eq(state).to_numpy() for rule_id in rule_ids}
    return pd.DataFrame(flags, index=states.index, columns=rule_ids, dtype=bool)


COUNT_DTYPE = "int16"  # counts of rules (at most MAX_RULES a table); int64 took 1.2 MB more


def _count_state(states: pd.DataFrame, rule_ids: list[str], state: str) -> pd.Series:
    """Per row, how many of the rules `rule_ids` are in `state`."""
    is_state = [states[rule_id].eq(state).to_numpy() for rule_id in rule_ids]
    count = np.sum(is_state, axis=0, dtype=COUNT_DTYPE) if is_state else 0
    return pd.Series(count, index=states.index, dtype=COUNT_DTYPE, copy=False)


def _true_columns(flags: pd.DataFrame) -> list[list[str]]:
    """Per row, the list of the names of the columns that hold True, in column order.

    Rows are numbered by their combination of flags and each combination is listed once;
    rows with the same combination share that list (a million rows cost a handful of
    lists rather than a million new ones: read them, do not edit them in place).
    """
    names = list(flags.columns)
    if not names:
        return [[]] * len(flags)
    combination = flags.groupby(names, sort=False).ngroup().to_numpy()
    combinations = flags.groupby(combination).first()
    listed = [
        [name for name, is_set in zip(names, row, strict=True) if is_set]
        for row in combinations.itertuples(index=False)
    ]
    return pd.Series(listed, dtype=object).take(combination).tolist()


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """The frame's column (a typed all-missing one when absent); canonical text held as
    a categorical comes back as `string`, the contract's dtype. A column the frame holds
    as it is comes back as the frame's own Series, which `_table` shares, not copies."""
    if name in frame.columns:
        column = frame[name]
        if name in FIELDS and isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype("string")
        return column
    kind = FIELDS.get(name, ("text",))[0]
    dtype = {"date": "datetime64[ns]", "number": "float64", "boolean": "boolean"}.get(
        kind, "string"
    )
    return pd.Series(index=frame.index, dtype=dtype)


def _identity(cols: Columns) -> dict:
    columns = {name: _column(cols.frame, name) for name in IDENTITY}
    # Each row's cohort label, taken from the distinct labels (blank: Unassigned).
    cohorts = blank_as(cols.text("cohort"), UNASSIGNED)
    labels = cohorts.cat.categories.astype("string").array
    columns["cohort"] = labels.take(cohorts.cat.codes.to_numpy())
    return columns


def _all_missing(index: pd.Index) -> pd.Series:
    """A float column of NaN only, read-only: a table may hold it under several names
    (one array, not one per rule: 0.6 MB each at 80,000 applicants); a write to any of
    them copies it first."""
    values = np.full(len(index), np.nan)
    values.flags.writeable = False
    return pd.Series(values, index=index, copy=False)


def _rule_columns(rr: RuleResult, no_shortfall: pd.Series | None = None) -> dict:
    """A rule's state and explanation columns, and with `no_shortfall` (the column for a
    rule that has none) its shortfall column."""
    rule_id = rr.rule.id
    columns = {f"state__{rule_id}": rr.state, f"explain__{rule_id}": explanations(rr)}
    if no_shortfall is not None:
        columns[f"short__{rule_id}"] = rr.shortfall if rr.shortfall is not None else no_shortfall
    return columns


def _table(columns: dict, frame: pd.DataFrame, extras: list[str]) -> pd.DataFrame:
    """The table: `columns`, then the remaining canonical fields, the source location and
    the extra columns, row for row (by position).

    The frame's own columns are shared, not copied (11 MB of a 100,000-row export): each
    goes in as a Series on the table's index, so pandas' copy-on-write copies it the
    first time either side writes to it, never before."""
    index = frame.index
    columns = {k: _on(index, v) for k, v in columns.items()}
    tail = {c: _on(index, _column(frame, c)) for c in FIELDS if c not in columns}
    tail.update({c: _on(index, frame[c]) for c in SOURCE_COLUMNS if c in frame.columns})
    extra = {c: _on(index, frame[c]) for c in extras}
    if set(extra).isdisjoint(columns) and set(extra).isdisjoint(tail):
        return pd.DataFrame({**columns, **tail, **extra}, index=index, copy=False)
    # An extra column named like a table column: keep both, as the export had them.
    parts = [columns, {**tail, **extra}]
    return pd.concat([pd.DataFrame(part, index=index, copy=False) for part in parts], axis=1)


def _on(index: pd.Index, values):
    """`values` by position on `index`: a Series re-labelled as a view (copy-on-write
    keeps it apart from its source), an array or a list as it is (each new here)."""
    if not isinstance(values, pd.Series) or values.index is index:
        return values
    return values.set_axis(index)
