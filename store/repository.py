"""Embedded store for shared datasets, rule sets, saved views and the audit log.

Layout under the data directory (``ADMISSIONS_DATA_DIR``, default ``data/store/`` in the
project, git-ignored):

    meta.sqlite3          metadata and audit log (WAL mode, one transaction per change)
    blobs/ab/abcdef...    uploaded files, named by the sha256 of their bytes

The original upload bytes are kept rather than a Parquet copy of the loaded frame: the
loader turns them into the frame, the problem list, rejected rows and duplicates with the
same row numbers every time, which a stored frame could not reproduce.

Crash safety:
- a blob is written to a temporary file in its own directory, fsynced, then renamed into
  place (``os.replace`` is atomic), so a blob is either whole or absent;
- a dataset row and its file list are inserted in one SQLite transaction after its blobs
  exist, so a kill at any moment leaves either the whole dataset or none of it (at worst an
  unreferenced blob, which ``collect_garbage`` removes);
- blob removal and the check that a new dataset's blobs exist both run while holding
  SQLite's write lock, so a deletion never removes a blob that a concurrent upload is
  about to reference.

Every connection is short-lived, so one ``Store`` can be shared by threads and processes.
Nothing here stores or logs applicants' personal data beyond the uploaded files themselves:
ids are random, and audit rows hold a user label, an action, an object id and a time.

Schema versions: the database's ``PRAGMA user_version`` counts the steps of ``MIGRATIONS``
applied to it. Opening a store applies the missing steps in order, each in one
``BEGIN IMMEDIATE`` transaction together with its version bump; the version is read again
inside that transaction, so processes opening the same folder at once apply each step once.
A store at a version above ``len(MIGRATIONS)`` was written by a newer app and is refused,
unchanged. A store made before versions existed has version 0 and step 1's tables; step 1
creates them only if they do not exist, so on such a store it changes nothing but the
version.

To change the schema, append one step to ``MIGRATIONS`` (and nothing else there):

    MIGRATIONS = (
        SCHEMA_V1,  # 1: datasets and their files, rule sets, views, audit log
        "ALTER TABLE datasets ADD COLUMN source TEXT NOT NULL DEFAULT ''",  # 2: ...
    )

A step is SQL text (statements separated by ";") or a function ``step(conn)`` for what SQL
alone cannot do; a function must not commit. Steps run with foreign keys off, so rebuilding
a table (SQLite's create-copy-drop-rename) does not cascade deletes, and
``PRAGMA foreign_key_check`` must find nothing before the step commits. Never edit, reorder
or remove a step that has shipped: a store at version N holds exactly steps 1 to N. Then
adapt the queries below and test the step on ``tests/data/store_v0`` (a store written
before versions) as ``tests/store/test_store_migrations.py`` does.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import re
import secrets
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DATA_DIR_ENV = "ADMISSIONS_DATA_DIR"
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "store"
DB_NAME = "meta.sqlite3"
BLOB_DIR = "blobs"
TMP_PREFIX = ".tmp-"
# A temporary file older than this belongs to a writer that died; younger ones may still be
# in use by a concurrent upload, so garbage collection leaves them alone.
STALE_TMP_SECONDS = 3600
BUSY_TIMEOUT_SECONDS = 60
ID_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: ids are read aloud too
ID_LENGTH = 10
ID_PREFIX = {"dataset": "d", "rule_set": "r", "view": "v", "source_format": "f"}
ID_PATTERN = re.compile(rf"^[drvf]-[{ID_ALPHABET}]{{{ID_LENGTH}}}$")
SHA_PATTERN = re.compile(r"^[0-9a-f]{64}$")
ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "upload",
    "view",
    "export",
    "delete",
    "save_view",
    "rename",
    "adopt_rules",
    "save_format",
)
# Object id of a failed sign-in: the browser's address, keyed-hashed (never the address).
CLIENT_ID_PREFIX = "c-"
ALREADY_STORED = "same files and options as this dataset: not stored again"
MAX_DETAIL = 200
VIEW_EXISTS = "A saved view already has this name: choose another name."
MAX_LABEL = 200
MAX_SOURCE_FORMAT = 100
FORMAT_EXISTS = "A source format already has this name: choose another name."
MAX_FORMAT_NAME = 120

# Step 1: the schema exactly as the store created it before it had versions. "IF NOT
# EXISTS" makes it a no-op on such a store, which is how opening one marks it version 1.
SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS datasets (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    options TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    owner TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS datasets_owner_fp ON datasets(owner, fingerprint);
CREATE TABLE IF NOT EXISTS dataset_files (
    dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (dataset_id, position)
);
CREATE INDEX IF NOT EXISTS dataset_files_sha ON dataset_files(sha256);
CREATE TABLE IF NOT EXISTS rule_sets (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    text TEXT NOT NULL,
    owner TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS views (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    rule_set TEXT NOT NULL,
    as_of TEXT,
    page TEXT,
    filters TEXT NOT NULL,
    owner TEXT NOT NULL,
    created TEXT NOT NULL,
    UNIQUE (owner, name)
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    user TEXT NOT NULL,
    action TEXT NOT NULL,
    object_id TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_time ON audit(time);
"""

Migration = str | Callable[[sqlite3.Connection], None]

# Step 2: what kind of export a dataset is (its source format, an opaque text the app
# derives from the files' normalised header set; "" when unknown), so that a dataset's
# previous upload is found among the exports of the same kind.
SCHEMA_V2_SOURCE_FORMAT = """
ALTER TABLE datasets ADD COLUMN source_format TEXT NOT NULL DEFAULT '';
CREATE INDEX datasets_source_format ON datasets(source_format, created);
"""

# Step 3: adopted rule sets. An edit adopted on the Rules page is stored under the name the
# director gave it, as version 1, 2, ... of that name (owner and created: who adopted it,
# when); a set stored for a link or upload has no version.
SCHEMA_V3_RULE_SET_VERSIONS = """
ALTER TABLE rule_sets ADD COLUMN version INTEGER;
CREATE UNIQUE INDEX rule_sets_name_version ON rule_sets(name, version);
"""

# Step 4: saved source formats, a named column mapping (JSON object: source header ->
# field or "ignore") with the normalised header set it was made for (JSON list, sorted),
# who saved it and when, who changed it (renamed, saved again) last and when. Plain
# portable SQL: text columns only.
SCHEMA_V4_SOURCE_FORMATS = """
CREATE TABLE source_formats (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    mapping TEXT NOT NULL,
    headers TEXT NOT NULL,
    owner TEXT NOT NULL,
    created TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed TEXT NOT NULL
);
"""

# Step N brings a store from schema version N - 1 to N; append new steps at the end.
MIGRATIONS: tuple[Migration, ...] = (
    SCHEMA_V1,  # 1: datasets and their files, rule sets, views, audit log
    SCHEMA_V2_SOURCE_FORMAT,  # 2: datasets.source_format
    SCHEMA_V3_RULE_SET_VERSIONS,  # 3: rule sets adopted under a name, numbered per name
    SCHEMA_V4_SOURCE_FORMATS,  # 4: saved source formats (named column mappings)
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(Exception):
    """A store operation that cannot be done; ``str()`` is one line saying what to do."""


class NotFoundError(StoreError):
    pass


class NotOwnerError(StoreError):
    pass


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    name: str
    size: int


@dataclass(frozen=True)
class Dataset:
    id: str
    label: str
    files: tuple[StoredFile, ...]
    options: dict[str, Any]
    owner: str
    created: datetime  # the upload time (UTC)
    source_format: str = ""  # "" when unknown (stored before formats were recorded)

    @property
    def contents(self) -> tuple[str, ...]:
        """The files' hashes, sorted: equal for two uploads of the same bytes."""
        return tuple(sorted(f.sha256 for f in self.files))


@dataclass(frozen=True)
class StoredRuleSet:
    """A rule set's TOML. `version`: None for one stored as it came (an upload, a link);
    1, 2, ... for the adoptions of an edit under `name`, adopted by `owner` at `created`."""

    id: str
    name: str
    text: str
    owner: str
    created: datetime
    version: int | None = None


@dataclass(frozen=True)
class SavedView:
    id: str
    name: str
    dataset_id: str
    rule_set: str
    as_of: str | None
    page: str | None
    filters: dict[str, list[str]] = field(default_factory=dict)
    owner: str = ""
    created: datetime | None = None


@dataclass(frozen=True)
class SourceFormat:
    """A named column mapping: `mapping` source header -> field or "ignore", `headers` the
    normalised header set of the sheet it was saved for (sorted)."""

    id: str
    name: str
    mapping: dict[str, str]
    headers: tuple[str, ...]
    owner: str
    created: datetime
    changed_by: str
    changed: datetime


@dataclass(frozen=True)
class AuditEntry:
    id: int
    time: datetime
    user: str
    action: str
    object_id: str
    detail: str


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def new_id(kind: str) -> str:
    """A short random id (never derived from the data, so a link reveals nothing)."""
    body = "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))
    return f"{ID_PREFIX[kind]}-{body}"


def is_id(value: str, kind: str) -> bool:
    # fullmatch: with match, "$" also matches before a final newline ("d-…\n" would pass).
    return bool(ID_PATTERN.fullmatch(value or "")) and value.startswith(ID_PREFIX[kind] + "-")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _fsync_dir(path: Path) -> None:
    # Makes the rename itself durable; not every platform can open a directory.
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file, or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _clean_label(label: str) -> str:
    return " ".join(str(label).split())[:MAX_LABEL]


def _clean_user(user: str) -> str:
    text = " ".join(str(user or "").split())
    if not text:
        raise StoreError("No user given: sign in first, then try again.")
    return text[:200]


def _use_wal(conn: sqlite3.Connection) -> None:
    # Switching to WAL needs a moment alone with the file; concurrent openers retry (for as
    # long as any other lock is waited for: a loaded machine can keep the file busy for
    # seconds while several processes open it at once).
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            break
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    if str(mode).lower() != "wal":
        raise StoreError(
            f"The data directory does not support SQLite's WAL mode: set {DATA_DIR_ENV} "
            "to a folder on a local disk."
        )


def _schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _refuse_newer(version: int, latest: int) -> None:
    if version > latest:
        raise StoreError(
            f"This data folder was written by a newer version of the app (schema version "
            f"{version}, this one knows up to {latest}): update the app, or set "
            f"{DATA_DIR_ENV} to another folder."
        )


def _table_names(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
    )
    return {r[0] for r in rows}


@functools.cache
def _v1_tables() -> frozenset[str]:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        _run_step(conn, SCHEMA_V1)
        return frozenset(_table_names(conn))
    finally:
        conn.close()


def _sql_statements(script: str) -> Iterator[str]:
    """The statements of an SQL script, each whole (a ";" in a string or trigger stays)."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                yield pending
            pending = ""
    if pending:
        raise ValueError("A migration step ends in an unfinished SQL statement.")


def _run_step(conn: sqlite3.Connection, step: Migration) -> None:
    if callable(step):
        step(conn)
        return
    for statement in _sql_statements(step):
        conn.execute(statement)


def _apply_next_step(conn: sqlite3.Connection, latest: int) -> bool:
    """Apply the step after the store's current version; False once it is the latest."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Read under the write lock: another process may have migrated since we last looked.
        version = _schema_version(conn)
        _refuse_newer(version, latest)
        if version == latest:
            conn.execute("ROLLBACK")
            return False
        if version == 0 and not _table_names(conn) <= _v1_tables():
            raise StoreError(
                "The data folder holds a database this app did not make: set "
                f"{DATA_DIR_ENV} to another folder."
            )
        target = version + 1
        try:
            _run_step(conn, MIGRATIONS[version])
            broken = conn.execute("PRAGMA foreign_key_check").fetchone()
        except Exception as exc:  # SQL or a step function: either way nothing is kept
            raise StoreError(_step_failed(target)) from exc
        if broken is not None:
            raise StoreError(_step_failed(target))
        conn.execute(f"PRAGMA user_version = {target}")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return True


def _step_failed(target: int) -> str:
    return (
        f"Could not upgrade the data folder to schema version {target}; it was left as it "
        "was: keep using the previous version of the app and report this."
    )


class Store:
    """Datasets, rule sets, saved views and the audit log under one data directory."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)
        self.db_path = self.root / DB_NAME
        self.blob_root = self.root / BLOB_DIR
        try:
            self.blob_root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"Cannot create the data directory ({exc.strerror}): set {DATA_DIR_ENV} "
                "to a writable folder."
            ) from None
        self._init_schema()

    # -- connections -------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = FULL")
        return conn

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            yield conn
        finally:
            conn.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction holding SQLite's write lock from the start."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    def _init_schema(self) -> None:
        """Bring the database to the latest schema version (see the module docstring)."""
        conn = self._connect()
        try:
            latest = len(MIGRATIONS)
            version = _schema_version(conn)
            _refuse_newer(version, latest)
            _use_wal(conn)
            if version == latest:
                return
            conn.execute("PRAGMA foreign_keys = OFF")
            while _apply_next_step(conn, latest):
                pass
        finally:
            conn.close()

    # -- blobs -------------------------------------------------------------------------
    def blob_path(self, sha: str) -> Path:
        if not SHA_PATTERN.fullmatch(sha):
            raise StoreError("Not a file hash: expected 64 hexadecimal characters.")
        return self.blob_root / sha[:2] / sha

    def put_blob(self, data: bytes) -> str:
        """Store bytes once under their sha256; returns the hash."""
        sha = sha256_hex(data)
        path = self.blob_path(sha)
        if not path.exists():
            write_atomic(path, data)
        return sha

    def read_blob(self, sha: str) -> bytes:
        path = self.blob_path(sha)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise NotFoundError(
                "A stored file is missing from the data directory: upload the files again."
            ) from None
        if sha256_hex(data) != sha:
            raise StoreError(
                "A stored file is damaged (its content no longer matches its hash): "
                "upload the files again."
            )
        return data

    def has_blob(self, sha: str) -> bool:
        return self.blob_path(sha).exists()

    # -- datasets ----------------------------------------------------------------------
    def create_dataset(
        self,
        files: Sequence[tuple[str, bytes]],
        *,
        owner: str,
        options: Mapping[str, Any] | None = None,
        label: str = "",
        source_format: str = "",
    ) -> Dataset:
        """Store an upload (files in order + load options) and return its dataset.

        Uploading the same files with the same options again by the same owner returns
        the existing dataset instead of a second copy (and records its source format if
        it had none). Records an ``upload`` audit entry.
        """
        owner = _clean_user(owner)
        if not files:
            raise StoreError("No files to store: choose at least one export to upload.")
        opts = dict(options or {})
        try:
            options_json = json.dumps(opts, sort_keys=True, default=str)
        except (TypeError, ValueError):
            raise StoreError("Load options must be plain text, numbers, lists or tables.") from None
        stored: list[tuple[str, bytes, StoredFile]] = []
        for name, data in files:
            if not isinstance(data, bytes | bytearray | memoryview):
                raise StoreError("A file's content must be bytes.")
            data = bytes(data)
            sha = self.put_blob(data)
            stored.append((str(name), data, StoredFile(sha, str(name), len(data))))
        fingerprint = sha256_hex(
            json.dumps(
                [[f.sha256, f.name] for _, _, f in stored] + [options_json], sort_keys=True
            ).encode()
        )
        label = _clean_label(label) or _clean_label(", ".join(f.name for _, _, f in stored))
        source_format = str(source_format or "")[:MAX_SOURCE_FORMAT]
        with self._write() as conn:
            existing = conn.execute(
                "SELECT id, source_format FROM datasets WHERE owner = ? AND fingerprint = ?",
                (owner, fingerprint),
            ).fetchone()
            if existing is not None:
                dataset_id = existing["id"]
                if source_format and not existing["source_format"]:
                    conn.execute(
                        "UPDATE datasets SET source_format = ? WHERE id = ?",
                        (source_format, dataset_id),
                    )
            else:
                # A concurrent deletion may have collected a blob we wrote above; we hold
                # the write lock now, so put back whatever is missing before referencing it.
                for _, data, info in stored:
                    if not self.has_blob(info.sha256):
                        write_atomic(self.blob_path(info.sha256), data)
                dataset_id = self._insert_with_new_id(
                    conn,
                    "dataset",
                    "INSERT INTO datasets (id, label, options, fingerprint, owner, created, "
                    "source_format) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (label, options_json, fingerprint, owner, _now(), source_format),
                )
                conn.executemany(
                    "INSERT INTO dataset_files (dataset_id, position, sha256, name, size) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [
                        (dataset_id, i, info.sha256, info.name, info.size)
                        for i, (_, _, info) in enumerate(stored)
                    ],
                )
            # The same files again (a new session opening them) are still an upload by
            # this user, but the log says no new copy was made.
            detail = ALREADY_STORED if existing is not None else ""
            self._audit(conn, owner, "upload", dataset_id, detail)
        return self.get_dataset(dataset_id)

    def _insert_with_new_id(
        self, conn: sqlite3.Connection, kind: str, sql: str, values: tuple[Any, ...]
    ) -> str:
        for _ in range(20):
            new = new_id(kind)
            try:
                conn.execute(sql, (new, *values))
                return new
            except sqlite3.IntegrityError as exc:
                if "UNIQUE" not in str(exc) or ".id" not in str(exc):
                    raise
        raise StoreError("Could not allocate a new id: try again.")

    def get_dataset(self, dataset_id: str) -> Dataset:
        with self._read() as conn:
            row = conn.execute("SELECT * FROM datasets WHERE id = ?", (dataset_id,)).fetchone()
            if row is None:
                raise NotFoundError(
                    "This dataset is not in the store (it may have been deleted by its owner): "
                    "upload the files again."
                )
            files = conn.execute(
                "SELECT sha256, name, size FROM dataset_files WHERE dataset_id = ? "
                "ORDER BY position",
                (dataset_id,),
            ).fetchall()
        return self._dataset_from_row(row, files)

    @staticmethod
    def _dataset_from_row(row: sqlite3.Row, files: Sequence[sqlite3.Row]) -> Dataset:
        return Dataset(
            id=row["id"],
            label=row["label"],
            files=tuple(StoredFile(f["sha256"], f["name"], f["size"]) for f in files),
            options=json.loads(row["options"]),
            owner=row["owner"],
            created=_parse_time(row["created"]),
            source_format=row["source_format"],
        )

    def list_datasets(self, owner: str | None = None) -> list[Dataset]:
        """Datasets, newest first (all of them, or one owner's)."""
        with self._read() as conn:
            if owner is None:
                rows = conn.execute("SELECT * FROM datasets ORDER BY created DESC").fetchall()
            else:
                rows = conn.execute(
                    "SELECT * FROM datasets WHERE owner = ? ORDER BY created DESC", (owner,)
                ).fetchall()
            files = conn.execute(
                "SELECT dataset_id, sha256, name, size FROM dataset_files "
                "ORDER BY dataset_id, position"
            ).fetchall()
        by_dataset: dict[str, list[sqlite3.Row]] = {}
        for f in files:
            by_dataset.setdefault(f["dataset_id"], []).append(f)
        return [self._dataset_from_row(r, by_dataset.get(r["id"], [])) for r in rows]

    def rename_dataset(self, dataset_id: str, label: str, user: str) -> Dataset:
        """Give a dataset a new label ("November export"); only its owner may, as for
        deletion. Records ``rename`` (without the label: it is the user's free text)."""
        user = _clean_user(user)
        label = _clean_label(label)
        if not label:
            raise StoreError("A dataset needs a label: type one, then save.")
        with self._write() as conn:
            row = conn.execute("SELECT owner FROM datasets WHERE id = ?", (dataset_id,)).fetchone()
            if row is None:
                raise NotFoundError("This dataset is not in the store (it may have been deleted).")
            if row["owner"] != user:
                raise NotOwnerError(
                    "Only the person who uploaded this dataset can rename it: ask them to."
                )
            conn.execute("UPDATE datasets SET label = ? WHERE id = ?", (label, dataset_id))
            self._audit(conn, user, "rename", dataset_id, "")
        return self.get_dataset(dataset_id)

    def previous_dataset(self, dataset_id: str) -> Dataset | None:
        """The upload a dataset is compared with by default: the most recent earlier
        dataset of the same source format or, when there is none, the most recent earlier
        dataset. Datasets holding the very same files (the same upload read with other
        options, or by someone else) are never its previous one."""
        current = self.get_dataset(dataset_id)
        earlier = [
            d
            for d in self.list_datasets()
            if d.created < current.created and d.contents != current.contents
        ]
        same = [d for d in earlier if current.source_format == d.source_format != ""]
        return (same or earlier)[0] if earlier else None

    def history(self, dataset_id: str) -> list[Dataset]:
        """The datasets of a dataset's source format, oldest first, one per set of files:
        the dataset itself for its own files, else the first upload of those files.
        Only the dataset itself when its source format is unknown."""
        current = self.get_dataset(dataset_id)
        same = [
            d
            for d in reversed(self.list_datasets())
            if current.source_format != "" and d.source_format == current.source_format
        ]
        kept = {current.contents: current}
        for d in same:
            kept.setdefault(d.contents, d)
        return sorted(kept.values(), key=lambda d: d.created)

    def read_dataset_files(self, dataset_id: str) -> list[tuple[str, bytes]]:
        """The dataset's files as ``(name, bytes)``, in upload order."""
        dataset = self.get_dataset(dataset_id)
        return [(f.name, self.read_blob(f.sha256)) for f in dataset.files]

    def delete_dataset(self, dataset_id: str, user: str) -> None:
        """Delete a dataset and its saved views; only its owner may. Records ``delete``."""
        user = _clean_user(user)
        with self._write() as conn:
            row = conn.execute("SELECT owner FROM datasets WHERE id = ?", (dataset_id,)).fetchone()
            if row is None:
                raise NotFoundError("This dataset is not in the store (already deleted?).")
            if row["owner"] != user:
                raise NotOwnerError(
                    "Only the person who uploaded this dataset can delete it: ask them to."
                )
            conn.execute("DELETE FROM views WHERE dataset_id = ?", (dataset_id,))
            conn.execute("DELETE FROM dataset_files WHERE dataset_id = ?", (dataset_id,))
            conn.execute("DELETE FROM datasets WHERE id = ?", (dataset_id,))
            self._audit(conn, user, "delete", dataset_id, "")
        self.collect_garbage()

    def collect_garbage(self) -> int:
        """Remove blobs no dataset references and temporary files left by dead writers.

        Runs under the write lock so that no upload can reference a blob while it goes.
        Returns the number of files removed.
        """
        removed = 0
        cutoff = time.time() - STALE_TMP_SECONDS
        with self._write() as conn:
            referenced = {r[0] for r in conn.execute("SELECT DISTINCT sha256 FROM dataset_files")}
            for path in self.blob_root.glob("*/*"):
                name = path.name
                try:
                    if name.startswith(TMP_PREFIX):
                        if path.stat().st_mtime < cutoff:
                            path.unlink()
                            removed += 1
                    elif SHA_PATTERN.fullmatch(name) and name not in referenced:
                        path.unlink()
                        removed += 1
                except FileNotFoundError:
                    continue
        return removed

    # -- rule sets ---------------------------------------------------------------------
    def put_rule_set(self, name: str, text: str, owner: str) -> StoredRuleSet:
        """Store a rule set's TOML once by content; returns it with its id."""
        owner = _clean_user(owner)
        sha = sha256_hex(text.encode("utf-8"))
        with self._write() as conn:
            row = conn.execute("SELECT id FROM rule_sets WHERE sha256 = ?", (sha,)).fetchone()
            if row is None:
                rule_set_id = self._insert_with_new_id(
                    conn,
                    "rule_set",
                    "INSERT INTO rule_sets (id, name, sha256, text, owner, created) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (str(name)[:200], sha, text, owner, _now()),
                )
            else:
                rule_set_id = row["id"]
        return self.get_rule_set(rule_set_id)

    def adopt_rule_set(
        self, name: str, owner: str, text_for: Callable[[int], str]
    ) -> StoredRuleSet:
        """Store an edited rule set as the next version of `name` (1 for a new name).

        `text_for(version)` writes the set's TOML for that version (its label names the
        version), called once the version is known, under the write lock, so two people
        adopting under one name at once get two versions. Records ``adopt_rules``.
        """
        owner = _clean_user(owner)
        name = " ".join(str(name).split())[:120]
        if not name:
            raise StoreError("An adopted rule set needs a name: type one, then adopt.")
        with self._write() as conn:
            latest = conn.execute(
                "SELECT MAX(version) FROM rule_sets WHERE name = ?", (name,)
            ).fetchone()[0]
            version = (latest or 0) + 1
            text = text_for(version)
            sha = sha256_hex(text.encode("utf-8"))
            row = conn.execute("SELECT id FROM rule_sets WHERE sha256 = ?", (sha,)).fetchone()
            values = (name, version, owner, _now())
            if row is None:
                rule_set_id = self._insert_with_new_id(
                    conn,
                    "rule_set",
                    "INSERT INTO rule_sets (id, sha256, text, name, version, owner, created) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (sha, text, *values),
                )
            else:  # the same text stored before (uploaded): it is now this adoption
                rule_set_id = row["id"]
                conn.execute(
                    "UPDATE rule_sets SET name = ?, version = ?, owner = ?, created = ? "
                    "WHERE id = ?",
                    (*values, rule_set_id),
                )
            self._audit(conn, owner, "adopt_rules", rule_set_id, f"{name}, version {version}")
        return self.get_rule_set(rule_set_id)

    @staticmethod
    def _rule_set_from_row(row: sqlite3.Row) -> StoredRuleSet:
        return StoredRuleSet(
            row["id"],
            row["name"],
            row["text"],
            row["owner"],
            _parse_time(row["created"]),
            row["version"],
        )

    def get_rule_set(self, rule_set_id: str) -> StoredRuleSet:
        with self._read() as conn:
            row = conn.execute("SELECT * FROM rule_sets WHERE id = ?", (rule_set_id,)).fetchone()
        if row is None:
            raise NotFoundError("This rule set is not in the store: upload the rule file again.")
        return self._rule_set_from_row(row)

    def list_rule_sets(self) -> list[StoredRuleSet]:
        """Every stored rule set, newest first."""
        with self._read() as conn:
            rows = conn.execute("SELECT * FROM rule_sets ORDER BY created DESC").fetchall()
        return [self._rule_set_from_row(r) for r in rows]

    # -- saved views -------------------------------------------------------------------
    def save_view(
        self,
        name: str,
        *,
        dataset_id: str,
        rule_set: str,
        owner: str,
        filters: Mapping[str, Sequence[str]] | None = None,
        as_of: str | None = None,
        page: str | None = None,
        replace: bool = True,
    ) -> SavedView:
        """Save (or replace, same owner and name) a named view. Records ``save_view``.

        `replace=False` refuses to replace (for owners whose name is only a label)."""
        owner = _clean_user(owner)
        name = " ".join(str(name).split())[:120]
        if not name:
            raise StoreError("A saved view needs a name: type one, then save.")
        filters_json = json.dumps(
            {str(k): [str(v) for v in vals] for k, vals in (filters or {}).items()},
            sort_keys=True,
        )
        with self._write() as conn:
            if (
                conn.execute("SELECT 1 FROM datasets WHERE id = ?", (dataset_id,)).fetchone()
                is None
            ):
                raise NotFoundError(
                    "This dataset is not in the store: upload it before saving a view."
                )
            row = conn.execute(
                "SELECT id FROM views WHERE owner = ? AND name = ?", (owner, name)
            ).fetchone()
            values = (dataset_id, rule_set, as_of, page, filters_json)
            if row is not None and not replace:
                raise StoreError(VIEW_EXISTS)
            if row is None:
                view_id = self._insert_with_new_id(
                    conn,
                    "view",
                    "INSERT INTO views (id, name, dataset_id, rule_set, as_of, page, filters, "
                    "owner, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (name, *values, owner, _now()),
                )
            else:
                view_id = row["id"]
                conn.execute(
                    "UPDATE views SET dataset_id = ?, rule_set = ?, as_of = ?, page = ?, "
                    "filters = ?, created = ? WHERE id = ?",
                    (*values, _now(), view_id),
                )
            self._audit(conn, owner, "save_view", view_id, "")
        return self.get_view(view_id)

    @staticmethod
    def _view_from_row(row: sqlite3.Row) -> SavedView:
        return SavedView(
            id=row["id"],
            name=row["name"],
            dataset_id=row["dataset_id"],
            rule_set=row["rule_set"],
            as_of=row["as_of"],
            page=row["page"],
            filters=json.loads(row["filters"]),
            owner=row["owner"],
            created=_parse_time(row["created"]),
        )

    def get_view(self, view_id: str) -> SavedView:
        with self._read() as conn:
            row = conn.execute("SELECT * FROM views WHERE id = ?", (view_id,)).fetchone()
        if row is None:
            raise NotFoundError("This saved view no longer exists (its dataset was deleted?).")
        return self._view_from_row(row)

    def list_views(self, dataset_id: str | None = None) -> list[SavedView]:
        """Saved views, newest first; everyone signed in may open them."""
        with self._read() as conn:
            if dataset_id is None:
                rows = conn.execute("SELECT * FROM views ORDER BY created DESC").fetchall()
            else:
                rows = conn.execute(
                    "SELECT * FROM views WHERE dataset_id = ? ORDER BY created DESC",
                    (dataset_id,),
                ).fetchall()
        return [self._view_from_row(r) for r in rows]

    def delete_view(self, view_id: str, user: str) -> None:
        user = _clean_user(user)
        with self._write() as conn:
            row = conn.execute("SELECT owner FROM views WHERE id = ?", (view_id,)).fetchone()
            if row is None:
                raise NotFoundError("This saved view no longer exists.")
            if row["owner"] != user:
                raise NotOwnerError("Only the person who saved this view can delete it.")
            conn.execute("DELETE FROM views WHERE id = ?", (view_id,))
            self._audit(conn, user, "delete", view_id, "")

    # -- source formats ----------------------------------------------------------------
    # Kept together and in plain SQL (see SCHEMA_V4_SOURCE_FORMATS). A format's name is
    # free text the user typed: never put it in an audit detail.
    def save_format(
        self,
        name: str,
        mapping: Mapping[str, str],
        headers: Sequence[str],
        owner: str,
        *,
        replace: bool = False,
    ) -> SourceFormat:
        """Save a named mapping for a header set; records ``save_format``. A name already
        taken is refused, unless `replace` and `owner` saved it: then its mapping and
        header set are replaced (for owners whose name is only a label, never replace)."""
        owner = _clean_user(owner)
        name = " ".join(str(name).split())[:MAX_FORMAT_NAME]
        if not name:
            raise StoreError("A source format needs a name: type one, then save.")
        if not mapping:
            raise StoreError("This mapping maps no column: choose the fields, then save.")
        mapping_json = json.dumps({str(k): str(v) for k, v in mapping.items()})
        headers_json = json.dumps(sorted({str(h) for h in headers}))
        with self._write() as conn:
            row = conn.execute(
                "SELECT id, owner FROM source_formats WHERE name = ?", (name,)
            ).fetchone()
            now = _now()
            if row is None:
                format_id = self._insert_with_new_id(
                    conn,
                    "source_format",
                    "INSERT INTO source_formats (id, name, mapping, headers, owner, created, "
                    "changed_by, changed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (name, mapping_json, headers_json, owner, now, owner, now),
                )
            elif replace and row["owner"] == owner:
                format_id = row["id"]
                conn.execute(
                    "UPDATE source_formats SET mapping = ?, headers = ?, changed_by = ?, "
                    "changed = ? WHERE id = ?",
                    (mapping_json, headers_json, owner, now, format_id),
                )
            else:
                raise StoreError(FORMAT_EXISTS)
            self._audit(conn, owner, "save_format", format_id, "")
        return self.get_format(format_id)

    @staticmethod
    def _format_from_row(row: sqlite3.Row) -> SourceFormat:
        return SourceFormat(
            id=row["id"],
            name=row["name"],
            mapping=json.loads(row["mapping"]),
            headers=tuple(json.loads(row["headers"])),
            owner=row["owner"],
            created=_parse_time(row["created"]),
            changed_by=row["changed_by"],
            changed=_parse_time(row["changed"]),
        )

    def get_format(self, format_id: str) -> SourceFormat:
        with self._read() as conn:
            row = conn.execute("SELECT * FROM source_formats WHERE id = ?", (format_id,)).fetchone()
        if row is None:
            raise NotFoundError("This source format no longer exists (deleted by its owner?).")
        return self._format_from_row(row)

    def list_formats(self) -> list[SourceFormat]:
        """Every saved source format, newest first (by when it was saved)."""
        with self._read() as conn:
            rows = conn.execute("SELECT * FROM source_formats ORDER BY created DESC, id").fetchall()
        return [self._format_from_row(r) for r in rows]

    def matching_formats(self, headers: Sequence[str]) -> list[SourceFormat]:
        """The formats whose header set is within `headers` (normalised: the same set in
        any order, or `headers` a superset), best first: the largest set, then the newest."""
        upload = set(headers)
        found = [f for f in self.list_formats() if f.headers and set(f.headers) <= upload]
        # list_formats is newest first and sort is stable: the largest set, then newest.
        return sorted(found, key=lambda f: -len(f.headers))

    def find_matching(self, headers: Sequence[str]) -> SourceFormat | None:
        """The best of `matching_formats(headers)`, or None."""
        found = self.matching_formats(headers)
        return found[0] if found else None

    def _owned_format(self, conn: sqlite3.Connection, format_id: str, user: str, what: str):
        row = conn.execute("SELECT owner FROM source_formats WHERE id = ?", (format_id,)).fetchone()
        if row is None:
            raise NotFoundError("This source format no longer exists (deleted by its owner?).")
        if row["owner"] != user:
            raise NotOwnerError(f"Only the person who saved this source format can {what} it.")

    def rename_format(self, format_id: str, name: str, user: str) -> SourceFormat:
        """Give a format a new name; only its owner may. Records ``rename``."""
        user = _clean_user(user)
        name = " ".join(str(name).split())[:MAX_FORMAT_NAME]
        if not name:
            raise StoreError("A source format needs a name: type one, then save.")
        with self._write() as conn:
            self._owned_format(conn, format_id, user, "rename")
            taken = conn.execute(
                "SELECT 1 FROM source_formats WHERE name = ? AND id <> ?", (name, format_id)
            ).fetchone()
            if taken is not None:
                raise StoreError(FORMAT_EXISTS)
            conn.execute(
                "UPDATE source_formats SET name = ?, changed_by = ?, changed = ? WHERE id = ?",
                (name, user, _now(), format_id),
            )
            self._audit(conn, user, "rename", format_id, "")
        return self.get_format(format_id)

    def delete_format(self, format_id: str, user: str) -> None:
        """Delete a format; only its owner may. Records ``delete``. Datasets read with it
        keep their mapping (it is stored in their options)."""
        user = _clean_user(user)
        with self._write() as conn:
            self._owned_format(conn, format_id, user, "delete")
            conn.execute("DELETE FROM source_formats WHERE id = ?", (format_id,))
            self._audit(conn, user, "delete", format_id, "")

    # -- audit -------------------------------------------------------------------------
    @staticmethod
    def _audit(
        conn: sqlite3.Connection, user: str, action: str, object_id: str, detail: str
    ) -> None:
        if action not in ACTIONS:
            raise StoreError(f"Unknown audit action {action!r}: use one of {', '.join(ACTIONS)}.")
        conn.execute(
            "INSERT INTO audit (time, user, action, object_id, detail) VALUES (?, ?, ?, ?, ?)",
            (
                _now(),
                user,
                action,
                str(object_id)[:100],
                " ".join(str(detail).split())[:MAX_DETAIL],
            ),
        )

    def record(self, user: str, action: str, object_id: str = "", detail: str = "") -> None:
        """Append an audit entry. `detail` is a short label such as "xlsx report": never
        put applicants' personal data (names, emails, licence numbers) in it."""
        user = _clean_user(user)
        with self._write() as conn:
            self._audit(conn, user, action, object_id, detail)

    def audit_log(
        self,
        *,
        user: str | Sequence[str] | None = None,
        action: str | Sequence[str] | None = None,
        object_id: str | Sequence[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 10_000,
    ) -> list[AuditEntry]:
        """Audit entries, newest first, optionally filtered (a list matches any of it)."""
        clauses, params = [], []
        for column, value in (("user", user), ("action", action), ("object_id", object_id)):
            if not value:
                continue
            values = [value] if isinstance(value, str) else list(value)
            clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)
        if since is not None:
            clauses.append("time >= ?")
            params.append(since.astimezone(UTC).isoformat(timespec="microseconds"))
        if until is not None:
            clauses.append("time < ?")
            params.append(until.astimezone(UTC).isoformat(timespec="microseconds"))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT * FROM audit {where} ORDER BY id DESC LIMIT ?", (*params, int(limit))
            ).fetchall()
        return [
            AuditEntry(
                r["id"], _parse_time(r["time"]), r["user"], r["action"], r["object_id"], r["detail"]
            )
            for r in rows
        ]


_OPEN: dict[Path, Store] = {}
_OPEN_LOCK = threading.Lock()


def data_dir() -> Path:
    configured = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(configured).expanduser() if configured else DEFAULT_DATA_DIR


def open_store(root: str | os.PathLike[str] | None = None) -> Store:
    """The store under `root` (default: ``ADMISSIONS_DATA_DIR`` or ``data/store/``).

    One instance per directory and process: the schema is set up once, and garbage
    (temporary files older than ``STALE_TMP_SECONDS``, blobs no dataset references) left
    by a killed writer is collected then, off every request's path.
    """
    path = Path(root) if root is not None else data_dir()
    key = path.resolve()
    with _OPEN_LOCK:
        if key not in _OPEN:
            opened = Store(path)
            try:
                removed = opened.collect_garbage()
            except (OSError, sqlite3.Error):
                log.exception("could not collect the store's garbage at start-up")
            else:
                if removed:
                    log.info("store: %d leftover file(s) removed at start-up", removed)
            _OPEN[key] = opened
        return _OPEN[key]
