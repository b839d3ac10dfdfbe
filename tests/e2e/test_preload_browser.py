"""The browser's code for the next steps (ui/preload.py), as only a browser shows it: the
table's and the chart's frontend modules are fetched while the page stands idle, before any
table or chart is drawn, and not fetched again when the upload's report draws its table or
Eligibility its first chart; the element carrying the script takes no room."""

from __future__ import annotations

import pytest

from tests.e2e.test_browser import (
    SAMPLES,
    assert_no_exception,
    page_title,
    sidebar_links,
    upload,
    wait_for_run,
)
from ui import page as ui_page
from ui import preload

# Each fetched file's name (Streamlit's frontend modules are NAME.HASH.js) and start time.
FETCHED = """() => performance.getEntriesByType('resource').map(
    (r) => [new URL(r.name).pathname.split('/').pop(), r.startTime])"""
ALL_FETCHED = """(stems) => {
    const names = performance.getEntriesByType('resource')
        .map((r) => new URL(r.name).pathname.split('/').pop());
    return stems.every((stem) => names.some((n) => n.startsWith(stem + '.') && n.endsWith('.js')));
}"""
TABLE = '[data-testid="stDataFrame"]'
CHART = '[data-testid="stPlotlyChart"]'
AHEAD = [name for batch in preload.BATCHES for name in batch]
HOLDER = f'[data-testid="stSidebar"] .st-key-{ui_page.SCRIPTS_KEY}'
# How the sidebar's column draws the child that holds `e` (a layout wrapper, or `e`).
IN_COLUMN_DISPLAY = """(e) => {
    const column = e.parentElement.closest('[data-testid="stVerticalBlock"]');
    const item = [...column.children].find((child) => child.contains(e));
    return getComputedStyle(item).display;
}"""
# Sidebar elements not displayed, other than the script's own holder.
HIDDEN_IN_SIDEBAR = f"""() => [...document.querySelectorAll(
        '[data-testid="stSidebar"] [data-testid="stElementContainer"]')]
    .filter((e) => !e.closest('.st-key-{ui_page.SCRIPTS_KEY}')
        && getComputedStyle(e).display === 'none')
    .map((e) => e.innerText)"""


def _fetches(page, stem: str) -> list[float]:
    """When each fetch of Streamlit's module `stem` began (ms since the page opened)."""
    return [
        start
        for name, start in page.evaluate(FETCHED)
        if name.startswith(stem + ".") and name.endswith(".js")
    ]


@pytest.mark.e2e
def test_the_code_for_tables_and_charts_is_loaded_while_idle_and_only_once(page, app):
    # The browser keeps 250 resource entries by default; this page's files come near it.
    page.add_init_script("performance.setResourceTimingBufferSize(5000)")
    page.goto("/")
    wait_for_run(page)
    assert page.locator(TABLE).count() == 0 and page.locator(CHART).count() == 0
    page.wait_for_function(ALL_FETCHED, arg=AHEAD, polling=200, timeout=30_000)
    assert page.locator(TABLE).count() == 0  # fetched ahead: nothing drew a table yet

    holder = page.locator(HOLDER)
    assert holder.count() == 1
    # Neither the holder nor whatever holds its place in the sidebar's column is drawn.
    assert holder.evaluate(IN_COLUMN_DISPLAY) == "none"
    assert page.evaluate(HIDDEN_IN_SIDEBAR) == []

    uploaded_at = page.evaluate("() => performance.now()")
    upload(page, app, SAMPLES)
    page.locator(TABLE).first.wait_for()  # the report opens on its first list with rows
    for stem in ("DataFrame", "TextInput", "DownloadButton"):
        fetches = _fetches(page, stem)
        assert len(fetches) == 1 and fetches[0] < uploaded_at, (stem, fetches, uploaded_at)
    # The upload stored the dataset: the sidebar gained its link, and hides nothing of it.
    page.locator('[data-testid="stSidebar"]', has_text="Link to this view").wait_for()
    assert page.evaluate(HIDDEN_IN_SIDEBAR) == []

    before = page_title(page)
    sidebar_links(page)["Eligibility"].click()
    wait_for_run(page, previous_title=before)
    page.locator(CHART).first.wait_for()
    assert_no_exception(page, app, "Eligibility")
    assert len(_fetches(page, "PlotlyChart")) == 1
