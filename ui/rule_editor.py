"""The Rules page's editor: one severity and the numbers of each rule, keyed `rules_...`.

Widget keys: `rules_<section>_<rule id>_severity` and `rules_<section>_<rule id>_<setting>`
(section is admission or renewal; setting is min, default or thresholds.<value>), plus
`rules_validity_years` and `rules_window_days`; `adopt_controls` adds `rules_adopt_name`,
`rules_adopt` and `rules_download`. When the active rule set changes (switched on Home,
opened from a link, or adopted here), the widgets start again from it.
"""

from __future__ import annotations

import hashlib

import streamlit as st

import store
from analytics import rules
from ui import downloads, escaping, links, rules_view, state

BASE_KEY = "_rules_editor_base"
SETTINGS_PER_ROW = 3  # a rule's numbers per row, beside its severity
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
    # Numbers in rows of at most SETTINGS_PER_ROW, bottom-aligned: six in one row (CME
    # hours by degree) broke their labels mid-word and set the wrapped ones lower.
    cols = st.columns([3, 2, SETTINGS_PER_ROW])
    label, sentence = escaping.markdown(rule.label), escaping.markdown(rules_view.describe(rule))
    cols[0].markdown(f"**{label}**  \n{sentence}")
    severity = cols[1].selectbox(
        "Severity",
        list(rules.SEVERITIES),
        index=list(rules.SEVERITIES).index(rule.severity),
        key=f"{PREFIX}{section}_{rule.id}_severity",
    )
    values = {}
    items = list(settings.items())
    with cols[2]:
        cells = [
            cell
            for start in range(0, len(items), SETTINGS_PER_ROW)
            for cell in st.columns(SETTINGS_PER_ROW, vertical_alignment="bottom")
        ]
    for col, (setting, value) in zip(cells, items, strict=False):
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


def _adopt(candidate: rules.RuleSet, base_text: str, name: str, user: str) -> None:
    """Store the edit as the next version of `name` and make it the active set."""

    def text_for(version: int) -> str:
        return rules_view.named(candidate, name, version).to_toml(original=base_text)

    links.use_stored_rules(store.open_store().adopt_rule_set(name, user, text_for))


def adopt_controls(
    base: rules.RuleSet,
    base_text: str,
    candidate: rules.RuleSet,
    active: state.ActiveRules,
    user: str,
) -> None:
    """The name an edit is adopted under, Adopt, and the download of what would be adopted.

    Adopting stores the edit as version 1, 2, ... of its name (who and when with it, and
    an audit entry) and makes it the active set everywhere; its label says the version, so
    every screen, link and export names it the same way. The download is the edited file
    under that name (comments and layout kept), or the active set as it is.
    """
    is_changed = candidate != base
    name = st.text_input(
        "Name of the edited rule set",
        value=rules_view.default_name(base, is_adopted=active.origin == "edited"),
        max_chars=120,
        key=f"{PREFIX}adopt_name",
        help="Adopting again under the same name makes the next version.",
    )
    shown = rules_view.named(candidate, name) if is_changed else base
    left, right = st.columns(2)
    if left.button(
        "Adopt these rules", key=f"{PREFIX}adopt", type="primary", disabled=not is_changed
    ):
        try:
            _adopt(candidate, base_text, name, user)
        except store.StoreError as err:
            st.error(escaping.markdown(err))
        else:
            st.rerun()
    text = shown.to_toml(original=base_text) if is_changed else base_text
    with right:
        downloads.button(
            "Download rule set (TOML)",
            lambda: text,
            file_name=rules_view.file_name(shown),
            mime="application/toml",
            key=f"{PREFIX}download",
        )


def adoption_caption(active: state.ActiveRules) -> str | None:
    """ "Version 2 of “Standard track, edited”, adopted by ana on 01 Dec 2026." for an
    adopted set this session knows the record of; None otherwise."""
    stored = links.stored_rules() if active.origin == "edited" else None
    if stored is None or stored.version is None:
        return None
    return (
        f"Version {stored.version} of “{escaping.markdown(stored.name)}”, adopted by "
        f"{escaping.markdown(stored.owner)} on "
        f"{stored.created:%d %b %Y}."
    )
