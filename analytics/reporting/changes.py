"""What changed between two uploads of the same CRM export (DOMAIN §7).

`compare(old, new)` takes two evaluations of one rule set (each side on its own as-of
date) and matches people by the applicant key of DOMAIN 3.9. It reads only the
evaluations' per-person tables (`applicants`, `certified`), never their internals.

The result holds the §7 figures (`to_dict()` is the JSON of `python -m analytics diff`),
a per-person table of what changed (`people`), the three lists a director acts on and the
status moves a Sankey draws. Everything is worked out on whole columns: the only Python
loops run over rules or over distinct values.

Which people `people` lists (`kind`):
- `continuing`: an applicant on both sides whose state changed on at least one admission
  rule (a status move always comes with one);
- `added` / `removed`: an applicant of one side only (`removed` excludes the next kind);
- `certified`: an applicant of the old side who is a certified practitioner in the new;
- `renewal`: a practitioner certified on both sides who renewed (later expiry) or whose
  certification became overdue.
`resolved` and `newly_failing` are the rule ids that went not pass -> pass and pass -> not
pass (fail or missing), as the §7 `rules` counts them; `what_changed` says it in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from analytics.loading import applicant_key
from analytics.rules import checks
from analytics.rules.evaluation import RENEWAL_STATUSES, STATUSES, Evaluation
from analytics.rules.rule_sets import FIELDS, Rule, RuleSet

NOT_PRESENT = "not present"
CERTIFIED = "certified"
OLD_STATES = (*STATUSES, NOT_PRESENT)
NEW_STATES = (*STATUSES, NOT_PRESENT, CERTIFIED)  # also what `people`'s statuses hold
KINDS = ("continuing", "added", "removed", "certified", "renewal")
IDENTITY_COLUMNS = ("applicant_id", "full_name", "email", "cohort", "programme", "country")
REPEATED_IDENTITY = ("cohort", "programme", "country")  # `people` holds these as categoricals
PEOPLE_COLUMNS = (
    *IDENTITY_COLUMNS,
    "kind",
    "old_status",
    "new_status",
    "resolved",
    "newly_failing",
    "what_changed",
)
OVERDUE_COLUMNS = (
    *IDENTITY_COLUMNS,
    "expiry",
    "days_overdue",
    "ageing",
    "blocked_by",
    "what_changed",
)

_ELIGIBLE = STATUSES.index("eligible")
_OVERDUE = RENEWAL_STATUSES.index("overdue")
_PASS = checks.STATES.index("pass")
_ABSENT = NEW_STATES.index(NOT_PRESENT)
_CERTIFIED = NEW_STATES.index(CERTIFIED)
_PACKED_FLAGS = 63  # rules per row that fit one int64 of flags
NOT_GIVEN = "not given"
NEW_APPLICANT = "new applicant"
NOT_IN_NEW = "not in the new export"
# Words for a status move, [old status][new status] in STATUSES order ("" = no move).
_STATUS_PHRASES = np.array(
    [
        ["", "no longer eligible", "no longer eligible"],
        ["now eligible", "", "now ineligible"],
        ["now eligible", "now incomplete", ""],
    ],
    dtype=object,
)


@dataclass(frozen=True)
class Changes:
    """The comparison of two uploads: the §7 figures as attributes, then the tables.

    `people`: PEOPLE_COLUMNS, one row per person who changed (see the module docstring),
    continuing first, then added, removed, certified, renewal; by applicant_id within.
    `newly_eligible_people`: applicants eligible now who were not (continuing or added;
    `old_status` says which). `no_longer_eligible_people`: continuing applicants eligible
    before and not now, with `newly_failing` and `what_changed` saying why.
    `newly_overdue_people`: OVERDUE_COLUMNS, practitioners to chase. `moves`: `old, new,
    applicants` for every old state (OLD_STATES) -> new state (NEW_STATES) an applicant
    can take, zeros included. `rule_changes`: `rule_id, label, severity, resolved, new`.
    """

    as_of: date
    old_as_of: date
    rule_set: RuleSet
    applicants: dict[str, int]
    status: dict[str, dict[str, int]]
    newly_eligible: int
    no_longer_eligible: int
    added_eligible: int
    became_certified: int
    rules: dict[str, dict[str, int]]
    renewals: dict[str, int]
    people: pd.DataFrame
    newly_eligible_people: pd.DataFrame
    no_longer_eligible_people: pd.DataFrame
    newly_overdue_people: pd.DataFrame
    moves: pd.DataFrame
    rule_changes: pd.DataFrame

    @property
    def has_changes(self) -> bool:
        """Whether anyone moved at all (False for identical uploads)."""
        return not self.people.empty

    def to_dict(self) -> dict:
        """The JSON object of DOMAIN §7, every value a plain JSON type."""
        return {
            "as_of": self.as_of.isoformat(),
            "old_as_of": self.old_as_of.isoformat(),
            "rule_set": self.rule_set.name,
            "applicants": dict(self.applicants),
            "status": {old: dict(row) for old, row in self.status.items()},
            "newly_eligible": self.newly_eligible,
            "no_longer_eligible": self.no_longer_eligible,
            "added_eligible": self.added_eligible,
            "became_certified": self.became_certified,
            "rules": {rule_id: dict(counts) for rule_id, counts in self.rules.items()},
            "renewals": dict(self.renewals),
        }


class _Side:
    """One evaluation's tables; `app_people` / `cert_people` (per row, the number of the
    person it is) are set by `_number_people`."""

    def __init__(self, ev: Evaluation, name: str):
        self.name = name
        self.applicants = ev.applicants
        self.certified = ev.certified
        self.status = _codes(self.applicants["status"], STATUSES)
        self.app_people = self.cert_people = np.empty(0, np.intp)


def _number_people(o: _Side, n: _Side) -> int:
    """Numbers every person of both sides by applicant key (DOMAIN 3.9) in one hashing
    pass, so that matching is integer lookups; returns how many people there are."""
    tables = [o.applicants, o.certified, n.applicants, n.certified]
    ids = pd.concat([t["applicant_id"] for t in tables], ignore_index=True)
    people, keys = pd.factorize(applicant_key(ids))
    if np.any(people < 0):
        raise ValueError("a row has no applicant_id: compare loads (load_exports rejects it)")
    bounds = np.cumsum([0, *(len(t) for t in tables)])
    o.app_people, o.cert_people, n.app_people, n.cert_people = (
        people[start:stop] for start, stop in zip(bounds[:-1], bounds[1:], strict=True)
    )
    for side in (o, n):
        rows = np.bincount(np.concatenate([side.app_people, side.cert_people]), minlength=1)
        if np.any(rows > 1):
            raise ValueError(
                f"the {side.name} side holds an applicant ID twice: compare loads whose "
                "duplicates are resolved (analytics.loading.load_exports does it)"
            )
    return len(keys)


def _row_of(people: np.ndarray, count: int) -> np.ndarray:
    """Per person number, the row of `people` holding it, -1 when none does."""
    rows = np.full(count, -1, np.intp)
    rows[people] = np.arange(len(people))
    return rows


def compare(old: Evaluation, new: Evaluation) -> Changes:
    """What changed from `old` to `new` (DOMAIN §7); both on the same rule set."""
    if old.rule_set != new.rule_set:
        raise ValueError("both sides must be evaluated on the same rule set")
    rule_set = new.rule_set
    o, n = _Side(old, "old"), _Side(new, "new")
    count = _number_people(o, n)
    new_applicant_row = _row_of(n.app_people, count)
    new_certified_row = _row_of(n.cert_people, count)

    in_new = new_applicant_row[o.app_people]  # per old applicant: its new row, or -1
    cont_old = np.flatnonzero(in_new >= 0)
    cont_new = in_new[cont_old]
    cert_in_new = new_certified_row[o.app_people]
    to_cert_old = np.flatnonzero(cert_in_new >= 0)
    gone_old = np.flatnonzero((in_new < 0) & (cert_in_new < 0))
    is_added = np.ones(len(n.app_people), bool)
    is_added[cont_new] = False
    added_new = np.flatnonzero(is_added)

    so, sn = o.status[cont_old], n.status[cont_new]
    k = len(STATUSES)
    grid = np.bincount(so * k + sn, minlength=k * k).reshape(k, k)
    states = [(rule, *_rule_states(o, n, rule, cont_old, cont_new)) for rule in rule_set.admission]
    is_resolved = {rule.id: (before != _PASS) & (after == _PASS) for rule, before, after in states}
    is_new = {rule.id: (before == _PASS) & (after != _PASS) for rule, before, after in states}
    rules = {
        rule.id: {"resolved": int(is_resolved[rule.id].sum()), "new": int(is_new[rule.id].sum())}
        for rule in rule_set.admission
    }

    renewals, renewal, chase = _renewals(o, n, new_certified_row[o.cert_people])
    people = _people(
        [
            _continuing_part(o, n, states, is_resolved, is_new, cont_old, cont_new),
            _part(n.applicants, added_new, "added", _ABSENT, n.status[added_new], NEW_APPLICANT),
            _part(o.applicants, gone_old, "removed", o.status[gone_old], _ABSENT, NOT_IN_NEW),
            _certified_part(o, n, to_cert_old, cert_in_new[to_cert_old]),
            renewal,
        ]
    )

    return Changes(
        as_of=new.as_of,
        old_as_of=old.as_of,
        rule_set=rule_set,
        applicants={
            "old": len(o.app_people),
            "new": len(n.app_people),
            "added": len(added_new),
            "removed": len(o.app_people) - len(cont_old),
            "continuing": len(cont_old),
        },
        status={
            before: {after: int(grid[i, j]) for j, after in enumerate(STATUSES)}
            for i, before in enumerate(STATUSES)
        },
        newly_eligible=int(grid[1:, _ELIGIBLE].sum()),
        no_longer_eligible=int(grid[_ELIGIBLE, 1:].sum()),
        added_eligible=int(np.count_nonzero(n.status[added_new] == _ELIGIBLE)),
        became_certified=len(to_cert_old),
        rules=rules,
        renewals=renewals,
        people=people,
        newly_eligible_people=_rows(
            people, (people["new_status"] == "eligible") & (people["old_status"] != "eligible")
        ),
        no_longer_eligible_people=_rows(
            people,
            (people["kind"] == "continuing")
            & (people["old_status"] == "eligible")
            & (people["new_status"] != "eligible"),
        ),
        newly_overdue_people=chase,
        moves=_moves(grid, o.status, n.status, to_cert_old, gone_old, added_new),
        rule_changes=pd.DataFrame(
            {
                "rule_id": [r.id for r in rule_set.admission],
                "label": [r.label for r in rule_set.admission],
                "severity": [r.severity for r in rule_set.admission],
                "resolved": [rules[r.id]["resolved"] for r in rule_set.admission],
                "new": [rules[r.id]["new"] for r in rule_set.admission],
            }
        ),
    )


def _renewals(o: _Side, n: _Side, in_new: np.ndarray) -> tuple[dict, _Part, pd.DataFrame]:
    """§7 `renewals` over the practitioners of both sides (`in_new`: per old practitioner,
    its row in the new register or -1), their part of `people`, and the list to chase."""
    both_old = np.flatnonzero(in_new >= 0)
    both_new = in_new[both_old]
    old_expiry = _dates(o.certified["expiry"])[both_old]
    new_expiry = _dates(n.certified["expiry"])[both_new]
    is_renewed = new_expiry > old_expiry  # NaT compares False
    old_overdue = _codes(o.certified["renewal_status"], RENEWAL_STATUSES)[both_old] == _OVERDUE
    new_overdue = _codes(n.certified["renewal_status"], RENEWAL_STATUSES)[both_new] == _OVERDUE
    is_newly_overdue = new_overdue & ~old_overdue
    counts = {
        "old_certified": len(o.cert_people),
        "new_certified": len(n.cert_people),
        "renewed": int(is_renewed.sum()),
        "newly_overdue": int(is_newly_overdue.sum()),
    }
    rows = np.flatnonzero(is_renewed | is_newly_overdue)
    part = _renewal_part(
        n, both_new[rows], old_expiry[rows], is_renewed[rows], is_newly_overdue[rows]
    )
    is_chased = np.zeros(len(n.cert_people), bool)  # per new practitioner
    is_chased[both_new[is_newly_overdue]] = True
    return counts, part, _newly_overdue(part, is_chased[part.positions])


# --- per-person parts ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    """The people of one kind: rows of one table and, per row, what `people` says of them
    (statuses as codes into NEW_STATES), in applicant_id order."""

    table: pd.DataFrame
    positions: np.ndarray
    kind: str
    old_status: np.ndarray
    new_status: np.ndarray
    what_changed: np.ndarray
    resolved: np.ndarray
    newly_failing: np.ndarray


def _part(
    table, positions, kind, old_status, new_status, what_changed, resolved=None, newly_failing=None
) -> _Part:
    count = len(positions)
    order = np.asarray(table["applicant_id"].array.take(positions).argsort())
    nothing = _id_tuples([], [], count)

    def per_row(values, dtype=object):
        values = np.broadcast_to(np.asarray(values, dtype=dtype), (count,))
        return values[order]

    return _Part(
        table,
        positions[order],
        kind,
        per_row(old_status, np.intp),
        per_row(new_status, np.intp),
        per_row(what_changed),
        (resolved if resolved is not None else nothing)[order],
        (newly_failing if newly_failing is not None else nothing)[order],
    )


def _continuing_part(o, n, states, is_resolved, is_new, cont_old, cont_new) -> _Part:
    """Continuing applicants with a changed rule state, and their sentence."""
    changed = np.zeros(len(cont_old), bool)
    for _, before, after in states:
        changed |= before != after
    rows = np.flatnonzero(changed)
    old_pos, new_pos = cont_old[rows], cont_new[rows]
    so, sn = o.status[old_pos], n.status[new_pos]
    # Clauses per group: required rules toward pass (bare, and with ": now passes"),
    # required rules away from pass, advisory rules toward (full) and away.
    empty = np.full(len(rows), "", dtype=object)
    req_bare, req_full, req_away, adv_full, adv_away = (empty.copy() for _ in range(5))
    for rule, before, after in states:
        before, after = before[rows], after[rows]
        toward = np.flatnonzero((after == _PASS) & (before != _PASS))
        away = np.flatnonzero((after != _PASS) & (before != after))
        if len(toward):
            bare = _resolved_clause(rule, o, n, old_pos[toward], new_pos[toward])
            full = bare + ": now passes"
            if rule.is_required:
                req_bare[toward] = _join(req_bare[toward], bare)
                req_full[toward] = _join(req_full[toward], full)
            else:
                adv_full[toward] = _join(adv_full[toward], full)
        if len(away):
            why = _text(n.applicants[f"explain__{rule.id}"], new_pos[away])
            why = np.where(why == "", rule.label, why)
            target = req_away if rule.is_required else adv_away
            target[away] = _join(target[away], why)
    phrase = _STATUS_PHRASES[so, sn]
    has_req_bare = req_bare != ""
    improved, worsened = sn < so, sn > so
    lead = np.where(improved & has_req_bare, req_bare, req_away)
    rest_improved = np.where(
        has_req_bare, _join(_join(adv_full, req_away), adv_away), _join(adv_full, adv_away)
    )
    rest_worsened = _join(_join(req_full, adv_full), adv_away)
    unchanged = _join(_join(_join(req_full, req_away), adv_full), adv_away)
    moved = lead + ": " + phrase
    sentence = np.where(
        improved,
        _join(moved, rest_improved),
        np.where(worsened, _join(moved, rest_worsened), unchanged),
    )
    rule_ids = [rule.id for rule, _, _ in states]
    return _part(
        n.applicants,
        new_pos,
        "continuing",
        so,
        sn,
        sentence,
        resolved=_id_tuples([is_resolved[r][rows] for r in rule_ids], rule_ids, len(rows)),
        newly_failing=_id_tuples([is_new[r][rows] for r in rule_ids], rule_ids, len(rows)),
    )


def _resolved_clause(rule: Rule, o, n, old_pos, new_pos) -> np.ndarray:
    """ "CME hours 12 -> 30" (or "CME hours 30" when the value stayed; the label alone for
    free text, which is not repeated)."""
    kind = FIELDS[rule.field][0]
    label = np.full(len(new_pos), rule.field_label, dtype=object)
    if kind == "text" or rule.field not in n.applicants.columns:
        return label
    before = _words(o.applicants[rule.field], old_pos, kind)
    after = _words(n.applicants[rule.field], new_pos, kind)
    return label + " " + np.where(before == after, after, before + " -> " + after)


def _certified_part(o, n, old_pos, cert_pos) -> _Part:
    """ "certified on 2026-11-02" (or the expiry, when the register gives no date)."""
    certified_on = _words(n.certified["certified_on"], cert_pos, "date")
    expiry = _words(n.certified["expiry"], cert_pos, "date")
    sentence = np.where(
        certified_on == NOT_GIVEN,
        "certified (certification expires " + expiry + ")",
        "certified on " + certified_on,
    )
    return _part(n.certified, cert_pos, "certified", o.status[old_pos], _CERTIFIED, sentence)


def _renewal_part(n, cert_pos, old_expiry, is_renewed, is_newly_overdue) -> _Part:
    """Practitioners on both sides who renewed or became overdue."""
    count = len(cert_pos)
    before = _words(pd.Series(old_expiry, dtype="datetime64[ns]"), np.arange(count), "date")
    after = _words(n.certified["expiry"], cert_pos, "date")
    renewed = np.where(
        is_renewed, "certification expiry " + before + " -> " + after + ": renewed", ""
    ).astype(object)
    days = n.certified["days_overdue"].to_numpy()[cert_pos]
    overdue = np.where(
        is_newly_overdue,
        "certification expired "
        + days.astype(str).astype(object)
        + np.where(days == 1, " day", " days").astype(object)
        + " ago: renewal overdue",
        "",
    ).astype(object)
    sentence = _join(renewed, overdue)
    return _part(n.certified, cert_pos, "renewal", _CERTIFIED, _CERTIFIED, sentence)


def _people(parts: list[_Part]) -> pd.DataFrame:
    """PEOPLE_COLUMNS for the parts, in their order."""
    identity = pd.concat(
        [p.table[list(IDENTITY_COLUMNS)].take(p.positions) for p in parts], ignore_index=True
    )
    sizes = [len(p.positions) for p in parts]
    kinds = np.repeat([KINDS.index(p.kind) for p in parts], sizes)

    def joined(name: str) -> np.ndarray:
        return np.concatenate([getattr(p, name) for p in parts])

    def states(name: str) -> pd.Categorical:
        return pd.Categorical.from_codes(joined(name), categories=list(NEW_STATES))

    def repeated(values) -> pd.Series:
        """Text that repeats ("new applicant" on most rows; a handful of cohorts) as a
        categorical of text: a code a row, not the text again (6 MB at 80,000 people)."""
        return pd.Series(values, dtype="string").astype("category")

    return pd.DataFrame(
        {
            **{
                column: repeated(identity[column].array)
                if column in REPEATED_IDENTITY
                else identity[column].array
                for column in IDENTITY_COLUMNS
            },
            "kind": pd.Categorical.from_codes(kinds, categories=list(KINDS)),
            "old_status": states("old_status"),
            "new_status": states("new_status"),
            "resolved": joined("resolved"),
            "newly_failing": joined("newly_failing"),
            "what_changed": repeated(joined("what_changed")),
        }
    )


def _newly_overdue(part: _Part, is_newly_overdue: np.ndarray) -> pd.DataFrame:
    """The renewal part's newly overdue rows with what the chase list shows."""
    rows = np.flatnonzero(is_newly_overdue)
    columns = [c for c in OVERDUE_COLUMNS if c != "what_changed"]
    chase = part.table[columns].take(part.positions[rows]).reset_index(drop=True)
    chase["what_changed"] = pd.array(part.what_changed[rows], dtype="string")
    return chase


def _rows(people: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    return people.loc[mask.to_numpy()].reset_index(drop=True)


def _moves(grid, old_status, new_status, to_cert_old, gone_old, added_new) -> pd.DataFrame:
    """Applicants per (old state, new state), every possible pair, zeros included."""
    counts = {
        (a, b): int(grid[i, j]) for i, a in enumerate(STATUSES) for j, b in enumerate(STATUSES)
    }
    to_cert = np.bincount(old_status[to_cert_old], minlength=3)
    gone = np.bincount(old_status[gone_old], minlength=3)
    added = np.bincount(new_status[added_new], minlength=3)
    for i, state in enumerate(STATUSES):
        counts[(state, NOT_PRESENT)] = int(gone[i])
        counts[(state, CERTIFIED)] = int(to_cert[i])
        counts[(NOT_PRESENT, state)] = int(added[i])
    pairs = [(a, b) for a in OLD_STATES for b in NEW_STATES if (a, b) in counts]
    return pd.DataFrame(
        {
            "old": [a for a, _ in pairs],
            "new": [b for _, b in pairs],
            "applicants": np.array([counts[p] for p in pairs], dtype=np.int64),
        }
    )


# --- helpers -------------------------------------------------------------------------------


def _rule_states(o, n, rule: Rule, cont_old, cont_new) -> tuple[np.ndarray, np.ndarray]:
    column = f"state__{rule.id}"
    before = _codes(o.applicants[column], checks.STATES)[cont_old]
    after = _codes(n.applicants[column], checks.STATES)[cont_new]
    return before, after


def _codes(column: pd.Series, labels) -> np.ndarray:
    """Position of each value in `labels` (categorical or text column), -1 for others."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype) and list(dtype.categories) == list(labels):
        return column.cat.codes.to_numpy()  # the tables' own categoricals: no recoding
    return pd.Categorical(column, categories=list(labels)).codes


def _dates(column: pd.Series) -> np.ndarray:
    return column.to_numpy(dtype="datetime64[ns]")


def _text(column: pd.Series, positions: np.ndarray) -> np.ndarray:
    return column.iloc[positions].to_numpy(dtype=object, na_value="")


def _words(column: pd.Series, positions: np.ndarray, kind: str) -> np.ndarray:
    """A field's values at `positions` as words: 12.5, 2026-11-02, yes, medicine."""
    values = column.iloc[positions]
    missing = values.isna().to_numpy()
    if kind == "number":
        numbers = values.to_numpy(dtype="float64", na_value=0.0)
        text = np.strings.rstrip(np.strings.rstrip(np.strings.mod("%.2f", numbers), "0"), ".")
    elif kind == "date":
        text = values.dt.strftime("%Y-%m-%d").to_numpy(dtype=object, na_value="")
    elif kind == "boolean":
        text = np.where(values.to_numpy(dtype=bool, na_value=False), "yes", "no")
    else:  # a category key: "physician_associate" reads "physician associate"
        text = values.astype("string").str.replace("_", " ").to_numpy(dtype=object, na_value="")
    words = np.asarray(text, dtype=object)
    words[missing] = NOT_GIVEN
    return words


def _join(first: np.ndarray, second: np.ndarray, sep: str = "; ") -> np.ndarray:
    """Element-wise "first; second", leaving out a blank side."""
    return np.where(first == "", second, np.where(second == "", first, first + sep + second))


def _id_tuples(flags: list[np.ndarray], rule_ids: list[str], count: int) -> np.ndarray:
    """Per row, the tuple of the rule ids whose flag is set (built once per distinct
    combination: the flags are packed into one integer per row and factorised)."""
    if not flags or count == 0:
        none = np.empty(count, dtype=object)
        none.fill(())
        return none
    if len(flags) < _PACKED_FLAGS:
        packed = np.zeros(count, np.int64)
        for i, flag in enumerate(flags):
            packed |= flag.astype(np.int64) << i
        inverse, uniques = pd.factorize(packed)
        combos = [[(int(u) >> i) & 1 for i in range(len(flags))] for u in uniques]
    else:
        combos, inverse = np.unique(np.stack(flags, axis=1), axis=0, return_inverse=True)
        combos = combos.tolist()
    per_combo = np.empty(len(combos), dtype=object)
    for j, row in enumerate(combos):  # element by element: tuples are no rows
        per_combo[j] = tuple(r for r, on in zip(rule_ids, row, strict=True) if on)
    return per_combo[inverse.reshape(-1)]


# --- text ----------------------------------------------------------------------------------


def _n(value: int) -> str:
    return f"{value:,}"


def render_text(changes: Changes) -> str:
    """One paragraph a director can paste into an email: counts only, naming no one."""
    a, r = changes.applicants, changes.renewals
    labels = {rule.id: rule.label for rule in changes.rule_set.admission}
    out = [
        f"Compared with the previous upload ({changes.rule_set.label} rules; previous "
        f"upload judged as of {changes.old_as_of.isoformat()}, this one as of "
        f"{changes.as_of.isoformat()})."
    ]
    if not changes.has_changes:
        out.append("Nothing changed between the two uploads.")
    gone = f"{_n(a['removed'])} no longer listed as applicants" if a["removed"] else "none gone"
    if changes.became_certified:
        gone += f" ({_n(changes.became_certified)} of them now certified)"
    out.append(
        f"Applicants: {_n(a['new'])} now against {_n(a['old'])} before; {_n(a['added'])} "
        f"new, {gone}, {_n(a['continuing'])} in both."
    )
    if a["continuing"]:
        out.append(
            f"Of those in both, {_n(changes.newly_eligible)} became eligible and "
            f"{_n(changes.no_longer_eligible)} are no longer eligible."
        )
    else:
        out.append("No applicant appears in both uploads.")
    if a["added"]:
        out.append(f"{_n(changes.added_eligible)} of the new applicants are eligible.")
    met = _rule_list(changes.rules, labels, "resolved")
    unmet = _rule_list(changes.rules, labels, "new")
    if met or unmet:
        out.append(
            f"Requirements newly met: {met or 'none'}; newly unmet or not given: {unmet or 'none'}."
        )
    out.append(
        f"Certified practitioners: {_n(r['new_certified'])} now against "
        f"{_n(r['old_certified'])} before; of those on both, {_n(r['renewed'])} renewed and "
        f"{_n(r['newly_overdue'])} became overdue."
    )
    return " ".join(out) + "\n"


def _rule_list(rules: dict, labels: dict, key: str) -> str:
    counted = sorted(
        ((counts[key], rule_id) for rule_id, counts in rules.items() if counts[key]),
        key=lambda item: -item[0],
    )
    return ", ".join(f"{labels[rule_id]} ({_n(count)})" for count, rule_id in counted)
