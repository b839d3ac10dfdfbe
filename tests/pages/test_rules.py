"""Rules: plain language, edits move the what-if figures, adopt makes them active."""

from analytics import rules
from analytics.reporting import summary
from tests.pages.helpers import (
    AS_OF,
    ROOT,
    app,
    engine,
    follow,
    metric,
    sample_files,
    seed_files,
    visit,
)
from ui import rules_view, state

MEDICINE_CME = "rules_admission_cme_hours_thresholds.medicine"


def _page():
    return seed_files(app("pages/5_Rules.py"), sample_files()).run()


def test_rules_are_listed_in_plain_language():
    at = _page()
    assert not at.exception
    table = at.dataframe[0].value
    expected = rules_view.describe_table(rules.load_rule_set("standard"))
    assert table["passes when"].tolist() == expected["passes when"].tolist()
    assert "No edits yet" in at.info[0].value


def test_threshold_edit_changes_the_what_if_figures():
    at = _page()
    at.number_input(key=MEDICINE_CME).set_value(0.0).run()
    assert not at.exception
    standard = rules.load_rule_set("standard")
    candidate = rules_view.edited_rule_set(
        standard, {"cme_hours": ("required", {"thresholds.medicine": 0.0})}, {}, 2, 90
    )
    result, _ = engine(sample_files())
    moved = summary.what_if(result.frame, standard, candidate, AS_OF)
    before, after = int(moved["eligible_before"].sum()), int(moved["eligible_after"].sum())
    assert after > before
    assert metric(at, "Eligible with the edits") == f"{after:,}"
    shown = [m for m in at.metric if m.label == "Eligible with the edits"][0]
    assert shown.delta == f"{after - before:+,}"


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
    adopted = rules.parse_rule_set(active.text, active.name)
    assert adopted.rule("cme_hours").params["thresholds"]["medicine"] == 0
    # the editor restarts from the adopted set: nothing left to compare
    assert "No edits yet" in at.info[0].value
    other = follow(at, "pages/1_Eligibility.py")
    _, ev = engine(sample_files(), adopted)
    assert metric(other, "Eligible") == f"{summary.overview(ev)['eligible']:,}"


def test_download_offers_the_edited_toml_with_the_files_comments(downloads_seen):
    at = _page()
    at.number_input(key=MEDICINE_CME).set_value(12.0).run()
    assert not at.exception
    (download,) = [
        d for d in at.get("download_button") if d.proto.label.startswith("Download rule")
    ]
    assert download.proto.label == "Download rule set (TOML)"
    text = downloads_seen["standard_edited.toml"].decode("utf-8")
    original = (ROOT / "data" / "rules" / "standard.toml").read_text(encoding="utf-8")
    assert text == original.replace(
        "thresholds = { medicine = 20,", "thresholds = { medicine = 12,"
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
    at = visit(at, "app.py")
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
