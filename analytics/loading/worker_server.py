"""The reader's fork server: `python -m analytics.loading.worker_server FD`.

Started by `analytics.loading.worker` with one end of a socket pair as FD. It imports the
readers (openpyxl after its first fork), reads a two-row file once and runs the headless
report's code on it (so Arrow's compiled regexes and pandas' lazy imports are ready),
then, for every socket the caller passes over FD, forks a child that serves that one read
(`worker.serve`) and ends. The server itself never touches an uploaded byte and forks
from its only Python thread (the one native helper left, Arrow's jemalloc background
thread, has fork handlers); it ends when the caller does (FD reaches end of file)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
from multiprocessing.connection import Connection

from analytics.loading import loader, worker

_WARM_UP = b"Applicant ID,Full Name,Email,Applied on,CME hours\n1,Ana,a@x,01/02/2025,12\n"


def main(control_fd: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the caller's to handle
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    warm = loader.load_exports([loader.Source("warm-up.csv", _WARM_UP)])
    with contextlib.suppress(Exception):  # a warm-up that fails must not stop the server
        worker.warm_report(warm)
    control = socket.socket(fileno=control_fd)
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 16, 4)
        except OSError:
            message = b""
        if not message:  # the caller has gone: nothing here needs tidying on the way out
            os._exit(0)
        for position, fd in enumerate(fds):
            if os.fork() == 0:
                control.close()
                for later in fds[position + 1 :]:  # only its own socket: others see EOF
                    os.close(later)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                code = 0
                try:
                    worker.serve(Connection(fd))
                except BaseException:  # noqa: BLE001 - the caller learns it from the socket
                    code = 1
                os._exit(code)
            os.close(fd)
        _import_fallback()  # once imported, a lookup in sys.modules


def _import_fallback() -> None:
    """openpyxl, the bounded reader only a few workbooks need, is imported once the first
    child is on its way rather than before the server takes its first read: a command's
    read then starts 0.08 s sooner, and later children find it imported."""
    with contextlib.suppress(ImportError):  # the read that needs it says so
        import openpyxl  # noqa: F401


if __name__ == "__main__":
    main(int(sys.argv[1]))
