"""Share links: the URL's query string carries the view, so a pasted link reopens it.

Query parameters (never personal data):

    ds=d-xxxxxxxxxx      stored dataset id (random, see analytics.store)
    rules=standard       built-in rule set name, or a stored rule set id (r-xxxxxxxxxx)
    as_of=2025-06-30     the date the rules are judged on
    page=Eligibility     the screen (file name in pages/ without its number)
    cohort=2026-Spring   Eligibility's cohort choice (absent: all cohorts)
    f.cohort=2025-spring filters, one parameter per chosen value (f.<column>=<value>)
    vs=d-yyyyyyyyyy      Changes: the stored dataset the open one is compared with
    vs_as_of=2026-10-01  Changes: the date that dataset is judged on
    ds_as_of=2026-11-01  Changes: the date the open dataset is judged on there

Filters on personal columns (applicant id, name, email, licence number, and anything whose
header looks personal) and values containing "@" are never written into a link.

Every page calls `restore_view(page)` after the sign-in gate: a link's parameters win (the
dataset is loaded from the store into `ui.state`, the rules and as-of date applied);
without parameters the session's view is written back into the URL, because Streamlit
clears the query string when the user switches pages. `publish_view(**fields)` records a
change (for example new filters) and updates the URL.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

import store as store_mod
from analytics import rules
from analytics.errors import LoadError
from analytics.reporting import exports
from ui import auth, loaders, state

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
PAGES_DIR = ROOT / "pages"
HOME_PAGE = "Home"

DATASET = "ds"
RULES = "rules"
AS_OF = "as_of"
PAGE = "page"
COHORT = "cohort"
FILTER_PREFIX = "f."
COMPARE = "vs"
COMPARE_AS_OF = "vs_as_of"
DATASET_AS_OF = "ds_as_of"
VIEW_PARAMS = (DATASET, RULES, AS_OF, PAGE, COHORT, COMPARE, COMPARE_AS_OF, DATASET_AS_OF)

VIEW_KEY = "links_view"
SHARED_KEY = "links_shared"  # (ui.state dataset key) -> stored dataset id, this session
RULES_KEY = "links_rules"  # rule-set TOML sha256 -> stored rule-set id, this session
WRITTEN_KEY = "links_written"  # the query string this session last wrote

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_ .-]{1,60}$")
MAX_VALUES = 50
MAX_VALUE_LENGTH = 100
ALWAYS_PERSONAL = {"applicant_id"}  # exports show it, links never; the rest: exports

BAD_DATASET = "The link names a dataset id that is not valid; it was ignored."
GONE_DATASET = (
    "The dataset in this link is no longer stored (its owner deleted it). "
    "Ask for the files, or a new link."
)
NO_DATASET = (
    "There is no dataset with this link: check that it was copied whole, or ask for a new one."
)
BAD_RULES = "The link names an unknown rule set; the standard rules are used instead."
GONE_RULES = "The rule set in this link is no longer stored; the standard rules are used instead."
# As-of dates a link may carry: the engine adds validity years and windows to them, and
# dates near the calendar's end (9999-12-31) overflow.
AS_OF_RANGE = (dt.date(1900, 1, 1), dt.date(2200, 12, 31))
BAD_AS_OF = (
    "The link's as-of date is not a date between 1900 and 2200 (YYYY-MM-DD); today is used instead."
)
BAD_PAGE = "The link names a screen that does not exist; it opened here instead."
BAD_COMPARE = (
    "The link names a dataset to compare with that is not valid; the previous upload is "
    "used instead."
)
BAD_COMPARE_AS_OF = (
    "The link's comparison dates are not dates between 1900 and 2200 (YYYY-MM-DD); each "
    "upload's own date is "
    "used instead."
)
DROPPED_FILTER = (
    "Some filters in the link were not valid (or named personal data) and were left out."
)


@dataclass(frozen=True)
class View:
    """Everything a link reopens. `filters`: ((column, (value, ...)), ...), sorted.
    `compare`, `compare_as_of`, `dataset_as_of`: the Changes page's comparison (the other
    dataset and each side's date), kept while the same dataset stays open."""

    dataset_id: str | None = None
    rule_set: str | None = None
    as_of: dt.date | None = None
    page: str | None = None
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    cohort: str | None = None
    compare: str | None = None
    compare_as_of: dt.date | None = None
    dataset_as_of: dt.date | None = None

    def filter_dict(self) -> dict[str, list[str]]:
        return {column: list(values) for column, values in self.filters}


def _is_personal_column(column: str) -> bool:
    return column in ALWAYS_PERSONAL or exports.is_personal_column(column)


def _is_link_value(value: str) -> bool:
    """A filter value or cohort fit for a URL: short, and not an email address."""
    return "@" not in value and 0 < len(value) <= MAX_VALUE_LENGTH


def clean_filters(
    filters: Mapping[str, Sequence[str] | str] | None,
) -> tuple[tuple[tuple[str, tuple[str, ...]], ...], bool]:
    """Filters fit for a URL, and whether anything had to be left out."""
    kept, dropped = [], False
    for column, values in (filters or {}).items():
        values = [values] if isinstance(values, str) else list(values)
        column = str(column)
        if not NAME_PATTERN.fullmatch(column) or _is_personal_column(column):
            dropped = True
            continue
        good = sorted({str(v) for v in values if v is not None and _is_link_value(str(v))})
        dropped |= len(good) != len(set(map(str, values))) or len(good) > MAX_VALUES
        if good:
            kept.append((column, tuple(good[:MAX_VALUES])))
    return tuple(sorted(kept)), dropped


def to_params(view: View) -> dict[str, str | list[str]]:
    """The query parameters for a view (pure)."""
    params: dict[str, str | list[str]] = {}
    if view.dataset_id:
        params[DATASET] = view.dataset_id
    if view.rule_set:
        params[RULES] = view.rule_set
    if view.as_of:
        params[AS_OF] = view.as_of.isoformat()
    if view.page:
        params[PAGE] = view.page
    if view.cohort and _is_link_value(view.cohort):
        params[COHORT] = view.cohort
    filters, _ = clean_filters(view.filter_dict())
    for column, values in filters:
        params[FILTER_PREFIX + column] = list(values)
    if view.compare:
        params[COMPARE] = view.compare
    for key, day in ((COMPARE_AS_OF, view.compare_as_of), (DATASET_AS_OF, view.dataset_as_of)):
        if day:
            params[key] = day.isoformat()
    return params


def from_params(params: Mapping[str, str | Sequence[str]]) -> tuple[View, list[str]]:
    """Parse and validate query parameters (pure); returns the view and what was wrong."""

    def first(key: str) -> str | None:
        value = params.get(key)
        if value is None or isinstance(value, str):
            return value
        return value[-1] if len(value) else None

    def day(key: str) -> tuple[dt.date | None, bool]:
        if (text := first(key)) is None:
            return None, True
        try:
            parsed = dt.date.fromisoformat(text)
        except ValueError:
            return None, False
        return (parsed, True) if AS_OF_RANGE[0] <= parsed <= AS_OF_RANGE[1] else (None, False)

    problems: list[str] = []
    dataset_id = first(DATASET)
    if dataset_id is not None and not store_mod.is_id(dataset_id, "dataset"):
        problems.append(BAD_DATASET)
        dataset_id = None
    rule_set = first(RULES)
    if rule_set is not None and not (
        rule_set in rules.BUILT_IN or store_mod.is_id(rule_set, "rule_set")
    ):
        problems.append(BAD_RULES)
        rule_set = None
    as_of, is_date = day(AS_OF)
    if not is_date:
        problems.append(BAD_AS_OF)
    compare = first(COMPARE)
    if compare is not None and not store_mod.is_id(compare, "dataset"):
        problems.append(BAD_COMPARE)
        compare = None
    (compare_as_of, old_ok), (dataset_as_of, new_ok) = day(COMPARE_AS_OF), day(DATASET_AS_OF)
    if not (old_ok and new_ok):
        problems.append(BAD_COMPARE_AS_OF)
    page = first(PAGE)
    if page is not None and not NAME_PATTERN.fullmatch(page):
        problems.append(BAD_PAGE)
        page = None
    raw_filters = {
        key[len(FILTER_PREFIX) :]: [value] if isinstance(value, str) else list(value)
        for key, value in params.items()
        if key.startswith(FILTER_PREFIX)
    }
    filters, dropped = clean_filters(raw_filters)
    cohort = first(COHORT)
    if cohort is not None and not _is_link_value(cohort):
        dropped, cohort = True, None
    if dropped:
        problems.append(DROPPED_FILTER)
    view = View(
        dataset_id,
        rule_set,
        as_of,
        page,
        filters,
        cohort,
        compare=compare,
        compare_as_of=compare_as_of,
        dataset_as_of=dataset_as_of,
    )
    return view, problems


def share_query(view: View) -> str:
    return urlencode(to_params(view), doseq=True)


def share_link(view: View | None = None) -> str:
    """A link to paste: the app's address plus the view's query string."""
    view = current_view() if view is None else view
    base = st.context.url or ""
    return f"{base}?{share_query(view)}"


# -- pages --------------------------------------------------------------------------------


def page_scripts() -> dict[str, str]:
    """Page name -> script path relative to app.py, in the sidebar's order (the number
    each file name starts with): Home (pages/0_Home.py) first."""
    paths = sorted(PAGES_DIR.glob("*.py"), key=lambda path: int(path.stem.split("_", 1)[0]))
    return {re.sub(r"^\d+_", "", path.stem): f"pages/{path.name}" for path in paths}


# -- session ------------------------------------------------------------------------------


def current_view() -> View:
    view = st.session_state.get(VIEW_KEY)
    return view if isinstance(view, View) else View()


def _state_key(ds: state.OpenFiles) -> tuple:
    return (ds.digest, ds.sheet, ds.mapping, ds.date_order)


def _user() -> str | None:
    return auth.current_user()


def shared_dataset_id() -> str | None:
    """The stored id of the dataset open in this session, if it has been shared."""
    ds = state.dataset()
    if ds is None:
        return None
    return st.session_state.get(SHARED_KEY, {}).get(_state_key(ds))


def forget_shared(dataset_id: str) -> None:
    """This session no longer takes `dataset_id` for its datasets (it was deleted)."""
    shared = st.session_state.get(SHARED_KEY, {})
    for key in [k for k, v in shared.items() if v == dataset_id]:
        del shared[key]


class StoredAhead:
    """The open dataset's files written into the store while they are read.

    Storing an export is mostly its blob's write (an 8 MB export: 0.1-0.2 s, most of it
    the fsync), and it used to wait for the read. Entered, this writes the session's bytes
    on another thread, which the read (in the reader's child) leaves free; `share_dataset`
    then finds them stored and writes only the dataset's rows. Left, it waits for that
    write, and unless `keep()` was called (the files were read) removes again those of the
    files that no dataset references: only a dataset that was read is stored. A failed
    write is left to `share_dataset`, which writes again and says why.
    """

    def __init__(self) -> None:
        self._written: list[str] = []
        self._thread: threading.Thread | None = None
        self._keep = False
        self._store: store_mod.Store | None = None

    def __enter__(self) -> StoredAhead:
        ds = state.dataset()
        if ds is None or not ds.held or _user() is None:
            return self  # nothing to write, or nobody to store it for
        if loaders.read_here(ds):
            # Remembered: no read to overlap, and a file remembered as unreadable must not
            # be written (and removed) again on every rerun.
            return self
        try:
            self._store = store_mod.open_store()
        except store_mod.FAILURES:
            return self
        files = [data for _, data in ds.files]
        self._thread = threading.Thread(
            target=self._write, args=(files,), name="admissions-store-ahead", daemon=True
        )
        self._thread.start()
        return self

    def _write(self, files: list[bytes]) -> None:
        for data in files:
            try:
                self._written.append(self._store.put_blob(data))
            except store_mod.FAILURES:
                log.warning("could not store an upload ahead of its read", exc_info=True)
                return

    def keep(self) -> None:
        """The files were read: leave them stored for `share_dataset`."""
        self._keep = True

    def __exit__(self, *exc) -> None:
        if self._thread is None:
            return
        self._thread.join()
        if self._keep or not self._written:
            return
        try:
            self._store.discard_blobs(self._written)
        except store_mod.FAILURES:
            # The store's garbage collection removes them at its next pass.
            log.warning("could not remove the files of an upload that was not read", exc_info=True)


def share_dataset() -> str | None:
    """Store the open dataset (files + reading options) and return its id.

    Idempotent within a session: the store is written (and ``upload`` audited) once per
    dataset and set of reading options.
    """
    ds = state.dataset()
    user = _user()
    if ds is None or user is None:
        return None
    known = st.session_state.setdefault(SHARED_KEY, {})
    key = _state_key(ds)
    if key not in known:
        options = {"sheet": ds.sheet, "mapping": dict(ds.mapping), "date_order": ds.date_order}
        try:
            files = loaders.file_bytes(ds)  # from the store when kept there
        except LoadError as err:
            raise store_mod.StoreError(str(err)) from err
        stored = store_mod.open_store().create_dataset(
            list(files),
            owner=user,
            options=options,
            label=ds.label,
            source_format=loaders.source_format(ds),
            audit_later=True,  # a dataset stored already: written once the page is drawn
        )
        known[key] = stored.id
    return known[key]


def _rule_set_param() -> str | None:
    active = state.active_rules()
    if active.origin in rules.BUILT_IN and active.name == active.origin:
        return active.name
    user = _user()
    if not active.text or user is None:
        return None
    known = st.session_state.setdefault(RULES_KEY, {})
    sha = store_mod.sha256_hex(active.text.encode("utf-8"))
    if sha not in known:
        known[sha] = store_mod.open_store().put_rule_set(active.name, active.text, user).id
    return known[sha]


def _from_session(page: str | None) -> View:
    """The view as the session has it now (dataset, rules and date from ui.state); a
    comparison is kept while its dataset stays open."""
    before = current_view()
    dataset_id = shared_dataset_id()
    kept = before if before.dataset_id == dataset_id else View()
    return View(
        dataset_id=dataset_id,
        rule_set=_rule_set_param(),
        as_of=state.as_of(),
        page=page if page is not None else before.page,
        filters=before.filters,
        cohort=before.cohort,
        compare=kept.compare,
        compare_as_of=kept.compare_as_of,
        dataset_as_of=kept.dataset_as_of,
    )


def _url_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params if key != "embed"}


def _write_url(view: View) -> None:
    params = to_params(view)
    wanted = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    if _url_params() != wanted:
        st.query_params.from_dict(params)
    st.session_state[WRITTEN_KEY] = wanted


def publish_view(**fields) -> View:
    """Record the view (fields given override the session's) and put it in the URL.

    Fields: dataset_id, rule_set, as_of, page, filters (dict column -> values), cohort
    (Eligibility's choice, None for all cohorts), compare, compare_as_of, dataset_as_of
    (the Changes page's comparison). Returns the view as published (personal filters left
    out).
    """
    unknown = set(fields) - set(View.__dataclass_fields__)
    if unknown:
        raise TypeError(f"publish_view() got unknown fields: {', '.join(sorted(unknown))}")
    if "filters" in fields:
        fields["filters"], _ = clean_filters(fields["filters"])
    view = replace(_from_session(fields.get("page")), **fields)
    st.session_state[VIEW_KEY] = view
    _write_url(view)
    return view


def _open_dataset(dataset_id: str, user: str | None) -> bool:
    opened = store_mod.open_store()
    try:
        stored = opened.get_dataset(dataset_id)
        files = opened.read_dataset_files(dataset_id)
    except store_mod.NotFoundError:
        # The audit log tells a deleted dataset from an id that never existed (a typo).
        deleted = opened.audit_log(action="delete", object_id=dataset_id, limit=1)
        st.warning(GONE_DATASET if deleted else NO_DATASET)
        return False
    except store_mod.StoreError as err:
        st.warning(str(err))
        return False
    state.open_files(files, stored.label, by_person=False)
    options = stored.options
    state.set_sheet(options.get("sheet"))
    state.set_mapping(options.get("mapping") or {})
    if options.get("date_order") in state.DATE_ORDERS:
        state.set_date_order(options["date_order"])
    ds = state.dataset()
    st.session_state.setdefault(SHARED_KEY, {})[_state_key(ds)] = dataset_id
    if user:  # written once the page is drawn (ui.page.run), after the sign-in
        opened.record(user, "view", dataset_id, later=True)
    return True


def _apply_rules(rule_set: str) -> bool:
    if rule_set in rules.BUILT_IN:
        state.use_builtin_rules(rule_set)
        return True
    try:
        stored = store_mod.open_store().get_rule_set(rule_set)
    except store_mod.NotFoundError:
        st.warning(GONE_RULES)
        state.use_builtin_rules(rules.DEFAULT_RULE_SET)
        return False
    use_stored_rules(stored)
    return True


def use_stored_rules(stored: store_mod.StoredRuleSet) -> None:
    """Make a stored rule set active ("edited" when it was adopted on the Rules page, so
    every session opening it says the same) and let links name it by its id."""
    state.set_rules(stored.name, stored.text, "uploaded" if stored.version is None else "edited")
    st.session_state.setdefault(RULES_KEY, {})[store_mod.sha256_hex(stored.text.encode())] = (
        stored.id
    )


def stored_rules() -> store_mod.StoredRuleSet | None:
    """The stored record of the active rule set, when this session knows its id."""
    active = state.active_rules()
    if not active.text:
        return None
    sha = store_mod.sha256_hex(active.text.encode("utf-8"))
    known = st.session_state.get(RULES_KEY, {}).get(sha)
    try:
        return None if known is None else store_mod.open_store().get_rule_set(known)
    except store_mod.NotFoundError:
        return None


def _apply(linked: View) -> View:
    """Make the session show the linked view; returns what could be applied."""
    user = _user()
    dataset_id = linked.dataset_id
    if dataset_id and dataset_id != shared_dataset_id() and not _open_dataset(dataset_id, user):
        dataset_id = None
    rule_set = linked.rule_set
    if rule_set and not _apply_rules(rule_set):
        rule_set = rules.DEFAULT_RULE_SET
    if linked.as_of:
        state.set_as_of(linked.as_of)
    return replace(linked, dataset_id=dataset_id, rule_set=rule_set)


def follow_link(view: View) -> None:
    """Make the next run open `view` as if its link had been pasted (the same path,
    audited as `view`): call it from a widget's callback, or then `st.rerun()`."""
    st.query_params.from_dict(to_params(view))
    st.session_state.pop(WRITTEN_KEY, None)


def is_incoming_link() -> bool:
    """True when the URL holds a view this session did not write (a pasted or saved link):
    `restore_view` will apply it on this run."""
    params = _url_params()
    is_link = any(k in VIEW_PARAMS or k.startswith(FILTER_PREFIX) for k in params)
    return is_link and params != st.session_state.get(WRITTEN_KEY)


def restore_view(page: str | None = None) -> View:
    """Reopen the view a link names, or keep the session's view in the URL.

    `page`: this screen's name ("Home", "Eligibility", ...). When a link names another
    screen, the app switches to it (the view travels in the session). A query string
    this session wrote itself is not a link: the session's own choices, made since, win.
    """
    params = _url_params()
    if is_incoming_link():
        linked, problems = from_params(params)
        for problem in problems:
            st.warning(problem)
        st.session_state[VIEW_KEY] = _apply(linked)
        target = linked.page
        if target and page and target != page:
            scripts = page_scripts()
            if target in scripts:
                st.switch_page(scripts[target])
            st.warning(BAD_PAGE)
    return publish_view(page=page) if page is not None else publish_view()
