"""Saved views (save, list, open, delete) and the Audit page, headless."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

import store
from tests.pages.helpers import literal
from ui import views

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 30


def _home():
    import streamlit as st

    import store
    from ui import auth, links, state, views

    auth.require_access()
    links.restore_view(page="Home")
    if st.button("Open upload", key="t_open"):
        state.open_files([("a.csv", b"applicant id,cohort\nA1,2025-spring\n")], "a.csv")
        state.use_builtin_rules("advanced")
        links.share_dataset()
        links.publish_view(filters={"cohort": ["2025-spring"]})
    ds = state.dataset()
    st.text(f"files={[n for n, _ in ds.files] if ds else []}")
    st.text(f"rules={state.active_rules().name}")
    st.text(f"filters={links.current_view().filter_dict()}")
    if st.button("Delete by id", key="t_delete"):
        try:
            views.delete_view(st.session_state["t_view_id"])
        except store.StoreError as err:
            st.error(str(err))
    views.render_save_form()
    views.render_saved_views()


def _app() -> AppTest:
    at = AppTest.from_function(_home, default_timeout=TIMEOUT)
    at.secrets["access"] = {}
    return at


HARNESS_TEXTS = ("files", "rules", "filters")  # what the harness script writes with st.text


def _texts(at: AppTest) -> dict[str, str]:
    """The harness's own lines (a saved view's link is drawn with st.text as well)."""
    pairs = (t.value.split("=", 1) for t in at.text if "=" in t.value)
    return {k: v for k, v in pairs if k in HARNESS_TEXTS}


def _save(at: AppTest, name: str) -> AppTest:
    at.text_input(key="views_save_name").input(name)
    next(b for b in at.button if b.label == views.SAVE_LABEL).click()
    return at.run()


def test_without_a_dataset_saving_says_what_to_do(shared_store):
    at = _save(_app().run(), "Nothing")
    assert not at.exception
    assert at.error[0].value == views.NEED_DATASET
    assert views.NO_VIEWS in [c.value for c in at.caption]


def test_save_then_a_colleague_opens_it(shared_store):
    at = _app().run()
    at.button(key="t_open").click().run()
    at = _save(at, "Spring, advanced")
    assert not at.exception
    assert literal(at.success[0].value) == views.SAVED.format(name="Spring, advanced")
    [saved] = shared_store.list_views()
    assert saved.rule_set == "advanced"
    assert saved.filters == {"cohort": ["2025-spring"]}

    colleague = _app().run()
    assert _texts(colleague)["files"] == "[]"
    assert "Spring, advanced" in literal(colleague.markdown[0].value)
    colleague.button(key=f"views_open_{saved.id}").click().run()
    assert not colleague.exception
    assert _texts(colleague) == {
        "files": "['a.csv']",
        "rules": "advanced",
        "filters": "{'cohort': ['2025-spring']}",
    }


def test_owner_deletes_their_view(shared_store):
    at = _app().run()
    at.button(key="t_open").click().run()
    at = _save(at, "Mine")
    [saved] = shared_store.list_views()
    at.button(key=f"views_delete_{saved.id}").click().run()
    assert not at.exception
    assert shared_store.list_views() == []
    assert [e.action for e in shared_store.audit_log(object_id=saved.id)] == [
        "delete",
        "save_view",
    ]


def test_someone_elses_view_has_no_delete_button(shared_store):
    ds = shared_store.create_dataset([("a.csv", b"x\n")], owner="ana@clinic.org")
    saved = shared_store.save_view(
        "Ana's", dataset_id=ds.id, rule_set="standard", owner="ana@clinic.org"
    )
    at = _app().run()
    assert [b.key for b in at.button if b.label == "Open"] == [f"views_open_{saved.id}"]
    assert not [b for b in at.button if b.label == "Delete"]


PASSCODE = {"access": {"passcode": "correct horse"}}


def _signed_in_with_passcode(name: str) -> AppTest:
    at = AppTest.from_function(_home, default_timeout=TIMEOUT)
    at.secrets.update(PASSCODE)
    at.run()
    at.text_input(key="auth_name").input(name)
    at.text_input(key="auth_passcode").input("correct horse")
    next(b for b in at.button if b.label == "Enter").click()
    return at.run()


class TestSharedPasscodeGrantsNoOwnership:
    def test_typing_someone_elses_name_cannot_delete_or_replace_their_view(self, shared_store):
        alice = _signed_in_with_passcode("Alice")
        alice.button(key="t_open").click().run()
        alice = _save(alice, "Spring")
        [saved] = shared_store.list_views()
        assert saved.owner == "Alice (passcode)"
        assert not [b for b in alice.button if b.label == "Delete"]  # not even Alice herself

        impostor = _signed_in_with_passcode("  Alice ")
        assert not impostor.exception
        assert not [b for b in impostor.button if b.label == "Delete"]
        # Even a request that skips the missing button (the view's id is in every link).
        impostor.session_state["t_view_id"] = saved.id
        impostor = impostor.button(key="t_delete").click().run()
        assert impostor.error[0].value == views.NOT_VERIFIED
        impostor.button(key="t_open").click().run()
        impostor = _save(impostor, "Spring")
        assert impostor.error[0].value == store.VIEW_EXISTS
        assert shared_store.list_views() == [saved]
        assert [e.action for e in shared_store.audit_log(object_id=saved.id)] == ["save_view"]

    def test_the_local_user_still_owns_their_views(self, shared_store):
        at = _app().run()
        at.button(key="t_open").click().run()
        at = _save(at, "Mine")
        at = _save(at, "Mine")  # saving again replaces a proven owner's own view
        assert at.success
        [saved] = shared_store.list_views()
        assert [b.key for b in at.button if b.label == "Delete"] == [f"views_delete_{saved.id}"]


class TestAuditPage:
    def _page(self) -> AppTest:
        at = AppTest.from_file(str(ROOT / "pages" / "7_Audit.py"), default_timeout=TIMEOUT)
        at.secrets["access"] = {}
        return at

    def test_lists_entries_and_filters_by_action(self, shared_store):
        ds = shared_store.create_dataset([("a.csv", b"x\n")], owner="ana@clinic.org")
        shared_store.record("ben@clinic.org", "export", ds.id, "xlsx report")
        at = self._page().run()
        assert not at.exception
        shown = at.dataframe[0].value
        # The page's own visit signs the local user in first.
        assert shown["action"].tolist() == ["Signed in", "Exported", "Uploaded"]
        assert shown["object_id"].tolist()[1:] == [ds.id, ds.id]
        # Objects by their names, not their ids: the dataset's label and its files.
        assert shown["object"].tolist()[1:] == [f"dataset {ds.label} (a.csv)"] * 2
        at.multiselect(key="audit_actions").select("export").run()
        assert at.dataframe[0].value["user"].tolist() == ["ben@clinic.org"]

    def test_deleted_objects_and_views_are_named(self, shared_store):
        ds = shared_store.create_dataset([("b.csv", b"x\n")], owner="ana@clinic.org")
        view = shared_store.save_view(
            "Spring intake", dataset_id=ds.id, rule_set="standard", owner="ana@clinic.org"
        )
        shared_store.record("ben@clinic.org", "view", "d-mmmmmmmmmm", "")
        at = self._page().run()
        shown = at.dataframe[0].value.set_index("object_id")["object"]
        assert shown[view.id] == "view Spring intake"
        assert shown["d-mmmmmmmmmm"] == "dataset d-mmmmmmmmmm (no longer stored)"

    def test_an_adopted_rule_set_is_named_with_its_version(self, shared_store):
        adopted = shared_store.adopt_rule_set("Night school", "ana@clinic.org", lambda v: "# x\n")
        at = self._page().run()
        shown = at.dataframe[0].value.set_index("object_id")
        assert shown.loc[adopted.id, "action"] == "Adopted rules"
        assert shown.loc[adopted.id, "object"] == "rule set Night school, version 1"

    def test_dates_read_as_on_every_other_screen(self, shared_store):
        at = self._page().run()
        config = json.loads(at.dataframe[0].proto.columns)
        assert config["time"]["type_config"]["format"] == "DD MMM YYYY, HH:mm:ss"

    def test_no_match_says_so(self, shared_store):
        at = self._page().run()
        at.text_input(key="audit_object").input("d-nothing").run()
        assert not at.exception
        assert at.info[0].value == "No audit entries match these filters."
