"""Shape engine output into the tables the screens show (pure pandas, no Streamlit).

The engine (analytics.summary / analytics.renewals) counts; this module only orders,
selects and joins what it returns, so the pages stay free of frame manipulation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

import store
from analytics.rules import checks
from analytics.rules.evaluation import UNASSIGNED
from ui import rules_view

KPI_COLUMNS = ("applicants", "eligible", "incomplete", "ineligible", "eligibility_rate")
DRILL_COLUMNS = [
    "applicant_id",
    "full_name",
    "cohort",
    "programme",
    "country",
    "degree",
    "application_date",
    "status",
    "failing",
]
OUTREACH_REPEATED = ("cohort", "degree", "label", "explain")
OUTREACH_COLUMNS = [
    "rank",
    "applicant_id",
    "full_name",
    "email",
    "cohort",
    "degree",
    "label",
    "explain",
]


def cohort_order(applicants: pd.DataFrame) -> list[str]:
    """Cohorts by their earliest application date (undated ones after, blank cohort last)."""
    if applicants.empty:
        return []
    cohorts = applicants["cohort"].astype("string").fillna(UNASSIGNED)
    first = applicants["application_date"].groupby(cohorts.to_numpy(), sort=True).min()
    ordered = first.sort_values(kind="stable", na_position="last").index.tolist()
    if UNASSIGNED in ordered:
        ordered.remove(UNASSIGNED)
        ordered.append(UNASSIGNED)
    return ordered


def in_cohort_order(table: pd.DataFrame, order: list[str], column: str = "cohort") -> pd.DataFrame:
    """The rows of a per-cohort table in `order` (cohort_order's), so every screen lists
    cohorts alike; cohorts not in `order` keep their place after the rest."""
    position = {cohort: i for i, cohort in enumerate(order)}
    rank = table[column].astype("string").map(position).astype("Float64").fillna(len(order))
    return table.iloc[rank.argsort(kind="stable").to_numpy()].reset_index(drop=True)


def default_pair(order: list[str]) -> tuple[int, int]:
    """Positions of the two latest named cohorts (the blank cohort only if nothing else)."""
    named = [i for i, c in enumerate(order) if c != UNASSIGNED] or list(range(len(order)))
    return (named[-2] if len(named) > 1 else named[-1]), named[-1]


def previous_cohort(order: list[str], cohort: str) -> str | None:
    """The cohort before `cohort` in `order` (None for the first, or one not in it)."""
    position = order.index(cohort) if cohort in order else 0
    return order[position - 1] if position > 0 else None


def cohort_kpis(by_cohort: pd.DataFrame, order: list[str], cohort: str) -> tuple[dict, dict]:
    """KPIs of `cohort` and of the cohort before it in `order` ({} when it is the first)."""
    rows = by_cohort.set_index("cohort")
    this = {k: rows.at[cohort, k] for k in KPI_COLUMNS} if cohort in rows.index else {}
    before = previous_cohort(order, cohort)
    previous = {k: rows.at[before, k] for k in KPI_COLUMNS} if before in rows.index else {}
    return this, previous


def gaps_ranked(gaps: pd.DataFrame) -> pd.DataFrame:
    """Rules by how many applicants they hold back (fail + missing), largest first."""
    out = gaps.assign(held_back=gaps["fail"] + gaps["missing"])
    out["rule"] = out["label"] + out["severity"].map({"advisory": " (advisory)"}).fillna("")
    return out.sort_values(["held_back", "fail"], ascending=False, kind="stable").reset_index(
        drop=True
    )


def outreach(near: pd.DataFrame, applicants: pd.DataFrame) -> pd.DataFrame:
    """The near-miss list with each applicant's email, ready to contact, closest first.
    Its columns of few distinct texts (cohort, degree, rule, what is short) are
    categoricals: 1.8 MB less of the 3.3 MB list of the 100,000-row benchmark export."""
    emails = applicants.drop_duplicates("applicant_id").set_index("applicant_id")["email"]
    out = near.assign(email=near["applicant_id"].map(emails).astype("string"))
    return out[OUTREACH_COLUMNS].astype(dict.fromkeys(OUTREACH_REPEATED, "category"))


def drill_rows(
    applicants: pd.DataFrame, extra_columns: list[str], labels: dict[str, str] | None = None
) -> pd.DataFrame:
    """Who is in the current selection, one row each, with what holds them back (rules by
    their labels when `labels` maps rule ids to them)."""
    out = applicants[DRILL_COLUMNS + [c for c in extra_columns if c in applicants.columns]]
    return out.assign(failing=rule_lists_text(out["failing"], labels or {}))


def rule_lists_text(lists: pd.Series, labels: dict[str, str]) -> pd.Series:
    """Lists of rule ids as "label, label" text, a categorical of text: the evaluation's
    rows of one combination of failed rules share one list (`evaluation._true_columns`),
    so each distinct list is joined once and a row holds a code rather than a string of
    its own (80,000 strings, about 3 MB, at 100,000 rows)."""
    values = lists.to_numpy(dtype=object)
    # Every list is alive in `values`, so no two of them share an id.
    codes, _ = pd.factorize(np.fromiter(map(id, values), np.int64, len(values)))
    _, first = np.unique(codes, return_index=True)  # each list's first row, by code
    texts = [", ".join(labels.get(i, i) for i in values[position]) for position in first]
    # Equal lists that are not one object read alike: one category per text.
    return pd.Series(_texts_by_code(texts, codes), index=lists.index)


def _texts_by_code(texts: list[str], codes: np.ndarray) -> pd.Categorical:
    """Per row, the text of its code (`texts`, one per code) as a categorical of text:
    one category per distinct text, sorted (equal texts of two codes share one)."""
    text_codes, categories = pd.factorize(np.array(texts, dtype=object), sort=True)
    return pd.Categorical.from_codes(
        text_codes[codes], dtype=pd.CategoricalDtype(pd.array(categories, dtype="string"))
    )


def find_applicants(applicants: pd.DataFrame, text: str, by_name: bool) -> pd.DataFrame:
    """Applicants whose ID is `text` (any case, spaces trimmed), and when `by_name` those
    whose name contains it; one row each, by ID."""
    needle = text.strip().casefold()
    if not needle or applicants.empty:
        return applicants.iloc[0:0]
    hit = applicants["applicant_id"].astype("string").str.strip().str.casefold() == needle
    if by_name:
        names = applicants["full_name"].astype("string").str.casefold()
        hit |= names.str.contains(needle, regex=False)
    found = applicants[hit.fillna(False).astype(bool).to_numpy()]
    return found.drop_duplicates("applicant_id").sort_values("applicant_id", kind="stable")


TRACE_COLUMNS = ["rule", "severity", "recorded", "requires", "result", "why"]
RESULT_WORDS = {"pass": "passes", "fail": "fails", "missing": "no usable value"}
NOT_RECORDED = "not recorded"


def _words(value) -> str:
    return rules_view.CATEGORY_WORDS.get(str(value), str(value))


def _amount(number: float, rule) -> str:
    unit = rule.params.get("unit", rule.field_label)
    if number == 1:
        unit = rule.params.get("unit_singular", unit)
    return f"{number:g} {unit}"


def _recorded(value, rule) -> str:
    """The value the export gave for the rule's field, in words."""
    if value is None or pd.isna(value):
        return NOT_RECORDED
    if rule.check == "at_least":
        return _amount(float(value), rule)
    if rule.check == "is_true":
        return "yes" if bool(value) else "no"
    if isinstance(value, (pd.Timestamp, dt.date)):
        return f"{pd.Timestamp(value):%d %b %Y}"
    return _words(value)


def _requires(applicant: pd.Series, rule, as_of: dt.date | None) -> str:
    """What the rule needs from this applicant ("at least 20 CME hours for medicine")."""
    p = rule.params
    if rule.check == "at_least":
        by_value = applicant.get(p["by"]) if "by" in p else None
        text = f"at least {_amount(checks.threshold_for(p, by_value), rule)}"
        if "by" in p and not pd.isna(by_value) and str(by_value) in p.get("thresholds", {}):
            text += f" for {_words(by_value)}"
        return text
    if rule.check == "in_set":
        return "one of " + ", ".join(_words(v) for v in p["values"])
    if rule.check == "is_true":
        return "yes"
    if rule.check == "date_on_or_after_as_of":
        return f"on or after {as_of:%d %b %Y}" if as_of else "on or after the as-of date"
    if rule.check == "mentions_any":
        return "mentions " + " or ".join(p["terms"])
    return rules_view.describe(rule)


def trace(applicant: pd.Series, rule_set, as_of: dt.date | None = None) -> pd.DataFrame:
    """One applicant's decision, rule by rule in the set's order: the value recorded, what
    the rule needs of this applicant, the result in words and why."""
    rows = [
        {
            "rule": rule.label,
            "severity": rule.severity,
            "recorded": _recorded(applicant.get(rule.field), rule),
            "requires": _requires(applicant, rule, as_of),
            "result": RESULT_WORDS.get(str(applicant[f"state__{rule.id}"]), ""),
            "why": applicant[f"explain__{rule.id}"] or "",
        }
        for rule in rule_set.admission
    ]
    return pd.DataFrame(rows, columns=TRACE_COLUMNS)


FAILING_TITLE = "Share failing each rule"
NOBODY_FAILS = "Nobody in these two cohorts fails a required rule."


def compare_cohorts(gaps_by_cohort: pd.DataFrame, cohorts: list[str]) -> pd.DataFrame:
    """Share of each cohort's applicants failing each required rule, long form."""
    part = gaps_by_cohort[
        gaps_by_cohort["cohort"].isin(cohorts) & (gaps_by_cohort["severity"] == "required")
    ]
    total = part["pass"] + part["fail"] + part["missing"]
    out = part.assign(share=(part["fail"] / total.where(total > 0)).fillna(0.0))
    out["cohort"] = pd.Categorical(out["cohort"], categories=cohorts)
    out = out.sort_values("cohort", kind="stable")
    out["cohort"] = out["cohort"].astype("string")
    return out[["cohort", "label", "fail", "share"]].reset_index(drop=True)


BACKLOG_COLUMNS = [
    "applicant_id",
    "full_name",
    "email",
    "license_number",
    "expiry",
    "renewal_status",
    "days_overdue",
    "to_do",
]
# The chase list's windows (cumulative, as Medallion's 30/60/90-day views): a window of N
# days holds the practitioners whose certification expires within N days from the as-of
# date, today included; "overdue" those whose certification has already expired.
CHASE_WINDOWS = {
    "all": "Whole backlog",
    "overdue": "Overdue",
    "7": "Due within 7 days",
    "30": "Due within 30 days",
    "90": "Due within 90 days",
}


READY = "ready to renew"  # the backlog member who has nothing left to do


def backlog_to_do(backlog: pd.DataFrame, rule_set) -> pd.DataFrame:
    """Backlog members with what each must still do ("ready to renew" when nothing): the
    words of each renewal rule they do not pass (its label when it has none), in rule
    order, joined by "; ".

    A categorical of text: rows that must do the same things share one text, joined once
    per combination rather than once per row (18,730 rows of the 100,000-row benchmark
    export: 0.45 s and 1.2 MB of strings before, as a join per row)."""
    n = len(backlog)
    words: list[list[str]] = []  # per rule, its distinct texts
    codes = []  # per rule, each row's text code, -1 where the rule passes
    for rule in rule_set.renewal.rules:
        state, explain = backlog[f"state__{rule.id}"], backlog[f"explain__{rule.id}"]
        text = explain.astype("string").fillna("")
        code, distinct = pd.factorize(text.where(text != "", rule.label).to_numpy(object))
        passes = state.astype("string").eq("pass").fillna(False).to_numpy(bool)
        codes.append(np.where(passes, -1, code))
        words.append(list(distinct))
    if codes and n:
        combination, rows = np.unique(np.column_stack(codes), axis=0, return_inverse=True)
        joined = [
            "; ".join(words[i][c] for i, c in enumerate(combo) if c >= 0) or READY
            for combo in combination.tolist()
        ]
        to_do = _texts_by_code(joined, rows.reshape(-1))
    else:
        to_do = _texts_by_code([READY], np.zeros(n, dtype=np.intp))
    out = backlog.assign(to_do=pd.Series(to_do, index=backlog.index))
    return out[BACKLOG_COLUMNS].reset_index(drop=True)


def chase_list(todo: pd.DataFrame, as_of) -> pd.DataFrame:
    """The backlog with days until expiry (negative once expired), most overdue first, then
    the soonest due: the order a person chases renewals in."""
    expiry = pd.to_datetime(todo["expiry"])
    days = (expiry - pd.Timestamp(as_of)).dt.days.astype("Int64")
    out = todo.assign(days_to_expiry=days)
    out = out.sort_values(["days_to_expiry", "applicant_id"], kind="stable")
    return out.reset_index(drop=True)


def in_window(chase: pd.DataFrame, window: str) -> pd.DataFrame:
    """The chase list's rows in one of CHASE_WINDOWS."""
    days = chase["days_to_expiry"]
    if window == "all":
        return chase
    if window == "overdue":
        return chase[days < 0]
    return chase[(days >= 0) & (days <= int(window))]


def window_counts(chase: pd.DataFrame) -> dict[str, int]:
    return {window: len(in_window(chase, window)) for window in CHASE_WINDOWS}


def what_if_totals(table: pd.DataFrame) -> dict:
    """Eligible applicants and rate over all groups, before and after the edit."""
    applicants = int(table["applicants"].sum())
    before, after = int(table["eligible_before"].sum()), int(table["eligible_after"].sum())
    return {
        "applicants": applicants,
        "eligible_before": before,
        "eligible_after": after,
        "rate_before": before / applicants if applicants else 0.0,
        "rate_after": after / applicants if applicants else 0.0,
    }


AUDIT_COLUMNS = ["time", "user", "action", "object", "detail", "object_id"]
AUDIT_ACTIONS = {
    "sign_in": "Signed in",
    "sign_in_failed": "Wrong passcode",
    "upload": "Uploaded",
    "view": "Opened",
    "export": "Exported",
    "delete": "Deleted",
    "save_view": "Saved a view",
    "rename": "Renamed",
    "adopt_rules": "Adopted rules",
    "save_format": "Saved a source format",
}


def object_names(
    datasets: Sequence[store.Dataset],
    views: Sequence[store.SavedView],
    rule_sets: Sequence[store.StoredRuleSet] = (),
    formats: Sequence[store.SourceFormat] = (),
) -> dict[str, str]:
    """What each stored object is called: a dataset by its label and files, a view by its
    name, a rule set and a source format by their names."""
    names = {}
    for ds in datasets:
        files = ", ".join(f.name for f in ds.files)
        names[ds.id] = f"dataset {ds.label} ({files})" if files else f"dataset {ds.label}"
    names.update({v.id: f"view {v.name}" for v in views})
    names.update(
        {
            r.id: f"rule set {r.name}" + ("" if r.version is None else f", version {r.version}")
            for r in rule_sets
        }
    )
    names.update({f.id: f"source format {f.name}" for f in formats})
    return names


def audit_table(entries: Sequence[store.AuditEntry], names: dict[str, str]) -> pd.DataFrame:
    """Audit entries as a table (time in UTC, newest first as given), each object named;
    an id no longer in the store reads as deleted."""
    kinds = {"d": "dataset", "v": "view", "r": "rule set", "f": "source format"}

    def name(object_id: str) -> str:
        if not object_id:
            return ""
        if object_id.startswith(store.CLIENT_ID_PREFIX):
            return f"browser {object_id}"
        kind = kinds.get(object_id[:1], "object")
        return names.get(object_id, f"{kind} {object_id} (no longer stored)")

    frame = pd.DataFrame(
        {
            "time": pd.to_datetime([e.time for e in entries], utc=True),
            "user": pd.array([e.user for e in entries], dtype="string"),
            "action": pd.array(
                [AUDIT_ACTIONS.get(e.action, e.action) for e in entries], dtype="string"
            ),
            "object": pd.array([name(e.object_id) for e in entries], dtype="string"),
            "detail": pd.array([e.detail for e in entries], dtype="string"),
            "object_id": pd.array([e.object_id for e in entries], dtype="string"),
        }
    )
    return frame[AUDIT_COLUMNS]
