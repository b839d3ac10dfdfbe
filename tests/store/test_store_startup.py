"""Garbage left by a killed writer goes when the process first opens the store."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import store

CSV_A = b"applicant id,cohort\nA1,2025-spring\n"
ORPHAN = b"bytes of an upload whose dataset row was never written"
HOUR = 3600
KEPT_SHA = hashlib.sha256(CSV_A).hexdigest()
ORPHAN_SHA = hashlib.sha256(ORPHAN).hexdigest()


def _plant(backend) -> dict[str, Path]:
    """A stored dataset, then what a kill -9 leaves: an orphan blob and, on SQLite,
    temporary files (a PostgreSQL transaction that dies leaves nothing)."""
    earlier = backend.open()
    earlier.create_dataset([("a.csv", CSV_A)], owner="ana@clinic.org")
    backend.write_blob(earlier, ORPHAN_SHA, ORPHAN)
    if not backend.is_sqlite:
        return {}
    blobs = backend.root() / store.BLOB_DIR
    paths = {
        "stale_tmp": blobs / KEPT_SHA[:2] / f"{store.TMP_PREFIX}dead-writer",
        "fresh_tmp": blobs / KEPT_SHA[:2] / f"{store.TMP_PREFIX}live-writer",
    }
    paths["stale_tmp"].write_bytes(b"half an upload")
    paths["fresh_tmp"].write_bytes(b"an upload being written")
    two_hours_ago = time.time() - 2 * HOUR
    os.utime(paths["stale_tmp"], (two_hours_ago, two_hours_ago))
    return paths


def test_first_open_collects_stale_temporary_files_and_orphan_blobs(backend):
    paths = _plant(backend)
    opened = store.open_store(backend.root(), backend.url())
    assert backend.blob_names(opened) == [KEPT_SHA]  # a dataset still references it
    assert opened.read_blob(KEPT_SHA) == CSV_A
    if backend.is_sqlite:
        assert not paths["stale_tmp"].exists()
        assert paths["fresh_tmp"].exists()  # younger than the stale limit: maybe in use
    assert [d.label for d in opened.list_datasets()] == ["a.csv"]


def test_later_opens_in_the_same_process_do_not_collect_again(backend):
    opened = store.open_store(backend.root(), backend.url())
    paths = _plant(backend)
    assert store.open_store(backend.root(), backend.url()) is opened
    assert backend.blob_names(opened) == sorted([KEPT_SHA, ORPHAN_SHA])  # once per process
    if backend.is_sqlite:
        assert paths["stale_tmp"].exists()


def test_store_stays_usable_when_collecting_fails(backend, monkeypatch):
    def fail(self):
        raise OSError("read-only file system")

    monkeypatch.setattr(store.Store, "collect_garbage", fail)
    opened = store.open_store(backend.root(), backend.url())
    ds = opened.create_dataset([("a.csv", CSV_A)], owner="ana@clinic.org")
    assert opened.read_dataset_files(ds.id) == [("a.csv", CSV_A)]
