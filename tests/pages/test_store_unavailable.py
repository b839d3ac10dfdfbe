"""A replica whose shared store cannot be reached says so in one line on every page."""

from __future__ import annotations

import pytest

import store
from tests.pages.helpers import PAGES, app, literal

# Nothing listens on port 1 of this computer: connecting is refused at once.
UNREACHABLE_URL = "postgresql://admissions@127.0.0.1:1/admissions"


@pytest.mark.parametrize("page", ["app.py", *PAGES])
def test_every_page_says_the_store_cannot_be_reached_in_one_line(page, monkeypatch):
    monkeypatch.setenv(store.DATABASE_URL_ENV, UNREACHABLE_URL)
    at = app(page).run()
    assert not at.exception
    (error,) = at.error
    text = literal(error.value)
    assert text.startswith("The shared store cannot be reached: ")
    assert text.endswith(", retrying")
    assert "\n" not in text
    assert "127.0.0.1" not in text and "admissions@" not in text  # no address or user
    assert not at.metric and not at.dataframe  # nothing drawn from data it cannot read


def test_the_embedded_store_needs_no_server(monkeypatch):
    monkeypatch.setenv(store.DATABASE_URL_ENV, "")
    at = app("app.py").run()
    assert not at.exception
    assert not at.error
