"""The doors of issue 13, tried against the real server in Chromium: downloads reachable by
URL without the session, and Markdown in user text rendered by every viewer's browser."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import store
from analytics import loading
from tests.analytics.hostile_files import far_reference
from tests.e2e.test_browser import EXCEPTION, page_title, sidebar_links, wait_for_run
from tests.pages.helpers import sample_files

ROOT = Path(__file__).resolve().parents[2]
PIXEL_HOST = "127.0.0.1:9"
HOSTILE = f"![p](http://{PIXEL_HOST}/pixel.png) <img src=x> **bold** :red[red]"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_URL = re.compile(r"/media/[0-9a-f]+\.[a-z]+")


def _get_without_cookies(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, b""


def _sample_names() -> set[str]:
    """Every applicant's name in the bundled sample, as the loader reads it."""
    result = loading.load_exports([loading.Source(name=n, data=d) for n, d in sample_files()])
    return set(result.frame["full_name"].dropna())


def _open_sample(page) -> None:
    page.goto("/")
    wait_for_run(page)
    page.get_by_role("button", name="Open the sample").click()
    page.locator('[data-testid="stMetric"]', has_text="Rows read").first.wait_for()
    wait_for_run(page)


def _go(page, name: str) -> None:
    before = page_title(page)
    sidebar_links(page)[name].click()
    wait_for_run(page, previous_title=before)
    assert page.locator(EXCEPTION).count() == 0


@pytest.mark.e2e
def test_a_download_is_not_reachable_by_url_without_its_session(browser, app):
    context = browser.new_context(base_url=app.url, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    names = _sample_names()
    assert names
    try:
        _open_sample(page)
        page.locator('[data-testid="stSidebar"]').get_by_text("Show personal data").click()
        wait_for_run(page)
        _go(page, "Gaps")
        # The page itself carries no file: no /media/ address in it answers with data.
        for path in set(MEDIA_URL.findall(page.content())):
            status, body = _get_without_cookies(app.url + path)
            assert not any(n in body.decode("utf-8", "replace") for n in names), path
        with page.expect_download() as caught:
            page.get_by_role("button", name="Download CSV").click()
        download = caught.value
        text = Path(download.path()).read_text(encoding="utf-8-sig")
        assert any(n in text for n in names)  # personal data switched on: names included
        wait_for_run(page)
    finally:
        context.close()

    audit = store.Store(app.log.parent / "store").audit_log(action="export", limit=1)
    assert [e.detail for e in audit] == ["csv near_misses.csv (personal data included)"]

    # The session is gone and the server moves on (each script run ends with Streamlit's
    # clean-up sweep): the file's address no longer answers.
    other = browser.new_context(base_url=app.url)
    try:
        for _ in range(2):
            other_page = other.new_page()
            other_page.goto("/")
            wait_for_run(other_page)
            other_page.close()
    finally:
        other.close()
    status, body = _get_without_cookies(download.url)
    assert status == 404, f"{download.url} still answers {status}"
    assert not any(n in body.decode("utf-8", "replace") for n in names)


@pytest.mark.e2e
def test_markdown_in_a_view_name_and_a_rule_label_is_shown_as_text(browser, app):
    context = browser.new_context(base_url=app.url, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    rules = (ROOT / "data" / "rules" / "standard.toml").read_text(encoding="utf-8")
    rules = rules.replace('label = "Healthcare degree"', f'label = "{HOSTILE}"')
    try:
        _open_sample(page)
        page.get_by_text("Upload a rule set (TOML)").click()
        wait_for_run(page)
        page.locator('[data-testid="stFileUploader"] input[type="file"]').nth(1).set_input_files(
            {"name": "mine.toml", "mimeType": "application/toml", "buffer": rules.encode()}
        )
        page.locator('[data-testid="stAlertContentSuccess"]').first.wait_for()
        wait_for_run(page)
        page.get_by_role("button", name="Save this view…").click()  # the sidebar's popover
        page.get_by_label("Name this view").fill(HOSTILE)
        page.get_by_role("button", name="Save this view", exact=True).click()
        page.locator('[data-testid="stAlertContentSuccess"]', has_text="Saved view").wait_for()
        wait_for_run(page)
        main = page.locator('[data-testid="stMain"]')
        assert HOSTILE in main.inner_text()  # the view's name, character for character
        _go(page, "Rules")
        assert HOSTILE in page.locator('[data-testid="stMain"]').inner_text()
        for area in ("stMain", "stSidebar"):
            where = page.locator(f'[data-testid="{area}"]')
            assert where.locator(f'img[src*="{PIXEL_HOST}"]').count() == 0
            made_bold = where.locator("strong", has_text=re.compile(r"^\s*bold\s*$"))
            assert made_bold.count() == 0  # "**bold**" stays as typed, asterisks and all
        assert not [url for url in fetched if PIXEL_HOST in url]
    finally:
        context.close()


@pytest.mark.e2e
def test_a_far_cell_workbook_is_read_and_the_server_goes_on(browser, app):
    """Issue 13's 4.9 KB killer: one cell written `xfd1048576` (lower case) made calamine
    ask for 512 GiB and abort the server for every user. Uploaded in a real browser, it is
    read (its two rows: one applicant, one row without an ID), and the server still serves
    another screen, in this session and in a new one."""
    far = far_reference("xfd1048576")
    context = browser.new_context(base_url=app.url, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto("/")
        wait_for_run(page)
        page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
            {"name": "far.xlsx", "mimeType": XLSX_MIME, "buffer": far}
        )
        rows_read = page.locator('[data-testid="stMetric"]', has_text="Rows read").first
        rows_read.wait_for()
        wait_for_run(page)
        assert page.locator(EXCEPTION).count() == 0
        # Written by hand: the header, one applicant, and the far cell's row (no ID).
        assert rows_read.locator('[data-testid="stMetricValue"]').inner_text().strip() == "2"
        _go(page, "Eligibility")
        assert page_title(page) == "Eligibility"
    finally:
        context.close()
    status, _ = _get_without_cookies(app.url + "/_stcore/health")
    assert status == 200, "the server no longer answers its health check"
    fresh = browser.new_context(base_url=app.url)
    try:
        other = fresh.new_page()
        other.goto("/")
        wait_for_run(other)
        other.get_by_role("button", name="Open the sample").wait_for()
        assert other.locator(EXCEPTION).count() == 0
    finally:
        fresh.close()
