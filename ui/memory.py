"""What the server gives back once sessions end.

A session's own data (its memo of read files and evaluations, `ui.loaders`) lives in its
session state and goes when Streamlit ends the session (`server.disconnectedSessionTTL`
after the browser went away). The server-wide caches hold frames for every session; they
are bounded (`ui.loaders`: entries, size, time), and emptied here once no session of the
app is alive: their data then belongs to nobody. Freed memory still shows in the
process's RSS, because glibc's malloc and Arrow's allocator keep freed pages for reuse;
every tidy-up asks both to hand unused pages back to the operating system.

`watch_session()` (every page, from `ui.page.setup`) marks the session alive with a small
object in its session state and starts, once per process, a thread that tidies up every
TIDY_SECONDS.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import threading
import time
import weakref

import pyarrow as pa
import streamlit as st

from ui import loaders

TIDY_SECONDS = 30
LIVE_KEY = "_memory_live"

log = logging.getLogger(__name__)


class _Live:
    """Lives exactly as long as the session state that holds it."""

    __slots__ = ("__weakref__",)


_LIVE: weakref.WeakSet[_Live] = weakref.WeakSet()
_STARTED = threading.Event()
_START_LOCK = threading.Lock()


def watch_session() -> None:
    """Count this session as alive until Streamlit drops it; start the tidy-up thread."""
    if LIVE_KEY not in st.session_state:
        marker = _Live()
        st.session_state[LIVE_KEY] = marker
        _LIVE.add(marker)
    if not _STARTED.is_set():
        with _START_LOCK:
            if not _STARTED.is_set():
                threading.Thread(target=_tidy_forever, name="memory-tidy", daemon=True).start()
                _STARTED.set()


def live_sessions() -> int:
    return len(_LIVE)


def tidy() -> None:
    """Collect garbage; with no session alive, empty the frame caches; give memory back."""
    gc.collect()
    if not _LIVE:
        loaders.clear_data_caches()
        gc.collect()
    give_back()


def give_back() -> None:
    """Hand freed pages back to the operating system (glibc and Arrow keep them)."""
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _malloc_trim():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        return None


def _tidy_forever() -> None:
    while True:
        time.sleep(TIDY_SECONDS)
        try:
            tidy()
        except Exception:  # the server must outlive a failed tidy-up
            log.exception("memory tidy-up failed")
