"""The Home page's larger parts: uploads, rules and date, reading options and the
validation report (the column mapping is ui/mapping.py).

Kept out of pages/0_Home.py so the page reads top to bottom; they only render what the
loader found.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.runtime.uploaded_file_manager import UploadedFile

from analytics import rules
from analytics.errors import LoadError, NoHeaderError
from analytics.loading import reading
from analytics.reporting import renewals, summary, vocabulary
from analytics.rules import RuleSetError
from ui import escaping, filters, loaders, page, state

REPORT_TAB_KEY = "home_report_list"
OVERVIEW = "Overview"
REPORT_LISTS = (
    ("problems", "Cell problems", "Cells that could not be read; the value is treated as missing."),
    ("rejected", "Rejected rows", "Rows without an applicant ID; they are not analysed."),
    ("duplicates", "Duplicates", "Rows that repeat an applicant ID; the latest one is kept."),
)


def _report_list(frame: pd.DataFrame, name: str, help_text: str) -> None:
    st.caption(help_text)
    if frame.empty:
        st.success("None.")
        return
    query = st.text_input(
        "Filter", key=f"home_filter_{name}", placeholder="contains…", persist_state=state.KEPT
    )
    found = filters.search(frame, query)
    st.caption(f"{len(found):,} of {len(frame):,} rows")
    mapping = state.mapping()
    page.show_table(found, mapping=mapping, hide_index=True, width="stretch")
    page.download_csv(found, f"{name}.csv", key=f"home_download_{name}", mapping=mapping)


def headline() -> None:
    """The figures a director looks for first, from the open dataset under the chosen
    rules and date: applicants, eligible, eligibility rate and the renewal backlog."""
    try:
        analysis = loaders.analyse(state.dataset(), state.active_rules(), state.as_of())
    except LoadError as err:
        st.error(escaping.markdown(err))
        return
    ev = analysis.evaluation
    overall = loaders.derived(analysis, "overview", lambda: summary.overview(ev))
    renewal = loaders.derived(analysis, "renewals", lambda: renewals.summary(ev))
    words = vocabulary.COLUMN_LABELS
    cols = st.columns(4)
    cols[0].metric(words["applicants"], f"{overall['applicants']:,}")
    cols[1].metric(words["eligible"], f"{overall['eligible']:,}")
    cols[2].metric(words["eligibility_rate"], f"{overall['eligibility_rate']:.1%}")
    cols[3].metric(
        vocabulary.FIGURE_LABELS[("renewals", "backlog")],
        f"{renewal['backlog']:,}",
        help="Certifications due for renewal or already overdue on the as-of date.",
    )


ROWS_READ_HELP = "Data rows in the sheets and files read (header rows not counted)."
# "Applicants 510" above "Analysed 693" read as a contradiction: the register's people count.
ANALYSED_HELP = (
    "Rows read less the rejected rows and the duplicates: every person analysed, applicants "
    "and the certified practitioners of the register. Applicants, above, counts the "
    "applicants alone."
)


def validation_report(result) -> None:
    """The headline figures, then the counts of how the files were read, then each list
    (problems, rejected, duplicates) filterable and downloadable."""
    headline()
    st.subheader("Validation report")
    cols = st.columns(5)
    cols[0].metric("Rows read", f"{result.rows_read:,}", help=ROWS_READ_HELP)
    cols[1].metric("Analysed", f"{len(result.frame):,}", help=ANALYSED_HELP)
    cols[2].metric("Rejected", f"{len(result.rejected):,}")
    cols[3].metric("Duplicates", f"{len(result.duplicates):,}")
    cols[4].metric("Cell problems", f"{len(result.problems):,}")
    for line in sheet_lines(result):
        st.markdown(line)
    counts = [len(getattr(result, name)) for name, _, _ in REPORT_LISTS]
    labels = [f"{title} ({n:,})" for (_, title, _), n in zip(REPORT_LISTS, counts, strict=True)]
    # Just uploaded (or opened by the person): open on the first list that has rows, a
    # clean read with four rejected rows says so. A dataset the session opened for them
    # (the sample by default, a shared link) opens on the overview: the figures are what
    # they came back for, and each list is a click away (docs/app.md, "Home").
    first_filled = next((label for label, n in zip(labels, counts, strict=True) if n), None)
    default = first_filled if state.opened_here() else OVERVIEW
    position, tab = page.lazy_tabs([OVERVIEW, *labels], key=REPORT_TAB_KEY, default=default)
    with tab:
        if position == 0:
            _overview(counts)
        else:
            name, _, help_text = REPORT_LISTS[position - 1]
            _report_list(getattr(result, name), name, help_text)


def _overview(counts: list[int]) -> None:
    for (_, title, help_text), n in zip(REPORT_LISTS, counts, strict=True):
        st.markdown(f"**{title}: {n:,}.** {help_text}")
    st.caption("Open a list's tab to see its rows, filter them and download them.")


def sheet_lines(result) -> list[str]:
    """One Markdown line per file: the sheets read, each with its header row, and the
    sheets skipped, by reason ("skipped, no header row: Notes"). File and sheet names are
    the user's text, escaped."""
    files = dict.fromkeys(s.file for s in [*result.sources, *result.skipped])
    lines = []
    for file in files:
        read = [s for s in result.sources if s.file == file]
        if [s.sheet for s in read] == [reading.CSV_SHEET]:
            parts = [f"read, header row {read[0].header_row}"]
        else:
            sheets = [f"{escaping.markdown(s.sheet)} (header row {s.header_row})" for s in read]
            parts = ["read " + ", ".join(sheets)] if sheets else []
        by_reason: dict[str, list[str]] = {}
        for s in result.skipped:
            if s.file == file:
                by_reason.setdefault(s.reason, []).append(escaping.markdown(s.sheet))
        parts += [f"skipped, {reason}: {', '.join(names)}" for reason, names in by_reason.items()]
        lines.append(f"**{escaping.markdown(file)}**: " + "; ".join(parts))
    return lines


AUTO_SHEET = "All sheets with a header row"
SHEET_RADIO_MOST = 4  # sheet names up to which the choice is a radio, not a select box
DATE_ORDER_LABELS = {
    "auto": "Detect per column",
    "dmy": "Day first (31/12/2025)",
    "mdy": "Month first (12/31/2025)",
}
RULE_CHOICES = {
    "standard": "Standard track",
    "advanced": "Advanced track",
    "uploaded": "Upload a rule set (TOML)",
    "edited": "Edited on the Rules page",
}


UPLOAD_KEY = "home_upload"
GONE = "Not opened again, no longer stored (choose it again to include it): "
UNREACHABLE = (
    "The files listed could not be read back from the app's store just now: nothing was "
    "changed. Try again in a moment."
)


def open_uploads() -> None:
    """on_change of the uploader: the files it lists become the dataset.

    Their bytes then belong to the session (and, once read, to the store:
    `state.keep_in_store`), so Streamlit's own copy is let go here; otherwise it would
    stay until the session ends. The uploader still lists those files, and Streamlit then
    gives them as DeletedFile markers: each was handed over earlier (`state.UPLOAD_HANDED`), and
    when the list changes (a file added or removed) its bytes come back from the open
    files or the store, by their SHA-256. The run after an upload lists the very files
    open: nothing to do."""
    value = st.session_state.get(UPLOAD_KEY) or []
    ids = [f.file_id for f in value]
    if not value or ids == st.session_state.get(state.UPLOAD_OPENED):
        return
    handed = st.session_state.setdefault(state.UPLOAD_HANDED, {})
    try:
        held = _held_bytes([handed[f.file_id][1] for f in value if f.file_id in handed])
    except loaders.StoredFilesUnavailable:
        st.toast(UNREACHABLE)
        return
    files, new, gone = [], [], []  # new: (position in files, the uploaded file)
    for f in value:
        if isinstance(f, UploadedFile):
            new.append((len(files), f))
            files.append((f.name, f.getvalue()))
        elif f.file_id in handed:
            name, sha = handed[f.file_id]
            if sha in held:
                files.append((name, held[sha]))
            else:
                gone.append(name)
    if gone:
        st.toast(GONE + ", ".join(escaping.markdown(name) for name in gone))
    if not files:
        if gone:  # none of the files listed can open: the earlier dataset is not what it lists
            state.close_dataset()
        return
    state.open_files(files, ", ".join(name for name, _ in files))
    state.expect_saved_format()  # mapped with a saved source format its headers match
    shas = state.dataset().shas
    for position, f in new:
        handed[f.file_id] = (f.name, shas[position])
    st.session_state[state.UPLOAD_OPENED] = ids
    _forget_uploaded([f for _, f in new])


def _held_bytes(shas: list[str]) -> dict[str, bytes]:
    """SHA-256 -> bytes of the files handed over earlier that the session or the store
    still holds (the open files while the session has their bytes, else the store, which
    holds each file once under its SHA-256). Raises loaders.StoredFilesUnavailable when
    the store cannot be read now."""
    wanted, found = set(shas), {}
    ds = state.dataset()
    if wanted and ds is not None and ds.held:
        for (_, data), sha in zip(ds.files, ds.shas, strict=True):
            if sha in wanted:
                found[sha] = data
    rest = wanted - set(found)
    return {**found, **loaders.stored_bytes(rest)} if rest else found  # not found: named


def _forget_uploaded(files: list[UploadedFile]) -> None:
    """Drop the files from Streamlit's upload store (in memory; it keeps them for the
    session's life), as Streamlit does itself for chat input's files."""
    ctx = get_script_run_ctx()
    manager = getattr(ctx, "uploaded_file_mgr", None)
    if ctx is not None and isinstance(manager, MemoryUploadedFileManager):
        for f in files:
            manager.remove_file(session_id=ctx.session_id, file_id=f.file_id)


def rules_and_date() -> None:
    """Rule set and as-of date; both apply on every page."""
    active = state.active_rules()
    left, right = st.columns(2)
    with left:
        choices = [c for c in RULE_CHOICES if c != "edited" or active.origin == "edited"]
        choice = st.radio(
            "Rule set",
            choices,
            format_func=RULE_CHOICES.get,
            key=state.RULE_CHOICE,
            on_change=_choose_rules,
            persist_state=state.KEPT,
        )
        if choice == "uploaded":
            _rules_upload(active)
    with right:
        st.date_input(
            "Judge licences and renewals as of",
            key=state.AS_OF,
            format="DD/MM/YYYY",
            persist_state=state.KEPT,
        )


def _choose_rules() -> None:
    """on_change of the rule-set choice: a built-in applies at once, an upload once read."""
    choice = st.session_state[state.RULE_CHOICE]
    if choice in rules.BUILT_IN:
        state.use_builtin_rules(choice)


def _rules_upload(active: state.ActiveRules) -> None:
    upload = st.file_uploader("Rule set file", type=["toml"], key="home_rules_file")
    if upload is None:
        if active.origin != "uploaded":
            st.caption(f"Until a file is uploaded, {escaping.markdown(active.name)} stays active.")
        return
    name = upload.name.rsplit(".", 1)[0]
    try:
        text = upload.getvalue().decode("utf-8")
        rule_set = loaders.parse_uploaded_rules(text, upload.name)
    except UnicodeDecodeError:
        file_name = escaping.markdown(upload.name)
        st.error(f"{file_name}: not a text file; save the rule set as UTF-8 TOML.")
        return
    except RuleSetError as err:
        st.error(escaping.markdown(err))
        return
    if active.text != text:
        state.set_rules(rule_set.name or name, text, "uploaded")
        st.rerun()
    label = escaping.markdown(rule_set.label or rule_set.name)
    st.success(f"Using {label} from {escaping.markdown(upload.name)}.")


def reading_options(ds: state.OpenFiles, result=None, error: Exception | None = None) -> None:
    """Sheet choice (only when a workbook has several: every sheet with a header row, or
    the one named) and the date-order override. The sheet names come from `result`, the
    read of `ds`; after a failed read, only when choosing a sheet can mend it (no header
    row found, or a named sheet that cannot be used) is each workbook opened to list
    them. Any other failed read offers no sheet choice: listing would meet the same
    failure and its time limit a second time."""
    sheets = {}
    if result is not None or isinstance(error, NoHeaderError) or ds.sheet:
        with st.spinner("Reading the exports…"):
            sheets = loaders.sheets(ds, result)
    names = list(dict.fromkeys(s for found in sheets.values() for s in found))
    left, right = st.columns(2)
    if any(len(found) > 1 for found in sheets.values()):
        # A few choices are read at a glance as a radio, whose code the browser has
        # already (Home has radios); a select box's cost a new tab 0.1 s more to load.
        choose = left.radio if len(names) <= SHEET_RADIO_MOST else left.selectbox
        choose(
            "Sheet",
            [state.EVERY_SHEET, *names],
            format_func=lambda sheet: sheet or AUTO_SHEET,
            key=state.SHEET,
            persist_state=state.KEPT,
        )
    right.radio(
        "Dates written as",
        list(state.DATE_ORDERS),
        format_func=DATE_ORDER_LABELS.get,
        key=state.DATE_ORDER,
        horizontal=True,
        persist_state=state.KEPT,
    )
