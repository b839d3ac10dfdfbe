"""The open dataset as the store holds it: its owner's delete control, and what a page says
when a stored dataset cannot be read (stored by an older version, or the reader fails now).

Deleting removes the dataset and its saved views (the store audits it) and closes it in
this session; links to it then say it is no longer stored.
"""

from __future__ import annotations

import logging

import streamlit as st

import store
from analytics.errors import NoHeaderError
from analytics.rules import RuleSetError
from ui import auth, escaping, links, state

DELETE_KEY = "datasets_delete"
DELETED = "The dataset was deleted, with its saved views; links to it no longer open it."
DELETE_FAILED = "The dataset could not be deleted (the app's data folder is not writable)."
UNREADABLE = "This stored dataset cannot be read:"
NOT_OWNER = "Only the person who uploaded it can delete it."
# What a web user does about a file without known headers (the CLI's words name --mapping).
MAP_HINT = "choose each column's field on Home under “Map columns by hand”, then apply it"

log = logging.getLogger(__name__)


def _stored() -> store.Dataset | None:
    """The open dataset's stored record, when it is stored."""
    dataset_id = links.shared_dataset_id()
    if dataset_id is None:
        return None
    try:
        return store.open_store().get_dataset(dataset_id)
    except store.FAILURES:
        return None


def _is_owner(stored: store.Dataset) -> bool:
    """The signed-in user uploaded it and is who their label says (a shared passcode's
    typed name is a label only: `auth.is_verified`)."""
    user = auth.current_user()
    return user is not None and auth.is_verified() and " ".join(user.split()) == stored.owner


def _delete(dataset_id: str) -> None:
    """on_click of the delete button: delete, forget the link, close the dataset."""
    user = auth.current_user()
    if not auth.is_verified():
        st.toast(NOT_OWNER)
        return
    try:
        store.open_store().delete_dataset(dataset_id, user or "")
    except store.StoreError as err:
        st.toast(str(err))
        return
    except (OSError, store.DatabaseError):
        log.exception("could not delete a dataset")
        st.toast(DELETE_FAILED)
        return
    links.forget_shared(dataset_id)
    state.close_dataset()
    st.toast(DELETED)


def delete_control(stored: store.Dataset | None = None) -> None:
    """Owner only: "Delete this dataset…", then a confirmation naming what goes with it."""
    stored = stored or _stored()
    if stored is None or not _is_owner(stored):
        return
    views = store.open_store().list_views(stored.id)
    with st.popover("Delete this dataset…"):
        st.caption(
            f"Deletes the stored files and {len(views)} saved view(s) of this dataset; "
            "links to it stop working. This cannot be undone."
        )
        st.button(
            "Delete for everyone",
            key=DELETE_KEY,
            type="primary",
            on_click=_delete,
            args=(stored.id,),
        )


def show_load_error(err: Exception, offer_delete: bool = True) -> None:
    """The one line a page shows when the open dataset cannot be read; for a stored
    dataset it says so, and offers its owner deletion (`offer_delete=False` where the
    page draws `delete_control` itself)."""
    stored = None if isinstance(err, RuleSetError) else _stored()  # the rules are at fault
    text = err.in_app(MAP_HINT) if isinstance(err, NoHeaderError) else str(err)
    if stored is None:
        st.error(escaping.markdown(text))
        return
    st.error(f"{UNREADABLE} {escaping.markdown(text)}")
    if not _is_owner(stored):
        st.caption(NOT_OWNER)
    elif offer_delete:
        delete_control(stored)
