"""The store for shared datasets, rule sets, saved views and the audit log, on one of two
engines behind one implementation (SQLAlchemy Core):

- **SQLite** (the default, embedded, no server). Layout under the data directory
  (``ADMISSIONS_DATA_DIR``, default ``data/store/`` in the project, git-ignored):

      meta.sqlite3          metadata and audit log (WAL mode, one transaction per change)
      blobs/ab/abcdef...    uploaded files, named by the sha256 of their bytes

- **PostgreSQL** when a database URL is configured (``ADMISSIONS_DATABASE_URL``, or
  ``[store] database_url`` in ``.streamlit/secrets.toml``), for several replicas of the app:
  everything they share lives in the database, the uploaded files too (table ``blobs``,
  bytea, keyed by their sha256). The data directory then holds only what a replica may
  lose. See docs/deployment.md.

The original upload bytes are kept rather than a Parquet copy of the loaded frame: the
loader turns them into the frame, the problem list, rejected rows and duplicates with the
same row numbers every time, which a stored frame could not reproduce.

Crash safety and concurrency, the same on both engines:
- a blob is whole or absent: on SQLite it is written to a temporary file in its own
  directory, fsynced, then renamed into place (``os.replace`` is atomic); on PostgreSQL it
  is one row inserted in its own transaction, ``ON CONFLICT DO NOTHING`` on its hash, so
  the same upload from two replicas at once is stored once;
- a dataset row and its file list are inserted in one transaction after its blobs exist,
  so a kill at any moment leaves either the whole dataset or none of it (at worst an
  unreferenced blob, which ``collect_garbage`` removes);
- every change runs under one write lock: SQLite's (``BEGIN IMMEDIATE``) or, on
  PostgreSQL, a transaction-scoped advisory lock of the store's schema. Blob removal and
  the check that a new dataset's blobs exist both run under it, so a deletion (from any
  replica) never removes a blob that a concurrent upload is about to reference;
- reads of several rows run in one snapshot (a deferred SQLite transaction, PostgreSQL's
  REPEATABLE READ), so a dataset deleted while a link opens it reads as not found, never
  as a dataset without files.

SQLite connections are short-lived (one per call), so one ``Store`` can be shared by
threads and processes; PostgreSQL connections come from a pool that checks each one
before use (``pool_pre_ping``) and is dropped in a forked child. Losing the database
raises ``StoreUnavailable`` (one line); the next call reconnects.
Nothing here stores or logs applicants' personal data beyond the uploaded files themselves:
ids are random, and audit rows hold a user label, an action, an object id and a time.

Schema versions: the database counts the steps of ``MIGRATIONS`` applied to it, in
``PRAGMA user_version`` on SQLite and in the one-row table ``schema_version`` on
PostgreSQL. Opening a store applies the missing steps in order, each in one transaction
together with its version bump, holding the write lock (SQLite's ``BEGIN IMMEDIATE``, an
advisory lock on PostgreSQL); the version is read again under that lock, so processes or
replicas opening the same store at once apply each step once. A store at a version above
``len(MIGRATIONS)`` was written by a newer app and is refused, unchanged. A SQLite store
made before versions existed has version 0 and step 1's tables; step 1 creates them only
if they do not exist, so on such a store it changes nothing but the version.

To change the schema, append one step to ``MIGRATIONS`` (and nothing else there):

    MIGRATIONS = (
        SCHEMA_V1,  # 1: datasets and their files, rule sets, views, audit log
        "ALTER TABLE datasets ADD COLUMN source TEXT NOT NULL DEFAULT ''",  # 2: ...
    )

A step is SQL text (statements separated by ";") both engines run, a function
``step(conn)`` (a SQLAlchemy ``Connection``; ``conn.dialect.name`` says which engine) for
what SQL alone cannot do, or a mapping ``{"sqlite": ..., "postgresql": ...}`` of either
when the engines need different SQL. A function must not commit. On SQLite, steps run
with foreign keys off, so rebuilding a table (create-copy-drop-rename) does not cascade
deletes, and ``PRAGMA foreign_key_check`` must find nothing before the step commits
(PostgreSQL checks references as the step runs). Never edit, reorder or remove a step
that has shipped: a store at version N holds exactly steps 1 to N. Then adapt the table
definitions and queries below and test the step on ``tests/data/store_v0`` (a store
written before versions) as ``tests/store/test_store_migrations.py`` does, on both engines.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import math
import os
import re
import secrets
import sqlite3
import tempfile
import threading
import time
import tomllib
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

DATA_DIR_ENV = "ADMISSIONS_DATA_DIR"
DATABASE_URL_ENV = "ADMISSIONS_DATABASE_URL"
# Where `[store] database_url` is looked for: Streamlit's own secrets files, the project's
# first (it overrides the user's, as in Streamlit).
SECRETS_FILES = (Path(".streamlit") / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml")
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "store"
DB_NAME = "meta.sqlite3"
BLOB_DIR = "blobs"
TMP_PREFIX = ".tmp-"
# A temporary file older than this belongs to a writer that died; younger ones may still be
# in use by a concurrent upload, so garbage collection leaves them alone.
STALE_TMP_SECONDS = 3600
BUSY_TIMEOUT_SECONDS = 60
CONNECT_TIMEOUT_SECONDS = 5  # a replica says the database is unreachable after this long
UNREACHABLE_HOLD_SECONDS = 2 * CONNECT_TIMEOUT_SECONDS  # held audit entries wait this long
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
MAX_NAME = 120  # adopted rule sets and saved views
MAX_SOURCE_FORMAT = 100
FORMAT_EXISTS = "A source format already has this name: choose another name."
MAX_FORMAT_NAME = 120
UNREACHABLE = "The shared store cannot be reached: {reason}, retrying"

# Step 1: the schema exactly as the store created it before it had versions. "IF NOT
# EXISTS" makes it a no-op on such a store, which is how opening one marks it version 1.
# PostgreSQL has no store from before versions; its step 1 is the same schema in its
# dialect, with the uploaded files as a table (content-addressed, as the SQLite files are).
SCHEMA_V1_SQLITE = """
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

SCHEMA_V1_POSTGRESQL = """
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    data BYTEA NOT NULL
);
CREATE TABLE datasets (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    options TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    owner TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE INDEX datasets_owner_fp ON datasets(owner, fingerprint);
CREATE TABLE dataset_files (
    dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    name TEXT NOT NULL,
    size BIGINT NOT NULL,
    PRIMARY KEY (dataset_id, position)
);
CREATE INDEX dataset_files_sha ON dataset_files(sha256);
CREATE TABLE rule_sets (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    text TEXT NOT NULL,
    owner TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE views (
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
CREATE TABLE audit (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    time TEXT NOT NULL,
    "user" TEXT NOT NULL,
    action TEXT NOT NULL,
    object_id TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_time ON audit(time);
"""

SCHEMA_V1 = {"sqlite": SCHEMA_V1_SQLITE, "postgresql": SCHEMA_V1_POSTGRESQL}

StepBody = str | Callable[[Connection], None]
Migration = StepBody | Mapping[str, StepBody]

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

# The latest schema, for building queries only (the steps above create the tables).
_META = sa.MetaData()
BLOBS = sa.Table(
    "blobs",
    _META,
    sa.Column("sha256", sa.Text, primary_key=True),
    sa.Column("size", sa.BigInteger),
    sa.Column("data", sa.LargeBinary),
)
DATASETS = sa.Table(
    "datasets",
    _META,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("label", sa.Text),
    sa.Column("options", sa.Text),
    sa.Column("fingerprint", sa.Text),
    sa.Column("owner", sa.Text),
    sa.Column("created", sa.Text),
    sa.Column("source_format", sa.Text),
)
DATASET_FILES = sa.Table(
    "dataset_files",
    _META,
    sa.Column("dataset_id", sa.Text),
    sa.Column("position", sa.Integer),
    sa.Column("sha256", sa.Text),
    sa.Column("name", sa.Text),
    sa.Column("size", sa.BigInteger),
)
RULE_SETS = sa.Table(
    "rule_sets",
    _META,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text),
    sa.Column("sha256", sa.Text),
    sa.Column("text", sa.Text),
    sa.Column("owner", sa.Text),
    sa.Column("created", sa.Text),
    sa.Column("version", sa.Integer),
)
VIEWS = sa.Table(
    "views",
    _META,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text),
    sa.Column("dataset_id", sa.Text),
    sa.Column("rule_set", sa.Text),
    sa.Column("as_of", sa.Text),
    sa.Column("page", sa.Text),
    sa.Column("filters", sa.Text),
    sa.Column("owner", sa.Text),
    sa.Column("created", sa.Text),
)
AUDIT = sa.Table(
    "audit",
    _META,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("time", sa.Text),
    sa.Column("user", sa.Text),
    sa.Column("action", sa.Text),
    sa.Column("object_id", sa.Text),
    sa.Column("detail", sa.Text),
)
SOURCE_FORMATS = sa.Table(
    "source_formats",
    _META,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text),
    sa.Column("mapping", sa.Text),
    sa.Column("headers", sa.Text),
    sa.Column("owner", sa.Text),
    sa.Column("created", sa.Text),
    sa.Column("changed_by", sa.Text),
    sa.Column("changed", sa.Text),
)
_ID_TABLES = {
    "dataset": DATASETS,
    "rule_set": RULE_SETS,
    "view": VIEWS,
    "source_format": SOURCE_FORMATS,
}

# Errors of the database layer that are not the store's own (a full disk, a locked SQLite
# file past the busy timeout, a bug): callers that degrade gracefully catch these.
DatabaseError = sa_exc.SQLAlchemyError


class StoreError(Exception):
    """A store operation that cannot be done; ``str()`` is one line saying what to do."""


class NotFoundError(StoreError):
    pass


class NotOwnerError(StoreError):
    pass


class StoreUnavailable(StoreError):
    """The shared database cannot be reached now; the next call tries again."""


# Everything a store call can fail with that a caller which carries on without it catches:
# the store's own errors (StoreUnavailable among them), the file system's, the database
# layer's (SQLAlchemy's, and sqlite3's own where the store sets a database file up before
# SQLAlchemy uses it). `except store.FAILURES:`.
FAILURES: tuple[type[Exception], ...] = (StoreError, OSError, DatabaseError, sqlite3.Error)


def _unreferenced_blob() -> sa.ColumnElement[bool]:
    """A blobs row that no dataset's file list names (the shared store's blobs table)."""
    named = sa.select(DATASET_FILES.c.sha256).where(DATASET_FILES.c.sha256 == BLOBS.c.sha256)
    return ~named.exists()


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


class _HeldAudit(threading.local):
    """Per thread: how deep it is in `Store.deferred_audit` blocks, and the audit entries
    (user, action, object id, detail, time) `record(later=True)` holds for it."""

    def __init__(self) -> None:
        self.depth = 0
        self.entries: list[tuple[str, str, str, str, str]] = []


def _check_action(action: str) -> None:
    if action not in ACTIONS:
        raise StoreError(f"Unknown audit action {action!r}: use one of {', '.join(ACTIONS)}.")


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


def _clean_label(label: str, limit: int = MAX_LABEL) -> str:
    """User text as stored: whitespace runs to one space, trimmed, at most `limit` chars."""
    return " ".join(str(label).split())[:limit]


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


def _step_for(step: Migration, dialect: str) -> StepBody:
    return step[dialect] if isinstance(step, Mapping) else step


def _run_step(conn: Connection, step: Migration) -> None:
    body = _step_for(step, conn.dialect.name)
    if callable(body):
        body(conn)
    elif conn.dialect.name == "sqlite":
        # sqlite3 runs one statement per call.
        for statement in _sql_statements(body):
            conn.exec_driver_sql(statement)
    else:
        # psycopg runs a whole script (no parameters) in one call, $$-quoted bodies too.
        conn.exec_driver_sql(body)


@functools.cache
def _v1_tables() -> frozenset[str]:
    engine = sa.create_engine("sqlite://", poolclass=sa.pool.StaticPool)
    try:
        with engine.begin() as conn:
            _run_step(conn, SCHEMA_V1)
            return frozenset(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()


def _step_failed(target: int) -> str:
    return (
        f"Could not upgrade the store to schema version {target}; it was left as it "
        "was: keep using the previous version of the app and report this."
    )


def _reason(exc: BaseException) -> str:
    """What went wrong connecting, in a few words (no address, user or password)."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    last = text[0].rsplit(": ", 1)[-1].strip() if text else ""
    if not last or len(last) > 80 or "@" in last or "=" in last:
        return "the database did not answer"
    return last[0].lower() + last[1:].rstrip(".")


def _lock_key(purpose: str) -> sa.TextClause:
    # One advisory lock per schema and purpose, so stores in other schemas of the same
    # database (the tests' fresh schemas) do not wait for each other.
    return sa.text(
        "SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || :purpose, 0))"
    ).bindparams(purpose=f".admissions-{purpose}")


def _engine_url(database_url: str) -> sa.URL:
    try:
        url = sa.make_url(database_url.strip())
    except sa_exc.ArgumentError:
        url = None
    if url is None or url.get_backend_name() not in ("postgresql", "postgres"):
        raise StoreError(
            f"{DATABASE_URL_ENV} must be a postgresql://user:password@host:port/database URL."
        )
    return url.set(drivername="postgresql+psycopg")


def _begin_sqlite(conn: Connection) -> None:
    # The sqlite3 module's own transaction handling is off (isolation_level None), so the
    # store says how each transaction begins: IMMEDIATE takes the write lock at once.
    mode = conn.get_execution_options().get("store_begin", "DEFERRED")
    if mode == "MIGRATE":
        conn.exec_driver_sql("PRAGMA foreign_keys = OFF")  # only outside a transaction
        mode = "IMMEDIATE"
    conn.exec_driver_sql(f"BEGIN {mode}")


def _connect_sqlite(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    dbapi_conn.isolation_level = None
    dbapi_conn.execute("PRAGMA foreign_keys = ON")
    dbapi_conn.execute("PRAGMA synchronous = FULL")


_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()  # pooled engines: dropped in a fork


def _forget_pools_in_child() -> None:
    # A forked child must not use its parent's sockets; close=False leaves them open for
    # the parent (SQLAlchemy's advice for multiprocessing).
    for engine in _ENGINES:
        engine.dispose(close=False)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pools_in_child)


class Store:
    """Datasets, rule sets, saved views and the audit log: under one data directory
    (SQLite) or, with `database_url`, in one PostgreSQL database shared by replicas."""

    def __init__(self, root: str | os.PathLike[str], database_url: str | None = None):
        self._deferred = _HeldAudit()
        self._unreachable_at = -math.inf  # when the shared database last could not be reached
        self.root = Path(root)
        self.is_shared = bool(database_url)
        self.db_path = None if self.is_shared else self.root / DB_NAME
        self.blob_root = self.root / BLOB_DIR
        try:
            (self.root if self.is_shared else self.blob_root).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"Cannot create the data directory ({exc.strerror}): set {DATA_DIR_ENV} "
                "to a writable folder."
            ) from None
        if self.is_shared:
            self.engine = sa.create_engine(
                _engine_url(database_url or ""),
                hide_parameters=True,  # errors (and logs) never carry the values written
                pool_pre_ping=True,
                pool_size=5,
                max_overflow=10,
                pool_recycle=1800,
                connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
            )
            _ENGINES.add(self.engine)
        else:
            self.engine = sa.create_engine(
                f"sqlite:///{self.db_path}",
                hide_parameters=True,
                poolclass=sa.pool.NullPool,
                connect_args={"timeout": BUSY_TIMEOUT_SECONDS},
            )
            sa.event.listen(self.engine, "connect", _connect_sqlite)
            sa.event.listen(self.engine, "begin", _begin_sqlite)
        try:
            with self._reachable():
                self._init_schema()
        except BaseException:
            self.engine.dispose()
            raise

    def close(self) -> None:
        """Close the pool's connections (a store is usable again afterwards)."""
        self.engine.dispose()

    # -- connections -------------------------------------------------------------------
    @contextlib.contextmanager
    def _reachable(self) -> Iterator[None]:
        """A lost PostgreSQL connection as one line; the pool reconnects next time."""
        try:
            yield
        except (sa_exc.OperationalError, sa_exc.InterfaceError) as exc:
            if not self.is_shared:
                raise
            self._unreachable_at = time.monotonic()
            log.warning("store: the database cannot be reached (%s)", type(exc.orig).__name__)
            raise StoreUnavailable(UNREACHABLE.format(reason=_reason(exc))) from None

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection]:
        """One read snapshot: several queries see the same committed state."""
        with self._reachable(), self.engine.connect() as conn:
            if self.is_shared:
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction holding the store's write lock from the start. It first
        writes the audit entries this thread deferred (`record(later=True)`), so the log
        keeps the order things happened in; they are held again if it does not commit."""
        deferred = self.take_held_audit()
        committed = False
        try:
            with self._reachable(), self.engine.connect() as conn:
                conn.execution_options(store_begin="IMMEDIATE")
                with conn.begin():
                    if self.is_shared:
                        conn.execute(_lock_key("write"))
                    for entry in deferred:
                        self._audit(conn, *entry)
                    yield conn
                committed = True
        except BaseException:
            if not committed:  # written already if only the closing failed
                self._deferred.entries = deferred + self._deferred.entries
            raise

    def ping(self) -> None:
        """Raise StoreUnavailable when the shared database cannot be reached now."""
        if self.is_shared:
            with self._reachable(), self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")

    def _init_schema(self) -> None:
        """Bring the database to the latest schema version (see the module docstring)."""
        if not self.is_shared:
            conn = sqlite3.connect(self.db_path, timeout=BUSY_TIMEOUT_SECONDS)
            try:
                _refuse_newer(_sqlite_version(conn), len(MIGRATIONS), self.is_shared)
                _use_wal(conn)
            finally:
                conn.close()
        while self._apply_next_step(len(MIGRATIONS)):
            pass

    def _apply_next_step(self, latest: int) -> bool:
        """Apply the step after the store's current version; False once it is the latest."""
        with self.engine.connect() as conn:
            conn.execution_options(store_begin="MIGRATE")
            with conn.begin() as transaction:
                # Read under the lock: another process may have migrated since we looked.
                version = self._version(conn)
                _refuse_newer(version, latest, self.is_shared)
                if version == latest:
                    transaction.rollback()
                    return False
                self._refuse_foreign(conn, version)
                target = version + 1
                try:
                    with conn.begin_nested():  # a failed SQL statement ends only this part
                        _run_step(conn, MIGRATIONS[version])
                    broken = (
                        conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                        if conn.dialect.name == "sqlite"
                        else None
                    )
                except Exception as exc:  # SQL or a step function: either way nothing is kept
                    raise StoreError(_step_failed(target)) from exc
                if broken is not None:
                    raise StoreError(_step_failed(target))
                self._set_version(conn, target)
        return True

    def _version(self, conn: Connection) -> int:
        if not self.is_shared:
            return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())
        conn.execute(_lock_key("migrate"))
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        version = conn.exec_driver_sql("SELECT version FROM schema_version").scalar()
        if version is None:
            conn.exec_driver_sql("INSERT INTO schema_version (version) VALUES (0)")
        return int(version or 0)

    def _set_version(self, conn: Connection, target: int) -> None:
        if self.is_shared:
            conn.execute(sa.text("UPDATE schema_version SET version = :v"), {"v": target})
        else:
            conn.exec_driver_sql(f"PRAGMA user_version = {int(target)}")

    def _refuse_foreign(self, conn: Connection, version: int) -> None:
        if version != 0:
            return
        tables = set(sa.inspect(conn).get_table_names()) - {"schema_version"}
        allowed = _v1_tables() if not self.is_shared else frozenset()
        if not tables <= allowed:
            where = (
                f"point {DATABASE_URL_ENV} at an empty database (or schema)"
                if self.is_shared
                else f"set {DATA_DIR_ENV} to another folder"
            )
            raise StoreError(f"The store holds a database this app did not make: {where}.")

    # -- blobs -------------------------------------------------------------------------
    def blob_path(self, sha: str) -> Path:
        if not SHA_PATTERN.fullmatch(sha):
            raise StoreError("Not a file hash: expected 64 hexadecimal characters.")
        return self.blob_root / sha[:2] / sha

    def put_blob(self, data: bytes) -> str:
        """Store bytes once under their sha256; returns the hash."""
        sha = sha256_hex(data)
        if self.is_shared:
            if not self.has_blob(sha):
                with self._reachable(), self.engine.begin() as conn:
                    self._insert_blob(conn, sha, data)
            return sha
        path = self.blob_path(sha)
        if not path.exists():
            write_atomic(path, data)
        return sha

    @staticmethod
    def _insert_blob(conn: Connection, sha: str, data: bytes) -> None:
        # Two replicas storing the same upload at once: the second waits for the first's
        # row, then inserts nothing.
        conn.execute(
            pg_dialect.insert(BLOBS)
            .values(sha256=sha, size=len(data), data=data)
            .on_conflict_do_nothing(index_elements=["sha256"])
        )

    @staticmethod
    def _check_blob(sha: str, data: bytes | None) -> bytes:
        if data is None:
            raise NotFoundError("A stored file is missing from the store: upload the files again.")
        if sha256_hex(data) != sha:
            raise StoreError(
                "A stored file is damaged (its content no longer matches its hash): "
                "upload the files again."
            )
        return data

    def read_blob(self, sha: str) -> bytes:
        self.blob_path(sha)  # checks the hash's form
        if self.is_shared:
            with self._read() as conn:
                data = conn.execute(sa.select(BLOBS.c.data).where(BLOBS.c.sha256 == sha)).scalar()
            return self._check_blob(sha, None if data is None else bytes(data))
        try:
            data = self.blob_path(sha).read_bytes()
        except FileNotFoundError:
            data = None
        return self._check_blob(sha, data)

    def has_blob(self, sha: str) -> bool:
        if self.is_shared:
            with self._read() as conn:
                return self._blobs_present(conn, [sha]) == {sha}
        return self.blob_path(sha).exists()

    @staticmethod
    def _blobs_present(conn: Connection, shas: Sequence[str]) -> set[str]:
        rows = conn.execute(sa.select(BLOBS.c.sha256).where(BLOBS.c.sha256.in_(list(shas))))
        return {r[0] for r in rows}

    def _ensure_blobs(self, conn: Connection, stored: Sequence[tuple[bytes, StoredFile]]) -> None:
        # A concurrent deletion may have collected a blob written before the write lock was
        # taken; under it now, put back whatever is missing before referencing it.
        if self.is_shared:
            present = self._blobs_present(conn, [info.sha256 for _, info in stored])
            for data, info in stored:
                if info.sha256 not in present:
                    self._insert_blob(conn, info.sha256, data)
                    present.add(info.sha256)
            return
        for data, info in stored:
            if not self.blob_path(info.sha256).exists():
                write_atomic(self.blob_path(info.sha256), data)

    # -- datasets ----------------------------------------------------------------------
    def create_dataset(
        self,
        files: Sequence[tuple[str, bytes]],
        *,
        owner: str,
        options: Mapping[str, Any] | None = None,
        label: str = "",
        source_format: str = "",
        audit_later: bool = False,
    ) -> Dataset:
        """Store an upload (files in order + load options) and return its dataset.

        Uploading the same files with the same options again by the same owner returns
        the existing dataset instead of a second copy (and records its source format if
        it had none). Records an ``upload`` audit entry; with `audit_later`, when the
        dataset is already stored as it is, the entry is deferred (`record(later=True)`)
        and nothing is written now.
        """
        owner = _clean_user(owner)
        if not files:
            raise StoreError("No files to store: choose at least one export to upload.")
        opts = dict(options or {})
        try:
            options_json = json.dumps(opts, sort_keys=True, default=str)
        except (TypeError, ValueError):
            raise StoreError("Load options must be plain text, numbers, lists or tables.") from None
        stored: list[tuple[bytes, StoredFile]] = []
        for name, data in files:
            if not isinstance(data, bytes | bytearray | memoryview):
                raise StoreError("A file's content must be bytes.")
            data = bytes(data)
            sha = self.put_blob(data)
            stored.append((data, StoredFile(sha, str(name), len(data))))
        fingerprint = sha256_hex(
            json.dumps(
                [[f.sha256, f.name] for _, f in stored] + [options_json], sort_keys=True
            ).encode()
        )
        label = _clean_label(label) or _clean_label(", ".join(f.name for _, f in stored))
        source_format = str(source_format or "")[:MAX_SOURCE_FORMAT]
        if audit_later:
            found = None
            with self._read() as conn:
                known = self._same_upload(conn, owner, fingerprint)
                if known is not None and (known.source_format or not source_format):
                    found = self._dataset(conn, known.id)
            if found is not None:
                self.record(owner, "upload", found.id, ALREADY_STORED, later=True)
                return found
        with self._write() as conn:
            existing = self._same_upload(conn, owner, fingerprint)
            if existing is not None:
                dataset_id = existing.id
                if source_format and not existing.source_format:
                    conn.execute(
                        sa.update(DATASETS)
                        .where(DATASETS.c.id == dataset_id)
                        .values(source_format=source_format)
                    )
            else:
                self._ensure_blobs(conn, stored)
                dataset_id = self._insert_with_new_id(
                    conn,
                    "dataset",
                    {
                        "label": label,
                        "options": options_json,
                        "fingerprint": fingerprint,
                        "owner": owner,
                        "created": _now(),
                        "source_format": source_format,
                    },
                )
                conn.execute(
                    sa.insert(DATASET_FILES),
                    [
                        {
                            "dataset_id": dataset_id,
                            "position": i,
                            "sha256": info.sha256,
                            "name": info.name,
                            "size": info.size,
                        }
                        for i, (_, info) in enumerate(stored)
                    ],
                )
            # The same files again (a new session opening them) are still an upload by
            # this user, but the log says no new copy was made.
            detail = ALREADY_STORED if existing is not None else ""
            self._audit(conn, owner, "upload", dataset_id, detail)
        return self.get_dataset(dataset_id)

    @staticmethod
    def _same_upload(conn: Connection, owner: str, fingerprint: str) -> sa.Row | None:
        """(id, source_format) of the owner's dataset of these files and options, if any."""
        return conn.execute(
            sa.select(DATASETS.c.id, DATASETS.c.source_format).where(
                DATASETS.c.owner == owner, DATASETS.c.fingerprint == fingerprint
            )
        ).first()

    def _insert_with_new_id(self, conn: Connection, kind: str, values: dict[str, Any]) -> str:
        """Insert a row under a new random id (another if that one is taken)."""
        table = _ID_TABLES[kind]
        insert = (pg_dialect if self.is_shared else sqlite_dialect).insert(table)
        for _ in range(20):
            new = new_id(kind)
            done = conn.execute(
                insert.values(id=new, **values).on_conflict_do_nothing(index_elements=["id"]),
                execution_options={"preserve_rowcount": True},  # INSERT: not kept by default
            )
            if done.rowcount == 1:
                return new
        raise StoreError("Could not allocate a new id: try again.")

    def get_dataset(self, dataset_id: str) -> Dataset:
        with self._read() as conn:
            return self._dataset(conn, dataset_id)

    def _dataset(self, conn: Connection, dataset_id: str) -> Dataset:
        row = conn.execute(sa.select(DATASETS).where(DATASETS.c.id == dataset_id)).first()
        if row is None:
            raise NotFoundError(
                "This dataset is not in the store (it may have been deleted by its owner): "
                "upload the files again."
            )
        files = conn.execute(
            sa.select(DATASET_FILES.c.sha256, DATASET_FILES.c.name, DATASET_FILES.c.size)
            .where(DATASET_FILES.c.dataset_id == dataset_id)
            .order_by(DATASET_FILES.c.position)
        ).all()
        return self._dataset_from_row(row, files)

    @staticmethod
    def _dataset_from_row(row: sa.Row, files: Sequence[sa.Row]) -> Dataset:
        return Dataset(
            id=row.id,
            label=row.label,
            files=tuple(StoredFile(f.sha256, f.name, int(f.size)) for f in files),
            options=json.loads(row.options),
            owner=row.owner,
            created=_parse_time(row.created),
            source_format=row.source_format,
        )

    def list_datasets(self, owner: str | None = None) -> list[Dataset]:
        """Datasets, newest first (all of them, or one owner's)."""
        query = sa.select(DATASETS).order_by(DATASETS.c.created.desc())
        if owner is not None:
            query = query.where(DATASETS.c.owner == owner)
        with self._read() as conn:
            rows = conn.execute(query).all()
            files = conn.execute(
                sa.select(DATASET_FILES).order_by(
                    DATASET_FILES.c.dataset_id, DATASET_FILES.c.position
                )
            ).all()
        by_dataset: dict[str, list[sa.Row]] = {}
        for f in files:
            by_dataset.setdefault(f.dataset_id, []).append(f)
        return [self._dataset_from_row(r, by_dataset.get(r.id, [])) for r in rows]

    def rename_dataset(self, dataset_id: str, label: str, user: str) -> Dataset:
        """Give a dataset a new label ("November export"); only its owner may, as for
        deletion. Records ``rename`` (without the label: it is the user's free text)."""
        user = _clean_user(user)
        label = _clean_label(label)
        if not label:
            raise StoreError("A dataset needs a label: type one, then save.")
        with self._write() as conn:
            owner = self._owner(conn, DATASETS, dataset_id)
            if owner is None:
                raise NotFoundError("This dataset is not in the store (it may have been deleted).")
            if owner != user:
                raise NotOwnerError(
                    "Only the person who uploaded this dataset can rename it: ask them to."
                )
            conn.execute(sa.update(DATASETS).where(DATASETS.c.id == dataset_id).values(label=label))
            self._audit(conn, user, "rename", dataset_id, "")
        return self.get_dataset(dataset_id)

    @staticmethod
    def _owner(conn: Connection, table: sa.Table, object_id: str) -> str | None:
        return conn.execute(sa.select(table.c.owner).where(table.c.id == object_id)).scalar()

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
        """The dataset's files as ``(name, bytes)``, in upload order.

        A dataset deleted meanwhile is not found, rather than found without its files (on
        PostgreSQL the record and the bytes are read in one snapshot)."""
        if not self.is_shared:
            dataset = self.get_dataset(dataset_id)
            try:
                return [(f.name, self.read_blob(f.sha256)) for f in dataset.files]
            except NotFoundError:
                self.get_dataset(dataset_id)  # deleted since it was read: say that instead
                raise
        with self._read() as conn:
            dataset = self._dataset(conn, dataset_id)
            shas = sorted({f.sha256 for f in dataset.files})
            rows = conn.execute(
                sa.select(BLOBS.c.sha256, BLOBS.c.data).where(BLOBS.c.sha256.in_(shas))
            ).all()
        data = {r.sha256: bytes(r.data) for r in rows}
        return [(f.name, self._check_blob(f.sha256, data.get(f.sha256))) for f in dataset.files]

    def delete_dataset(self, dataset_id: str, user: str) -> None:
        """Delete a dataset and its saved views; only its owner may. Records ``delete``."""
        user = _clean_user(user)
        with self._write() as conn:
            owner = self._owner(conn, DATASETS, dataset_id)
            if owner is None:
                raise NotFoundError("This dataset is not in the store (already deleted?).")
            if owner != user:
                raise NotOwnerError(
                    "Only the person who uploaded this dataset can delete it: ask them to."
                )
            conn.execute(sa.delete(VIEWS).where(VIEWS.c.dataset_id == dataset_id))
            conn.execute(sa.delete(DATASET_FILES).where(DATASET_FILES.c.dataset_id == dataset_id))
            conn.execute(sa.delete(DATASETS).where(DATASETS.c.id == dataset_id))
            self._audit(conn, user, "delete", dataset_id, "")
        self.collect_garbage()

    def collect_garbage(self) -> int:
        """Remove blobs no dataset references (and, on SQLite, temporary files left by
        dead writers).

        Runs under the write lock so that no upload, from this replica or another, can
        reference a blob while it goes. Returns the number of blobs and files removed.
        """
        with self._write() as conn:
            if self.is_shared:
                return conn.execute(sa.delete(BLOBS).where(_unreferenced_blob())).rowcount
            removed = 0
            cutoff = time.time() - STALE_TMP_SECONDS
            in_use = {r[0] for r in conn.execute(sa.select(DATASET_FILES.c.sha256).distinct())}
            for path in self.blob_root.glob("*/*"):
                name = path.name
                try:
                    if name.startswith(TMP_PREFIX):
                        if path.stat().st_mtime < cutoff:
                            path.unlink()
                            removed += 1
                    elif SHA_PATTERN.fullmatch(name) and name not in in_use:
                        path.unlink()
                        removed += 1
                except FileNotFoundError:
                    continue
            return removed

    def discard_blobs(self, shas: Iterable[str]) -> int:
        """Remove those of these blobs that no dataset references: the files of an upload
        written ahead of its read (`ui.links.StoredAhead`) when the read failed. Under the
        write lock, as `collect_garbage`; returns how many went."""
        wanted = sorted({sha for sha in shas if SHA_PATTERN.fullmatch(sha)})
        if not wanted:
            return 0
        with self._write() as conn:
            if self.is_shared:
                return conn.execute(
                    sa.delete(BLOBS).where(BLOBS.c.sha256.in_(wanted), _unreferenced_blob())
                ).rowcount
            in_use = {
                r[0]
                for r in conn.execute(
                    sa.select(DATASET_FILES.c.sha256).where(DATASET_FILES.c.sha256.in_(wanted))
                )
            }
            removed = 0
            for sha in wanted:
                if sha in in_use:
                    continue
                with contextlib.suppress(FileNotFoundError):
                    self.blob_path(sha).unlink()
                    removed += 1
            return removed

    # -- rule sets ---------------------------------------------------------------------
    def put_rule_set(self, name: str, text: str, owner: str) -> StoredRuleSet:
        """Store a rule set's TOML once by content; returns it with its id."""
        owner = _clean_user(owner)
        sha = sha256_hex(text.encode("utf-8"))
        with self._write() as conn:
            rule_set_id = self._rule_set_id(conn, sha)
            if rule_set_id is None:
                rule_set_id = self._insert_with_new_id(
                    conn,
                    "rule_set",
                    {
                        "name": str(name)[:200],
                        "sha256": sha,
                        "text": text,
                        "owner": owner,
                        "created": _now(),
                    },
                )
        return self.get_rule_set(rule_set_id)

    @staticmethod
    def _rule_set_id(conn: Connection, sha: str) -> str | None:
        return conn.execute(sa.select(RULE_SETS.c.id).where(RULE_SETS.c.sha256 == sha)).scalar()

    def adopt_rule_set(
        self, name: str, owner: str, text_for: Callable[[int], str]
    ) -> StoredRuleSet:
        """Store an edited rule set as the next version of `name` (1 for a new name).

        `text_for(version)` writes the set's TOML for that version (its label names the
        version), called once the version is known, under the write lock, so two people
        adopting under one name at once get two versions. Records ``adopt_rules``.
        """
        owner = _clean_user(owner)
        name = _clean_label(name, MAX_NAME)
        if not name:
            raise StoreError("An adopted rule set needs a name: type one, then adopt.")
        with self._write() as conn:
            latest = conn.execute(
                sa.select(sa.func.max(RULE_SETS.c.version)).where(RULE_SETS.c.name == name)
            ).scalar()
            version = (latest or 0) + 1
            text = text_for(version)
            sha = sha256_hex(text.encode("utf-8"))
            rule_set_id = self._rule_set_id(conn, sha)
            values = {"name": name, "version": version, "owner": owner, "created": _now()}
            if rule_set_id is None:
                rule_set_id = self._insert_with_new_id(
                    conn, "rule_set", {"sha256": sha, "text": text, **values}
                )
            else:  # the same text stored before (uploaded): it is now this adoption
                conn.execute(
                    sa.update(RULE_SETS).where(RULE_SETS.c.id == rule_set_id).values(**values)
                )
            self._audit(conn, owner, "adopt_rules", rule_set_id, f"{name}, version {version}")
        return self.get_rule_set(rule_set_id)

    @staticmethod
    def _rule_set_from_row(row: sa.Row) -> StoredRuleSet:
        return StoredRuleSet(
            row.id, row.name, row.text, row.owner, _parse_time(row.created), row.version
        )

    def get_rule_set(self, rule_set_id: str) -> StoredRuleSet:
        with self._read() as conn:
            row = conn.execute(sa.select(RULE_SETS).where(RULE_SETS.c.id == rule_set_id)).first()
        if row is None:
            raise NotFoundError("This rule set is not in the store: upload the rule file again.")
        return self._rule_set_from_row(row)

    def list_rule_sets(self) -> list[StoredRuleSet]:
        """Every stored rule set, newest first."""
        with self._read() as conn:
            rows = conn.execute(sa.select(RULE_SETS).order_by(RULE_SETS.c.created.desc())).all()
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
        name = _clean_label(name, MAX_NAME)
        if not name:
            raise StoreError("A saved view needs a name: type one, then save.")
        filters_json = json.dumps(
            {str(k): [str(v) for v in vals] for k, vals in (filters or {}).items()},
            sort_keys=True,
        )
        with self._write() as conn:
            if self._owner(conn, DATASETS, dataset_id) is None:
                raise NotFoundError(
                    "This dataset is not in the store: upload it before saving a view."
                )
            view_id = conn.execute(
                sa.select(VIEWS.c.id).where(VIEWS.c.owner == owner, VIEWS.c.name == name)
            ).scalar()
            values = {
                "dataset_id": dataset_id,
                "rule_set": rule_set,
                "as_of": as_of,
                "page": page,
                "filters": filters_json,
                "created": _now(),
            }
            if view_id is not None and not replace:
                raise StoreError(VIEW_EXISTS)
            if view_id is None:
                view_id = self._insert_with_new_id(
                    conn, "view", {"name": name, "owner": owner, **values}
                )
            else:
                conn.execute(sa.update(VIEWS).where(VIEWS.c.id == view_id).values(**values))
            self._audit(conn, owner, "save_view", view_id, "")
        return self.get_view(view_id)

    @staticmethod
    def _view_from_row(row: sa.Row) -> SavedView:
        return SavedView(
            id=row.id,
            name=row.name,
            dataset_id=row.dataset_id,
            rule_set=row.rule_set,
            as_of=row.as_of,
            page=row.page,
            filters=json.loads(row.filters),
            owner=row.owner,
            created=_parse_time(row.created),
        )

    def get_view(self, view_id: str) -> SavedView:
        with self._read() as conn:
            row = conn.execute(sa.select(VIEWS).where(VIEWS.c.id == view_id)).first()
        if row is None:
            raise NotFoundError("This saved view no longer exists (its dataset was deleted?).")
        return self._view_from_row(row)

    def list_views(self, dataset_id: str | None = None) -> list[SavedView]:
        """Saved views, newest first; everyone signed in may open them."""
        query = sa.select(VIEWS).order_by(VIEWS.c.created.desc())
        if dataset_id is not None:
            query = query.where(VIEWS.c.dataset_id == dataset_id)
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [self._view_from_row(r) for r in rows]

    def delete_view(self, view_id: str, user: str) -> None:
        user = _clean_user(user)
        with self._write() as conn:
            owner = self._owner(conn, VIEWS, view_id)
            if owner is None:
                raise NotFoundError("This saved view no longer exists.")
            if owner != user:
                raise NotOwnerError("Only the person who saved this view can delete it.")
            conn.execute(sa.delete(VIEWS).where(VIEWS.c.id == view_id))
            self._audit(conn, user, "delete", view_id, "")

    # -- source formats ----------------------------------------------------------------
    # A format's name is free text the user typed: never put it in an audit detail.
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
        name = _clean_label(name, MAX_FORMAT_NAME)
        if not name:
            raise StoreError("A source format needs a name: type one, then save.")
        if not mapping:
            raise StoreError("This mapping maps no column: choose the fields, then save.")
        mapping_json = json.dumps({str(k): str(v) for k, v in mapping.items()})
        headers_json = json.dumps(sorted({str(h) for h in headers}))
        table = SOURCE_FORMATS
        with self._write() as conn:
            row = conn.execute(
                sa.select(table.c.id, table.c.owner).where(table.c.name == name)
            ).first()
            now = _now()
            if row is None:
                format_id = self._insert_with_new_id(
                    conn,
                    "source_format",
                    {
                        "name": name,
                        "mapping": mapping_json,
                        "headers": headers_json,
                        "owner": owner,
                        "created": now,
                        "changed_by": owner,
                        "changed": now,
                    },
                )
            elif replace and row.owner == owner:
                format_id = row.id
                conn.execute(
                    sa.update(table)
                    .where(table.c.id == format_id)
                    .values(
                        mapping=mapping_json, headers=headers_json, changed_by=owner, changed=now
                    )
                )
            else:
                raise StoreError(FORMAT_EXISTS)
            self._audit(conn, owner, "save_format", format_id, "")
        return self.get_format(format_id)

    @staticmethod
    def _format_from_row(row: sa.Row) -> SourceFormat:
        return SourceFormat(
            id=row.id,
            name=row.name,
            mapping=json.loads(row.mapping),
            headers=tuple(json.loads(row.headers)),
            owner=row.owner,
            created=_parse_time(row.created),
            changed_by=row.changed_by,
            changed=_parse_time(row.changed),
        )

    def get_format(self, format_id: str) -> SourceFormat:
        table = SOURCE_FORMATS
        with self._read() as conn:
            row = conn.execute(sa.select(table).where(table.c.id == format_id)).first()
        if row is None:
            raise NotFoundError("This source format no longer exists (deleted by its owner?).")
        return self._format_from_row(row)

    def list_formats(self) -> list[SourceFormat]:
        """Every saved source format, newest first (by when it was saved)."""
        table = SOURCE_FORMATS
        query = sa.select(table).order_by(table.c.created.desc(), table.c.id)
        with self._read() as conn:
            rows = conn.execute(query).all()
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

    def _owned_format(self, conn: Connection, format_id: str, user: str, what: str) -> None:
        owner = self._owner(conn, SOURCE_FORMATS, format_id)
        if owner is None:
            raise NotFoundError("This source format no longer exists (deleted by its owner?).")
        if owner != user:
            raise NotOwnerError(f"Only the person who saved this source format can {what} it.")

    def rename_format(self, format_id: str, name: str, user: str) -> SourceFormat:
        """Give a format a new name; only its owner may. Records ``rename``."""
        user = _clean_user(user)
        name = _clean_label(name, MAX_FORMAT_NAME)
        if not name:
            raise StoreError("A source format needs a name: type one, then save.")
        table = SOURCE_FORMATS
        with self._write() as conn:
            self._owned_format(conn, format_id, user, "rename")
            taken = conn.execute(
                sa.select(table.c.id).where(table.c.name == name, table.c.id != format_id)
            ).first()
            if taken is not None:
                raise StoreError(FORMAT_EXISTS)
            conn.execute(
                sa.update(table)
                .where(table.c.id == format_id)
                .values(name=name, changed_by=user, changed=_now())
            )
            self._audit(conn, user, "rename", format_id, "")
        return self.get_format(format_id)

    def delete_format(self, format_id: str, user: str) -> None:
        """Delete a format; only its owner may. Records ``delete``. Datasets read with it
        keep their mapping (it is stored in their options)."""
        user = _clean_user(user)
        with self._write() as conn:
            self._owned_format(conn, format_id, user, "delete")
            conn.execute(sa.delete(SOURCE_FORMATS).where(SOURCE_FORMATS.c.id == format_id))
            self._audit(conn, user, "delete", format_id, "")

    # -- audit -------------------------------------------------------------------------
    @staticmethod
    def _audit(
        conn: Connection,
        user: str,
        action: str,
        object_id: str,
        detail: str,
        time: str | None = None,
    ) -> None:
        _check_action(action)
        conn.execute(
            sa.insert(AUDIT).values(
                time=time or _now(),
                user=user,
                action=action,
                object_id=str(object_id)[:100],
                detail=_clean_label(detail, MAX_DETAIL),
            )
        )

    def record(
        self, user: str, action: str, object_id: str = "", detail: str = "", *, later=False
    ) -> None:
        """Append an audit entry. `detail` is a short label such as "xlsx report": never
        put applicants' personal data (names, emails, licence numbers) in it.

        `later`: inside `deferred_audit()` (this thread's), the entry is held, with the
        time of this call, and written when that ends, or before the changes of an
        earlier write transaction of this thread, instead of taking a transaction (and a
        flush to disk) of its own now. Outside it, the entry is written now."""
        user = _clean_user(user)
        _check_action(action)
        if later and self._deferred.depth:
            self._deferred.entries.append((user, action, object_id, detail, _now()))
            return
        with self._write() as conn:
            self._audit(conn, user, action, object_id, detail)

    @contextlib.contextmanager
    def deferred_audit(self) -> Iterator[None]:
        """Hold this thread's `record(later=True)` entries until the block ends, then write
        them in one transaction, in order (a failure is logged; they stay held for this
        thread's next write). The app runs each page inside it (`ui.page.run`), so that a
        new session's first run writes its sign-in and the dataset it opened once the page
        is drawn, not before."""
        self._deferred.depth += 1
        try:
            yield
        finally:
            self._deferred.depth -= 1
            held = self._deferred.entries
            if not self._deferred.depth and held and not self._lately_unreachable():
                try:
                    with self._write():
                        pass
                except FAILURES as exc:
                    # The kind of failure and the count only: entries name their users.
                    log.warning(
                        "could not write %d held audit entries (%s); they stay held",
                        len(self._deferred.entries),
                        type(exc).__name__,
                    )

    def _lately_unreachable(self) -> bool:
        """The shared database could not be reached in the last UNREACHABLE_HOLD_SECONDS:
        held entries wait for the next run rather than a connect time-out at this one's
        end (the run has said already that the database is gone)."""
        return time.monotonic() - self._unreachable_at < UNREACHABLE_HOLD_SECONDS

    def take_held_audit(self) -> list[tuple[str, str, str, str, str]]:
        """The audit entries this thread still holds (a write of them failed), taken from
        it: a caller whose next run is another thread hands them to `hold_audit` there."""
        taken, self._deferred.entries = self._deferred.entries, []
        return taken

    def hold_audit(self, entries: Sequence[tuple[str, str, str, str, str]]) -> None:
        """Hold `entries` (from `take_held_audit`) again, before any held since, to be
        written as `record(later=True)` entries are. Anything else is dropped (and
        counted in the log): one malformed entry must not stop every later write."""
        valid = [
            tuple(e)
            for e in entries
            if isinstance(e, tuple | list)
            and len(e) == 5
            and all(isinstance(v, str) for v in e)
            and e[1] in ACTIONS
        ]
        if len(valid) < len(entries):
            log.warning(
                "dropped %d held audit entries that could not be read", len(entries) - len(valid)
            )
        if valid:
            self._deferred.entries = valid + self._deferred.entries

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
        query = sa.select(AUDIT)
        for column, value in (("user", user), ("action", action), ("object_id", object_id)):
            if not value:
                continue
            values = [value] if isinstance(value, str) else list(value)
            query = query.where(AUDIT.c[column].in_(values))
        if since is not None:
            query = query.where(
                AUDIT.c.time >= since.astimezone(UTC).isoformat(timespec="microseconds")
            )
        if until is not None:
            query = query.where(
                AUDIT.c.time < until.astimezone(UTC).isoformat(timespec="microseconds")
            )
        with self._read() as conn:
            # By time: an entry held for a while (`record(later=True)`) keeps the time it
            # was recorded, though entries written meanwhile got the earlier ids.
            newest_first = query.order_by(AUDIT.c.time.desc(), AUDIT.c.id.desc())
            rows = conn.execute(newest_first.limit(int(limit))).all()
        return [
            AuditEntry(r.id, _parse_time(r.time), r.user, r.action, r.object_id, r.detail)
            for r in rows
        ]


def _sqlite_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _refuse_newer(version: int, latest: int, is_shared: bool = False) -> None:
    if version > latest:
        where = (
            f"point {DATABASE_URL_ENV} at another database"
            if is_shared
            else f"set {DATA_DIR_ENV} to another folder"
        )
        raise StoreError(
            f"This store was written by a newer version of the app (schema version "
            f"{version}, this one knows up to {latest}): update the app, or {where}."
        )


_OPEN: dict[tuple[Path, str], Store] = {}
_OPEN_LOCK = threading.Lock()


def data_dir() -> Path:
    configured = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(configured).expanduser() if configured else DEFAULT_DATA_DIR


def configured_database_url() -> str:
    """The shared database's URL: ``ADMISSIONS_DATABASE_URL`` when set (set but empty:
    none), else ``[store] database_url`` of the secrets file; "" for the embedded store."""
    if DATABASE_URL_ENV in os.environ:
        return os.environ[DATABASE_URL_ENV].strip()
    for path in SECRETS_FILES:
        try:
            secrets_ = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        value = secrets_.get("store", {}).get("database_url", "")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def open_store(
    root: str | os.PathLike[str] | None = None, database_url: str | None = None
) -> Store:
    """The store under `root` (default: ``ADMISSIONS_DATA_DIR`` or ``data/store/``), in the
    shared database when one is configured (`database_url`, by default
    ``configured_database_url()``; "" for the embedded store).

    One instance per directory, database and process: the schema is set up once, and
    garbage (temporary files older than ``STALE_TMP_SECONDS``, blobs no dataset
    references) left by a killed writer is collected then, off every request's path.
    Raises StoreUnavailable when the shared database cannot be reached (not kept: the
    next call tries again).
    """
    path = Path(root) if root is not None else data_dir()
    url = configured_database_url() if database_url is None else database_url
    key = (path.resolve(), url)
    with _OPEN_LOCK:
        if key not in _OPEN:
            opened = Store(path, url or None)
            try:
                removed = opened.collect_garbage()
            except (OSError, DatabaseError, StoreUnavailable):
                log.exception("could not collect the store's garbage at start-up")
            else:
                if removed:
                    log.info("store: %d leftover file(s) removed at start-up", removed)
            _OPEN[key] = opened
        return _OPEN[key]
