"""Eligibility: who qualifies, how that compares with the previous cohort, where people drop."""

import streamlit as st

from analytics.reporting import summary
from ui import charts, loaders, page, tables

page.setup("Eligibility")
analysis = page.require_dataset()
ev = analysis.evaluation

overall = loaders.derived(analysis, "overview", lambda: summary.overview(ev))
if overall["applicants"] == 0:
    st.info("This dataset has no applicants (only certified practitioners, or no rows).")
    st.stop()

by_cohort = loaders.derived(analysis, "by_cohort", lambda: summary.eligibility_by(ev, "cohort"))
order = loaders.derived(analysis, "cohort_order", lambda: tables.cohort_order(ev.applicants))
cohort = st.selectbox("Cohort", [page.ALL, *order], key="eligibility_cohort")
if cohort == page.ALL:
    shown, previous = overall, {}
    st.caption("Pick a cohort to compare it with the cohort before it.")
else:
    shown, previous = tables.cohort_kpis(by_cohort, order, cohort)
    if not previous:
        st.caption("This is the earliest cohort: nothing to compare it with.")
page.kpi_row(shown, previous)

st.subheader("Eligibility rate")
tabs = st.tabs(["By cohort", "By degree", "By country"])
for tab, column in zip(tabs, ("cohort", "degree", "country"), strict=True):
    with tab:
        table = loaders.derived(
            analysis, "by", lambda c=column: summary.eligibility_by(ev, c), column
        )
        st.plotly_chart(charts.rate_bars(table, column), key=f"eligibility_rate_{column}")

st.subheader("Funnel: applicants passing each required rule in turn")
steps = loaders.derived(analysis, "funnel", lambda: summary.funnel(ev))
st.plotly_chart(charts.funnel(steps), key="eligibility_funnel")
st.caption(
    "Each step keeps the applicants who pass that rule and every rule above it; "
    "applicants with missing data drop out at the first rule they lack."
)
