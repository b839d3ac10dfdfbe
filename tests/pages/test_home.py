"""Home: opening data, the validation report, mapping, date order, rule set and as-of.

Expected figures are worked out by hand for the small files written here, or recounted
from the raw sample files by tests/sample_counts.py; error messages are checked for what
DOMAIN §2-3 promises of them (one line, naming the file), not against the loader's text.
"""

import datetime as dt
from pathlib import Path

import pytest

import store
from tests import sample_counts
from tests.pages.helpers import (
    AS_OF,
    HOME,
    ONE_ROW_CSV,
    app,
    follow,
    literal,
    metric,
    open_tab,
    params,
    sample_files,
    seed_files,
    visit,
)
from ui import home, page, state

ROOT = Path(__file__).resolve().parents[2]
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIME = {".xlsx": XLSX_MIME, ".csv": "text/csv"}
MESSY_CSV = (
    b"Applicant ID,Name,Email,Cohort,Applied on,Degree,Accredited,Licence expiry,CME hours\n"
    b"A1,Jane Doe,jane@example.org,C1,2026-01-10,MD,yes,2027-06-30,25\n"
    b",No Id,noid@example.org,C1,2026-01-11,MD,yes,2027-06-30,25\n"
    b"A2,Ann Lee,ann@example.org,C1,2026-01-12,Vet,maybe,2027-06-30,lots\n"
    b"a1,Jane Doe,jane@example.org,C1,2026-02-10,MD,yes,2027-06-30,26\n"
)
# 4 rows read: the one without an id is rejected, "a1" is A1 applying again later (the first
# A1 is its duplicate), A2 has three unreadable cells (Vet, maybe, lots): 2 people analysed.
MESSY_NUMBERS = {
    "Rows read": "4",
    "Analysed": "2",
    "Rejected": "1",
    "Duplicates": "1",
    "Cell problems": "3",
}


def _report_numbers(at):
    labels = ("Rows read", "Analysed", "Rejected", "Duplicates", "Cell problems")
    return {label: metric(at, label) for label in labels}


def _sample_numbers() -> dict[str, str]:
    expected = sample_counts.expected_report()
    return {
        "Rows read": f"{expected['rows_read']:,}",
        "Analysed": f"{expected['applicants'] + expected['certified']:,}",
        "Rejected": f"{expected['rows_rejected']:,}",
        "Duplicates": f"{expected['rows_duplicate']:,}",
        "Cell problems": f"{sample_counts.unreadable_cells():,}",
    }


def _one_line_error(at, file_name: str) -> str:
    """The page's only error: one line that starts by naming the file."""
    (error,) = [literal(e.value) for e in at.error]
    assert "\n" not in error and error.startswith(f"{file_name}: "), error
    return error


def test_no_data_offers_upload_and_sample():
    at = app("app.py").run()
    assert not at.exception
    assert at.button(key="home_sample").label == "Open the sample"
    (uploader,) = at.get("file_uploader")
    assert uploader.proto.multiple_files
    assert set(uploader.proto.type) == {".xlsx", ".xlsm", ".xls", ".csv", ".tsv", ".txt"}
    assert "No dataset is open yet" in at.info[0].value


def test_sample_button_opens_every_bundled_file():
    at = app("app.py").run()
    at.button(key="home_sample").click().run()
    assert not at.exception
    opened = state.dataset(session=at.session_state)
    assert opened.label == page.SAMPLE_LABEL
    assert [name for name, _ in opened.files] == [name for name, _ in sample_files()]
    assert _report_numbers(at) == _sample_numbers()
    # Analysed (693) counts the register's practitioners beside Applicants (510): said.
    (analysed,) = [m for m in at.metric if m.label == "Analysed"]
    assert "certified practitioners" in analysed.proto.help
    assert metric(at, "Applicants") == f"{sample_counts.expected_report()['applicants']:,}"


def test_open_sample_env_opens_it_without_a_click(monkeypatch):
    monkeypatch.setenv(page.OPEN_SAMPLE_ENV, "1")
    at = app("pages/1_Eligibility.py").run()
    assert not at.exception
    assert state.dataset(session=at.session_state).label == page.SAMPLE_LABEL
    assert metric(at, "Applicants") == f"{sample_counts.expected_report()['applicants']:,}"


def test_the_sample_opened_for_a_new_session_opens_on_the_overview(monkeypatch):
    """Opened as the session started, not by the person: the report opens on its overview,
    which says what each list holds and how many rows; a list is drawn once chosen."""
    monkeypatch.setenv(page.OPEN_SAMPLE_ENV, "1")
    at = app("app.py").run()
    assert not at.exception
    assert at.session_state[home.REPORT_TAB_KEY] == home.OVERVIEW
    assert not at.dataframe  # no list drawn until its tab is open
    cells = f"{sample_counts.unreadable_cells():,}"
    overview = [literal(m.value) for m in at.main.markdown if literal(m.value).startswith("**")]
    assert (
        f"**Cell problems: {cells}.** Cells that could not be read; the value is treated "
        "as missing." in overview
    )
    open_tab(at, home.REPORT_TAB_KEY, "Cell problems")
    assert len(at.dataframe[0].value) == sample_counts.unreadable_cells()


def test_the_sample_opened_by_its_button_opens_on_its_first_list_with_rows():
    at = app("app.py").run()
    at.button(key="home_sample").click().run()
    assert not at.exception
    assert at.session_state[home.REPORT_TAB_KEY].startswith("Cell problems")
    assert len(at.dataframe[0].value) == sample_counts.unreadable_cells()


def _upload(at, files: list[tuple[str, bytes, str]]):
    """Choose files in the Home uploader, as a person does in the browser, and rerun."""
    at.run()
    assert not at.exception
    at.file_uploader(key="home_upload").set_value(files)
    return at.run()


def test_uploading_the_samples_reports_what_the_files_hold():
    paths = sorted((ROOT / "data" / "samples").glob("*"))
    files = [(p.name, p.read_bytes(), MIME[p.suffix]) for p in paths]
    at = _upload(app("app.py"), files)
    assert not at.exception and not at.error
    opened = state.dataset(session=at.session_state)
    # Read and stored: the session keeps the names, the store the bytes, as uploaded.
    assert opened.names == tuple(name for name, _, _ in files)
    assert [data for _, data in opened.files] == [None] * len(files)
    uploaded = [(name, data) for name, data, _ in files]
    (stored,) = store.open_store().list_datasets()
    assert store.open_store().read_dataset_files(stored.id) == uploaded
    assert opened.shas == tuple(f.sha256 for f in stored.files)
    assert opened.label == ", ".join(name for name, _, _ in files)
    assert _report_numbers(at) == _sample_numbers()  # all three files, not just the first


def test_uploaded_messy_file_counts_worked_out_by_hand():
    at = _upload(app("app.py"), [("messy.csv", MESSY_CSV, "text/csv")])
    assert not at.exception
    assert _report_numbers(at) == MESSY_NUMBERS
    # Just uploaded: the report opens on its first list with rows.
    assert at.session_state[home.REPORT_TAB_KEY].startswith("Cell problems")


# Excel's "Unicode Text" save (UTF-16 LE with a BOM, tab-delimited) and a .tsv: the
# messy export's rows, so the same figures worked out by hand above apply.
MESSY_TEXT = MESSY_CSV.decode().replace(",", "\t")


@pytest.mark.parametrize(
    "name, data",
    [
        ("messy.txt", ("\ufeff" + MESSY_TEXT).encode("utf-16-le")),
        ("messy.tsv", MESSY_TEXT.encode()),
    ],
)
def test_uploaded_text_files_read_like_csv(name, data):
    at = _upload(app("app.py"), [(name, data, "text/plain")])
    assert not at.exception and not at.error
    assert _report_numbers(at) == MESSY_NUMBERS


def test_uploaded_binary_renamed_txt_is_one_line_error():
    at = _upload(app("app.py"), [("export.txt", b"\x7fELF\x02\x01\x00\x00binary", "text/plain")])
    assert not at.exception
    _one_line_error(at, "export.txt")
    assert not at.metric


@pytest.mark.parametrize("data", [b"", b"not a workbook"], ids=["zero-bytes", "not-a-zip"])
def test_uploading_a_broken_workbook_shows_one_line_error(data):
    at = _upload(app("app.py"), [("export.xlsx", data, XLSX_MIME)])
    assert not at.exception
    _one_line_error(at, "export.xlsx")
    assert not at.metric  # no validation report from a file that could not be read


def test_report_lists_filter_and_mask_personal_data():
    at = seed_files(app("app.py"), [("messy.csv", MESSY_CSV)]).run()
    problems = at.dataframe[0].value
    assert len(problems) == 3  # Vet, maybe, lots
    at.text_input(key="home_filter_problems").set_value("degree").run()
    filtered = at.dataframe[0].value
    assert 0 < len(filtered) < len(problems)
    assert (
        filtered.apply(lambda col: col.astype(str).str.contains("degree", case=False))
        .any(axis=1)
        .all()
    )
    # rejected rows keep the export's headers ("Name", "Email"): masked all the same
    open_tab(at, home.REPORT_TAB_KEY, "Rejected rows")
    rejected = at.dataframe[0].value
    assert rejected[["Name", "Email"]].values.tolist() == [["N. I.", "n•••@•••"]]
    at.toggle(key="page_show_personal").set_value(True).run()
    rejected = at.dataframe[0].value
    assert rejected[["Name", "Email"]].values.tolist() == [["No Id", "noid@example.org"]]


def test_a_report_list_keeps_its_filter_while_another_list_is_open():
    at = seed_files(app("app.py"), [("messy.csv", MESSY_CSV)]).run()
    at.text_input(key="home_filter_problems").set_value("degree").run()
    narrowed = len(at.dataframe[0].value)
    open_tab(at, home.REPORT_TAB_KEY, "Rejected rows")
    assert "reason" in at.dataframe[0].value.columns  # only the open list is drawn
    open_tab(at, home.REPORT_TAB_KEY, "Cell problems")
    assert at.text_input(key="home_filter_problems").value == "degree"
    assert len(at.dataframe[0].value) == narrowed


def test_unreadable_file_shows_one_line_error_not_traceback():
    at = seed_files(app("pages/1_Eligibility.py"), [("broken.xlsx", b"not a workbook")]).run()
    assert not at.exception
    _one_line_error(at, "broken.xlsx")
    assert not at.metric


def test_unknown_headers_open_the_mapping_screen_and_mapping_fixes_it():
    data = b"Candidate Code,Person,Training Hours\nX1,Jane Doe,25\nX2,Ann Lee,10\n"
    at = seed_files(app("app.py"), [("odd.csv", data)]).run()
    assert not at.exception
    # DOMAIN §2: say so and name the columns that were found
    assert "Candidate Code, Person, Training Hours" in _one_line_error(at, "odd.csv")
    boxes = {literal(b.label): b for b in at.selectbox if b.key.startswith("home_map_")}
    boxes["Candidate Code"].set_value("applicant_id")
    boxes["Person"].set_value("full_name")
    boxes["Training Hours"].set_value("cme_hours")
    at.run()
    [b for b in at.button if b.key.startswith("home_map_apply_")][0].click().run()
    assert not at.exception and not at.error
    assert state.mapping(session=at.session_state) == {
        "Candidate Code": "applicant_id",
        "Person": "full_name",
        "Training Hours": "cme_hours",
    }
    assert metric(at, "Analysed") == "2"


def test_date_order_override_changes_the_decision():
    # 11/12/2026: 11 December day-first (licence current on 25 Nov 2026), 12 November
    # month-first (expired).
    data = ONE_ROW_CSV.replace(b"2027-06-30", b"11/12/2026")
    at = seed_files(app("app.py"), [("one.csv", data)]).run()
    at.radio(key="home_date_order").set_value("mdy").run()
    assert state.dataset(session=at.session_state).date_order == "mdy"
    at = follow(at, "pages/1_Eligibility.py")
    assert not at.exception
    assert metric(at, "Ineligible") == "1"
    state.set_date_order("dmy", session=at.session_state)
    at.run()
    assert metric(at, "Eligible") == "1"


def test_rule_set_switch_applies_on_other_pages():
    at = seed_files(app("app.py"), sample_files()).run()
    assert at.radio(key="home_rules").value == "standard"
    at.radio(key="home_rules").set_value("advanced").run()
    assert state.active_rules(session=at.session_state).name == "advanced"
    at = follow(at, "pages/1_Eligibility.py")
    assert not at.exception
    eligible = sample_counts.expected_report("advanced")["status"]["eligible"]
    assert metric(at, "Eligible") == f"{eligible:,}"


def test_bad_uploaded_rule_set_shows_the_engine_message():
    bad = 'name = "mine"\nlabel = "Mine"\n[[admission]]\nid = "x"\n'
    at = seed_files(app("pages/1_Eligibility.py"), [("one.csv", ONE_ROW_CSV)])
    state.set_rules("mine", bad, "uploaded", session=at.session_state)
    at.run()
    assert not at.exception
    # the rule set's name, then the rule (its label is missing)
    assert _one_line_error(at, "mine").startswith("mine: rule 'x'")
    assert not at.metric


def test_as_of_date_is_kept_for_every_page():
    at = seed_files(app("app.py"), [("one.csv", ONE_ROW_CSV)]).run()
    assert at.date_input(key="home_as_of").value == AS_OF
    at.date_input(key="home_as_of").set_value(dt.date(2028, 1, 1)).run()
    assert state.as_of(session=at.session_state) == dt.date(2028, 1, 1)
    at = follow(at, "pages/1_Eligibility.py")
    # the licence (expiry 2027-06-30) has lapsed by 2028
    assert metric(at, "Ineligible") == "1"


def test_home_choices_are_still_there_after_visiting_another_page():
    at = seed_files(app("app.py"), [("one.csv", ONE_ROW_CSV)]).run()
    at.radio(key="home_rules").set_value("advanced").run()
    at.date_input(key="home_as_of").set_value(dt.date(2028, 1, 1)).run()
    at.radio(key="home_date_order").set_value("dmy").run()
    at = visit(at, "pages/1_Eligibility.py")
    assert not at.exception
    # the licence (expiry 2027-06-30) has lapsed by 2028
    assert metric(at, "Ineligible") == "1"
    at = visit(at, "pages/3_Renewals.py")
    at = visit(at, HOME)
    assert not at.exception
    assert at.radio(key="home_rules").value == "advanced"
    assert at.date_input(key="home_as_of").value == dt.date(2028, 1, 1)
    assert at.radio(key="home_date_order").value == "dmy"
    assert state.active_rules(session=at.session_state).name == "advanced"
    assert state.as_of(session=at.session_state) == dt.date(2028, 1, 1)
    assert state.dataset(session=at.session_state).date_order == "dmy"


def test_personal_data_switch_holds_on_the_next_page_at_once():
    at = seed_files(app("app.py"), sample_files()).run()
    at.toggle(key="page_show_personal").set_value(True).run()
    at = visit(at, "pages/2_Gaps.py")
    assert not at.exception
    names = sample_counts.expected_report()["near_miss_names"]
    assert at.toggle(key="page_show_personal").value is True
    assert sorted(at.dataframe[0].value["full_name"]) == sorted(names)
    at.toggle(key="page_show_personal").set_value(False).run()
    at = visit(at, "pages/3_Renewals.py")
    at = visit(at, "pages/2_Gaps.py")
    assert at.toggle(key="page_show_personal").value is False
    assert not set(at.dataframe[0].value["full_name"]) & set(names)  # masked again


def test_a_link_opened_later_sets_the_home_widgets():
    at = seed_files(app("app.py"), sample_files()).run()
    at.date_input(key="home_as_of").set_value(dt.date(2028, 1, 1)).run()
    link = {**params(at), "rules": ["advanced"], "as_of": ["2025-06-30"]}
    at = visit(at, "pages/2_Gaps.py")
    at.query_params.update(link)  # a colleague's link pasted into this session
    at.switch_page(HOME).run()
    assert not at.exception
    assert at.radio(key="home_rules").value == "advanced"
    assert at.date_input(key="home_as_of").value == dt.date(2025, 6, 30)


def test_each_new_sessions_sign_in_and_opened_sample_are_logged_in_that_order(monkeypatch):
    """A new session's first run defers its audit entries until its page is drawn
    (ui.page.run); they are written then, the sign-in first."""
    monkeypatch.setenv(page.OPEN_SAMPLE_ENV, "1")
    for _ in range(2):
        at = app("app.py").run()
        assert not at.exception
    log = [(e.action, e.detail) for e in reversed(store.open_store().audit_log())]
    assert log == [
        ("sign_in", ""),
        ("upload", ""),
        ("sign_in", ""),
        ("upload", store.ALREADY_STORED),
    ]


def _screen_that_records_later():
    import streamlit as st

    import store
    from ui import page

    class Screen:
        def run(self):
            opened = store.open_store()
            opened.record("ana", "sign_in", later=True)
            st.text(f"entries while the screen runs: {len(opened.audit_log())}")

    page.run(Screen())


def test_a_screens_deferred_entries_are_written_once_it_has_run():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_screen_that_records_later, default_timeout=30).run()
    assert not at.exception
    assert [t.value for t in at.text] == ["entries while the screen runs: 0"]
    assert [e.action for e in store.open_store().audit_log()] == ["sign_in"]


def test_entries_a_run_could_not_write_are_written_by_the_next(monkeypatch):
    from streamlit.testing.v1 import AppTest

    real = store.Store._audit
    failures = []

    def fails_once(conn, *entry):
        if not failures:
            failures.append(entry)
            raise OSError("disk full")
        real(conn, *entry)

    monkeypatch.setattr(store.Store, "_audit", staticmethod(fails_once))
    at = AppTest.from_function(_screen_that_records_later, default_timeout=30).run()
    assert not at.exception
    assert store.open_store().audit_log() == []  # logged; the session keeps the entry
    at.run()  # this run records its own sign-in too, after the one held
    assert [e.action for e in store.open_store().audit_log()] == ["sign_in", "sign_in"]
    assert page.HELD_AUDIT not in at.session_state
