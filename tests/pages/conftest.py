import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import app_test

import store
from tests.pages.helpers import Media


@pytest.fixture(autouse=True)
def _no_auto_sample(monkeypatch):
    # `make run` sets this; page tests choose their data explicitly.
    monkeypatch.delenv("ADMISSIONS_OPEN_SAMPLE", raising=False)


class _DeclaredPagesManager(PagesManager):
    """A server's pages manager once app.py has called st.navigation (see below)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture(autouse=True)
def _navigation_declared(monkeypatch):
    # Streamlit runs an app with a pages/ folder the classic way until st.navigation has
    # been called once in the process; a server repeats that first run through app.py
    # (ui.page.navigation) and never goes back. AppTest resets the flag before every run,
    # which would make every run a first one: its pages manager sets it as the server's
    # stands after the first run. test_navigation.py starts from a new server instead.
    monkeypatch.setattr(app_test, "PagesManager", _DeclaredPagesManager)


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
