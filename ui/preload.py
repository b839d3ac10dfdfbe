"""The browser's code for the next steps, loaded while the director is still reading.

Streamlit's frontend loads the code of each kind of element the first time a page draws
one: the table (DataFrame and its Arrow formatting, 1.3 MB), the text box, the download
button, the upload's request library, Plotly (4.7 MB). The first screen a session opens,
Home on the sample, draws none of them, so the upload's report and each screen's first
visit waited for that code to be fetched and compiled once their content had arrived:
about 0.3 s after an upload, more on the first chart.

Every page's sidebar carries a script of ours (no user text in it) that, once the page has
stood QUIET_MS without a script run, in the browser's idle time, imports those modules by
the very URLs the frontend's own lazy imports resolve to (and links their stylesheets,
which the frontend would otherwise fetch then). The browser keeps one module per URL, so
the later lazy import finds it loaded. Two batches, the second as soon as the first is in
and the page still quiet: first what the upload's report draws, then what the other
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
STATIC = Path(st.__file__).parent / "static" / "static"
# The page's entry module, beside which every lazily loaded module lies (stylesheets in
# ../css/ from there).
ENTRY_PATTERN = r"/static/js/index\.[A-Za-z0-9_-]+\.js$"
# A batch is loaded once the page has been connected with no script run in progress or
# asked for (an upload being read, a page being drawn) for QUIET_MS without a break: the
# server's work and the page's own drawing come first. The page's state is watched as it
# changes (the app element's state attributes); POLL_MS only paces the wait. Measured on
# two cores: loaded as soon as the page was drawn, the modules (Plotly above all) slowed an
# upload chosen right then by 0.4 s (docs/benchmarks.md). A page that lost its server for
# good stops waiting.
APP = '[data-testid="stApp"]'
BUSY = (
    ":is([data-test-script-state=running],[data-test-script-state=rerunRequested],"
    "[data-test-script-state=stopRequested],:not([data-test-connection-state=CONNECTED]))"
)
GONE = "[data-test-connection-state=DISCONNECTED_FOREVER]"
STATE_ATTRIBUTES = ["data-test-script-state", "data-test-connection-state"]
QUIET_MS = 1000
POLL_MS = 250
SCRIPT = """<script>
(() => {{
  if (window.admissionsPreloaded) return;
  window.admissionsPreloaded = true;
  const entry = [...document.querySelectorAll("script[src]")]
    .find((s) => new RegExp({entry}).test(new URL(s.src).pathname));
  const app = () => document.querySelector({app});  // looked up each time: React owns it
  if (!entry || !app()) return;
  const idle = (work) => ("requestIdleCallback" in window)
    ? requestIdleCallback(work, {{timeout: 2000}}) : setTimeout(work, 0);
  const busy = () => !app() || app().matches({busy});
  const gone = () => app()?.matches({gone});
  let busySince = performance.now();
  const quiet = () => {{
    if (busy()) busySince = performance.now();
    return performance.now() - busySince >= {quiet_ms};
  }};
  const watch = new MutationObserver(quiet);  // a run between two polls counts too
  watch.observe(app(), {{attributes: true, attributeFilter: {attributes}}});
  const linked = (href) => [...document.querySelectorAll("link")].some((l) => l.href === href);
  const load = (batches) => {{
    if (!batches.length) {{ watch.disconnect(); return; }}
    const poll = () => {{
      if (gone()) {{ watch.disconnect(); return; }}
      if (!quiet()) {{ setTimeout(poll, {poll_ms}); return; }}
      idle(() => {{
        if (!quiet()) {{ poll(); return; }}
        const [modules, sheets] = batches[0];
        for (const sheet of sheets) {{
          const href = new URL("../css/" + sheet, entry.src).href;
          if (linked(href)) continue;
          const link = document.createElement("link");
          link.rel = "stylesheet";
          link.href = href;
          document.head.appendChild(link);
        }}
        Promise.allSettled(modules.map((file) => import(new URL(file, entry.src).href)))
          .then(() => load(batches.slice(1)));
      }});
    }};
    poll();
  }};
  load({batches});
}})();
</script>"""


def static_file(name: str, kind: str = "js", folder: Path | None = None) -> str | None:
    """The file of Streamlit's frontend module `name` (NAME.HASH.js; its stylesheet
    NAME.HASH.css with `kind` "css") in `folder` (the installed Streamlit's), or None when
    there is no single such file."""
    folder = STATIC / kind if folder is None else folder
    pattern = re.compile(rf"{re.escape(name)}\.[A-Za-z0-9_-]+\.{kind}")
    found = [p.name for p in folder.glob(f"{name}.*.{kind}") if pattern.fullmatch(p.name)]
    return found[0] if len(found) == 1 else None


@functools.cache
def script() -> str:
    """The sidebar's script: the modules of BATCHES found in the installed Streamlit, each
    batch as [modules, their stylesheets]."""
    batches = []
    for batch in BATCHES:
        modules, sheets = [], []
        for name in batch:
            module = static_file(name)
            if module is None:
                log.warning("Streamlit's frontend module %s was not found: not preloaded", name)
                continue
            modules.append(module)
            sheet = static_file(name, "css")
            if sheet is not None:
                sheets.append(sheet)
        if modules:
            batches.append([modules, sheets])
    return SCRIPT.format(
        entry=json.dumps(ENTRY_PATTERN),
        app=json.dumps(APP),
        busy=json.dumps(BUSY),
        gone=json.dumps(GONE),
        attributes=json.dumps(STATE_ATTRIBUTES),
        quiet_ms=QUIET_MS,
        poll_ms=POLL_MS,
        batches=json.dumps(batches),
    )


def load_ahead() -> None:
    """Draw the script (in `ui.page`'s container of scripts, which takes no room)."""
    st.html(script(), unsafe_allow_javascript=True)
