"""Home with a workbook holding the applicants, the certification register and a notes
sheet (tests/workbooks.py): both tables read and counted, each file's sheets listed (read
with the header row, skipped with the reason), and the sheet choice reads only one."""

import re

import store
from tests import workbooks
from tests.pages.helpers import app, follow, literal, metric
from ui import home, loaders, state

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOOK = ("book.xlsx", workbooks.notes_applicants_register(), XLSX_MIME)
AUTUMN = ("autumn.csv", b"Applicant ID,Name,Degree\nB1,Bo,MD\n", "text/csv")


def _upload(files):
    """Choose the files in Home's uploader, as a person does in the browser."""
    at = app("app.py")
    state.set_as_of(workbooks.AS_OF, session=at.session_state)
    at.run()
    assert not at.exception
    at.file_uploader(key="home_upload").set_value(files)
    at.run()
    assert not at.exception and not at.error
    return at


def _lines(at) -> list[str]:
    """The validation report's line per file (each starts with the file's name in bold)."""
    names = (BOOK[0], AUTUMN[0])
    return [literal(m.value) for m in at.main.markdown if literal(m.value).startswith(names, 2)]


def test_both_sheets_are_read_and_counted():
    at = _upload([BOOK])
    assert metric(at, "Rows read") == "5"
    assert metric(at, "Analysed") == "5"
    assert metric(at, "Cell problems") == "1"  # A2's "lots" CME hours
    assert metric(at, "Applicants") == "2"
    assert metric(at, "Eligible") == "1"
    assert metric(at, "Renewal backlog (due or overdue)") == "1"  # C2, due on 2026-12-15
    renewals = follow(at, "pages/3_Renewals.py")
    assert not renewals.exception
    assert (metric(renewals, "Certified"), metric(renewals, "Due")) == ("3", "1")


def test_each_file_lists_the_sheets_read_and_skipped():
    at = _upload([AUTUMN, BOOK])
    assert _lines(at) == [
        "**autumn.csv**: read, header row 1",
        "**book.xlsx**: read Applicants (header row 2), Register (header row 1); "
        "skipped, no header row: Notes",
    ]
    assert metric(at, "Rows read") == "6"


def _sheet_choices(at) -> list:
    """Home's sheet choice, a radio or a select box, where there is one."""
    return [w for w in [*at.radio, *at.selectbox] if w.key == state.SHEET]


def test_choosing_one_sheet_reads_only_that_one():
    at = _upload([BOOK])
    assert not [box for box in at.selectbox if box.key == state.SHEET]
    choice = at.radio(key=state.SHEET)  # three sheets: a radio
    assert choice.value == ""  # every sheet, the choice drawn as chosen
    assert choice.options[0] == home.AUTO_SHEET == "All sheets with a header row"
    assert choice.options[1:] == ["Notes", "Applicants", "Register"]
    choice.set_value("Register").run()
    assert not at.exception and not at.error
    assert _lines(at) == ["**book.xlsx**: read Register (header row 1)"]
    assert metric(at, "Analysed") == "3"
    assert metric(at, "Applicants") == "0"
    at.radio(key=state.SHEET).set_value("").run()
    assert _lines(at)[0].startswith("**book.xlsx**: read Applicants (header row 2), Register")


def test_a_sheet_chosen_later_is_read_from_the_stored_files():
    at = _upload([BOOK])
    ds = state.dataset(session=at.session_state)
    assert ds.names == (BOOK[0],) and ds.files == ((BOOK[0], None),)  # stored: names only
    loaders.clear_data_caches()  # the server has forgotten the read as well
    at.radio(key=state.SHEET).set_value("Register").run()
    assert not at.exception and not at.error
    assert _lines(at) == ["**book.xlsx**: read Register (header row 1)"]
    assert metric(at, "Analysed") == "3"


def test_a_sheet_chosen_once_the_stored_files_are_gone_says_so():
    at = _upload([BOOK])
    (stored,) = store.open_store().list_datasets()
    store.open_store().delete_dataset(stored.id, stored.owner)  # in another session
    loaders.clear_data_caches()  # nor does the server hold a read of that sheet
    at.radio(key=state.SHEET).set_value("Register").run()
    assert not at.exception
    assert [literal(e.value) for e in at.error] == [loaders.NO_LONGER_STORED]


def test_the_files_read_back_while_any_stored_copy_of_them_is_left():
    at = _upload([BOOK])
    (every_sheet,) = store.open_store().list_datasets()
    at.radio(key=state.SHEET).set_value("Register").run()  # stored again, with its sheet
    store.open_store().delete_dataset(every_sheet.id, every_sheet.owner)  # elsewhere
    loaders.clear_data_caches()
    at.radio(key=state.SHEET).set_value("").run()  # the deleted copy's options
    assert not at.exception and not at.error
    assert metric(at, "Analysed") == "5"


def test_the_same_files_uploaded_again_after_their_deletion_are_stored_afresh():
    at = _upload([BOOK])
    (first,) = store.open_store().list_datasets()
    store.open_store().delete_dataset(first.id, first.owner)  # in another session
    at.file_uploader(key="home_upload").set_value([BOOK]).run()  # the same file again
    assert not at.exception and not at.error
    (again,) = store.open_store().list_datasets()
    assert again.id != first.id
    assert store.open_store().read_dataset_files(again.id) == [BOOK[:2]]
    loaders.clear_data_caches()
    at.radio(key=state.SHEET).set_value("Register").run()
    assert not at.error and metric(at, "Analysed") == "3"


def _linked_dataset(at) -> str | None:
    """The dataset id the sidebar's link names, if it offers one."""
    found = [re.search(r"[?&]ds=([^&]+)", t.value) for t in at.sidebar.get("text")]
    ids = [m.group(1) for m in found if m]
    assert len(ids) <= 1
    return ids[0] if ids else None


def test_a_copy_deleted_elsewhere_is_stored_again_while_its_files_are():
    at = _upload([BOOK])
    (every_sheet,) = store.open_store().list_datasets()
    at.radio(key=state.SHEET).set_value("Register").run()  # a second copy keeps the file
    at.radio(key=state.SHEET).set_value("").run()
    assert _linked_dataset(at) == every_sheet.id
    store.open_store().delete_dataset(every_sheet.id, every_sheet.owner)  # in another tab
    at.run()
    assert not at.exception and not at.error and not at.warning
    linked = _linked_dataset(at)
    assert linked not in (None, every_sheet.id)
    assert store.open_store().read_dataset_files(linked) == [BOOK[:2]]


def test_a_link_to_a_copy_deleted_elsewhere_is_withdrawn_once_its_files_are_gone():
    at = _upload([BOOK])
    (stored,) = store.open_store().list_datasets()
    assert _linked_dataset(at) == stored.id
    store.open_store().delete_dataset(stored.id, stored.owner)  # in another tab
    at.run()
    assert not at.exception
    assert _linked_dataset(at) is None  # a link that would open nothing is not offered
    assert [literal(w.value) for w in at.warning] == [loaders.NO_LONGER_STORED]
    assert metric(at, "Analysed") == "5"  # what the session read is still on screen


def test_a_store_out_of_reach_says_so_and_the_next_run_tries_again(monkeypatch):
    at = _upload([BOOK])
    loaders.clear_data_caches()
    real = store.Store.read_blob

    def unreachable(self, sha):
        raise store.StoreUnavailable("the database is not answering")

    monkeypatch.setattr(store.Store, "read_blob", unreachable)
    at.radio(key=state.SHEET).set_value("Register").run()
    assert not at.exception
    assert [literal(e.value) for e in at.error] == [loaders.STORE_UNREACHABLE]
    monkeypatch.setattr(store.Store, "read_blob", real)
    at.run()  # not remembered: read again now that the store answers
    assert not at.error and metric(at, "Analysed") == "3"


def test_a_workbook_of_many_sheets_offers_them_in_a_select_box():
    names = ["Notes", "Applicants", "Spring", "Summer", "Autumn"]
    sheets = [("Notes", workbooks.NOTES)]
    header = workbooks.APPLICANTS[1]
    sheets += [(name, [header, [f"{name}-1", *workbooks.APPLICANTS[2][1:]]]) for name in names[1:]]
    at = _upload([("many.xlsx", workbooks.workbook(*sheets), XLSX_MIME)])
    assert not [radio for radio in at.radio if radio.key == state.SHEET]
    choice = at.selectbox(key=state.SHEET)
    assert choice.value == "" and choice.options == [home.AUTO_SHEET, *names]
    assert metric(at, "Analysed") == "4"
    choice.set_value("Summer").run()
    assert not at.exception and not at.error
    assert metric(at, "Analysed") == "1"


def _counting_sheet_lists(monkeypatch) -> list[str]:
    """The files the reader is asked to list the sheets of, apart from reading them."""
    from analytics.loading import worker

    listed = []
    real = worker.list_sheets

    def list_sheets(source):
        listed.append(source.name)
        return real(source)

    monkeypatch.setattr(worker, "list_sheets", list_sheets)
    loaders.clear_data_caches()
    return listed


def test_a_workbook_read_whole_is_not_opened_again_to_list_its_sheets(monkeypatch):
    listed = _counting_sheet_lists(monkeypatch)
    at = _upload([AUTUMN, BOOK])
    assert listed == []  # the names come from the read itself
    assert at.radio(key=state.SHEET).options[1:] == ["Notes", "Applicants", "Register"]


def test_a_workbook_that_cannot_be_read_still_offers_its_sheets(monkeypatch):
    """No sheet has an applicant ID column: the read fails, and the sheet choice (from
    listing the sheets apart) and the mapping screen are what the person can use."""
    listed = _counting_sheet_lists(monkeypatch)
    book = workbooks.workbook(
        ("Notes", workbooks.NOTES), ("Data", [["Name", "Degree"], ["Bo", "MD"]])
    )
    at = app("app.py")
    state.set_as_of(workbooks.AS_OF, session=at.session_state)
    at.run()
    at.file_uploader(key="home_upload").set_value([("odd.xlsx", book, XLSX_MIME)])
    at.run()
    assert not at.exception
    assert listed == ["odd.xlsx"]
    assert at.radio(key=state.SHEET).options[1:] == ["Notes", "Data"]
    assert at.error  # what is wrong with the read, and what to do


def test_a_damaged_workbook_is_read_once_and_offers_no_sheet_choice(monkeypatch):
    """Choosing a sheet cannot mend a damaged file: its sheets are not listed apart (which
    would meet the same failure, and the reader's time limit, a second time)."""
    listed = _counting_sheet_lists(monkeypatch)
    at = app("app.py").run()
    at.file_uploader(key="home_upload").set_value([("broken.xlsx", b"PK\x03\x04 not", XLSX_MIME)])
    at.run()
    assert not at.exception
    assert listed == []
    assert _sheet_choices(at) == []
    assert len(at.error) == 1 and literal(at.error[0].value).startswith("broken.xlsx: ")
