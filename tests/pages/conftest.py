import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.pages_manager import PagesManager

import store
from tests.pages.helpers import Media


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
def media(monkeypatch) -> Media:
    """Every file and deferred download the app registers with Streamlit's media manager."""
    seen = Media()
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def record_add(self, data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        if file_name is not None:
            seen.added[file_name] = data
        return add(self, data, mimetype, coordinates, file_name, is_for_static_download)

    def record_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        file_id = add_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)
        seen.deferred[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add", record_add)
    monkeypatch.setattr(MediaFileManager, "add_deferred", record_deferred)
    return seen
