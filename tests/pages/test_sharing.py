"""Share links and saved views, run headless against a real store in a temporary folder."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui import links

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 30


CSV_A = b"applicant id,cohort\nA1,2025-spring\n"
CSV_B = b"applicant id,cohort\nB1,2025-autumn\n"


def _page():
    import streamlit as st

    from ui import auth, links, state

    auth.require_access()
    view = links.restore_view(page="Eligibility")
    ds = state.dataset()
    st.text(f"dataset={view.dataset_id}")
    st.text(f"files={[name for name, _ in ds.files] if ds else []}")
    st.text(f"options={(ds.sheet, dict(ds.mapping), ds.date_order) if ds else None}")
    st.text(f"rules={state.active_rules().name}")
    st.text(f"as_of={state.as_of().isoformat()}")
    st.text(f"filters={view.filter_dict()}")
    if st.button("Open upload", key="t_open"):
        state.open_files([("a.csv", b"applicant id,cohort\nA1,2025-spring\n")], "a.csv")
        state.set_sheet("Intake")
        links.share_dataset()
        links.publish_view()
    if st.button("Filter", key="t_filter"):
        links.publish_view(filters={"cohort": ["2025-spring"], "full_name": ["Jane Doe"]})
    if st.button("Advanced", key="t_rules"):
        state.use_builtin_rules("advanced")
        links.publish_view()


def _app() -> AppTest:
    at = AppTest.from_function(_page, default_timeout=TIMEOUT)
    at.secrets["access"] = {}  # no sign-in configured: local mode, whatever this machine has
    return at


def _texts(at: AppTest) -> dict[str, str]:
    return dict(t.value.split("=", 1) for t in at.text)


def _params(at: AppTest) -> dict[str, list[str]]:
    return {k: list(v) if isinstance(v, list) else [v] for k, v in at.query_params.items()}


class TestOpeningALink:
    def test_link_reopens_dataset_rules_date_and_filters(self, shared_store):
        ds = shared_store.create_dataset(
            [("b.csv", CSV_B), ("a.csv", CSV_A)],
            owner="ana@clinic.org",
            options={"sheet": "Intake", "mapping": {"ref": "applicant_id"}, "date_order": "dmy"},
        )
        at = _app()
        at.query_params.update(
            {"ds": ds.id, "rules": "advanced", "as_of": "2025-06-30", "f.cohort": "2025-spring"}
        )
        at.run()
        assert not at.exception
        assert not at.warning
        shown = _texts(at)
        assert shown["dataset"] == ds.id
        assert shown["files"] == "['b.csv', 'a.csv']"
        assert shown["options"] == "('Intake', {'ref': 'applicant_id'}, 'dmy')"
        assert shown["rules"] == "advanced"
        assert shown["as_of"] == "2025-06-30"
        assert shown["filters"] == "{'cohort': ['2025-spring']}"
        viewers = shared_store.audit_log(action="view")
        assert [(e.action, e.object_id) for e in viewers] == [("view", ds.id)]
        assert viewers[0].user.startswith("local")

    def test_round_trip_from_one_session_to_another(self, shared_store):
        first = _app().run()
        first.button(key="t_open").click().run()
        first.button(key="t_filter").click().run()
        first.button(key="t_rules").click().run()
        link = _params(first)
        assert set(link) == {"ds", "rules", "as_of", "page", "f.cohort"}
        assert link["rules"] == ["advanced"]
        assert link["page"] == ["Eligibility"]
        assert "f.full_name" not in link
        assert "Jane" not in repr(link)

        first.run()  # the texts above the buttons now show the last choices
        colleague = _app()
        colleague.query_params.update(link)
        colleague.run()
        assert not colleague.exception
        assert _texts(colleague) == _texts(first)
        assert _params(colleague) == link

    def test_stored_rule_set_travels_by_id(self, shared_store):
        text = '[rule_set]\nname = "custom"\n'
        stored = shared_store.put_rule_set("custom", text, owner="ana")
        at = _app()
        at.query_params["rules"] = stored.id
        at.run()
        assert _texts(at)["rules"] == "custom"
        assert _params(at)["rules"] == [stored.id]

    def test_deleted_dataset_says_so_and_opens_nothing(self, shared_store):
        ds = shared_store.create_dataset([("a.csv", CSV_A)], owner="ana")
        shared_store.delete_dataset(ds.id, "ana")
        at = _app()
        at.query_params["ds"] = ds.id
        at.run()
        assert not at.exception
        assert [w.value for w in at.warning] == [links.GONE_DATASET]
        assert _texts(at)["dataset"] == "None"
        assert "ds" not in _params(at)

    def test_an_id_that_never_existed_says_there_is_no_such_dataset(self, shared_store):
        at = _app()
        at.query_params["ds"] = "d-abcdefghjk"  # well-formed, never stored
        at.run()
        assert not at.exception
        assert [w.value for w in at.warning] == [
            "There is no dataset with this link: check that it was copied whole, "
            "or ask for a new one."
        ]
        assert _texts(at)["dataset"] == "None"
        assert "ds" not in _params(at)

    def test_an_id_with_a_trailing_newline_is_not_an_id(self, shared_store):
        ds = shared_store.create_dataset([("a.csv", CSV_A)], owner="ana")
        at = _app()
        at.query_params["ds"] = ds.id + "\n"  # what ds=<id>%0A decodes to
        at.run()
        assert [w.value for w in at.warning] == [links.BAD_DATASET]
        assert _texts(at)["dataset"] == "None"

    @pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01"])
    def test_as_of_outside_1900_to_2200_is_refused(self, shared_store, as_of):
        at = _app()
        at.query_params["as_of"] = as_of
        at.run()
        assert not at.exception
        assert [w.value for w in at.warning] == [links.BAD_AS_OF]
        assert _texts(at)["as_of"] == dt.date.today().isoformat()

    @pytest.mark.parametrize("as_of", ["1900-01-01", "2200-12-31"])
    def test_as_of_at_the_ends_of_the_range_is_kept(self, shared_store, as_of):
        at = _app()
        at.query_params["as_of"] = as_of
        at.run()
        assert not at.warning
        assert _texts(at)["as_of"] == as_of

    def test_malformed_link_is_reported_not_a_traceback(self, shared_store):
        at = _app()
        at.query_params.update(
            {"ds": "../../etc", "rules": "bogus", "as_of": "30/06/2025", "f.email": "a@b.org"}
        )
        at.run()
        assert not at.exception
        assert [w.value for w in at.warning] == [
            links.BAD_DATASET,
            links.BAD_RULES,
            links.BAD_AS_OF,
            links.DROPPED_FILTER,
        ]
        assert _texts(at)["as_of"] == dt.date.today().isoformat()


class TestKeepingTheView:
    def test_view_survives_a_cleared_query_string(self, shared_store):
        at = _app().run()
        at.button(key="t_open").click().run()
        at.button(key="t_filter").click().run()
        before = _params(at)
        # Streamlit empties the query string on a page switch; the session puts it back.
        at.query_params.clear()
        at.run()
        assert _params(at) == before
        assert _texts(at)["filters"] == "{'cohort': ['2025-spring']}"

    def test_later_choices_win_over_the_url_this_session_wrote(self, shared_store):
        at = _app()
        at.query_params["rules"] = "standard"
        at.run()
        at.button(key="t_rules").click().run()
        at.run()
        assert _texts(at)["rules"] == "advanced"
        assert _params(at)["rules"] == ["advanced"]

    def test_sharing_the_same_upload_twice_stores_it_once(self, shared_store):
        at = _app().run()
        at.button(key="t_open").click().run()
        at.button(key="t_open").click().run()
        assert len(shared_store.list_datasets()) == 1
        assert len(shared_store.audit_log(action="upload")) == 1


class TestLinkToAnotherScreen:
    def test_link_naming_a_screen_switches_to_it(self, shared_store, tmp_path, monkeypatch):
        app_dir = tmp_path / "app"
        (app_dir / "pages").mkdir(parents=True)
        page = textwrap.dedent(
            """
            import streamlit as st
            from ui import links
            view = links.restore_view(page={name!r})
            st.text("screen={name}")
            st.text(f"as_of={{view.as_of}}")
            """
        )
        (app_dir / "app.py").write_text("from ui import page\n\npage.navigation().run()\n")
        (app_dir / "pages" / "0_Home.py").write_text(page.format(name="Home"))
        (app_dir / "pages" / "2_Eligibility.py").write_text(page.format(name="Eligibility"))
        monkeypatch.setattr(links, "PAGES_DIR", app_dir / "pages")
        at = AppTest.from_file(str(app_dir / "app.py"), default_timeout=TIMEOUT)
        at.query_params.update({"page": "Eligibility", "as_of": "2025-01-31"})
        at.run()
        assert not at.exception
        assert _texts(at) == {"screen": "Eligibility", "as_of": "2025-01-31"}
        assert _params(at)["page"] == ["Eligibility"]


class TestPureParams:
    def test_params_round_trip(self):
        view = links.View(
            dataset_id="d-abcdefghjk",
            rule_set="advanced",
            as_of=dt.date(2025, 6, 30),
            page="Gaps",
            filters=(("cohort", ("2025-autumn", "2025-spring")), ("country", ("FR",))),
        )
        assert links.from_params(links.to_params(view)) == (view, [])

    @pytest.mark.parametrize(
        "column",
        [
            "full_name",
            "email",
            "license_number",
            "applicant_id",
            "first_name",
            "last_name",
            "Mobile phone",
        ],
    )
    def test_personal_filters_never_reach_a_link(self, column):
        view = links.View(filters=((column, ("x",)), ("cohort", ("a",))))
        assert links.to_params(view) == {"f.cohort": ["a"]}

    def test_email_like_values_are_dropped(self):
        kept, dropped = links.clean_filters({"country": ["FR", "jane@clinic.org"]})
        assert kept == (("country", ("FR",)),)
        assert dropped

    @pytest.mark.parametrize("page", ["Gaps\n", "Gaps\r\n", "\nGaps"])
    def test_page_names_and_filter_columns_match_in_full(self, page):
        view, problems = links.from_params({"page": page, "f.cohort\n": "a"})
        assert view.page is None and view.filters == ()
        assert problems == [links.BAD_PAGE, links.DROPPED_FILTER]

    def test_share_query_is_url_encoded(self):
        view = links.View(rule_set="standard", filters=(("cohort", ("2025 spring & co",)),))
        assert links.share_query(view) == "rules=standard&f.cohort=2025+spring+%26+co"
