"""Admission summaries of an Evaluation: overall, per group, gaps, combinations, funnel.

Every function counts from the Evaluation's per-applicant Series and its `states` frame
(one "pass" / "fail" / "missing" column per admission rule): counts per category
(`evaluation.category_counts`, the value counts of a categorical) of the statuses, of each
rule's states and of the group labels among the rows of each status; value counts of the
combinations of failing rules; a loop over the required rules for the funnel. None builds
the per-person table unless it must list people (near_misses).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from analytics.rules import evaluation as evaluation_module
from analytics.rules.checks import FAIL, PASS, STATES
from analytics.rules.evaluation import (
    ELIGIBLE,
    INCOMPLETE,
    INELIGIBLE,
    STATUSES,
    UNASSIGNED,
    Evaluation,
    blank_as,
    category_counts,
)
from analytics.rules.rule_sets import RuleSet

NOT_GIVEN = "Not given"
DATE_CLOSENESS_DAYS = 365  # an expired licence counts as fully "off" after a year


def rate(part: int, whole: int) -> float:
    """part / whole, 0 when whole is 0 (DOMAIN §5)."""
    return float(part) / whole if whole else 0.0


def overview(ev: Evaluation) -> dict:
    counts = dict(zip(STATUSES, category_counts(ev.status).tolist(), strict=True))
    applicants = sum(counts.values())
    return {
        "applicants": applicants,
        "eligible": counts[ELIGIBLE],
        "incomplete": counts[INCOMPLETE],
        "ineligible": counts[INELIGIBLE],
        "eligibility_rate": rate(counts[ELIGIBLE], applicants),
        "near_miss": int(ev.is_near_miss.sum()),
    }


def group_labels(ev: Evaluation, column: str) -> pd.Series:
    """Each applicant's value of `column` as a categorical group label; a blank value is
    "Unassigned" (cohort) or "Not given" (any other column)."""
    blank = UNASSIGNED if column == "cohort" else NOT_GIVEN
    return blank_as(ev.applicant_columns.text(column), blank)


def _count_by(groups: pd.Series, subsets: dict) -> tuple[pd.Index, dict]:
    """How many rows of each subset (name -> boolean Series; None: every row) fall in each
    group: the labels of the groups that occur and, per subset, an array of counts
    aligned with them. The subsets together cover every row."""
    counts = {subset: category_counts(groups, rows) for subset, rows in subsets.items()}
    occurs = np.sum(list(counts.values()), axis=0) > 0
    return groups.cat.categories[occurs], {s: count[occurs] for s, count in counts.items()}


def eligibility_by(ev: Evaluation, column: str = "cohort") -> pd.DataFrame:
    """Per value of `column`: applicants, eligible, incomplete, ineligible, near_miss, rate.

    Sorted by the group's label; blank values are grouped as "Unassigned" (cohort) or
    "Not given" (any other column).
    """
    subsets = {
        "applicants": None,
        ELIGIBLE: ev.status.eq(ELIGIBLE),
        INELIGIBLE: ev.status.eq(INELIGIBLE),
        "near_miss": ev.is_near_miss,
    }
    labels, counts = _count_by(group_labels(ev, column), subsets)
    applicants, eligible = counts["applicants"], counts[ELIGIBLE]
    out = pd.DataFrame(
        {
            column: labels.astype("string"),
            "applicants": applicants,
            ELIGIBLE: eligible,
            INCOMPLETE: applicants - eligible - counts[INELIGIBLE],
            INELIGIBLE: counts[INELIGIBLE],
            "near_miss": counts["near_miss"],
            "eligibility_rate": eligible / applicants,
        }
    )
    return out.sort_values(column, kind="stable", ignore_index=True)


_GAP_COLUMNS = ["rule_id", "label", "severity", "pass", "fail", "missing"]


def gaps(ev: Evaluation, by: str | None = None) -> pd.DataFrame:
    """Per admission rule (set order): how many applicants pass, fail and miss it.

    With `by` (e.g. "cohort"), one row per group and rule, sorted by group.
    """
    rules = ev.rule_set.admission
    if by is None:
        counts = [category_counts(ev.states[r.id]).tolist() for r in rules]  # STATES order
        rows = [(r.id, r.label, r.severity, *c) for r, c in zip(rules, counts, strict=True)]
        return pd.DataFrame(rows, columns=_GAP_COLUMNS)
    if len(ev.applicant_index) == 0:
        return pd.DataFrame(columns=[by, *_GAP_COLUMNS])
    groups = group_labels(ev, by)
    parts = []
    for rule in rules:
        state = ev.states[rule.id]
        labels, counts = _count_by(groups, {s: state.eq(s) for s in STATES})
        # `str` labels, like the table's other text columns (eligibility_by's are `string`)
        part = {by: labels.astype(str), "rule_id": rule.id, "label": rule.label}
        parts.append(pd.DataFrame({**part, "severity": rule.severity, **counts}))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(by, kind="stable").reset_index(drop=True)


def failing_combinations(ev: Evaluation, top: int = 10) -> pd.DataFrame:
    """The most common sets of failing required rules among ineligible applicants.

    Columns: rules (tuple of rule ids, set order), labels (" + "-joined), n_rules,
    applicants, share (of the ineligible). Most common first; ties: fewer rules first.
    """
    required = ev.rule_set.required
    columns = ["rules", "labels", "n_rules", "applicants", "share"]
    fails, n_fail = ev.required_fails, ev.n_fail.to_numpy()
    total = int(np.count_nonzero(n_fail))
    if total == 0:
        return pd.DataFrame(columns=columns).astype({"n_rules": "int64", "applicants": "int64"})
    # One failing rule is a column sum; two or more, the value counts of the combinations.
    single = [int(np.count_nonzero(fails[r.id].to_numpy() & (n_fail == 1))) for r in required]
    counts = [((rule,), n) for rule, n in zip(required, single, strict=True)]
    for flags, n in fails[n_fail > 1].value_counts(sort=False).items():
        counts.append((tuple(r for r, failed in zip(required, flags, strict=True) if failed), n))
    rows = [
        {
            "rules": tuple(r.id for r in chosen),
            "labels": " + ".join(r.label for r in chosen),
            "n_rules": len(chosen),
            "applicants": int(n),
            "share": rate(n, total),
        }
        for chosen, n in counts
        if n
    ]
    rows.sort(key=lambda row: (-row["applicants"], row["n_rules"], row["labels"]))
    return pd.DataFrame(rows[:top], columns=columns)


def near_misses(ev: Evaluation) -> pd.DataFrame:
    """Applicants one required rule away from eligible, closest first.

    `gap` says how far off they are, from 0 (almost there) to 1: for a number, the
    shortfall as a share of the threshold ("4 CME hours short" of 20 -> 0.2); for an
    expired date, days past / 365 (capped at 1); for a yes/no or list rule, 1.
    Ties: by applicant_id.
    """
    columns = [
        "rank",
        "applicant_id",
        "full_name",
        "cohort",
        "degree",
        "rule_id",
        "label",
        "explain",
        "shortfall",
        "gap",
    ]
    identity = ["applicant_id", "full_name", "cohort", "degree"]
    frames = []
    for rule in ev.rule_set.required:
        rr = ev.admission[rule.id]
        rows = ev.is_near_miss & rr.state.eq(FAIL)
        if not rows.any():
            continue
        nan = pd.Series(np.nan, index=rr.state.index)
        shortfall = (rr.shortfall if rr.shortfall is not None else nan)[rows]
        if rr.threshold is not None:
            threshold = rr.threshold[rows]
            gap = (shortfall / threshold).where(threshold > 0, 1.0)
        elif rule.check == "date_on_or_after_as_of":
            gap = (shortfall / DATE_CLOSENESS_DAYS).clip(upper=1.0)
        else:
            gap = pd.Series(1.0, index=shortfall.index)
        chosen = rows.to_numpy()
        people = ev.applicants.loc[chosen, identity]
        why = ev.applicants[f"explain__{rule.id}"][chosen]  # the table's own words
        frames.append(
            people.assign(
                rule_id=rule.id,
                label=rule.label,
                explain=why.astype("string").array,
                shortfall=shortfall.to_numpy(),
                gap=gap.fillna(1.0).clip(0.0, 1.0).to_numpy(),
            )
        )
    if not frames:
        empty = pd.DataFrame(columns=columns)
        return empty.astype({"rank": "int64", "shortfall": "float64", "gap": "float64"})
    hits = pd.concat(frames, ignore_index=True)
    hits = hits.sort_values(["gap", "applicant_id"], kind="stable").reset_index(drop=True)
    hits["rank"] = np.arange(1, len(hits) + 1)
    return hits[columns].astype({name: "string" for name in identity})


def funnel(ev: Evaluation) -> pd.DataFrame:
    """Applicants still in after each required rule, in set order.

    First row: all applicants (rule_id ""). `remaining` counts applicants passing that
    rule and every one before it; `dropped` how many the rule removed; `share` is
    remaining / applicants.
    """
    n = len(ev.applicant_index)
    rows = [{"step": 0, "rule_id": "", "label": "All applicants", "remaining": n, "dropped": 0}]
    still_in = np.ones(n, dtype=bool)
    for step, rule in enumerate(ev.rule_set.required, start=1):
        still_in &= ev.states[rule.id].eq(PASS).to_numpy()
        remaining = int(still_in.sum())
        rows.append(
            {
                "step": step,
                "rule_id": rule.id,
                "label": rule.label,
                "remaining": remaining,
                "dropped": rows[-1]["remaining"] - remaining,
            }
        )
    return pd.DataFrame([{**row, "share": rate(row["remaining"], n)} for row in rows])


def what_if(
    frame: pd.DataFrame,
    baseline: RuleSet,
    candidate: RuleSet,
    as_of: date | None = None,
    by: str = "cohort",
) -> pd.DataFrame:
    """Eligibility under `baseline` and under `candidate`, per value of `by`.

    Columns: <by>, applicants, eligible_before, eligible_after, rate_before, rate_after,
    delta (eligible_after - eligible_before), rate_delta.
    """
    before = evaluation_module.evaluate(frame, baseline, as_of)
    after = evaluation_module.evaluate(frame, candidate, as_of)
    left = eligibility_by(before, by)[[by, "applicants", "eligible", "eligibility_rate"]]
    right = eligibility_by(after, by)[[by, "eligible", "eligibility_rate"]]
    out = left.merge(right, on=by, suffixes=("_before", "_after"))
    out = out.rename(
        columns={
            "eligibility_rate_before": "rate_before",
            "eligibility_rate_after": "rate_after",
        }
    )
    out["delta"] = out["eligible_after"] - out["eligible_before"]
    out["rate_delta"] = out["rate_after"] - out["rate_before"]
    return out[
        [
            by,
            "applicants",
            "eligible_before",
            "eligible_after",
            "rate_before",
            "rate_after",
            "delta",
            "rate_delta",
        ]
    ]
