"""Eligibility: who qualifies, how that compares with the previous cohort, where people drop."""

import streamlit as st

from analytics.reporting import summary
from ui import charts, escaping, filters, loaders, page, tables

page.setup("Eligibility")
analysis = page.require_dataset()
everyone = analysis.evaluation

overall = loaders.derived(analysis, "overview", lambda: summary.overview(everyone))
if overall["applicants"] == 0:
    st.info("This dataset has no applicants (only certified practitioners, or no rows).")
    st.stop()

by_cohort = loaders.derived(
    analysis, "by_cohort", lambda: summary.eligibility_by(everyone, "cohort")
)
order = loaders.derived(analysis, "cohort_order", lambda: tables.cohort_order(everyone.applicants))
cohort = page.cohort_choice(order)
if cohort == page.ALL:
    chosen = filters.Filters()
    shown, previous, before = overall, {}, None
    st.caption("Pick a cohort to compare it with the cohort before it.")
else:
    chosen = filters.Filters.build({"cohort": [cohort]})
    shown, previous = tables.cohort_kpis(by_cohort, order, cohort)
    before = tables.previous_cohort(order, cohort)
    if before is None:
        st.caption("This is the earliest cohort: nothing to compare it with.")
    else:
        before_name = escaping.markdown(before)
        st.caption(f"Changes are against {before_name}, the cohort before it by first application.")
page.kpi_row(shown, previous, before)
ev = loaders.filtered(analysis, chosen)

st.subheader(
    "Eligibility rate" if cohort == page.ALL else f"Eligibility rate: {escaping.markdown(cohort)}"
)
RATE_GROUPS = {"By cohort": "cohort", "By degree": "degree", "By country": "country"}
position, tab = page.lazy_tabs(list(RATE_GROUPS), key="eligibility_rate_by")
column = list(RATE_GROUPS.values())[position]
with tab:
    table = loaders.derived(
        analysis, "by", lambda: summary.eligibility_by(ev, column), column, chosen
    )
    if column == "cohort":
        table = tables.in_cohort_order(table, order)
    st.plotly_chart(
        loaders.figure(charts.rate_bars, table, column), key=f"eligibility_rate_{column}"
    )

st.subheader("Funnel: applicants passing each required rule in turn")
steps = loaders.derived(analysis, "funnel", lambda: summary.funnel(ev), chosen)
st.plotly_chart(loaders.figure(charts.funnel, steps), key="eligibility_funnel")
st.caption(
    "Each step keeps the applicants who pass that rule and every rule above it; "
    "applicants with missing data drop out at the first rule they lack."
)
