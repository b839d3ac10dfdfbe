"""Session state: which dataset is open and with which options, and which rules apply.

Everything a page needs to rebuild its figures lives under the keys below, as plain values
(file bytes, strings, dicts, a date), so a test can seed a session through these same
functions with `store=at.session_state`. Widgets never own these keys: a widget copies its
value here in its on_change callback, because Streamlit drops a widget's own state when the
user moves to a page that does not draw it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

FILES = "dataset_files"
LABEL = "dataset_label"
DIGEST = "dataset_digest"
SHEET = "dataset_sheet"
MAPPING = "dataset_mapping"
DATE_ORDER = "dataset_date_order"
RULES_NAME = "active_rules_name"
RULES_TEXT = "active_rules_text"
RULES_ORIGIN = "active_rules_origin"
AS_OF = "as_of_date"
SHOW_PERSONAL = "personal_data_shown"
SAMPLE_OFFERED = "sample_auto_opened"

# Everything that defines what a session is looking at (what a new page visit starts from).
SESSION_KEYS = (FILES, LABEL, DIGEST, SHEET, MAPPING, DATE_ORDER, RULES_NAME, RULES_TEXT)
SESSION_KEYS += (RULES_ORIGIN, AS_OF, SHOW_PERSONAL)

DATE_ORDERS = ("auto", "dmy", "mdy")
BUILTIN_RULE_SETS = ("standard", "advanced")
DEFAULT_RULE_SET = "standard"

Store = MutableMapping[str, Any]


@dataclass(frozen=True)
class Dataset:
    """The open dataset and its reading options; `digest` identifies the file contents."""

    label: str
    files: tuple[tuple[str, bytes], ...]
    digest: str
    sheet: str | None
    mapping: tuple[tuple[str, str], ...]
    date_order: str


@dataclass(frozen=True)
class ActiveRules:
    name: str
    text: str  # TOML; empty for a built-in set until the loader fills it in
    origin: str  # "standard", "advanced", "uploaded" or "edited"


def _store(store: Store | None) -> Store:
    return st.session_state if store is None else store


def _get(store: Store, key: str, default: Any = None) -> Any:
    # AppTest's session state has no .get(), so membership first.
    return store[key] if key in store else default  # noqa: SIM401


def digest_files(files: Sequence[tuple[str, bytes]]) -> str:
    """Content hash of the files (names included): the cache key, never the data itself."""
    h = hashlib.sha256()
    for name, data in files:
        h.update(name.encode("utf-8"))
        h.update(b"\0")
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def open_files(
    files: Sequence[tuple[str, bytes]], label: str, *, store: Store | None = None
) -> None:
    """Make these files the active dataset; reading options start afresh."""
    s = _store(store)
    frozen = tuple((str(name), bytes(data)) for name, data in files)
    s[FILES] = frozen
    s[LABEL] = label
    s[DIGEST] = digest_files(frozen)
    s[SHEET] = None
    s[MAPPING] = {}
    s[DATE_ORDER] = "auto"


def close_dataset(*, store: Store | None = None) -> None:
    s = _store(store)
    for key in (FILES, LABEL, DIGEST, SHEET, MAPPING, DATE_ORDER):
        if key in s:
            del s[key]


def has_dataset(*, store: Store | None = None) -> bool:
    return bool(_get(_store(store), FILES))


def dataset(*, store: Store | None = None) -> Dataset | None:
    s = _store(store)
    files = _get(s, FILES)
    if not files:
        return None
    mapping = _get(s, MAPPING) or {}
    return Dataset(
        label=_get(s, LABEL, ""),
        files=files,
        digest=_get(s, DIGEST) or digest_files(files),
        sheet=_get(s, SHEET),
        mapping=tuple(sorted(mapping.items())),
        date_order=_get(s, DATE_ORDER, "auto"),
    )


def set_sheet(sheet: str | None, *, store: Store | None = None) -> None:
    _store(store)[SHEET] = sheet


def set_mapping(mapping: dict[str, str], *, store: Store | None = None) -> None:
    """Header -> canonical field chosen by the user; empty means "recognise headers"."""
    _store(store)[MAPPING] = {str(k): str(v) for k, v in mapping.items() if v}


def mapping(*, store: Store | None = None) -> dict[str, str]:
    return dict(_get(_store(store), MAPPING) or {})


def set_date_order(order: str, *, store: Store | None = None) -> None:
    if order not in DATE_ORDERS:
        raise ValueError(f"date order must be one of {', '.join(DATE_ORDERS)}, not {order!r}")
    _store(store)[DATE_ORDER] = order


def set_rules(name: str, text: str, origin: str, *, store: Store | None = None) -> None:
    """Make a rule set active everywhere. Built-ins may pass text="" (read from data/)."""
    s = _store(store)
    s[RULES_NAME] = name
    s[RULES_TEXT] = text
    s[RULES_ORIGIN] = origin


def use_builtin_rules(name: str, *, store: Store | None = None) -> None:
    if name not in BUILTIN_RULE_SETS:
        raise ValueError(f"unknown rule set {name!r}: choose {' or '.join(BUILTIN_RULE_SETS)}")
    set_rules(name, "", name, store=store)


def active_rules(*, store: Store | None = None) -> ActiveRules:
    s = _store(store)
    name = _get(s, RULES_NAME) or DEFAULT_RULE_SET
    return ActiveRules(
        name=name, text=_get(s, RULES_TEXT) or "", origin=_get(s, RULES_ORIGIN) or name
    )


def set_as_of(day: dt.date, *, store: Store | None = None) -> None:
    _store(store)[AS_OF] = day


def as_of(*, store: Store | None = None) -> dt.date:
    """The date rules are judged on; today unless the user picked another."""
    return _get(_store(store), AS_OF) or dt.date.today()


def set_show_personal(shown: bool, *, store: Store | None = None) -> None:
    _store(store)[SHOW_PERSONAL] = bool(shown)


def show_personal(*, store: Store | None = None) -> bool:
    return bool(_get(_store(store), SHOW_PERSONAL, False))


def claim_sample_offer(*, store: Store | None = None) -> bool:
    """True the first time in a session only: the sample opens by itself at most once."""
    s = _store(store)
    if _get(s, SAMPLE_OFFERED):
        return False
    s[SAMPLE_OFFERED] = True
    return True
