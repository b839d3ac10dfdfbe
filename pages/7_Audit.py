"""Audit log: who signed in, uploaded, viewed, exported or deleted what, and when."""

import datetime as dt

import streamlit as st

import store
from ui import loaders, page, tables

AUDIT_TABLE_HEIGHT = 600  # about eight wrapped entries; the table scrolls for the rest

page.setup("Audit log", page="Audit")

st.caption(
    "Every sign-in, upload, opened link, export, rename and deletion, newest first, with the "
    "dataset, saved view, rule set or source format it concerns; no applicant data is logged."
)

opened = store.open_store()
names = tables.object_names(
    opened.list_datasets(), opened.list_views(), opened.list_rule_sets(), opened.list_formats()
)
users = sorted({entry.user for entry in opened.audit_log()})
left, middle, right = st.columns(3)
users = left.multiselect("User", users, key="audit_users", placeholder=page.FILTER_ALL)
actions = middle.multiselect(
    "Action",
    list(store.ACTIONS),
    format_func=tables.AUDIT_ACTIONS.get,
    key="audit_actions",
    placeholder=page.FILTER_ALL,
)
object_id = right.text_input("Object id", key="audit_object").strip()
today = dt.datetime.now(dt.UTC).date()
days = st.date_input(
    "Between",
    value=(today - dt.timedelta(days=30), today),
    max_value=today,
    format="DD/MM/YYYY",
    key="audit_days",
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
# Keyed by the entries (immutable, by id) and the names: a rerun reuses the table, so its
# capped copy and print copy are made once rather than kept anew in the memo each run.
log = loaders.memo(
    ("audit_table", tuple(entry.id for entry in entries), tuple(sorted(names.items()))),
    lambda: tables.audit_table(entries, names),
)

if log.empty:
    st.info("No audit entries match these filters.")
else:
    st.markdown(f"**{len(log):,}** entries")
    page.table(
        log,
        rest="Narrow the dates or the filters above to see older entries.",
        hide_index=True,
        width="stretch",
        # Wrapped rows: what an entry concerns (a dataset's label and files) and its detail
        # read whole rather than ending in "…".
        row_height=page.WRAPPED_ROW_HEIGHT,
        # A few entries: the table's own height (600 px drew empty rows under them).
        height=AUDIT_TABLE_HEIGHT
        if len(log) * page.WRAPPED_ROW_HEIGHT > AUDIT_TABLE_HEIGHT
        else "content",
        column_config={
            "time": st.column_config.DatetimeColumn("Time (UTC)", format="DD MMM YYYY, HH:mm:ss"),
            "user": st.column_config.TextColumn("Who"),
            "action": st.column_config.TextColumn("Did"),
            "object": st.column_config.TextColumn("What", width=360),
            "detail": st.column_config.TextColumn("Detail", width=190),
            "object_id": st.column_config.TextColumn("ID"),
        },
    )
