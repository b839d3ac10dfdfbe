"""Saved views on the real pages: saved from any screen's sidebar, reopened on that screen."""

from __future__ import annotations

import pytest

from tests.pages.helpers import PAGES, app, metric, seed_files
from ui import views

# Five applicants, worked out by hand for 25 Nov 2026 (every licence current, every
# degree medicine, so CME hours decide: medicine needs 20). In 2026-Spring and Ireland:
# A1 (25 hours, eligible) and A2 (5 hours, ineligible); the others are filtered out.
INTAKE = (
    b"Applicant ID,Name,Email,Cohort,Country,Applied on,Degree,Accredited,Licence expiry,"
    b"CME hours\n"
    b"A1,Ann One,a1@example.org,2026-Spring,Ireland,2026-01-10,MD,yes,2027-06-30,25\n"
    b"A2,Ben Two,a2@example.org,2026-Spring,Ireland,2026-01-11,MD,yes,2027-06-30,5\n"
    b"A3,Cat Three,a3@example.org,2026-Spring,France,2026-01-12,MD,yes,2027-06-30,25\n"
    b"A4,Dan Four,a4@example.org,2025-Autumn,Ireland,2025-08-10,MD,yes,2027-06-30,25\n"
    b"A5,Eve Five,a5@example.org,2025-Autumn,France,2025-08-11,MD,yes,2027-06-30,5\n"
)


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
    assert at.sidebar.success[0].value == views.SAVED.format(name="Spring, Ireland")
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
