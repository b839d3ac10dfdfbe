"""Printing a screen: the stylesheet on every screen, a static copy of every table."""

import pytest

from tests.pages.helpers import INTAKE, PAGES, app, seed_files
from ui import printing, state


def _print_copies(at) -> list[str]:
    return [h.value for h in at.html if f'class="{printing.CLASS}"' in h.value]


@pytest.mark.parametrize("script", PAGES)
def test_every_screen_carries_the_print_stylesheet(script):
    at = seed_files(app(script), [("intake.csv", INTAKE)]).run()
    assert not at.exception
    styles = [h.value for h in at.html if "@media print" in h.value]
    assert len(styles) == 1
    assert '[data-testid="stSidebar"]' in styles[0]


def test_the_applicants_table_prints_every_row_masked():
    at = seed_files(app("pages/4_Cohorts.py"), [("intake.csv", INTAKE)]).run()
    assert not at.exception
    tables = [t for t in _print_copies(at) if "A1" in t]
    assert len(tables) == 1
    for applicant in ("A1", "A2", "A3", "A4", "A5"):
        assert f"<td>{applicant}</td>" in tables[0]
    for personal in ("Ann One", "a1@example.org", "Eve Five"):
        assert personal not in tables[0]


def test_personal_data_prints_only_when_switched_on():
    at = seed_files(app("pages/4_Cohorts.py"), [("intake.csv", INTAKE)])
    state.set_show_personal(True, session=at.session_state)
    at.run()
    (table,) = [t for t in _print_copies(at) if "A1" in t]
    assert "Ann One" in table


def test_a_screen_without_tables_prints_no_copies():
    at = seed_files(app("pages/1_Eligibility.py"), [("intake.csv", INTAKE)]).run()
    assert not at.exception
    assert _print_copies(at) == []
