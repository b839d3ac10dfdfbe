"""ui.comparison's pure parts: which upload a view compares with, and what a search sees."""

from __future__ import annotations

import datetime as dt

import pandas as pd

import store
from ui import comparison, links


def _dataset(dataset_id: str, day: int, sha: str = "a") -> store.Dataset:
    created = dt.datetime(2026, 11, day, 23, 30, tzinfo=dt.UTC)
    return store.Dataset(
        id=dataset_id,
        label=f"upload {day}",
        files=(store.StoredFile(sha * 64, "x.csv", 1),),
        options={},
        owner="ana",
        created=created,
    )


OCT = _dataset("d-aaaaaaaaaa", 1)
NOV = _dataset("d-bbbbbbbbbb", 2)
DEC = _dataset("d-cccccccccc", 3)


class TestResolve:
    def test_defaults_to_the_previous_upload_each_on_its_own_upload_date(self):
        choice = comparison.resolve(links.View(), NOV, [OCT, DEC], previous=OCT)
        assert choice == comparison.Choice(OCT, dt.date(2026, 11, 1), dt.date(2026, 11, 2))

    def test_the_views_choice_and_dates_win(self):
        view = links.View(
            compare=DEC.id,
            compare_as_of=dt.date(2026, 12, 31),
            dataset_as_of=dt.date(2026, 12, 30),
        )
        choice = comparison.resolve(view, NOV, [OCT, DEC], previous=OCT)
        assert choice == comparison.Choice(DEC, dt.date(2026, 12, 31), dt.date(2026, 12, 30))

    def test_an_id_that_is_no_candidate_falls_back_to_the_previous_and_its_date(self):
        view = links.View(compare="d-zzzzzzzzzz", compare_as_of=dt.date(2020, 1, 1))
        choice = comparison.resolve(view, NOV, [OCT, DEC], previous=OCT)
        assert (choice.other, choice.other_as_of) == (OCT, dt.date(2026, 11, 1))

    def test_without_a_previous_nothing_is_chosen(self):
        choice = comparison.resolve(links.View(), OCT, [NOV, DEC], previous=None)
        assert (choice.other, choice.other_as_of) == (None, None)

    def test_the_upload_date_is_the_utc_date(self):
        late = store.Dataset(
            "d-dddddddddd", "x", (), {}, "ana", dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)
        )
        assert comparison.upload_day(late) == dt.date(2026, 11, 2)


class TestSearch:
    FRAME = pd.DataFrame(
        {
            "applicant_id": ["A1", "A2"],
            "full_name": ["Ana One", "Ben Two"],
            "cohort": ["Spring", "Autumn"],
        }
    )

    def test_a_hidden_name_is_not_searched(self):
        assert comparison.search(self.FRAME, "Ben", show_personal=False).empty
        found = comparison.search(self.FRAME, "autumn", show_personal=False)
        assert found["applicant_id"].tolist() == ["A2"]

    def test_shown_names_are_searched(self):
        found = comparison.search(self.FRAME, "ben", show_personal=True)
        assert found["applicant_id"].tolist() == ["A2"]


class TestLinkParams:
    def test_a_comparison_round_trips_through_the_query_string(self):
        view = links.View(
            dataset_id=NOV.id,
            compare=OCT.id,
            compare_as_of=dt.date(2026, 10, 1),
            dataset_as_of=dt.date(2026, 11, 1),
        )
        params = links.to_params(view)
        assert params == {
            "ds": NOV.id,
            "vs": OCT.id,
            "vs_as_of": "2026-10-01",
            "ds_as_of": "2026-11-01",
        }
        assert links.from_params(params) == (view, [])
