"""The browser's code for the next steps, loaded while the director is still reading.

Streamlit's frontend loads the code of each kind of element the first time a page draws
one: the table (DataFrame and its Arrow formatting, 1.3 MB), the text box, the download
button, the upload's request library, Plotly (4.7 MB). The first screen a session opens,
Home on the sample, draws none of them, so the upload's report and each screen's first
visit waited for that code to be fetched and compiled once their content had arrived:
about 0.3 s after an upload, more on the first chart.

Every page's sidebar ends with a script of ours (no user text in it) that, once the
browser is idle after drawing, imports those modules by the very URLs the frontend's own
lazy imports resolve to. The browser keeps one module per URL, so the later lazy import
finds it loaded. Two batches: first what the upload's report draws, then what the other
screens draw first (charts last, the largest). One import per browser tab: a flag on the
window keeps reruns and page switches from repeating it.

The module files carry a content hash in their names, which changes with each Streamlit
release: they are found in the installed Streamlit's static folder when this module is
first used. A name not found there (a release that renamed it) is left out and logged:
the page then loads that code when it first needs it, as it did before, and
tests/ui/test_preload.py fails, so the list gets mended with the upgrade.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from pathlib import Path

import streamlit as st

log = logging.getLogger(__name__)

# Streamlit's lazily loaded frontend modules, by name (the file is NAME.HASH.js), in the
# order they are wanted.
BATCHES: tuple[tuple[str, ...], ...] = (
    # What the upload draws: the uploader's request library, then the validation report's
    # list (a table, its filter box and its download).
    ("axios", "DataFrame", "TextInput", "DownloadButton"),
    # What the other screens draw on a first visit: select and multiselect boxes (the
    # filters), segmented buttons, number inputs (the rule editor), then the charts.
    ("Selectbox", "Multiselect", "ButtonGroup", "NumberInput", "PlotlyChart"),
)
STATIC_JS = Path(st.__file__).parent / "static" / "static" / "js"
# The page's entry module, beside which every lazily loaded module lies.
ENTRY_PATTERN = r"/static/js/index\.[A-Za-z0-9_-]+\.js$"
# Each batch waits QUIET_MS, then for the browser's idle time, and then, if a script run
# is in progress (an upload being read, a page being drawn), for as long again: the
# server's work and the page's own drawing come first. Measured: loaded at once with no
# such wait, the modules (Plotly above all) slowed an upload chosen right after the page
# was drawn by 0.4 s (docs/benchmarks.md).
RUNNING = '[data-testid="stApp"][data-test-script-state="running"]'
QUIET_MS = 1000
# The element holding the script takes no room: the script hides its container first (a
# drawn container of no height would still add the sidebar's gap between its neighbours).
CONTAINER = '[data-testid="stElementContainer"]'
SCRIPT = """<script>
(() => {{
  const container = document.currentScript?.closest({container});
  if (container) container.style.display = "none";
  if (window.admissionsPreloaded) return;
  window.admissionsPreloaded = true;
  const entry = [...document.querySelectorAll("script[src]")]
    .find((s) => new RegExp({entry}).test(new URL(s.src).pathname));
  if (!entry) return;
  const idle = (work) => ("requestIdleCallback" in window)
    ? requestIdleCallback(work, {{timeout: 3000}}) : setTimeout(work, 500);
  const running = () => document.querySelector({running}) !== null;
  const load = (batches) => {{
    if (!batches.length) return;
    setTimeout(() => idle(() => {{
      if (running()) {{ load(batches); return; }}
      Promise.allSettled(batches[0].map((file) => import(new URL(file, entry.src).href)))
        .then(() => load(batches.slice(1)));
    }}), {quiet_ms});
  }};
  load({batches});
}})();
</script>"""


def module_file(name: str, folder: Path | None = None) -> str | None:
    """The file of Streamlit's frontend module `name` (NAME.HASH.js) in `folder` (the
    installed Streamlit's), or None when there is no single such file."""
    folder = STATIC_JS if folder is None else folder
    pattern = re.compile(rf"{re.escape(name)}\.[A-Za-z0-9_-]+\.js")
    found = [p.name for p in folder.glob(f"{name}.*.js") if pattern.fullmatch(p.name)]
    return found[0] if len(found) == 1 else None


@functools.cache
def script() -> str:
    """The sidebar's script: the modules of BATCHES found in the installed Streamlit."""
    batches = []
    for batch in BATCHES:
        files = []
        for name in batch:
            file = module_file(name)
            if file is None:
                log.warning("Streamlit's frontend module %s was not found: not preloaded", name)
            else:
                files.append(file)
        if files:
            batches.append(files)
    return SCRIPT.format(
        container=json.dumps(CONTAINER),
        entry=json.dumps(ENTRY_PATTERN),
        running=json.dumps(RUNNING),
        quiet_ms=QUIET_MS,
        batches=json.dumps(batches),
    )


def load_ahead() -> None:
    """Draw the script, in an element that takes no room."""
    st.html(script(), unsafe_allow_javascript=True)
