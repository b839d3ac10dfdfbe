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


def _plant(root: Path) -> dict[str, Path]:
    """A stored dataset, then what a kill -9 leaves: an orphan blob and temporary files."""
    earlier = store.Store(root)
    earlier.create_dataset([("a.csv", CSV_A)], owner="ana@clinic.org")
    blobs = root / store.BLOB_DIR
    kept_sha = hashlib.sha256(CSV_A).hexdigest()
    orphan_sha = hashlib.sha256(ORPHAN).hexdigest()
    (blobs / orphan_sha[:2]).mkdir(parents=True, exist_ok=True)
    paths = {
        "kept": blobs / kept_sha[:2] / kept_sha,
        "orphan": blobs / orphan_sha[:2] / orphan_sha,
        "stale_tmp": blobs / kept_sha[:2] / f"{store.TMP_PREFIX}dead-writer",
        "fresh_tmp": blobs / kept_sha[:2] / f"{store.TMP_PREFIX}live-writer",
    }
    paths["orphan"].write_bytes(ORPHAN)
    paths["stale_tmp"].write_bytes(b"half an upload")
    paths["fresh_tmp"].write_bytes(b"an upload being written")
    two_hours_ago = time.time() - 2 * HOUR
    os.utime(paths["stale_tmp"], (two_hours_ago, two_hours_ago))
    return paths


def test_first_open_collects_stale_temporary_files_and_orphan_blobs(tmp_path):
    paths = _plant(tmp_path / "store")
    opened = store.open_store(tmp_path / "store")
    assert not paths["orphan"].exists()
    assert not paths["stale_tmp"].exists()
    assert paths["kept"].read_bytes() == CSV_A  # a dataset still references it
    assert paths["fresh_tmp"].exists()  # younger than the stale limit: maybe still in use
    assert [d.label for d in opened.list_datasets()] == ["a.csv"]


def test_later_opens_in_the_same_process_do_not_collect_again(tmp_path):
    root = tmp_path / "store"
    store.open_store(root)
    paths = _plant(root)
    store.open_store(root)
    assert paths["orphan"].exists()  # once per process, not on every request
    assert paths["stale_tmp"].exists()


def test_store_stays_usable_when_collecting_fails(tmp_path, monkeypatch):
    def fail(self):
        raise OSError("read-only file system")

    monkeypatch.setattr(store.Store, "collect_garbage", fail)
    opened = store.open_store(tmp_path / "store")
    ds = opened.create_dataset([("a.csv", CSV_A)], owner="ana@clinic.org")
    assert opened.read_dataset_files(ds.id) == [("a.csv", CSV_A)]
