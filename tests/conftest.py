"""Settings every test shares.

- Errors in full: the production config hides error details from the browser
  (`client.showErrorDetails = "none"`), which would also hide them from AppTest's
  `at.exception`, so failures would not say what went wrong.
- A store of its own per test: pages store the datasets they open and audit what
  happens, which must never land in the project's `data/store/` or leak between tests.
- The embedded store unless a test asks for PostgreSQL: a database URL in the shell or
  the secrets file must not send the tests' data there.
- No sign-in from this machine's environment: a passcode set in the shell would put
  every page behind the passcode form.
"""

from __future__ import annotations

import pytest
from streamlit import config

import store
from ui import auth

config.set_option("client.showErrorDetails", "full")


@pytest.fixture(autouse=True)
def _own_store(tmp_path_factory, monkeypatch):
    monkeypatch.setenv(store.DATA_DIR_ENV, str(tmp_path_factory.mktemp("store")))
    monkeypatch.setenv(store.DATABASE_URL_ENV, "")
    monkeypatch.delenv(auth.PASSCODE_ENV, raising=False)
