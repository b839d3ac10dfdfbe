"""The sharing layer on the real pages: links, sign-in, the store, exports and the audit log.

Figures the pages should show are recounted from the raw sample files by
tests/sample_counts.py, never taken from the engine the pages run.
"""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest

import store
from analytics.reporting import exports
from tests import sample_counts
from tests.pages.helpers import (
    AS_OF,
    HOME,
    ONE_ROW_CSV,
    PAGES,
    ROOT,
    app,
    click_download,
    metric,
    params,
    sample_files,
    seed_files,
    visit,
)
from ui import auth, downloads, home, links, masking, state, views

KPIS = ("Applicants", "Eligible", "Incomplete", "Ineligible", "Eligibility rate")


def _kpis(at) -> dict[str, str]:
    return {label: metric(at, label) for label in KPIS}


def _audit(action: str) -> list[store.AuditEntry]:
    return store.open_store().audit_log(action=action)


def _cohorts_with_a_filter():
    """A director on Cohorts, advanced rules, one cohort picked: the session to share."""
    at = seed_files(app("pages/4_Cohorts.py"), sample_files())
    state.use_builtin_rules("advanced", session=at.session_state)
    at.run()
    cohort = at.multiselect(key="cohorts_cohort").options[1]
    at.multiselect(key="cohorts_cohort").set_value([cohort]).run()
    assert not at.exception
    return at, cohort


class TestShareLinks:
    def test_a_link_reopens_the_same_view_for_a_colleague(self):
        first, cohort = _cohorts_with_a_filter()
        link = params(first)
        assert set(link) == {"ds", "rules", "as_of", "page", "f.cohort"}
        assert link["rules"] == ["advanced"]
        assert link["as_of"] == [AS_OF.isoformat()]
        assert link["page"] == ["Cohorts"]
        assert link["f.cohort"] == [cohort]

        colleague = app("app.py")  # a new session that opens the link on Home
        colleague.query_params.update(link)
        colleague.run()
        assert not colleague.exception, [e.value for e in colleague.exception]
        assert colleague.title[0].value == "Cohorts"
        assert colleague.multiselect(key="cohorts_cohort").value == [cohort]
        assert _kpis(colleague) == _kpis(first)
        assert params(colleague) == link

        row = sample_counts.expected_report("advanced")["by_cohort"][cohort]
        assert metric(colleague, "Applicants") == f"{row['applicants']:,}"
        assert metric(colleague, "Eligible") == f"{row['eligible']:,}"
        rate = row["eligible"] / row["applicants"]
        assert metric(colleague, "Eligibility rate") == f"{rate:.1%}"
        viewed = _audit("view")
        assert [(e.action, e.object_id) for e in viewed] == [("view", link["ds"][0])]

    def test_the_view_survives_switching_pages(self):
        at, cohort = _cohorts_with_a_filter()
        before, shown = params(at), _kpis(at)
        at.switch_page("pages/2_Gaps.py")
        at.query_params.clear()  # a page switch in the browser empties the query string
        at.run()
        assert not at.exception
        assert params(at) == {**before, "page": ["Gaps"]}
        at.switch_page("pages/4_Cohorts.py")
        at.query_params.clear()
        at.run()
        assert at.multiselect(key="cohorts_cohort").value == [cohort]
        assert _kpis(at) == shown
        assert params(at) == before

    def test_the_sidebar_link_has_every_filter_just_picked(self):
        at, cohort = _cohorts_with_a_filter()
        country = at.multiselect(key="cohorts_country").options[0]
        at.multiselect(key="cohorts_country").set_value([country]).run()
        assert not at.exception
        (code,) = at.sidebar.text
        shown = parse_qs(urlsplit(code.value).query)
        assert shown["f.cohort"] == [cohort]
        assert shown["f.country"] == [country]
        assert shown == params(at)  # the sidebar and the address bar say the same

    def test_a_link_replaces_the_filters_kept_from_before(self):
        at, cohort = _cohorts_with_a_filter()
        other = at.multiselect(key="cohorts_cohort").options[0]
        link = {**params(at), "f.cohort": [other], "f.status": ["eligible"]}
        at = visit(at, HOME)
        at.query_params.update(link)  # a colleague's link, pasted on Home
        at.run()
        assert not at.exception
        assert at.title[0].value == "Cohorts"
        assert at.multiselect(key="cohorts_cohort").value == [other]
        assert at.multiselect(key="cohorts_status").value == ["eligible"]
        assert params(at) == link

    def test_clearing_the_filter_takes_it_out_of_the_link(self):
        at, _ = _cohorts_with_a_filter()
        at.multiselect(key="cohorts_cohort").set_value([]).run()
        assert "f.cohort" not in params(at)

    @pytest.mark.parametrize("script", PAGES)
    def test_every_page_names_itself_in_the_link(self, script):
        at = seed_files(app(script), [("one.csv", ONE_ROW_CSV)]).run()
        assert not at.exception
        (name,) = params(at)["page"]
        # its file name without the number ("pages/2_Gaps.py" -> "Gaps"), "Home" for app.py
        assert name == ("Home" if script == "app.py" else Path(script).stem.split("_", 1)[1])
        assert links.page_scripts()[name] == script  # and the name leads back to the script

    def test_no_personal_data_in_the_link(self):
        at = seed_files(app("pages/4_Cohorts.py"), [("one.csv", ONE_ROW_CSV)])
        state.set_show_personal(True, session=at.session_state)
        at.run()
        query = links.share_query(links.from_params(params(at))[0])
        for personal in ("Jane", "Doe", "jane@example.org", "A1"):
            assert personal not in repr(params(at))
            assert personal not in query


class TestStoringOpenedData:
    def test_opening_the_sample_stores_it_once_and_audits_the_upload(self):
        at = app("app.py").run()
        at.button(key="home_sample").click().run()
        at.run()
        assert not at.exception
        (stored,) = store.open_store().list_datasets()
        assert store.open_store().read_dataset_files(stored.id) == sample_files()
        assert params(at)["ds"] == [stored.id]
        assert [e.object_id for e in _audit("upload")] == [stored.id]

    def test_new_reading_options_are_a_new_stored_dataset(self):
        at = seed_files(app("app.py"), sample_files()).run()
        first = params(at)["ds"]
        at.radio(key="home_date_order").set_value("dmy").run()
        assert not at.exception
        second = params(at)["ds"]
        assert second != first
        assert store.open_store().get_dataset(second[0]).options["date_order"] == "dmy"

    def test_home_lists_saved_views_and_offers_to_save(self):
        at = app("app.py").run()
        assert "Saved views" in [h.value for h in at.subheader]
        at = seed_files(app("app.py"), sample_files()).run()
        at.sidebar.text_input(key="views_save_name").input("All of it")
        next(b for b in at.sidebar.button if b.label == views.SAVE_LABEL).click()
        at.run()
        assert not at.exception
        (saved,) = store.open_store().list_views()
        assert (saved.name, saved.dataset_id) == ("All of it", params(at)["ds"][0])
        assert at.button(key=f"views_open_{saved.id}")


class TestSignInOnRealPages:
    def _enter(self, at, passcode: str):
        at.text_input(key="auth_name").input("Ana Director")
        at.text_input(key="auth_passcode").input(passcode)
        next(b for b in at.button if b.label == "Enter").click()
        return at.run()

    def test_passcode_gate_stops_the_page_before_any_data(self):
        at = seed_files(
            app("pages/1_Eligibility.py", {"access": {"passcode": "correct horse"}}),
            sample_files(),
        ).run()
        assert not at.exception
        assert not at.metric
        assert not at.get("plotly_chart")
        assert not at.title  # not even the screen's title
        assert params(at) == {}
        assert store.open_store().list_datasets() == []
        assert store.open_store().audit_log() == []

        at = self._enter(at, "wrong")
        assert at.error[0].value == auth.WRONG_PASSCODE
        assert not at.metric

        at = self._enter(at, "correct horse")
        assert not at.exception
        eligible = sample_counts.expected_report()["status"]["eligible"]
        assert metric(at, "Eligible") == f"{eligible:,}"
        assert [e.user for e in _audit("upload")] == ["Ana Director (passcode)"]

    def test_without_sign_in_a_remote_visitor_gets_no_data(self, monkeypatch):
        monkeypatch.setattr(
            auth, "_request_origin", lambda: ("analytics.clinic.org", "203.0.113.9")
        )
        at = seed_files(app("pages/2_Gaps.py"), sample_files()).run()
        assert not at.exception
        assert [e.value for e in at.error] == [auth.REFUSED_REMOTE]
        assert not at.dataframe
        assert not at.get("plotly_chart")

    def test_the_audit_page_shows_the_local_note_once(self):
        at = app("pages/7_Audit.py").run()
        assert not at.exception
        assert [c.value for c in at.sidebar.caption].count(auth.LOCAL_NOTICE) == 1


def _report_page(script: str = "pages/1_Eligibility.py", personal: bool = False):
    at = seed_files(app(script), sample_files())
    state.set_show_personal(personal, session=at.session_state)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _summary_sheet(data: bytes) -> dict[str, object]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(book["Summary"].iter_rows(values_only=True))
    start = rows.index(("Figure", "Value"))
    return {figure: value for figure, value in rows[start + 1 :]}


class TestExports:
    def test_the_page_carries_no_file_until_a_click(self, media):
        at = _report_page()
        buttons = {b.proto.label: b.proto for b in at.get("download_button")}
        assert set(buttons) == {"Excel report", "HTML dashboard"}
        for proto in buttons.values():
            assert proto.url == ""  # nothing to fetch by URL
            assert len(proto.deferred_file_id) == 32  # a random placeholder id instead
        assert media.added == {}  # and nothing stored in Streamlit's media endpoint
        assert len(media.deferred) == 2

    def test_excel_report_figures_are_the_samples(self, media):
        at = _report_page()
        xlsx = media.fetch(at, downloads.XLSX_KEY)
        expected = sample_counts.expected_report()
        status, ren = expected["status"], expected["renewals"]
        figures = _summary_sheet(xlsx)
        wanted = {
            "Applicants": expected["applicants"],
            "Eligible": status["eligible"],
            "Incomplete (a requirement cannot be checked)": status["incomplete"],
            "Ineligible": status["ineligible"],
            "Near misses (one requirement away)": expected["near_miss"],
            "Certified practitioners": expected["certified"],
            "Renewal backlog (due or overdue)": ren["due"] + ren["overdue"],
            "Certifications due for renewal": ren["due"],
            "Certifications overdue": ren["overdue"],
            "Renewals ready": ren["ready"],
            "Renewals blocked": ren["blocked"],
        }
        assert {k: figures[k] for k in wanted} == wanted
        rate = status["eligible"] / expected["applicants"]
        assert figures["Eligibility rate"] == pytest.approx(rate)
        book = openpyxl.load_workbook(io.BytesIO(xlsx))
        assert book.sheetnames == [
            "Summary",
            "Eligibility by cohort",
            "Gaps",
            "Near misses",
            "Renewal backlog",
            "Problems",
            "Rejected rows",
            "Duplicates",
        ]
        near = book["Near misses"]
        header = [c.value for c in near[1]]
        names = {row[header.index("Name")] for row in near.iter_rows(2, values_only=True)}
        assert names == {exports.HIDDEN}
        assert near.max_row - 1 == expected["near_miss"]
        assert not at.exception

    def test_each_download_is_audited(self):
        at = _report_page()
        dataset_id = params(at)["ds"][0]
        at = click_download(at, downloads.XLSX_KEY)
        at = click_download(at, downloads.HTML_KEY)
        assert not at.exception
        assert [(e.object_id, e.detail) for e in _audit("export")] == [
            (dataset_id, "html dashboard"),
            (dataset_id, "xlsx report"),
        ]

    def test_html_dashboard_is_masked_and_self_contained(self, media):
        text = media.fetch(_report_page(), downloads.HTML_KEY).decode("utf-8")
        assert not [n for n in sample_counts.expected_report()["near_miss_names"] if n in text]
        assert "<script src=" not in text and "<link" not in text and "<iframe" not in text
        assert "default-src 'none'" in text

    def test_personal_data_only_when_switched_on(self, media):
        at = _report_page(personal=True)
        text = media.fetch(at, downloads.HTML_KEY).decode("utf-8")
        assert [n for n in sample_counts.expected_report()["near_miss_names"] if n in text]
        click_download(at, downloads.XLSX_KEY)
        assert [e.detail for e in _audit("export")] == ["xlsx report (personal data included)"]

    def test_csv_download_is_injection_safe_and_audited(self, media):
        hostile = (
            b"Applicant ID,Name,Cohort,Notes\n"
            b"A1,Jane Doe,C1,ok\n"
            b',=HYPERLINK("http://x"),C1,@SUM(1)\n'
        )
        at = seed_files(app("app.py"), [("hostile.csv", hostile)]).run()
        assert not at.exception
        assert media.added == {}
        # No cell problems: the report opens on its first list with rows, the rejected row.
        assert at.session_state[home.REPORT_TAB_KEY].startswith("Rejected rows")
        text = media.fetch(at, "home_download_rejected").decode("utf-8-sig")
        assert "'@SUM(1)" in text
        assert "HYPERLINK" not in text  # a name column: masked unless personal data is on
        click_download(at, "home_download_rejected")
        assert [e.detail for e in _audit("export")] == ["csv rejected.csv"]


class TestMaskingOnScreen:
    CSV = (
        b"Applicant ID,Name,Cohort,Mobile phone,Home address,Trainer\n"
        b"A1,Jane Doe,C1,+44 7700 900123,1 High St,Dr Who\n"
    )

    def _drill(self, personal: bool):
        at = seed_files(app("pages/4_Cohorts.py"), [("extra.csv", self.CSV)])
        state.set_show_personal(personal, session=at.session_state)
        at.run()
        assert not at.exception
        (table,) = [d.value for d in at.dataframe if "Mobile phone" in d.value.columns]
        return table

    def test_personal_looking_extra_columns_are_masked(self):
        shown = self._drill(personal=False)
        assert shown.loc[0, "Mobile phone"] == masking.HIDDEN
        assert shown.loc[0, "Home address"] == masking.HIDDEN
        assert shown.loc[0, "full_name"] == "J. D."
        assert shown.loc[0, "Trainer"] == "Dr Who"

    def test_and_shown_when_switched_on(self):
        shown = self._drill(personal=True)
        assert shown.loc[0, "Mobile phone"] == "+44 7700 900123"


def test_sidebar_offers_the_share_link():
    at = seed_files(app("pages/3_Renewals.py"), sample_files()).run()
    (code,) = at.sidebar.text
    # the link carries exactly the view in the URL: dataset, rules, date and screen
    assert parse_qs(urlsplit(code.value).query) == params(at)
    assert set(params(at)) == {"ds", "rules", "as_of", "page"}
    assert params(at)["page"] == ["Renewals"]
    assert params(at)["ds"][0].startswith("d-")


def _raises():
    raise ValueError("the detail a developer needs")


def test_errors_show_in_full_under_test_but_not_in_production():
    # tests/conftest.py turns error details on; the production config keeps them off.
    import tomllib

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_raises).run()
    assert at.exception[0].message == "the detail a developer needs"
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
