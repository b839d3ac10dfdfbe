"""The reader's fork server, as its caller starts and feeds it (`analytics.loading.worker`).

Only the standard library is imported here, so a command can start the server before its
own imports (`python -m analytics` does): the server's imports then run beside the
caller's instead of after them. The reading itself, its limits and errors are the
worker's; the server's own side is `analytics.loading.worker_server`.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

SERVER_MODULE = "analytics.loading.worker_server"
_ROOT = Path(__file__).resolve().parents[1]  # the project, for the server's import path
STOP_SECONDS = 5.0  # how long the fork server gets to end after its caller


class ForkServer:
    """One long-lived process (`python -m analytics.loading.worker_server`) that imported
    the readers once and forks a child for every read. Each read hands it one end of a
    socket pair; the child forked for it talks to the caller on that socket alone."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._control: socket.socket | None = None
        self._has_work = False  # a read was handed over since the server started

    def ensure_running(self) -> None:
        with self._lock:
            self._ensure_running()

    def _ensure_running(self) -> None:
        if self._process is not None and self._process.poll() is None:
            return
        if self._control is not None:
            self._control.close()
        # Packets, not a stream: each socket handed over arrives on its own.
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = dict(os.environ)
        # Arrow's default allocator (mimalloc) reserves address space up front, where
        # RLIMIT_AS cannot see it grow; the system allocator's memory counts.
        env["ARROW_DEFAULT_MEMORY_POOL"] = "system"
        env["OPENBLAS_NUM_THREADS"] = "1"  # no idle BLAS thread in the process that forks
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_ROOT), env.get("PYTHONPATH")]))
        self._process = subprocess.Popen(
            [sys.executable, "-m", SERVER_MODULE, str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,  # the caller's output is the caller's
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=_ROOT,
        )
        theirs.close()
        self._control = ours
        self._has_work = False

    def submit(self, job: socket.socket) -> None:
        """Hand `job` to the server, starting it (again) when it is not running."""
        with self._lock:
            for attempt in (1, 2):
                self._ensure_running()
                try:
                    socket.send_fds(self._control, [b"j"], [job.fileno()])
                    self._has_work = True
                    return
                except OSError:
                    if attempt == 2:
                        raise
                    self._process.kill()
                    self._process.wait()

    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def stop(self) -> None:
        """At exit: the server ends when its socket closes; it gets a moment to do so. One
        that was never handed a read (a command that stopped at its arguments) is ended at
        once rather than waited for through its imports."""
        with self._lock:
            if self._control is not None:
                self._control.close()
                self._control = None
            if self._process is not None:
                if not self._has_work:
                    self._process.kill()
                try:
                    self._process.wait(STOP_SECONDS)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
                self._process = None


SERVER = ForkServer()
atexit.register(SERVER.stop)
