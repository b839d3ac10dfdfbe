"""The Changes page in a real browser: October's export uploaded, then November's in a
new session (next month), then the Changes page through the sidebar: no exception, and
every KPI drawn."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from analytics.reporting import vocabulary
from tests.e2e.test_browser import (
    EXCEPTION,
    assert_no_exception,
    metric,
    page_title,
    sidebar_links,
    wait_for_run,
)

HEADER = "Applicant ID,Full name,Email,Cohort,Degree,Accredited,Licence expiry,CME hours\n"
OCTOBER = HEADER + (
    "A1,Ana One,ana@example.org,Spring,MD,yes,2040-01-01,25\n"
    "A2,Ben Two,ben@example.org,Spring,RN,yes,2040-01-01,12\n"
)
NOVEMBER = HEADER + (
    "A1,Ana One,ana@example.org,Spring,MD,yes,2040-01-01,25\n"
    "A2,Ben Two,ben@example.org,Spring,RN,yes,2040-01-01,35\n"
    "N1,Ida Nine,ida@example.org,Autumn,MD,yes,2040-01-01,22\n"
)


def _upload(browser, app, path):
    """A new session (a new browser context) that uploads one export on Home."""
    context = browser.new_context(base_url=app.url, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto("/")
    wait_for_run(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        str(path)
    )
    metric(page, "Rows read").or_(page.locator(EXCEPTION)).first.wait_for()
    wait_for_run(page)
    assert_no_exception(page, app, f"Home after uploading {path.name}")
    return page


@pytest.mark.e2e
def test_changes_page_after_two_uploads(browser, app, tmp_path):
    october, november = tmp_path / "october.csv", tmp_path / "november.csv"
    october.write_text(OCTOBER, encoding="utf-8")
    november.write_text(NOVEMBER, encoding="utf-8")
    first = _upload(browser, app, october)
    first.context.close()
    page = _upload(browser, app, november)
    try:
        before = page_title(page)
        sidebar_links(page)["Changes"].click()
        page.wait_for_url(lambda url: urlparse(url).path == "/Changes")
        wait_for_run(page, previous_title=before)
        assert_no_exception(page, app, "Changes")
        for label in vocabulary.CHANGE_LABELS.values():
            metric(page, label).first.wait_for()
            assert metric(page, label).count() == 1, label
        assert "vs=d-" in page.url and "ds=d-" in page.url
    finally:
        page.context.close()
