"""Eligibility: the KPIs, the deltas against the cohort before, the rate charts, the funnel.

Expected figures are worked out by hand for the small export in helpers (COHORTS_CSV:
London B2 B3, Leeds B1 B4 B8, York B5 B6, no cohort B7), or recounted from the raw sample
files by tests/sample_counts.py.
"""

import pytest

from tests import sample_counts
from tests.pages.helpers import (
    app,
    chart_traces,
    cohorts_export,
    open_tab,
    sample_files,
    seed_files,
)
from ui import page

RATE_TABS = "eligibility_rate_by"


def _page(files=None):
    at = seed_files(app("pages/1_Eligibility.py"), files or cohorts_export()).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _shown(at):
    return {m.label: (m.value, m.delta) for m in at.metric}


def test_overall_kpis_without_deltas():
    assert _shown(_page()) == {
        "Applicants": ("8", ""),
        "Eligible": ("3", ""),  # B1 B2 B6
        "Incomplete": ("1", ""),  # B7
        "Ineligible": ("4", ""),  # B3 B4 B5 B8
        "Eligibility rate": ("37.5%", ""),
    }


def test_overall_kpis_of_the_sample_are_recounted_from_the_files():
    expected = sample_counts.expected_report()
    status = expected["status"]
    assert _shown(_page(sample_files())) == {
        "Applicants": (f"{expected['applicants']:,}", ""),
        "Eligible": (f"{status['eligible']:,}", ""),
        "Incomplete": (f"{status['incomplete']:,}", ""),
        "Ineligible": (f"{status['ineligible']:,}", ""),
        "Eligibility rate": (f"{status['eligible'] / expected['applicants']:.1%}", ""),
    }


def test_a_cohort_is_compared_with_the_cohort_before_it():
    at = _page()
    # by first application: London (10 Jan), Leeds (B8, 20 Feb), York (1 May); blank last
    assert at.selectbox(key="eligibility_cohort").options == [
        page.ALL,
        "2026-01 London",
        "2026-03 Leeds",
        "2026-05 York",
        "Unassigned",
    ]
    at.selectbox(key="eligibility_cohort").set_value("2026-05 York").run()
    assert not at.exception
    # York (B5 ineligible, B6 eligible) against Leeds (B1 eligible, B4 B8 ineligible)
    assert _shown(at) == {
        "Applicants": ("2", "-1"),
        "Eligible": ("1", "+0"),
        "Incomplete": ("0", "+0"),
        "Ineligible": ("1", "-1"),
        "Eligibility rate": ("50.0%", "+16.7 pts"),  # 1/2 against 1/3
    }


def test_earliest_cohort_has_no_delta():
    at = _page()
    at.selectbox(key="eligibility_cohort").set_value("2026-01 London").run()
    assert _shown(at)["Eligible"] == ("1", "")
    assert all(m.delta == "" for m in at.metric)
    assert any("earliest cohort" in c.value for c in at.caption)


@pytest.mark.parametrize(
    ("tab", "rates"),
    [
        (
            "By cohort",
            {
                "2026-01 London": 1 / 2,
                "2026-03 Leeds": 1 / 3,
                "2026-05 York": 1 / 2,
                "Unassigned": 0,
            },
        ),
        # medicine B1 B3 B6 B7, nursing B2 B8, dentistry B4, non-healthcare B5
        (
            "By degree",
            {"Medicine": 2 / 4, "Nursing": 1 / 2, "Dentistry": 0, "Non-healthcare degree": 0},
        ),
        ("By country", {"UK": 3 / 7, "Ireland": 0}),  # Ireland: B3 only
    ],
    ids=["cohort", "degree", "country"],
)
def test_rate_charts_by_cohort_degree_and_country(tab, rates):
    at = open_tab(_page(), RATE_TABS, tab)
    assert not at.exception
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # the open tab's chart and the funnel: hidden tabs draw nothing
    (bars,) = chart_traces(charts[0])
    assert dict(zip(bars["y"], bars["x"], strict=True)) == pytest.approx(rates)


def test_the_first_tab_is_open_at_first():
    at = _page()
    (bars,) = chart_traces(at.get("plotly_chart")[0])
    assert "2026-01 London" in list(bars["y"])  # by cohort


def test_funnel_keeps_those_passing_each_required_rule_in_turn():
    charts = _page().get("plotly_chart")
    assert len(charts) == 2  # the open rate chart (by cohort) and the funnel
    (funnel,) = chart_traces(charts[-1])
    assert funnel["type"] == "funnel"
    # all 8; degree drops B5; accreditation B3; licence B8 (expired) and B7 (blank); CME B4
    assert list(funnel["x"]) == [8, 7, 6, 4, 3]


def test_only_certified_practitioners_gives_an_explicit_empty_state():
    register = b"Applicant ID,Certified on,CE hours\nC1,2025-01-01,25\n"
    at = seed_files(app("pages/1_Eligibility.py"), [("reg.csv", register)]).run()
    assert not at.exception
    assert "no applicants" in at.info[0].value
    assert len(at.metric) == 0
