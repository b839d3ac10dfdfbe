"""One real browser against the running app: upload the samples, pick the as-of date, visit
every page through the sidebar, no exception anywhere, the eligible count equals the
headless report's, and the date picked is still there back on Home."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import pytest

from bench import bench_browser
from tests.e2e import conftest as harness

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = [
    ROOT / "data" / "samples" / "applicants_2026_spring.xlsx",
    ROOT / "data" / "samples" / "applicants_2026_autumn.csv",
    ROOT / "data" / "samples" / "certification_register.xlsx",
]
# The sidebar names each screen after its file, pages/N_Name.py as "Name": Home first.
PAGES = [
    re.sub(r"^\d+_", "", path.stem).replace("_", " ")
    for path in sorted((ROOT / "pages").glob("*.py"), key=lambda p: int(p.stem.split("_")[0]))
]
HOME = "Home"
EXCEPTION = '[data-testid="stException"]'
AS_OF = date(2026, 11, 25)  # the date the bundled samples were written for


# ---------------------------------------------------------------- helpers
RUN_FINISHED = bench_browser.RUN_FINISHED  # one definition of "the run has finished"


def wait_for_run(page, previous_title: str | None = None) -> None:
    """Wait until the script run has finished and, after a page switch, the new page's
    title has replaced `previous_title` (so the old page's idle state does not count)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    try:
        page.wait_for_function(RUN_FINISHED, arg=previous_title, polling=100)
    except PlaywrightTimeoutError:
        state = page.evaluate(
            """() => [
                document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState,
                document.querySelector('[data-testid="stMain"] h1')?.innerText,
                document.querySelector('[data-testid="stException"]')?.innerText,
            ]"""
        )
        pytest.fail(f"{page.url}: the run did not finish (script state, title, exception): {state}")


def page_title(page) -> str:
    return page.locator('[data-testid="stMain"] h1').first.inner_text().strip()


def metric(page, label: str):
    """The st.metric whose label is exactly `label` ("Eligible" must not match "Ineligible")."""
    exact = re.compile(rf"^\s*{re.escape(label)}\s*$")
    label_box = page.locator('[data-testid="stMetricLabel"]', has_text=exact)
    return page.locator('[data-testid="stMetric"]').filter(has=label_box)


def metric_number(page, label: str) -> int:
    found = metric(page, label)
    # The run can report "finished" a moment before the frontend has drawn every element.
    found.first.wait_for()
    assert found.count() == 1, f"expected one metric labelled {label!r}, found {found.count()}"
    text = found.locator('[data-testid="stMetricValue"]').inner_text()
    digits = re.sub(r"[^\d]", "", text)
    assert digits, f"metric {label!r} shows {text!r}, not a count"
    return int(digits)


def assert_no_exception(page, app, where: str) -> None:
    shown = page.locator(EXCEPTION)
    if shown.count():
        pytest.fail(
            f"{where}: the app shows an exception:\n{shown.first.inner_text()}\n"
            f"server log:\n{app.log_tail()}"
        )


def shown_as_of(page) -> date:
    """The as-of date the Home page's date input holds (a native date input: ISO value)."""
    value = page.locator('[data-testid="stDateInput"] input').first.input_value()
    return date.fromisoformat(value.strip())


def pick_as_of(page, day: date) -> None:
    """Type the date into Home's date input; the field sends it when it loses focus (Tab
    only moves between its day, month and year), and the sidebar shows it once the run
    that received it has finished."""
    page.locator('[data-testid="stDateInput"] input').first.fill(day.isoformat())
    page.locator('[data-testid="stMain"] h1').first.click()
    page.locator('[data-testid="stSidebar"]', has_text=f"As of: {day:%d %b %Y}").wait_for()
    wait_for_run(page)


def upload(page, app, paths: list[Path]) -> None:
    """Choose the files in Home's uploader and wait for the validation report; an exception
    or an error message shown instead fails the test."""
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        [str(p) for p in paths]
    )
    read_error = page.locator('[data-testid="stAlertContentError"]')
    metric(page, "Rows read").or_(page.locator(EXCEPTION)).or_(read_error).first.wait_for()
    wait_for_run(page)
    assert_no_exception(page, app, "Home after upload")
    if read_error.count():
        pytest.fail(f"Home after upload: {read_error.first.inner_text()}")


def report(paths: list[Path], as_of: date) -> dict:
    command = [
        sys.executable, "-m", "analytics", "report", *map(str, paths),
        "--rules", "standard", "--as-of", as_of.isoformat(), "--format", "json",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"report exited {done.returncode}: {done.stderr.strip()}"
    return json.loads(done.stdout)


def url_path(name: str) -> str:
    """Where a sidebar link leads: "/" for Home, else "/Page_name"."""
    return "/" if name == HOME else "/" + name.replace(" ", "_")


def sidebar_links(page) -> dict[str, object]:
    links = page.locator('[data-testid="stSidebarNav"] a')
    links.first.wait_for()
    return {links.nth(i).inner_text().strip(): links.nth(i) for i in range(links.count())}


# ---------------------------------------------------------------- the test
@pytest.mark.e2e
def test_upload_visit_every_page_and_match_the_report(page, app):
    page.goto("/")
    wait_for_run(page)
    assert_no_exception(page, app, "Home before upload")

    upload(page, app, SAMPLES)
    pick_as_of(page, AS_OF)
    assert_no_exception(page, app, "Home after picking the as-of date")
    expected = report(SAMPLES, AS_OF)
    assert metric_number(page, "Rows read") == expected["rows_read"]

    links = sidebar_links(page)
    assert next(iter(links)) == HOME, f"the first sidebar entry reads {next(iter(links))!r}"
    assert list(links) == PAGES, f"sidebar pages are {list(links)}"
    seen_eligible = None
    for name in PAGES[1:] + PAGES[:1]:  # every page, ending back on Home
        before = page_title(page)
        sidebar_links(page)[name].click()
        # Share links may add a query string; the path alone says which page is open.
        page.wait_for_url(lambda url, name=name: urlparse(url).path == url_path(name))
        wait_for_run(page, previous_title=before)
        assert_no_exception(page, app, f"page {name}")
        if name == "Eligibility":
            seen_eligible = metric_number(page, "Eligible")

    assert seen_eligible == expected["eligible"]
    assert shown_as_of(page) == AS_OF  # kept while the other pages ran
    assert expected["eligible"] > 0  # the comparison means something only with eligibles


@pytest.mark.e2e
def test_a_link_to_a_screen_opened_first_on_a_new_server(browser, tmp_path):
    """A new server's first visit is a link to Eligibility: the sidebar still lists the
    screens as app.py declares them, not the classic list of files ("app" first)."""
    with harness._serve(tmp_path, "127.0.0.1") as fresh:
        context = browser.new_context(base_url=fresh.url)
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            page.goto("/Eligibility")
            wait_for_run(page)
            assert_no_exception(page, fresh, "Eligibility, first visit")
            assert page_title(page) == "Eligibility"
            assert list(sidebar_links(page)) == PAGES
        finally:
            context.close()


@pytest.mark.e2e
def test_a_tab_draws_its_chart_once_chosen(page, app):
    """Eligibility's rate tabs draw only the open tab (ui.page.lazy_tabs): a click on
    "By degree" reruns the page and its chart names the degree groups."""
    page.goto("/")
    wait_for_run(page)
    page.get_by_role("button", name="Open the sample").click()
    metric(page, "Rows read").first.wait_for()
    wait_for_run(page)
    before = page_title(page)
    sidebar_links(page)["Eligibility"].click()
    wait_for_run(page, previous_title=before)
    charts = page.locator('[data-testid="stPlotlyChart"]')
    assert charts.count() == 2  # the open tab's chart and the funnel
    assert "Medicine" not in charts.first.inner_text()  # by cohort first
    page.get_by_role("tab", name="By degree").click()
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
            .some(chart => chart.innerText.includes('Medicine'))""",
        polling=50,
    )
    wait_for_run(page)
    assert_no_exception(page, app, "Eligibility, by degree")
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 2


# Elements of a metric or a button whose text ends in "…" because it does not fit.
CUT_TEXT = """() => [...document.querySelectorAll(
        '[data-testid="stMetric"] *, [data-testid="stMain"] button *')]
    .filter((e) => getComputedStyle(e).textOverflow === "ellipsis"
        && e.scrollWidth > e.clientWidth)
    .map((e) => e.innerText)"""


@pytest.mark.e2e
def test_a_narrow_window_cuts_no_figure_nor_button_short(page, app):
    """At 800 px with the sidebar open, five metrics share a row (Cohorts): Streamlit's
    ellipsis cut "44.9%" to "44.…", "Renewal backlog" and "Open the sample" too."""
    page.set_viewport_size({"width": 800, "height": 1200})
    page.goto("/")
    wait_for_run(page)
    assert page.evaluate(CUT_TEXT) == []  # the sample's button, before anything is open
    page.get_by_role("button", name="Open the sample").click()
    metric(page, "Rows read").first.wait_for()
    wait_for_run(page)
    for name in ("Cohorts", "Renewals", "Eligibility", HOME):
        before = page_title(page)
        if name != HOME or before != HOME:
            sidebar_links(page)[name].click()
            wait_for_run(page, previous_title=before)
        metric(page, "Applicants" if name != "Renewals" else "Certified").first.wait_for()
        assert_no_exception(page, app, f"{name} at 800 px")
        assert page.evaluate(CUT_TEXT) == [], name


@pytest.mark.e2e
def test_a_printed_screen_has_its_tables_and_not_the_sidebar(page, app, tmp_path):
    """Home printed to PDF by Chromium ("save as PDF"): the cell problems table is in the
    text (a canvas table would print as an empty box), the sidebar and icons are not."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        harness._unavailable("pdftotext is not installed (Debian: apt-get install poppler-utils)")
    page.goto("/")
    wait_for_run(page)
    page.get_by_role("button", name="Open the sample").click()
    metric(page, "Rows read").first.wait_for()
    wait_for_run(page)
    assert_no_exception(page, app, "Home with the sample")
    first_problem = report(SAMPLES, AS_OF)["issues"][0]  # the bundled sample is SAMPLES

    # The copies are data until the browser prints: no rows on screen before or after.
    built = "document.querySelectorAll('.print-table table, .print-table p').length"
    assert page.locator(".print-table[data-print-copy]").count() >= 1
    assert page.evaluate(built) == 0
    pdf = tmp_path / "home.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    assert page.evaluate(built) == 0
    done = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True)
    text = " ".join(done.stdout.split())
    assert first_problem["value"] in text, text[:2000]
    assert first_problem["problem"] in text
    assert "Link to this view" not in text  # the sidebar stays off the paper
    assert "Show personal data" not in text
    assert page.get_by_text("Delete this dataset").count() == 1  # on screen, not on paper
    assert "Delete this dataset" not in text
    # Icons are ligatures of an icon font: printed, a PDF's text read their names.
    assert not {"expand_more", "keyboard_arrow_right", "keyboard_arrow_down"} & set(text.split())


# ---------------------------------------------------------------- the harness itself
def test_without_a_browser_the_test_skips_on_a_developer_machine(monkeypatch):
    monkeypatch.delenv(harness.REQUIRE_BROWSER_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium is not installed"):
        harness._unavailable("Chromium is not installed")


def test_without_a_browser_the_test_fails_where_it_is_required(monkeypatch):
    monkeypatch.setenv(harness.REQUIRE_BROWSER_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="may not skip"):
        harness._unavailable("Chromium is not installed")
