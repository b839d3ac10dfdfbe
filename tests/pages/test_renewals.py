"""Renewals: counts, charts and the backlog list match the engine."""

from analytics.reporting import renewals
from tests.pages.helpers import app, chart_traces, engine, metric, sample_files, seed_files


def test_counts_and_charts_match_the_engine():
    at = seed_files(app("pages/3_Renewals.py"), sample_files()).run()
    assert not at.exception
    _, ev = engine(sample_files())
    counts = renewals.summary(ev)
    for key in ("certified", "current", "due", "overdue", "ready", "blocked"):
        assert metric(at, key.capitalize()) == f"{counts[key]:,}"
    by_month, ageing, blocked = (chart_traces(c) for c in at.get("plotly_chart"))
    expected = renewals.backlog_by_month(ev)
    assert [t["name"] for t in by_month] == ["overdue", "due"]
    assert list(by_month[0]["y"]) == expected["overdue"].tolist()
    assert list(by_month[1]["y"]) == expected["due"].tolist()
    assert list(ageing[0]["y"]) == list(counts["overdue_aging"].values())
    assert dict(zip(blocked[0]["y"], blocked[0]["x"], strict=True)) == {
        row.label: row.blocked for row in renewals.blocked_by(ev).itertuples()
    }


def test_backlog_list_says_what_each_must_do_and_is_masked():
    at = seed_files(app("pages/3_Renewals.py"), sample_files()).run()
    _, ev = engine(sample_files())
    backlog = renewals.backlog(ev)
    shown = at.dataframe[0].value
    assert shown["applicant_id"].tolist() == backlog["applicant_id"].tolist()
    ready = shown["to_do"] == "ready to renew"
    assert ready.sum() == renewals.summary(ev)["ready"]
    assert shown.loc[~ready, "to_do"].str.len().gt(0).all()
    assert not shown["license_number"].isin(backlog["license_number"].dropna()).any()


def test_register_without_backlog_says_so():
    register = b"Applicant ID,Certified on,CE hours\nC1,2026-06-01,25\n"
    at = seed_files(app("pages/3_Renewals.py"), [("reg.csv", register)]).run()
    assert not at.exception
    assert at.success[0].value == "No certification is due or overdue for renewal."
