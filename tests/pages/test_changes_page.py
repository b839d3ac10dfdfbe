"""The Changes page: two stored uploads compared, with every figure worked out by hand.

Standard rules: a healthcare degree from an accredited institution, a current licence and
CME hours (medicine 20, nursing 30) are required; the advisory rules read columns these
exports lack, so they never change. Certifications are due in the 90 days before expiry.
The October upload is judged as of 1 Oct 2026 and November's as of 1 Nov 2026 (set on the
page), unless a test says otherwise.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

import store
from analytics.reporting import exports
from tests.pages.helpers import app, chart_traces, metric, open_tab, params, seed_files
from ui import comparison, downloads, links, state

PAGE = "pages/6_Changes.py"
OCT_AS_OF, NOV_AS_OF = dt.date(2026, 10, 1), dt.date(2026, 11, 1)
HEADER = (
    "Applicant ID,Full name,Email,Cohort,Degree,Accredited,Licence expiry,CME hours,"
    "Certification expiry,CE hours,Ethics attestation\n"
)
OCTOBER = HEADER + (
    "A1,Ana One,ana@example.org,Spring,MD,yes,2040-01-01,25,,,\n"  # eligible
    "A2,Ben Two,ben@example.org,Spring,RN,yes,2040-01-01,12,,,\n"  # ineligible: 30 needed
    "A3,Cy Three,cy@example.org,Spring,MD,yes,2026-10-20,25,,,\n"  # eligible until 20 Oct
    "A4,Dee Four,dee@example.org,Spring,MBA,yes,2040-01-01,40,,,\n"  # ineligible: no healthcare
    "A5,Ed Five,ed@example.org,Spring,MD,yes,2040-01-01,,,,\n"  # incomplete: no CME hours
    "A6,Flo Six,flo@example.org,Spring,RN,yes,2040-01-01,40,,,\n"  # eligible
    "C1,Gus Seven,gus@example.org,2024,MD,yes,2040-01-01,,2026-10-20,30,yes\n"  # due
    "C2,Hal Eight,hal@example.org,2024,MD,yes,2040-01-01,,2026-11-15,30,yes\n"  # due
)
NOVEMBER = HEADER + (
    "A1,Ana One,ana@example.org,Spring,MD,yes,2040-01-01,25,,,\n"  # still eligible
    "A2,Ben Two,ben@example.org,Spring,RN,yes,2040-01-01,35,,,\n"  # now eligible
    "A3,Cy Three,cy@example.org,Spring,MD,yes,2026-10-20,25,,,\n"  # licence lapsed
    "A5,Ed Five,ed@example.org,Spring,MD,yes,2040-01-01,30,,,\n"  # now eligible
    "A6,Flo Six,flo@example.org,Spring,RN,yes,2040-01-01,40,2036-10-15,,\n"  # certified
    "N1,Ida Nine,ida@example.org,Autumn,MD,yes,2040-01-01,22,,,\n"  # new, eligible
    "N2,Jo Ten,jo@example.org,Autumn,RN,yes,2040-01-01,10,,,\n"  # new, ineligible
    "C1,Gus Seven,gus@example.org,2024,MD,yes,2040-01-01,,2026-10-20,30,yes\n"  # overdue
    "C2,Hal Eight,hal@example.org,2024,MD,yes,2040-01-01,,2036-11-15,30,yes\n"  # renewed
)
KPIS = {
    "Added": "2",  # N1, N2
    "Removed": "2",  # A4 gone, A6 now certified
    "Added and eligible": "1",  # N1 (N2 is ineligible)
    "Newly eligible": "2",  # A2, A5 (N1 is new: added, not newly eligible)
    "No longer eligible": "1",  # A3
    "Became certified": "1",  # A6
    "Renewed": "1",  # C2
    "Newly overdue": "1",  # C1
}
# Every status move with anyone in it (A1..A6, N1, N2).
MOVES = {
    ("eligible before", "eligible now"): 1,  # A1
    ("eligible before", "ineligible now"): 1,  # A3
    ("eligible before", "certified now"): 1,  # A6
    ("incomplete before", "eligible now"): 1,  # A5
    ("ineligible before", "eligible now"): 1,  # A2
    ("ineligible before", "not present now"): 1,  # A4
    ("not present before", "eligible now"): 1,  # N1
    ("not present before", "ineligible now"): 1,  # N2
}


def _upload(text: str, name: str, **options):
    """A session that opened `text` on the Changes page (which stores it)."""
    at = seed_files(app(PAGE), [(name, text.encode())], label=name)
    if "date_order" in options:
        state.set_date_order(options["date_order"], session=at.session_state)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _stored(name: str) -> store.Dataset:
    (found,) = [d for d in store.open_store().list_datasets() if d.label == name]
    return found


def _compared(october: str = OCTOBER, november: str = NOVEMBER):
    """October uploaded, then November; the page judged on 1 Oct and 1 Nov."""
    _upload(october, "october.csv")
    at = _upload(november, "november.csv")
    at.date_input(key=comparison.OTHER_AS_OF_KEY).set_value(OCT_AS_OF).run()
    at.date_input(key=comparison.OPEN_AS_OF_KEY).set_value(NOV_AS_OF).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table(at, name: str):
    """The list shown in its tab (one tab per list, drawn once it is chosen)."""
    open_tab(at, comparison.LIST_TAB_KEY, comparison.LISTS[name])
    (tab,) = [t for t in at.tabs if t.label.startswith(comparison.LISTS[name])]
    return tab.dataframe[0].value


class TestEmptyStates:
    def test_one_upload_says_to_upload_next_month(self):
        at = _upload(OCTOBER, "october.csv")
        assert [i.value for i in at.info] == [comparison.ONLY_ONE]
        assert not at.metric

    def test_no_data_asks_for_a_dataset(self):
        at = app(PAGE).run()
        assert not at.exception
        assert not at.get("selectbox")

    def test_the_same_data_again_shows_that_nothing_changed(self):
        # The same rows in another order: other bytes, the same applicants.
        lines = OCTOBER.splitlines(keepends=True)
        reordered = lines[0] + "".join(reversed(lines[1:]))
        _upload(OCTOBER, "october.csv")
        at = _upload(reordered, "october again.csv")
        assert [s.value for s in at.success] == [comparison.NOTHING_CHANGED]
        assert {m.label: m.value for m in at.metric} == dict.fromkeys(KPIS, "0")
        assert not [c for c in at.get("plotly_chart") if "changes_sankey" in c.proto.id]

    def test_the_same_files_are_never_the_default_but_can_be_picked(self):
        _upload(OCTOBER, "october.csv")
        at = _upload(OCTOBER, "october dmy", date_order="dmy")  # a second dataset, same file
        assert comparison.PICK in [i.value for i in at.info]
        first = _stored("october.csv")
        at.selectbox(key=comparison.OTHER_KEY).set_value(first.id).run()
        assert not at.exception
        (message,) = [s.value for s in at.success]
        assert message.startswith(comparison.SAME_FILES)

    def test_no_common_applicants_is_said_and_everyone_is_added_or_removed(self):
        others = OCTOBER.replace("\nA", "\nB").replace("\nC", "\nD")
        at = _compared(others, NOVEMBER)
        assert [w.value for w in at.warning] == [comparison.NO_COMMON]
        assert metric(at, "Added") == "6"  # every applicant of November
        assert metric(at, "Removed") == "6"  # every applicant of October
        assert metric(at, "Newly eligible") == "0"
        assert metric(at, "Added and eligible") == "4"  # November's eligible: A1, A2, A5, N1


class TestTwoUploads:
    def test_the_previous_upload_is_compared_on_each_uploads_own_date(self):
        before = dt.datetime.now(dt.UTC).date()
        _upload(OCTOBER, "october.csv")
        at = _upload(NOVEMBER, "november.csv")
        after = dt.datetime.now(dt.UTC).date()
        assert at.selectbox(key=comparison.OTHER_KEY).value == _stored("october.csv").id
        for key in (comparison.OTHER_AS_OF_KEY, comparison.OPEN_AS_OF_KEY):
            assert before <= at.date_input(key=key).value <= after

    def test_kpis(self):
        at = _compared()
        assert {m.label: m.value for m in at.metric} == KPIS

    def test_sankey_draws_every_move(self):
        at = _compared()
        (sankey,) = [c for c in at.get("plotly_chart") if "changes_sankey" in c.proto.id]
        (trace,) = chart_traces(sankey)
        labels = trace["node"]["label"]
        link = trace["link"]
        drawn = {
            (labels[s], labels[t]): v
            for s, t, v in zip(link["source"], link["target"], link["value"], strict=True)
        }
        assert drawn == MOVES

    def test_rules_resolved_and_newly_failing(self):
        at = _compared()
        (bars,) = [c for c in at.get("plotly_chart") if "changes_rules" in c.proto.id]
        traces = {t["name"]: dict(zip(t["y"], t["x"], strict=True)) for t in chart_traces(bars)}
        cme, licence = "Continuing medical education (CME) hours", "Current medical licence"
        assert traces == {
            "Now met": {licence: 0, cme: 2},  # A2 (fail -> pass), A5 (missing -> pass)
            "No longer met": {licence: 1, cme: 0},  # A3
        }

    def test_the_three_lists(self):
        at = _compared()
        invite = _table(at, "newly_eligible")
        assert invite["applicant_id"].tolist() == ["A2", "A5", "N1"]
        assert invite["old_status"].tolist() == ["ineligible", "incomplete", "new applicant"]
        assert invite["what_changed"].tolist()[0] == "CME hours 12 -> 35: now eligible"
        lapsed = _table(at, "no_longer_eligible")
        assert lapsed["applicant_id"].tolist() == ["A3"]
        assert lapsed["new_status"].tolist() == ["ineligible"]
        assert [list(r) for r in lapsed["newly_failing"]] == [["Current medical licence"]]
        assert lapsed["what_changed"].tolist() == [
            "licence expired 12 days ago: no longer eligible"
        ]
        chase = _table(at, "newly_overdue")
        assert chase["applicant_id"].tolist() == ["C1"]
        assert chase["days_overdue"].tolist() == [12]  # 20 Oct -> 1 Nov
        # The list of three is not named as the KPI that counts two of them.
        (tab,) = [t for t in at.tabs if t.label.endswith("(3)")]
        assert metric(at, "Newly eligible") == "2"
        assert not tab.label.startswith("Newly eligible")

    def test_lists_are_masked_filterable_and_downloaded_as_shown(self, media):
        at = _compared()
        invite = _table(at, "newly_eligible")
        assert "Ben Two" not in invite["full_name"].tolist()
        at.text_input(key="changes_filter_newly_eligible").set_value("Ben").run()
        assert [i.value for i in at.info] == ["No row matches."]  # names hidden: not searched
        at.text_input(key="changes_filter_newly_eligible").set_value("autumn").run()
        assert _table(at, "newly_eligible")["applicant_id"].tolist() == ["N1"]
        text = media.fetch(at, "changes_download_newly_eligible").decode("utf-8-sig")
        assert "N1" in text and "Ida Nine" not in text and exports.HIDDEN in text
        assert "A2" not in text  # what the table showed, filtered

    def test_the_report_has_the_comparison_as_sheets(self, media):
        at = _compared()
        assert not at.exception
        xlsx = media.fetch(at, downloads.XLSX_KEY)
        book = openpyxl.load_workbook(io.BytesIO(xlsx))
        assert book.sheetnames[-3:] == [
            "Eligible now, not before",
            "No longer eligible",
            "Newly overdue renewals",
        ]
        invite = book["Eligible now, not before"]
        ids = [row[0] for row in invite.iter_rows(min_row=2, values_only=True)]
        assert ids == ["A2", "A5", "N1"]
        rows = list(book["Summary"].iter_rows(values_only=True))
        figures = dict(rows[rows.index(("Figure", "Value")) + 1 :])
        assert figures["Changes: newly eligible"] == 2
        assert figures["Changes: added and eligible"] == 1  # N1: the list's third row
        assert figures["Changes: later upload judged as of"] == "2026-11-01"
        assert figures["Changes: earlier upload judged as of"] == "2026-10-01"


class TestLinks:
    def test_the_link_carries_both_ids_and_dates_and_reopens_the_comparison(self):
        at = _compared()
        link = params(at)
        assert link["ds"] == [_stored("november.csv").id]
        assert link["vs"] == [_stored("october.csv").id]
        assert (link["vs_as_of"], link["ds_as_of"]) == (["2026-10-01"], ["2026-11-01"])
        assert link["page"] == ["Changes"]

        colleague = app("app.py")  # a new session opening the link on Home
        colleague.query_params.update(link)
        colleague.run()
        assert not colleague.exception, [e.value for e in colleague.exception]
        assert colleague.title[0].value == "Changes"
        assert {m.label: m.value for m in colleague.metric} == KPIS
        assert colleague.date_input(key=comparison.OTHER_AS_OF_KEY).value == OCT_AS_OF

    def test_a_bad_comparison_in_a_link_says_so_and_falls_back(self):
        assert links.from_params({"vs": "nonsense"})[1] == [links.BAD_COMPARE]
        view, problems = links.from_params({"vs_as_of": "1 Oct", "ds_as_of": "2026-11-01"})
        assert problems == [links.BAD_COMPARE_AS_OF]
        assert (view.compare_as_of, view.dataset_as_of) == (None, dt.date(2026, 11, 1))


class TestHistory:
    def test_trend_per_upload_on_its_own_date(self):
        _upload(OCTOBER, "october.csv")
        at = _upload(NOVEMBER, "november.csv")
        (chart,) = [c for c in at.get("plotly_chart") if "changes_trend" in c.proto.id]
        lines = {t["name"]: list(t["y"]) for t in chart_traces(chart)}
        # Judged today (after 15 Nov 2026): A3's licence and C1, C2 (October) have expired.
        assert lines["Eligible"] == [2, 4]  # A1, A6 | A1, A2, A5, N1
        assert lines["Renewal backlog (due or overdue)"] == [2, 1]  # C1, C2 | C1
        assert lines["Eligibility rate"] == pytest.approx([2 / 6, 4 / 6])

    def test_no_trend_of_one_upload(self):
        _upload(OCTOBER, "october.csv")
        # Another export (one more column): compared with, but not of this history.
        other = NOVEMBER.replace("Ethics attestation\n", "Ethics attestation,Notes\n", 1)
        at = _upload(other.replace("yes\n", "yes,\n"), "other.csv")
        assert [c for c in at.get("plotly_chart") if "changes_trend" in c.proto.id] == []
        assert comparison.TREND_LATER in [c.value for c in at.caption]
        assert comparison.HISTORY_KEY not in [s.key for s in at.selectbox]
        assert any("changes_sankey" in c.proto.id for c in at.get("plotly_chart"))

    def test_an_upload_of_the_history_opens_on_this_page(self):
        _upload(OCTOBER, "october.csv")
        at = _upload(NOVEMBER, "november.csv")
        october = _stored("october.csv")
        at.selectbox(key=comparison.HISTORY_KEY).set_value(october.id).run()
        assert not at.exception
        assert params(at)["ds"] == [october.id]
        assert comparison.PICK in [i.value for i in at.info]  # nothing came before October
        opened = store.open_store().audit_log(action="view")
        assert [e.object_id for e in opened] == [october.id]

    def test_the_uploader_renames_an_upload_and_it_is_audited(self):
        at = _upload(OCTOBER, "october.csv")
        at.text_input(key=comparison.LABEL_KEY).set_value("October export")
        at.button(key=comparison.LABEL_SAVE_KEY).click().run()
        assert not at.exception
        october = store.open_store().list_datasets()[0]
        assert october.label == "October export"
        assert "October export" in at.sidebar.markdown[0].value
        (renamed,) = store.open_store().audit_log(action="rename")
        assert renamed.object_id == october.id
