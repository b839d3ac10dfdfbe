"""Admission summaries of an Evaluation: overall, per group, gaps, combinations, funnel.

Every function counts from the Evaluation's int8 arrays with bincounts, so it costs a few
milliseconds on a million applicants and never builds the per-person table unless it must
list people (near_misses).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from analytics.rules import evaluation as evaluation_module
from analytics.rules.checks import FAIL, MISSING, PASS
from analytics.rules.evaluation import (
    ELIGIBLE,
    INCOMPLETE,
    INELIGIBLE,
    UNASSIGNED,
    Evaluation,
    explanations,
)
from analytics.rules.rule_sets import RuleSet

NOT_GIVEN = "Not given"
DATE_CLOSENESS_DAYS = 365  # an expired licence counts as fully "off" after a year


def rate(part: int, whole: int) -> float:
    """part / whole, 0 when whole is 0 (DOMAIN §5)."""
    return float(part) / whole if whole else 0.0


def _by_status(counts: np.ndarray, ev: Evaluation) -> tuple[np.ndarray, np.ndarray]:
    """From applicants per pattern (last axis): applicants per status (3 columns) and near
    misses, over the leading axes."""
    patterns = ev.patterns
    one_hot = (patterns.status[:, None] == np.arange(3)).astype(np.int64)
    return counts @ one_hot, counts @ patterns.near_miss.astype(np.int64)


def overview(ev: Evaluation) -> dict:
    counts, near = _by_status(ev.pattern_counts, ev)
    applicants = int(counts.sum())
    return {
        "applicants": applicants,
        "eligible": int(counts[ELIGIBLE]),
        "incomplete": int(counts[INCOMPLETE]),
        "ineligible": int(counts[INELIGIBLE]),
        "eligibility_rate": rate(counts[ELIGIBLE], applicants),
        "near_miss": int(near),
    }


def _group_labels(column: str, uniques) -> tuple[list[str], str]:
    return [str(u) for u in uniques], UNASSIGNED if column == "cohort" else NOT_GIVEN


def group_codes(ev: Evaluation, column: str) -> tuple[np.ndarray, list[str]]:
    """Codes 0..k-1 per applicant (intp) and the k group labels (blank -> Unassigned /
    Not given)."""
    codes, uniques = ev.cols.codes(column)
    labels, blank = _group_labels(column, uniques)
    codes = codes.astype(np.intp)  # a copy: the cached codes stay as they are
    is_blank = codes < 0
    if is_blank.any():
        if blank not in labels:
            labels.append(blank)
        codes[is_blank] = labels.index(blank)
    return codes, labels


def _grouped_pattern_counts(ev: Evaluation, column: str) -> tuple[np.ndarray, list[str]]:
    """Applicants per (group, pattern) with blanks folded into their label's row."""
    counts, uniques = ev.pattern_counts_by(column)
    labels, blank = _group_labels(column, uniques)
    blank_row, counts = counts[0], counts[1:]
    if blank_row.any():
        if blank in labels:
            counts = counts.copy()
            counts[labels.index(blank)] += blank_row
        else:
            labels.append(blank)
            counts = np.vstack([counts, blank_row])
    return counts, labels


def eligibility_by(ev: Evaluation, column: str = "cohort") -> pd.DataFrame:
    """Per value of `column`: applicants, eligible, incomplete, ineligible, near_miss, rate.

    Sorted by the group's label; blank values are grouped as "Unassigned" (cohort) or
    "Not given" (any other column).
    """
    counts, labels = _grouped_pattern_counts(ev, column)
    by_status, near = _by_status(counts, ev)
    applicants = by_status.sum(axis=1)
    out = pd.DataFrame(
        {
            column: pd.Series(labels, dtype="string"),
            "applicants": applicants.astype(np.int64),
            "eligible": by_status[:, ELIGIBLE].astype(np.int64),
            "incomplete": by_status[:, INCOMPLETE].astype(np.int64),
            "ineligible": by_status[:, INELIGIBLE].astype(np.int64),
            "near_miss": near.astype(np.int64),
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
            rows.append(_gap_row(rr.rule, _state_counts(ev, rr)))
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


def _state_counts(ev: Evaluation, rr) -> list[int]:
    """Applicants passing, failing and missing one admission rule."""
    required = [r.id for r in ev.rule_set.required]
    if rr.rule.id in required:  # read off the pattern counts
        bits = ev.patterns.fail_bits.dtype.type
        bit = bits(1) << bits(required.index(rr.rule.id))
        counts = ev.pattern_counts
        fail = int(counts[(ev.patterns.fail_bits & bit) != 0].sum())
        missing = int(counts[(ev.patterns.missing_bits & bit) != 0].sum())
        return [int(counts.sum()) - fail - missing, fail, missing]
    fail = int(np.count_nonzero(rr.state == FAIL))
    missing = int(np.count_nonzero(rr.state == MISSING))
    return [len(rr.state) - fail - missing, fail, missing]


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
    patterns = ev.patterns
    by_pattern = ev.pattern_counts
    # Applicants per fail-bits value, over the patterns that have any fail.
    uniques, inverse = np.unique(patterns.fail_bits, return_inverse=True)
    counts = np.bincount(inverse.reshape(-1), weights=by_pattern, minlength=len(uniques))
    counts = counts.astype(np.int64)
    keep = (uniques != 0) & (counts > 0)
    uniques, counts = uniques[keep], counts[keep]
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
    identity = ["applicant_id", "full_name", "cohort", "degree"]
    people = ev.applicants[identity].iloc[hits["position"].to_numpy()]
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
    patterns = ev.patterns
    by_pattern = ev.pattern_counts
    n = int(by_pattern.sum())
    not_passing = patterns.fail_bits | patterns.missing_bits
    still = np.ones(patterns.size, bool)  # patterns passing every rule so far
    rows = [{"step": 0, "rule_id": "", "label": "All applicants", "remaining": n, "dropped": 0}]
    before = n
    one = not_passing.dtype.type(1)
    for i, rule in enumerate(ev.rule_set.required, start=1):
        still &= (not_passing & (one << not_passing.dtype.type(i - 1))) == 0
        after = int(by_pattern[still].sum())
        rows.append(
            {
                "step": i,
                "rule_id": rule.id,
                "label": rule.label,
                "remaining": after,
                "dropped": before - after,
            }
        )
        before = after
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
