"""Renewal summaries of an Evaluation (DOMAIN §5 "Renewals", §6 `renewals`).

Every function counts from the Evaluation's per-practitioner Series (`renewal_status`,
`ageing`, `is_backlog`, `is_ready`, `is_blocked`, `expiry`) and each renewal rule's
states, per category (`evaluation.category_counts`).
"""

from __future__ import annotations

import pandas as pd

from analytics.rules.checks import FAIL, MISSING, STATES
from analytics.rules.evaluation import (
    AGEING_BUCKETS,
    CURRENT,
    DUE,
    OVERDUE,
    RENEWAL_STATUSES,
    Evaluation,
    category_counts,
)


def summary(ev: Evaluation) -> dict:
    """certified, current, due, overdue, backlog, ready, blocked, overdue_aging, blocked_by."""
    counts = dict(zip(RENEWAL_STATUSES, category_counts(ev.renewal_status).tolist(), strict=True))
    return {
        "certified": len(ev.certified_index),
        "current": counts[CURRENT],
        "due": counts[DUE],
        "overdue": counts[OVERDUE],
        "backlog": int(ev.is_backlog.sum()),
        "ready": int(ev.is_ready.sum()),
        "blocked": int(ev.is_blocked.sum()),
        "overdue_aging": dict(zip(AGEING_BUCKETS, _ageing_counts(ev), strict=True)),
        "blocked_by": {row["rule_id"]: row["blocked"] for row in _blocked_by_rows(ev)},
    }


def _ageing_counts(ev: Evaluation) -> list[int]:
    counts = dict(zip(ev.ageing.cat.categories, category_counts(ev.ageing).tolist(), strict=True))
    return [counts[bucket] for bucket in AGEING_BUCKETS]  # "" (not overdue) left out


def ageing(ev: Evaluation) -> pd.DataFrame:
    """Overdue practitioners by days past expiry: bucket ("1-30" ... "91+"), certified."""
    return pd.DataFrame({"bucket": list(AGEING_BUCKETS), "certified": _ageing_counts(ev)})


def blocked_by(ev: Evaluation) -> pd.DataFrame:
    """Per renewal rule (set order): backlog members failing it, missing it, and both.

    Advisory renewal rules are listed too but never block (`blocked` counts only
    required rules; for an advisory rule it is 0).
    """
    columns = ["rule_id", "label", "severity", "fail", "missing", "blocked"]
    return pd.DataFrame(_blocked_by_rows(ev), columns=columns)


def _blocked_by_rows(ev: Evaluation) -> list[dict]:
    rows = []
    for rr in ev.renewal.values():
        states = category_counts(rr.state, ev.is_backlog).tolist()
        in_backlog = dict(zip(STATES, states, strict=True))
        fail, missing = in_backlog[FAIL], in_backlog[MISSING]
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
    return rows


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
    status = ev.renewal_status[ev.is_backlog]
    month = ev.expiry[ev.is_backlog].dt.to_period("M")
    every_month = pd.period_range(month.min(), month.max(), freq="M")
    flags = pd.DataFrame({"due": status.eq(DUE), "overdue": status.eq(OVERDUE), "month": month})
    counts = flags.groupby("month").sum().reindex(every_month, fill_value=0).astype("int64")
    return pd.DataFrame(
        {
            "month": pd.Series(every_month.strftime("%Y-%m"), dtype="string"),
            "due": counts["due"].to_numpy(),
            "overdue": counts["overdue"].to_numpy(),
            "backlog": (counts["due"] + counts["overdue"]).to_numpy(),
        }
    )


def backlog(ev: Evaluation) -> pd.DataFrame:
    """The backlog, one row per practitioner: overdue longest first, then soonest due.

    Columns as `Evaluation.certified` (ready ones included; `is_ready` tells them apart).
    """
    table = ev.certified[ev.is_backlog]
    return table.sort_values(["expiry", "applicant_id"], kind="stable")
