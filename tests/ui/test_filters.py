import datetime as dt

import pandas as pd

from ui import filters


def _people():
    return pd.DataFrame(
        {
            "cohort": pd.array(["A", "B", None, "A"], dtype="string"),
            "status": pd.Categorical(["eligible", "ineligible", "eligible", "incomplete"]),
            "application_date": pd.to_datetime(["2026-01-05", "2026-02-01", None, "2026-03-09"]),
            "Referral source": pd.array(["web", "friend", "web", None], dtype="string"),
        },
        index=[10, 11, 12, 13],
    )


def _kept(chosen: filters.Filters) -> list[int]:
    people = _people()
    return people.index[filters.mask(people, chosen)].tolist()


def test_no_choice_is_no_filter():
    chosen = filters.Filters.build({"cohort": [], "status": []})
    assert not chosen.is_active
    assert _kept(chosen) == [10, 11, 12, 13]


def test_values_and_blank_choice():
    chosen = filters.Filters.build({"cohort": ["A", filters.BLANK]})
    assert _kept(chosen) == [10, 12, 13]


def test_filters_combine_with_and():
    chosen = filters.Filters.build({"cohort": ["A"], "status": ["eligible"]})
    assert _kept(chosen) == [10]


def test_date_range_is_inclusive_and_drops_undated_rows():
    chosen = filters.Filters.build(
        {}, (dt.date(2026, 1, 5), dt.date(2026, 2, 1)), (dt.date(2026, 1, 5), dt.date(2026, 3, 9))
    )
    assert _kept(chosen) == [10, 11]


def test_date_range_spanning_every_date_keeps_undated_rows():
    bounds = (dt.date(2026, 1, 5), dt.date(2026, 3, 9))
    chosen = filters.Filters.build({}, bounds, bounds)
    assert not chosen.is_active
    assert _kept(chosen) == [10, 11, 12, 13]


def test_options_offer_blank_last_and_skip_unknown_columns():
    assert filters.options(_people(), "Referral source") == ["friend", "web", filters.BLANK]
    assert filters.options(_people(), "nope") == []


def test_date_bounds():
    assert filters.date_bounds(_people(), "application_date") == (
        dt.date(2026, 1, 5),
        dt.date(2026, 3, 9),
    )
    assert filters.date_bounds(_people().iloc[[2]], "application_date") is None


def test_filters_are_hashable_memo_keys():
    a = filters.Filters.build({"status": ["b", "a"], "cohort": ["A"]})
    b = filters.Filters.build({"cohort": ["A"], "status": ["a", "b"]})
    assert a == b and hash(a) == hash(b)


def test_search_any_column_case_insensitive():
    found = filters.search(_people(), "WEB")
    assert found.index.tolist() == [10, 12]
    assert filters.search(_people(), "  ").index.tolist() == [10, 11, 12, 13]
