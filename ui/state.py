"""Session state: which dataset is open and with which options, and which rules apply.

Everything a page needs to rebuild its figures lives under the keys below, as plain values
(file bytes until the files are stored, strings, dicts, a date), so a test can seed a
session through these same functions with `session=at.session_state`.

Home's widgets own their keys here (`SHEET`, `DATE_ORDER`, `AS_OF`, `RULE_CHOICE`) and
keep them with `persist_state="session"`, so their values outlive the pages that do not
draw them; the setters below write the same keys, and a widget drawn later shows what
they wrote. Two need a hand: the rule-set choice is what the user picked, which differs
from the active rules while an upload is pending, so `set_rules` keeps it in step; and
`SHOW_PERSONAL` is the sidebar toggle of every page, which `ui.page` hands its value
before each draw. docs/app.md, "Widget state and links", says why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from analytics import rules

FILES = "dataset_files"  # ((name, bytes), ...); the bytes None once left to the store
SHAS = "dataset_shas"  # the files' SHA-256s, in order: the store holds each file under it
# Home's uploader: Streamlit file id -> (name, SHA-256) of each file it handed over, and
# the ids the open dataset came from (ui.home.open_uploads).
UPLOAD_HANDED = "home_upload_handed"
UPLOAD_OPENED = "home_upload_opened"
LABEL = "dataset_label"
DIGEST = "dataset_digest"
MAPPING = "dataset_mapping"
FORMAT = "dataset_format"  # id of the saved source format MAPPING came from, or None
FORMAT_PENDING = "dataset_format_pending"  # an upload not yet matched with saved formats
OPENED_HERE = "dataset_opened_here"  # True: the person opened the files in this session
RULES_NAME = "active_rules_name"
RULES_TEXT = "active_rules_text"
RULES_ORIGIN = "active_rules_origin"
SAMPLE_OFFERED = "sample_auto_opened"
# Widget keys: the widget of that key shows and sets the value.
SHEET = "home_sheet"  # EVERY_SHEET (or None): every sheet with a header row
EVERY_SHEET = ""  # no sheet is named so (Excel refuses an empty name)
DATE_ORDER = "home_date_order"
AS_OF = "home_as_of"
RULE_CHOICE = "home_rules"  # "standard", "advanced", "uploaded" or "edited"
SHOW_PERSONAL = "page_show_personal"
# persist_state of the widgets whose value outlives a visit to their page.
KEPT = "session"

# Everything that defines what a session is looking at (what a new page visit starts from).
SESSION_KEYS = (FILES, SHAS, LABEL, DIGEST, SHEET, MAPPING, FORMAT, DATE_ORDER)
SESSION_KEYS += (RULES_NAME, RULES_TEXT)
SESSION_KEYS += (RULES_ORIGIN, RULE_CHOICE, AS_OF, SHOW_PERSONAL)

DATE_ORDERS = ("auto", "dmy", "mdy")

SessionState = MutableMapping[str, Any]  # st.session_state, or AppTest's


@dataclass(frozen=True)
class OpenFiles:
    """The files open in this session and their reading options (`digest`: their contents)."""

    label: str
    files: tuple[tuple[str, bytes | None], ...]  # bytes None: read them from the store
    digest: str
    sheet: str | None
    mapping: tuple[tuple[str, str], ...]
    date_order: str
    shas: tuple[str, ...] = ()  # the files' SHA-256s (`open_files` works them out)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.files)

    @property
    def held(self) -> bool:
        """The session holds the files' bytes (until `keep_in_store`)."""
        return all(data is not None for _, data in self.files)


@dataclass(frozen=True)
class ActiveRules:
    name: str
    text: str  # TOML; empty for a built-in set until the loader fills it in
    origin: str  # "standard", "advanced", "uploaded" or "edited"


def _session(session: SessionState | None) -> SessionState:
    return st.session_state if session is None else session


def _get(session: SessionState, key: str, default: Any = None) -> Any:
    # AppTest's session state has no .get(), so membership first.
    return session[key] if key in session else default  # noqa: SIM401


def file_shas(files: Sequence[tuple[str, bytes]]) -> tuple[str, ...]:
    """Each file's SHA-256 (hex), as the store names it."""
    return tuple(hashlib.sha256(data).hexdigest() for _, data in files)


def digest_files(files: Sequence[tuple[str, bytes]], shas: Sequence[str] = ()) -> str:
    """Content hash of the files (names included): the cache key, never the data itself.
    `shas`: the files' own SHA-256s when worked out already (`file_shas`)."""
    h = hashlib.sha256()
    for (name, _), sha in zip(files, shas or file_shas(files), strict=True):
        h.update(name.encode("utf-8"))
        h.update(b"\0")
        h.update(bytes.fromhex(sha))
    return h.hexdigest()


def open_files(
    files: Sequence[tuple[str, bytes]],
    label: str,
    *,
    session: SessionState | None = None,
    by_person: bool = True,
) -> None:
    """Make these files the active dataset; reading options start afresh. `by_person`:
    opened by the person in this session (an upload, the sample button), not for them as
    the session started (the sample opened by default, a shared link)."""
    s = _session(session)
    frozen = tuple((str(name), bytes(data)) for name, data in files)
    s[FILES] = frozen
    s[LABEL] = label
    s[SHAS] = file_shas(frozen)
    s[DIGEST] = digest_files(frozen, s[SHAS])
    s[OPENED_HERE] = by_person
    s[SHEET] = EVERY_SHEET
    s[MAPPING] = {}
    s[FORMAT] = None
    s[FORMAT_PENDING] = False
    s[DATE_ORDER] = "auto"


def opened_here(*, session: SessionState | None = None) -> bool:
    """Whether the person opened the open files in this session (`open_files`' by_person)."""
    return bool(_get(_session(session), OPENED_HERE))


def keep_in_store(*, session: SessionState | None = None) -> None:
    """The open files are stored (the caller stored them): the session keeps their names
    and SHA-256s (SHAS, from `open_files`), and their bytes are read from the store, which
    holds each file once under its SHA-256, when they are needed again (a new sheet,
    mapping or date order; `ui.loaders.file_bytes`). An upload's bytes are not held for
    as long as the session lives (8 MB of a 100,000-row export)."""
    s = _session(session)
    files = _get(s, FILES)
    if files and _get(s, SHAS):
        s[FILES] = tuple((name, None) for name, _ in files)


_DATASET_KEYS = (
    FILES, SHAS, LABEL, DIGEST, OPENED_HERE, SHEET, MAPPING, FORMAT, FORMAT_PENDING,
    DATE_ORDER, UPLOAD_HANDED, UPLOAD_OPENED,
)  # fmt: skip


def close_dataset(*, session: SessionState | None = None) -> None:
    """No dataset is open any more (it was deleted); rules and date stay. What the
    uploader handed over is forgotten: the files it still lists do not open again."""
    s = _session(session)
    for key in _DATASET_KEYS:
        s.pop(key, None)


def set_label(label: str, *, session: SessionState | None = None) -> None:
    """What the open dataset is called (its stored label once renamed)."""
    _session(session)[LABEL] = label


def has_dataset(*, session: SessionState | None = None) -> bool:
    return bool(_get(_session(session), FILES))


def dataset(*, session: SessionState | None = None) -> OpenFiles | None:
    s = _session(session)
    files = _get(s, FILES)
    if not files:
        return None
    mapping = _get(s, MAPPING) or {}
    return OpenFiles(
        label=_get(s, LABEL, ""),
        files=files,
        digest=_get(s, DIGEST) or digest_files(files),
        sheet=_get(s, SHEET) or None,
        mapping=tuple(sorted(mapping.items())),
        date_order=_get(s, DATE_ORDER, "auto"),
        shas=_get(s, SHAS) or (),
    )


def set_sheet(sheet: str | None, *, session: SessionState | None = None) -> None:
    _session(session)[SHEET] = sheet or EVERY_SHEET


def set_mapping(
    mapping: dict[str, str],
    format_id: str | None = None,
    *,
    session: SessionState | None = None,
) -> None:
    """Header -> canonical field (or "ignore") chosen by the user; empty means "recognise
    headers". `format_id`: the saved source format it comes from (None: by hand)."""
    s = _session(session)
    s[MAPPING] = {str(k): str(v) for k, v in mapping.items() if v}
    s[FORMAT] = format_id if s[MAPPING] else None


def source_format_id(*, session: SessionState | None = None) -> str | None:
    """The saved source format the open dataset is mapped with, or None."""
    return _get(_session(session), FORMAT)


def expect_saved_format(*, session: SessionState | None = None) -> None:
    """The files just opened are an upload: Home maps them with a saved source format
    whose headers they match (`take_saved_format_turn`)."""
    _session(session)[FORMAT_PENDING] = True


def take_saved_format_turn(*, session: SessionState | None = None) -> bool:
    """True once after `expect_saved_format`: the upload is to be matched now."""
    s = _session(session)
    pending = bool(_get(s, FORMAT_PENDING))
    s[FORMAT_PENDING] = False
    return pending


def mapping(*, session: SessionState | None = None) -> dict[str, str]:
    return dict(_get(_session(session), MAPPING) or {})


def set_date_order(order: str, *, session: SessionState | None = None) -> None:
    if order not in DATE_ORDERS:
        raise ValueError(f"date order must be one of {', '.join(DATE_ORDERS)}, not {order!r}")
    _session(session)[DATE_ORDER] = order


def set_rules(name: str, text: str, origin: str, *, session: SessionState | None = None) -> None:
    """Make a rule set active everywhere. Built-ins may pass text="" (read from data/)."""
    s = _session(session)
    s[RULES_NAME] = name
    s[RULES_TEXT] = text
    s[RULES_ORIGIN] = origin
    # Home's choice follows rules set elsewhere (a link, the Rules page). When Home itself
    # sets them, its radio already shows this origin and may not be written to again.
    if _get(s, RULE_CHOICE) != origin:
        s[RULE_CHOICE] = origin


def use_builtin_rules(name: str, *, session: SessionState | None = None) -> None:
    if name not in rules.BUILT_IN:
        raise ValueError(f"unknown rule set {name!r}: choose {' or '.join(rules.BUILT_IN)}")
    set_rules(name, "", name, session=session)


def active_rules(*, session: SessionState | None = None) -> ActiveRules:
    s = _session(session)
    name = _get(s, RULES_NAME) or rules.DEFAULT_RULE_SET
    return ActiveRules(
        name=name, text=_get(s, RULES_TEXT) or "", origin=_get(s, RULES_ORIGIN) or name
    )


def set_as_of(day: dt.date, *, session: SessionState | None = None) -> None:
    _session(session)[AS_OF] = day


def as_of(*, session: SessionState | None = None) -> dt.date:
    """The date rules are judged on; today unless the user picked another."""
    return _get(_session(session), AS_OF) or dt.date.today()


def set_show_personal(shown: bool, *, session: SessionState | None = None) -> None:
    _session(session)[SHOW_PERSONAL] = bool(shown)


def show_personal(*, session: SessionState | None = None) -> bool:
    return bool(_get(_session(session), SHOW_PERSONAL, False))


def claim_sample_offer(*, session: SessionState | None = None) -> bool:
    """True the first time in a session only: the sample opens by itself at most once."""
    s = _session(session)
    if _get(s, SAMPLE_OFFERED):
        return False
    s[SAMPLE_OFFERED] = True
    return True
