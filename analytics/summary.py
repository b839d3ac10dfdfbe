"""Admission summaries of an Evaluation: overall, per group, gaps, combinations, funnel.

Every function counts from the Evaluation's int8 arrays with bincounts, so it costs a few
milliseconds on a million applicants and never builds the per-person table unless it must
list people (near_misses).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from analytics import evaluation as evaluation_module
from analytics.checks import FAIL, MISSING, PASS
from analytics.evaluation import (
    ELIGIBLE,
    INCOMPLETE,
    INELIGIBLE,
    UNASSIGNED,
    Evaluation,
    explanations,
)
from analytics.rules import RuleSet

NOT_GIVEN = "Not given"
DATE_CLOSENESS_DAYS = 365  # an expired licence counts as fully "off" after a year


def rate(part: int, whole: int) -> float:
    """part / whole, 0 when whole is 0 (DOMAIN §5)."""
    return float(part) / whole if whole else 0.0


def _status_counts(ev: Evaluation) -> list[int]:
    return [int(np.count_nonzero(ev.status_code == code)) for code in range(3)]


def overview(ev: Evaluation) -> dict:
    counts = _status_counts(ev)
    applicants = int(len(ev.status_code))
    return {
        "applicants": applicants,
        "eligible": int(counts[ELIGIBLE]),
        "incomplete": int(counts[INCOMPLETE]),
        "ineligible": int(counts[INELIGIBLE]),
        "eligibility_rate": rate(counts[ELIGIBLE], applicants),
        "near_miss": int(np.count_nonzero(ev.is_near_miss)),
    }


def group_codes(ev: Evaluation, column: str) -> tuple[np.ndarray, list[str]]:
    """Codes 0..k-1 per applicant and the k group labels (blank -> Unassigned / Not given)."""
    codes, uniques = ev.cols.codes(column)
    labels = [str(u) for u in uniques]
    blank = UNASSIGNED if column == "cohort" else NOT_GIVEN
    is_blank = codes < 0
    if is_blank.any():
        if blank not in labels:
            labels.append(blank)
        codes = codes.astype(np.intp)  # a copy: the cached codes stay as they are
        codes[is_blank] = labels.index(blank)
    return codes, labels


def eligibility_by(ev: Evaluation, column: str = "cohort") -> pd.DataFrame:
    """Per value of `column`: applicants, eligible, incomplete, ineligible, near_miss, rate.

    Sorted by the group's label; blank values are grouped as "Unassigned" (cohort) or
    "Not given" (any other column).
    """
    codes, labels = group_codes(ev, column)
    k = len(labels)
    # One bincount over (group, status, near miss): near misses are status 3 here.
    small = np.int16 if 4 * k < np.iinfo(np.int16).max else np.intp
    combined = codes.astype(small) * small(4)
    combined += ev.status_code
    combined += ev.is_near_miss  # ineligible (2) near misses -> 3
    counts = np.bincount(combined, minlength=4 * k).reshape(k, 4)
    by_status = counts[:, :3].copy()
    by_status[:, INELIGIBLE] += counts[:, 3]
    near = counts[:, 3].astype(np.int64)
    applicants = by_status.sum(axis=1)
    out = pd.DataFrame(
        {
            column: pd.Series(labels, dtype="string"),
            "applicants": applicants.astype(np.int64),
            "eligible": by_status[:, ELIGIBLE].astype(np.int64),
            "incomplete": by_status[:, INCOMPLETE].astype(np.int64),
            "ineligible": by_status[:, INELIGIBLE].astype(np.int64),
            "near_miss": near,
        }
    )
    out["eligibility_rate"] = [rate(e, a) for e, a in zip(out["eligible"], applicants, strict=True)]
    out = out[out["applicants"] > 0]
    return out.sort_values(column, kind="stable").reset_index(drop=True)


def gaps(ev: Evaluation, by: str | None = None) -> pd.DataFrame:
    """Per admission rule (set order): how many applicants fail it and how many miss it.

    With `by` (e.g. "cohort"), one row per group and rule.
    """
    rows = []
    if by is None:
        for rr in ev.admission.values():
            counts = [int(np.count_nonzero(rr.state == code)) for code in (PASS, FAIL, MISSING)]
            rows.append(_gap_row(rr.rule, counts))
        return pd.DataFrame(rows, columns=_GAP_COLUMNS)
    codes, labels = group_codes(ev, by)
    k = len(labels)
    present = np.bincount(codes, minlength=k) > 0
    for rr in ev.admission.values():
        counts = np.bincount(codes * 3 + rr.state, minlength=3 * k).reshape(k, 3)
        for g in np.flatnonzero(present):
            rows.append({by: labels[g], **_gap_row(rr.rule, counts[g])})
    out = pd.DataFrame(rows, columns=[by, *_GAP_COLUMNS])
    return out.sort_values(by, kind="stable").reset_index(drop=True)


_GAP_COLUMNS = ["rule_id", "label", "severity", "pass", "fail", "missing"]


def _gap_row(rule, counts) -> dict:
    return {
        "rule_id": rule.id,
        "label": rule.label,
        "severity": rule.severity,
        "pass": int(counts[PASS]),
        "fail": int(counts[FAIL]),
        "missing": int(counts[MISSING]),
    }


def failing_combinations(ev: Evaluation, top: int = 10) -> pd.DataFrame:
    """The most common sets of failing required rules among ineligible applicants.

    Columns: rules (tuple of rule ids, set order), labels (" + "-joined), n_rules,
    applicants, share (of the ineligible). Most common first; ties: fewer rules first.
    """
    required = ev.rule_set.required
    columns = ["rules", "labels", "n_rules", "applicants", "share"]
    if ev.fail_bits.dtype.itemsize <= 2:  # up to 16 required rules: count every pattern
        counts = np.bincount(ev.fail_bits, minlength=2)
        counts[0] = 0
        uniques = np.flatnonzero(counts)
        counts = counts[uniques]
    else:
        uniques, counts = np.unique(ev.fail_bits[ev.fail_bits != 0], return_counts=True)
    total = int(counts.sum())
    if total == 0:
        return pd.DataFrame(columns=columns).astype({"n_rules": "int64", "applicants": "int64"})
    rows = []
    for value, count in zip(uniques, counts, strict=True):
        chosen = [r for i, r in enumerate(required) if (int(value) >> i) & 1]
        rows.append(
            {
                "rules": tuple(r.id for r in chosen),
                "labels": " + ".join(r.label for r in chosen),
                "n_rules": len(chosen),
                "applicants": int(count),
                "share": rate(count, total),
            }
        )
    out = pd.DataFrame(rows, columns=columns)
    out = out.sort_values(["applicants", "n_rules", "labels"], ascending=[False, True, True])
    return out.head(top).reset_index(drop=True)


def near_misses(ev: Evaluation) -> pd.DataFrame:
    """Applicants one required rule away from eligible, closest first.

    `gap` says how far off they are, from 0 (almost there) to 1: for a number, the
    shortfall as a share of the threshold ("4 CME hours short" of 20 -> 0.2); for an
    expired date, days past / 365 (capped at 1); for a yes/no or list rule, 1.
    Ties: by applicant_id.
    """
    positions = np.flatnonzero(ev.is_near_miss)
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
    frames = []
    for rule in ev.rule_set.required:
        result = ev.admission[rule.id]
        rows = positions[result.state[positions] == FAIL]
        if len(rows) == 0:
            continue
        shortfall = (
            result.result.shortfall[rows]
            if result.result.shortfall is not None
            else np.full(len(rows), np.nan)
        )
        if result.result.threshold is not None:
            threshold = result.result.threshold[rows]
            gap = np.where(threshold > 0, shortfall / np.where(threshold > 0, threshold, 1), 1.0)
        elif rule.check == "date_on_or_after_as_of":
            gap = np.minimum(shortfall / DATE_CLOSENESS_DAYS, 1.0)
        else:
            gap = np.ones(len(rows))
        explain = explanations(result).to_numpy()[rows]
        frames.append(
            pd.DataFrame(
                {
                    "position": rows,
                    "rule_id": rule.id,
                    "label": rule.label,
                    "explain": pd.array(explain, dtype="string"),
                    "shortfall": shortfall,
                    "gap": np.clip(np.nan_to_num(gap, nan=1.0), 0.0, 1.0),
                }
            )
        )
    if not frames:
        empty = pd.DataFrame(columns=columns)
        return empty.astype({"rank": "int64", "shortfall": "float64", "gap": "float64"})
    hits = pd.concat(frames, ignore_index=True)
    people = ev.applicants.iloc[hits["position"].to_numpy()]
    hits["applicant_id"] = people["applicant_id"].to_numpy()
    hits["full_name"] = people["full_name"].to_numpy()
    hits["cohort"] = people["cohort"].to_numpy()
    hits["degree"] = people["degree"].to_numpy()
    hits = hits.sort_values(["gap", "applicant_id"], kind="stable").reset_index(drop=True)
    hits["rank"] = np.arange(1, len(hits) + 1)
    out = hits[columns].copy()
    for name in ("applicant_id", "full_name", "cohort", "degree"):
        out[name] = out[name].astype("string")
    return out


def funnel(ev: Evaluation) -> pd.DataFrame:
    """Applicants still in after each required rule, in set order.

    First row: all applicants (rule_id ""). `remaining` counts applicants passing that
    rule and every one before it; `dropped` how many the rule removed; `share` is
    remaining / applicants.
    """
    n = len(ev.status_code)
    still = np.ones(n, bool)
    rows = [{"step": 0, "rule_id": "", "label": "All applicants", "remaining": n, "dropped": 0}]
    for i, rule in enumerate(ev.rule_set.required, start=1):
        before = int(np.count_nonzero(still))
        still &= ev.admission[rule.id].state == PASS
        after = int(np.count_nonzero(still))
        rows.append(
            {
                "step": i,
                "rule_id": rule.id,
                "label": rule.label,
                "remaining": after,
                "dropped": before - after,
            }
        )
    out = pd.DataFrame(rows)
    out["share"] = [rate(r, n) for r in out["remaining"]]
    return out


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
