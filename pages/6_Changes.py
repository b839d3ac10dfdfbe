"""Changes: what moved since the previous upload, and the programme over its uploads."""

import streamlit as st

from analytics.errors import LoadError
from store import StoreError
from ui import comparison, escaping, page, state

page.setup("Changes")
page.require_dataset()
current = comparison.open_dataset()
if current is None:
    st.info(comparison.NOT_STORED)
    st.stop()
with st.expander(f"This upload: {escaping.markdown(current.label)}"):
    comparison.label_form(current)

others = comparison.candidates(current)
if not others:
    st.info(comparison.ONLY_ONE)
    st.stop()
choice = comparison.pick(current, others)
if choice.other is None:
    st.info(comparison.PICK)
    comparison.history(current)
    st.stop()
try:
    with st.spinner("Reading the other upload and comparing…"):
        result = comparison.compare(current, choice)
except (LoadError, StoreError) as err:
    st.error(f"The other upload cannot be read: {escaping.markdown(err)}")
    st.stop()
found = result.changes
old, new = (escaping.markdown(comparison.describe(d)) for d in (result.old, result.new))
rule_set = escaping.markdown(result.rule_set.label or result.rule_set.name)
st.caption(
    f"From {old}, judged as of {found.old_as_of:%d %b %Y}, to "
    f"{new}, judged as of {found.as_of:%d %b %Y}; {rule_set} rules."
)
kpis = comparison.kpis(found)
for start in range(0, len(kpis), comparison.KPI_ROW):
    for column, (label, count, text) in zip(
        st.columns(comparison.KPI_ROW), kpis[start : start + comparison.KPI_ROW], strict=False
    ):
        column.metric(label, f"{count:,}", help=text)

if not found.has_changes:
    same = f"{comparison.SAME_FILES}. " if result.is_same_files else ""
    st.success(same + comparison.NOTHING_CHANGED)
else:
    if found.applicants["continuing"] == 0:
        st.warning(comparison.NO_COMMON)
    left, right = st.columns(2)
    with left:
        st.subheader("Where applicants went")
        st.plotly_chart(result.figures["moves"], key="changes_sankey")
    with right:
        st.subheader("Requirements met and no longer met")
        st.plotly_chart(result.figures["rules"], key="changes_rules")
    labels = [f"{comparison.LISTS[n]} ({len(f):,})" for n, f in result.lists.items()]
    position, tab = page.lazy_tabs(labels, key=comparison.LIST_TAB_KEY)
    name, frame = list(result.lists.items())[position]
    with tab:
        st.caption(comparison.LIST_HELP[name])
        query = st.text_input(
            "Filter",
            key=f"changes_filter_{name}",
            placeholder="contains…",
            persist_state=state.KEPT,
        )
        shown = comparison.search(frame, query, state.show_personal())
        if shown.empty:
            st.info(comparison.LIST_EMPTY[name] if frame.empty else "No row matches.")
        else:
            page.show_table(shown, hide_index=True, width="stretch")
            page.download_csv(shown, f"{name}.csv", key=f"changes_download_{name}")
comparison.history(current, choice.other)
