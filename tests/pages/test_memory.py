"""The server gives back a closed session's data: the session counts as alive exactly as
long as its session state, and with none alive the frame caches are emptied."""

from __future__ import annotations

import gc

from tests.pages.helpers import app, sample_files, seed_files
from ui import memory


def test_a_session_is_alive_as_long_as_its_state(monkeypatch):
    cleared = []
    monkeypatch.setattr(memory.loaders, "clear_data_caches", lambda: cleared.append(True))
    gc.collect()
    before = memory.live_sessions()
    at = seed_files(app("pages/1_Eligibility.py"), sample_files()).run()
    assert not at.exception
    assert memory.live_sessions() == before + 1
    at.run()
    assert memory.live_sessions() == before + 1  # one marker per session, not per run
    del at
    gc.collect()
    assert memory.live_sessions() == before


def test_with_no_session_alive_the_frame_caches_are_emptied(monkeypatch):
    cleared = []
    monkeypatch.setattr(memory.loaders, "clear_data_caches", lambda: cleared.append(True))
    monkeypatch.setattr(memory, "_LIVE", set())
    memory.tidy()
    assert cleared == [True]
    monkeypatch.setattr(memory, "_LIVE", {memory._Live()})
    memory.tidy()
    assert cleared == [True]  # someone is still working: their caches stay
