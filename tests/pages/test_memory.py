"""The server gives back a closed session's data: the session counts as alive exactly as
long as its session state, and with none alive the frame caches are emptied."""

from __future__ import annotations

import gc
from types import SimpleNamespace

import pytest

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


@pytest.fixture(autouse=True)
def tidy(monkeypatch):
    """The tidy-up itself; the server-wide thread an earlier page test started (it calls
    `memory.tidy` every TIDY_SECONDS) does nothing meanwhile, so that it cannot see the
    patched sessions too."""
    real = memory.tidy
    monkeypatch.setattr(memory, "tidy", lambda: None)
    return real


def test_with_no_session_alive_the_frame_caches_are_emptied(monkeypatch, tidy):
    cleared = []
    monkeypatch.setattr(memory.loaders, "clear_data_caches", lambda: cleared.append(True))
    monkeypatch.setattr(memory, "_LIVE", set())
    tidy()
    assert cleared == [True]
    monkeypatch.setattr(memory, "_LIVE", {memory._Live(None)})
    tidy()
    assert cleared == [True]  # someone is still working: their caches stay


class Fragments:
    """Stands in for the session's fragment store (a weakly referable object)."""

    def __init__(self, calls):
        self.calls = calls

    def clear(self):
        self.calls.append(("fragments", "s-1"))


def test_a_session_gone_longer_than_streamlit_keeps_it_is_released(monkeypatch):
    calls: list[tuple[str, str]] = []
    active = {"s-1": True}
    media = SimpleNamespace(
        clear_session_refs=lambda sid: calls.append(("media refs", sid)),
        remove_orphaned_files=lambda: calls.append(("media sweep", "")),
    )
    uploads = SimpleNamespace(remove_session_files=lambda sid: calls.append(("uploads", sid)))
    tables = SimpleNamespace(clear_all_for_session=lambda sid: calls.append(("tables", sid)))
    running = SimpleNamespace(
        is_active_session=lambda sid: active[sid],
        media_file_mgr=media,
        uploaded_file_mgr=uploads,
        dataframe_source_mgr=tables,
    )
    monkeypatch.setattr(
        memory, "runtime", SimpleNamespace(exists=lambda: True, get_instance=lambda: running)
    )
    monkeypatch.setattr(memory, "config", SimpleNamespace(get_option=lambda name: 120))
    state = SimpleNamespace(clear=lambda: calls.append(("state", "s-1")))
    marker = memory._Live(state)
    fragments = Fragments(calls)
    session = memory._Session(memory.weakref.ref(marker), fragments=memory.weakref.ref(fragments))
    monkeypatch.setattr(memory, "_SESSIONS", {"s-1": session})

    assert memory.release_ended_sessions(now=0) == []  # connected
    active["s-1"] = False
    assert memory.release_ended_sessions(now=10) == []  # gone: Streamlit may still resume it
    assert memory.release_ended_sessions(now=129) == []
    active["s-1"] = True
    assert memory.release_ended_sessions(now=140) == []  # it came back: the count restarts
    active["s-1"] = False
    assert memory.release_ended_sessions(now=150) == []
    assert calls == []
    assert memory.release_ended_sessions(now=270) == ["s-1"]  # 120 s gone: released
    assert calls == [
        ("media refs", "s-1"),
        ("uploads", "s-1"),
        ("tables", "s-1"),
        ("fragments", "s-1"),
        ("state", "s-1"),
        ("media sweep", ""),
    ]
    assert memory.release_ended_sessions(now=400) == []  # once


def test_a_session_is_recorded_with_its_fragments(monkeypatch):
    """Cohorts draws its applicant table in a fragment: the session's fragment store is
    recorded with it, so that releasing the session can empty it."""
    monkeypatch.setattr(memory, "_SESSIONS", {})  # AppTest gives every test one session id
    at = seed_files(app("pages/4_Cohorts.py"), sample_files()).run()
    assert not at.exception
    ((_, session),) = memory._SESSIONS.items()
    fragments = session.fragments()
    assert fragments is not None
    assert len(fragments.ids_registered_after(-1)) >= 1  # the table's fragment is in it
    fragments.clear()
    assert len(fragments.ids_registered_after(-1)) == 0


def test_a_session_streamlit_can_still_resume_is_not_released(monkeypatch):
    """A browser that reconnected and dropped again between two tidies: our count says it
    has been gone 120 s, but Streamlit restarted its own and still keeps the session."""
    kept = {"s-1"}  # what Streamlit's session manager would still resume
    cleared = []
    manager = SimpleNamespace(get_session_info=lambda sid: object() if sid in kept else None)
    running = SimpleNamespace(
        is_active_session=lambda sid: False,
        _session_mgr=manager,
        media_file_mgr=SimpleNamespace(
            clear_session_refs=lambda sid: None, remove_orphaned_files=lambda: None
        ),
        uploaded_file_mgr=SimpleNamespace(remove_session_files=lambda sid: None),
        dataframe_source_mgr=SimpleNamespace(clear_all_for_session=lambda sid: None),
    )
    monkeypatch.setattr(
        memory, "runtime", SimpleNamespace(exists=lambda: True, get_instance=lambda: running)
    )
    monkeypatch.setattr(memory, "config", SimpleNamespace(get_option=lambda name: 120))
    marker = memory._Live(SimpleNamespace(clear=lambda: cleared.append("s-1")))
    monkeypatch.setattr(memory, "_SESSIONS", {"s-1": memory._Session(memory.weakref.ref(marker))})

    assert memory.release_ended_sessions(now=0) == []  # first seen gone
    assert memory.release_ended_sessions(now=130) == []  # 130 s by our count, still kept
    assert cleared == []
    kept.clear()  # Streamlit's own time has run out
    assert memory.release_ended_sessions(now=160) == ["s-1"]
    assert cleared == ["s-1"]


@pytest.mark.parametrize(
    ("setting", "backend"),
    [(None, "system"), ("mimalloc", "mimalloc"), ("jemalloc", "jemalloc")],
)
def test_arrow_allocates_from_glibc_unless_the_operator_chose(setting, backend):
    """The server's Arrow memory comes from glibc's malloc, which `malloc_trim` empties;
    an operator's ARROW_DEFAULT_MEMORY_POOL still wins. (A process of its own: the pool is
    process-wide.)"""
    import os
    import subprocess
    import sys

    import pyarrow as pa

    if backend == "jemalloc":
        try:
            pa.jemalloc_memory_pool()
        except NotImplementedError:
            pytest.skip("this pyarrow build has no jemalloc")
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if setting is not None:
        env["ARROW_DEFAULT_MEMORY_POOL"] = setting
    probe = (
        "import pyarrow as pa; import ui.memory; "
        "pa.array(range(1000)); print(pa.default_memory_pool().backend_name)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == backend


class _Pool:
    def __init__(self, backend: str, calls: list):
        self.backend_name, self._calls = backend, calls

    def release_unused(self):
        self._calls.append(f"release {self.backend_name}")


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        # The system pool's release is glibc's malloc_trim itself: not a second time.
        ("system", ["release system"]),
        ("mimalloc", ["release mimalloc", "malloc_trim"]),
        ("jemalloc", ["release jemalloc", "malloc_trim"]),
    ],
)
def test_freed_pages_are_handed_back_once(monkeypatch, backend, expected):
    calls: list[str] = []
    monkeypatch.setattr(memory.pa, "default_memory_pool", lambda: _Pool(backend, calls))
    monkeypatch.setattr(memory, "_malloc_trim", lambda: lambda pad: calls.append("malloc_trim"))
    memory.give_back()
    assert calls == expected
