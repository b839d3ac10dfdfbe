"""Home's column mapping: the mapping screen, saved source formats and how they apply.

- The screen starts from what the app recognised in *this* upload (or the mapping already
  applied to it), never another file's choices: its widgets are keyed by the dataset's
  contents and mapping. Every source column shows a few of its cell texts (masked when
  personal) and the field it was recognised as; the choices are checked before they can
  be applied (`analytics.loading.mapping.check_choices`), and applying says how the
  validation figures moved.
- A mapping applied by hand (or uploaded as a TOML file) can be saved as a named *source
  format* in the store. An upload whose normalised headers include a saved format's is
  mapped with it at once (`use_saved_format`), and Home says so in one line with a choice
  to read without it or with another format.
- Who may rename or delete a format: its owner, signed in as a verified user
  (docs/sharing.md, "Who may own what"); anyone signed in may save a new one.
"""

from __future__ import annotations

import hashlib
import logging

import pandas as pd
import streamlit as st

import store
from analytics.errors import LoadError
from analytics.loading import fields
from analytics.loading import mapping as mapping_files
from ui import auth, downloads, escaping, loaders, masking, state

IGNORE = fields.IGNORE
CHOICES = [IGNORE, *fields.CANONICAL_FIELDS, *fields.NAME_PART_LABELS]
LABELS = {
    IGNORE: "Ignore (kept, no rule reads it)",
    **fields.FIELD_LABELS,
    **{k: f"{v} (joined into the name)" for k, v in fields.NAME_PART_LABELS.items()},
}
SHOWN_SAMPLES = 3
APPLY_LABEL = "Apply this mapping"
SCREEN_LABEL = "Map columns by hand"
PROBLEMS = {
    mapping_files.NO_APPLICANT_ID: "No column is chosen as Applicant ID: choose the column "
    "that identifies each applicant.",
    mapping_files.SAME_FIELD: "{label} is chosen for an earlier column too: one column per field.",
    mapping_files.NEVER_A_DATE: "{label} is a date, but none of this column's first cells "
    "reads as one.",
}
FIX_FIRST = "Fix the lines marked above, then apply."
MOVED_FIGURES = ("Rows read", "Analysed", "Cell problems")
MAPPED_WITH = "Mapped with the source format “{name}”."
NO_FORMAT = ""  # the format picker's "read without a saved format"
SAVED = "Saved the source format “{name}”: the next upload with these columns is mapped with it."
NOT_VERIFIED = (
    "Only single sign-on users (or the local user) can rename or delete a source format: a "
    "shared passcode cannot prove whose it is."
)
STORE_FAILED = "The source formats cannot be reached (the app's data folder is not writable)."
# Session keys (plain values).
MOVED = "mapping_moved"  # {"digest", "mapping", "before"}: the figures before the last apply
OFFER = "mapping_offer_save"  # (digest, mapping) of a mapping applied by hand or uploaded

log = logging.getLogger(__name__)


def _token(ds: state.OpenFiles) -> str:
    """Widget keys of one dataset read with one mapping: a new upload, or a mapping
    applied, starts the screen afresh from what this upload holds."""
    text = ds.digest + repr(ds.mapping) + repr(ds.sheet)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def screen_key(ds: state.OpenFiles) -> str:
    """The mapping screen's expander (open or closed), one per upload."""
    return f"home_map_open_{ds.digest[:12]}"


def figures(result) -> dict[str, int]:
    return {
        "Rows read": result.rows_read,
        "Analysed": len(result.frame),
        "Cell problems": len(result.problems),
    }


# -- saved formats ------------------------------------------------------------------------


def header_set(ds: state.OpenFiles) -> list[str]:
    """The upload's normalised header set ([] when its files cannot be read)."""
    try:
        return mapping_files.header_set(list(loaders.column_samples(ds)))
    except LoadError:
        return []


def _formats() -> list[store.SourceFormat]:
    try:
        return store.open_store().list_formats()
    except store.FAILURES:
        log.exception("could not list the source formats")
        return []


def use_saved_format(ds: state.OpenFiles) -> state.OpenFiles:
    """Once per upload: map it with the best saved format its headers match, if any.
    Returns the dataset as it now stands."""
    if not state.take_saved_format_turn() or ds.mapping or not _formats():
        return ds
    found = store.open_store().find_matching(header_set(ds))
    if found is None:
        return ds
    state.set_mapping(found.mapping, found.id)
    return state.dataset() or ds


def _pick_format(key: str) -> None:
    """on_change of the format picker: read with the chosen format, or without any."""
    chosen = st.session_state[key]
    if chosen == NO_FORMAT:
        state.set_mapping({})
        return
    try:
        picked = store.open_store().get_format(chosen)
    except store.StoreError as err:
        st.toast(str(err))
        return
    state.set_mapping(picked.mapping, picked.id)


def format_line(ds: state.OpenFiles) -> None:
    """ "Mapped with the source format …" and the picker (another format, or none), when
    saved formats match this upload or one is applied."""
    if not _formats():
        return
    applied = state.source_format_id()
    matching = store.open_store().matching_formats(header_set(ds))
    names = {f.id: f.name for f in matching}
    if applied is not None and applied not in names:
        try:
            names[applied] = store.open_store().get_format(applied).name
        except store.StoreError:
            applied = None  # deleted meanwhile: the mapping stays, by hand now
    if not names:
        return
    if applied is not None:
        st.info(escaping.markdown(MAPPED_WITH.format(name=names[applied])))
    key = f"home_format_{_token(ds)}"
    st.session_state[key] = applied or NO_FORMAT
    st.selectbox(
        "Source format",
        [NO_FORMAT, *names],
        format_func=lambda i: "None: recognise the headers" if i == NO_FORMAT else names[i],
        key=key,
        on_change=_pick_format,
        args=(key,),
        help="A saved mapping whose columns this upload has. Choose none to read the "
        "headers as the app recognises them.",
    )


def save_offer(ds: state.OpenFiles) -> None:
    """After a mapping applied by hand or uploaded: save it as a named source format."""
    offer = st.session_state.get(OFFER)
    if offer != (ds.digest, ds.mapping) or state.source_format_id() is not None:
        return
    with st.form("home_format_save", border=True):
        st.markdown(
            "**Save this mapping as a source format**, so that uploads with these "
            "columns are mapped with it from now on."
        )
        name = st.text_input(
            "Name", key="home_format_name", max_chars=120, placeholder="Google Form, 2026 intake"
        )
        submitted = st.form_submit_button("Save source format")
    if not submitted:
        return
    try:
        saved = store.open_store().save_format(
            name,
            dict(ds.mapping),
            header_set(ds),
            auth.current_user() or "",
            replace=auth.is_verified(),
        )
    except store.StoreError as err:
        st.error(escaping.markdown(err))
        return
    state.set_mapping(saved.mapping, saved.id)
    st.session_state.pop(OFFER, None)
    st.success(escaping.markdown(SAVED.format(name=saved.name)))


def _rename(format_id: str, key: str) -> None:
    name = st.session_state.get(key, "")
    try:
        if not auth.is_verified():
            raise store.StoreError(NOT_VERIFIED)
        store.open_store().rename_format(format_id, name, auth.current_user() or "")
    except store.StoreError as err:
        st.toast(escaping.markdown(err))


def _delete(format_id: str) -> None:
    try:
        if not auth.is_verified():
            raise store.StoreError(NOT_VERIFIED)
        store.open_store().delete_format(format_id, auth.current_user() or "")
    except store.StoreError as err:
        st.toast(escaping.markdown(err))
        return
    if state.source_format_id() == format_id:
        state.set_mapping(state.mapping())  # the mapping stays, now one made by hand


def formats_list() -> None:
    """The saved source formats: download each as TOML; its owner renames or deletes it."""
    saved = _formats()
    with st.expander(f"Saved source formats ({len(saved)})"):
        if not saved:
            st.caption(
                "None yet. Apply a mapping by hand (or upload a mapping file), then save it "
                "under a name: uploads with the same columns are then mapped with it."
            )
            return
        me = auth.current_user() if auth.is_verified() else None
        for f in saved:
            cols = st.columns([4, 1, 1, 1])
            when = f.created.strftime("%d %b %Y")
            line = (
                f"**{escaping.markdown(f.name)}** · {len(f.headers)} columns · saved by "
                f"{escaping.markdown(f.owner)} on {when}"
            )
            if f.changed_by != f.owner or f.changed != f.created:
                line += f" · changed by {escaping.markdown(f.changed_by)}"
            cols[0].markdown(line)
            with cols[1]:
                downloads.button(
                    "TOML",
                    lambda m=f.mapping: mapping_files.write_mapping(m),
                    file_name="source-format.toml",
                    mime="application/toml",
                    key=f"home_format_download_{f.id}",
                )
            if f.owner != me:
                continue
            with cols[2].popover("Rename"):
                key = f"home_format_rename_{f.id}"
                st.text_input("New name", value=f.name, key=key, max_chars=120)
                st.button("Rename", key=f"{key}_go", on_click=_rename, args=(f.id, key))
            cols[3].button(
                "Delete", key=f"home_format_delete_{f.id}", on_click=_delete, args=(f.id,)
            )


# -- the mapping screen -------------------------------------------------------------------


def _masked(header: str, values: list[str], fields_of_it: tuple[str | None, ...]) -> list[str]:
    """The sample texts as the screen may show them: a column personal by its header or
    by a field it is (or was recognised as) is masked unless personal data is shown."""
    column = pd.Series(values, dtype="string")
    for field in fields_of_it:
        chosen = {header: field} if field else {}
        if masking.personal_kind(header, chosen) is not None:
            frame = masking.mask_frame(
                pd.DataFrame({header: column}), state.show_personal(), chosen
            )
            return frame[header].tolist()
    return values


def _apply(ds: state.OpenFiles, chosen: dict[str, str], before: dict[str, int] | None) -> None:
    """on_click of Apply: the figures now, then the mapping (by hand, so offered for saving)."""
    state.set_mapping(chosen)
    applied = state.dataset()
    st.session_state[MOVED] = {"digest": ds.digest, "mapping": applied.mapping, "before": before}
    st.session_state[OFFER] = (ds.digest, applied.mapping)


def _uploaded_mapping(ds: state.OpenFiles, key: str) -> None:
    upload = st.file_uploader("Or upload a mapping file (TOML)", type=["toml"], key=key)
    if upload is None:
        return
    try:
        columns = mapping_files.read_mapping(upload.getvalue().decode("utf-8-sig"))
    except UnicodeDecodeError:
        st.error(f"{escaping.markdown(upload.name)}: not a text file; save it as UTF-8 TOML.")
        return
    except LoadError as err:
        st.error(f"{escaping.markdown(upload.name)}: {escaping.markdown(err)}")
        return
    if tuple(sorted(columns.items())) != ds.mapping:
        _apply(ds, columns, None)
        st.rerun()


def screen(ds: state.OpenFiles, result, error: LoadError | None) -> None:
    """One row per source column: its cells, what it was recognised as, the field chosen."""
    token = _token(ds)
    box = st.expander(
        SCREEN_LABEL, expanded=error is not None, key=screen_key(ds), on_change="rerun"
    )
    if not box.open:
        return
    with box:
        try:
            samples = loaders.column_samples(ds)
        except LoadError as err:
            st.error(escaping.markdown(err))
            return
        if not samples:
            st.info("No column headers were found in the file.")
            return
        st.caption(
            "Choose the field each column holds; it starts from what the app recognised in "
            "this upload. Ignored columns are kept and can be filtered on, but no rule reads "
            "them."
        )
        headers = list(samples)
        recognised = mapping_files.recognise(headers)
        current = state.mapping()
        chosen: dict[str, str] = {}
        rows = {}
        for i, header in enumerate(headers):
            start = current.get(header) or recognised[header] or IGNORE
            left, right = st.columns([3, 2])
            shown = _masked(header, samples[header][:SHOWN_SAMPLES], (start, recognised[header]))
            left.markdown(f"**{escaping.markdown(header)}**")
            found = LABELS[recognised[header]] if recognised[header] else "nothing"
            left.caption(
                escaping.markdown(f"Recognised as {found} · e.g. " + " · ".join(shown))
                if shown
                else escaping.markdown(f"Recognised as {found} · no values")
            )
            key = f"home_map_{token}_{i}"
            with right:
                chosen[header] = st.selectbox(
                    escaping.markdown(header),
                    CHOICES,
                    index=CHOICES.index(start) if start in CHOICES else 0,
                    format_func=LABELS.get,
                    key=key,
                    label_visibility="collapsed",
                    help="Rule files and mapping files call this field "
                    f"`{st.session_state.get(key, start)}`.",
                )
            rows[header] = right
        problems = mapping_files.check_choices(chosen, samples)
        for header, (problem, field) in problems.items():
            if header is not None:
                rows[header].warning(PROBLEMS[problem].format(label=LABELS[field]))
        if None in problems:
            st.warning(PROBLEMS[problems[None][0]])
        if problems:
            st.caption(FIX_FIRST)
        before = figures(result) if result is not None else None
        left, right = st.columns(2)
        left.button(
            APPLY_LABEL,
            key=f"home_map_apply_{token}",
            type="primary",
            disabled=bool(problems),
            on_click=_apply,
            args=(ds, chosen, before),
        )
        with right:
            downloads.button(
                "Download mapping (TOML)",
                lambda c=dict(chosen): mapping_files.write_mapping(c),
                file_name="mapping.toml",
                mime="application/toml",
                key=f"home_map_download_{token}",
            )
        _uploaded_mapping(ds, f"home_map_file_{ds.digest[:12]}")


def moved(ds: state.OpenFiles, result) -> None:
    """After Apply: rows read, analysed and cell problems, before -> after."""
    last = st.session_state.get(MOVED)
    if not last or last["digest"] != ds.digest or last["mapping"] != ds.mapping:
        return
    after = figures(result)
    before = last["before"]
    parts = [
        f"{name.lower()} {before[name]:,} → {after[name]:,}"
        if before
        else f"{name.lower()} {after[name]:,}"
        for name in MOVED_FIGURES
    ]
    start = (
        "Mapping applied: " if before else "Mapping applied (the files could not be read before): "
    )
    st.success(start + ", ".join(parts) + ".")
