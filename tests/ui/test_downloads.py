"""A download's file leaves Streamlit's media endpoint soon after its click, whatever else
the server does (no other session need run)."""

from __future__ import annotations

from types import SimpleNamespace

from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from ui import downloads


def test_a_clicked_download_is_gone_after_the_two_sweeps_it_schedules(monkeypatch):
    manager = MediaFileManager(MemoryMediaFileStorage("/media"))
    running = SimpleNamespace(media_file_mgr=manager)
    monkeypatch.setattr(
        downloads, "runtime", SimpleNamespace(exists=lambda: True, get_instance=lambda: running)
    )
    timers: list[tuple[float, object]] = []

    class Timer:
        def __init__(self, delay, function):
            timers.append((delay, function))
            self.daemon = False

        def start(self):
            pass

    monkeypatch.setattr(downloads, "threading", SimpleNamespace(Timer=Timer))
    placeholder = manager.add_deferred(
        downloads._made_on_click(lambda: b"A1,Jane Doe\n"), "text/csv", "1.2", "list.csv"
    )
    assert timers == []  # nothing made, nothing scheduled before the click

    url = manager.execute_deferred(placeholder)  # the click
    served = url.rsplit("/", 1)[-1]
    assert manager.read_file(served).content == b"A1,Jane Doe\n"
    assert [delay for delay, _ in timers] == [30, 60]

    manager.clear_session_refs()  # the session ends (or moves on)
    timers[0][1]()
    assert manager.read_file(served) is not None  # first sweep: marked
    timers[1][1]()
    assert manager.read_file(served) is None  # second sweep: deleted
