"""Saved views on the real pages: saved from any screen's sidebar, reopened on that screen."""

from __future__ import annotations

import pytest

from tests.pages.helpers import INTAKE, PAGES, app, literal, metric, seed_files
from ui import views


def _save(at, name: str):
    at.sidebar.text_input(key="views_save_name").input(name)
    next(b for b in at.sidebar.button if b.label == views.SAVE_LABEL).click()
    return at.run()


def test_a_view_saved_on_cohorts_reopens_there_with_both_filters(shared_store):
    at = seed_files(app("pages/4_Cohorts.py"), [("intake.csv", INTAKE)]).run()
    at.multiselect(key="cohorts_cohort").set_value(["2026-Spring"]).run()
    at.multiselect(key="cohorts_country").set_value(["Ireland"]).run()
    assert metric(at, "Applicants") == "2"
    at = _save(at, "Spring, Ireland")
    assert not at.exception
    assert literal(at.sidebar.success[0].value) == views.SAVED.format(name="Spring, Ireland")
    (saved,) = shared_store.list_views()
    assert saved.page == "Cohorts"
    assert saved.filters == {"cohort": ["2026-Spring"], "country": ["Ireland"]}

    colleague = app("app.py").run()  # a new session on Home, where the views are listed
    colleague.button(key=f"views_open_{saved.id}").click().run()
    assert not colleague.exception, [e.value for e in colleague.exception]
    assert colleague.title[0].value == "Cohorts"
    assert colleague.multiselect(key="cohorts_cohort").value == ["2026-Spring"]
    assert colleague.multiselect(key="cohorts_country").value == ["Ireland"]
    assert metric(colleague, "Applicants") == "2"
    assert metric(colleague, "Eligible") == "1"
    assert metric(colleague, "Ineligible") == "1"
    assert metric(colleague, "Eligibility rate") == "50.0%"


@pytest.mark.parametrize("script", PAGES)
def test_every_screen_offers_to_save_its_view(shared_store, script):
    at = seed_files(app(script), [("intake.csv", INTAKE)]).run()
    at = _save(at, "Here")
    assert not at.exception
    (saved,) = shared_store.list_views()
    screen = script.rsplit("/", 1)[-1].split("_", 1)[1].removesuffix(".py")
    assert saved.page == screen


def test_without_a_dataset_the_sidebar_has_no_save_form():
    at = app("pages/2_Gaps.py").run()
    assert not [t for t in at.sidebar.text_input if t.key == "views_save_name"]
