"""Named saved views (dataset + rule set + as-of + filters), kept in the store for everyone.

`render_saved_views()` lists them (Home shows it); `render_save_form()` saves the current
view under a name (every screen's sidebar has it, `ui.page`). A view names the screen it
was saved on, and opening it goes through the same path as a link: it reopens that
screen with the view's dataset, rules, date and filters.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

import store as store_mod
from analytics import rules
from ui import auth, escaping, links

NO_VIEWS = "No saved views yet. Open a dataset, set the filters, then save the view."
NEED_DATASET = "Open a dataset first: a saved view remembers a stored dataset."
SAVED = "Saved view “{name}”."
SAVE_LABEL = "Save this view"
SAVE_OPEN_LABEL = "Save this view…"  # the sidebar's popover that holds the form
NOT_VERIFIED = (
    "Only single sign-on users (or the local user) can delete a saved view: a shared "
    "passcode cannot prove whose view it is."
)


def list_views() -> list[store_mod.SavedView]:
    return store_mod.open_store().list_views()


def save_current(name: str) -> store_mod.SavedView:
    """Save the session's current view under `name` (replaces your own view of that name)."""
    user = auth.current_user()
    dataset_id = links.shared_dataset_id() or links.share_dataset()
    if user is None or dataset_id is None:
        raise store_mod.StoreError(NEED_DATASET)
    view = links.publish_view(dataset_id=dataset_id)
    return store_mod.open_store().save_view(
        name,
        dataset_id=dataset_id,
        rule_set=view.rule_set or rules.DEFAULT_RULE_SET,
        owner=user,
        filters=view.filter_dict(),
        as_of=view.as_of.isoformat() if view.as_of else None,
        page=view.page,
        replace=auth.is_verified(),  # a label-only name must not replace "its" view
    )


def as_link_view(saved: store_mod.SavedView) -> links.View:
    filters, _ = links.clean_filters(saved.filters)
    return links.View(
        dataset_id=saved.dataset_id,
        rule_set=saved.rule_set,
        as_of=dt.date.fromisoformat(saved.as_of) if saved.as_of else None,
        page=saved.page,
        filters=filters,
    )


def open_view(view_id: str) -> None:
    """Reopen a saved view: the same path a pasted link takes."""
    links.follow_link(as_link_view(store_mod.open_store().get_view(view_id)))
    st.rerun()


def delete_view(view_id: str) -> None:
    user = auth.current_user()
    if user is None:
        raise store_mod.StoreError("Sign in first, then delete the view.")
    if not auth.is_verified():
        raise store_mod.StoreError(NOT_VERIFIED)
    store_mod.open_store().delete_view(view_id, user)


def render_saved_views(key: str = "views") -> None:
    """The list of saved views with Open, link and (own views) Delete."""
    st.subheader("Saved views")
    try:
        saved = list_views()
    except store_mod.StoreError as err:
        st.error(str(err))
        return
    if not saved:
        st.caption(NO_VIEWS)
        return
    me = auth.current_user() if auth.is_verified() else None  # only a proven owner deletes
    for view in saved:
        cols = st.columns([4, 1, 1])
        when = view.created.strftime("%d %b %Y") if view.created else ""
        screen = escaping.markdown(view.page or links.HOME_PAGE)
        name, owner = escaping.markdown(view.name), escaping.markdown(view.owner)
        rule_set = escaping.markdown(view.rule_set)
        cols[0].markdown(f"**{name}** · {screen} · {rule_set} · by {owner} · {when}")
        if cols[1].button("Open", key=f"{key}_open_{view.id}"):
            open_view(view.id)
        if view.owner == me and cols[2].button("Delete", key=f"{key}_delete_{view.id}"):
            try:
                delete_view(view.id)
            except store_mod.StoreError as err:
                st.error(str(err))
            else:
                st.rerun()
        cols[0].text(links.share_link(as_link_view(view)))  # plain: see ui.page._sidebar


def render_save_form(key: str = "views_save") -> None:
    """Name + Save: stores the current view (this screen and its filters) for everyone
    signed in."""
    with st.form(key, border=False):
        name = st.text_input("Name this view", key=f"{key}_name", max_chars=120)
        submitted = st.form_submit_button(SAVE_LABEL)
    if submitted:
        try:
            saved = save_current(name)
        except store_mod.StoreError as err:
            st.error(str(err))
        else:
            st.success(SAVED.format(name=escaping.markdown(saved.name)))
