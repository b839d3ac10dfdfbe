"""Printing a screen: the stylesheet on every screen, a static copy of every table."""

import html
import json
import re

import pytest

from tests.pages.helpers import INTAKE, PAGES, app, seed_files
from ui import page, printing, state


def _print_copies(at) -> list[dict]:
    """Each print copy's headers, rows and note (the JSON in its element's attribute)."""
    found = []
    for h in at.html:
        match = re.fullmatch(r'<div class="print-table" data-print-copy="([^"]*)"></div>', h.value)
        if match:
            found.append(json.loads(html.unescape(match.group(1))))
    return found


@pytest.mark.parametrize("script", PAGES)
def test_every_screen_carries_the_print_stylesheet(script):
    at = seed_files(app(script), [("intake.csv", INTAKE)]).run()
    assert not at.exception
    styles = [h.value for h in at.html if "@media print" in h.value]
    assert len(styles) == 1
    assert '[data-testid="stSidebar"]' in styles[0]


@pytest.mark.parametrize("script", PAGES)
def test_every_screen_carries_the_print_copies_builder_in_the_hidden_scripts(script):
    at = seed_files(app(script), [("intake.csv", INTAKE)]).run()
    assert not at.exception
    (holder,) = [b for b in at.sidebar if getattr(b, "key", None) == page.SCRIPTS_KEY]
    assert [h.value for h in holder.get("html")].count(printing.script()) == 1


def test_the_applicants_table_prints_every_row_masked():
    at = seed_files(app("pages/4_Cohorts.py"), [("intake.csv", INTAKE)]).run()
    assert not at.exception
    tables = [t for t in _print_copies(at) if t["rows"][:1] and t["rows"][0][:1] == ["A1"]]
    assert len(tables) == 1
    cells = [cell for row in tables[0]["rows"] for cell in row]
    for applicant in ("A1", "A2", "A3", "A4", "A5"):
        assert applicant in cells
    for personal in ("Ann One", "a1@example.org", "Eve Five"):
        assert not any(personal in cell for cell in cells)


def test_personal_data_prints_only_when_switched_on():
    at = seed_files(app("pages/4_Cohorts.py"), [("intake.csv", INTAKE)])
    state.set_show_personal(True, session=at.session_state)
    at.run()
    (table,) = [t for t in _print_copies(at) if t["rows"][:1] and t["rows"][0][:1] == ["A1"]]
    assert "Ann One" in [cell for row in table["rows"] for cell in row]


def test_a_screen_without_tables_prints_no_copies():
    at = seed_files(app("pages/1_Eligibility.py"), [("intake.csv", INTAKE)]).run()
    assert not at.exception
    assert _print_copies(at) == []
