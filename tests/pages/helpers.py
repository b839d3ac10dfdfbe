"""AppTest helpers: sessions are seeded through ui.state, the functions the app itself uses."""

from __future__ import annotations

import base64
import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from tests.sample_counts import AS_OF
from ui import loaders, state

ROOT = Path(__file__).resolve().parents[2]
# Every screen, Home (pages/0_Home.py) first: app.py only declares them (st.navigation).
PAGES = sorted(
    (p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py")),
    key=lambda path: int(path.split("/")[-1].split("_")[0]),
)
HOME = "pages/0_Home.py"
TIMEOUT = 30

ONE_ROW_CSV = (
    b"Applicant ID,Name,Email,Cohort,Applied on,Degree,Accredited,Licence expiry,CME hours\n"
    b"A1,Jane Doe,jane@example.org,2026-01 London,2026-01-10,MD,yes,2027-06-30,25\n"
)

# Three cohorts and a blank one; under the standard rules on AS_OF (no advisory columns):
COHORTS_CSV = [
    "Applicant ID,Name,Email,Cohort,Programme,Country,Applied on,Degree,Accredited,"
    "Licence expiry,CME hours,Referral source",
    # eligible
    "B1,Amy Ash,amy@example.org,2026-03 Leeds,Standard,UK,2026-03-02,MD,yes,2027-06-30,25,web",
    # eligible (nursing needs 30 CME hours)
    "B2,Bob Best,bob@example.org,2026-01 London,Standard,UK,2026-01-10,RN,yes,2027-06-30,31,friend",
    # ineligible: not accredited
    "B3,Cat Cho,cat@example.org,2026-01 London,Advanced,Ireland,2026-01-12,MD,no,2027-06-30,25,web",
    # ineligible: 12 of the 20 CME hours a dentist needs
    "B4,Dev Das,dev@example.org,2026-03 Leeds,Standard,UK,2026-03-05,DDS,yes,2027-06-30,12,web",
    # ineligible: no healthcare degree, not accredited (40 CME hours pass the default 30)
    "B5,Eli Erb,eli@example.org,2026-05 York,Standard,UK,2026-05-01,MBA,no,2027-06-30,40,friend",
    # eligible
    "B6,Fay Fenn,fay@example.org,2026-05 York,Advanced,UK,2026-05-03,MD,yes,2027-06-30,22,web",
    # incomplete: no licence expiry; no cohort
    "B7,Gus Gale,gus@example.org,,Standard,UK,2026-02-01,MD,yes,,25,friend",
    # ineligible: licence expired on 2026-10-26; applied before anyone else in Leeds
    "B8,Hana Holt,hana@example.org,2026-03 Leeds,Standard,UK,2026-02-20,RN,yes,2026-10-26,30,",
]


def csv_export(lines: list[str]) -> bytes:
    """A small CRM export: a header line and one line per row, as CSV bytes."""
    return "".join(f"{line}\n" for line in lines).encode("utf-8")


def cohorts_export() -> list[tuple[str, bytes]]:
    return [("cohorts.csv", csv_export(COHORTS_CSV))]


def rule_labels(rule_set: str = "standard", renewal: bool = False) -> dict[str, str]:
    """Admission (or renewal) rule id -> label, read from the bundled rule-set file."""
    data = tomllib.loads((ROOT / "data" / "rules" / f"{rule_set}.toml").read_text("utf-8"))
    return {
        r["id"]: r["label"] for r in (data["renewal"]["rules"] if renewal else data["admission"])
    }


# Five applicants, worked out by hand for 25 Nov 2026: every licence current, every degree
# medicine, so CME hours decide (medicine needs 20): A1, A3 and A4 (25 hours) eligible,
# A2 and A5 (5 hours) ineligible. In 2026-Spring and Ireland: A1 and A2.
INTAKE = (
    b"Applicant ID,Name,Email,Cohort,Country,Applied on,Degree,Accredited,Licence expiry,"
    b"CME hours\n"
    b"A1,Ann One,a1@example.org,2026-Spring,Ireland,2026-01-10,MD,yes,2027-06-30,25\n"
    b"A2,Ben Two,a2@example.org,2026-Spring,Ireland,2026-01-11,MD,yes,2027-06-30,5\n"
    b"A3,Cat Three,a3@example.org,2026-Spring,France,2026-01-12,MD,yes,2027-06-30,25\n"
    b"A4,Dan Four,a4@example.org,2025-Autumn,Ireland,2025-08-10,MD,yes,2027-06-30,25\n"
    b"A5,Eve Five,a5@example.org,2025-Autumn,France,2025-08-11,MD,yes,2027-06-30,5\n"
)


def app(page: str, secrets: dict | None = None) -> AppTest:
    """A page of the app, run as the browser runs it: app.py is the main script and
    declares the screens, the page is one of them ("app.py": the default, Home), so
    st.switch_page and links to other screens work.

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


def metric(at: AppTest, label: str) -> str:
    """The value of the metric whose label reads `label` (user text in it is escaped)."""
    found = [m.value for m in at.metric if literal(m.label) == label]
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


@dataclass
class Media:
    """What download buttons handed Streamlit's media manager in the runs of a test:
    `added` file name -> bytes stored at once (servable by URL), `deferred` placeholder
    id -> the callable that makes the file when the browser asks (see `fetch`)."""

    added: dict[str, bytes] = field(default_factory=dict)
    deferred: dict[str, Callable[[], bytes | str]] = field(default_factory=dict)

    def fetch(self, at: AppTest, key: str) -> bytes:
        """The file a click on the button `key` downloads, as the browser gets it: the
        page holds no file and no URL, only a deferred id, whose callable makes the file."""
        proto = at.download_button(key=key).proto
        assert proto.url == "", "the page carries a file URL"
        data = self.deferred[proto.deferred_file_id]()
        return data.encode("utf-8") if isinstance(data, str) else data


def literal(markdown: str) -> str:
    """The text a Markdown body shows when its user-supplied parts are escaped: every
    backslash before ASCII punctuation dropped (CommonMark's escape)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def open_tab(at: AppTest, key: str, title: str) -> AppTest:
    """Choose the tab whose label starts with `title` among lazy tabs (ui.page.lazy_tabs:
    only the open one is drawn) and rerun, as a click on it does."""
    label = next(t.label for t in at.tabs if t.label.startswith(title))
    at.session_state[key] = label
    return at.run()
