"""app.py declares the screens: Home first and named "Home", the others as before."""

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import app_test

from tests.pages.helpers import app

# What the sidebar lists, in order, and where each entry leads ("" is the app's root).
SIDEBAR = {
    "Home": "",
    "Eligibility": "Eligibility",
    "Gaps": "Gaps",
    "Renewals": "Renewals",
    "Cohorts": "Cohorts",
    "Rules": "Rules",
    "Changes": "Changes",
    "Audit": "Audit",
}


def _declared(at) -> dict[str, str]:
    """Title -> URL path of each screen st.navigation registered in the last run."""
    return {info["page_name"]: info["url_pathname"] for info in at._registered_pages.values()}


def test_home_comes_first_and_is_called_home():
    at = app("app.py").run()
    assert not at.exception
    assert at.title[0].value == "Admissions analytics"
    assert list(_declared(at).items()) == list(SIDEBAR.items())


def test_every_screen_keeps_its_address():
    at = app("pages/4_Cohorts.py").run()
    assert not at.exception
    assert at.title[0].value == "Cohorts"
    assert _declared(at) == SIDEBAR


def test_a_link_to_a_screen_opened_first_on_a_new_server(monkeypatch):
    # A new server runs a pages/ folder the classic way until app.py has run once: a
    # link to Eligibility would run that page alone, under the classic sidebar ("app",
    # then every file). The page declares the screens and runs again through app.py.
    monkeypatch.setattr(app_test, "PagesManager", PagesManager)
    at = app("pages/1_Eligibility.py").run()
    assert not at.exception
    assert at.title[0].value == "Eligibility"
    assert list(_declared(at).items()) == list(SIDEBAR.items())
    assert PagesManager.uses_pages_directory is False


@pytest.mark.parametrize("screen", ["app.py", "pages/2_Gaps.py"])
def test_an_xml_stack_without_defusedxml_shows_what_to_install_and_no_screen(monkeypatch, screen):
    """Checked after the screens are declared: every screen asked for comes through it."""
    import openpyxl

    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    at = app(screen).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "openpyxl is not using defusedxml, so spreadsheets could carry XML entity bombs: "
        "install the pinned requirements (pip install -r requirements.txt) and restart"
    ]
    assert not at.title and not at.sidebar  # no screen is drawn on that setup
