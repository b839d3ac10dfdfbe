"""Browser benchmark: what a director feels, measured in Chromium driven by Playwright.

In one run, against Streamlit's own floor (a hello-world multipage app of the same
Streamlit version, same pages, started the same way):
- first open: a new browser session on a warm server until the first page's title is drawn
  and the script has finished (ours opens on the bundled sample, as `make run` does);
- upload until drawn: the 100,000-row export (bench/bench_load.py) set on Home's uploader
  until the validation report's "Rows read" is drawn and the run has finished (median of
  UPLOADS, each in a new session with a copy of its own that no cache or store has seen),
  against the headless report on the same file as a whole process (`python -m analytics
  report`, median of as many runs). Twice: the file set as soon as Home is drawn, and set
  PICK_S after, as a person takes to open the file dialog and choose it (the page loads
  the code its next steps need while it stands idle: ui/preload.py);
- page switches: with that export open, a click on each sidebar link until the new page's
  title is drawn and the run has finished (median of ROUNDS), against the floor's same click;
  and the same click in a content floor: bare scripts that draw what AppTest saw on each of
  our pages with the export open (the same figures, tables, metrics, texts and print copies,
  the same widgets by kind and label, none of our code), what Streamlit and Plotly alone
  take to draw it;
- server memory: RSS before the upload, with the dataset open, and once the browser
  session has ended (the server keeps a closed session DISCONNECT_TTL_S, set low here as in
  bench_memory, then its tidy-up runs), beside the loaded frame's own size. "Before" is a
  warm server, as in bench_memory: every screen has run once (on the sample, in a session
  of its own, which has then ended), so what a screen's first run loads (its modules,
  Plotly's validators) is not counted as the dataset's; the RSS after the first opens
  alone is printed too. (With only the sample stored, Changes runs to its "upload next
  month's export" line: its comparison's first run still counts as the dataset's.) "With
  the dataset open" is read TRIM_SETTLE_S after the last page switch, once the server's
  memory thread has handed back what those runs freed (ui.memory hands freed pages back
  every 2 s); the reading right after the last switch is printed too.
Ratios are printed with each target of the issue. Needs Debian's Chromium
(`apt-get install chromium`) and Playwright (requirements-dev); no browser is downloaded.

Run: `python -m bench.bench_browser` (or `make bench`, which runs every benchmark).
`BENCH_BROWSER_ROWS=2000` runs it on a smaller export (a quick check that it works).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench import bench_load

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 3
ROWS_ENV = "BENCH_BROWSER_ROWS"
DISCONNECT_TTL_S = 5  # server.disconnectedSessionTTL: a closed session ends this soon
SETTLE_S = 65  # the app's tidy-up runs every 30 s: two chances to see the session gone
TRIM_SETTLE_S = 3  # ui.memory.TRIM_SECONDS (2 s) and a second: freed pages handed back
FIRST_OPENS = 5
UPLOADS = 3
# Seconds between Home drawn and the file set, as a person takes to open the file dialog
# and choose the export (the page loads code it will need in that time: ui/preload.py).
PICK_S = 2.0
START_LIMIT_S = 120
RUN_LIMIT_MS = 600_000
SIDEBAR_LINKS = '[data-testid="stSidebarNav"] a'
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TARGETS = {"switch": 1.3, "upload": 1.0, "first_open": 1.5, "rss": 2.0}
# What `make run` puts in our server's environment (ui/memory.py for the allocator).
RUN_ENV = {"ARROW_DEFAULT_MEMORY_POOL": "system"}

# The script has finished, nothing is still drawn as a placeholder (Streamlit shows a grey
# skeleton where a chart or table has yet to be drawn, also after the run has finished),
# and a title is drawn that differs from `previous` (a page switch keeps the old page's
# title on screen until the new one replaces it).
RUN_FINISHED = """(previous) => {
    const app = document.querySelector('[data-testid="stApp"]');
    const title = document.querySelector('[data-testid="stMain"] h1');
    return app !== null && app.dataset.testScriptState === 'notRunning'
        && document.querySelector('[data-testid="stSkeleton"]') === null
        && title !== null && (previous === null || title.innerText.trim() !== previous);
}"""
# The "Rows read" figure of the validation report, or null while none is drawn.
ROWS_READ = """() => {
    for (const metric of document.querySelectorAll('[data-testid="stMetric"]')) {
        const label = metric.querySelector('[data-testid="stMetricLabel"]');
        const value = metric.querySelector('[data-testid="stMetricValue"]');
        if (label && value && label.innerText.trim() === 'Rows read') {
            return value.innerText.trim();
        }
    }
    return null;
}"""
# The run has finished with a "Rows read" figure other than `previous` (the app opens on
# the bundled sample, whose report is on screen until the upload's replaces it).
ROWS_READ_DRAWN = f"""(previous) => {{
    const app = document.querySelector('[data-testid="stApp"]');
    const rows = ({ROWS_READ})();
    return app !== null && app.dataset.testScriptState === 'notRunning'
        && document.querySelector('[data-testid="stSkeleton"]') === null
        && rows !== null && rows !== previous;
}}"""


def upload_until_drawn(page, export: Path) -> float:
    """Seconds from setting `export` on Home's uploader to its validation report drawn."""
    before = page.evaluate(ROWS_READ)
    uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    start = time.perf_counter()
    uploader.first.set_input_files(str(export))
    page.wait_for_function(ROWS_READ_DRAWN, arg=before, polling=50, timeout=RUN_LIMIT_MS)
    return time.perf_counter() - start


def _copies(export: Path, folder: Path, count: int) -> list[Path]:
    """`count` copies of the workbook `export`, the same sheets, each a file of its own
    (a zip comment of its own): every cache and the store read each one afresh."""
    import zipfile

    folder.mkdir(parents=True, exist_ok=True)
    copies = []
    for n in range(count):
        copy = folder / f"{export.stem}-copy{n + 1}{export.suffix}"
        shutil.copyfile(export, copy)
        with zipfile.ZipFile(copy, "a") as book:
            book.comment = f"benchmark copy {n + 1}".encode()
        copies.append(copy)
    return copies


def _upload_in_new_session(browser, url: str, export: Path, pick_s: float = 0.0) -> float:
    """`upload_until_drawn` in a new session, the file set `pick_s` after Home is drawn."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(url)
        _wait_run(page)
        time.sleep(pick_s)
        return upload_until_drawn(page, export)
    finally:
        context.close()


def _page_names() -> list[str]:
    """The screens' file stems in sidebar order (the floor app gets the same ones)."""
    return [p.stem for p in sorted((ROOT / "pages").glob("*.py"))]


def _write_floor_app(folder: Path) -> Path:
    """Hello-world multipage app: the same page files, each drawing only its title."""
    (folder / "pages").mkdir(parents=True)
    main = folder / "app.py"
    main.write_text('import streamlit as st\n\nst.title("Admissions analytics")\n')
    for stem in _page_names():
        title = stem.split("_", 1)[1].replace("_", " ")
        (folder / "pages" / f"{stem}.py").write_text(
            f"import streamlit as st\n\nst.title({title!r})\n"
        )
    return main


# What a content-floor page replays of the element tree AppTest saw on our page.
_TEXT_KINDS = {"title", "header", "subheader", "markdown", "caption", "text"}
_ALERT_KINDS = {"info", "warning", "error", "success"}
_CHOICE_KINDS = {"selectbox", "multiselect", "radio", "button_group"}
_INPUT_KINDS = {
    "button", "download_button", "toggle", "checkbox", "text_input", "number_input",
    "date_input", "file_uploader",
}  # fmt: skip
_CONTENT_PAGE = """import itertools
import pickle
from pathlib import Path

import plotly.io as pio
import pyarrow as pa
import streamlit as st



# The tree with its figures built and its tables read once per server: ours builds a
# figure once per analysis and keeps its tables.
@st.cache_resource(show_spinner=False)
def decoded(path):

    def decode(nodes):
        out = []
        for kind, payload, children in nodes:
            if kind == "plotly_chart":
                payload = pio.from_json(payload, skip_invalid=True)
            elif kind == "dataframe":
                payload = (pa.ipc.open_stream(payload[0]).read_all().to_pandas(), payload[1])
            if kind in ("columns", "tabs"):  # a list of nodes per column or tab
                out.append((kind, payload, [decode(inner) for inner in children]))
            else:
                out.append((kind, payload, decode(children)))
        return out

    sidebar, main = pickle.loads(Path(path).read_bytes())
    return decode(sidebar), decode(main)


SIDEBAR, MAIN = decoded(str(Path(__file__).with_suffix(".pkl")))
KEYS = itertools.count()
TEXTS = {
    "title": st.title, "header": st.header, "subheader": st.subheader,
    "markdown": st.markdown, "caption": st.caption, "text": st.text,
    "info": st.info, "warning": st.warning, "error": st.error, "success": st.success,
}
# Payload: the label, or (label, choices).
WIDGETS = {
    "selectbox": st.selectbox, "multiselect": st.multiselect, "radio": st.radio,
    "button_group": st.segmented_control,
    "toggle": st.toggle, "checkbox": st.checkbox, "text_input": st.text_input,
    "number_input": st.number_input, "date_input": st.date_input,
    "file_uploader": st.file_uploader,
}


def draw(nodes, in_form=False):
    for kind, payload, children in nodes:
        key = f"k{next(KEYS)}"
        if kind == "columns":
            for column, inner in zip(st.columns(len(children)), children):
                with column:
                    draw(inner, in_form)
        elif kind == "tabs":
            for tab, inner in zip(st.tabs(payload), children):
                with tab:
                    draw(inner, in_form)
        elif kind == "expander":
            with st.expander(payload[0], expanded=payload[1]):
                draw(children, in_form)
        elif kind == "popover":
            with st.popover(payload):
                draw(children, in_form)
        elif kind == "form":
            with st.form(key):
                draw(children, True)
        elif kind == "block":
            draw(children, in_form)
        elif kind == "metric":
            st.metric(*payload)
        elif kind == "plotly_chart":
            st.plotly_chart(payload, key=key)
        elif kind == "dataframe":
            st.dataframe(payload[0], hide_index=True, column_order=payload[1] or None)
        elif kind == "html":
            st.html(payload)
        elif kind == "button":
            (st.form_submit_button if in_form else st.button)(payload, key=key)
        elif kind == "download_button":
            st.download_button(payload, data=b"", key=key)
        elif kind in WIDGETS:
            WIDGETS[kind](*(payload if isinstance(payload, tuple) else (payload,)), key=key)
        else:
            TEXTS[kind](payload)


with st.sidebar:
    draw(SIDEBAR)
draw(MAIN)
"""


def _content_nodes(block) -> list:
    """What is drawn under an AppTest block, as (kind, payload, children) triples: texts,
    alerts, metrics, charts (their exact figure), tables (their exact rows), HTML, and
    widgets by kind with their label and choices (their values and callbacks left out),
    inside their columns, tabs, expanders, popovers and forms."""
    nodes = []
    for child in getattr(block, "children", {}).values():
        kind = getattr(child, "type", None)
        proto = getattr(child, "proto", None)
        if kind in _TEXT_KINDS or kind in _ALERT_KINDS:
            nodes.append((kind, proto.body, []))
        elif kind == "metric":
            nodes.append(("metric", (proto.label, proto.body), []))
        elif kind == "plotly_chart":
            nodes.append(("plotly_chart", proto.spec, []))
        elif kind in ("dataframe", "arrow_data_frame"):
            payload = (proto.arrow_data.data, list(proto.column_order))
            nodes.append(("dataframe", payload, []))
        elif kind == "html":
            nodes.append(("html", proto.body, []))
        elif kind in _CHOICE_KINDS:
            options = [getattr(o, "content", o) for o in proto.options]
            nodes.append((kind, (proto.label, options), []))
        elif kind in _INPUT_KINDS:
            nodes.append((kind, proto.label, []))
        elif kind == "tab_container":
            tabs = list(child.children.values())
            labels = [getattr(t, "label", "") or f"Tab {i + 1}" for i, t in enumerate(tabs)]
            nodes.append(("tabs", labels, [_content_nodes(t) for t in tabs]))
        elif kind == "expander":
            shown = (_label(child, "expandable"), _expanded(child))
            nodes.append(("expander", shown, _content_nodes(child)))
        elif kind == "popover":
            nodes.append(("popover", _label(child, "popover"), _content_nodes(child)))
        elif kind == "form":
            nodes.append(("form", None, _content_nodes(child)))
        elif hasattr(child, "children"):
            inner = [_content_nodes(c) for c in child.children.values()]
            columns = [c for c in child.children.values() if getattr(c, "type", None) == "column"]
            if columns and len(columns) == len(inner):
                nodes.append(("columns", None, inner))
            else:
                nodes.append(("block", None, _content_nodes(child)))
    return nodes


def _content_app(folder: Path, export: Path) -> Path:
    """`_write_content_app` in a process of its own: the AppTest runs load the export and
    start the app's tidy-up thread, which must not share this process (and its GIL) with
    the timings."""
    code = "import sys; from pathlib import Path; from bench import bench_browser as b; "
    code += "b._write_content_app(Path(sys.argv[1]), Path(sys.argv[2]))"
    # Its own store (empty), and ours opens on the sample only when asked to.
    env = {k: v for k, v in os.environ.items() if k != "ADMISSIONS_OPEN_SAMPLE"}
    env["ADMISSIONS_DATA_DIR"] = str(folder / "store")
    done = subprocess.run(
        [sys.executable, "-c", code, str(folder), str(export)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"building the content floor failed:\n{done.stderr[-3000:]}")
    return folder / "app.py"


def _expanded(block) -> bool:
    """Whether an expander is open, as AppTest holds it (its Expandable proto, or the
    block proto's `expandable`)."""
    proto = block.proto
    block_proto = getattr(proto, "expandable", None)
    return bool(getattr(proto, "expanded", None) or getattr(block_proto, "expanded", False))


def _label(block, field: str) -> str:
    """An expander's or popover's label, as AppTest holds it (the element's own label, its
    proto, or the block proto's `field`)."""
    label = getattr(block, "label", None) or getattr(block.proto, "label", None)
    return label or getattr(getattr(block.proto, field, None), "label", "") or "Details"


def _write_content_app(folder: Path, export: Path) -> Path:
    """Streamlit's floor for what our screens show: for every page, a bare script that
    draws, with no code of ours, what AppTest saw on that page with `export` open (the
    same figures, tables, metrics, texts and print copies, the same widgets by kind and
    label). Its switch time is what Streamlit and Plotly take to draw that content.
    Run by `_content_app`, which gives it its environment."""
    import pickle

    from streamlit.testing.v1 import AppTest

    from ui import loaders, state

    (folder / "pages").mkdir(parents=True)
    files = [(export.name, export.read_bytes())]
    # The store first holds the bundled sample, as ours does (it opens on the sample before
    # the upload): Changes then has an earlier upload to compare the export with.
    home = AppTest.from_file(str(ROOT / "pages" / f"{_page_names()[0]}.py"))
    state.open_files(loaders.sample_files(), "bundled sample", session=home.session_state)
    home.run(timeout=RUN_LIMIT_MS / 1000)
    for stem in _page_names():
        at = AppTest.from_file(str(ROOT / "pages" / f"{stem}.py"), default_timeout=RUN_LIMIT_MS)
        state.open_files(files, "benchmark export", session=at.session_state)
        at.run()
        if at.exception:
            raise RuntimeError(f"{stem}: {at.exception[0].value}")
        tree = (_content_nodes(at.sidebar), _content_nodes(at.main))
        (folder / "pages" / f"{stem}.pkl").write_bytes(pickle.dumps(tree))
        (folder / "pages" / f"{stem}.py").write_text(_CONTENT_PAGE)
    main = folder / "app.py"  # a title of its own: Home's replay draws ours
    main.write_text('import streamlit as st\n\nst.title("Content floor")\n')
    return main


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _serve(script: Path, env_extra: dict[str, str]):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADMISSIONS_")}
    env.update(env_extra)
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
        "--server.maxUploadSize", "200",
    ]  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(command, cwd=script.parent, env=env, stdout=log, stderr=log)
        try:
            _wait_healthy(proc, url, log, script.name)
            yield url, proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def _is_healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _wait_healthy(proc: subprocess.Popen, url: str, log, name: str) -> None:
    deadline = time.monotonic() + START_LIMIT_S
    while not _is_healthy(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            raise RuntimeError(f"{name} did not start: {log.read()[-2000:]!r}")
        time.sleep(0.2)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _title(page) -> str | None:
    found = page.locator('[data-testid="stMain"] h1')
    return found.first.inner_text().strip() if found.count() else None


def _wait_run(page, previous: str | None = None) -> None:
    page.wait_for_function(RUN_FINISHED, arg=previous, polling=50, timeout=RUN_LIMIT_MS)


def _first_open(browser, url: str) -> float:
    """Median seconds from a new session's navigation to its first page finished."""
    times = []
    for _ in range(FIRST_OPENS + 1):  # the first one warms the server up
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url)
        _wait_run(page)
        times.append(time.perf_counter() - start)
        context.close()
    return statistics.median(times[1:])


def _screen_names(page) -> list[str]:
    """The sidebar's links, in order; the first (Home) is the screen the app opens on."""
    links = page.locator(SIDEBAR_LINKS)
    return [links.nth(i).inner_text().strip() for i in range(links.count())]


def _open_screen(page, name: str) -> float:
    """Click the sidebar link `name`; seconds until its page is drawn and the run is over."""
    before = _title(page)
    link = page.locator(SIDEBAR_LINKS, has_text=name).first
    start = time.perf_counter()
    link.click()
    _wait_run(page, previous=before)
    return time.perf_counter() - start


def _switches(page) -> dict[str, float]:
    """Median seconds per sidebar link, over ROUNDS rounds through every screen."""
    names = _screen_names(page)
    order = names[1:] + names[:1]
    samples: dict[str, list[float]] = {name: [] for name in order}
    for _ in range(ROUNDS):
        for name in order:
            samples[name].append(_open_screen(page, name))
    return {name: statistics.median(values) for name, values in samples.items()}


def _visit_every_screen(browser, url: str) -> None:
    """Each screen once, in a session of its own, on what the app opens (the sample)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(url)
        _wait_run(page)
        for name in _screen_names(page)[1:]:  # the first, Home, is open
            _open_screen(page, name)
    finally:
        context.close()


def _switches_at(browser, url: str) -> dict[str, float]:
    """`_switches` in a new browser session on the app at `url`."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url)
    _wait_run(page)
    try:
        return _switches(page)
    finally:
        context.close()


def _frame_mb(path: Path) -> float:
    from analytics import loading

    loaded = loading.load_exports([loading.Source.from_path(path)])
    return loaded.frame.memory_usage(deep=True).sum() / 2**20


def _ratio_line(label: str, ours: float, base: float, target: float, unit: str = "s") -> None:
    ratio = ours / base if base else float("inf")
    verdict = "met" if ratio <= target else "NOT met"
    print(
        f"  {label:<34} ours {ours:8.2f} {unit}  base {base:8.2f} {unit}  "
        f"ratio {ratio:5.2f}  target <= {target:.1f}: {verdict}"
    )


def main() -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        print("browser benchmark: skipped (Debian's chromium is not installed)")
        return
    from playwright.sync_api import sync_playwright

    rows = int(os.environ.get(ROWS_ENV) or bench_load.ROWS)
    export = bench_load.export_path(rows)
    work = Path(tempfile.mkdtemp(prefix="bench-browser-"))
    try:
        floor_script = _write_floor_app(work / "floor")
        report_s = statistics.median(bench_load.report_seconds(export) for _ in range(UPLOADS))
        copies = _copies(export, work / "copies", 2 * UPLOADS - 1)
        frame_mb = _frame_mb(export)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            with _serve(floor_script, RUN_ENV) as (floor_url, _):
                floor_open = _first_open(browser, floor_url)
                floor_switch = _switches_at(browser, floor_url)
            content_script = _content_app(work / "content", export)
            with _serve(content_script, RUN_ENV) as (content_url, _):
                content_switch = _switches_at(browser, content_url)
            store = work / "store"
            env = {
                "ADMISSIONS_DATA_DIR": str(store),
                **RUN_ENV,
                "ADMISSIONS_OPEN_SAMPLE": "1",
                "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(DISCONNECT_TTL_S),
            }
            with _serve(ROOT / "app.py", env) as (url, pid):
                ours_open = _first_open(browser, url)
                rss_opened = _rss_mb(pid)
                _visit_every_screen(browser, url)
                time.sleep(DISCONNECT_TTL_S + SETTLE_S)  # those sessions have ended
                rss_before = _rss_mb(pid)
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                page.goto(url)
                _wait_run(page)
                uploads = [upload_until_drawn(page, export)]
                ours_switch = _switches(page)
                rss_open_at_once = _rss_mb(pid)
                time.sleep(TRIM_SETTLE_S)  # idle, with the dataset open
                rss_open = _rss_mb(pid)
                context.close()
                time.sleep(DISCONNECT_TTL_S + SETTLE_S)  # the session has ended
                rss_after = _rss_mb(pid)
                uploads += [
                    _upload_in_new_session(browser, url, copy) for copy in copies[: UPLOADS - 1]
                ]
                picked = [
                    _upload_in_new_session(browser, url, copy, PICK_S)
                    for copy in copies[UPLOADS - 1 :]
                ]
            browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"browser benchmark ({ROUNDS} rounds, medians; {rows:,}-row export)")
    _ratio_line("first open (new session)", ours_open, floor_open, TARGETS["first_open"])
    upload_s = statistics.median(uploads)
    _ratio_line("upload until drawn vs headless report", upload_s, report_s, TARGETS["upload"])
    print(f"    chosen at once: {', '.join(f'{u:.2f} s' for u in uploads)}")
    picked_s = statistics.median(picked)
    label = f"  the file chosen {PICK_S:.0f} s after Home"
    _ratio_line(label, picked_s, report_s, TARGETS["upload"])
    print(f"    chosen {PICK_S:.0f} s after: {', '.join(f'{u:.2f} s' for u in picked)}")
    for name, ours in ours_switch.items():
        floor = floor_switch.get(name, float("nan"))
        _ratio_line(f"switch to {name}", ours, floor, TARGETS["switch"])
    print(
        "  the same content drawn by a bare Streamlit script (no code of ours;"
        " base: the hello-world floor, then ours against it):"
    )
    for name, ours in ours_switch.items():
        content = content_switch.get(name, float("nan"))
        floor = floor_switch.get(name, float("nan"))
        print(
            f"    {name:<12} content {content:5.2f} s = {content / floor:4.2f}x the floor;"
            f"  ours {ours / content:4.2f}x the content"
        )
    print(
        f"  server RSS: {rss_opened:.0f} MB after the first opens, {rss_before:.0f} MB once "
        f"every screen had run (before), {rss_open:.0f} MB with the dataset "
        f"open (+{rss_open - rss_before:.0f} MB; {rss_open_at_once:.0f} MB right after the "
        f"last switch), {rss_after:.0f} MB once the session ended "
        f"(+{rss_after - rss_before:.0f} MB over before); "
        f"loaded frame {frame_mb:.0f} MB"
    )
    _ratio_line("RSS growth vs loaded frame", rss_open - rss_before, frame_mb, TARGETS["rss"], "MB")
    cold = rss_open - rss_opened
    print(
        f"    counted from after the first opens instead (each screen's first run included):"
        f" +{cold:.0f} MB, {cold / frame_mb:.2f}x"
    )


if __name__ == "__main__":
    main()
