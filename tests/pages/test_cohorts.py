"""Cohorts: filters drive every figure; two cohorts side by side; one decision's trace."""

from analytics.reporting import summary
from tests.pages.helpers import app, chart_traces, engine, metric, sample_files, seed_files
from ui import tables


def _page():
    return seed_files(app("pages/4_Cohorts.py"), sample_files()).run()


def test_unfiltered_counts_are_the_whole_dataset():
    at = _page()
    assert not at.exception
    _, ev = engine(sample_files())
    assert metric(at, "Applicants") == f"{summary.overview(ev)['applicants']:,}"


def test_cohort_filter_changes_the_counts_and_the_charts():
    at = _page()
    _, ev = engine(sample_files())
    row = summary.eligibility_by(ev, "cohort").iloc[0]
    at.multiselect(key="cohorts_cohort").set_value([row["cohort"]]).run()
    assert not at.exception
    assert metric(at, "Applicants") == f"{int(row['applicants']):,}"
    assert metric(at, "Eligible") == f"{int(row['eligible']):,}"
    status = chart_traces(at.get("plotly_chart")[0])
    assert all(list(t["y"]) == [row["cohort"]] for t in status)
    assert len(at.dataframe[0].value) == row["applicants"]


def test_status_and_extra_column_filters_combine():
    at = _page()
    _, ev = engine(sample_files())
    people = ev.applicants
    extra = ev.extra_columns[0]
    value = people[extra].dropna().iloc[0]
    at.multiselect(key="cohorts_status").set_value(["eligible"]).run()
    at.selectbox(key="cohorts_extra_column").set_value(extra).run()
    at.multiselect(key="cohorts_extra_values").set_value([value]).run()
    assert not at.exception
    expected = ((people["status"] == "eligible") & (people[extra] == value)).sum()
    assert metric(at, "Applicants") == f"{expected:,}"
    assert metric(at, "Ineligible") == "0"


def test_filter_matching_nobody_gives_an_empty_state():
    at = _page()
    at.multiselect(key="cohorts_status").set_value(["eligible"]).run()
    at.multiselect(key="cohorts_degree").set_value(["non_healthcare"]).run()
    assert not at.exception
    assert "No applicant matches these filters" in at.info[0].value


def test_two_cohorts_side_by_side():
    at = _page()
    _, ev = engine(sample_files())
    order = tables.cohort_order(ev.applicants)
    at.selectbox(key="cohorts_compare_a").set_value(order[0])
    at.selectbox(key="cohorts_compare_b").set_value(order[2]).run()
    compared = chart_traces(at.get("plotly_chart")[1])
    assert [t["name"] for t in compared] == [order[0], order[2]]
    expected = tables.compare_cohorts(summary.gaps(ev, by="cohort"), [order[0], order[2]])
    for trace in compared:
        part = expected[expected["cohort"] == trace["name"]]
        assert list(trace["x"]) == part["share"].tolist()


def test_selecting_an_applicant_shows_their_rule_trace():
    at = _page()
    _, ev = engine(sample_files())
    # AppTest cannot click a dataframe row; the selection state is seeded as the browser
    # would send it.
    at.session_state["cohorts_table"] = {"selection": {"rows": [3], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    person = ev.applicants.iloc[3]
    assert any(person["applicant_id"] in m.value for m in at.markdown)
    trace = at.dataframe[1].value
    assert trace["rule"].tolist() == [r.label for r in ev.rule_set.admission]
    assert trace["result"].tolist() == [person[f"state__{r.id}"] for r in ev.rule_set.admission]
