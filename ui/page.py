"""Page setup shared by every screen: `setup(title)` first, then `require_dataset()`.

`setup` is the single entry each page calls before anything else, so the session-wide
hooks live here: the sign-in gate, share links (a link's view is reopened, the session's
view written back into the URL), storing an opened dataset so links can name it, and the
sidebar. `require_dataset` adds the report downloads to the sidebar of every data page.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

import store
from analytics.errors import LoadError
from analytics.reporting import exports, vocabulary
from ui import (
    auth,
    datasets,
    downloads,
    escaping,
    filters,
    links,
    loaders,
    masking,
    memory,
    preload,
    printing,
    state,
    tables,
    views,
)

APP_NAME = "Filler admissions"
STYLES = Path(__file__).with_name("styles.css")
SCRIPTS_KEY = "admissions_scripts"  # the sidebar's container of our scripts (ui/styles.css)
OPEN_SAMPLE_ENV = "ADMISSIONS_OPEN_SAMPLE"
SAMPLE_LABEL = "Bundled sample"
DATE_FORMAT = "DD MMM YYYY"  # every table's dates: 01 Nov 2026
# Rows a table sends to the browser: what a person reads on screen. Every longer list has
# its download beside it (or filters that narrow it), and its caption says so.
TABLE_ROWS = 500
IN_THE_DOWNLOAD = "The full list is in the CSV download below."
NO_DATA = "No dataset is open. Upload your exports or open the sample on the Home page."
SHARE_FAILED = (
    "This dataset could not be stored for sharing (the app's data folder is not writable "
    "or is full), so links will not include it. Everything else works."
)

STORE_RETRY_SECONDS = 5  # while the shared store cannot be reached

log = logging.getLogger(__name__)
HELD_AUDIT = "_page_held_audit"  # audit entries a run could not write, for the next run


def screens() -> list[st.Page]:
    """The app's screens for st.navigation (app.py): Home first, then pages/ in their
    numbered order, each titled and reached ("/Eligibility") by its file's name."""
    return [
        st.Page(script, title=name, default=name == links.HOME_PAGE)
        for name, script in links.page_scripts().items()
    ]


def navigation():
    """Declare the screens (app.py) and return the one the browser asks for.

    Streamlit runs an app with a pages/ folder the classic way (every file a page, the
    main one named "app", widgets keyed to that layout) until st.navigation has been
    called once in the process. Such a run is repeated at once, through app.py.
    """
    is_classic = bool(PagesManager.uses_pages_directory)
    chosen = st.navigation(screens())
    if is_classic:
        st.rerun()
    return chosen


def setup(title: str, page: str | None = None) -> str:
    """Configure the page, pass the sign-in gate, reopen a link's view (or keep the
    session's view in the URL), store a newly opened dataset, and draw the sidebar.

    `page`: the screen's name in links (its file name without the number; "Home" for
    Home), by default the title. Returns the user's label for the audit log.
    """
    if PagesManager.uses_pages_directory:  # a classic run of this page alone: see navigation
        navigation()
    st.set_page_config(page_title=f"{title} · {APP_NAME}", layout="wide")
    st.html(STYLES)  # style only: Streamlit sends it where it takes no room
    _require_store()
    user = auth.require_access()
    memory.watch_session()
    if (
        os.environ.get(OPEN_SAMPLE_ENV) == "1"
        and not state.has_dataset()
        and links.DATASET not in st.query_params
        and state.claim_sample_offer()
    ):
        open_sample(by_person=False)
    if links.is_incoming_link():
        # The filter bar draws the link's filters, not the ones kept from an earlier visit.
        for key in [*filter_keys("cohorts"), COHORT_KEY]:
            st.session_state.pop(key, None)
    links.restore_view(page=page or title)
    _share_open_dataset()
    _sidebar()
    st.title(title)
    return user


def run(screen) -> None:
    """Run the chosen screen (app.py). A shared store lost halfway through a run is said
    in one line where the screen stopped, as `setup` says it when a run starts.

    The audit entries the run defers (a sign-in, a dataset opened again: `record(...,
    later=True)`) are written once the screen is drawn, in one transaction."""
    try:
        with _deferred_audit():
            screen.run()
    except store.StoreUnavailable as err:
        _store_unavailable(err)


@contextlib.contextmanager
def _deferred_audit():
    """The store's `deferred_audit` around a run, with what an earlier run of the session
    could not write held first. The next run is another thread: what this one could not
    write goes with the session (its sign-in, say, is not recorded again)."""
    try:
        opened = store.open_store()
    except store.StoreError:  # the screen's setup says what is wrong with the store
        yield
        return
    try:
        with opened.deferred_audit():
            opened.hold_audit(st.session_state.pop(HELD_AUDIT, ()))
            yield
    finally:
        left = opened.take_held_audit()
        if left:  # added to, not replaced: an overlapping run may have left some too
            st.session_state[HELD_AUDIT] = [*st.session_state.get(HELD_AUDIT, ()), *left]


def _require_store() -> None:
    """Every run starts by reaching the store (a no-op for the embedded one): a replica
    whose shared database is gone says so in one line, draws nothing else, and tries
    again every few seconds, reloading the screen once the database answers."""
    try:
        store.open_store().ping()
    except store.StoreUnavailable as err:
        _store_unavailable(err)
        st.stop()


def _store_unavailable(err: store.StoreUnavailable) -> None:
    st.error(escaping.markdown(err))
    _retry_store()


@st.fragment(run_every=STORE_RETRY_SECONDS)
def _retry_store() -> None:
    try:
        store.open_store().ping()
    except store.StoreUnavailable:
        return
    st.rerun(scope="app")


def _share_open_dataset() -> None:
    """Store the open dataset once (per session and reading options) so links name it;
    the store records the upload in the audit log.

    Only a dataset that was read is stored: a file that makes the reader fail must not get
    a link that fails again for everyone who opens it (the page reading it says why; the
    read is memoised, so it is not repeated). Its files are written while they are read
    (`links.StoredAhead`) and removed again if the read fails. Once stored, the session
    keeps the files' names, not their bytes (`state.keep_in_store`); a copy deleted
    elsewhere since is stored again, or its link withdrawn.
    """
    ds = state.dataset()
    if ds is None:
        return
    stored_id = links.shared_dataset_id()
    if stored_id is not None:
        # The copy the link names may have been deleted in another session (0.6 ms on the
        # embedded store): its link would open nothing. Stored afresh then, from the bytes
        # held or, by their SHA-256s, from the store while another copy keeps them; when
        # neither has them, the sidebar offers no link and says why.
        still = _still_stored(stored_id)
        if still is None:
            return  # the store cannot say: keep the bytes, and the link
        if not still:
            links.forget_shared(stored_id)
            stored_id = None
    if stored_id is None:
        with links.StoredAhead() as ahead:  # the files' write overlaps their read
            try:
                with st.spinner("Reading the exports…"):
                    loaders.load(ds)
            except LoadError:
                return
            ahead.keep()
        try:
            stored_id = links.share_dataset()
        except store.StoreError as err:
            st.warning(escaping.markdown(err))
            return
        except (OSError, store.DatabaseError):
            log.exception("could not store the open dataset")
            st.warning(SHARE_FAILED)
            return
        links.publish_view()
    if stored_id is not None:
        state.keep_in_store()


def _still_stored(dataset_id: str) -> bool | None:
    """Whether the store still has the dataset (None: the store cannot be reached)."""
    try:
        store.open_store().get_dataset(dataset_id)
    except store.NotFoundError:
        return False
    except store.FAILURES:
        return None
    return True


def open_sample(by_person: bool = True) -> None:
    files = loaders.sample_files()
    if not files:
        st.warning("The bundled sample is missing (data/samples/ is empty): run `make samples`.")
        return
    state.open_files(files, SAMPLE_LABEL, by_person=by_person)


def _sidebar() -> None:
    ds = state.dataset()
    active = state.active_rules()
    with st.sidebar:
        st.markdown(f"**Dataset:** {escaping.markdown(ds.label) if ds else 'none open'}")
        st.markdown(f"**Rule set:** {escaping.markdown(_rules_label(active))}")
        st.markdown(f"**As of:** {state.as_of():%d %b %Y}")
        # Every page draws this toggle, and a widget's id includes its page: a toggle kept
        # with persist_state="session" would still start from its default on the first run
        # of another page. Handing it the session's value before each draw carries it over.
        state.set_show_personal(state.show_personal())
        st.toggle(
            "Show personal data",
            key=state.SHOW_PERSONAL,
            help="Names, emails and licence numbers are masked unless this is on.",
        )
        if links.shared_dataset_id() is not None:
            st.caption("Link to this view (no personal data in it), to select and copy:")
            # Plain text, not st.code: its copy button comes with a 1.5 MB syntax
            # highlighter that cost every newly opened tab 0.3-0.4 s (docs/benchmarks.md).
            st.text(links.share_link())
            # Every screen can be saved: the view names this screen and its filters. In a
            # popover, whose content the browser draws only once it is opened.
            with st.popover(views.SAVE_OPEN_LABEL, width="stretch"):
                views.render_save_form()
        _scripts()


def _scripts() -> None:
    """The page's scripts of ours (no user text in them) in one container, which
    ui/styles.css hides: a drawn element of no height would still add the sidebar's gap
    between its neighbours. The code loaded ahead, and the print copies' builder."""
    with st.container(key=SCRIPTS_KEY):
        preload.load_ahead()
        st.html(printing.script(), unsafe_allow_javascript=True)


def _rules_label(active: state.ActiveRules) -> str:
    """The rule set as every session names it: its label ("Standard track", "Standard
    track, edited (version 2)"), and "(uploaded)" for a file someone uploaded."""
    try:
        label = loaders.rule_set(active).label
    except LoadError:
        label = active.name
    return f"{label} (uploaded)" if active.origin == "uploaded" else label


def require_dataset() -> loaders.Analysis:
    """The open dataset, read and evaluated; otherwise an explicit empty state and stop."""
    ds = state.dataset()
    if ds is None:
        # No st.page_link here: AppTest cannot resolve page URLs; the sidebar has Home.
        st.info(NO_DATA)
        st.stop()
    try:
        with st.spinner("Reading the exports and applying the rules…"):
            analysis = loaders.analyse(ds, state.active_rules(), state.as_of())
    except LoadError as err:
        datasets.show_load_error(err)
        st.caption("Open the Home page to choose other files, a sheet or a column mapping.")
        st.stop()
    downloads.report_buttons(analysis)
    _applicant_search(analysis)
    return analysis


def show_table(
    frame: pd.DataFrame,
    mapping: dict[str, str] | None = None,
    rest: str = IN_THE_DOWNLOAD,
    **kwargs,
):
    """st.dataframe in the director's words: headers and cells from the vocabulary
    (category labels, blank groups named, empty cells blank rather than "None"), rates as
    "45.1%", dates as "01 Nov 2026", personal columns masked unless the user switched them
    on. `mapping` names personal columns under headers the user mapped by hand; a
    `column_config` given overrides the column's default. At most TABLE_ROWS rows are
    sent (see `table`, and `rest`)."""
    labels = _rule_labels(frame)
    config = {**_column_config(frame, labels), **kwargs.pop("column_config", {})}
    if state.show_personal():
        # The browser sizes a table's columns when it first draws it and keeps the widths
        # when the cells change: sized for masked initials, names and emails then read
        # "Yorick F", "yorick.ro". Shown, they get room of their own.
        for column in frame.columns:
            given = config.get(column)
            if masking.personal_kind(column, mapping) is None or not isinstance(given, dict):
                continue
            if given.get("width") is None:  # a page's own width stands
                config[column] = {**given, "width": PERSONAL_WIDTH}
    first = loaders.first_rows(frame, TABLE_ROWS)
    shown = _rates_rounded(
        loaders.in_words(loaders.for_display(first, state.show_personal(), mapping), labels)
    )
    kwargs.setdefault("placeholder", "")
    return table(shown, rest=rest, total=len(frame), column_config=config, **kwargs)


def _rates_rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """Rates rounded to the tenth of a percent they are shown to. Streamlit's NumberColumn
    cuts the digits past its `step` off (40 of 91, 0.4396, read 43.9%), where the charts,
    the print copy and the workbook round (44.0%)."""
    rates = [c for c in frame.columns if str(c) in vocabulary.PERCENT_COLUMNS]
    rates = [c for c in rates if pd.api.types.is_float_dtype(frame[c])]
    if not rates:
        return frame
    return frame.assign(**{str(c): frame[c].round(3) for c in rates})


def table(frame: pd.DataFrame, rest: str = IN_THE_DOWNLOAD, total: int | None = None, **kwargs):
    """st.dataframe (same arguments, same return) of at most the first TABLE_ROWS rows and,
    for print only, a static copy of its first rows under the same headers (ui.printing):
    the canvas prints empty. A longer list (`total` rows, by default the frame's) says above
    it how many rows it holds and, in `rest`, where the others are."""
    total = len(frame) if total is None else total
    frame = loaders.first_rows(frame, TABLE_ROWS)
    if total > len(frame):
        st.caption(f"Showing the first {len(frame):,} of {total:,} rows. {rest}")
    shown = st.dataframe(frame, **kwargs)
    headers = printing.labels(
        list(frame.columns), kwargs.get("column_config"), kwargs.get("column_order")
    )
    st.html(loaders.print_html(frame, headers, total, rest))
    return shown


def _rule_labels(frame: pd.DataFrame) -> dict[str, str]:
    """Rule id -> label of the active rule set, when the table names rules."""
    names_rules = any(
        str(c) in vocabulary.RULE_ID_COLUMNS or str(c).startswith(tuple(vocabulary.RULE_COLUMNS))
        for c in frame.columns
    )
    if not names_rules:
        return {}
    return vocabulary.rule_labels(loaders.rule_set(state.active_rules()))


def _column_config(frame: pd.DataFrame, labels: dict[str, str]) -> dict:
    config = {}
    for column in frame.columns:
        name, series = str(column), frame[column]
        label = vocabulary.column_label(name, labels)
        if pd.api.types.is_datetime64_any_dtype(series):
            config[column] = st.column_config.DateColumn(label, format=DATE_FORMAT)
        elif name in vocabulary.PERCENT_COLUMNS:
            # step 0.001: Streamlit's "percent" then shows one decimal (0.451 -> 45.1%)
            config[column] = st.column_config.NumberColumn(label, format="percent", step=0.001)
        elif name in vocabulary.POINTS_COLUMNS:
            config[column] = st.column_config.NumberColumn(label, format="%+.1f pts")
        elif pd.api.types.is_bool_dtype(series):
            config[column] = st.column_config.CheckboxColumn(label)
        elif pd.api.types.is_numeric_dtype(series):
            config[column] = st.column_config.NumberColumn(label)
        elif name in vocabulary.RULE_ID_COLUMNS and series.dtype == object:
            config[column] = st.column_config.ListColumn(label)
        else:
            config[column] = st.column_config.TextColumn(label)
    return config


def download_csv(
    frame: pd.DataFrame,
    file_name: str,
    key: str,
    label: str = "Download CSV",
    mapping: dict[str, str] | None = None,
):
    """Download of what the table shows, masked the same way (exports hide the personal
    columns completely), formula-injection safe, made on click; each download is audited."""
    include = state.show_personal()
    downloads.button(
        label,
        # Masked on click, not on every rerun: a masked copy of a 100,000-row list would
        # otherwise stay in the session's memory for a download that may never be asked.
        lambda: exports.csv_bytes(
            masking.mask_frame(frame, include, mapping), include_personal=include
        ),
        file_name=file_name,
        mime="text/csv",
        key=key,
        audit=downloads.export_detail(f"csv {file_name}", include),
    )


ALL = "All cohorts"
COHORT_KEY = "eligibility_cohort"


def lazy_tabs(labels: list[str], key: str, default: str | None = None) -> tuple[int, object]:
    """st.tabs whose hidden tabs draw nothing: (position, container) of the open tab, the
    only one to draw into. Choosing a tab reruns the page, which then draws that tab alone.
    Streamlit's default tabs run and draw every tab on every run; a hidden Plotly chart or
    table still costs the browser its layout (Eligibility's two hidden charts about 0.1 s
    of each switch to it). A hidden tab does not print either way, so paper loses nothing.
    Widgets inside a tab should be kept (`persist_state`), or a hidden tab forgets them."""
    tabs = st.tabs(labels, key=key, on_change="rerun", default=default)
    position = next((i for i, tab in enumerate(tabs) if tab.open), 0)
    return position, tabs[position]


def _publish_cohort() -> None:
    chosen = st.session_state.get(COHORT_KEY)
    links.publish_view(cohort=None if chosen in (None, ALL) else chosen)


def cohort_choice(order: list[str]) -> str:
    """Eligibility's cohort selectbox (ALL first, then `order`). It travels in share links
    (`cohort=`) and is kept across page switches: it starts from the link's (or the
    session's) choice, and every change is published into the URL."""
    linked = links.current_view().cohort
    if COHORT_KEY not in st.session_state and linked in order:
        st.session_state[COHORT_KEY] = linked
    if st.session_state.get(COHORT_KEY) not in (None, ALL, *order):
        st.session_state.pop(COHORT_KEY)  # a cohort of another dataset
    chosen = st.selectbox(
        "Cohort",
        [ALL, *order],
        key=COHORT_KEY,
        on_change=_publish_cohort,
        persist_state=state.KEPT,
    )
    wanted = None if chosen == ALL else chosen
    if links.current_view().cohort != wanted:
        links.publish_view(cohort=wanted)
    return chosen


KPI_LABELS = {
    "applicants": "Applicants",
    "eligible": "Eligible",
    "incomplete": "Incomplete",
    "ineligible": "Ineligible",
    "eligibility_rate": "Eligibility rate",
}
# A rise in these is bad news, so Streamlit should colour it red.
WORSE_WHEN_UP = {"incomplete", "ineligible"}


def kpi_row(values: dict, previous: dict, compared_with: str | None = None) -> None:
    """st.metric per KPI; deltas against `previous` when given (rate in points), each
    saying in its help which cohort it is measured against."""
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
            help=f"Change vs {escaping.markdown(compared_with)}"
            if delta is not None and compared_with
            else None,
        )


FILTER_COLUMNS = {
    "cohort": "Cohort",
    "programme": "Programme",
    "country": "Country",
    "degree": "Degree",
    "status": "Status",
}
NO_EXTRA = "(none)"
REGISTER_ID = (
    "That ID is a certified practitioner's (the certification register), not an "
    "applicant's: their renewal is on the Renewals page."
)
PERSONAL_WIDTH = "medium"  # a personal column's width while personal data is shown
FILTER_ALL = "All"  # an empty filter keeps everyone (Streamlit's "Choose options" read "Choo")


def filter_keys(prefix: str) -> list[str]:
    return [f"{prefix}_{column}" for column in FILTER_COLUMNS]


def _linked_filters(prefix: str) -> dict[str, list[str]]:
    """The link-carried filters as the widgets hold them now (empty choices left out)."""
    chosen = {column: st.session_state.get(f"{prefix}_{column}") for column in FILTER_COLUMNS}
    return {column: list(values) for column, values in chosen.items() if values}


def _publish_filters(prefix: str) -> None:
    # on_change: callbacks run before the page, so the sidebar's link is already current.
    links.publish_view(filters=_linked_filters(prefix))


def filter_bar(rows: pd.DataFrame, extra_columns: list[str], prefix: str) -> filters.Filters:
    """Multiselects for the usual columns, a date range and one extra column of the export.

    Widget keys are `<prefix>_<column>`, `<prefix>_dates`, `<prefix>_extra_column` and
    `<prefix>_extra_values`; an empty choice means "everyone". The usual columns travel in
    share links and are kept across page switches (persist_state="session"): they start
    from the link's (or the session's) filters, and every change is published into the
    URL. The date range and the extra column stay on this visit of the page: an extra
    column's values can be free text (notes, names), which never goes into a link, and a
    range or value of one dataset means nothing for the next.
    """
    linked = links.current_view().filter_dict()
    chosen: dict[str, list[str]] = {}

    def choices(column: str) -> list[str]:  # once per applicants table, not per rerun
        if column == "cohort":
            return loaders.per_table("cohort_choices", rows, lambda: tables.cohort_order(rows))
        return loaders.per_table(
            "filter_choices", rows, lambda: filters.options(rows, column), column
        )

    with st.expander("Filters", expanded=True):
        cols = st.columns(len(FILTER_COLUMNS))
        for col, (column, label) in zip(cols, FILTER_COLUMNS.items(), strict=True):
            key = f"{prefix}_{column}"
            if key not in st.session_state and linked.get(column):
                st.session_state[key] = linked[column]  # values not offered are dropped
            chosen[column] = col.multiselect(
                label,
                choices(column),
                key=key,
                format_func=lambda value, column=column: vocabulary.value_words(column, value),
                on_change=_publish_filters,
                args=(prefix,),
                persist_state=state.KEPT,
                placeholder=FILTER_ALL,
            )
        left, mid, right = st.columns(3)
        bounds = loaders.per_table(
            "date_bounds", rows, lambda: filters.date_bounds(rows, "application_date")
        )
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
                extra, choices(extra), key=f"{prefix}_extra_values", placeholder=FILTER_ALL
            )
    # A link's values that this dataset does not offer were dropped: the URL follows.
    shared = {column: chosen[column] for column in FILTER_COLUMNS if chosen[column]}
    if links.clean_filters(shared)[0] != links.current_view().filters:
        links.publish_view(filters=shared)
    return filters.Filters.build(chosen, picked, bounds)


# Streamlit wraps a table's text only in rows taller than 4rem (64 px): 70 px rows hold
# three lines.
WRAPPED_ROW_HEIGHT = 70

TRACE_CONFIG = {
    "rule": st.column_config.TextColumn("Rule", width="medium"),
    "severity": st.column_config.TextColumn("Severity", width="small"),
    "recorded": st.column_config.TextColumn("Recorded", width="medium"),
    "requires": st.column_config.TextColumn("Requires", width="medium"),
    "result": st.column_config.TextColumn("Result", width="small"),
    "why": st.column_config.TextColumn("Why", width="medium"),
}


def show_trace(person: pd.Series, analysis: loaders.Analysis) -> None:
    """How each rule decided one applicant: what was recorded, what the rule needs, the
    result and why. Every rule shows, and long text wraps rather than being cut."""
    applicant = escaping.markdown(person["applicant_id"])
    st.markdown(f"**Decision for {applicant}: {person['status']}**")
    table(
        tables.trace(person, analysis.rule_set, analysis.as_of),
        hide_index=True,
        width="stretch",
        column_config=TRACE_CONFIG,
        row_height=WRAPPED_ROW_HEIGHT,
        height="content",
    )


@st.fragment
def pick_applicant(
    rows: pd.DataFrame, applicants: pd.DataFrame, analysis: loaders.Analysis, key: str
) -> None:
    """A list of applicants (`rows`, indexed like `applicants`); selecting one shows how
    each rule decided them, below the list. A fragment: a selection redraws this part
    of the screen, not the filters and charts above it."""
    st.caption("Select a row to see how each rule decided that applicant.")
    picked = show_table(
        rows, key=key, on_select="rerun", selection_mode="single-row", hide_index=True
    )
    selected = [i for i in picked["selection"]["rows"] if i < min(len(rows), TABLE_ROWS)]
    if selected:
        show_trace(applicants.loc[rows.index[selected[0]]], analysis)


FIND_KEY = "sidebar_find"
FIND_PICK_KEY = "sidebar_find_pick"


@st.dialog("Applicant decision", width="large")
def _trace_dialog(person: pd.Series, analysis: loaders.Analysis) -> None:
    show_trace(person, analysis)


def _applicant_search(analysis: loaders.Analysis) -> None:
    """Find one applicant from any page, by ID (by name too when personal data is shown),
    and open their decision. The search stays in the session, never in a link."""
    by_name = state.show_personal()
    with st.sidebar:
        text = st.text_input(
            "Find an applicant",
            key=FIND_KEY,
            placeholder="Applicant ID or name" if by_name else "Applicant ID",
            help="By applicant ID; by name too when personal data is shown.",
        )
        if not text.strip():
            return
        found = tables.find_applicants(analysis.evaluation.applicants, text, by_name)
        if found.empty:
            # An ID of the register (the Renewals list's) is not an applicant's: say where.
            certified = tables.find_applicants(analysis.evaluation.certified, text, False)
            if not certified.empty:
                st.caption(REGISTER_ID)
            else:
                st.caption("No applicant matches." if by_name else "No applicant has that ID.")
            return
        ids = found["applicant_id"].astype("string").tolist()
        picked = st.selectbox("Applicant", ids, key=FIND_PICK_KEY) if len(ids) > 1 else ids[0]
        if st.button(f"Show decision for {escaping.markdown(picked)}", key="sidebar_find_open"):
            _trace_dialog(found.iloc[ids.index(picked)], analysis)
