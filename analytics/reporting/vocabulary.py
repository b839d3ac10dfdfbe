"""The director's words for what the engine names: column headers, cell values, figures.

The engine's tables keep their contract names (`applicant_id`, `eligible_before`,
`explain__cme_hours`) and category keys (`non_healthcare`); everything a person reads
(every table and chart on screen, every CSV, the Excel report, the HTML dashboard) goes
through this module, so each thing has one name everywhere. Field and category words are
the loader's own (`analytics.loading.fields`), rule words the rule set's labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analytics.loading import fields
from analytics.loading.loader import NO_ID_REASON
from analytics.reporting.summary import NOT_GIVEN
from analytics.rules.evaluation import UNASSIGNED
from analytics.rules.rule_sets import RuleSet

# Headers of the engine's table columns (docs/architecture.md), after the canonical fields.
COLUMN_LABELS: dict[str, str] = {
    **fields.FIELD_LABELS,
    # Evaluation.applicants / .certified
    "status": "Status",
    "is_near_miss": "Near miss",
    "n_fail": "Requirements not met (count)",
    "n_missing": "Requirements not given (count)",
    "failing": "Requirements not met",
    "expiry": "Certification expires",
    "renewal_status": "Renewal status",
    "days_overdue": "Days overdue",
    "ageing": "Days overdue (band)",
    "is_backlog": "In the renewal backlog",
    "is_ready": "Ready to renew",
    "blocked_by": "Blocked by",
    "source_file": "File",
    "source_sheet": "Sheet",
    "source_row": "Row",
    # the loader's problems, rejected rows and duplicates
    "file": "File",
    "sheet": "Sheet",
    "row": "Row",
    "column": "Column",
    "value": "Value",
    "problem": "Problem",
    "reason": "Reason",
    "kept_file": "Kept: file",
    "kept_sheet": "Kept: sheet",
    "kept_row": "Kept: row",
    # analytics.reporting.summary
    "applicants": "Applicants",
    "eligible": "Eligible",
    "incomplete": "Incomplete",
    "ineligible": "Ineligible",
    "near_miss": "Near misses",
    "eligibility_rate": "Eligibility rate",
    "rule_id": "Rule",
    "label": "Requirement",
    "rule": "Requirement",
    "severity": "Severity",
    "fail": "Not met",
    "missing": "Not given",
    "pass": "Met",
    "held_back": "Held back (not met or not given)",
    "rules": "Requirements not met together",
    "labels": "Requirements not met together",
    "n_rules": "Number of requirements",
    "share": "Share",
    "rank": "Rank",
    "explain": "Why",
    "shortfall": "Shortfall",
    "gap": "How far off (0 to 1)",
    "step": "Step",
    "remaining": "Still eligible",
    "dropped": "Dropped out",
    "eligible_before": "Eligible, active rules",
    "eligible_after": "Eligible, edited rules",
    "rate_before": "Rate, active rules",
    "rate_after": "Rate, edited rules",
    "delta": "Change in eligible",
    "rate_delta": "Change in rate (points)",
    # analytics.reporting.renewals and the screens' renewal lists
    "bucket": "Days past expiry",
    "certified": "Certified",
    "month": "Month of expiry",
    "due": "Due",
    "overdue": "Overdue",
    "backlog": "Backlog",
    "blocked": "Blocked",
    "days_to_expiry": "Days until expiry",
    "to_do": "What is left to do",
    # analytics.reporting.changes: two uploads compared
    "old_status": "Before",
    "new_status": "Now",
    "resolved": "Now met",
    "new": "No longer met",
    "newly_failing": "No longer met",
    "what_changed": "What changed",
    "kind": "Change",
}
# Per-rule columns of an Evaluation: the rule's own label, then what the column holds.
RULE_COLUMNS: dict[str, str] = {
    "state__": "{}",
    "explain__": "{}: why",
    "short__": "{}: shortfall",
}
# Columns holding rule ids (a list per row, or one id).
RULE_ID_COLUMNS = frozenset({"failing", "blocked_by", "rules", "rule_id", "newly_failing"})
# Shares of 0 to 1, shown as "45.1%"; differences of two shares, shown in points.
PERCENT_COLUMNS = frozenset({"eligibility_rate", "rate_before", "rate_after", "share"})
POINTS_COLUMNS = frozenset({"rate_delta"})
# Group columns: a blank reads as these words (the summaries' own).
BLANK_GROUPS: dict[str, str] = {
    "cohort": UNASSIGNED,
    "programme": NOT_GIVEN,
    "country": NOT_GIVEN,
    "degree": NOT_GIVEN,
    "specialty": NOT_GIVEN,
}
VALUE_LABELS: dict[str, dict[str, str]] = {
    **fields.CATEGORY_LABELS,
    "reason": {NO_ID_REASON: "No applicant ID"},
    "old_status": {"not present": "new applicant"},
}
# The figures of a comparison of two uploads (DOMAIN §7), as the Changes page names them.
CHANGE_LABELS: dict[str, str] = {
    "added": "Added",
    "removed": "Removed",
    "added_eligible": "Added and eligible",
    "newly_eligible": "Newly eligible",
    "no_longer_eligible": "No longer eligible",
    "became_certified": "Became certified",
    "renewed": "Renewed",
    "newly_overdue": "Newly overdue",
}

# The key figures (summary.overview, and renewals.summary under "renewals"), by key path.
FIGURE_LABELS: dict[tuple[str, ...], str] = {
    ("applicants",): "Applicants",
    ("eligible",): "Eligible",
    ("incomplete",): "Incomplete (a requirement cannot be checked)",
    ("ineligible",): "Ineligible",
    ("eligibility_rate",): "Eligibility rate",
    ("near_miss",): "Near misses (one requirement away)",
    ("renewals", "certified"): "Certified practitioners",
    ("renewals", "current"): "Certifications current",
    ("renewals", "due"): "Certifications due for renewal",
    ("renewals", "overdue"): "Certifications overdue",
    ("renewals", "backlog"): "Renewal backlog (due or overdue)",
    ("renewals", "ready"): "Renewals ready",
    ("renewals", "blocked"): "Renewals blocked",
    ("changes", "compared"): "Changes: uploads compared (earlier -> later)",
    ("changes", "old_as_of"): "Changes: earlier upload judged as of",
    ("changes", "as_of"): "Changes: later upload judged as of",
    **{("changes", key): f"Changes: {words.lower()}" for key, words in CHANGE_LABELS.items()},
}
# Figures keyed by a bucket or a rule id: the words around that key's own label.
FIGURE_GROUPS: dict[tuple[str, ...], str] = {
    ("renewals", "overdue_aging"): "Overdue by {} days",
    ("renewals", "blocked_by"): "Renewals blocked by: {}",
}


def rule_labels(rule_set: RuleSet) -> dict[str, str]:
    """Rule id -> label, admission and renewal rules."""
    return {rule.id: rule.label for rule in (*rule_set.admission, *rule_set.renewal.rules)}


def _rule_words(rule_id: object, labels: Mapping[str, str] | None) -> str:
    return (labels or {}).get(str(rule_id), str(rule_id).replace("_", " "))


def column_label(column: object, labels: Mapping[str, str] | None = None) -> str:
    """The header of one column; a column of the export itself keeps its own header."""
    name = str(column)
    if name in COLUMN_LABELS:
        return COLUMN_LABELS[name]
    for prefix, template in RULE_COLUMNS.items():
        if name.startswith(prefix):
            return template.format(_rule_words(name.removeprefix(prefix), labels))
    return name


def _is_list(value: object) -> bool:
    return isinstance(value, list | tuple | set | np.ndarray)


def _category_words(series: pd.Series, words: Mapping[str, str]) -> pd.Series:
    text = series.astype("string")
    return text.map(words).astype("string").fillna(text)


def value_words(column: str, value: object) -> str:
    """One cell value of `column` as a person reads it ("non_healthcare" -> its label);
    values this module has no word for are shown as they are."""
    return VALUE_LABELS.get(column, {}).get(str(value), str(value))


def in_words(frame: pd.DataFrame, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """`frame` with its cells in words (headers unchanged): category keys as labels, blank
    groups as "Not given" / "Unassigned", rule ids as rule labels, rate differences in
    points. Columns it does not know are left as they are."""
    out = frame.copy(deep=False)
    for column in frame.columns:
        name = str(column)
        series = frame[column]
        if name in VALUE_LABELS:
            series = _category_words(series, VALUE_LABELS[name])
        if name in BLANK_GROUPS:
            series = series.astype("string").fillna(BLANK_GROUPS[name])
        if name in POINTS_COLUMNS:
            series = series * 100
        if name in RULE_ID_COLUMNS:
            series = series.map(
                lambda v: (
                    [_rule_words(r, labels) for r in v] if _is_list(v) else _rule_words(v, labels)
                ),
                na_action="ignore",
            )
        if series is not frame[column]:
            out[column] = series
    return out


def headers(columns: Iterable[object], labels: Mapping[str, str] | None = None) -> list[str]:
    return [column_label(column, labels) for column in columns]


def for_people(frame: pd.DataFrame, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """`frame` as a person reads it in an export: cells in words and labelled headers."""
    out = in_words(frame, labels)
    out.columns = headers(frame.columns, labels)
    return out


def _figure_label(path: tuple[str, ...], labels: Mapping[str, str] | None) -> str:
    if path in FIGURE_LABELS:
        return FIGURE_LABELS[path]
    if path[:-1] in FIGURE_GROUPS:
        return FIGURE_GROUPS[path[:-1]].format(_rule_words(path[-1], labels))
    words = " · ".join(key.replace("_", " ") for key in path)
    return words[:1].upper() + words[1:]


def figures(
    summary: Mapping[str, Any],
    labels: Mapping[str, str] | None = None,
    _path: Sequence[str] = (),
) -> list[tuple[str, Any, bool]]:
    """Key figures as (label, value, is_rate) rows, nested figures flattened; lists and
    tables are left out (they have sheets of their own)."""
    rows: list[tuple[str, Any, bool]] = []
    for key, value in summary.items():
        path = (*_path, str(key))
        if isinstance(value, Mapping):
            rows.extend(figures(value, labels, path))
        elif isinstance(value, list | tuple | pd.DataFrame | pd.Series | np.ndarray):
            continue
        else:
            is_rate = isinstance(value, int | float) and path[-1].endswith("rate")
            rows.append((_figure_label(path, labels), value, is_rate))
    return rows
