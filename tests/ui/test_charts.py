import pandas as pd
import plotly.graph_objects as go
import pytest

from ui import charts


def _bar_traces(fig):
    return [t for t in fig.data if isinstance(t, go.Bar)]


def test_rate_bars_plot_one_bar_per_group_with_rate_and_size():
    table = pd.DataFrame(
        {"cohort": ["2025A", None], "applicants": [10, 4], "eligibility_rate": [0.5, 0.25]}
    )
    fig = charts.rate_bars(table, "cohort")
    (bar,) = fig.data
    assert list(bar.y) == ["2025A", "Unassigned"]
    assert list(bar.x) == [0.5, 0.25]
    assert list(bar.text) == ["50.0% of 10", "25.0% of 4"]


def test_a_rate_of_nought_is_labelled_beside_its_empty_bar():
    table = pd.DataFrame(
        {"cohort": ["A", "B", "C"], "applicants": [12, 5, 8], "eligibility_rate": [0.0, 0.1, 0.6]}
    )
    (bar,) = charts.rate_bars(table, "cohort").data
    assert list(bar.text) == ["0.0% of 12", "10.0% of 5", "60.0% of 8"]
    assert list(bar.textposition) == ["outside", "outside", "inside"]


def test_rate_bars_name_degree_categories_and_blanks_in_words():
    table = pd.DataFrame(
        {
            "degree": pd.array(["non_healthcare", "physician_associate", None], dtype="string"),
            "applicants": [3, 2, 1],
            "eligibility_rate": [0.0, 0.451, 1.0],
        }
    )
    (bar,) = charts.rate_bars(table, "degree").data
    assert list(bar.y) == ["Non-healthcare degree", "Physician associate", "Not given"]
    assert bar.text[1] == "45.1% of 2"


def test_status_bars_stack_one_trace_per_status_present():
    table = pd.DataFrame({"degree": ["medicine"], "eligible": [3], "ineligible": [1]})
    fig = charts.status_bars(table, "degree")
    assert [t.name for t in fig.data] == ["Eligible", "Ineligible"]
    assert list(fig.data[0].y) == ["Medicine"]
    assert fig.layout.barmode == "stack"


def test_funnel_keeps_the_rule_order():
    table = pd.DataFrame({"label": ["Degree", "Licence", "CME"], "remaining": [10, 7, 3]})
    (trace,) = charts.funnel(table).data
    assert isinstance(trace, go.Funnel)
    assert list(trace.y) == ["Degree", "Licence", "CME"]
    assert list(trace.x) == [10, 7, 3]


def test_fail_missing_bars_stack_fail_then_missing():
    table = pd.DataFrame({"label": ["CME", "Licence"], "fail": [5, 1], "missing": [0, 4]})
    fig = charts.fail_missing_bars(table)
    assert [(t.name, list(t.x)) for t in fig.data] == [
        ("Not met", [5, 1]),
        ("Not given", [0, 4]),
    ]


def test_fail_missing_bars_carry_their_numbers():
    table = pd.DataFrame({"label": ["CME"], "fail": [1234], "missing": [0]})
    fail, missing = charts.fail_missing_bars(table).data
    assert list(fail.text) == ["1,234"]
    assert list(missing.text) == [""]  # an empty segment carries no stray "0"
    assert fail.textangle == missing.textangle == 0  # level even where a segment is narrow


def test_upset_bars_match_counts_and_dots_mark_members():
    combos = pd.DataFrame({"rules": [("cme",), ("cme", "licence")], "applicants": [7, 2]})
    fig = charts.upset(combos, labels={"cme": "CME hours", "licence": "Licence"})
    bars = _bar_traces(fig)
    assert len(bars) == 1
    assert list(bars[0].y) == [7, 2]
    assert list(bars[0].hovertext) == ["CME hours", "CME hours + Licence"]
    # trace 1 is the grey grid, then one dark trace per combination
    members = [sorted(t.y) for t in fig.data[2:]]
    assert members == [["CME hours"], ["CME hours", "Licence"]]
    assert len(fig.data[1].x) == 4  # 2 combinations x 2 rules


def test_backlog_by_month_stacks_overdue_under_due():
    table = pd.DataFrame({"month": ["2025-01", "2025-02"], "due": [0, 3], "overdue": [2, 0]})
    fig = charts.backlog_by_month(table)
    assert [(t.name, list(t.y)) for t in fig.data] == [("Overdue", [2, 0]), ("Due", [0, 3])]
    assert list(fig.data[0].x) == ["Jan 2025", "Feb 2025"]
    assert fig.layout.barmode == "stack"


def test_ageing_puts_buckets_in_natural_order():
    table = pd.DataFrame({"bucket": ["91+", "1-30", "31-60"], "certified": [1, 5, 2]})
    (bar,) = charts.ageing(table).data
    assert list(bar.x) == ["1-30", "31-60", "91+"]
    assert list(bar.y) == [5, 2, 1]


def test_side_by_side_gives_one_trace_per_series():
    table = pd.DataFrame(
        {
            "rule": ["CME", "Licence", "CME", "Licence"],
            "cohort": ["A", "A", "B", "B"],
            "share": [0.5, 0.1, 0.2, 0.3],
        }
    )
    fig = charts.side_by_side(table, "rule", "cohort", "share")
    assert [(t.name, list(t.x)) for t in fig.data] == [("A", [0.5, 0.1]), ("B", [0.2, 0.3])]
    assert fig.layout.barmode == "group"
    # Labels beside the bars (inside, Plotly shrinks them to the bar); the axis ends 30%
    # past the longest bar, 0.5, rather than at 100%.
    assert {t.textposition for t in fig.data} == {"outside"}
    assert tuple(fig.layout.xaxis.range) == pytest.approx((0, 0.65))


def test_a_rate_axis_past_100_percent_has_no_tick_past_it():
    table = pd.DataFrame({"rule": ["CME"], "cohort": ["A"], "share": [0.9]})
    axis = charts.side_by_side(table, "rule", "cohort", "share").layout.xaxis
    assert axis.range[1] == pytest.approx(1.17)  # room for the label "90.0%"
    assert max(axis.tickvals) == 1.0


def test_what_if_compares_active_and_edited_per_group():
    table = pd.DataFrame(
        {"cohort": ["A", None], "rate_before": [0.5, 0.2], "rate_after": [0.6, 0.1]}
    )
    fig = charts.what_if(table)
    assert [(t.name, list(t.y), list(t.x)) for t in fig.data] == [
        ("Active rules", ["A", "Unassigned"], [0.5, 0.2]),
        ("Edited rules", ["A", "Unassigned"], [0.6, 0.1]),
    ]


@pytest.mark.parametrize(
    ("chart", "args"),
    [
        (charts.rate_bars, ("cohort",)),
        (charts.status_bars, ("cohort",)),
        (charts.funnel, ()),
        (charts.fail_missing_bars, ()),
        (charts.upset, ()),
        (charts.backlog_by_month, ()),
        (charts.ageing, ()),
        (charts.count_bars, ("reason", "blocked")),
        (charts.side_by_side, ("rule", "cohort", "share")),
        (charts.what_if, ()),
    ],
)
def test_empty_table_gives_a_figure_that_says_so(chart, args):
    fig = chart(pd.DataFrame(), *args)
    assert fig.data == ()
    assert fig.layout.annotations[0].text == charts.EMPTY_TEXT


def test_title_is_set_only_when_given():
    table = pd.DataFrame({"bucket": ["1-30"], "certified": [1]})
    assert charts.ageing(table).layout.title.text is None
    assert charts.ageing(table, title="Overdue").layout.title.text == "Overdue"


def test_sankey_draws_only_the_moves_with_someone_in_them():
    moves = pd.DataFrame(
        {
            "old": ["eligible", "eligible", "not present", "incomplete"],
            "new": ["eligible", "certified", "ineligible", "eligible"],
            "applicants": [3, 1, 2, 0],
        }
    )
    (trace,) = charts.status_sankey(moves).data
    assert isinstance(trace, go.Sankey)
    labels = list(trace.node.label)
    assert labels == [
        "eligible before",
        "not present before",
        "eligible now",
        "certified now",
        "ineligible now",
    ]
    drawn = [
        (labels[s], labels[t], v)
        for s, t, v in zip(trace.link.source, trace.link.target, trace.link.value, strict=True)
    ]
    assert drawn == [
        ("eligible before", "eligible now", 3),
        ("eligible before", "certified now", 1),
        ("not present before", "ineligible now", 2),
    ]


def test_sankey_of_nobody_says_so():
    moves = pd.DataFrame({"old": ["eligible"], "new": ["eligible"], "applicants": [0]})
    fig = charts.status_sankey(moves)
    assert not fig.data
    assert fig.layout.annotations[0].text == "Nobody in either upload"


def test_resolved_vs_new_bars_side_by_side_with_their_numbers():
    table = pd.DataFrame({"label": ["Licence", "CME"], "resolved": [0, 2], "new": [1, 0]})
    fig = charts.resolved_vs_new(table)
    assert fig.layout.barmode == "group"
    assert [(t.name, list(t.y), list(t.x)) for t in fig.data] == [
        ("Now met", ["Licence", "CME"], [0, 2]),
        ("No longer met", ["Licence", "CME"], [1, 0]),
    ]
    assert all(t.texttemplate == "%{x:,}" for t in fig.data)


def test_trend_has_counts_on_the_left_and_the_rate_on_the_right():
    table = pd.DataFrame(
        {
            "uploaded": pd.to_datetime(["2026-10-01", "2026-11-01"]),
            "label": ["October", "November"],
            "eligible": [2, 4],
            "eligibility_rate": [0.25, 0.5],
            "backlog": [3, 1],
        }
    )
    fig = charts.trend(table)
    assert [(t.name, list(t.y), t.yaxis) for t in fig.data] == [
        ("Eligible", [2, 4], "y"),
        ("Renewal backlog (due or overdue)", [3, 1], "y"),
        ("Eligibility rate", [0.25, 0.5], "y2"),
    ]
    assert fig.layout.yaxis2.tickformat == ".0%"


def test_every_axis_grows_its_margin_to_fit_its_labels():
    rules = pd.DataFrame({"label": ["Accredited degree institution"], "fail": [3], "missing": [1]})
    combos = pd.DataFrame({"rules": [("cme",)], "applicants": [7]})
    figures = [
        charts.fail_missing_bars(rules),  # rule names on the side
        charts.upset(combos, labels={"cme": "CME hours"}),  # two axes pairs
    ]
    for fig in figures:
        axes = [*fig.select_xaxes(), *fig.select_yaxes()]
        assert len(axes) >= 2
        assert all(axis.automargin is True for axis in axes)


@pytest.mark.parametrize("horizontal", [False, True])
def test_count_bars_write_counts_with_thousands_separators(horizontal):
    table = pd.DataFrame({"bucket": ["0-30 days", "31-90 days"], "certified": [18730, 42]})
    (bar,) = charts.count_bars(table, "bucket", "certified", horizontal=horizontal).data
    assert list(bar.text) == ["18,730", "42"]  # as the metrics above the chart write them
