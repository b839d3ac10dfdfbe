"""The store under real stress, on both engines: writers killed mid-write, concurrent
processes (on PostgreSQL each process is a replica of its own with its own data folder).

Each kill test starts a real Python process that writes to the store, makes it stop at a
chosen point of the write (it prints a line there and waits), kills it with SIGKILL, then
opens the store again and checks that nothing half-written is visible.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
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

    root, url, point = sys.argv[2], sys.argv[3] or None, sys.argv[4]

    def pause():
        print("paused", flush=True)
        sys.stdin.read()

    if point == "blob_write" and url is None:  # the blob's file is whole, not renamed yet
        real_replace = os.replace
        def replace(src, dst):
            pause()
            real_replace(src, dst)
        store.repository.os.replace = replace
    elif point == "blob_write":  # the blob's row is sent, not committed yet
        real_blob = store.Store._insert_blob
        def insert_blob(conn, sha, data):
            real_blob(conn, sha, data)
            pause()
        store.Store._insert_blob = staticmethod(insert_blob)
    elif point == "inside_transaction":
        real_insert = store.Store._insert_with_new_id
        def insert(self, *args):
            new = real_insert(self, *args)
            pause()
            return new
        store.Store._insert_with_new_id = insert
    elif point == "loop":
        pass

    s = store.Store(root, url)
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


def _kill_at(backend, point: str) -> None:
    root = backend.root()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ROOT), str(root), backend.url() or "", point],
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
            _wait_for_datasets(backend, 3, proc)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:  # the test failed before its own kill: never leave it running
            proc.kill()
        proc.wait()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            stream.close()
    assert proc.returncode == -signal.SIGKILL


def _wait_for_datasets(backend, n: int, writer: subprocess.Popen) -> None:
    # Polls the store itself (no sleeps): each check is a real read by another process.
    opened = backend.open()
    deadline = time.monotonic() + WAIT_SECONDS
    while (stored := len(opened.list_datasets())) < n:
        if writer.poll() is not None:
            pytest.fail(f"The writer exited early ({writer.returncode}): {writer.stderr.read()}")
        if time.monotonic() > deadline:
            pytest.fail(f"The writer stored {stored} of {n} datasets within {WAIT_SECONDS} s.")


def _assert_clean(backend) -> store.Store:
    reopened = backend.open()
    _assert_intact(backend)
    [(orphans,)] = backend.query(
        "store",
        "SELECT COUNT(*) FROM dataset_files WHERE dataset_id NOT IN (SELECT id FROM datasets)",
    )
    [(empty,)] = backend.query(
        "store",
        "SELECT COUNT(*) FROM datasets WHERE id NOT IN (SELECT dataset_id FROM dataset_files)",
    )
    assert orphans == 0
    assert empty == 0
    for ds in reopened.list_datasets():
        for name, data in reopened.read_dataset_files(ds.id):
            assert name == "big.bin"
            assert len(data) >= PAYLOAD_SIZE
    return reopened


def _assert_intact(backend) -> None:
    if backend.is_sqlite:
        conn = sqlite3.connect(backend.root() / store.DB_NAME)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()


def test_kill_while_a_blob_is_written_leaves_no_dataset_and_no_blob(backend):
    _kill_at(backend, "blob_write")
    reopened = _assert_clean(backend)
    assert reopened.list_datasets() == []
    assert backend.blob_names(reopened) == []
    if not backend.is_sqlite:
        return  # the server rolled the row back: nothing was left
    # The dead writer's temporary file is collected once it is stale.
    leftovers = list(reopened.blob_root.glob(f"*/{store.TMP_PREFIX}*"))
    assert len(leftovers) == 1
    old = leftovers[0].stat().st_mtime - store.STALE_TMP_SECONDS - 1
    os.utime(leftovers[0], (old, old))
    assert reopened.collect_garbage() == 1
    assert list(reopened.blob_root.glob("*/*")) == []


def test_kill_inside_the_transaction_rolls_the_dataset_back(backend):
    _kill_at(backend, "inside_transaction")
    reopened = _assert_clean(backend)
    assert reopened.list_datasets() == []
    assert reopened.audit_log() == []
    # The blob was complete but is referenced by nothing: garbage collection removes it.
    assert reopened.collect_garbage() == 1
    again = reopened.create_dataset([("a.csv", b"a\n")], owner="after")
    assert reopened.read_dataset_files(again.id) == [("a.csv", b"a\n")]


def test_kill_at_an_arbitrary_moment_of_a_write_loop(backend):
    _kill_at(backend, "loop")
    reopened = _assert_clean(backend)
    datasets = reopened.list_datasets()
    assert len(datasets) >= 3
    uploads = reopened.audit_log(action="upload")
    assert {e.object_id for e in uploads} == {d.id for d in datasets}


# -- concurrency -------------------------------------------------------------------------

SHARED = b"applicant id,cohort\nS1,shared\n"


def _upload_worker(args: tuple[str, str | None, int]) -> list[str]:
    root, url, worker = args
    opened = store.Store(root, url)
    ids = []
    for i in range(5):
        own = f"applicant id,cohort\nW{worker}-{i},c{worker}\n".encode()
        ds = opened.create_dataset(
            [("shared.csv", SHARED), (f"own-{i}.csv", own)], owner=f"user{worker}"
        )
        opened.record(f"user{worker}", "view", ds.id)
        ids.append(ds.id)
    return ids


def _delete_worker(args: tuple[str, str | None, int, int]) -> int:
    # Uploads and deletes the shared file over and over, so blob collection races uploads.
    root, url, rounds, worker = args
    opened = store.Store(root, url)
    for _ in range(rounds):
        ds = opened.create_dataset([("shared.csv", SHARED)], owner=f"deleter{worker}")
        opened.delete_dataset(ds.id, f"deleter{worker}")
    return rounds


def test_concurrent_uploads_all_succeed(backend):
    url = backend.url()
    workers = 6
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers) as pool:
        # On PostgreSQL each worker is a replica: a data folder of its own, one database.
        args = [(str(_root(backend, w)), url, w) for w in range(workers)]
        results = pool.map(_upload_worker, args)
    ids = [i for batch in results for i in batch]
    assert len(set(ids)) == workers * 5
    opened = _assert_concurrent_state(backend)
    assert {d.id for d in opened.list_datasets()} == set(ids)
    assert len(opened.audit_log(action="upload")) == workers * 5
    assert len(opened.audit_log(action="view")) == workers * 5
    assert backend.blob_names(opened).count(store.sha256_hex(SHARED)) == 1


def _root(backend, worker: int) -> Path:
    return backend.root() if backend.is_sqlite else backend.root(f"replica-{worker}")


def test_uploads_racing_deletions_never_lose_a_referenced_blob(backend):
    url = backend.url()
    roots = [str(_root(backend, w)) for w in range(4)]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        deleting = pool.map_async(_delete_worker, [(roots[0], url, 15, 0), (roots[1], url, 15, 1)])
        uploading = pool.map_async(_upload_worker, [(roots[2], url, 0), (roots[3], url, 1)])
        assert deleting.get() == [15, 15]
        ids = [i for batch in uploading.get() for i in batch]
    opened = _assert_concurrent_state(backend)
    assert {d.id for d in opened.list_datasets()} == set(ids)
    for dataset_id in ids:
        files = opened.read_dataset_files(dataset_id)
        assert files[0] == ("shared.csv", SHARED)


def _assert_concurrent_state(backend) -> store.Store:
    opened = backend.open()
    _assert_intact(backend)
    return opened


def _same_upload_worker(args: tuple[str, str | None, object]) -> str:
    root, url, barrier = args
    opened = store.Store(root, url)
    barrier.wait(timeout=WAIT_SECONDS)
    return opened.create_dataset([("shared.csv", SHARED)], owner="ana").id


def test_the_same_upload_from_two_replicas_at_once_is_stored_once(backend):
    url = backend.url()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Manager().Barrier(4)
    with ctx.Pool(4) as pool:
        ids = pool.map(
            _same_upload_worker, [(str(_root(backend, w)), url, barrier) for w in range(4)]
        )
    assert len(set(ids)) == 1
    opened = _assert_concurrent_state(backend)
    assert [d.id for d in opened.list_datasets()] == ids[:1]
    assert backend.blob_names(opened) == [store.sha256_hex(SHARED)]
    details = sorted(e.detail for e in opened.audit_log(action="upload"))
    assert details == ["", store.ALREADY_STORED, store.ALREADY_STORED, store.ALREADY_STORED]


def test_a_link_opened_while_its_dataset_is_deleted_reads_whole_or_not_found(backend):
    # Two replicas: one uploads and deletes over and over, the other opens each upload's
    # link as soon as it exists. Every open gets the files or the store's "not in the
    # store" answer, never a dataset without its files or another error.
    uploader, reader = backend.open(), store.Store(_root(backend, 1), backend.url())
    ids: queue.Queue[str | None] = queue.Queue()
    outcomes: list[str] = []

    def upload_and_delete() -> None:
        for i in range(20):
            ds = uploader.create_dataset([("a.csv", SHARED + str(i).encode())], owner="ana")
            ids.put(ds.id)
            uploader.delete_dataset(ds.id, "ana")
        ids.put(None)

    def open_links() -> None:
        while (dataset_id := ids.get(timeout=WAIT_SECONDS)) is not None:
            try:
                files = reader.read_dataset_files(dataset_id)
            except store.NotFoundError as err:
                outcomes.append("not found" if "not in the store" in str(err) else str(err))
            else:
                outcomes.append("whole" if len(files) == 1 else f"{len(files)} files")

    threads = [threading.Thread(target=upload_and_delete), threading.Thread(target=open_links)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT_SECONDS)
    assert len(outcomes) == 20
    assert set(outcomes) <= {"whole", "not found"}
    assert uploader.list_datasets() == []
