"""Cohorts: filters drive every figure; two cohorts side by side; one decision's trace.

Expected figures are worked out by hand for the small export in helpers (COHORTS_ROWS:
London B2 B3, Leeds B1 B4 B8, York B5 B6, no cohort B7), or recounted from the raw sample
files by tests/sample_counts.py.
"""

import json

from tests import sample_counts
from tests.pages.helpers import (
    app,
    chart_traces,
    cohorts_export,
    metric,
    params,
    rule_labels,
    sample_files,
    seed_files,
)
from ui import tables

LABEL = rule_labels("standard")
REQUIRED = [
    LABEL[r]
    for r in ("healthcare_degree", "accredited_institution", "license_current", "cme_hours")
]
KPIS = ("Applicants", "Eligible", "Incomplete", "Ineligible", "Eligibility rate")


def _page(files=None):
    at = seed_files(app("pages/4_Cohorts.py"), files or cohorts_export()).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _kpis(at) -> tuple[str, ...]:
    return tuple(metric(at, label) for label in KPIS)


def _stacks(chart) -> dict[tuple[str, str], int]:
    """(status, cohort) -> count of a status_bars chart."""
    return {
        (t["name"], cohort): int(n)
        for t in chart_traces(chart)
        for cohort, n in zip(t["y"], t["x"], strict=True)
    }


def test_unfiltered_counts_are_the_whole_dataset():
    at = _page()
    # eligible B1 B2 B6; incomplete B7; ineligible B3 B4 B5 B8
    assert _kpis(at) == ("8", "3", "1", "4", "37.5%")
    assert _stacks(at.get("plotly_chart")[0]) == {
        ("Eligible", "2026-01 London"): 1,
        ("Eligible", "2026-03 Leeds"): 1,
        ("Eligible", "2026-05 York"): 1,
        ("Eligible", "Unassigned"): 0,
        ("Incomplete", "2026-01 London"): 0,
        ("Incomplete", "2026-03 Leeds"): 0,
        ("Incomplete", "2026-05 York"): 0,
        ("Incomplete", "Unassigned"): 1,
        ("Ineligible", "2026-01 London"): 1,
        ("Ineligible", "2026-03 Leeds"): 2,
        ("Ineligible", "2026-05 York"): 1,
        ("Ineligible", "Unassigned"): 0,
    }
    people = at.dataframe[0].value.set_index("applicant_id")
    assert len(people) == 8
    assert people.loc["B1", "full_name"] == "A. A."  # masked until personal data is on


def test_cohort_filter_changes_the_counts_the_chart_and_the_table():
    at = _page()
    at.multiselect(key="cohorts_cohort").set_value(["2026-03 Leeds"]).run()
    assert not at.exception
    assert _kpis(at) == ("3", "1", "0", "2", "33.3%")  # B1 eligible; B4 B8 ineligible
    assert _stacks(at.get("plotly_chart")[0]) == {
        ("Eligible", "2026-03 Leeds"): 1,
        ("Incomplete", "2026-03 Leeds"): 0,
        ("Ineligible", "2026-03 Leeds"): 2,
    }
    assert sorted(at.dataframe[0].value["applicant_id"]) == ["B1", "B4", "B8"]


def test_status_and_extra_column_filters_combine():
    at = _page()
    at.multiselect(key="cohorts_status").set_value(["eligible"]).run()
    at.selectbox(key="cohorts_extra_column").set_value("Referral source").run()
    at.multiselect(key="cohorts_extra_values").set_value(["web"]).run()
    assert not at.exception
    assert _kpis(at) == ("2", "2", "0", "0", "100.0%")  # B1 and B6 (B2 came from a friend)
    assert sorted(at.dataframe[0].value["applicant_id"]) == ["B1", "B6"]


def test_filter_matching_nobody_gives_an_empty_state():
    at = _page()
    at.multiselect(key="cohorts_status").set_value(["eligible"]).run()
    at.multiselect(key="cohorts_degree").set_value(["non_healthcare"]).run()
    assert not at.exception
    assert "No applicant matches these filters" in at.info[0].value


def test_the_two_latest_cohorts_are_compared_first():
    at = _page()
    # cohorts by first application: London (10 Jan), Leeds (B8, 20 Feb), York (1 May);
    # the blank cohort last
    assert at.selectbox(key="cohorts_compare_a").options == [
        "2026-01 London",
        "2026-03 Leeds",
        "2026-05 York",
        "Unassigned",
    ]
    assert (
        at.selectbox(key="cohorts_compare_a").value,
        at.selectbox(key="cohorts_compare_b").value,
    ) == (
        "2026-03 Leeds",
        "2026-05 York",
    )
    assert metric(at, "2026-03 Leeds: eligible") == "1 of 3"
    assert metric(at, "2026-03 Leeds: eligibility rate") == "33.3%"
    assert metric(at, "2026-05 York: eligible") == "1 of 2"
    assert metric(at, "2026-05 York: eligibility rate") == "50.0%"


def test_two_cohorts_side_by_side_share_failing_each_required_rule():
    at = _page()
    at.selectbox(key="cohorts_compare_a").set_value("2026-01 London")
    at.selectbox(key="cohorts_compare_b").set_value("2026-05 York").run()
    assert not at.exception
    compared = chart_traces(at.get("plotly_chart")[1])
    shown = {t["name"]: dict(zip(t["y"], t["x"], strict=True)) for t in compared}
    assert [t["name"] for t in compared] == ["2026-01 London", "2026-05 York"]
    assert shown == {
        # B3 not accredited, of 2
        "2026-01 London": dict(zip(REQUIRED, [0.0, 0.5, 0.0, 0.0], strict=True)),
        # B5 no healthcare degree and not accredited, of 2
        "2026-05 York": dict(zip(REQUIRED, [0.5, 0.5, 0.0, 0.0], strict=True)),
    }
    assert metric(at, "2026-01 London: eligible") == "1 of 2"


def test_two_cohorts_where_nobody_fails_say_so_instead_of_empty_bars():
    at = _page()
    at.multiselect(key="cohorts_status").set_value(["eligible"]).run()  # B1 B2 B6
    at.selectbox(key="cohorts_compare_a").set_value("2026-01 London")
    at.selectbox(key="cohorts_compare_b").set_value("2026-05 York").run()
    assert not at.exception
    spec = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert spec["data"] == []
    assert [a["text"] for a in spec["layout"]["annotations"]] == [tables.NOBODY_FAILS]


def test_selecting_an_applicant_shows_their_rule_trace():
    at = _page()
    row = at.dataframe[0].value["applicant_id"].tolist().index("B4")
    # AppTest cannot click a dataframe row; the selection state is seeded as the browser
    # would send it.
    at.session_state["cohorts_table"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert "**Decision for B4: ineligible**" in [m.value for m in at.markdown]
    trace = at.dataframe[1].value
    assert trace["rule"].tolist() == list(LABEL.values())
    assert trace["result"].tolist() == ["passes"] * 3 + ["fails"] + ["no usable value"] * 3
    assert trace["why"].tolist()[:4] == ["", "", "", "8 CME hours short"]
    # B4 is a dentist with 12 CME hours; dentistry needs 20 (data/rules/standard.toml)
    cme = trace.set_index("rule").loc[LABEL["cme_hours"]]
    assert (cme["recorded"], cme["requires"]) == (
        "12 CME hours",
        "at least 20 CME hours for dentistry",
    )
    # the export has no advisory columns: each says what is missing
    assert all(why.endswith("not given or unreadable") for why in trace["why"].tolist()[4:])
    assert set(trace["recorded"].tolist()[4:]) == {"not recorded"}


def test_the_applicant_list_names_failing_rules_by_their_labels():
    at = _page()
    table = at.dataframe[0].value.set_index("applicant_id")
    # B5: no healthcare degree and not accredited
    assert table.at["B5", "failing"] == ", ".join(
        [LABEL["healthcare_degree"], LABEL["accredited_institution"]]
    )


def test_one_cohort_in_the_filter_is_never_compared_with_itself():
    at = _page()
    at.multiselect(key="cohorts_cohort").set_value(["2026-03 Leeds"]).run()
    assert not at.exception
    assert not [s for s in at.selectbox if s.key in ("cohorts_compare_a", "cohorts_compare_b")]
    assert "Only one cohort is in the filter" in " ".join(i.value for i in at.info)


def test_the_second_cohort_offered_is_never_the_first():
    at = _page()
    at.selectbox(key="cohorts_compare_a").set_value("2026-05 York").run()
    second = at.selectbox(key="cohorts_compare_b")
    assert second.options == ["2026-01 London", "2026-03 Leeds", "Unassigned"]
    assert second.value == "2026-03 Leeds"


def test_sample_counts_are_recounted_from_the_files():
    expected = sample_counts.expected_report()
    at = _page(sample_files())
    assert metric(at, "Applicants") == f"{expected['applicants']:,}"
    assert metric(at, "Eligible") == f"{expected['status']['eligible']:,}"
    dublin = expected["by_cohort"]["2026-09 Dublin"]
    at.multiselect(key="cohorts_cohort").set_value(["2026-09 Dublin"]).run()
    assert not at.exception
    assert metric(at, "Applicants") == f"{dublin['applicants']:,}"
    assert metric(at, "Eligible") == f"{dublin['eligible']:,}"
    assert len(at.dataframe[0].value) == dublin["applicants"]


def test_degree_choices_read_as_words_and_links_keep_the_codes():
    export = b"Applicant ID,Cohort,Degree\nC1,2026-Spring,MBA\nC2,2026-Spring,RN\nC3,2026-Spring,\n"
    at = _page([("degrees.csv", export)])
    degree = at.multiselect(key="cohorts_degree")
    # MBA is a non-healthcare degree, RN nursing (DOMAIN 3.3); the blank cell is offered too.
    assert list(degree.options) == ["Non-healthcare degree", "Nursing", "(blank)"]
    degree.set_value(["non_healthcare"]).run()
    assert not at.exception
    assert metric(at, "Applicants") == "1"
    assert params(at)["f.degree"] == ["non_healthcare"]  # the code, not the words
