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


def _open_book(page, app, tmp_path) -> None:
    """A new session on Home, the workbook uploaded and its report drawn."""
    book = tmp_path / "book.xlsx"
    book.write_bytes(workbooks.notes_applicants_register())
    page.goto("/")
    wait_for_run(page)
    upload(page, app, [book])


@pytest.mark.e2e
def test_two_sheet_workbook_counts_applicants_and_certified(page, app, tmp_path):
    _open_book(page, app, tmp_path)
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


@pytest.mark.e2e
def test_a_sheet_chosen_after_the_upload_is_read_again_from_the_store(page, app, tmp_path):
    # Once read and stored, neither the session nor Streamlit's upload store holds the
    # file's bytes (docs/app.md, "Caching"): the sheet chosen next is read from the store,
    # and the uploader's later runs (its files gone from Streamlit's store) open nothing.
    _open_book(page, app, tmp_path)
    assert metric_number(page, "Rows read") == 5
    page.get_by_text("Register", exact=True).first.click()
    page.locator(
        '[data-testid="stMarkdownContainer"]', has_text="book.xlsx: read Register (header row 1)"
    ).first.wait_for()
    wait_for_run(page)
    assert_no_exception(page, app, "Home")
    assert metric_number(page, "Analysed") == 3
    assert metric_number(page, "Applicants") == 0
    page.get_by_text("All sheets with a header row", exact=True).first.click()
    page.locator('[data-testid="stMarkdownContainer"]', has_text=SHEETS_LINE).first.wait_for()
    wait_for_run(page)
    assert_no_exception(page, app, "Home")
    assert metric_number(page, "Analysed") == 5


@pytest.mark.e2e
def test_a_file_added_to_the_uploader_later_joins_the_first(page, app, tmp_path):
    # The uploader lists the first file after Streamlit has let its bytes go; adding the
    # second opens both, the first's bytes taken back from the store.
    first, second = tmp_path / "autumn.csv", tmp_path / "spring.csv"
    first.write_bytes(b"Applicant ID,Name,Degree\nB1,Bo,MD\nB2,Al,MD\n")
    second.write_bytes(b"Applicant ID,Name,Degree\nS1,Sy,MD\n")
    page.goto("/")
    wait_for_run(page)
    upload(page, app, [first])
    assert metric_number(page, "Rows read") == 2
    upload(page, app, [second])  # added to the list, as a person adds a file
    page.locator("[data-testid='stSidebar']", has_text="autumn.csv, spring.csv").wait_for()
    wait_for_run(page)
    assert metric_number(page, "Rows read") == 3
