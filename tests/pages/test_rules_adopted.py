"""Adopting an edit: a name, a version per name, who and when, labels that follow the
numbers, and the same name and version for everyone who opens the link."""

import tomllib

from tests.pages.helpers import ROOT, app, literal, params, sample_files, seed_files
from ui import state

MEDICINE_CME = "rules_admission_cme_hours_thresholds.medicine"
AESTHETICS = "rules_admission_aesthetics_experience_severity"
STANDARD = (ROOT / "data" / "rules" / "standard.toml").read_text(encoding="utf-8")


def _rules_page():
    return seed_files(app("pages/5_Rules.py"), sample_files()).run()


def _edit(at):
    """The director's edit: medicine CME hours 20 -> 30, aesthetics experience required."""
    at.number_input(key=MEDICINE_CME).set_value(30.0).run()
    at.selectbox(key=AESTHETICS).set_value("required").run()
    assert not at.exception
    return at


def _sidebar_rules(at) -> str:
    (line,) = [m.value for m in at.sidebar.markdown if m.value.startswith("**Rule set:**")]
    return literal(line)


def _local_user(shared_store) -> str:
    (signed_in,) = {e.user for e in shared_store.audit_log(action="sign_in")}
    return signed_in


def test_the_edit_is_offered_under_a_name_with_labels_that_follow(media):
    at = _edit(_rules_page())
    assert at.text_input(key="rules_adopt_name").value == "Standard track, edited"
    text = media.fetch(at, "rules_download").decode("utf-8")
    assert text == (
        STANDARD.replace('name = "standard"\n', 'name = "Standard track, edited"\n')
        .replace('label = "Standard track"\n', 'label = "Standard track, edited"\n')
        .replace("thresholds = { medicine = 20,", "thresholds = { medicine = 30,")
        .replace(
            'label = "Experience in aesthetics (1 year recommended)"\nseverity = "advisory"\n',
            'label = "Experience in aesthetics (1 year required)"\nseverity = "required"\n',
        )
    )


def test_adopting_stores_version_one_and_every_screen_names_it(shared_store):
    at = _edit(_rules_page())
    at.button(key="rules_adopt").click().run()
    assert not at.exception

    (stored,) = shared_store.list_rule_sets()
    user = _local_user(shared_store)
    assert (stored.name, stored.version, stored.owner) == ("Standard track, edited", 1, user)
    adopted = tomllib.loads(stored.text)
    assert adopted["name"] == "Standard track, edited"
    assert adopted["label"] == "Standard track, edited (version 1)"
    (aesthetics,) = [r for r in adopted["admission"] if r["id"] == "aesthetics_experience"]
    assert (aesthetics["label"], aesthetics["severity"]) == (
        "Experience in aesthetics (1 year required)",
        "required",
    )
    (entry,) = shared_store.audit_log(action="adopt_rules")
    assert (entry.user, entry.object_id, entry.detail) == (
        user,
        stored.id,
        "Standard track, edited, version 1",
    )

    assert _sidebar_rules(at) == "**Rule set:** Standard track, edited (version 1)"
    assert literal(at.subheader[0].value) == "Standard track, edited (version 1)"
    assert f"adopted by {user} on " in literal(" ".join(c.value for c in at.caption))
    shown = at.dataframe[0].value
    assert "Experience in aesthetics (1 year required)" in shown["rule"].tolist()
    assert "Experience in aesthetics (1 year recommended)" not in shown["rule"].tolist()

    # A colleague opening the link sees the same name and version, not "uploaded".
    colleague = app("pages/1_Eligibility.py")
    colleague.query_params.update(params(at))
    colleague.run()
    assert not colleague.exception
    assert _sidebar_rules(colleague) == "**Rule set:** Standard track, edited (version 1)"
    assert state.active_rules(session=colleague.session_state).origin == "edited"


def test_adopting_again_under_the_name_makes_version_two(shared_store, media):
    at = _edit(_rules_page())
    at.button(key="rules_adopt").click().run()
    # The editor starts again from version 1; its name is offered again.
    assert at.text_input(key="rules_adopt_name").value == "Standard track, edited"
    at.number_input(key=MEDICINE_CME).set_value(25.0).run()
    at.button(key="rules_adopt").click().run()
    assert not at.exception
    versions = sorted((r.name, r.version) for r in shared_store.list_rule_sets())
    assert versions == [("Standard track, edited", 1), ("Standard track, edited", 2)]
    assert _sidebar_rules(at) == "**Rule set:** Standard track, edited (version 2)"
    # Nothing edited since: the download is version 2 as stored.
    (latest,) = [r for r in shared_store.list_rule_sets() if r.version == 2]
    assert media.fetch(at, "rules_download").decode() == latest.text


def test_a_name_of_ones_own(shared_store):
    at = _edit(_rules_page())
    at.text_input(key="rules_adopt_name").input("Autumn 2026 intake").run()
    at.button(key="rules_adopt").click().run()
    assert not at.exception
    assert [(r.name, r.version) for r in shared_store.list_rule_sets()] == [
        ("Autumn 2026 intake", 1)
    ]
    assert _sidebar_rules(at) == "**Rule set:** Autumn 2026 intake (version 1)"


def test_the_built_in_sets_read_by_their_labels():
    at = _rules_page()
    assert _sidebar_rules(at) == "**Rule set:** Standard track"
