"""Home's uploader hands its files to the session and lets Streamlit's copy go: the bytes
are then held once (by the session, and by the store once they are read). The uploader
still lists the files it handed over; adding or removing one opens the files it then
lists, the earlier ones' bytes coming back from the session or the store."""

from types import SimpleNamespace

import pytest
from streamlit.proto.Common_pb2 import FileURLs
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import DeletedFile, UploadedFile, UploadedFileRec

import store
from ui import home, state

A = UploadedFileRec("f1", "a.csv", "text/csv", b"Applicant ID\nA1\n")
B = UploadedFileRec("f2", "b.csv", "text/csv", b"Applicant ID\nB1\n")
C = UploadedFileRec("f3", "c.csv", "text/csv", b"Applicant ID\nC1\n")


@pytest.fixture
def uploader(monkeypatch):
    """Streamlit's in-memory upload store holding A and B for session "s1" (and C for
    another session), a script run context naming "s1", and a session state of our own;
    `choose(value)` sets the uploader's value and runs its on_change."""
    manager = MemoryUploadedFileManager("/_stcore/upload_file")
    for rec in (A, B):
        manager.add_file("s1", rec)
    manager.add_file("s2", C)
    ctx = SimpleNamespace(session_id="s1", uploaded_file_mgr=manager)
    monkeypatch.setattr(home, "get_script_run_ctx", lambda: ctx)
    session: dict = {}
    monkeypatch.setattr(home.st, "session_state", session)
    toasts: list[str] = []
    monkeypatch.setattr(home.st, "toast", toasts.append)

    def choose(value):
        session[home.UPLOAD_KEY] = value
        home.open_uploads()
        return state.dataset(session=session)

    return SimpleNamespace(manager=manager, session=session, choose=choose, toasts=toasts)


def _file(rec: UploadedFileRec) -> UploadedFile:
    return UploadedFile(rec, FileURLs())


def test_opening_uploads_takes_the_bytes_and_empties_streamlits_store(uploader):
    opened = uploader.choose([_file(A), _file(B)])
    assert opened.files == (("a.csv", A.data), ("b.csv", B.data))
    assert opened.label == "a.csv, b.csv"
    assert uploader.manager.get_files("s1", ["f1", "f2"]) == []
    assert [f.name for f in uploader.manager.get_files("s2", ["f3"])] == ["c.csv"]


def test_the_run_after_an_upload_keeps_the_dataset_as_it_is(uploader):
    uploader.choose([_file(A), _file(B)])
    state.set_date_order("dmy", session=uploader.session)  # a choice made since
    # Streamlit no longer has the files: the uploader's value holds markers for them.
    opened = uploader.choose([DeletedFile("f1"), DeletedFile("f2")])
    assert opened.files == (("a.csv", A.data), ("b.csv", B.data))
    assert opened.date_order == "dmy"  # not opened afresh


def test_a_file_added_later_joins_the_files_still_held_by_the_session(uploader):
    uploader.choose([_file(A)])
    opened = uploader.choose([DeletedFile("f1"), _file(B)])
    assert opened.files == (("a.csv", A.data), ("b.csv", B.data))
    assert opened.label == "a.csv, b.csv"


def test_a_file_added_after_the_first_was_stored_takes_its_bytes_from_the_store(uploader):
    uploader.choose([_file(A)])
    store.open_store().put_blob(A.data)  # what storing the dataset writes
    state.keep_in_store(session=uploader.session)
    assert state.dataset(session=uploader.session).files == (("a.csv", None),)
    opened = uploader.choose([DeletedFile("f1"), _file(B)])
    assert opened.files == (("a.csv", A.data), ("b.csv", B.data))


def test_a_file_removed_from_the_list_leaves_the_others_open(uploader):
    uploader.choose([_file(A), _file(B)])
    opened = uploader.choose([DeletedFile("f2")])
    assert opened.files == (("b.csv", B.data),)


def test_a_file_neither_held_nor_stored_is_named_and_the_rest_opens(uploader):
    uploader.choose([_file(A)])
    state.keep_in_store(session=uploader.session)  # stored, then deleted: not in the store
    opened = uploader.choose([DeletedFile("f1"), _file(B)])
    assert opened.files == (("b.csv", B.data),)
    assert uploader.toasts == [home.GONE + "a\\.csv"]


def test_when_none_of_the_files_listed_can_open_the_earlier_dataset_closes(uploader):
    uploader.choose([_file(A), _file(B)])
    state.keep_in_store(session=uploader.session)  # stored, then deleted elsewhere
    store.open_store().put_blob(B.data)  # B is still stored (another copy uses it)
    # B removed from the list: only A is left, and the store no longer has it.
    assert uploader.choose([DeletedFile("f1")]) is None
    assert uploader.toasts == [home.GONE + "a\\.csv"]
    assert uploader.choose([DeletedFile("f1")]) is None  # and it stays closed, said once
    assert uploader.toasts == [home.GONE + "a\\.csv"]


def test_a_store_out_of_reach_changes_nothing_and_says_so(uploader, monkeypatch):
    uploader.choose([_file(A)])
    store.open_store().put_blob(A.data)
    state.keep_in_store(session=uploader.session)
    real = store.Store.read_blob

    def unreachable(self, sha):
        raise store.StoreUnavailable("the database is not answering")

    monkeypatch.setattr(store.Store, "read_blob", unreachable)
    opened = uploader.choose([DeletedFile("f1"), _file(B)])
    assert opened.names == ("a.csv",)  # the open dataset stays
    assert uploader.toasts == [home.UNREACHABLE]
    monkeypatch.setattr(store.Store, "read_blob", real)  # the store answers again
    assert uploader.choose([DeletedFile("f1"), _file(B)]).names == ("a.csv", "b.csv")


def test_a_deleted_dataset_leaves_the_uploaders_files_closed(uploader):
    uploader.choose([_file(A)])
    store.open_store().put_blob(A.data)  # still stored (another copy references it)
    state.close_dataset(session=uploader.session)  # its owner deleted it here
    opened = uploader.choose([DeletedFile("f1"), _file(B)])
    assert opened.files == (("b.csv", B.data),)


def test_markers_of_files_never_handed_over_open_nothing(uploader):
    state.open_files([("kept.csv", b"Applicant ID\nK1\n")], "kept.csv", session=uploader.session)
    assert uploader.choose([DeletedFile("f9")]).names == ("kept.csv",)
