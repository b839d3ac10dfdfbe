"""Home's uploader hands its files to the session and lets Streamlit's copy go: the bytes
are then held once (by the session, and by the store once they are read)."""

from types import SimpleNamespace

import pytest
from streamlit.proto.Common_pb2 import FileURLs
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import DeletedFile, UploadedFile, UploadedFileRec

from ui import home, state


@pytest.fixture
def uploads(monkeypatch):
    """Streamlit's in-memory upload store with two files of session "s1" (and one of
    another session), and a script run context naming "s1"."""
    manager = MemoryUploadedFileManager("/_stcore/upload_file")
    recs = [
        UploadedFileRec("f1", "a.csv", "text/csv", b"Applicant ID\nA1\n"),
        UploadedFileRec("f2", "b.csv", "text/csv", b"Applicant ID\nB1\n"),
    ]
    for rec in recs:
        manager.add_file("s1", rec)
    manager.add_file("s2", UploadedFileRec("f3", "c.csv", "text/csv", b"Applicant ID\nC1\n"))
    ctx = SimpleNamespace(session_id="s1", uploaded_file_mgr=manager)
    monkeypatch.setattr(home, "get_script_run_ctx", lambda: ctx)
    files = [UploadedFile(rec, FileURLs()) for rec in recs]
    return manager, files


def test_opening_uploads_takes_the_bytes_and_empties_streamlits_store(uploads, monkeypatch):
    manager, files = uploads
    session: dict = {"home_upload": files}
    monkeypatch.setattr(home.st, "session_state", session)
    home.open_uploads()
    opened = state.dataset(session=session)
    assert opened.files == (("a.csv", b"Applicant ID\nA1\n"), ("b.csv", b"Applicant ID\nB1\n"))
    assert opened.label == "a.csv, b.csv"
    assert manager.get_files("s1", ["f1", "f2"]) == []
    assert [f.name for f in manager.get_files("s2", ["f3"])] == ["c.csv"]  # not this session's


def test_a_value_of_files_streamlit_no_longer_has_opens_nothing(uploads, monkeypatch):
    # The run after an upload: the uploader still lists the files, Streamlit has dropped
    # them, so its value holds DeletedFile markers; the open dataset stays as it was.
    session: dict = {"home_upload": [DeletedFile("f1"), DeletedFile("f2")]}
    state.open_files([("kept.csv", b"Applicant ID\nK1\n")], "kept.csv", session=session)
    monkeypatch.setattr(home.st, "session_state", session)
    home.open_uploads()
    assert state.dataset(session=session).names == ("kept.csv",)
