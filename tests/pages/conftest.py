import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import app_test

import store


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
