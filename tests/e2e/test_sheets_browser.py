"""A workbook with the applicants on one sheet and the certification register on another
(tests/workbooks.py), uploaded in a real browser: Home counts the applicants and lists both
sheets read and the notes sheet skipped; Renewals counts the certified practitioners."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests import workbooks
from tests.e2e.test_browser import (
    assert_no_exception,
    metric_number,
    page_title,
    pick_as_of,
    sidebar_links,
    upload,
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
    upload(page, app, [book])
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
