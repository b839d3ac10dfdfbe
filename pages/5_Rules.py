"""Rules: the active rule set in plain words; edit it, see what would move, then adopt it."""

import streamlit as st

from analytics.rules import RuleSetError
from ui import charts, escaping, loaders, page, rule_editor, rules_view, state, tables

user = page.setup("Rules")
active = state.active_rules()
try:
    base = loaders.rule_set(active)
except RuleSetError as err:
    st.error(escaping.markdown(err))
    st.stop()

st.subheader(escaping.markdown(base.label or base.name))
if adopted := rule_editor.adoption_caption(active):
    st.caption(adopted)
if base.description:
    st.caption(escaping.markdown(base.description))
described = loaders.memo(  # one table per rule set: its print copy is made once
    ("rules_table", loaders.rules_text(active), active.name),
    lambda: rules_view.describe_table(base),
)
page.table(
    described,
    hide_index=True,
    width="stretch",
    # Rows taller than 4rem let Streamlit wrap text (three lines here), so the longest
    # rules (CME hours by degree) read whole instead of ending in "…"; every rule shows.
    row_height=page.WRAPPED_ROW_HEIGHT,
    height="content",
    column_config={
        "applies to": st.column_config.TextColumn("Applies to", width="small"),
        "rule": st.column_config.TextColumn("Rule", width="medium"),
        "severity": st.column_config.TextColumn("Severity", width="small"),
        "passes when": st.column_config.TextColumn("Passes when", width="large"),
    },
)
st.caption("Required rules decide eligibility; advisory rules are shown but never decide it.")

st.subheader("Edit thresholds and severities")
base_text = loaders.rules_text(active)
try:
    candidate = rule_editor.edit(base, base_text)
except RuleSetError as err:
    st.error(escaping.markdown(err))
    st.stop()
candidate_text = candidate.to_toml(original=base_text)  # what the what-if reads
is_changed = candidate != base

st.subheader("What would change")
if not is_changed:
    st.info("No edits yet: change a threshold or a severity above to see its effect.")
elif not state.has_dataset():
    st.info("Open a dataset on the Home page to see how these edits would move eligibility.")
else:
    analysis = page.require_dataset()
    with st.spinner("Applying the edited rules…"):
        moved = loaders.what_if(analysis, candidate_text)
    totals = tables.what_if_totals(moved)
    left, right = st.columns(2)
    left.metric(
        "Eligible with the edits",
        f"{totals['eligible_after']:,}",
        f"{totals['eligible_after'] - totals['eligible_before']:+,}",
    )
    right.metric(
        "Eligibility rate with the edits",
        f"{totals['rate_after']:.1%}",
        f"{(totals['rate_after'] - totals['rate_before']) * 100:+.1f} pts",
    )
    st.plotly_chart(loaders.figure(charts.what_if, moved), key="rules_what_if")
    page.show_table(moved, hide_index=True, width="stretch", key="rules_what_if_table")

st.subheader("Adopt or download")
rule_editor.adopt_controls(base, base_text, candidate, active, user)
