"""What the server gives back once sessions end.

Streamlit 1.67 keeps a browser's session for `server.disconnectedSessionTTL` seconds after
the browser went away (so a brief network drop can resume it), then merely stops listing
it: the session object, its session state, its uploaded files and its download callables
stay in memory until some later disconnect happens to write to the same store, and the
media manager keeps the session's files and download callables forever, because the
session is never shut down. (Measured: 3 sessions of 100,000 rows each, one after another,
left RSS 585 MB above the start once all had ended.)

So every page calls `watch_session()` (from `ui.page.setup`), which records the session
and marks it alive with a small object in its session state. A process-wide thread wakes
every TIDY_SECONDS and:
- releases each session that has been gone longer than `disconnectedSessionTTL` and that
  Streamlit no longer keeps to resume: its media references and download callables, its
  uploaded files, the tables it displayed (Streamlit's dataframe sources), its fragments
  (each kept with its last arguments and its page script's globals) and its session
  state, which holds this app's memo of read files and evaluations, with its widgets'
  metadata (callbacks and format functions, which hold their page script's globals too);
- empties the server-wide frame caches (`ui.loaders.clear_data_caches`) once no session
  of the app is alive, since their data then belongs to nobody; while sessions are alive
  the caches are bounded by entries and time (`ui.loaders`);
- collects garbage, then asks Arrow's allocator and glibc's malloc to hand freed pages
  back to the operating system, which they otherwise keep (RSS stays at its peak).
Between tidy-ups the thread hands freed pages back every TRIM_SECONDS (`give_back`, under
a millisecond), so what a script run freed leaves RSS within seconds.
glibc also gives every thread that allocates an arena of its own (up to 8 per core), and
Streamlit runs each session's script in a thread of its own: freed pages end up scattered
over arenas that cannot be trimmed whole. Importing this module limits glibc to
MALLOC_ARENAS arenas (what `MALLOC_ARENA_MAX=2` would do; measured: 31 MB kept after a
second 100,000-row session with the default, 6 MB with two). It also fixes glibc's mmap
threshold at MMAP_THRESHOLD (what `MALLOC_MMAP_THRESHOLD_=262144` would do): by default
glibc raises the threshold to the size of each large block freed (up to 32 MB), so after
the first frame is dropped, the arrays of the next ones (800 KB per column of 100,000
numbers) come from the heap, where pages freed between live objects cannot be handed back.
Above the threshold every block is a mapping of its own, returned whole when freed.

Arrow is put on glibc's allocator: Arrow's default, mimalloc, keeps the pages it freed in
segments of its own that `malloc_trim` never sees. `make run` (and compose.yaml) start the
server with `ARROW_DEFAULT_MEMORY_POOL=system`, which covers Arrow's own C++ allocations
(Streamlit's Arrow IPC of every table among them); where the server is started without
it, importing this module makes the system pool pyarrow's default, which covers only what
pyarrow allocates from Python (Arrow's C++ then stays on mimalloc: not measured). With
`python -m bench memory` (3 sessions of 100,000 rows): +98 MB over the start once every
session had ended with mimalloc (2026-12-02), +12 MB with the setting (2026-12-03).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import logging
import os
import threading
import time
import weakref
from dataclasses import dataclass

import pyarrow as pa
import streamlit as st
from streamlit import config, runtime
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from ui import loaders

TIDY_SECONDS = 30
TRIM_SECONDS = 2  # freed pages go back this often (glibc's malloc_trim)
LIVE_KEY = "_memory_live"
MALLOC_ARENAS = 2
M_ARENA_MAX = -8  # glibc's mallopt parameter number
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 256 * 1024
ARROW_POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"  # Arrow's own setting, left to win

log = logging.getLogger(__name__)


class _Live:
    """Lives exactly as long as the session state that holds it (and points back at it:
    Streamlit's SessionState cannot be weakly referenced)."""

    __slots__ = ("__weakref__", "state")

    def __init__(self, state: object | None) -> None:
        self.state = state


@dataclass
class _Session:
    marker: weakref.ref[_Live]  # the session's marker, and through it its session state
    gone_since: float | None = None
    # The session's st.fragment store: each fragment is kept with the arguments of its
    # last call (Cohorts' applicant table) and, through its function, the globals of the
    # page script that defined it (that page's analysis and tables).
    fragments: weakref.ref | None = None


_LIVE: weakref.WeakSet[_Live] = weakref.WeakSet()
_SESSIONS: dict[str, _Session] = {}
_LOCK = threading.Lock()
_STARTED = threading.Event()


def watch_session() -> None:
    """Count this session as alive, record it for release, start the tidy-up thread."""
    ctx = get_script_run_ctx()
    marker = st.session_state.get(LIVE_KEY)
    if not isinstance(marker, _Live):
        # The Streamlit SessionState behind st.session_state, to clear once the session
        # has ended (None where there is none: bare mode).
        marker = _Live(getattr(getattr(ctx, "session_state", None), "_state", None))
        st.session_state[LIVE_KEY] = marker
        _LIVE.add(marker)
    with _LOCK:
        if ctx is not None and marker.state is not None and ctx.session_id not in _SESSIONS:
            _SESSIONS[ctx.session_id] = _Session(weakref.ref(marker), fragments=_fragments(ctx))
        if not _STARTED.is_set():
            threading.Thread(target=_tidy_forever, name="memory-tidy", daemon=True).start()
            _STARTED.set()


def _fragments(ctx) -> weakref.ref | None:
    storage = getattr(ctx, "fragment_storage", None)
    try:
        return None if storage is None else weakref.ref(storage)
    except TypeError:  # a storage that cannot be weakly referenced: left to Streamlit
        return None


def live_sessions() -> int:
    return len(_LIVE)


def release_ended_sessions(now: float | None = None) -> list[str]:
    """Release every recorded session gone longer than `server.disconnectedSessionTTL`;
    returns their ids. A session seen active again starts its count afresh."""
    if not runtime.exists():
        return []
    now = time.monotonic() if now is None else now
    running = runtime.get_instance()
    ttl = float(config.get_option("server.disconnectedSessionTTL"))
    with _LOCK:
        recorded = list(_SESSIONS.items())
    ended = []
    for session_id, session in recorded:
        if running.is_active_session(session_id):
            session.gone_since = None
        elif session.gone_since is None:
            session.gone_since = now
        elif now - session.gone_since >= ttl and not _resumable(running, session_id):
            ended.append(session_id)
    for session_id in ended:
        with _LOCK:
            session = _SESSIONS.pop(session_id)
        # What AppSession.shutdown() would release, which Streamlit never calls here.
        running.media_file_mgr.clear_session_refs(session_id)
        running.uploaded_file_mgr.remove_session_files(session_id)
        running.dataframe_source_mgr.clear_all_for_session(session_id)
        fragments = session.fragments() if session.fragments is not None else None
        if fragments is not None:
            fragments.clear()
        marker = session.marker()
        if marker is not None and marker.state is not None:
            _clear_state(marker.state)
    if ended:
        running.media_file_mgr.remove_orphaned_files()
    return ended


def _resumable(running, session_id: str) -> bool:
    """Whether Streamlit still keeps the session to resume. Counting from the first tidy
    that saw it gone is not enough on its own: a browser that reconnected and dropped again
    between two tidies restarted Streamlit's count but not ours, and would otherwise be
    released up to TIDY_SECONDS before Streamlit gives it up, its work lost on resuming.
    (The session manager is private in Streamlit 1.67; without it the count alone decides.)"""
    manager = getattr(running, "_session_mgr", None)
    info = getattr(manager, "get_session_info", None)
    return info is not None and info(session_id) is not None


def _clear_state(state) -> None:
    """Empty a session state: values, and the widgets' metadata, which SessionState.clear()
    leaves behind (Streamlit 1.67). Each widget's metadata keeps its callbacks and its
    format function, and through a lambda's globals the page script's whole namespace:
    measured, 42 MB of one 100,000-row dataset outlived its session that way."""
    state.clear()
    metadata = getattr(getattr(state, "_new_widget_state", None), "widget_metadata", None)
    if isinstance(metadata, dict):
        metadata.clear()


def tidy() -> None:
    """Release ended sessions; with none alive, empty the frame caches; give memory back."""
    release_ended_sessions()
    gc.collect()
    if not _LIVE:
        loaders.clear_data_caches()
        gc.collect()
    give_back()


def give_back() -> None:
    """Hand freed pages back to the operating system (Arrow and glibc keep them)."""
    pool = pa.default_memory_pool()
    # pyarrow's release_unused() releases its default pool's (whichever pool it is called
    # on); on the system pool that is glibc's malloc_trim itself.
    pool.release_unused()
    if pool.backend_name != "system":
        trim = _malloc_trim()
        if trim is not None:
            trim(0)


@functools.cache  # find_library runs ldconfig; the trim asks every TRIM_SECONDS
def _glibc(function: str):
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), function) if name else None
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to tune
        return None


def _malloc_trim():
    return _glibc("malloc_trim")


def _limit_arenas() -> None:
    mallopt = _glibc("mallopt")
    if mallopt is not None:
        mallopt(M_ARENA_MAX, MALLOC_ARENAS)
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def _use_system_pool() -> None:
    if not os.environ.get(ARROW_POOL_ENV):
        pa.set_memory_pool(pa.system_memory_pool())


_limit_arenas()
_use_system_pool()


def _tidy_forever() -> None:
    """Every TRIM_SECONDS hand freed pages back (under a millisecond: what a script run
    freed, its transient arrays and the read's buffers, 10-15 MB after a 100,000-row
    evaluation, would otherwise count in RSS until the next tidy-up); every TIDY_SECONDS
    the whole tidy-up."""
    rounds = max(1, TIDY_SECONDS // TRIM_SECONDS)
    while True:
        for _ in range(rounds - 1):
            time.sleep(TRIM_SECONDS)
            try:
                give_back()
            except Exception:  # the server must outlive a failed tidy-up
                log.exception("memory trim failed")
        time.sleep(TRIM_SECONDS)
        try:
            tidy()
        except Exception:  # the server must outlive a failed tidy-up
            log.exception("memory tidy-up failed")
