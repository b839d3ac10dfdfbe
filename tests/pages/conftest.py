import pytest


@pytest.fixture(autouse=True)
def _no_auto_sample(monkeypatch):
    # `make run` sets this; page tests choose their data explicitly.
    monkeypatch.delenv("ADMISSIONS_OPEN_SAMPLE", raising=False)
