"""The Changes page: the open upload against another stored one (DOMAIN §7), and the
programme's history.

Which upload, and the date each side is judged on, live in the share link's view
(`links.View.compare`, `compare_as_of`, `dataset_as_of`): the widgets show the view and
write every change back, so a pasted link reopens the same comparison and the report
downloads know one is open. By default the other upload is the open one's previous
(`store.Store.previous_dataset`) and each side is judged on its own upload date (UTC).
The two sides are taken in upload order: the earlier upload is the old side, whichever
of the two is open. The engine (`analytics.reporting.changes`) counts; this module picks
the inputs and shapes its tables for the screen and the workbook.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

import store
from analytics.errors import LoadError
from analytics.reporting import changes, exports, vocabulary
from analytics.rules import RuleSet
from ui import auth, charts, escaping, filters, links, loaders, state

PAGE = "Changes"
OTHER_KEY = "changes_other"
OTHER_AS_OF_KEY = "changes_other_as_of"
OPEN_AS_OF_KEY = "changes_as_of"
HISTORY_KEY = "changes_history"
TREND_KEY = "changes_trend"
LABEL_KEY = "changes_label"
LABEL_FORM = "changes_label_form"
LABEL_SAVE_KEY = "changes_label_save"

NOT_STORED = (
    "This dataset is not stored (the app's data folder could not be written), so it has no "
    "history to compare with."
)
ONLY_ONE = "This is the only upload so far: upload next month's export to see what changed."
PICK = "No upload came before this one: pick the upload to compare it with."
TREND_LATER = "The trend appears once the programme has two uploads of this export."
NO_COMMON = (
    "No applicant is in both uploads: are they exports of the same programme? Everyone "
    "counts as added or removed."
)
SAME_FILES = "The two uploads hold the very same files"
NOTHING_CHANGED = "Nothing changed between the two uploads: every figure below is zero."
DATE_FORMAT = "%d %b %Y, %H:%M"

# The §7 figure of each KPI (its label: vocabulary.CHANGE_LABELS) and what it counts, in
# rows of KPI_ROW (seven in one row cut their labels short at 1400 px: "No longer eligi…").
KPI_ROW = 4
KPIS = {
    "added": "applicants in the later upload who were not in the earlier one",
    "removed": "applicants of the earlier upload not listed in the later one as applicants",
    "added_eligible": "added applicants who are eligible at once (the newly eligible list "
    "holds them alongside those who became eligible)",
    "newly_eligible": "applicants in both uploads who became eligible",
    "no_longer_eligible": "applicants in both uploads who were eligible and are not now",
    "became_certified": "applicants of the earlier upload who are certified in the later",
    "renewed": "practitioners certified in both whose certification now expires later",
    "newly_overdue": "practitioners certified in both whose renewal became overdue",
}
LIST_TAB_KEY = "changes_list"  # which list the Changes screen shows (ui.page.lazy_tabs)
LISTS = {
    # Not "Newly eligible": that KPI counts applicants in both uploads only; this list
    # holds the added ones who are eligible at once too.
    "newly_eligible": "Eligible now, not before",
    "no_longer_eligible": "No longer eligible",
    "newly_overdue": "Newly overdue renewals",
}
LIST_HELP = {
    "newly_eligible": "To invite: eligible now and not before, including new applicants "
    "who are eligible at once.",
    "no_longer_eligible": "Eligible in the earlier upload and not now, with the rules they "
    "no longer pass.",
    "newly_overdue": "To chase: certification expired since the earlier upload, with what "
    "each must still do to renew.",
}
LIST_EMPTY = {
    "newly_eligible": "Nobody became eligible.",
    "no_longer_eligible": "Nobody lost eligibility.",
    "newly_overdue": "No renewal became overdue.",
}
_IDENTITY = ["applicant_id", "full_name", "email", "cohort", "programme", "country"]
LIST_COLUMNS = {
    "newly_eligible": [*_IDENTITY, "old_status", "what_changed"],
    "no_longer_eligible": [*_IDENTITY, "new_status", "newly_failing", "what_changed"],
    "newly_overdue": [*_IDENTITY, "expiry", "days_overdue", "blocked_by", "what_changed"],
}


@dataclass(frozen=True)
class Choice:
    """The other upload (None: none chosen) and the date each side is judged on."""

    other: store.Dataset | None
    other_as_of: dt.date | None
    open_as_of: dt.date


@dataclass(frozen=True)
class Comparison:
    old: store.Dataset
    new: store.Dataset
    changes: changes.Changes
    rule_set: RuleSet

    @functools.cached_property
    def lists(self) -> dict[str, pd.DataFrame]:
        """The three lists (`action_lists`), built once: the comparison is memoised, so
        the screen's masked copies and CSV bytes of them are too."""
        return action_lists(self.changes)

    @functools.cached_property
    def figures(self) -> dict[str, Any]:
        """The Sankey of status moves and the per-rule bars, built once (see `lists`)."""
        return {
            "moves": charts.status_sankey(self.changes.moves),
            "rules": charts.resolved_vs_new(rule_moves(self.changes)),
        }

    @property
    def is_same_files(self) -> bool:
        return self.old.contents == self.new.contents

    @property
    def key(self) -> tuple:
        """Identifies the comparison for memos (the rules are the session's active set)."""
        return (self.old.id, self.new.id, self.changes.old_as_of, self.changes.as_of)


# -- pure: what to compare, and the tables shown ------------------------------------------


def upload_day(dataset: store.Dataset) -> dt.date:
    return dataset.created.astimezone(dt.UTC).date()


def describe(dataset: store.Dataset) -> str:
    """How an upload is named in a choice: its label and upload time (no file contents)."""
    return f"{dataset.label} (uploaded {dataset.created.astimezone(dt.UTC):{DATE_FORMAT}} UTC)"


def resolve(
    view: links.View,
    current: store.Dataset,
    candidates: list[store.Dataset],
    previous: store.Dataset | None,
) -> Choice:
    """The comparison the view names, completed with the defaults: the previous upload,
    each on its upload date. An id the view names that is not a candidate is ignored."""
    by_id = {d.id: d for d in candidates}
    named = by_id.get(view.compare) if view.compare else None
    other = named or (by_id.get(previous.id) if previous is not None else None)
    other_as_of = None
    if other is not None:
        given = view.compare_as_of if named is not None else None
        other_as_of = given or upload_day(other)
    return Choice(other, other_as_of, view.dataset_as_of or upload_day(current))


def figures(ch: changes.Changes) -> dict[str, int]:
    """The KPIs' §7 figures, by KPIS key."""
    return {
        "added": ch.applicants["added"],
        "removed": ch.applicants["removed"],
        "added_eligible": ch.added_eligible,
        "newly_eligible": ch.newly_eligible,
        "no_longer_eligible": ch.no_longer_eligible,
        "became_certified": ch.became_certified,
        "renewed": ch.renewals["renewed"],
        "newly_overdue": ch.renewals["newly_overdue"],
    }


def kpis(ch: changes.Changes) -> list[tuple[str, int, str]]:
    """(label, count, help) per KPI."""
    counts = figures(ch)
    return [(vocabulary.CHANGE_LABELS[key], counts[key], text) for key, text in KPIS.items()]


def action_lists(ch: changes.Changes) -> dict[str, pd.DataFrame]:
    """The three lists a director acts on (LISTS): the engine's rows, the columns of
    LIST_COLUMNS (rule ids and statuses are put in words where they are shown)."""
    tables = {
        "newly_eligible": ch.newly_eligible_people,
        "no_longer_eligible": ch.no_longer_eligible_people,
        "newly_overdue": ch.newly_overdue_people,
    }
    return {name: table[LIST_COLUMNS[name]] for name, table in tables.items()}


def rule_moves(ch: changes.Changes) -> pd.DataFrame:
    """Per admission rule that moved for anyone in both uploads: resolved vs newly failing."""
    table = ch.rule_changes
    moved = (table["resolved"] + table["new"]) > 0
    out = table[moved.to_numpy()].reset_index(drop=True)
    out["label"] = out["label"] + out["severity"].map({"advisory": " (advisory)"}).fillna("")
    return out


def search(frame: pd.DataFrame, text: str, show_personal: bool) -> pd.DataFrame:
    """Rows containing `text`; personal columns are searched only when they are shown, so
    a hidden name cannot be found by typing it."""
    hidden = set() if show_personal else set(exports.personal_columns(frame))
    return filters.search(frame, text, [c for c in frame.columns if c not in hidden])


def sheets(comparison: Comparison) -> dict[str, pd.DataFrame]:
    """The comparison's lists as workbook sheets (title -> table)."""
    return {LISTS[name]: frame for name, frame in comparison.lists.items()}


def summary(comparison: Comparison) -> dict:
    """The comparison's key figures for the workbook's Summary sheet (worded by
    vocabulary.FIGURE_LABELS under "changes")."""
    return {
        "compared": f"{comparison.old.id} ({upload_day(comparison.old)}) -> "
        f"{comparison.new.id} ({upload_day(comparison.new)})",
        "old_as_of": comparison.changes.old_as_of.isoformat(),
        "as_of": comparison.changes.as_of.isoformat(),
        **figures(comparison.changes),
    }


# -- the store and the session ------------------------------------------------------------


def open_dataset() -> store.Dataset | None:
    """The open dataset as stored (None when it could not be stored)."""
    dataset_id = links.shared_dataset_id()
    if dataset_id is None:
        return None
    try:
        return store.open_store().get_dataset(dataset_id)
    except store.NotFoundError:
        return None


def candidates(current: store.Dataset) -> list[store.Dataset]:
    """Every other stored dataset, newest first: the ones it can be compared with."""
    return [d for d in store.open_store().list_datasets() if d.id != current.id]


def compare(current: store.Dataset, choice: Choice) -> Comparison:
    """Read and evaluate both sides on the active rules and compare them (memoised).
    Raises LoadError or store.StoreError when the other upload cannot be read."""
    active = state.active_rules()
    mine = loaders.analyse(state.dataset(), active, choice.open_as_of)
    theirs = loaders.analyse(loaders.stored(choice.other), active, choice.other_as_of)
    sides = sorted([(current, mine), (choice.other, theirs)], key=lambda side: side[0].created)
    (old, old_side), (new, new_side) = sides
    return loaders.derived(
        new_side,
        "comparison",
        lambda: Comparison(
            old, new, changes.compare(old_side.evaluation, new_side.evaluation), mine.rule_set
        ),
        old_side.key,
        old.id,
        old.label,
        new.id,
        new.label,
    )


def open_comparison() -> Comparison | None:
    """The comparison the session's view holds for the open dataset, if any (for the
    report downloads: a comparison is open once the Changes page has shown one)."""
    view = links.current_view()
    current = open_dataset() if view.compare else None
    if current is None or view.dataset_id != current.id:
        return None
    try:
        other = store.open_store().get_dataset(view.compare)
        choice = Choice(
            other,
            view.compare_as_of or upload_day(other),
            view.dataset_as_of or upload_day(current),
        )
        return compare(current, choice)
    except (LoadError, store.StoreError):
        return None


def _publish(choice: Choice) -> None:
    links.publish_view(
        compare=choice.other.id if choice.other else None,
        compare_as_of=choice.other_as_of,
        dataset_as_of=choice.open_as_of,
    )


def _other_changed() -> None:
    # Another upload: its own date again, not the one chosen for the previous choice.
    links.publish_view(compare=st.session_state[OTHER_KEY], compare_as_of=None)


def _dates_changed() -> None:
    links.publish_view(
        compare_as_of=st.session_state.get(OTHER_AS_OF_KEY),
        dataset_as_of=st.session_state.get(OPEN_AS_OF_KEY),
    )


def pick(current: store.Dataset, others: list[store.Dataset]) -> Choice:
    """The other upload and both dates: widgets showing the view, which they update."""
    previous = store.open_store().previous_dataset(current.id)
    choice = resolve(links.current_view(), current, others, previous)
    _publish(choice)
    by_id = {d.id: d for d in others}

    def name(dataset_id: str) -> str:
        mark = " · the previous upload" if previous and dataset_id == previous.id else ""
        return describe(by_id[dataset_id]) + mark

    # The widgets show the view, which their callbacks update before the page runs.
    st.session_state[OTHER_KEY] = choice.other.id if choice.other else None
    st.session_state[OPEN_AS_OF_KEY] = choice.open_as_of
    left, middle, right = st.columns([2, 1, 1])
    left.selectbox(
        "Compared with",
        list(by_id),
        index=None,
        format_func=name,
        placeholder="Pick an upload",
        key=OTHER_KEY,
        on_change=_other_changed,
    )
    middle.date_input(
        "This upload judged as of",
        key=OPEN_AS_OF_KEY,
        on_change=_dates_changed,
        format="DD/MM/YYYY",
        help="Licences and renewals are judged on this date (default: its upload date).",
    )
    if choice.other is not None:
        st.session_state[OTHER_AS_OF_KEY] = choice.other_as_of
        right.date_input(
            "The other judged as of",
            key=OTHER_AS_OF_KEY,
            on_change=_dates_changed,
            format="DD/MM/YYYY",
            help="Default: that upload's own date.",
        )
    return choice


def trend(current: store.Dataset, other: store.Dataset | None = None) -> pd.DataFrame:
    """Per upload of the open dataset's history (oldest first), judged on its own upload
    date under the active rules: applicants, eligible, eligibility rate, renewal backlog.
    The open upload and the one compared with (`other`) are not read again. An upload
    that can no longer be read is left out."""
    active = state.active_rules()
    rows = []
    for dataset in store.open_store().history(current.id):
        try:
            opened = state.dataset() if dataset.id == current.id else None
            if other is not None and dataset.id == other.id:
                opened = loaders.stored(other)
            point = loaders.history_point(dataset, active, upload_day(dataset), opened)
        except (LoadError, store.StoreError):
            continue
        rows.append(
            {
                "dataset_id": dataset.id,
                "label": dataset.label,
                "uploaded": pd.Timestamp(dataset.created.astimezone(dt.UTC).replace(tzinfo=None)),
                **point,
            }
        )
    columns = ["dataset_id", "label", "uploaded", "applicants", "eligible"]
    return pd.DataFrame(rows, columns=[*columns, "eligibility_rate", "backlog"])


def _open(dataset_id: str | None) -> None:
    if dataset_id and dataset_id != links.shared_dataset_id():
        view = links.current_view()
        links.follow_link(
            links.View(dataset_id=dataset_id, rule_set=view.rule_set, as_of=view.as_of, page=PAGE)
        )


def _history_picked() -> None:
    _open(st.session_state.get(HISTORY_KEY))


def _point_picked(points: pd.Series) -> None:
    selected = st.session_state[TREND_KEY].selection.points
    if selected:
        _open(points.iloc[selected[0]["point_index"]])


def history(current: store.Dataset, other: store.Dataset | None = None) -> None:
    """The programme over its uploads: the trend chart (a click on a point opens that
    upload) and the same uploads as a choice. `other`: the upload compared with."""
    st.subheader("The programme over its uploads")
    table = trend(current, other)
    if len(table) < 2:  # one point on an axis of milliseconds says nothing
        st.caption(TREND_LATER)
        return
    rows = tuple(map(tuple, table.astype("string").to_numpy()))
    figure = loaders.memo(("changes_trend", rows), lambda: charts.trend(table))
    st.plotly_chart(
        figure,
        key=TREND_KEY,
        on_select=functools.partial(_point_picked, table["dataset_id"]),
        selection_mode="points",
    )
    by_id = dict(zip(table["dataset_id"], table["label"], strict=True))
    st.session_state[HISTORY_KEY] = current.id if current.id in by_id else None
    st.selectbox(
        "Open an upload of this history",
        list(by_id),
        index=None,
        format_func=lambda i: f"{by_id[i]} ({i})",
        key=HISTORY_KEY,
        on_change=_history_picked,
    )


def label_form(current: store.Dataset) -> None:
    """Rename the open upload ("November export"); only its uploader may."""
    user = auth.current_user()
    when = f"{current.created.astimezone(dt.UTC):{DATE_FORMAT}} UTC"
    if user != current.owner or not auth.is_verified():  # a passcode name proves no one
        owner = escaping.markdown(current.owner)
        st.caption(f"Uploaded {when} by {owner}, who alone can rename it.")
        return
    with st.form(LABEL_FORM, border=False):
        label = st.text_input(
            f"Name of this upload (uploaded {when})",
            current.label,
            max_chars=store.MAX_LABEL,
            key=LABEL_KEY,
        )
        saved = st.form_submit_button("Rename", key=LABEL_SAVE_KEY)
    if saved:
        try:
            renamed = store.open_store().rename_dataset(current.id, label, user)
        except store.StoreError as err:
            st.error(escaping.markdown(err))
            return
        state.set_label(renamed.label)
        st.rerun()
