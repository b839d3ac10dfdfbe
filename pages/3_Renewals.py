"""Renewals: which certifications are due or overdue, how late, and what blocks each one."""

import streamlit as st

from analytics.reporting import renewals
from ui import charts, loaders, page, tables

COUNTS = ("certified", "current", "due", "overdue", "ready", "blocked")
CHASE_COLUMNS = {
    "applicant_id": st.column_config.TextColumn("Applicant ID"),
    "full_name": st.column_config.TextColumn("Name"),
    "email": st.column_config.TextColumn("Email"),
    "license_number": st.column_config.TextColumn("Licence number"),
    "expiry": st.column_config.DateColumn("Certification expires", format="DD MMM YYYY"),
    "days_to_expiry": st.column_config.NumberColumn(
        "Days until expiry", help="Negative: days since the certification expired"
    ),
    "renewal_status": st.column_config.TextColumn("Status"),
    "to_do": st.column_config.TextColumn("What is left to do", width="large"),
}

page.setup("Renewals")
analysis = page.require_dataset()
ev = analysis.evaluation

counts = loaders.derived(analysis, "renewals", lambda: renewals.summary(ev))
if counts["certified"] == 0:
    st.info("This dataset has no certified practitioners (no certification dates).")
    st.stop()

for column, key in zip(st.columns(len(COUNTS)), COUNTS, strict=True):
    column.metric(key.capitalize(), f"{counts[key]:,}")
if counts["backlog"] == 0:
    st.success("No certification is due or overdue for renewal.")
    st.stop()

st.subheader("Backlog by month of expiry")
by_month = loaders.derived(analysis, "backlog_by_month", lambda: renewals.backlog_by_month(ev))
st.plotly_chart(loaders.figure(charts.backlog_by_month, by_month), key="renewals_by_month")

left, right = st.columns(2)
with left:
    st.subheader("Overdue, by days past expiry")
    ageing = loaders.derived(analysis, "ageing", lambda: renewals.ageing(ev))
    st.plotly_chart(loaders.figure(charts.ageing, ageing), key="renewals_ageing")
with right:
    st.subheader("What blocks renewal")
    blocked = loaders.derived(analysis, "blocked_by", lambda: renewals.blocked_by(ev))
    st.plotly_chart(
        loaders.figure(charts.count_bars, blocked, "label", "blocked", horizontal=True),
        key="renewals_blocked",
    )

st.subheader("Chase list: who to contact, most urgent first")
chase = loaders.derived(
    analysis,
    "chase_list",
    lambda: tables.chase_list(
        tables.backlog_to_do(renewals.backlog(ev), analysis.rule_set), analysis.as_of
    ),
)
counts_by_window = loaders.derived(analysis, "chase_windows", lambda: tables.window_counts(chase))
window = st.segmented_control(
    "Show",
    list(tables.CHASE_WINDOWS),
    format_func=lambda w: f"{tables.CHASE_WINDOWS[w]} ({counts_by_window[w]:,})",
    default="all",
    required=True,  # a click on the chosen window keeps it (it fell back to "all" unsaid)
    key="renewals_window",
)
window = window or "all"
shown = loaders.derived(analysis, "chase_shown", lambda: tables.in_window(chase, window), window)
if shown.empty:
    st.info(f"Nobody in the backlog is {tables.CHASE_WINDOWS[window].lower()}.")
else:
    page.show_table(
        shown,
        hide_index=True,
        width="stretch",
        key="renewals_backlog",
        column_config=CHASE_COLUMNS,
        column_order=list(CHASE_COLUMNS),
    )
    page.download_csv(shown, "renewal_chase_list.csv", key="renewals_download")
