"""Gaps: which rules hold applicants back, which fail together, and who is one step away."""

import streamlit as st

from analytics.reporting import summary
from ui import charts, loaders, page, tables

TOP_COMBINATIONS = 10

page.setup("Gaps")
analysis = page.require_dataset()
ev = analysis.evaluation
if len(ev.applicant_index) == 0:
    st.info("This dataset has no applicants (only certified practitioners, or no rows).")
    st.stop()

st.subheader("Failing and missing, per rule")
gaps = loaders.derived(analysis, "gaps_ranked", lambda: tables.gaps_ranked(summary.gaps(ev)))
st.plotly_chart(loaders.figure(charts.fail_missing_bars, gaps, rule="rule"), key="gaps_rules")
st.caption("Not given means the export has no usable value for what the rule reads.")

st.subheader("Required rules failing together")
combos = loaders.derived(
    analysis, "combinations", lambda: summary.failing_combinations(ev, top=TOP_COMBINATIONS)
)
if combos.empty:
    st.success("No applicant fails a required rule.")
else:
    labels = {rule.id: rule.label for rule in analysis.rule_set.required}
    st.plotly_chart(loaders.figure(charts.upset, combos, labels=labels), key="gaps_upset")
    st.caption(
        f"The {len(combos)} most common sets of failing required rules among ineligible "
        "applicants; each bar counts applicants failing exactly the rules dotted below it."
    )

st.subheader("Near misses: one requirement away")
near = loaders.derived(
    analysis, "outreach", lambda: tables.outreach(summary.near_misses(ev), ev.applicants)
)
if near.empty:
    st.info("No near misses: nobody fails exactly one required rule with nothing missing.")
    st.stop()
st.caption(f"{len(near):,} applicants, closest first. Contact them about what is still needed.")
page.show_table(near, hide_index=True, width="stretch", key="gaps_near_misses")
page.download_csv(near, "near_misses.csv", key="gaps_download")
