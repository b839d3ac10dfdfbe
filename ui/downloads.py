"""Downloads: every file a user takes away, made only when the signed-in user clicks.

`button(...)` is the one way the app offers a download. It hands `st.download_button` a
callable, so the page carries no file and no file URL: the bytes are made only when the
browser asks for them over the session's own WebSocket (Streamlit's deferred download),
and Streamlit's media endpoint, which answers anyone who knows a file's URL without a
cookie, holds the file only from that click until two clean-up sweeps later. This module
schedules those sweeps (`KEPT_SECONDS` apart) after every download, so a file is gone
within a minute of its click even when no other session runs; a closed session's
callables, and the frames they hold, go with the session. The callable runs on another
thread, outside the script run, so it gets everything it needs (frames, options, the
report details) when the page draws the button and never touches the session.

The report files (Excel workbook, HTML dashboard) are built from the same functions the
screens draw from, so the figures in a download are the figures on screen. When a
comparison is open (the Changes page showed one for this dataset), the workbook also has
its key figures and its three lists. Each click
records `export` in the audit log (the button's `on_click` callback), with the stored
dataset's id and whether personal data was included, never a value from the data.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from streamlit import runtime

import store as store_mod
from analytics.loading import safety
from analytics.reporting import exports, renewals, summary, vocabulary
from ui import auth, charts, comparison, links, loaders, state, tables

XLSX_KEY = "downloads_xlsx"
HTML_KEY = "downloads_html"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_TITLE = "Admissions report"
# The Gaps sheet as the Gaps screen ranks it, each rule by its label (ids stay internal).
GAPS_COLUMNS = ["rule", "severity", "fail", "missing", "held_back", "pass"]
PERSONAL_NOTE = " (personal data included)"
# Seconds between the clean-up sweeps after a download: the first marks the unreferenced
# file, the second deletes it. The browser fetches its file within moments of the click.
KEPT_SECONDS = 30
TOO_MANY_ROWS = "A list is longer than Excel allows: download the lists as CSV from their pages."

log = logging.getLogger(__name__)


# -- the files (pure: they run on the download's own thread) -----------------------------


def figures(analysis: loaders.Analysis) -> dict[str, Any]:
    """The key figures: the eligibility overview and the renewal counts."""
    ev = analysis.evaluation
    return {**summary.overview(ev), "renewals": renewals.summary(ev)}


def report_tables(analysis: loaders.Analysis) -> dict[str, pd.DataFrame]:
    """Sheet title -> list, in the order the workbook shows them."""
    ev, result = analysis.evaluation, analysis.result
    return {
        "Eligibility by cohort": summary.eligibility_by(ev, "cohort"),
        "Gaps": tables.gaps_ranked(summary.gaps(ev))[GAPS_COLUMNS],
        "Near misses": tables.outreach(summary.near_misses(ev), ev.applicants),
        "Renewal backlog": tables.backlog_to_do(renewals.backlog(ev), analysis.rule_set),
        "Problems": result.problems,
        "Rejected rows": result.rejected,
        "Duplicates": result.duplicates,
    }


def report_figures(
    analysis: loaders.Analysis, shown: dict[str, pd.DataFrame] | None = None
) -> dict[str, Any]:
    """Heading -> Plotly figure for the HTML dashboard (the screens' own charts)."""
    ev = analysis.evaluation
    shown = report_tables(analysis) if shown is None else shown
    return {
        "Eligibility rate by cohort": charts.rate_bars(shown["Eligibility by cohort"], "cohort"),
        "Applicants passing each required rule in turn": charts.funnel(summary.funnel(ev)),
        "Failing and missing, per rule": charts.fail_missing_bars(shown["Gaps"], rule="rule"),
        "Renewal backlog by month of expiry": charts.backlog_by_month(
            renewals.backlog_by_month(ev)
        ),
    }


def _stamped(meta: dict[str, Any]) -> dict[str, Any]:
    return {**meta, "Generated at (UTC)": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M")}


def workbook(
    analysis: loaders.Analysis,
    include_personal: bool,
    meta: dict[str, Any],
    opened: comparison.Comparison | None = None,
) -> bytes:
    """The Excel report of this analysis; `meta`: `report_meta` (the time is added here);
    `opened`: the comparison the Changes page showed for this dataset, whose key figures
    and lists the workbook then adds."""
    key_figures, sheets = figures(analysis), report_tables(analysis)
    if opened is not None:
        key_figures = {**key_figures, "changes": comparison.summary(opened)}
        sheets = {**sheets, **comparison.sheets(opened)}
    return exports.excel_report(
        key_figures,
        sheets,
        meta=_stamped(meta),
        include_personal=include_personal,
        rule_labels=vocabulary.rule_labels(analysis.rule_set),
    )


def dashboard(analysis: loaders.Analysis, include_personal: bool, meta: dict[str, Any]) -> str:
    """The self-contained HTML dashboard of this analysis (`meta` as for `workbook`)."""
    shown = report_tables(analysis)
    return exports.html_dashboard(
        REPORT_TITLE,
        figures(analysis),
        figures=report_figures(analysis, shown),
        tables={k: shown[k] for k in ("Eligibility by cohort", "Gaps", "Near misses")},
        meta=_stamped(meta),
        include_personal=include_personal,
        rule_labels=vocabulary.rule_labels(analysis.rule_set),
    )


def fits_excel(analysis: loaders.Analysis) -> bool:
    """Every list of the workbook fits a sheet (each has at most one row per read row)."""
    result = analysis.result
    lists = (result.frame, result.problems, result.rejected, result.duplicates)
    return max(len(frame) for frame in lists) + 1 <= safety.MAX_ROWS


# -- the session's side: details, buttons, audit -----------------------------------------


def report_meta(analysis: loaders.Analysis) -> dict[str, Any]:
    """The report details the session knows (read when the buttons are drawn)."""
    rules = analysis.rule_set
    origin = state.active_rules().origin
    return {
        "Dataset id": links.shared_dataset_id() or "not stored",
        "Rule set": f"{rules.label or rules.name} ({origin})",
        "As of": analysis.as_of,
        "Generated by": auth.current_user() or "",
    }


def _sweep_media() -> None:
    if runtime.exists():
        runtime.get_instance().media_file_mgr.remove_orphaned_files()


def _forget_soon() -> None:
    """Two sweeps of Streamlit's media files: the just-made download is unreferenced by any
    session (Streamlit leaves it so), so the first marks it and the second deletes it."""
    for delay in (KEPT_SECONDS, 2 * KEPT_SECONDS):
        timer = threading.Timer(delay, _sweep_media)
        timer.daemon = True
        timer.start()


def _made_on_click(make: Callable[[], bytes | str]) -> Callable[[], bytes | str]:
    def generate() -> bytes | str:
        data = make()
        _forget_soon()
        return data

    return generate


def button(
    label: str,
    make: Callable[[], bytes | str],
    *,
    file_name: str,
    mime: str,
    key: str,
    audit: str | None = None,
    **kwargs: Any,
) -> None:
    """A download button whose file `make()` builds when the user clicks it.

    `make` runs outside the script run: it must not use `st` or the session, only what
    it closes over. `audit`: the detail recorded as `export` on each click (downloads of
    applicant data), e.g. "csv near_misses.csv (personal data included)".
    """
    if audit is not None:
        kwargs.update(on_click=record_export, args=(audit,))
    st.download_button(
        label, _made_on_click(make), file_name=file_name, mime=mime, key=key, **kwargs
    )


def record_export(detail: str) -> None:
    """Audit one download (`on_click` of every download button of applicant data). The
    file has already left, so a store that cannot be written is logged, not shown."""
    user = auth.current_user()
    if user is None:
        return
    try:
        store_mod.open_store().record(user, "export", links.shared_dataset_id() or "", detail)
    except store_mod.FAILURES:
        log.exception("could not record an export in the audit log")


def export_detail(kind: str, include_personal: bool) -> str:
    return kind + (PERSONAL_NOTE if include_personal else "")


def report_buttons(analysis: loaders.Analysis) -> None:
    """Sidebar: the Excel and HTML report downloads, each built when clicked."""
    include = state.show_personal()
    meta = report_meta(analysis)
    opened = comparison.open_comparison()
    day = f"{analysis.as_of:%Y-%m-%d}"
    with st.sidebar:
        st.markdown("**Report**")
        if fits_excel(analysis):
            button(
                "Excel report",
                lambda: workbook(analysis, include, meta, opened),
                file_name=f"admissions_report_{day}.xlsx",
                mime=XLSX_MIME,
                key=XLSX_KEY,
                audit=export_detail("xlsx report", include),
                icon=":material/download:",
            )
        else:
            st.caption(TOO_MANY_ROWS)
        button(
            "HTML dashboard",
            lambda: dashboard(analysis, include, meta),
            file_name=f"admissions_dashboard_{day}.html",
            mime="text/html",
            key=HTML_KEY,
            audit=export_detail("html dashboard", include),
            icon=":material/download:",
        )
        st.caption(
            "Personal data is included."
            if include
            else "Names, emails and licence numbers "
            "are hidden; switch on “Show personal data” to include them."
        )
