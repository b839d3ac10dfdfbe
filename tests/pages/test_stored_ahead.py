"""An upload's files are written into the store while they are read (`ui.links.StoredAhead`),
and only a dataset that was read keeps them there."""

from __future__ import annotations

import time

import pytest

import store
from tests.pages.helpers import INTAKE, app, seed_files
from ui import loaders

WAIT_SECONDS = 10  # for the other thread's write; it takes milliseconds


@pytest.fixture
def stored_during_read(monkeypatch, shared_store):
    """Wraps the read: it waits until the file being read is in the store (or
    WAIT_SECONDS pass) and records whether it got there before the read went on."""
    seen: list[bool] = []
    real = loaders._read

    def read(files, *args):
        shas = [store.sha256_hex(data) for _, data in files]
        deadline = time.monotonic() + WAIT_SECONDS
        while not all(shared_store.has_blob(sha) for sha in shas):
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
        seen.append(all(shared_store.has_blob(sha) for sha in shas))
        return real(files, *args)

    monkeypatch.setattr(loaders, "_read", read)
    return seen


def test_the_files_are_in_the_store_before_the_read_ends(stored_during_read, shared_store):
    at = seed_files(app("app.py"), [("ahead.csv", INTAKE)]).run()
    assert not at.exception
    assert stored_during_read == [True]
    (stored,) = shared_store.list_datasets()
    assert shared_store.read_dataset_files(stored.id) == [("ahead.csv", INTAKE)]


def test_a_file_that_cannot_be_read_is_not_left_in_the_store(stored_during_read, shared_store):
    data = b"PK\x03\x04 not really a workbook"
    at = seed_files(app("app.py"), [("broken.xlsx", data)]).run()
    assert not at.exception
    assert at.error, "the page says why the file was not read"
    assert stored_during_read == [True]  # it was written ahead, then removed
    assert not shared_store.has_blob(store.sha256_hex(data))
    assert shared_store.list_datasets() == []


def test_a_failed_read_keeps_a_copy_that_another_dataset_uses(stored_during_read, shared_store):
    data = b"PK\x03\x04 not really a workbook either"
    shared_store.create_dataset([("kept.xlsx", data)], owner="someone else")
    at = seed_files(app("app.py"), [("broken.xlsx", data)]).run()
    assert not at.exception and at.error
    assert shared_store.has_blob(store.sha256_hex(data))


def test_a_file_remembered_as_unreadable_is_not_written_again_on_each_rerun(monkeypatch):
    writes: list[str] = []
    real = store.Store.put_blob

    def put_blob(self, data):
        writes.append(store.sha256_hex(data))
        return real(self, data)

    monkeypatch.setattr(store.Store, "put_blob", put_blob)
    data = b"PK\x03\x04 still not a workbook"
    at = seed_files(app("app.py"), [("broken.xlsx", data)]).run()
    assert at.error
    for _ in range(3):  # three more clicks in the same session
        at.run()
        assert at.error and not at.exception
    assert writes == [store.sha256_hex(data)]  # the first run's write ahead, removed again
    assert not store.open_store().has_blob(store.sha256_hex(data))
