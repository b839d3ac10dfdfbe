"""Schema versions: a store written before versions existed, new steps, newer stores, races.

`tests/data/store_v0` was written by the SQLite store code as it was before schema versions
(see its make_fixture.py); every test works on a copy, never on the committed folder. The
tests of versions and new steps run on both engines, on a store seeded at the shipped
version (`_seeded`); PostgreSQL has no store from before versions.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

import store
from store import repository

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "data" / "store_v0"
SPRING = b"applicant id,cohort\nA1,2025-spring\n"
AUTUMN = b"applicant id,cohort\nB1,2025-autumn\n"
RULES = '[rule_set]\nname = "custom"\n'
DATASET_ID, RULE_SET_ID, VIEW_ID = "d-qqczuwhf2y", "r-b3npbvcfej", "v-kavcsqh44p"
OPTIONS = {"sheet": None, "mapping": {"ref no": "applicant_id"}}
TABLES = {"datasets", "dataset_files", "rule_sets", "views", "audit"}
WAIT_SECONDS = 60
# The steps the app ships; the tests of new steps append theirs after these.
SHIPPED = (
    repository.SCHEMA_V1,
    repository.SCHEMA_V2_SOURCE_FORMAT,
    repository.SCHEMA_V3_RULE_SET_VERSIONS,
    repository.SCHEMA_V4_SOURCE_FORMATS,
)
LATEST = len(SHIPPED)


def _at(second_fraction: int) -> datetime:
    # Every record of the fixture was written within the same second.
    return datetime(2026, 12, 1, 19, 7, 36, second_fraction, tzinfo=UTC)


@pytest.fixture
def sqlite_only(backend) -> None:
    backend.only("sqlite", "tests/data/store_v0 is a SQLite folder written before versions")


def _copy_fixture(tmp_path: Path) -> Path:
    root = tmp_path / "store"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("*.py"))
    return root


def _query(root: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(root / store.DB_NAME)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _version(root: Path) -> int:
    return _query(root, "PRAGMA user_version")[0][0]


def _schema(root: Path) -> list[tuple]:
    return _query(root, "SELECT type, name, sql FROM sqlite_master ORDER BY name")


def _with_steps(monkeypatch, *steps: repository.Migration) -> None:
    monkeypatch.setattr(repository, "MIGRATIONS", (*SHIPPED, *steps))


def _seeded(backend) -> str:
    """A store at the shipped version holding one dataset; returns the dataset's id."""
    ds = backend.open().create_dataset([("spring.csv", SPRING)], owner="ana", label="Intake")
    return ds.id


def _own_tables(backend) -> set[str]:
    extra = set() if backend.is_sqlite else {"blobs", "schema_version"}
    return TABLES | extra | {"source_formats"}  # step 4


@pytest.mark.usefixtures("sqlite_only")
class TestStoreWrittenBeforeVersions:
    def test_fixture_is_an_unversioned_store_with_todays_tables(self, tmp_path):
        root = _copy_fixture(tmp_path)
        assert _version(root) == 0
        tables = {name for kind, name, _ in _schema(root) if kind == "table"}
        assert tables == TABLES | {"sqlite_sequence"}

    def test_opening_marks_it_latest_and_keeps_every_record(self, tmp_path):
        root = _copy_fixture(tmp_path)
        opened = store.Store(root)
        assert _version(root) == store.SCHEMA_VERSION

        (dataset,) = opened.list_datasets()
        assert dataset == store.Dataset(
            id=DATASET_ID,
            label="Intake 2025",
            files=(
                store.StoredFile(hashlib.sha256(SPRING).hexdigest(), "spring.csv", 35),
                store.StoredFile(hashlib.sha256(AUTUMN).hexdigest(), "autumn.csv", 35),
            ),
            options=OPTIONS,
            owner="ana",
            created=_at(128221),
        )
        assert opened.read_dataset_files(DATASET_ID) == [
            ("spring.csv", SPRING),
            ("autumn.csv", AUTUMN),
        ]
        assert opened.get_rule_set(RULE_SET_ID) == store.StoredRuleSet(
            RULE_SET_ID, "custom", RULES, "ana", _at(141101)
        )
        assert opened.list_views() == [
            store.SavedView(
                id=VIEW_ID,
                name="Spring intake",
                dataset_id=DATASET_ID,
                rule_set=RULE_SET_ID,
                as_of="2025-06-30",
                page="Eligibility",
                filters={"cohort": ["2025-spring"]},
                owner="ben",
                created=_at(157889),
            )
        ]
        assert opened.audit_log() == [
            store.AuditEntry(3, _at(173911), "ben", "export", DATASET_ID, "xlsx report"),
            store.AuditEntry(2, _at(157983), "ben", "save_view", VIEW_ID, ""),
            store.AuditEntry(1, _at(128414), "ana", "upload", DATASET_ID, ""),
        ]

    def test_migrated_store_works_like_a_new_one(self, tmp_path):
        root = _copy_fixture(tmp_path)
        opened = store.Store(root)
        # The same upload by its owner is recognised, so fingerprints survived too.
        again = opened.create_dataset(
            [("spring.csv", SPRING), ("autumn.csv", AUTUMN)], owner="ana", options=OPTIONS
        )
        assert again.id == DATASET_ID
        assert opened.put_rule_set("copy", RULES, owner="ben").id == RULE_SET_ID
        opened.delete_dataset(DATASET_ID, "ana")
        assert opened.list_views() == []
        assert [e.id for e in opened.audit_log()] == [5, 4, 3, 2, 1]

    def test_migrated_schema_is_the_schema_of_a_new_store(self, tmp_path):
        root = _copy_fixture(tmp_path)
        store.Store(root)
        store.Store(tmp_path / "new")
        assert _schema(root) == _schema(tmp_path / "new")

    def test_a_rule_set_from_before_versions_is_not_an_adopted_one(self, tmp_path):
        root = _copy_fixture(tmp_path)
        opened = store.Store(root)
        assert opened.get_rule_set(RULE_SET_ID).version is None
        adopted = opened.adopt_rule_set("custom", "ana", lambda version: f"# v{version}\n")
        assert (adopted.name, adopted.version) == ("custom", 1)

    def test_opening_twice_keeps_the_version(self, tmp_path):
        root = _copy_fixture(tmp_path)
        store.Store(root)
        store.Store(root)
        assert _version(root) == store.SCHEMA_VERSION
        assert len(store.Store(root).list_datasets()) == 1


class TestVersions:
    def test_new_store_is_at_the_latest_version(self, backend):
        backend.open()
        assert backend.version() == store.SCHEMA_VERSION == LATEST
        assert repository.MIGRATIONS == SHIPPED

    def test_newer_store_is_refused_and_left_alone(self, backend):
        backend.open().record("ana", "sign_in")
        backend.set_version("store", store.SCHEMA_VERSION + 1)
        with pytest.raises(store.StoreError, match="written by a newer version of the app"):
            backend.open()
        assert backend.version() == store.SCHEMA_VERSION + 1
        assert backend.query("store", 'SELECT "user", action FROM audit') == [("ana", "sign_in")]

    def test_database_not_made_by_the_app_is_refused(self, backend):
        backend.root().mkdir()
        backend.query("store", "CREATE TABLE patients (name TEXT)")
        with pytest.raises(store.StoreError, match="did not make"):
            backend.open()
        assert backend.tables() == {"patients"}  # not even a version table was added
        if backend.is_sqlite:
            assert backend.version() == 0

    def test_a_store_at_step_one_gets_the_later_steps_and_keeps_its_records(
        self, backend, monkeypatch
    ):
        monkeypatch.setattr(repository, "MIGRATIONS", SHIPPED[:1])
        old = backend.open()
        old.record("ana", "sign_in")
        assert backend.version() == 1
        monkeypatch.setattr(repository, "MIGRATIONS", SHIPPED)
        opened = backend.open()
        assert backend.version() == LATEST
        assert [(e.user, e.action) for e in opened.audit_log()] == [("ana", "sign_in")]
        ds = opened.create_dataset([("spring.csv", SPRING)], owner="ana", source_format="x")
        assert opened.get_dataset(ds.id).source_format == "x"
        assert opened.adopt_rule_set("custom", "ana", lambda v: f"# v{v}\n").version == 1


@pytest.mark.usefixtures("sqlite_only")
class TestSourceFormatStep:
    def test_step_two_gives_every_dataset_an_unknown_source_format(self, tmp_path):
        root = _copy_fixture(tmp_path)
        opened = store.Store(root)
        assert _version(root) == LATEST  # step 2 and every later one
        assert _query(root, "SELECT id, source_format FROM datasets") == [(DATASET_ID, "")]
        indexes = {name for kind, name, _ in _schema(root) if kind == "index"}
        assert "datasets_source_format" in indexes
        # Its history is itself; an upload of the same kind, later, has it as its previous.
        assert [d.id for d in opened.history(DATASET_ID)] == [DATASET_ID]
        later = opened.create_dataset([("spring.csv", SPRING)], owner="ana", source_format="x")
        assert opened.previous_dataset(later.id).id == DATASET_ID

    def test_the_same_upload_again_records_its_format(self, tmp_path):
        opened = store.Store(_copy_fixture(tmp_path))
        again = opened.create_dataset(
            [("spring.csv", SPRING), ("autumn.csv", AUTUMN)],
            owner="ana",
            options=OPTIONS,
            source_format="headers-1",
        )
        assert (again.id, again.source_format) == (DATASET_ID, "headers-1")


class TestNewSteps:
    def test_added_step_runs_after_the_shipped_ones_and_keeps_the_data(self, backend, monkeypatch):
        dataset_id = _seeded(backend)
        _with_steps(
            monkeypatch, "ALTER TABLE datasets ADD COLUMN source TEXT NOT NULL DEFAULT 'csv'"
        )
        backend.open()
        assert backend.version() == LATEST + 1
        assert backend.query("store", "SELECT id, source FROM datasets") == [(dataset_id, "csv")]

    def test_step_may_be_a_function(self, backend, monkeypatch):
        def upper_labels(conn) -> None:
            for row_id, label in conn.execute(sa.text("SELECT id, label FROM datasets")).all():
                conn.execute(
                    sa.text("UPDATE datasets SET label = :label WHERE id = :id"),
                    {"label": label.upper(), "id": row_id},
                )

        dataset_id = _seeded(backend)
        _with_steps(monkeypatch, upper_labels)
        assert backend.open().get_dataset(dataset_id).label == "INTAKE"
        assert backend.version() == LATEST + 1

    def test_semicolons_inside_strings_and_triggers_stay_in_their_statement(
        self, backend, monkeypatch
    ):
        # One step, each engine's own SQL: a trigger is written differently on each.
        _with_steps(
            monkeypatch,
            {
                "sqlite": """
                CREATE TABLE notes (text TEXT NOT NULL);
                INSERT INTO notes VALUES ('a; b');
                CREATE TRIGGER note_uploads AFTER INSERT ON audit BEGIN
                    INSERT INTO notes VALUES ('c; d');
                END;
                """,
                "postgresql": """
                CREATE TABLE notes (n SERIAL, text TEXT NOT NULL);
                INSERT INTO notes (text) VALUES ('a; b');
                CREATE FUNCTION note_upload() RETURNS trigger AS $$
                BEGIN
                    INSERT INTO notes (text) VALUES ('c; d');
                    RETURN NEW;
                END;
                $$ LANGUAGE plpgsql;
                CREATE TRIGGER note_uploads AFTER INSERT ON audit
                    FOR EACH ROW EXECUTE FUNCTION note_upload();
                """,
            },
        )
        opened = backend.open()
        opened.record("ana", "sign_in")
        order = "rowid" if backend.is_sqlite else "n"
        assert backend.query("store", f"SELECT text FROM notes ORDER BY {order}") == [
            ("a; b",),
            ("c; d",),
        ]

    @pytest.mark.parametrize(
        "step",
        [
            "CREATE TABLE extra (x INTEGER); INSERT INTO missing VALUES (1)",
            "CREATE TABLE extra (x INT); CREATE TRIGGER t AFTER INSERT ON audit BEGIN SELECT 1;",
            "DELETE FROM datasets",
        ],
        ids=["sql-error", "unfinished-statement", "dangling-references"],
    )
    def test_failing_step_is_rolled_back_and_earlier_steps_kept(self, backend, monkeypatch, step):
        if step.startswith("DELETE"):
            # Steps run with foreign keys off on SQLite only (for table rebuilds); on
            # PostgreSQL this step is a legitimate cascading delete.
            backend.only("sqlite", "PostgreSQL checks references as a step runs")
        dataset_id = _seeded(backend)
        _with_steps(monkeypatch, step)
        failed = f"schema version {LATEST + 1}; it was left as it was"
        with pytest.raises(store.StoreError, match=failed):
            backend.open()
        assert backend.version() == LATEST
        assert backend.tables() == _own_tables(backend)
        assert backend.query("store", "SELECT id FROM datasets") == [(dataset_id,)]

    def test_rebuilding_a_table_does_not_cascade_to_its_children(
        self, backend, tmp_path, monkeypatch
    ):
        backend.only("sqlite", "SQLite's way of changing a column; PostgreSQL alters it")
        # SQLite's way of changing a column: create a copy, fill it, drop, rename.
        _with_steps(
            monkeypatch,
            """
            CREATE TABLE datasets_new (
                id TEXT PRIMARY KEY,
                label TEXT NOT NULL,
                options TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                owner TEXT NOT NULL,
                created TEXT NOT NULL,
                source_format TEXT NOT NULL DEFAULT '',
                source TEXT NOT NULL DEFAULT 'csv'
            );
            INSERT INTO datasets_new (id, label, options, fingerprint, owner, created,
                source_format)
                SELECT id, label, options, fingerprint, owner, created, source_format
                FROM datasets;
            DROP TABLE datasets;
            ALTER TABLE datasets_new RENAME TO datasets;
            """,
        )
        root = _copy_fixture(tmp_path)
        opened = store.Store(root)
        assert _version(root) == LATEST + 1
        assert [f.name for f in opened.get_dataset(DATASET_ID).files] == [
            "spring.csv",
            "autumn.csv",
        ]
        assert [v.id for v in opened.list_views()] == [VIEW_ID]


# -- processes opening one folder at once ---------------------------------------------

# Fails if it runs twice on one store (the table exists the second time).
RUN_ONCE_STEP = "CREATE TABLE step_runs (n INTEGER); INSERT INTO step_runs VALUES (1)"


def _open_at_once(root: str, url: str | None, barrier, results, extra_step: bool) -> None:
    if extra_step:
        repository.MIGRATIONS = (*SHIPPED, RUN_ONCE_STEP)
    try:
        barrier.wait(timeout=WAIT_SECONDS)
        store.Store(root, url)
        results.put("opened")
    except BaseException as exc:
        results.put(f"{type(exc).__name__}: {exc} (cause: {exc.__cause__!r})")


@pytest.mark.parametrize("extra_step", [False, True], ids=["fresh", "fresh-plus-a-step"])
def test_processes_opening_a_fresh_store_at_once_all_get_a_migrated_store(backend, extra_step):
    # On PostgreSQL each process is a replica starting: its own folder, one database.
    url = backend.url()
    workers = 6
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(workers), ctx.Queue()
    roots = [backend.root() if backend.is_sqlite else backend.root(f"r{w}") for w in range(6)]
    processes = [
        ctx.Process(target=_open_at_once, args=(str(root), url, barrier, results, extra_step))
        for root in roots
    ]
    for process in processes:
        process.start()
    try:
        outcomes = [results.get(timeout=WAIT_SECONDS) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=WAIT_SECONDS)
            if process.is_alive():
                process.kill()
    failures = [outcome for outcome in outcomes if outcome != "opened"]
    assert not failures, "\n".join(failures)
    assert backend.version() == (LATEST + 1 if extra_step else LATEST)
    if extra_step:
        assert backend.query("store", "SELECT n FROM step_runs") == [(1,)]
