"""Eligibility's cohort choice: deltas against the chronologically previous cohort, named;
charts and funnel follow the choice; the choice is in the link and kept across pages; and
cohorts read in the same order on every screen.

The export below names its cohorts so that alphabetical and chronological order differ:
2025-Autumn sorts first but 2025-Spring applied first.
"""

import pytest

from tests.pages.helpers import (
    app,
    chart_traces,
    csv_export,
    literal,
    open_tab,
    params,
    seed_files,
    visit,
)
from ui import page

SEASONS_CSV = [
    "Applicant ID,Name,Email,Cohort,Programme,Country,Applied on,Degree,Accredited,"
    "Licence expiry,CME hours,Referral source",
    "S1,Ann Ames,ann@example.org,2025-Spring,Standard,UK,2025-03-01,MD,yes,2027-06-30,25,web",
    # not accredited
    "S2,Ben Bale,ben@example.org,2025-Spring,Standard,UK,2025-03-05,MD,no,2027-06-30,25,web",
    "A1,Cal Cole,cal@example.org,2025-Autumn,Standard,UK,2025-09-01,MD,yes,2027-06-30,25,web",
    "A2,Dot Dunn,dot@example.org,2025-Autumn,Standard,Ireland,2025-09-03,MD,yes,2027-06-30,22,",
    # a dentist with 12 of the 20 CME hours needed
    "A3,Eve Eads,eve@example.org,2025-Autumn,Standard,UK,2025-09-04,DDS,yes,2027-06-30,12,web",
    # no healthcare degree and not accredited
    "N1,Flo Finn,flo@example.org,2026-Spring,Standard,UK,2026-03-01,MBA,no,2027-06-30,40,web",
]
CHRONOLOGICAL = ["2025-Spring", "2025-Autumn", "2026-Spring"]


def _open(script="pages/1_Eligibility.py"):
    at = seed_files(app(script), [("seasons.csv", csv_export(SEASONS_CSV))]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _autumn():
    at = _open()
    at.selectbox(key=page.COHORT_KEY).set_value("2025-Autumn").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _bars(at, key) -> dict:
    (bars,) = chart_traces(at.get("plotly_chart")[key])
    return dict(zip(bars["y"], bars["x"], strict=True))


def test_deltas_are_against_the_chronologically_previous_cohort_and_say_so():
    at = _autumn()
    # Autumn: A1 A2 eligible, A3 ineligible; Spring 2025: S1 eligible, S2 ineligible
    shown = {m.label: (m.value, m.delta, literal(m.help)) for m in at.metric}
    vs = "Change vs 2025-Spring"
    assert shown == {
        "Applicants": ("3", "+1", vs),
        "Eligible": ("2", "+1", vs),
        "Incomplete": ("0", "+0", vs),
        "Ineligible": ("1", "+0", vs),
        "Eligibility rate": ("66.7%", "+16.7 pts", vs),  # 2/3 against 1/2
    }
    assert any("against 2025-Spring" in literal(c.value) for c in at.caption)


def test_charts_and_funnel_follow_the_cohort_choice():
    at = _autumn()
    assert _bars(at, 0) == pytest.approx({"2025-Autumn": 2 / 3})
    (funnel,) = chart_traces(at.get("plotly_chart")[-1])
    assert list(funnel["x"]) == [3, 3, 3, 3, 2]
    assert _bars(open_tab(at, "eligibility_rate_by", "By degree"), 0) == pytest.approx(
        {"Medicine": 1.0, "Dentistry": 0.0}
    )
    assert _bars(open_tab(at, "eligibility_rate_by", "By country"), 0) == pytest.approx(
        {"UK": 1 / 2, "Ireland": 1.0}
    )
    (funnel,) = chart_traces(at.get("plotly_chart")[-1])
    # 3 in; degree, accreditation and licence keep all three; CME drops A3
    assert list(funnel["x"]) == [3, 3, 3, 3, 2]


def test_all_cohorts_charts_show_everyone_in_chronological_order():
    at = _open()
    (bars,) = chart_traces(at.get("plotly_chart")[0])
    assert list(bars["y"]) == CHRONOLOGICAL
    (funnel,) = chart_traces(at.get("plotly_chart")[-1])
    # 6 in; degree drops N1; accreditation S2; CME A3
    assert list(funnel["x"]) == [6, 5, 4, 4, 3]


def test_the_choice_is_in_the_link_and_survives_a_page_switch():
    at = _autumn()
    assert params(at)["cohort"] == ["2025-Autumn"]
    at = visit(at, "pages/2_Gaps.py")
    assert not at.exception
    assert params(at)["cohort"] == ["2025-Autumn"]
    at = visit(at, "pages/1_Eligibility.py")
    assert at.selectbox(key=page.COHORT_KEY).value == "2025-Autumn"
    assert params(at)["cohort"] == ["2025-Autumn"]
    at.selectbox(key=page.COHORT_KEY).set_value(page.ALL).run()
    assert "cohort" not in params(at)


def test_a_link_opens_eligibility_on_its_cohort():
    first = _autumn()
    link = params(first)
    colleague = app("app.py")
    colleague.query_params.update(link)
    colleague.run()
    assert not colleague.exception, [e.value for e in colleague.exception]
    assert colleague.title[0].value == "Eligibility"
    assert colleague.selectbox(key=page.COHORT_KEY).value == "2025-Autumn"
    assert {m.label: m.value for m in colleague.metric}["Eligible"] == "2"


def test_cohorts_read_in_one_order_on_every_screen():
    eligibility = _open()
    assert eligibility.selectbox(key=page.COHORT_KEY).options == [page.ALL, *CHRONOLOGICAL]
    cohorts = _open("pages/4_Cohorts.py")
    assert cohorts.multiselect(key="cohorts_cohort").options == CHRONOLOGICAL
    assert cohorts.selectbox(key="cohorts_compare_a").options == CHRONOLOGICAL
    status = chart_traces(cohorts.get("plotly_chart")[0])
    assert all(list(trace["y"]) == CHRONOLOGICAL for trace in status)
