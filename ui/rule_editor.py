"""The Rules page's editor: one severity and the numbers of each rule, keyed `rules_...`.

Widget keys: `rules_<section>_<rule id>_severity` and `rules_<section>_<rule id>_<setting>`
(section is admission or renewal; setting is min, default or thresholds.<value>), plus
`rules_validity_years` and `rules_window_days`. When the active rule set changes (switched
on Home, or adopted here), the widgets start again from it.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from analytics import rules
from ui import escaping, rules_view

BASE_KEY = "_rules_editor_base"
PREFIX = "rules_"  # owned by the editor's widgets only: the reset below deletes these keys


def _reset_when_base_changes(text: str) -> None:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if st.session_state.get(BASE_KEY) == digest:
        return
    for key in [k for k in st.session_state if str(k).startswith(PREFIX)]:
        del st.session_state[key]
    st.session_state[BASE_KEY] = digest


def _rule_inputs(rule: rules.Rule, section: str) -> tuple[str, dict[str, float]]:
    settings = rules_view.numeric_settings(rule)
    cols = st.columns([3, 2, *([1] * max(len(settings), 1))])
    label, sentence = escaping.markdown(rule.label), escaping.markdown(rules_view.describe(rule))
    cols[0].markdown(f"**{label}**  \n{sentence}")
    severity = cols[1].selectbox(
        "Severity",
        list(rules.SEVERITIES),
        index=list(rules.SEVERITIES).index(rule.severity),
        key=f"{PREFIX}{section}_{rule.id}_severity",
    )
    values = {}
    for col, (setting, value) in zip(cols[2:], settings.items(), strict=False):
        values[setting] = col.number_input(
            escaping.markdown(rules_view.setting_label(rule, setting)),
            min_value=0.0,
            value=value,
            step=1.0,
            format="%g",
            key=f"{PREFIX}{section}_{rule.id}_{setting}",
        )
    return severity, values


def edit(base: rules.RuleSet, base_text: str) -> rules.RuleSet:
    """Draw the editor for `base`; returns the edited rule set (RuleSetError if refused)."""
    _reset_when_base_changes(base_text)
    st.markdown("**Admission**")
    admission = {rule.id: _rule_inputs(rule, "admission") for rule in base.admission}
    st.markdown("**Renewal**")
    left, right = st.columns(2)
    validity = left.number_input(
        "Certification valid for (years)",
        min_value=1,
        value=base.renewal.validity_years,
        key=f"{PREFIX}validity_years",
    )
    window = right.number_input(
        "Due this many days before expiry",
        min_value=0,
        value=base.renewal.window_days,
        key=f"{PREFIX}window_days",
    )
    renewal = {rule.id: _rule_inputs(rule, "renewal") for rule in base.renewal.rules}
    return rules_view.edited_rule_set(base, admission, renewal, validity, window)
