"""Eligibility: the KPIs and deltas shown are the engine's."""

from analytics.reporting import summary
from tests.pages.helpers import app, chart_traces, engine, sample_files, seed_files
from ui import tables


def _shown(at):
    return {m.label: (m.value, m.delta) for m in at.metric}


def test_overall_kpis_match_the_engine_without_deltas():
    at = seed_files(app("pages/1_Eligibility.py"), sample_files()).run()
    assert not at.exception
    _, ev = engine(sample_files())
    kpis = summary.overview(ev)
    assert _shown(at) == {
        "Applicants": (f"{kpis['applicants']:,}", ""),
        "Eligible": (f"{kpis['eligible']:,}", ""),
        "Incomplete": (f"{kpis['incomplete']:,}", ""),
        "Ineligible": (f"{kpis['ineligible']:,}", ""),
        "Eligibility rate": (f"{kpis['eligibility_rate']:.1%}", ""),
    }


def test_a_cohort_is_compared_with_the_cohort_before_it():
    at = seed_files(app("pages/1_Eligibility.py"), sample_files()).run()
    _, ev = engine(sample_files())
    order = tables.cohort_order(ev.applicants)
    by_cohort = summary.eligibility_by(ev, "cohort").set_index("cohort")
    this, before = by_cohort.loc[order[1]].to_dict(), by_cohort.loc[order[0]].to_dict()
    this = {k: int(v) if k != "eligibility_rate" else v for k, v in this.items()}
    before = {k: int(v) if k != "eligibility_rate" else v for k, v in before.items()}
    at.selectbox(key="eligibility_cohort").set_value(order[1]).run()
    assert not at.exception
    shown = _shown(at)
    assert shown["Eligible"] == (
        f"{this['eligible']:,}",
        f"{this['eligible'] - before['eligible']:+,}",
    )
    rate_change = (this["eligibility_rate"] - before["eligibility_rate"]) * 100
    rate = f"{this['eligibility_rate']:.1%}"
    assert shown["Eligibility rate"] == (rate, f"{rate_change:+.1f} pts")


def test_earliest_cohort_has_no_delta():
    at = seed_files(app("pages/1_Eligibility.py"), sample_files()).run()
    _, ev = engine(sample_files())
    first = tables.cohort_order(ev.applicants)[0]
    at.selectbox(key="eligibility_cohort").set_value(first).run()
    assert all(m.delta == "" for m in at.metric)
    assert any("earliest cohort" in c.value for c in at.caption)


def test_charts_are_plotly_and_funnel_counts_are_the_engines():
    at = seed_files(app("pages/1_Eligibility.py"), sample_files()).run()
    _, ev = engine(sample_files())
    charts = at.get("plotly_chart")
    assert len(charts) == 4  # three rate charts (tabs) and the funnel
    (funnel,) = chart_traces(charts[-1])
    assert funnel["type"] == "funnel"
    assert list(funnel["x"]) == summary.funnel(ev)["remaining"].tolist()


def test_only_certified_practitioners_gives_an_explicit_empty_state():
    register = b"Applicant ID,Certified on,CE hours\nC1,2025-01-01,25\n"
    at = seed_files(app("pages/1_Eligibility.py"), [("reg.csv", register)]).run()
    assert not at.exception
    assert "no applicants" in at.info[0].value
    assert len(at.metric) == 0
