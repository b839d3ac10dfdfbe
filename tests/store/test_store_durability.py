"""The store under real stress: writers killed mid-write, concurrent processes.

Each kill test starts a real Python process that writes to the store, makes it stop at a
chosen point of the write (it prints a line there and waits), kills it with SIGKILL, then
opens the store again and checks that nothing half-written is visible.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import store

ROOT = Path(__file__).resolve().parents[2]
PAYLOAD_SIZE = 2**21  # a multiple of 256, see the child's payload
WAIT_SECONDS = 60  # for the writer to store a few datasets; it takes well under a second

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

# The child pauses at a chosen point by wrapping one store function: it announces the
# pause on stdout, then blocks reading stdin, which the parent never writes to.
CHILD = textwrap.dedent(
    """
    import os, sys
    sys.path.insert(0, sys.argv[1])
    import store

    root, point = sys.argv[2], sys.argv[3]

    def pause():
        print("paused", flush=True)
        sys.stdin.read()

    if point == "before_rename":
        real_replace = os.replace
        def replace(src, dst):
            pause()
            real_replace(src, dst)
        store.repository.os.replace = replace
    elif point == "inside_transaction":
        real_insert = store.Store._insert_with_new_id
        def insert(self, conn, kind, sql, values):
            new = real_insert(self, conn, kind, sql, values)
            pause()
            return new
        store.Store._insert_with_new_id = insert
    elif point == "loop":
        pass

    s = store.Store(root)
    payload = bytes(range(256)) * ({size} // 256)
    if point == "loop":
        print("paused", flush=True)
        n = 0
        while True:
            n += 1
            s.create_dataset([("big.bin", payload + str(n).encode())], owner="killer")
    s.create_dataset([("big.bin", payload)], owner="killer")
    print("finished", flush=True)
    """
).replace("{size}", str(PAYLOAD_SIZE))


def _kill_at(root: Path, point: str) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ROOT), str(root), point],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip()
        assert line == "paused", proc.stderr.read()
        if point == "loop":
            # Let it complete a few datasets, then kill it wherever it happens to be.
            _wait_for_datasets(root, 3, proc)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:  # the test failed before its own kill: never leave it running
            proc.kill()
        proc.wait()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            stream.close()
    assert proc.returncode == -signal.SIGKILL


def _wait_for_datasets(root: Path, n: int, writer: subprocess.Popen) -> None:
    # Polls the store itself (no sleeps): each check is a real read by another process.
    opened = store.Store(root)
    deadline = time.monotonic() + WAIT_SECONDS
    while (stored := len(opened.list_datasets())) < n:
        if writer.poll() is not None:
            pytest.fail(f"The writer exited early ({writer.returncode}): {writer.stderr.read()}")
        if time.monotonic() > deadline:
            pytest.fail(f"The writer stored {stored} of {n} datasets within {WAIT_SECONDS} s.")


def _assert_clean(root: Path) -> store.Store:
    reopened = store.Store(root)
    conn = sqlite3.connect(reopened.db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        orphans = conn.execute(
            "SELECT COUNT(*) FROM dataset_files WHERE dataset_id NOT IN (SELECT id FROM datasets)"
        ).fetchone()[0]
        empty = conn.execute(
            "SELECT COUNT(*) FROM datasets WHERE id NOT IN (SELECT dataset_id FROM dataset_files)"
        ).fetchone()[0]
    finally:
        conn.close()
    assert orphans == 0
    assert empty == 0
    for ds in reopened.list_datasets():
        for name, data in reopened.read_dataset_files(ds.id):
            assert name == "big.bin"
            assert len(data) >= PAYLOAD_SIZE
    return reopened


def test_kill_before_the_blob_rename_leaves_no_dataset_and_no_blob(tmp_path):
    root = tmp_path / "store"
    _kill_at(root, "before_rename")
    reopened = _assert_clean(root)
    assert reopened.list_datasets() == []
    blobs = [p for p in reopened.blob_root.glob("*/*") if not p.name.startswith(store.TMP_PREFIX)]
    assert blobs == []
    # The dead writer's temporary file is collected once it is stale.
    leftovers = list(reopened.blob_root.glob(f"*/{store.TMP_PREFIX}*"))
    assert len(leftovers) == 1
    old = leftovers[0].stat().st_mtime - store.STALE_TMP_SECONDS - 1
    os.utime(leftovers[0], (old, old))
    assert reopened.collect_garbage() == 1
    assert list(reopened.blob_root.glob("*/*")) == []


def test_kill_inside_the_transaction_rolls_the_dataset_back(tmp_path):
    root = tmp_path / "store"
    _kill_at(root, "inside_transaction")
    reopened = _assert_clean(root)
    assert reopened.list_datasets() == []
    assert reopened.audit_log() == []
    # The blob was complete but is referenced by nothing: garbage collection removes it.
    assert reopened.collect_garbage() == 1
    again = reopened.create_dataset([("a.csv", b"a\n")], owner="after")
    assert reopened.read_dataset_files(again.id) == [("a.csv", b"a\n")]


def test_kill_at_an_arbitrary_moment_of_a_write_loop(tmp_path):
    root = tmp_path / "store"
    _kill_at(root, "loop")
    reopened = _assert_clean(root)
    datasets = reopened.list_datasets()
    assert len(datasets) >= 3
    uploads = reopened.audit_log(action="upload")
    assert {e.object_id for e in uploads} == {d.id for d in datasets}


# -- concurrency -------------------------------------------------------------------------

SHARED = b"applicant id,cohort\nS1,shared\n"


def _upload_worker(args: tuple[str, int]) -> list[str]:
    root, worker = args
    opened = store.Store(root)
    ids = []
    for i in range(5):
        own = f"applicant id,cohort\nW{worker}-{i},c{worker}\n".encode()
        ds = opened.create_dataset(
            [("shared.csv", SHARED), (f"own-{i}.csv", own)], owner=f"user{worker}"
        )
        opened.record(f"user{worker}", "view", ds.id)
        ids.append(ds.id)
    return ids


def _delete_worker(args: tuple[str, int, int]) -> int:
    # Uploads and deletes the shared file over and over, so blob collection races uploads.
    root, rounds, worker = args
    opened = store.Store(root)
    for _ in range(rounds):
        ds = opened.create_dataset([("shared.csv", SHARED)], owner=f"deleter{worker}")
        opened.delete_dataset(ds.id, f"deleter{worker}")
    return rounds


def test_concurrent_uploads_all_succeed(tmp_path):
    root = str(tmp_path / "store")
    workers = 6
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers) as pool:
        results = pool.map(_upload_worker, [(root, w) for w in range(workers)])
    ids = [i for batch in results for i in batch]
    assert len(set(ids)) == workers * 5
    opened = _assert_concurrent_state(root)
    assert {d.id for d in opened.list_datasets()} == set(ids)
    assert len(opened.audit_log(action="upload")) == workers * 5
    assert len(opened.audit_log(action="view")) == workers * 5
    shared = opened.blob_path(store.sha256_hex(SHARED))
    assert len([p for p in shared.parent.iterdir() if p.name == shared.name]) == 1


def test_uploads_racing_deletions_never_lose_a_referenced_blob(tmp_path):
    root = str(tmp_path / "store")
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        deleting = pool.map_async(_delete_worker, [(root, 15, 0), (root, 15, 1)])
        uploading = pool.map_async(_upload_worker, [(root, 0), (root, 1)])
        assert deleting.get() == [15, 15]
        ids = [i for batch in uploading.get() for i in batch]
    opened = _assert_concurrent_state(root)
    assert {d.id for d in opened.list_datasets()} == set(ids)
    for dataset_id in ids:
        files = opened.read_dataset_files(dataset_id)
        assert files[0] == ("shared.csv", SHARED)


def _assert_concurrent_state(root: str) -> store.Store:
    opened = store.Store(root)
    conn = sqlite3.connect(opened.db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    return opened
