import pandas as pd
import pytest

from analytics import rules
from ui import rules_view


@pytest.fixture(scope="module")
def standard():
    return rules.load_rule_set("standard")


def test_describe_says_when_each_kind_passes(standard):
    said = {r.id: rules_view.describe(r) for r in standard.admission}
    assert said["accredited_institution"] == "Degree accreditation is recorded as yes."
    assert said["aesthetics_experience"] == "At least 1 year of aesthetics experience."
    assert said["cme_hours"].startswith("At least this many CME hours, by degree: 20 for medicine")
    assert said["cme_hours"].endswith("30 otherwise.")
    assert "physician associate or other healthcare" in said["healthcare_degree"]


def test_describe_table_lists_admission_then_renewal(standard):
    table = rules_view.describe_table(standard)
    assert table["applies to"].tolist() == ["admission"] * 7 + ["renewal"] * 3
    assert table.loc[7, "passes when"] == "At least 20 CE hours."


def test_numeric_settings_of_a_per_degree_rule(standard):
    settings = rules_view.numeric_settings(standard.rule("cme_hours"))
    # As the rule's sentence names them: "20 for medicine; ...; 30 otherwise".
    assert list(settings.items()) == [
        ("thresholds.medicine", 20.0),
        ("thresholds.dentistry", 20.0),
        ("thresholds.physician_associate", 25.0),
        ("thresholds.nursing", 30.0),
        ("thresholds.other_healthcare", 30.0),
        ("default", 30.0),
    ]


def test_the_default_setting_is_named_after_what_the_rule_goes_by(standard):
    import dataclasses

    cme = standard.rule("cme_hours")
    assert rules_view.setting_label(cme, "default") == "any other degree"
    by_country = dataclasses.replace(cme, params={**cme.params, "by": "country"})
    assert rules_view.setting_label(by_country, "default") == "any other country"


def test_edited_rule_set_changes_only_what_was_edited(standard):
    edited = rules_view.edited_rule_set(
        standard,
        {
            "cme_hours": ("required", {"thresholds.medicine": 10.0}),
            "ethics_training": ("required", {}),
        },
        {"ce_hours": ("required", {"min": 25.5})},
        validity_years=3,
        window_days=60,
    )
    assert edited.rule("cme_hours").params["thresholds"]["medicine"] == 10
    assert edited.rule("cme_hours").params["thresholds"]["nursing"] == 30
    assert edited.rule("ethics_training").severity == "required"
    assert edited.rule("license_current") == standard.rule("license_current")
    assert edited.renewal.rules[0].params["min"] == 25.5
    assert (edited.renewal.validity_years, edited.renewal.window_days) == (3, 60)
    # the base is untouched (frozen dataclasses, copied params)
    assert standard.rule("cme_hours").params["thresholds"]["medicine"] == 20


def test_edited_rule_set_round_trips_through_toml(standard):
    edited = rules_view.edited_rule_set(
        standard, {"aesthetics_experience": ("required", {"min": 2.0})}, {}, 2, 90
    )
    assert (
        rules.parse_rule_set(edited.to_toml(), "x").rule("aesthetics_experience").params["min"] == 2
    )


def test_unknown_setting_is_refused(standard):
    with pytest.raises(ValueError, match="no setting 'max'"):
        rules_view.edit_rule(standard.rule("cme_hours"), "required", {"max": 3.0})


def test_describe_table_of_no_rules_is_empty(standard):
    import dataclasses

    bare = dataclasses.replace(
        standard, admission=[], renewal=dataclasses.replace(standard.renewal, rules=[])
    )
    assert rules_view.describe_table(bare).empty
    assert list(rules_view.describe_table(bare).columns) == list(
        pd.Index(["applies to", "rule", "severity", "passes when"])
    )
