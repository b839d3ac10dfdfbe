import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.pages_manager import PagesManager

import store


@pytest.fixture(autouse=True)
def _no_auto_sample(monkeypatch):
    # `make run` sets this; page tests choose their data explicitly.
    monkeypatch.delenv("ADMISSIONS_OPEN_SAMPLE", raising=False)


@pytest.fixture(autouse=True)
def _fresh_pages_flag(monkeypatch):
    # Streamlit decides once per process whether an app has a pages/ folder (a class
    # attribute set by the first AppTest to run). Reset it around each test, so a test's
    # result does not depend on which test ran first.
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)


@pytest.fixture
def shared_store() -> store.Store:
    """The test's own store (tests/conftest.py points ADMISSIONS_DATA_DIR at a new folder)."""
    return store.open_store()


@pytest.fixture
def downloads_seen(monkeypatch) -> dict[str, bytes]:
    """File name -> the bytes a download button handed to the browser."""
    seen: dict[str, bytes] = {}
    original = MediaFileManager.add

    def add(self, data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        if file_name is not None:
            seen[file_name] = data
        return original(self, data, mimetype, coordinates, file_name, is_for_static_download)

    monkeypatch.setattr(MediaFileManager, "add", add)
    return seen
