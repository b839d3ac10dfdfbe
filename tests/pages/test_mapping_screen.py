"""Home's mapping screen and saved source formats (issue 9).

A Google-Forms-style export is built here. Worked out by hand for AS_OF (25 Nov 2026)
under the standard rules: every licence is current and every degree accredited, so CME
hours decide (medicine needs 20, nursing 30). Read as the app recognises it, "Hours of
CME completed" is no field: all three applicants are incomplete (CME hours missing).
Mapped onto CME hours: F1 (MD, 25) and F3 (RN, 35) are eligible, F2 (MD, 5) is not.
"""

from __future__ import annotations

import store
from tests.pages.helpers import AS_OF, app, literal, metric
from ui import mapping, state

FORM_HEADERS = (
    "Timestamp,Email address,Response ID,Full name,Applicant ID,Cohort,Degree,Accredited,"
    "Licence expiry,Hours of CME completed"
)
FORM = (
    FORM_HEADERS + "\n"
    "2026/01/10 09:15:02,ann@example.org,r-001,Ann One,F1,2026-Spring,MD,yes,2027-06-30,25\n"
    "2026/01/11 10:20:41,ben@example.org,r-002,Ben Two,F2,2026-Spring,MD,yes,2027-06-30,5\n"
    "2026/01/12 11:05:13,cat@example.org,r-003,Cat Three,F3,2026-Spring,RN,yes,2027-06-30,35\n"
).encode()
# Next month's responses: the same questions in another order, one more at the end.
NEXT_MONTH = (
    b"Email address,Timestamp,Applicant ID,Response ID,Full name,Cohort,Degree,Accredited,"
    b"Licence expiry,Hours of CME completed,Referral\n"
    b"dan@example.org,2026/02/01 08:00:00,G1,r-101,Dan Four,2026-Summer,MD,yes,2027-06-30,22,web\n"
    b"eve@example.org,2026/02/02 08:00:00,G2,r-102,Eve Five,2026-Summer,MD,yes,2027-06-30,3,web\n"
)
# What the app recognises in the form, by label, as the screen lists them.
RECOGNISED = {
    "Timestamp": "Ignore (kept, no rule reads it)",
    "Email address": "Email",
    "Response ID": "Ignore (kept, no rule reads it)",
    "Full name": "Name",
    "Applicant ID": "Applicant ID",
    "Cohort": "Cohort",
    "Degree": "Degree",
    "Accredited": "Degree accreditation",
    "Licence expiry": "Licence expiry date",
    "Hours of CME completed": "Ignore (kept, no rule reads it)",
}
FIGURES = ("Applicants", "Eligible", "Rows read", "Analysed", "Rejected", "Cell problems")
FORMAT_NAME = "Google Form, 2026 intake"


def _figures(at) -> dict[str, str]:
    return {label: metric(at, label) for label in FIGURES}


def _upload(at, name: str, data: bytes):
    at.file_uploader(key="home_upload").set_value([(name, data, "text/csv")])
    at.run()
    assert not at.exception
    return at


def _open_screen(at):
    at.session_state[mapping.screen_key(state.dataset(session=at.session_state))] = True
    return at.run()


def _selectboxes(at) -> dict[str, object]:
    """Header -> its field's selectbox on the mapping screen."""
    return {
        literal(box.label): box
        for box in at.selectbox
        if box.key and box.key.startswith("home_map_")
    }


def _apply(at):
    (button,) = [b for b in at.button if b.key and b.key.startswith("home_map_apply_")]
    return button.click().run()


def _start():
    at = app("app.py").run()
    at.date_input(key=state.AS_OF).set_value(AS_OF)
    return at.run()


def test_after_the_sample_the_screen_starts_from_this_upload():
    at = _start()
    at.button(key="home_sample").click().run()
    _open_screen(at)  # the sample's own choices are on screen now
    assert literal(_selectboxes(at)["Applicant ID"].label) == "Applicant ID"
    _upload(at, "form.csv", FORM)
    before = _figures(at)
    assert before["Applicants"] == "3" and before["Eligible"] == "0"
    _open_screen(at)
    boxes = _selectboxes(at)
    assert list(boxes) == list(RECOGNISED)
    assert {h: box.format_func(box.value) for h, box in boxes.items()} == RECOGNISED
    _apply(at)
    assert not at.exception and not at.error
    assert _figures(at) == before  # nothing changed, nothing moved
    (moved,) = [s.value for s in at.success if s.value.startswith("Mapping applied")]
    assert "rows read 3 → 3" in moved and "cell problems 0 → 0" in moved


def test_personal_sample_values_are_masked():
    at = _upload(_start(), "form.csv", FORM)
    _open_screen(at)
    captions = " ".join(c.value for c in at.caption)
    assert "ann@example.org" not in captions and "Ann One" not in captions
    assert "a•••@•••" in literal(captions) and "A. O." in literal(captions)
    assert "r-001" in literal(captions)  # not personal


def test_validation_lines_next_to_the_columns_block_apply():
    at = _upload(_start(), "form.csv", FORM)
    _open_screen(at)
    boxes = _selectboxes(at)
    boxes["Applicant ID"].set_value("ignore")
    boxes["Response ID"].set_value("email")
    boxes["Cohort"].set_value("application_date")
    at.run()
    warnings = [w.value for w in at.warning]
    assert "No column is chosen as Applicant ID" in " ".join(warnings)
    assert any("Email is chosen for an earlier column too" in w for w in warnings)
    assert any("Application date is a date, but none" in w for w in warnings)
    (button,) = [b for b in at.button if b.key.startswith("home_map_apply_")]
    assert button.disabled


def _map_cme_and_save(at):
    _open_screen(at)
    _selectboxes(at)["Hours of CME completed"].set_value("cme_hours")
    at.run()
    _apply(at)
    assert not at.exception
    assert metric(at, "Eligible") == "2"  # F1 and F3
    (moved,) = [s.value for s in at.success if s.value.startswith("Mapping applied")]
    assert "analysed 3 → 3" in moved
    at.text_input(key="home_format_name").set_value(FORMAT_NAME)
    at.button(key="FormSubmitter:home_format_save-Save source format").click().run()
    assert not at.exception and not at.error
    return at


def test_map_by_hand_save_and_the_next_upload_is_mapped_with_it(shared_store):
    at = _map_cme_and_save(_upload(_start(), "form.csv", FORM))
    (saved,) = shared_store.list_formats()
    assert saved.name == FORMAT_NAME
    assert saved.mapping["Hours of CME completed"] == "cme_hours"
    assert saved.mapping["Timestamp"] == "ignore"
    assert [e.action for e in shared_store.audit_log(object_id=saved.id)] == ["save_format"]

    # the same session, next month's file: no mapping step
    _upload(at, "form-february.csv", NEXT_MONTH)
    assert not at.error
    assert metric(at, "Applicants") == "2" and metric(at, "Eligible") == "1"  # G1: 22 hours
    (line,) = [i.value for i in at.info if "source format" in i.value]
    assert literal(line) == f"Mapped with the source format “{FORMAT_NAME}”."

    # a new session: the same
    fresh = _upload(_start(), "form-february.csv", NEXT_MONTH)
    assert metric(fresh, "Eligible") == "1"
    assert any(FORMAT_NAME in literal(i.value) for i in fresh.info)

    # switched off: read as recognised again (CME hours missing, nobody eligible)
    picker = [b for b in fresh.selectbox if b.key.startswith("home_format_")]
    picker[0].set_value("").run()
    assert metric(fresh, "Eligible") == "0"
    assert not any(FORMAT_NAME in literal(i.value) for i in fresh.info)


def test_formats_list_downloads_renames_and_deletes(shared_store, media):
    at = _map_cme_and_save(_upload(_start(), "form.csv", FORM))
    (saved,) = shared_store.list_formats()
    toml = media.fetch(at, f"home_format_download_{saved.id}").decode()
    assert '"Hours of CME completed" = "cme_hours"' in toml
    at.text_input(key=f"home_format_rename_{saved.id}").set_value("Form v2")
    at.button(key=f"home_format_rename_{saved.id}_go").click().run()
    assert shared_store.get_format(saved.id).name == "Form v2"
    at.button(key=f"home_format_delete_{saved.id}").click().run()
    assert shared_store.list_formats() == []
    actions = [e.action for e in reversed(shared_store.audit_log(object_id=saved.id))]
    assert actions == ["save_format", "rename", "delete"]


def test_format_names_are_shown_as_text(shared_store):
    shared_store.save_format(
        "**bold** <b>x</b>", {"Applicant ID": "applicant_id"}, ["applicant id"], "someone"
    )
    at = _upload(_start(), "form.csv", FORM)
    (line,) = [i.value for i in at.info if "source format" in i.value]
    assert literal(line) == "Mapped with the source format “**bold** <b>x</b>”."
    assert "\\*\\*bold\\*\\*" in line


def test_uploaded_mapping_file_applies_and_offers_saving():
    at = _upload(_start(), "form.csv", FORM)
    _open_screen(at)
    toml = b'[columns]\n"Hours of CME completed" = "cme_hours"\n"Response ID" = "ignore"\n'
    (uploader,) = [u for u in at.get("file_uploader") if u.key.startswith("home_map_file_")]
    uploader.set_value([("form.toml", toml, "application/toml")])
    at.run()
    assert not at.exception and not at.error
    assert metric(at, "Eligible") == "2"
    assert at.text_input(key="home_format_name").value == ""  # the offer to save it


def test_no_header_message_names_the_apps_controls_not_the_flag():
    data = b"Candidate Code,Person,Training Hours\nX1,Jane Doe,25\n"
    at = _upload(_start(), "odd.csv", data)
    (error,) = [literal(e.value) for e in at.error]
    assert "--mapping" not in error and "Map columns by hand" in error


def test_a_database_failure_listing_the_formats_leaves_the_upload_readable(monkeypatch):
    """The database layer's errors (SQLAlchemy's, on either engine) are store failures
    like the others: the formats are left out, the upload is still read and reported."""

    def fail(self):
        raise store.DatabaseError("the database went away")

    monkeypatch.setattr(store.Store, "list_formats", fail)
    at = _upload(_start(), "form.csv", FORM)
    assert not at.exception
    assert _figures(at)["Applicants"] == "3"
