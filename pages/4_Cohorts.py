"""Cohorts: filter the applicants, compare two cohorts, and open any one decision."""

import streamlit as st

from analytics.reporting import summary
from ui import charts, escaping, loaders, page, tables

page.setup("Cohorts")
analysis = page.require_dataset()
everyone = analysis.evaluation.applicants
if everyone.empty:
    st.info("This dataset has no applicants (only certified practitioners, or no rows).")
    st.stop()

chosen = page.filter_bar(everyone, analysis.evaluation.extra_columns, prefix="cohorts")
with st.spinner("Applying the filters…"):
    ev = loaders.filtered(analysis, chosen)
counts = loaders.derived(analysis, "overview", lambda: summary.overview(ev), chosen)
page.kpi_row(counts, {})
if counts["applicants"] == 0:
    st.info("No applicant matches these filters. Clear some of them to see more.")
    st.stop()

by_cohort = loaders.derived(analysis, "by_cohort", lambda: summary.eligibility_by(ev), chosen)
order = loaders.derived(
    analysis, "cohort_order", lambda: tables.cohort_order(ev.applicants), chosen
)
st.plotly_chart(
    loaders.figure(charts.status_bars, tables.in_cohort_order(by_cohort, order), "cohort"),
    key="cohorts_status_chart",
)

st.subheader("Two cohorts side by side")
if len(order) < 2:
    st.info("Only one cohort is in the filter: widen the cohort filter to compare two.")
else:
    left, right = st.columns(2)
    latest_two = tables.default_pair(order)
    first = left.selectbox("Cohort", order, index=latest_two[0], key="cohorts_compare_a")
    others = [c for c in order if c != first]
    wanted = order[latest_two[1]]
    second = right.selectbox(
        "with",
        others,
        index=others.index(wanted) if wanted in others else tables.default_pair(others)[1],
        key="cohorts_compare_b",
    )
    for column, cohort in ((left, first), (right, second)):
        with column:
            this, _ = tables.cohort_kpis(by_cohort, order, cohort)
            name = escaping.markdown(cohort)
            st.metric(f"{name}: eligible", f"{this['eligible']:,} of {this['applicants']:,}")
            st.metric(f"{name}: eligibility rate", f"{this['eligibility_rate']:.1%}")
    gaps_by = loaders.derived(
        analysis, "gaps_by_cohort", lambda: summary.gaps(ev, by="cohort"), chosen
    )
    compared = tables.compare_cohorts(gaps_by, [first, second])
    if compared["fail"].sum() == 0:  # bars of nothing would draw an empty frame
        figure = charts.empty(tables.FAILING_TITLE, tables.NOBODY_FAILS)
    else:
        figure = loaders.figure(
            charts.side_by_side, compared, "label", "cohort", "share", title=tables.FAILING_TITLE
        )
    st.plotly_chart(figure, key="cohorts_compare")

st.subheader("Applicants")
labels = {rule.id: rule.label for rule in analysis.rule_set.admission}
rows = loaders.derived(
    analysis, "drill", lambda: tables.drill_rows(ev.applicants, ev.extra_columns, labels), chosen
)
page.pick_applicant(rows, ev.applicants, analysis, key="cohorts_table")
page.download_csv(rows, "applicants.csv", key="cohorts_download")
