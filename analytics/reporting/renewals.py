"""Renewal summaries of an Evaluation (DOMAIN §5 "Renewals", §6 `renewals`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.rules.checks import FAIL, MISSING
from analytics.rules.evaluation import AGEING_BUCKETS, CURRENT, DUE, OVERDUE, Evaluation


def summary(ev: Evaluation) -> dict:
    """certified, current, due, overdue, backlog, ready, blocked, overdue_aging, blocked_by."""
    counts = np.bincount(ev.renewal_code, minlength=3)
    return {
        "certified": int(len(ev.renewal_code)),
        "current": int(counts[CURRENT]),
        "due": int(counts[DUE]),
        "overdue": int(counts[OVERDUE]),
        "backlog": int(ev.is_backlog.sum()),
        "ready": int(ev.is_ready.sum()),
        "blocked": int(ev.is_blocked.sum()),
        "overdue_aging": dict(zip(AGEING_BUCKETS, _ageing_counts(ev), strict=True)),
        "blocked_by": {row.rule_id: int(row.blocked) for row in blocked_by(ev).itertuples()},
    }


def _ageing_counts(ev: Evaluation) -> list[int]:
    overdue = ev.days_overdue[ev.renewal_code == OVERDUE]
    bucket = np.digitize(overdue, [31, 61, 91])  # 0: 1-30, 1: 31-60, 2: 61-90, 3: 91+
    return [int(c) for c in np.bincount(bucket, minlength=4)]


def ageing(ev: Evaluation) -> pd.DataFrame:
    """Overdue practitioners by days past expiry: bucket ("1-30" ... "91+"), certified."""
    return pd.DataFrame({"bucket": list(AGEING_BUCKETS), "certified": _ageing_counts(ev)})


def blocked_by(ev: Evaluation) -> pd.DataFrame:
    """Per renewal rule (set order): backlog members failing it, missing it, and both.

    Advisory renewal rules are listed too but never block (`blocked` counts only
    required rules; for an advisory rule it is 0).
    """
    rows = []
    backlog = ev.is_backlog
    for rr in ev.renewal.values():
        state = rr.state[backlog]
        fail = int((state == FAIL).sum())
        missing = int((state == MISSING).sum())
        rows.append(
            {
                "rule_id": rr.rule.id,
                "label": rr.rule.label,
                "severity": rr.rule.severity,
                "fail": fail,
                "missing": missing,
                "blocked": fail + missing if rr.rule.is_required else 0,
            }
        )
    return pd.DataFrame(
        rows, columns=["rule_id", "label", "severity", "fail", "missing", "blocked"]
    )


def backlog_by_month(ev: Evaluation) -> pd.DataFrame:
    """Backlog members by month of expiry: month ("YYYY-MM"), due, overdue, backlog.

    Every month from the earliest to the latest expiry in the backlog is listed, so a
    chart shows the gaps; empty when there is no backlog.
    """
    columns = ["month", "due", "overdue", "backlog"]
    if not ev.is_backlog.any():
        return pd.DataFrame(columns=columns).astype(
            {"month": "string", "due": "int64", "overdue": "int64", "backlog": "int64"}
        )
    expiry = ev.expiry[ev.is_backlog]
    months = expiry.astype("datetime64[M]")
    first, last = months.min(), months.max()
    position = (months - first).astype(np.int64)
    k = int((last - first).astype(np.int64)) + 1
    code = ev.renewal_code[ev.is_backlog]
    due = np.bincount(position, weights=code == DUE, minlength=k).astype(np.int64)
    overdue = np.bincount(position, weights=code == OVERDUE, minlength=k).astype(np.int64)
    labels = np.arange(first, last + np.timedelta64(1, "M")).astype(str)
    return pd.DataFrame(
        {
            "month": pd.Series(labels, dtype="string"),
            "due": due,
            "overdue": overdue,
            "backlog": due + overdue,
        }
    )


def backlog(ev: Evaluation) -> pd.DataFrame:
    """The backlog, one row per practitioner: overdue longest first, then soonest due.

    Columns as `Evaluation.certified` (ready ones included; `is_ready` tells them apart).
    """
    table = ev.certified[ev.is_backlog]
    return table.sort_values(["expiry", "applicant_id"], kind="stable")
