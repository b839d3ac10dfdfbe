"""A workbook with the applicants on one sheet and the certification register on another
(tests/workbooks.py), uploaded in a real browser: Home counts the applicants and lists both
sheets read and the notes sheet skipped; Renewals counts the certified practitioners."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests import workbooks
from tests.e2e.test_browser import (
    EXCEPTION,
    assert_no_exception,
    metric,
    metric_number,
    page_title,
    pick_as_of,
    sidebar_links,
    wait_for_run,
)

SHEETS_LINE = (
    "book.xlsx: read Applicants (header row 2), Register (header row 1); "
    "skipped, no header row: Notes"
)


@pytest.mark.e2e
def test_two_sheet_workbook_counts_applicants_and_certified(page, app, tmp_path):
    book = tmp_path / "book.xlsx"
    book.write_bytes(workbooks.notes_applicants_register())
    page.goto("/")
    wait_for_run(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        str(book)
    )
    read_error = page.locator('[data-testid="stAlertContentError"]')
    metric(page, "Rows read").or_(page.locator(EXCEPTION)).or_(read_error).first.wait_for()
    wait_for_run(page)
    assert_no_exception(page, app, "Home after the upload")
    if read_error.count():
        pytest.fail(f"Home after the upload: {read_error.first.inner_text()}")
    pick_as_of(page, workbooks.AS_OF)

    assert metric_number(page, "Rows read") == 5
    assert metric_number(page, "Applicants") == 2
    assert metric_number(page, "Eligible") == 1
    page.locator('[data-testid="stMarkdownContainer"]', has_text=SHEETS_LINE).first.wait_for()

    before = page_title(page)
    sidebar_links(page)["Renewals"].click()
    page.wait_for_url(lambda url: urlparse(url).path == "/Renewals")
    wait_for_run(page, previous_title=before)
    assert_no_exception(page, app, "Renewals")
    assert metric_number(page, "Certified") == 3
    assert metric_number(page, "Due") == 1
