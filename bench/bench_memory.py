"""Server memory across sessions: does the server give back what a closed session used?

Starts the app, then opens SESSIONS browser sessions one after another in Chromium (driven
by Playwright). Each uploads its own export (CSV, ROWS rows, different in every session so
no cache is shared), opens Eligibility and Gaps, downloads the HTML dashboard, and closes.
Prints the server's RSS at start (after a warm-up session on a small file, so that what
the first use imports counts as the start), with each session open, after it ended, and
once every session has ended; beside it the loaded frame's own size.

Streamlit keeps a disconnected session for `server.disconnectedSessionTTL` seconds (120 by
default) in case the browser reconnects; the benchmark sets it to DISCONNECT_TTL_S so that
"after it closed" means the session has really ended, then waits SETTLE_S more.

Run: `python -m bench memory`. Needs Debian's Chromium and Playwright.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
import time
from pathlib import Path

from bench import bench_browser, bench_load

ROWS = 100_000
SESSIONS = 3
DISCONNECT_TTL_S = bench_browser.DISCONNECT_TTL_S
SETTLE_S = bench_browser.SETTLE_S
VISIT = ("Eligibility", "Gaps")
RUN_LIMIT_MS = 600_000


def write_export(path: Path, rows: int, variant: int) -> Path:
    """A CRM-like CSV; `variant` changes every row, so each session's file is its own."""
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(bench_load.HEADERS)
    degrees, countries = ["MD", "RN", "DDS", "PA-C", "MBA"], ["UK", "Ireland", "Spain"]
    for i in range(rows):
        out.writerow(
            [
                f"A{variant}{i:07d}",
                f"First{i % 97}",
                f"Last{(i * 7) % 89}",
                f"user{variant}_{i}@example.org",
                f"2025-{1 + i % 4:02d}",
                "Cheek Filler Certificate",
                countries[i % 3],
                f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
                degrees[i % 5],
                "Yes" if i % 3 else "No",
                f"{(i * 7919 + variant) % 10**8:08d}",
                f"2027-{1 + i % 12:02d}-15",
                str(i % 6),
                "Dermatology",
                str((i * 3 + variant) % 40),
                "Toxin and filler" if i % 2 else "none",
                "Yes",
                "2024-05-01" if i % 5 == 0 else "",
                str(i % 30) if i % 5 == 0 else "",
                "Yes" if i % 5 == 0 else "",
            ]
        )
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _frame_mb(path: Path) -> float:
    from analytics import loading

    loaded = loading.load_exports([loading.Source.from_path(path)])
    return loaded.frame.memory_usage(deep=True).sum() / 2**20


def _one_session(browser, url: str, export: Path, pid: int) -> float:
    """Upload, visit, download, close; returns the server's RSS just before closing."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.goto(url)
    bench_browser._wait_run(page)
    bench_browser.upload_until_drawn(page, export)
    for name in VISIT:
        bench_browser._open_screen(page, name)
    sidebar = page.locator('[data-testid="stSidebar"]')
    first = sidebar.get_by_text(re.compile(r"^(Prepare report files|HTML dashboard)$"))
    first.first.wait_for(timeout=RUN_LIMIT_MS)
    if "Prepare" not in first.first.inner_text():  # earlier releases: no download
        with page.expect_download(timeout=RUN_LIMIT_MS):
            sidebar.get_by_text("HTML dashboard").first.click()
    bench_browser._wait_run(page)
    rss = bench_browser._rss_mb(pid)
    context.close()
    return rss


def main() -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        print("memory benchmark: skipped (Debian's chromium is not installed)")
        return
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    try:
        exports = [write_export(work / f"export_{n}.csv", ROWS, n) for n in range(SESSIONS)]
        warm_export = write_export(work / "warm.csv", 1_000, SESSIONS)
        frame_mb = _frame_mb(exports[0])
        env = {
            **bench_browser.RUN_ENV,
            "ADMISSIONS_DATA_DIR": str(work / "store"),
            "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(DISCONNECT_TTL_S),
        }
        lines = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=bench_browser.CHROMIUM_ARGS)
            with bench_browser._serve(bench_browser.ROOT / "app.py", env) as (url, pid):
                # Warm-up: the same steps on a small file, so what a first use imports
                # and builds once (charts, the workbook writer) counts in the start.
                _one_session(browser, url, warm_export, pid)
                time.sleep(DISCONNECT_TTL_S + SETTLE_S)
                start = bench_browser._rss_mb(pid)
                peak = start
                for n, export in enumerate(exports, 1):
                    open_mb = _one_session(browser, url, export, pid)
                    peak = max(peak, open_mb)
                    time.sleep(DISCONNECT_TTL_S + SETTLE_S)
                    ended_mb = bench_browser._rss_mb(pid)
                    lines.append(
                        f"  session {n}: {open_mb:6.0f} MB open, {ended_mb:6.0f} MB once ended"
                    )
                time.sleep(SETTLE_S)
                end = bench_browser._rss_mb(pid)
            browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"memory benchmark: {SESSIONS} sessions one after another, each its own "
        f"{ROWS:,}-row CSV (loaded frame {frame_mb:.0f} MB)"
    )
    print(f"  server RSS at start (warm):  {start:6.0f} MB")
    print(f"  highest with a session open: {peak:6.0f} MB")
    print("\n".join(lines))
    print(
        f"  once every session ended:    {end:6.0f} MB "
        f"(+{end - start:.0f} MB over start, {(end - start) / frame_mb:.1f}x one frame)"
    )


if __name__ == "__main__":
    main()
