"""Every store test runs on both engines: SQLite always, PostgreSQL when
``ADMISSIONS_TEST_DATABASE_URL`` names a database the tests may create schemas in (each
test gets fresh schemas, dropped afterwards). With ``ADMISSIONS_REQUIRE_POSTGRESQL=1`` (CI)
a missing URL fails the PostgreSQL runs instead of skipping them.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

import store

TEST_DATABASE_URL_ENV = "ADMISSIONS_TEST_DATABASE_URL"
REQUIRE_ENV = "ADMISSIONS_REQUIRE_POSTGRESQL"
ENGINES = ("sqlite", "postgresql")


def test_database_url() -> str:
    """The PostgreSQL test database's URL; skips (fails in CI) when there is none."""
    url = os.environ.get(TEST_DATABASE_URL_ENV, "").strip()
    if not url:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but {TEST_DATABASE_URL_ENV} is not set")
        pytest.skip(f"PostgreSQL: set {TEST_DATABASE_URL_ENV} to run")
    return url


test_database_url.__test__ = False  # a helper, not a test


def _driver_url(url: str) -> sa.URL:
    return sa.make_url(url).set(drivername="postgresql+psycopg")


class Backend:
    """One engine's stores for a test: `open(name)` is the same store each time."""

    def __init__(self, engine: str, tmp_path: Path):
        self.engine = engine
        self.tmp_path = tmp_path
        self._urls: dict[str, str] = {}
        self._admin: sa.Engine | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.engine == "sqlite"

    def url(self, name: str = "store") -> str | None:
        """The database URL of store `name` (a fresh schema on PostgreSQL), None on SQLite."""
        if self.is_sqlite:
            return None
        if name not in self._urls:
            base = test_database_url()
            if self._admin is None:
                self._admin = sa.create_engine(_driver_url(base), poolclass=sa.pool.NullPool)
            schema = f"t_{secrets.token_hex(6)}"
            with self._admin.begin() as conn:
                conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
            url = sa.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
            self._urls[name] = url.render_as_string(hide_password=False)
        return self._urls[name]

    def root(self, name: str = "store") -> Path:
        return self.tmp_path / name

    def open(self, name: str = "store") -> store.Store:
        return store.Store(self.root(name), self.url(name))

    def only(self, engine: str, why: str) -> None:
        if self.engine != engine:
            pytest.skip(f"{engine} only: {why}")

    # -- looking inside a store, as the tests need -------------------------------------
    def raw(self, name: str = "store") -> sa.Engine:
        """An engine on store `name`'s database, without opening the store."""
        if self.is_sqlite:
            return sa.create_engine(f"sqlite:///{self.root(name) / store.DB_NAME}")
        return sa.create_engine(_driver_url(self.url(name) or ""), poolclass=sa.pool.NullPool)

    def query(self, name: str, sql: str) -> list[tuple]:
        engine = self.raw(name)
        try:
            with engine.begin() as conn:
                result = conn.exec_driver_sql(sql)
                return [tuple(r) for r in result] if result.returns_rows else []
        finally:
            engine.dispose()

    def version(self, name: str = "store") -> int:
        sql = "PRAGMA user_version" if self.is_sqlite else "SELECT version FROM schema_version"
        return self.query(name, sql)[0][0]

    def set_version(self, name: str, version: int) -> None:
        if self.is_sqlite:
            self.query(name, f"PRAGMA user_version = {version}")
        else:
            self.query(name, f"UPDATE schema_version SET version = {version}")

    def tables(self, name: str = "store") -> set[str]:
        engine = self.raw(name)
        try:
            return set(sa.inspect(engine).get_table_names())
        finally:
            engine.dispose()

    def blob_names(self, s: store.Store) -> list[str]:
        """The hashes of the uploaded files the store holds."""
        if self.is_sqlite:
            return sorted(
                p.name for p in s.blob_root.glob("*/*") if not p.name.startswith(store.TMP_PREFIX)
            )
        with s.engine.connect() as conn:
            return sorted(r[0] for r in conn.exec_driver_sql("SELECT sha256 FROM blobs"))

    def write_blob(self, s: store.Store, sha: str, data: bytes) -> None:
        """Put `data` under `sha` behind the store's back (a damaged or orphan blob)."""
        if self.is_sqlite:
            path = s.blob_path(sha)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            return
        with s.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO blobs (sha256, size, data) VALUES (:sha, :size, :data) "
                    "ON CONFLICT (sha256) DO UPDATE SET data = EXCLUDED.data"
                ),
                {"sha": sha, "size": len(data), "data": data},
            )

    def close(self) -> None:
        if self._admin is None:
            return
        with self._admin.begin() as conn:
            for url in self._urls.values():
                schema = sa.make_url(url).query["options"].split("=", 1)[1]
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        self._admin.dispose()


@pytest.fixture(params=ENGINES)
def backend(request, tmp_path: Path) -> Iterator[Backend]:
    made = Backend(request.param, tmp_path)
    if not made.is_sqlite:
        test_database_url()
    yield made
    made.close()


@pytest.fixture
def st_(backend: Backend) -> store.Store:
    return backend.open()
