"""Audit log: who signed in, uploaded, viewed, exported or deleted what, and when."""

import datetime as dt

import streamlit as st

import store
from ui import page, tables

page.setup("Audit log", page="Audit")

st.caption(
    "Every sign-in, upload, opened link, export and deletion, newest first. Objects are "
    "dataset (d-…), saved view (v-…) or rule set (r-…) ids; no applicant data is logged."
)

opened = store.open_store()
everyone = tables.audit_table(opened.audit_log())
left, middle, right = st.columns(3)
users = left.multiselect("User", sorted(everyone["user"].dropna().unique()), key="audit_users")
actions = middle.multiselect("Action", list(store.ACTIONS), key="audit_actions")
object_id = right.text_input("Object id", key="audit_object").strip()
today = dt.datetime.now(dt.UTC).date()
days = st.date_input(
    "Between", value=(today - dt.timedelta(days=30), today), max_value=today, key="audit_days"
)

entries = opened.audit_log(
    user=users,
    action=actions,
    object_id=object_id or None,
    since=dt.datetime.combine(days[0], dt.time(), dt.UTC) if len(days) > 0 else None,
    until=dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time(), dt.UTC)
    if len(days) > 0
    else None,
)
log = tables.audit_table(entries)

if log.empty:
    st.info("No audit entries match these filters.")
else:
    st.markdown(f"**{len(log):,}** entries")
    st.dataframe(
        log,
        hide_index=True,
        width="stretch",
        column_config={
            "time": st.column_config.DatetimeColumn("Time (UTC)", format="YYYY-MM-DD HH:mm:ss")
        },
    )
