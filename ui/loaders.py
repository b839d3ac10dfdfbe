"""Cached reading and evaluation: the only place the app touches files or runs the engine.

Two layers, because a rerun must not repeat work that no widget asked for:
- server-wide caches shared by every session, keyed by the content digest of the files
  plus every reading option: `st.cache_resource` for the read dataset and for its
  evaluation (also keyed by the rule set's TOML text and the as-of date), `st.cache_data`
  for small results (sheet names, column samples, the what-if's table). The file bytes
  travel in `_`-prefixed (unhashed) arguments, so a 20 MB workbook is not re-hashed on
  every rerun; the digest covers them completely. Keys hold no names, emails or licence
  numbers. The dataset is a shared object, not a copy: `st.cache_data` would keep a
  pickle of it (36 MB for the 100,000-row benchmark export) and hand each session an
  unpickled copy of its own (as large again).
- a per-session memo of the results each screen derives (summaries, capped tables,
  figures), and of a file that cannot be read, so a rerun does not read it again.
Files are read in a child process (`analytics.loading.worker`), never in the server's own:
a file that crashes the reader ends that child and comes back as a LoadError.
Every cache that holds frames is bounded by entries (a few datasets) and time (DATA_TTL
after it was written); with no session alive `ui.memory` empties them all
(`clear_data_caches`). Streamlit removes an expired entry on that cache's next write, not
on the minute.
Callers must treat returned frames as read-only (the analytics functions are pure): one
object serves every session that opened the same files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

import store
from analytics import loading, rules
from analytics.errors import LoadError
from analytics.loading import fields, safety, worker
from analytics.reporting import renewals, summary, vocabulary
from analytics.rules import evaluation
from analytics.rules.evaluation import Evaluation
from ui import filters, masking, printing, state

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = ROOT / "data" / "samples"
UPLOAD_TYPES = ("xlsx", "xlsm", "xls", *(s.lstrip(".") for s in safety.TEXT_SUFFIXES))
MEMO = "_loaders_memo"
# The session memo is least-recently-used, with two budgets: entries that hold a whole
# dataset (its frame, its files, its evaluation, a filtered evaluation) and everything
# else (a page's summaries, capped tables, chart data). The second must hold what every
# screen derives from one analysis (about 40 entries): a round through the screens must
# not push out what the next round reads first.
HEAVY_KEPT = 6
MEMO_SIZE = 160
HEAVY_KINDS = frozenset({"load", "stored", "eval", "samples"})
# Shared caches of frames: a colleague opening the same link soon after reads no file
# again; beyond that, memory is worth more than the seconds a re-read costs.
DATA_TTL = dt.timedelta(minutes=15)
DATASETS_KEPT = 4

T = TypeVar("T")
worker.warm_up()  # the reader's fork server imports the readers now, not on the first upload


@dataclass(frozen=True)
class Analysis:
    """What every page works from: the read files, the rules and their evaluation."""

    key: tuple[Hashable, ...]  # identifies this analysis; pages memoise summaries under it
    dataset: state.OpenFiles
    result: loading.LoadResult
    rule_set: rules.RuleSet
    evaluation: Evaluation
    as_of: dt.date


def sample_files() -> list[tuple[str, bytes]]:
    """Every export bundled in data/samples/, in name order."""
    paths = sorted(
        p for p in SAMPLES_DIR.glob("*") if p.is_file() and p.suffix.lstrip(".") in UPLOAD_TYPES
    )
    return [(p.name, p.read_bytes()) for p in paths]


def memo(key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """The session memo for a result that is not derived from one analysis (e.g. a chart
    of several datasets); `key` must hold every input of `compute`."""
    return _memo(("memo", *key), compute)


def _is_heavy(key: tuple[Hashable, ...]) -> bool:
    return key[0] in HEAVY_KINDS or key[:2] == ("derived", "filtered")


def _memo(key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    store: dict = st.session_state.setdefault(MEMO, {})
    if key in store:
        value = store.pop(key)  # reinserted last: the most recently used
        store[key] = value
        return value
    value = compute()
    heavy = _is_heavy(key)
    same = [k for k in store if _is_heavy(k) == heavy]  # least recently used first
    for old in same[: max(0, len(same) - (HEAVY_KEPT if heavy else MEMO_SIZE) + 1)]:
        del store[old]
    store[key] = value
    return value


@dataclass(frozen=True)
class _Unreadable:
    error: LoadError


def _read_once(key: tuple[Hashable, ...], read: Callable[[], Any]) -> Any:
    """`_memo` for reading: a LoadError is remembered as well, and raised again on every
    rerun without the file being read again (a hostile file may take the reader's whole
    time limit each time)."""

    def attempt():
        try:
            return read()
        except StoredFilesUnavailable:
            raise  # the store's, not the files': the next rerun tries again
        except LoadError as error:
            return _Unreadable(error)

    value = _memo(key, attempt)
    if isinstance(value, _Unreadable):
        raise value.error.with_traceback(None)
    return value


def date_orders(order: str) -> dict[str, str] | None:
    """The user's override as the loader wants it: one forced order for every date field."""
    return None if order == "auto" else dict.fromkeys(fields.DATE_FIELDS, order)


@st.cache_data(show_spinner=False, max_entries=32, ttl=DATA_TTL)
def _sheets(digest: str, _name: str, _data: bytes) -> list[str]:
    return worker.list_sheets(loading.Source(name=_name, data=_data))


def sheets(
    dataset: state.OpenFiles, read: loading.LoadResult | None = None
) -> dict[str, list[str]]:
    """File name -> its sheet names (empty for text files: .csv, .tsv, .txt). A file that
    `read` (the dataset's read) holds takes the names the read found; any other workbook
    is opened to list them, which checks it a second time (0.5-0.7 s of a 100,000-row
    upload)."""
    found = {info.file: info.sheets for info in read.sources} if read is not None else {}
    out = {}
    files: tuple[tuple[str, bytes], ...] | None = None
    for i, name in enumerate(dataset.names):
        if safety.suffix_of(name) in safety.TEXT_SUFFIXES:
            out[name] = []
            continue
        if name in found:
            out[name] = list(found[name])
            continue
        files = files or file_bytes(dataset)
        data = files[i][1]
        one = state.digest_files([(name, data)])
        out[name] = _read_once(("sheets", one), lambda n=name, d=data, k=one: _sheets(k, n, d))
    return out


NO_LONGER_STORED = (
    "The open dataset's files are no longer stored (it was deleted): upload them again."
)
STORE_UNREACHABLE = (
    "The open dataset's files could not be read from the app's store just now: try again "
    "in a moment, or upload them again."
)


class StoredFilesUnavailable(LoadError):
    """The open files' bytes could not be read back from the store (deleted, or the store
    unreachable): not the files' fault, so a read that fails so is not remembered."""


def stored_bytes(shas) -> dict[str, bytes]:
    """SHA-256 -> bytes of each file the store holds under one of `shas` (it holds each
    file once under its SHA-256); a file it no longer has is left out. Raises
    StoredFilesUnavailable when the store cannot be read now."""
    found = {}
    try:
        opened = store.open_store()
        for sha in dict.fromkeys(shas):
            try:
                found[sha] = opened.read_blob(sha)
            except store.NotFoundError:
                continue
    except store.FAILURES as err:
        log.exception("could not read stored files back from the store")
        raise StoredFilesUnavailable(STORE_UNREACHABLE) from err
    return found


def file_bytes(ds: state.OpenFiles) -> tuple[tuple[str, bytes], ...]:
    """The open files with their bytes: the session's, or once the session keeps names
    only (`state.keep_in_store`), read again from the store by their SHA-256s. Raises
    StoredFilesUnavailable when the store cannot give them all back."""
    if ds.held:
        return ds.files  # type: ignore[return-value]  # bytes are held until stored
    found = stored_bytes(ds.shas)
    if len(found) < len(set(ds.shas)):
        raise StoredFilesUnavailable(NO_LONGER_STORED)
    return tuple((name, found[sha]) for name, sha in zip(ds.names, ds.shas, strict=True))


def _read(files, sheet, mapping, date_order) -> loading.LoadResult:
    sources = [loading.Source(name=name, data=data) for name, data in files]
    return worker.load_exports(
        sources, sheet=sheet, mapping=dict(mapping) or None, date_order=date_orders(date_order)
    )


# cache_resource, as the evaluation below: the LoadResult is read-only by contract, so one
# shared object per input costs no pickle and no per-session copy.
@st.cache_resource(show_spinner=False, max_entries=DATASETS_KEPT, ttl=DATA_TTL)
def _load(digest: str, sheet, mapping, date_order, _files: Callable) -> loading.LoadResult:
    return _read(_files(), sheet, mapping, date_order)


def _load_key(ds: state.OpenFiles) -> tuple[Hashable, ...]:
    return ("load", ds.digest, ds.sheet, ds.mapping, ds.date_order)


def read_here(ds: state.OpenFiles) -> bool:
    """Whether this session has read the dataset with its options already: `load` then
    returns (or raises) what it remembers, without reading."""
    return _load_key(ds) in st.session_state.get(MEMO, {})


def load(ds: state.OpenFiles) -> loading.LoadResult:
    """LoadResult of the dataset; raises analytics LoadError (one-line message) on bad files."""
    return _read_once(
        _load_key(ds),
        # The files' bytes are fetched only if neither this session nor the server has
        # read them with these options (they may have to come from the store).
        lambda: _load(ds.digest, ds.sheet, ds.mapping, ds.date_order, lambda: file_bytes(ds)),
    )


@st.cache_data(show_spinner=False, max_entries=DATASETS_KEPT, ttl=DATA_TTL)
def _column_samples(digest: str, sheet, mapping, _files: Callable) -> dict[str, list[str]]:
    sources = [loading.Source(name=name, data=data) for name, data in _files()]
    return worker.column_samples(sources, sheet=sheet, mapping=dict(mapping) or None)


def column_samples(ds: state.OpenFiles) -> dict[str, list[str]]:
    """Header -> its first cell texts (raw, unmasked: mask before showing), for every
    column the mapping screen lists; read in the worker, keyed as `load` is. Raises
    LoadError when the files cannot be read."""
    return _read_once(
        ("samples", ds.digest, ds.sheet, ds.mapping),
        lambda: _column_samples(ds.digest, ds.sheet, ds.mapping, lambda: file_bytes(ds)),
    )


@st.cache_data(show_spinner=False, max_entries=len(rules.BUILT_IN))
def builtin_rules_text(name: str) -> str:
    """The built-in file's own text, comments included (an edit is written back into it)."""
    return rules.rule_set_text(name)


@st.cache_data(show_spinner=False, max_entries=32)
def _parse_rules(text: str, name: str) -> rules.RuleSet:
    return rules.parse_rule_set(text, name)


def rules_text(active: state.ActiveRules) -> str:
    return active.text or builtin_rules_text(active.name)


def rule_set(active: state.ActiveRules) -> rules.RuleSet:
    """RuleSet for the active choice; raises rules.RuleSetError on a bad TOML."""
    text = rules_text(active)
    return _memo(("rules", text, active.name), lambda: _parse_rules(text, active.name))


# cache_resource, not cache_data: an Evaluation holds lazily computed tables and the
# check results (closures included), which need not pickle; it is read-only by contract,
# so one shared object per (files, options, rules, date) is safe, and it costs no copy.
@st.cache_resource(show_spinner=False, max_entries=DATASETS_KEPT, ttl=DATA_TTL)
def _evaluate(load_key, rules_key: str, as_of: dt.date, _frame, _rule_set) -> Evaluation:
    return evaluation.evaluate(_frame, _rule_set, as_of=as_of)


def analyse(ds: state.OpenFiles, active: state.ActiveRules, as_of: dt.date) -> Analysis:
    """Read, parse and evaluate, each step only when its own inputs changed."""
    result = load(ds)
    rs = rule_set(active)
    text = rules_text(active)
    key = (_load_key(ds), text, as_of)
    ev = _memo(("eval", *key), lambda: _evaluate(key[0], text, as_of, result.frame, rs))
    return Analysis(key=key, dataset=ds, result=result, rule_set=rs, evaluation=ev, as_of=as_of)


def derived(analysis: Analysis, name: str, compute: Callable[[], T], *params: Hashable) -> T:
    """Memoise a summary of this analysis for the session (e.g. a page's tables).

    `params` must hold every input of `compute` besides the analysis (filters, choices).
    """
    return _memo(("derived", name, analysis.key, params), compute)


FIGURE_MAX_ROWS = 10_000  # a chart's input is a summary; a longer table is not memoised


def _content_key(value: Any) -> Hashable:
    """A key for a chart's input by its content: tables (summaries of a few hundred rows
    at most) by a hash of their values, index, columns and types."""
    if isinstance(value, pd.DataFrame | pd.Series):
        if len(value) > FIGURE_MAX_ROWS:
            raise TypeError("too long to key by content")
        hashed = pd.util.hash_pandas_object(value, index=True).to_numpy()
        frame = value.to_frame() if isinstance(value, pd.Series) else value
        shape = (
            type(value).__name__,
            tuple(map(str, frame.columns)),
            tuple(map(str, frame.dtypes)),
            tuple(map(str, value.index.names)),
        )
        return ("table", shape, hashlib.blake2b(hashed.tobytes(), digest_size=16).hexdigest())
    if isinstance(value, dict):
        return ("dict", tuple((k, _content_key(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return ("seq", tuple(_content_key(v) for v in value))
    hash(value)  # TypeError for anything else that cannot be a key
    return value


def figure(build: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`build(*args, **kwargs)` (a `ui.charts` function), built once per session for the
    same inputs: building a Plotly figure costs far more than the summary it draws (about
    60 ms per chart), and a page switch or a widget rerun would otherwise pay it again.
    Inputs are compared by content, so a table recomputed with the same values still hits.
    Figures are never changed once built (`st.plotly_chart` serialises a copy)."""
    try:
        key = (
            "figure",
            build,
            _content_key(args),
            _content_key(tuple(sorted(kwargs.items()))),
        )
    except TypeError:  # an input that cannot be keyed: built every time
        return build(*args, **kwargs)
    return _memo(key, lambda: build(*args, **kwargs))


def parse_uploaded_rules(text: str, name: str) -> rules.RuleSet:
    """Parse a TOML the user uploaded; raises rules.RuleSetError with a one-line message."""
    return _parse_rules(text, name)


def what_if(analysis: Analysis, candidate_text: str, by: str = "cohort") -> pd.DataFrame:
    """Eligibility per group under the active rules vs the candidate (cached by both texts)."""
    return _memo(
        ("what_if", analysis.key, candidate_text, by),
        lambda: _what_if(
            analysis.key,
            candidate_text,
            by,
            analysis.result.frame,
            analysis.rule_set,
            analysis.as_of,
        ),
    )


@st.cache_data(show_spinner=False, max_entries=16, ttl=DATA_TTL)
def _what_if(key, candidate_text: str, by: str, _frame, _baseline, _as_of) -> pd.DataFrame:
    from analytics.reporting import summary

    candidate = rules.parse_rule_set(candidate_text, "edited")
    return summary.what_if(_frame, _baseline, candidate, _as_of, by=by)


def per_table(kind: str, frame: pd.DataFrame, make: Callable[[], T], *params: Hashable) -> T:
    """`make()`, a result about `frame` (a capped or masked copy, a filter's choices),
    memoised per frame object the memo already holds (tables reused across reruns).

    The frame is kept alongside the value, so its id() cannot be reused by another object
    while the entry lives, and the identity check makes a stale hit impossible.
    """
    key = (kind, id(frame), params)
    kept = _memo(key, lambda: (frame, make()))
    if kept[0] is not frame:
        st.session_state[MEMO].pop(key, None)
        kept = _memo(key, lambda: (frame, make()))
    return kept[1]


def first_rows(frame: pd.DataFrame, rows: int) -> pd.DataFrame:
    """The first `rows` rows of a table the screen shows (the frame itself when it is not
    longer), one object per table, so the memos keyed by identity below keep hitting."""
    if len(frame) <= rows:
        return frame
    return per_table("head", frame, lambda: frame.head(rows), rows)


def for_display(
    frame: pd.DataFrame, show_personal: bool, mapping: dict[str, str] | None = None
) -> pd.DataFrame:
    """`frame` with personal columns masked unless shown; computed once per table."""
    if show_personal:
        return frame
    key = tuple(sorted((mapping or {}).items()))
    return per_table("mask", frame, lambda: masking.mask_frame(frame, False, mapping), key)


def in_words(frame: pd.DataFrame, rule_labels: dict[str, str]) -> pd.DataFrame:
    """`vocabulary.in_words` of a table the screen shows, computed once per table."""
    key = tuple(sorted(rule_labels.items()))
    return per_table("words", frame, lambda: vocabulary.in_words(frame, rule_labels), key)


def print_html(
    frame: pd.DataFrame,
    headers: tuple[tuple[str, str, str], ...],
    total: int | None = None,
    rest: str = "",
) -> str:
    """The static copy of a table for print (`ui.printing`), computed once per table;
    `total` is the whole list's length when `frame` holds only its first rows, and `rest`
    the screen's line on where the others are."""
    return per_table(
        "print",
        frame,
        lambda: printing.table_html(frame, headers, total=total, rest=rest),
        headers,
        total,
        rest,
    )


def filtered(analysis: Analysis, chosen: filters.Filters) -> Evaluation:
    """The evaluation of only the applicants the filters admit (memoised per filter set).

    Re-evaluating the kept rows costs about as much as filtering every per-rule array, and
    gives an Evaluation that every analytics.summary function accepts unchanged.
    """
    if not chosen.is_active:
        return analysis.evaluation

    def compute():
        applicants = analysis.evaluation.applicants
        kept = applicants.index[filters.mask(applicants, chosen).to_numpy()]
        frame = analysis.result.frame.loc[kept]
        return evaluation.evaluate(frame, analysis.rule_set, as_of=analysis.as_of)

    return derived(analysis, "filtered", compute, chosen)


# -- stored datasets: the Changes page's other side and the programme's history ----------


def source_format(ds: state.OpenFiles) -> str:
    """What kind of export the dataset is, so that its history holds the uploads of the
    same kind: a hash of the normalised header set of every sheet read (the same columns
    in any order or spelling the loader normalises alike). "" when the files cannot be read.
    """
    try:
        result = load(ds)  # memoised: a dataset is stored only once it was read
    except LoadError:
        return ""
    headers = {fields.normalise_header(h) for info in result.sources for h in info.columns}
    digest = hashlib.sha256("\n".join(sorted(headers)).encode("utf-8")).hexdigest()
    return f"headers-{digest[:32]}"


def _stored_options(dataset: store.Dataset) -> tuple[str | None, tuple, str]:
    options = dataset.options
    order = options.get("date_order")
    return (
        options.get("sheet"),
        tuple(sorted((options.get("mapping") or {}).items())),
        order if order in state.DATE_ORDERS else "auto",
    )


def stored(dataset: store.Dataset) -> state.OpenFiles:
    """A stored dataset's files and reading options as an open dataset (read from the
    store once per session). Raises store.StoreError when its files are gone."""

    def read() -> state.OpenFiles:
        files = tuple(store.open_store().read_dataset_files(dataset.id))
        sheet, mapping, order = _stored_options(dataset)
        return state.OpenFiles(
            dataset.label, files, state.digest_files(files), sheet, mapping, order
        )

    return _memo(("stored", dataset.id, dataset.contents), read)


def history_point(
    dataset: store.Dataset,
    active: state.ActiveRules,
    as_of: dt.date,
    opened: state.OpenFiles | None = None,
) -> dict:
    """Applicants, eligible, eligibility rate and renewal backlog of a stored dataset on
    `as_of` under the active rules. `opened`: its files when this session has read them
    already (the open dataset, the one compared with), which are then evaluated through
    `analyse`; otherwise the dataset is read from the store in a cache shared by every
    user (keyed by its files, options, rules and date; only the figures are kept).
    Raises LoadError or store.StoreError."""
    if opened is not None:
        analysis = analyse(opened, active, as_of)
        return derived(analysis, "history_point", lambda: _point(analysis.evaluation))
    files = tuple((f.sha256, f.name) for f in dataset.files)
    options = json.dumps(_stored_options(dataset))
    return _history_point(files, options, rules_text(active), as_of, dataset.id, active.name)


def _point(ev: Evaluation) -> dict:
    overview = summary.overview(ev)
    return {
        "applicants": overview["applicants"],
        "eligible": overview["eligible"],
        "eligibility_rate": overview["eligibility_rate"],
        "backlog": renewals.summary(ev)["backlog"],
    }


@st.cache_data(show_spinner=False, max_entries=512)
def _history_point(files, options: str, text: str, as_of: dt.date, _dataset_id, _name) -> dict:
    sheet, mapping, order = json.loads(options)
    read = store.open_store().read_dataset_files(_dataset_id)
    result = _read(read, sheet, tuple(map(tuple, mapping)), order)
    return _point(evaluation.evaluate(result.frame, rules.parse_rule_set(text, _name), as_of))


def clear_data_caches() -> None:
    """Empty every server-wide cache that holds applicant data (frames, evaluations, sheet
    names); rule-set caches hold no applicant data and stay."""
    for cached in (_sheets, _load, _column_samples, _evaluate, _what_if):
        cached.clear()
