"""The session memo: least recently used first out, and a dataset's frame or evaluation
never pushes out the summaries the screens derive (nor the other way round)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from ui import loaders


@pytest.fixture
def computed(monkeypatch):
    """Keys computed so far, in order; the memo lives in a plain dict session state."""
    monkeypatch.setattr(loaders, "st", SimpleNamespace(session_state={}))
    monkeypatch.setattr(loaders, "MEMO_SIZE", 5)
    monkeypatch.setattr(loaders, "HEAVY_KEPT", 2)
    calls: list[tuple] = []

    def get(*key):
        return loaders._memo(key, lambda: calls.append(key) or len(calls))

    return calls, get


def test_a_value_is_computed_once_and_returned_again(computed):
    calls, get = computed
    assert get("derived", "a") == 1
    assert get("derived", "a") == 1
    assert calls == [("derived", "a")]


def test_the_least_recently_used_entry_goes_first(computed):
    calls, get = computed
    for name in "abcde":
        get("derived", name)
    get("derived", "a")  # used again: now the most recent
    get("derived", "f")  # one over the budget of 5: "b" goes
    calls.clear()
    for name in "acdef":
        get("derived", name)
    assert calls == []
    get("derived", "b")
    assert calls == [("derived", "b")]


def test_a_round_through_as_many_entries_as_the_budget_recomputes_nothing(computed):
    calls, get = computed
    for _ in range(3):
        for name in "abcde":
            get("derived", name)
    assert len(calls) == 5


def test_frames_and_summaries_have_budgets_of_their_own(computed):
    calls, get = computed
    for name in "abcde":
        get("derived", name)
    for n in range(4):  # four datasets read, evaluated and filtered one after another
        get("load", n)
        get("eval", n)
        get("derived", "filtered", n)
    calls.clear()
    for name in "abcde":
        get("derived", name)
    assert calls == []  # no summary was pushed out by a frame
    get("eval", 3)
    get("derived", "filtered", 3)
    assert calls == []
    get("load", 3)  # only the last HEAVY_KEPT = 2 heavy entries were kept
    assert calls == [("load", 3)]
    store = loaders.st.session_state[loaders.MEMO]
    assert sum(1 for key in store if key[0] != "derived" or key[1] == "filtered") == 2


def _counting_chart(built):
    def chart(table, column, *, title=""):
        built.append((column, title))
        return {"rows": len(table), "column": column, "title": title}

    return chart


def test_a_chart_is_built_once_for_tables_with_the_same_content(computed):
    built: list = []
    chart = _counting_chart(built)
    first = loaders.figure(chart, pd.DataFrame({"cohort": ["A", "B"], "n": [1, 2]}), "cohort")
    again = loaders.figure(chart, pd.DataFrame({"cohort": ["A", "B"], "n": [1, 2]}), "cohort")
    assert again is first
    assert built == [("cohort", "")]


@pytest.mark.parametrize(
    "other",
    [
        pd.DataFrame({"cohort": ["A", "B"], "n": [1, 3]}),  # a value changed
        pd.DataFrame({"cohort": ["A", "B"], "m": [1, 2]}),  # a column renamed
        pd.DataFrame({"cohort": ["A", "B"], "n": [1.0, 2.0]}),  # another type
        pd.DataFrame({"cohort": ["A", "B"], "n": [1, 2]}, index=[5, 6]),  # another index
    ],
)
def test_a_chart_is_built_again_when_its_table_differs(computed, other):
    built: list = []
    chart = _counting_chart(built)
    loaders.figure(chart, pd.DataFrame({"cohort": ["A", "B"], "n": [1, 2]}), "cohort")
    loaders.figure(chart, other, "cohort")
    assert len(built) == 2


def test_other_arguments_and_other_charts_are_built_of_their_own(computed):
    built: list = []
    chart, other_chart = _counting_chart(built), _counting_chart(built)
    table = pd.DataFrame({"cohort": ["A"], "n": [1]})
    loaders.figure(chart, table, "cohort")
    loaders.figure(chart, table, "cohort", title="Share")
    loaders.figure(chart, table, "degree")
    loaders.figure(other_chart, table, "cohort")  # same name, another function
    assert built == [("cohort", ""), ("cohort", "Share"), ("degree", ""), ("cohort", "")]


def test_inputs_that_cannot_be_keyed_are_built_every_time(computed):
    built: list = []
    chart = _counting_chart(built)
    listed = pd.DataFrame({"cohort": [["A", "B"]], "n": [1]})  # a list in a cell
    for _ in range(2):
        assert loaders.figure(chart, listed, "cohort")["rows"] == 1
    assert len(built) == 2
