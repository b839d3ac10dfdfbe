"""Gaps: per-rule counts, the combinations chart and the masked near-miss list."""

from analytics.reporting import summary
from tests.pages.helpers import app, chart_traces, engine, sample_files, seed_files
from ui import masking, tables


def _gaps_page():
    return seed_files(app("pages/2_Gaps.py"), sample_files()).run()


def test_fail_and_missing_per_rule_match_the_engine_sorted():
    at = _gaps_page()
    assert not at.exception
    _, ev = engine(sample_files())
    ranked = tables.gaps_ranked(summary.gaps(ev))
    fail, missing = chart_traces(at.get("plotly_chart")[0])
    assert list(fail["y"]) == ranked["rule"].tolist()
    assert list(fail["x"]) == ranked["fail"].tolist()
    assert list(missing["x"]) == ranked["missing"].tolist()
    held_back = [f + m for f, m in zip(fail["x"], missing["x"], strict=True)]
    assert held_back == sorted(held_back, reverse=True)


def test_upset_bars_are_the_most_common_failing_combinations():
    at = _gaps_page()
    _, ev = engine(sample_files())
    combos = summary.failing_combinations(ev, top=10)
    bars = [t for t in chart_traces(at.get("plotly_chart")[1]) if t["type"] == "bar"]
    assert list(bars[0]["y"]) == combos["applicants"].tolist()


def test_near_miss_list_is_masked_until_personal_data_is_switched_on():
    at = _gaps_page()
    _, ev = engine(sample_files())
    near = summary.near_misses(ev)
    shown = at.dataframe[0].value
    assert len(shown) == len(near)
    assert shown["applicant_id"].tolist() == near["applicant_id"].tolist()
    assert shown["full_name"].tolist() == masking.mask_names(near["full_name"]).tolist()
    assert shown["email"].str.endswith("@" + masking.HIDDEN).all()

    at.toggle(key="page_show_personal").set_value(True).run()
    shown = at.dataframe[0].value
    assert shown["full_name"].tolist() == near["full_name"].tolist()
    assert shown["email"].str.contains("@example").all()


def test_near_miss_explanations_say_how_far_off():
    at = _gaps_page()
    shown = at.dataframe[0].value
    assert shown["explain"].str.contains("CME hours short").any()
    assert at.get("download_button")[0].proto.label == "Download CSV"
