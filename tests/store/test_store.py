"""The store on both engines: round trips, content addressing, ownership, audit log."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import store

ROOT = Path(__file__).resolve().parents[2]

CSV_A = b"applicant id,name,cohort\nA1,Jane Doe,2025-spring\n"
CSV_B = b"applicant id,name,cohort\nB1,John Roe,2025-autumn\n"


class TestDatasets:
    def test_round_trip_keeps_files_in_order_with_options(self, st_):
        options = {"sheet": "Intake", "mapping": {"ref no": "applicant_id"}, "date_order": {}}
        ds = st_.create_dataset(
            [("b.csv", CSV_B), ("a.csv", CSV_A)], owner="ana@clinic.org", options=options
        )
        assert store.is_id(ds.id, "dataset")
        again = st_.get_dataset(ds.id)
        assert again == ds
        assert again.options == options
        assert [f.name for f in again.files] == ["b.csv", "a.csv"]
        assert st_.read_dataset_files(ds.id) == [("b.csv", CSV_B), ("a.csv", CSV_A)]
        assert again.owner == "ana@clinic.org"
        assert again.created.tzinfo is not None

    def test_id_is_random_not_derived_from_content(self, backend):
        one = backend.open("one").create_dataset([("a.csv", CSV_A)], owner="u")
        two = backend.open("two").create_dataset([("a.csv", CSV_A)], owner="u")
        assert one.id != two.id
        assert "jane" not in one.id.lower()

    def test_same_bytes_are_stored_once(self, st_, backend):
        st_.create_dataset([("a.csv", CSV_A)], owner="ana")
        st_.create_dataset([("renamed.csv", CSV_A), ("b.csv", CSV_B)], owner="ben")
        names = backend.blob_names(st_)
        assert names == sorted({store.sha256_hex(CSV_A), store.sha256_hex(CSV_B)})

    def test_same_upload_by_same_owner_returns_the_existing_dataset(self, st_):
        first = st_.create_dataset([("a.csv", CSV_A)], owner="ana", options={"sheet": None})
        second = st_.create_dataset([("a.csv", CSV_A)], owner="ana", options={"sheet": None})
        other_options = st_.create_dataset([("a.csv", CSV_A)], owner="ana", options={"sheet": "X"})
        other_owner = st_.create_dataset([("a.csv", CSV_A)], owner="ben", options={"sheet": None})
        assert second.id == first.id
        assert len({first.id, other_options.id, other_owner.id}) == 3
        details = [e.detail for e in reversed(st_.audit_log(action="upload", user="ana"))]
        assert details == ["", store.ALREADY_STORED, ""]

    def test_list_datasets_newest_first_and_by_owner(self, st_):
        a = st_.create_dataset([("a.csv", CSV_A)], owner="ana")
        b = st_.create_dataset([("b.csv", CSV_B)], owner="ben")
        assert [d.id for d in st_.list_datasets()] == [b.id, a.id]
        assert [d.id for d in st_.list_datasets(owner="ana")] == [a.id]
        assert st_.list_datasets()[0].files == b.files

    def test_unknown_dataset_says_what_to_do(self, st_):
        with pytest.raises(store.NotFoundError, match="upload the files again"):
            st_.get_dataset("d-aaaaaaaaaa")

    def test_empty_upload_is_refused(self, st_):
        with pytest.raises(store.StoreError, match="at least one"):
            st_.create_dataset([], owner="ana")

    def test_anonymous_owner_is_refused(self, st_):
        with pytest.raises(store.StoreError, match="sign in"):
            st_.create_dataset([("a.csv", CSV_A)], owner="  ")

    def test_damaged_blob_is_reported_not_returned(self, st_, backend):
        ds = st_.create_dataset([("a.csv", CSV_A)], owner="ana")
        backend.write_blob(st_, ds.files[0].sha256, b"tampered")
        with pytest.raises(store.StoreError, match="damaged"):
            st_.read_dataset_files(ds.id)

    def test_data_directory_and_database_from_environment(self, backend, tmp_path, monkeypatch):
        monkeypatch.setenv(store.DATA_DIR_ENV, str(tmp_path / "env-store"))
        monkeypatch.setenv(store.DATABASE_URL_ENV, backend.url("env-store") or "")
        opened = store.open_store()
        assert opened.root == tmp_path / "env-store"
        assert opened.is_shared is not backend.is_sqlite
        # On PostgreSQL the folder holds no database: only what a replica may lose.
        assert (tmp_path / "env-store" / store.DB_NAME).exists() is backend.is_sqlite
        assert store.open_store() is opened

    def test_default_data_directory_is_inside_the_project(self, monkeypatch):
        monkeypatch.delenv(store.DATA_DIR_ENV, raising=False)
        assert store.data_dir() == ROOT / "data" / "store"
        assert "data/store/" in (ROOT / ".gitignore").read_text().splitlines()

    def test_database_is_in_wal_mode(self, st_, backend):
        backend.only("sqlite", "a PostgreSQL server has its own log")
        conn = sqlite3.connect(st_.db_path)
        try:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        finally:
            conn.close()


class TestDeletion:
    def test_only_the_owner_can_delete(self, st_):
        ds = st_.create_dataset([("a.csv", CSV_A)], owner="ana")
        with pytest.raises(store.NotOwnerError, match="Only the person who uploaded"):
            st_.delete_dataset(ds.id, "ben")
        assert st_.get_dataset(ds.id) == ds

    def test_delete_removes_dataset_views_and_unshared_blobs(self, st_, backend):
        gone = st_.create_dataset([("a.csv", CSV_A), ("b.csv", CSV_B)], owner="ana")
        kept = st_.create_dataset([("b.csv", CSV_B)], owner="ben")
        view = st_.save_view("Spring", dataset_id=gone.id, rule_set="standard", owner="ben")
        st_.delete_dataset(gone.id, "ana")
        with pytest.raises(store.NotFoundError):
            st_.get_dataset(gone.id)
        with pytest.raises(store.NotFoundError):
            st_.get_view(view.id)
        assert backend.blob_names(st_) == [store.sha256_hex(CSV_B)]
        assert st_.read_dataset_files(kept.id) == [("b.csv", CSV_B)]

    def test_deleting_twice_says_already_deleted(self, st_):
        ds = st_.create_dataset([("a.csv", CSV_A)], owner="ana")
        st_.delete_dataset(ds.id, "ana")
        with pytest.raises(store.NotFoundError, match="already deleted"):
            st_.delete_dataset(ds.id, "ana")

    def test_reupload_after_delete_stores_the_bytes_again(self, st_):
        ds = st_.create_dataset([("a.csv", CSV_A)], owner="ana")
        st_.delete_dataset(ds.id, "ana")
        again = st_.create_dataset([("a.csv", CSV_A)], owner="ana")
        assert again.id != ds.id
        assert st_.read_dataset_files(again.id) == [("a.csv", CSV_A)]

    def test_discarding_blobs_removes_only_those_no_dataset_references(self, st_, backend):
        st_.create_dataset([("b.csv", CSV_B)], owner="ben")  # references CSV_B
        ahead = st_.put_blob(CSV_A)  # written ahead of a read that then failed
        other = st_.put_blob(b"someone else's upload, still being read\n")
        assert st_.discard_blobs([ahead, store.sha256_hex(CSV_B), "not a hash"]) == 1
        assert backend.blob_names(st_) == sorted([store.sha256_hex(CSV_B), other])
        assert st_.discard_blobs([ahead]) == 0  # gone already
        assert st_.discard_blobs([]) == 0


class TestRuleSetsAndViews:
    def test_rule_set_is_stored_once_by_content(self, st_):
        text = '[rule_set]\nname = "custom"\n'
        one = st_.put_rule_set("custom", text, owner="ana")
        two = st_.put_rule_set("custom copy", text, owner="ben")
        assert one.id == two.id
        assert store.is_id(one.id, "rule_set")
        assert st_.get_rule_set(one.id).text == text

    def test_adoptions_are_numbered_per_name_and_audited(self, st_):
        def text(label: str):
            return lambda version: f'name = "{label}"\nlabel = "{label} (version {version})"\n'

        first = st_.adopt_rule_set("Standard track, edited", "ana", text("Standard track, edited"))
        second = st_.adopt_rule_set("Standard track, edited", "ben", text("Standard track, edited"))
        other = st_.adopt_rule_set("  Night   school ", "ana", text("Night school"))
        assert [(r.name, r.version, r.owner) for r in (first, second, other)] == [
            ("Standard track, edited", 1, "ana"),
            ("Standard track, edited", 2, "ben"),
            ("Night school", 1, "ana"),
        ]
        assert st_.get_rule_set(second.id).text == (
            'name = "Standard track, edited"\nlabel = "Standard track, edited (version 2)"\n'
        )
        assert st_.put_rule_set("x", first.text, owner="cy").id == first.id  # same content
        assert [(e.user, e.action, e.object_id, e.detail) for e in st_.audit_log()] == [
            ("ana", "adopt_rules", other.id, "Night school, version 1"),
            ("ben", "adopt_rules", second.id, "Standard track, edited, version 2"),
            ("ana", "adopt_rules", first.id, "Standard track, edited, version 1"),
        ]
        assert [r.id for r in st_.list_rule_sets()] == [other.id, second.id, first.id]

    def test_a_set_uploaded_before_with_the_same_text_becomes_the_adoption(self, st_):
        uploaded = st_.put_rule_set("mine", "# text\n", owner="ben")
        assert uploaded.version is None
        adopted = st_.adopt_rule_set("Mine", "ana", lambda version: "# text\n")
        assert (adopted.id, adopted.name, adopted.version, adopted.owner) == (
            uploaded.id,
            "Mine",
            1,
            "ana",
        )

    def test_an_adoption_needs_a_name(self, st_):
        with pytest.raises(store.StoreError, match="needs a name"):
            st_.adopt_rule_set("   ", "ana", lambda version: "x")
        assert st_.list_rule_sets() == []

    def test_view_round_trip_and_replace_by_name(self, st_):
        ds = st_.create_dataset([("a.csv", CSV_A)], owner="ana")
        first = st_.save_view(
            "Spring intake",
            dataset_id=ds.id,
            rule_set="standard",
            owner="ana",
            filters={"cohort": ["2025-spring"]},
            as_of="2025-06-30",
            page="Eligibility",
        )
        assert st_.get_view(first.id).filters == {"cohort": ["2025-spring"]}
        replaced = st_.save_view(
            "Spring intake", dataset_id=ds.id, rule_set="advanced", owner="ana"
        )
        assert replaced.id == first.id
        assert replaced.rule_set == "advanced"
        assert replaced.filters == {}
        assert [v.id for v in st_.list_views()] == [first.id]
        assert st_.list_views(dataset_id="d-zzzzzzzzzz") == []

    def test_view_needs_an_existing_dataset_and_a_name(self, st_):
        with pytest.raises(store.NotFoundError):
            st_.save_view("x", dataset_id="d-aaaaaaaaaa", rule_set="standard", owner="ana")
        ds = st_.create_dataset([("a.csv", CSV_A)], owner="ana")
        with pytest.raises(store.StoreError, match="needs a name"):
            st_.save_view("  ", dataset_id=ds.id, rule_set="standard", owner="ana")

    def test_only_the_view_owner_deletes_it(self, st_):
        ds = st_.create_dataset([("a.csv", CSV_A)], owner="ana")
        view = st_.save_view("Mine", dataset_id=ds.id, rule_set="standard", owner="ana")
        with pytest.raises(store.NotOwnerError):
            st_.delete_view(view.id, "ben")
        st_.delete_view(view.id, "ana")
        assert st_.list_views() == []


class TestAudit:
    def test_actions_are_recorded_with_user_object_and_time(self, st_):
        before = datetime.now(UTC)
        ds = st_.create_dataset([("jane-doe.csv", CSV_A)], owner="ana")
        st_.record("ben", "view", ds.id)
        st_.record("ben", "export", ds.id, "xlsx report")
        st_.delete_dataset(ds.id, "ana")
        log = st_.audit_log()
        assert [(e.user, e.action, e.object_id) for e in log] == [
            ("ana", "delete", ds.id),
            ("ben", "export", ds.id),
            ("ben", "view", ds.id),
            ("ana", "upload", ds.id),
        ]
        assert all(e.time >= before for e in log)
        assert "jane" not in repr(log).lower()

    def test_filters(self, st_):
        st_.record("ana", "sign_in")
        st_.record("ben", "sign_in")
        st_.record("ben", "export", "d-aaaaaaaaaa")
        assert [e.user for e in st_.audit_log(user="ben")] == ["ben", "ben"]
        assert [e.user for e in st_.audit_log(action="sign_in")] == ["ben", "ana"]
        assert len(st_.audit_log(object_id="d-aaaaaaaaaa")) == 1
        assert len(st_.audit_log(user=["ana", "ben"], action=["sign_in", "upload"])) == 2
        future = datetime.now(UTC) + timedelta(days=1)
        assert st_.audit_log(since=future) == []
        assert len(st_.audit_log(until=future)) == 3
        assert len(st_.audit_log(limit=2)) == 2

    def test_unknown_action_is_refused(self, st_):
        with pytest.raises(store.StoreError, match="Unknown audit action"):
            st_.record("ana", "teleport")
        assert st_.audit_log() == []


class TestDeferredAudit:
    """`record(later=True)` inside `deferred_audit()`: held, then written in order."""

    @staticmethod
    def actions(st_) -> list[tuple[str, str, str]]:
        return [(e.user, e.action, e.detail) for e in reversed(st_.audit_log())]

    def test_outside_the_block_an_entry_is_written_at_once(self, st_):
        st_.record("ana", "sign_in", later=True)
        assert self.actions(st_) == [("ana", "sign_in", "")]

    def test_held_until_the_block_ends_then_written_in_order_with_their_times(self, st_):
        before = datetime.now(UTC)
        with st_.deferred_audit():
            st_.record("ana", "sign_in", later=True)
            st_.record("ana", "view", "d-aaaaaaaaaa", later=True)
            assert st_.audit_log() == []
            during = datetime.now(UTC)
        assert self.actions(st_) == [("ana", "sign_in", ""), ("ana", "view", "")]
        assert all(before <= e.time <= during for e in st_.audit_log())

    def test_a_write_in_the_block_writes_the_held_entries_first(self, st_):
        with st_.deferred_audit():
            st_.record("ana", "sign_in", later=True)
            st_.create_dataset([("a.csv", CSV_A)], owner="ana")
            assert self.actions(st_) == [("ana", "sign_in", ""), ("ana", "upload", "")]
        assert self.actions(st_) == [("ana", "sign_in", ""), ("ana", "upload", "")]

    def test_a_dataset_stored_already_is_found_without_a_write(self, st_):
        first = st_.create_dataset([("a.csv", CSV_A)], owner="ana", source_format="f")
        with st_.deferred_audit():
            st_.record("ana", "sign_in", later=True)
            again = st_.create_dataset(
                [("a.csv", CSV_A)], owner="ana", source_format="f", audit_later=True
            )
            assert again.id == first.id
            assert self.actions(st_) == [("ana", "upload", "")]
        assert self.actions(st_) == [
            ("ana", "upload", ""),
            ("ana", "sign_in", ""),
            ("ana", "upload", store.ALREADY_STORED),
        ]

    def test_a_dataset_without_its_source_format_is_still_written_then(self, st_):
        first = st_.create_dataset([("a.csv", CSV_A)], owner="ana")
        with st_.deferred_audit():
            st_.create_dataset([("a.csv", CSV_A)], owner="ana", source_format="f", audit_later=True)
            assert st_.get_dataset(first.id).source_format == "f"
            assert self.actions(st_)[-1] == ("ana", "upload", store.ALREADY_STORED)

    def test_entries_a_failed_write_did_not_commit_are_held_for_the_next(self, st_, monkeypatch):
        real = store.Store._audit
        calls = []

        def fails_once(conn, *entry):
            calls.append(entry[1])
            if len(calls) == 1:
                raise OSError("disk full")
            real(conn, *entry)

        monkeypatch.setattr(store.Store, "_audit", staticmethod(fails_once))
        with st_.deferred_audit():
            st_.record("ana", "sign_in", later=True)
        assert st_.audit_log() == []  # the failure was logged, the entry kept
        st_.record("ben", "export", "d-aaaaaaaaaa", "csv")
        assert [(u, a) for u, a, _ in self.actions(st_)] == [("ana", "sign_in"), ("ben", "export")]

    def test_the_log_is_in_the_order_things_happened_not_written(self, st_, monkeypatch):
        import threading

        from store import repository

        stamps = iter(f"2026-12-03T10:00:0{n}.000000+00:00" for n in range(10))
        monkeypatch.setattr(repository, "_now", lambda: next(stamps))
        with st_.deferred_audit():
            st_.record("ana", "sign_in", later=True)  # held: written once the block ends
            other = threading.Thread(target=st_.record, args=("ben", "export", "", "csv"))
            other.start()
            other.join()  # another session's entry, written at once, gets the lower id
        log = st_.audit_log()
        assert [e.user for e in log] == ["ben", "ana"]  # newest first, by time
        assert log[0].id < log[1].id

    def test_entries_taken_from_a_thread_are_held_again_in_another(self, st_, monkeypatch):
        import threading

        real, taken = store.Store._audit, []

        def unwritable(conn, *entry):
            raise OSError("disk full")

        def first_run():
            monkeypatch.setattr(store.Store, "_audit", staticmethod(unwritable))
            with st_.deferred_audit():
                st_.record("ana", "sign_in", later=True)
            monkeypatch.setattr(store.Store, "_audit", staticmethod(real))
            taken.extend(st_.take_held_audit())

        run = threading.Thread(target=first_run)
        run.start()
        run.join()
        assert st_.audit_log() == []
        with st_.deferred_audit():
            st_.hold_audit(taken)
            st_.record("ana", "view", "d-aaaaaaaaaa", later=True)
        assert self.actions(st_) == [("ana", "sign_in", ""), ("ana", "view", "")]

    def test_a_failed_write_of_held_entries_logs_no_user(self, st_, monkeypatch, caplog):
        def unwritable(conn, *entry):  # an error whose statement carries the user
            insert = store.repository.sa.text("INSERT INTO no_such_table VALUES (:user)")
            conn.execute(insert, {"user": entry[0]})

        monkeypatch.setattr(store.Store, "_audit", staticmethod(unwritable))
        with st_.deferred_audit():
            st_.record("ana.secret@clinic.org", "sign_in", later=True)
        assert "could not write 1 held audit entries" in caplog.text
        assert "ana.secret" not in caplog.text
        assert len(st_.take_held_audit()) == 1

    def test_what_is_held_again_must_be_entries(self, st_):
        good = ("ana", "sign_in", "", "", "2026-12-03T10:00:00.000000+00:00")
        with st_.deferred_audit():
            st_.hold_audit([good, ("ana", "teleport", "", "", good[4]), ("short",), "text"])
        assert self.actions(st_) == [("ana", "sign_in", "")]

    def test_held_entries_wait_while_the_shared_database_is_gone(self, st_, monkeypatch):
        if not st_.is_shared:
            pytest.skip("only a shared database can be unreachable")
        from sqlalchemy import exc

        real = st_.engine.connect
        tries = []

        def gone():
            tries.append(1)
            raise exc.OperationalError("connect", {}, ConnectionRefusedError("refused"))

        monkeypatch.setattr(st_.engine, "connect", gone)
        with pytest.raises(store.StoreUnavailable):
            st_.ping()
        with st_.deferred_audit():
            st_.record("ana", "sign_in", later=True)
        assert len(tries) == 1  # no second connect time-out at the block's end
        monkeypatch.setattr(st_.engine, "connect", real)
        held = st_.take_held_audit()
        assert [entry[:2] for entry in held] == [("ana", "sign_in")]

    def test_an_unknown_action_is_refused_when_it_is_recorded(self, st_):
        with st_.deferred_audit(), pytest.raises(store.StoreError, match="Unknown audit"):
            st_.record("ana", "teleport", later=True)


def test_store_imports_no_analysis_or_interface_code():
    # A fresh interpreter, so modules the test session already imported do not count.
    code = (
        "import sys, store; "
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:]))))"
    )
    forbidden = ["pandas", "analytics", "streamlit", "ui", "pages"]
    result = subprocess.run(
        [sys.executable, "-c", code, *forbidden],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == ""


class TestSharedDatabase:
    def test_database_url_from_the_environment_or_the_secrets_file(self, tmp_path, monkeypatch):
        secrets_file = tmp_path / ".streamlit" / "secrets.toml"
        secrets_file.parent.mkdir()
        secrets_file.write_text('[store]\ndatabase_url = "postgresql://app@db/admissions"\n')
        monkeypatch.chdir(tmp_path)
        monkeypatch.delenv(store.DATABASE_URL_ENV, raising=False)
        assert store.configured_database_url() == "postgresql://app@db/admissions"
        monkeypatch.setenv(store.DATABASE_URL_ENV, "postgresql://env@db/x")
        assert store.configured_database_url() == "postgresql://env@db/x"
        monkeypatch.setenv(store.DATABASE_URL_ENV, "")  # set but empty: the embedded store
        assert store.configured_database_url() == ""

    def test_a_url_of_another_database_is_refused(self, tmp_path):
        with pytest.raises(store.StoreError, match="must be a postgresql://"):
            store.Store(tmp_path / "store", "mysql://app@db/admissions")

    def test_an_unreachable_database_is_one_line_and_not_kept(self, tmp_path):
        url = "postgresql://app:secret-word@127.0.0.1:1/admissions"
        with pytest.raises(store.StoreUnavailable) as raised:
            store.open_store(tmp_path / "store", url)
        message = str(raised.value)
        assert message == "The shared store cannot be reached: connection refused, retrying"
        assert "secret-word" not in message
        with pytest.raises(store.StoreUnavailable):  # tried again, not remembered
            store.open_store(tmp_path / "store", url)

    def test_a_replica_recovers_when_its_connections_are_cut(self, backend):
        backend.only("postgresql", "the embedded store has no connection to lose")
        opened = backend.open()
        ds = opened.create_dataset([("a.csv", CSV_A)], owner="ana")
        # The server drops every connection of this store (a restart, a failover).
        backend.query(
            "admin",
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE pid <> pg_backend_pid() AND datname = current_database() "
            "AND application_name = ''",
        )
        opened.ping()
        assert opened.read_dataset_files(ds.id) == [("a.csv", CSV_A)]
