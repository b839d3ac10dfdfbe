"""AppTest helpers: sessions are seeded through ui.state, the functions the app itself uses."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from analytics import loading, rules
from analytics.rules import evaluation
from ui import loaders, state

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["app.py", *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))]
TIMEOUT = 30
AS_OF = dt.date(2026, 11, 25)  # the date the bundled samples were written for

ONE_ROW_CSV = (
    b"Applicant ID,Name,Email,Cohort,Applied on,Degree,Accredited,Licence expiry,CME hours\n"
    b"A1,Jane Doe,jane@example.org,2026-01 London,2026-01-10,MD,yes,2027-06-30,25\n"
)


def app(page: str, secrets: dict | None = None) -> AppTest:
    """A page of the app, run as the browser runs it: app.py is the main script and the
    page is chosen from pages/ (so st.switch_page and links to other screens work).

    `secrets` replace any secrets file on this machine; by default none is configured,
    so the sign-in gate serves this computer only (local mode).
    """
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if page != "app.py":
        at.switch_page(page)
    at.secrets.update(secrets or {"access": {}})
    return at


def seed_files(at: AppTest, files: list[tuple[str, bytes]], label: str = "test") -> AppTest:
    state.open_files(files, label, session=at.session_state)
    state.set_as_of(AS_OF, session=at.session_state)
    return at


def sample_files() -> list[tuple[str, bytes]]:
    return loaders.sample_files()


def engine(files, rule_set="standard", as_of=AS_OF):
    """What the app should show, straight from the engine."""
    result = loading.load_exports([loading.Source(name=n, data=d) for n, d in files])
    rs = rule_set if isinstance(rule_set, rules.RuleSet) else rules.load_rule_set(rule_set)
    return result, evaluation.evaluate(result.frame, rs, as_of=as_of)


def metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric labelled {label!r}; have {[m.label for m in at.metric]}"
    return found[0]


def chart_traces(chart) -> list[dict]:
    """Traces of an st.plotly_chart element, typed arrays (plotly's `bdata`) decoded."""
    spec = json.loads(chart.proto.spec)

    def decode(value):
        if isinstance(value, dict) and set(value) >= {"dtype", "bdata"}:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            return array.reshape(value["shape"]) if "shape" in value else array
        return value

    return [{k: decode(v) for k, v in trace.items()} for trace in spec["data"]]


def follow(at: AppTest, page: str) -> AppTest:
    """The same session on another page, as a sidebar click would open it.

    AppTest.switch_page depends on which script first ran in the process (the page list is
    resolved once), so a test opens the other page with the session's state carried over.
    """
    other = app(page)
    for key in state.SESSION_KEYS:
        if key in at.session_state:
            other.session_state[key] = at.session_state[key]
    return other.run()


def visit(at: AppTest, script: str) -> AppTest:
    """The same session on another page, as a sidebar click opens it in the browser: the
    query string arrives empty and the session puts its view back."""
    at.switch_page(script)
    at.query_params.clear()
    return at.run()


def click_download(at: AppTest, key: str) -> AppTest:
    """Click an st.download_button through AppTest's own element (Streamlit 1.59.2), which
    runs its on_click callback as the browser's click would."""
    return at.download_button(key=key).click().run()


def params(at: AppTest) -> dict[str, list[str]]:
    """The query string as lists of values."""
    return {k: list(v) if isinstance(v, list) else [v] for k, v in at.query_params.items()}
