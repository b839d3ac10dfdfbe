"""A running app and a real browser for the e2e tests.

`app`: the app started with this interpreter's Streamlit on a free port, ready when its
health endpoint answers. `browser`: Debian's Chromium driven by Playwright; the browser is
never downloaded. Without Chromium the tests skip, unless ADMISSIONS_REQUIRE_BROWSER=1
(set by .ci/run), where a missing browser is a failure.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench import bench_browser

ROOT = Path(__file__).resolve().parents[2]
REQUIRE_BROWSER_ENV = "ADMISSIONS_REQUIRE_BROWSER"
FALLBACK_CHROMIUM = Path("/usr/bin/chromium")
# The same launch flags as the browser benchmark (this machine's closed network refuses
# Chromium's background connections).
CHROMIUM_ARGS = bench_browser.CHROMIUM_ARGS
STARTUP_LIMIT_S = 90  # a cold start imports pandas, plotly and pyarrow
POLL_EVERY_S = 0.25
# Settings that would change what the app shows first: the test starts from an empty
# session, with no sign-in configured (the app then serves localhost only).
SCRUBBED_ENV = ("ADMISSIONS_OPEN_SAMPLE", "ADMISSIONS_PASSCODE", "STREAMLIT_SERVER_PORT")


def _unavailable(reason: str):
    """Skip on a developer machine; fail where the browser test must run (CI)."""
    if os.environ.get(REQUIRE_BROWSER_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_BROWSER_ENV}=1, so the browser test may not skip)")
    pytest.skip(reason)


def chromium_path() -> Path | None:
    found = shutil.which("chromium")
    if found:
        return Path(found)
    return FALLBACK_CHROMIUM if FALLBACK_CHROMIUM.exists() else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _is_healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _tail(log: Path, lines: int = 30) -> str:
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


@dataclass(frozen=True)
class RunningApp:
    url: str
    log: Path  # the server's output: the browser only gets a redacted error message
    pid: int = 0

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log, lines)


def _wait_until_healthy(proc: subprocess.Popen, url: str, log: Path) -> None:
    """Poll the health endpoint; between polls wait on the process, which also catches a
    server that died during start-up."""
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while not _is_healthy(url):
        try:
            code = proc.wait(timeout=POLL_EVERY_S)
        except subprocess.TimeoutExpired:
            code = None
        if code is not None:
            pytest.fail(f"the app exited with code {code} before it was ready:\n{_tail(log)}")
        if time.monotonic() > deadline:
            pytest.fail(f"the app did not answer {url} within {STARTUP_LIMIT_S} s:\n{_tail(log)}")


@contextlib.contextmanager
def _serve(work: Path, address: str | None, extra_env: dict[str, str] | None = None):
    """The app on a free port; `address` None listens on every interface, as `make run`.
    `extra_env`: more settings (a replica's shared database)."""
    port = _free_port()
    log = work / "streamlit.log"
    # An empty secrets file instead of the developer's own, and a store of uploads that
    # starts empty and is thrown away: the test neither sees nor leaves anything behind.
    secrets = work / "secrets.toml"
    secrets.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    env["ADMISSIONS_DATA_DIR"] = str(work / "store")
    env["ADMISSIONS_DATABASE_URL"] = ""  # the embedded store unless `extra_env` says
    env["ARROW_DEFAULT_MEMORY_POOL"] = "system"  # as `make run` sets it
    env.update(extra_env or {})
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--secrets.files", str(secrets),
    ]  # fmt: skip
    if address is not None:
        command += ["--server.address", address]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(proc, f"{base}/_stcore/health", log)
        yield RunningApp(base, log, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture(scope="session")
def app(tmp_path_factory) -> RunningApp:
    with _serve(tmp_path_factory.mktemp("app"), "127.0.0.1") as running:
        yield running


@pytest.fixture(scope="session")
def app_on_every_interface(tmp_path_factory) -> RunningApp:
    """Listening on all interfaces, as `make run` does: a browser at 127.0.0.1 then arrives
    from the IPv4-mapped address ::ffff:127.0.0.1."""
    with _serve(tmp_path_factory.mktemp("app_everywhere"), None) as running:
        yield running


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        _unavailable("Chromium is not installed (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -r requirements-dev.txt)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, app):
    context = browser.new_context(base_url=app.url, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        yield page
    finally:
        context.close()
