"""Renewals: which certifications are due or overdue, how late, and what blocks each one."""

import streamlit as st

from analytics.reporting import renewals
from ui import charts, loaders, page, tables

COUNTS = ("certified", "current", "due", "overdue", "ready", "blocked")

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
st.plotly_chart(charts.backlog_by_month(by_month), key="renewals_by_month")

left, right = st.columns(2)
with left:
    st.subheader("Overdue, by days past expiry")
    ageing = loaders.derived(analysis, "ageing", lambda: renewals.ageing(ev))
    st.plotly_chart(charts.ageing(ageing), key="renewals_ageing")
with right:
    st.subheader("What blocks renewal")
    blocked = loaders.derived(analysis, "blocked_by", lambda: renewals.blocked_by(ev))
    st.plotly_chart(
        charts.count_bars(blocked, "label", "blocked", horizontal=True), key="renewals_blocked"
    )

st.subheader("Backlog: what each practitioner must still do")
todo = loaders.derived(
    analysis, "backlog", lambda: tables.backlog_to_do(renewals.backlog(ev), analysis.rule_set)
)
page.show_table(todo, hide_index=True, width="stretch", key="renewals_backlog")
page.download_csv(todo, "renewal_backlog.csv", key="renewals_download")
