"""Page setup shared by every screen: `setup(title)` first, then `require_dataset()`.

`setup` is the single entry each page calls before anything else, so session-wide hooks
(sign-in, share links, exports) have one place to go.
"""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from analytics.errors import LoadError
from ui import filters, loaders, state

APP_NAME = "Filler admissions"
OPEN_SAMPLE_ENV = "ADMISSIONS_OPEN_SAMPLE"
SAMPLE_LABEL = "Bundled sample"
NO_DATA = "No dataset is open. Upload your exports or open the sample on the Home page."
PERSONAL_TOGGLE = "page_show_personal"


def setup(title: str) -> None:
    """Configure the page, open the sample when asked to, and draw the sidebar."""
    st.set_page_config(page_title=f"{title} · {APP_NAME}", layout="wide")
    if (
        os.environ.get(OPEN_SAMPLE_ENV) == "1"
        and not state.has_dataset()
        and state.claim_sample_offer()
    ):
        open_sample()
    _sidebar()
    st.title(title)


def open_sample() -> None:
    files = loaders.sample_files()
    if not files:
        st.warning("The bundled sample is missing (data/samples/ is empty): run `make samples`.")
        return
    state.open_files(files, SAMPLE_LABEL)


def _keep_personal_choice() -> None:
    state.set_show_personal(st.session_state[PERSONAL_TOGGLE])


def _sidebar() -> None:
    ds = state.dataset()
    active = state.active_rules()
    with st.sidebar:
        st.markdown(f"**Dataset:** {ds.label if ds else 'none open'}")
        origin = "" if active.origin == active.name else f" ({active.origin})"
        st.markdown(f"**Rule set:** {active.name}{origin}")
        st.markdown(f"**As of:** {state.as_of():%d %b %Y}")
        # The toggle's own state is dropped on pages that do not draw it, so seed it from
        # the session's choice each run and write changes back.
        st.session_state[PERSONAL_TOGGLE] = state.show_personal()
        st.toggle(
            "Show personal data",
            key=PERSONAL_TOGGLE,
            on_change=_keep_personal_choice,
            help="Names, emails and licence numbers are masked unless this is on.",
        )


def require_dataset() -> loaders.Analysis:
    """The open dataset, read and evaluated; otherwise an explicit empty state and stop."""
    ds = state.dataset()
    if ds is None:
        # No st.page_link here: AppTest cannot resolve page URLs; the sidebar has Home.
        st.info(NO_DATA)
        st.stop()
    try:
        with st.spinner("Reading the exports and applying the rules…"):
            return loaders.analyse(ds, state.active_rules(), state.as_of())
    except LoadError as err:
        st.error(str(err))
        st.caption("Open the Home page to choose other files, a sheet or a column mapping.")
        st.stop()


def show_table(frame: pd.DataFrame, mapping: dict[str, str] | None = None, **kwargs):
    """st.dataframe with personal columns masked unless the user switched them on, and
    dates shown as dates (the engine keeps them as midnight datetimes). `mapping` names
    personal columns under headers the user mapped by hand."""
    dates = {
        column: st.column_config.DatetimeColumn(format="YYYY-MM-DD")
        for column in frame.columns
        if pd.api.types.is_datetime64_any_dtype(frame[column])
    }
    config = {**dates, **kwargs.pop("column_config", {})}
    shown = loaders.for_display(frame, state.show_personal(), mapping)
    return st.dataframe(shown, column_config=config or None, **kwargs)


def download_csv(
    frame: pd.DataFrame,
    file_name: str,
    key: str,
    label: str = "Download CSV",
    mapping: dict[str, str] | None = None,
):
    """Download of what the table shows, masked the same way."""
    shown = loaders.for_display(frame, state.show_personal(), mapping)
    st.download_button(
        label, loaders.csv_bytes(shown), file_name=file_name, mime="text/csv", key=key
    )


ALL = "All cohorts"
KPI_LABELS = {
    "applicants": "Applicants",
    "eligible": "Eligible",
    "incomplete": "Incomplete",
    "ineligible": "Ineligible",
    "eligibility_rate": "Eligibility rate",
}
# A rise in these is bad news, so Streamlit should colour it red.
WORSE_WHEN_UP = {"incomplete", "ineligible"}


def kpi_row(values: dict, previous: dict) -> None:
    """st.metric per KPI; deltas against `previous` when given (rate in points)."""
    for column, (key, label) in zip(st.columns(len(KPI_LABELS)), KPI_LABELS.items(), strict=True):
        value = values.get(key, 0)
        is_rate = key == "eligibility_rate"
        shown = f"{value:.1%}" if is_rate else f"{int(value):,}"
        delta = None
        if previous:
            change = value - previous.get(key, 0)
            delta = f"{change * 100:+.1f} pts" if is_rate else f"{int(change):+,}"
        column.metric(
            label,
            shown,
            delta,
            delta_color="inverse" if key in WORSE_WHEN_UP else "normal",
        )


FILTER_COLUMNS = {
    "cohort": "Cohort",
    "programme": "Programme",
    "country": "Country",
    "degree": "Degree",
    "status": "Status",
}
NO_EXTRA = "(none)"


def filter_bar(rows: pd.DataFrame, extra_columns: list[str], prefix: str) -> filters.Filters:
    """Multiselects for the usual columns, a date range and one extra column of the export.

    Widget keys are `<prefix>_<column>`, `<prefix>_dates`, `<prefix>_extra_column` and
    `<prefix>_extra_values`; an empty choice means "everyone".
    """
    chosen: dict[str, list[str]] = {}
    with st.expander("Filters", expanded=True):
        cols = st.columns(len(FILTER_COLUMNS))
        for col, (column, label) in zip(cols, FILTER_COLUMNS.items(), strict=True):
            chosen[column] = col.multiselect(
                label, filters.options(rows, column), key=f"{prefix}_{column}"
            )
        left, mid, right = st.columns(3)
        bounds = filters.date_bounds(rows, "application_date")
        picked = None
        if bounds is not None:
            value = left.date_input(
                "Applied between", value=bounds, key=f"{prefix}_dates", format="DD/MM/YYYY"
            )
            picked = tuple(value) if isinstance(value, (tuple, list)) and len(value) == 2 else None
        extra = mid.selectbox(
            "Other column", [NO_EXTRA, *extra_columns], key=f"{prefix}_extra_column"
        )
        if extra != NO_EXTRA:
            chosen[extra] = right.multiselect(
                extra, filters.options(rows, extra), key=f"{prefix}_extra_values"
            )
    return filters.Filters.build(chosen, picked, bounds)
