"""A dataset is stored only once it was read; a stored one that cannot be read says so on
every page and its owner can delete it (with its saved views, audited)."""

from __future__ import annotations

import pytest

import store
from analytics.loading import worker
from tests.pages.helpers import ONE_ROW_CSV, app, literal, params, seed_files
from ui import auth, datasets

BROKEN = [("broken.xlsx", b"these bytes are no workbook")]
# The pages that read the open dataset on arrival (Rules reads it only once edited).
DATA_PAGES = [
    "pages/1_Eligibility.py",
    "pages/2_Gaps.py",
    "pages/3_Renewals.py",
    "pages/4_Cohorts.py",
]
SOMEONE_ELSE = "bo@clinic.org"


def _local_user() -> str:
    """Who this computer's browser is in local mode (the label the store records)."""
    at = app("app.py").run()
    return at.session_state[auth.SIGNED_IN_LOGGED_KEY]


def _stored_broken(owner: str) -> store.Dataset:
    """What an older version left: a dataset stored before it was read."""
    return store.open_store().create_dataset(BROKEN, owner=owner, label="broken.xlsx")


def _opened_by_link(page: str, dataset_id: str):
    at = app(page)
    at.query_params["ds"] = dataset_id
    return at.run()


def _has_delete_button(at) -> bool:
    return any(b.key == datasets.DELETE_KEY for b in at.button)


def _errors(at) -> list[str]:
    return [literal(e.value) for e in at.error]


class TestStoredOnlyOnceRead:
    @pytest.mark.parametrize("page", ["app.py", "pages/1_Eligibility.py"])
    def test_a_file_the_reader_refuses_is_not_stored_and_gets_no_link(self, page):
        at = seed_files(app(page), BROKEN).run()
        assert not at.exception
        assert len(at.error) == 1
        assert not _errors(at)[0].startswith(datasets.UNREADABLE)  # never stored
        assert store.open_store().list_datasets() == []
        assert store.open_store().audit_log(action="upload") == []
        assert "ds" not in params(at)

    def test_a_file_that_was_read_is_stored_with_a_link(self):
        at = seed_files(app("app.py"), [("one.csv", ONE_ROW_CSV)], label="one.csv").run()
        assert not at.exception
        stored = store.open_store().list_datasets()
        assert [d.label for d in stored] == ["one.csv"]
        assert params(at)["ds"] == [stored[0].id]

    def test_the_refused_file_is_read_once_per_session_not_on_every_rerun(self, monkeypatch):
        calls = []
        original = worker.load_exports

        def counting(*args, **kwargs):
            calls.append(1)
            return original(*args, **kwargs)

        monkeypatch.setattr(worker, "load_exports", counting)
        at = seed_files(app("pages/2_Gaps.py"), BROKEN).run()
        at.run()
        assert not at.exception
        assert len(calls) == 1  # setup and the page share the one read


class TestUnreadableStoredDataset:
    @pytest.mark.parametrize("page", ["app.py", *DATA_PAGES])
    def test_every_page_says_so_in_one_line_and_offers_the_owner_deletion(self, page):
        ds = _stored_broken(_local_user())
        at = _opened_by_link(page, ds.id)
        assert not at.exception, [e.value for e in at.exception]
        assert len(at.error) == 1
        assert _errors(at)[0].startswith(f"{datasets.UNREADABLE} broken.xlsx")
        assert _has_delete_button(at)

    def test_someone_else_is_told_only_the_owner_can_delete(self):
        ds = _stored_broken(SOMEONE_ELSE)
        at = _opened_by_link("pages/1_Eligibility.py", ds.id)
        assert not at.exception
        assert len(at.error) == 1
        assert datasets.NOT_OWNER in [c.value for c in at.caption]
        assert not _has_delete_button(at)

    def test_the_owner_deletes_it_from_the_message(self):
        ds = _stored_broken(_local_user())
        at = _opened_by_link("pages/3_Renewals.py", ds.id)
        at.button(key=datasets.DELETE_KEY).click().run()
        assert not at.exception
        assert store.open_store().list_datasets() == []
        assert not at.error
        assert "ds" not in params(at)


class TestDeleteOnHome:
    def test_owner_deletes_the_open_dataset_with_its_views_and_it_is_audited(self):
        at = seed_files(app("app.py"), [("one.csv", ONE_ROW_CSV)], label="one.csv").run()
        opened = store.open_store()
        [ds] = opened.list_datasets()
        user = at.session_state[auth.SIGNED_IN_LOGGED_KEY]
        opened.save_view("Spring", dataset_id=ds.id, rule_set="standard", owner=user)
        at.run()
        at.button(key=datasets.DELETE_KEY).click().run()
        assert not at.exception
        assert opened.list_datasets() == []
        assert opened.list_views() == []
        deletions = opened.audit_log(action="delete")
        assert [(e.user, e.object_id) for e in deletions] == [(user, ds.id)]
        assert "No dataset is open yet: upload your exports above or open the sample." in [
            i.value for i in at.info
        ]
        assert "ds" not in params(at)
        assert datasets.DELETED in [t.value for t in at.toast]

    def test_the_same_files_opened_again_are_stored_anew(self):
        files = [("one.csv", ONE_ROW_CSV)]
        at = seed_files(app("app.py"), files, label="one.csv").run()
        [first] = store.open_store().list_datasets()
        at.button(key=datasets.DELETE_KEY).click().run()
        seed_files(at, files, label="one.csv").run()
        [again] = store.open_store().list_datasets()
        assert again.id != first.id
        assert params(at)["ds"] == [again.id]

    def test_someone_elses_dataset_shows_no_delete_control(self):
        ds = store.open_store().create_dataset(
            [("one.csv", ONE_ROW_CSV)], owner=SOMEONE_ELSE, label="one.csv"
        )
        at = _opened_by_link("app.py", ds.id)
        assert not at.exception
        assert not at.error
        assert not _has_delete_button(at)

    def test_a_passcode_uploader_cannot_delete_even_their_own(self):
        at = app("app.py", secrets={"access": {"passcode": "correct horse"}}).run()
        at.text_input(key="auth_name").input("Alice")
        at.text_input(key="auth_passcode").input("correct horse")
        next(b for b in at.button if b.label == "Enter").click()
        at = seed_files(at.run(), [("one.csv", ONE_ROW_CSV)], label="one.csv").run()
        assert not at.exception
        [ds] = store.open_store().list_datasets()
        assert ds.owner == "Alice (passcode)"
        assert not _has_delete_button(at)  # anyone typing "Alice" would have it too
