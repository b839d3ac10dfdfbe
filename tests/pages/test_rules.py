"""Rules: plain language, edits move the what-if figures, adopt makes them active.

What the edits should move is recounted from the raw sample files by tests/sample_counts.py.
"""

import tomllib

from tests import sample_counts
from tests.pages.helpers import (
    HOME,
    ROOT,
    app,
    follow,
    metric,
    rule_labels,
    sample_files,
    seed_files,
    visit,
)
from ui import state

MEDICINE_CME = "rules_admission_cme_hours_thresholds.medicine"


def _page():
    return seed_files(app("pages/5_Rules.py"), sample_files()).run()


def test_rules_are_listed_in_plain_language():
    at = _page()
    assert not at.exception
    table = at.dataframe[0].value
    admission, renewal = rule_labels("standard"), rule_labels("standard", renewal=True)
    assert table["rule"].tolist() == [*admission.values(), *renewal.values()]
    assert table["applies to"].tolist() == ["admission"] * 7 + ["renewal"] * 3
    assert table["severity"].tolist() == ["required"] * 4 + ["advisory"] * 3 + ["required"] * 3
    said = dict(zip(table["rule"], table["passes when"], strict=True))
    assert said[admission["accredited_institution"]] == "Degree accreditation is recorded as yes."
    assert said[admission["aesthetics_experience"]] == "At least 1 year of aesthetics experience."
    assert table["passes when"].tolist()[7] == "At least 20 CE hours."
    assert "No edits yet" in at.info[0].value


def _eligible_with_medicine_cme(hours: int) -> tuple[int, int]:
    """Eligible applicants of the sample (standard rules) when physicians need `hours`."""
    expected = sample_counts.expected_report(cme_needed={"medicine": hours})
    return expected["status"]["eligible"], expected["applicants"]


def test_threshold_edit_changes_the_what_if_figures():
    at = _page()
    at.number_input(key=MEDICINE_CME).set_value(0.0).run()
    assert not at.exception
    before, applicants = _eligible_with_medicine_cme(20)
    after, _ = _eligible_with_medicine_cme(0)
    assert after > before
    shown = [m for m in at.metric if m.label == "Eligible with the edits"][0]
    assert (shown.value, shown.delta) == (f"{after:,}", f"{after - before:+,}")
    rate = [m for m in at.metric if m.label == "Eligibility rate with the edits"][0]
    points = (after - before) / applicants * 100
    assert (rate.value, rate.delta) == (f"{after / applicants:.1%}", f"{points:+.1f} pts")


def test_severity_edit_makes_an_advisory_rule_decide():
    at = _page()
    at.selectbox(key="rules_admission_ethics_training_severity").set_value("required").run()
    assert not at.exception
    shown = [m for m in at.metric if m.label == "Eligible with the edits"][0]
    assert shown.delta.startswith("-")


def test_adopt_makes_the_edit_active_everywhere():
    at = _page()
    at.number_input(key=MEDICINE_CME).set_value(0.0).run()
    at.button(key="rules_adopt").click().run()
    assert not at.exception
    active = state.active_rules(session=at.session_state)
    assert active.origin == "edited"
    (cme,) = [r for r in tomllib.loads(active.text)["admission"] if r["id"] == "cme_hours"]
    assert cme["thresholds"]["medicine"] == 0
    # the editor restarts from the adopted set: nothing left to compare
    assert "No edits yet" in at.info[0].value
    other = follow(at, "pages/1_Eligibility.py")
    assert metric(other, "Eligible") == f"{_eligible_with_medicine_cme(0)[0]:,}"


def test_download_offers_the_edited_toml_with_the_files_comments(media):
    at = _page()
    at.number_input(key=MEDICINE_CME).set_value(12.0).run()
    assert not at.exception
    (download,) = [
        d for d in at.get("download_button") if d.proto.label.startswith("Download rule")
    ]
    assert download.proto.label == "Download rule set (TOML)"
    # The edit under its default name: the file's own comments and layout stay.
    text = media.fetch(at, "rules_download").decode("utf-8")
    original = (ROOT / "data" / "rules" / "standard.toml").read_text(encoding="utf-8")
    assert text == (
        original.replace("thresholds = { medicine = 20,", "thresholds = { medicine = 12,")
        .replace('name = "standard"\n', 'name = "Standard track, edited"\n')
        .replace('label = "Standard track"\n', 'label = "Standard track, edited"\n')
    )


def test_without_data_the_rules_still_show_and_edit():
    at = app("pages/5_Rules.py").run()
    at.number_input(key=MEDICINE_CME).set_value(5.0).run()
    assert not at.exception
    assert "Open a dataset" in at.info[0].value


def test_adopted_rules_show_as_the_choice_on_home():
    at = _page()
    at.number_input(key=MEDICINE_CME).set_value(0.0).run()
    at.button(key="rules_adopt").click().run()
    at = visit(at, HOME)
    assert not at.exception
    choice = at.radio(key="home_rules")
    assert choice.value == "edited"
    assert choice.options == [
        "Standard track",
        "Advanced track",
        "Upload a rule set (TOML)",
        "Edited on the Rules page",
    ]
    choice.set_value("standard").run()
    assert state.active_rules(session=at.session_state).origin == "standard"
