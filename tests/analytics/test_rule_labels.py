"""Labels that follow an edit: stated numbers and severity words (rules.follow_label)."""

import dataclasses

import pytest

from analytics import rules

YEARS = {"unit": "years of aesthetics experience", "unit_singular": "year of aesthetics experience"}


def _rule(label: str, severity: str = "advisory", **params) -> rules.Rule:
    return rules.Rule("r", label, severity, "aesthetics_experience_years", "at_least", params)


def _edited(rule: rules.Rule, severity: str | None = None, **params) -> rules.Rule:
    return dataclasses.replace(
        rule, severity=severity or rule.severity, params={**rule.params, **params}
    )


class TestStatedNumbers:
    @pytest.mark.parametrize(
        ("label", "old", "new", "expected"),
        [
            ("Experience (1 year recommended)", 1, 2, "Experience (2 years recommended)"),
            ("At least 2 years of experience", 2, 1, "At least 1 year of experience"),
            ("Experience (1 year recommended)", 1, 1.5, "Experience (1.5 years recommended)"),
            ("Experience", 1, 3, "Experience"),
        ],
        ids=["one-to-two", "two-to-one", "decimal", "no-number"],
    )
    def test_a_changed_minimum_is_rewritten_with_its_unit(self, label, old, new, expected):
        before = _rule(label, min=old, **YEARS)
        assert rules.follow_label(before, _edited(before, min=new)) == expected

    def test_a_number_no_changed_setting_stands_for_stays(self):
        before = _rule("Top 10 experience (1 year recommended)", min=1, **YEARS)
        after = _edited(before, severity="required")
        assert rules.follow_label(before, after) == "Top 10 experience (1 year required)"

    def test_one_threshold_changed_the_number_is_rewritten(self):
        before = _rule("CME (25 hours for PAs)", by="degree", default=30, thresholds={"pa": 25})
        after = _edited(before, thresholds={"pa": 28})
        assert rules.follow_label(before, after) == "CME (28 hours for PAs)"

    def test_a_number_for_settings_that_now_differ_is_taken_out_with_its_brackets(self):
        before = _rule(
            "CME hours (20 hours)", by="degree", default=30, thresholds={"md": 20, "dds": 20}
        )
        after = _edited(before, thresholds={"md": 30, "dds": 20})
        assert rules.follow_label(before, after) == "CME hours"

    def test_without_brackets_the_number_goes_with_its_unit_word(self):
        # 2 stood for both the minimum and the default; only the minimum changes.
        before = _rule("At least 2 years, more is better", min=2, default=2, **YEARS)
        after = _edited(before, min=3)
        assert rules.follow_label(before, after) == "At least, more is better"


class TestSeverityWords:
    def test_advisory_made_required(self):
        before = _rule("Experience (1 year recommended)", min=1, **YEARS)
        after = _edited(before, severity="required")
        assert rules.follow_label(before, after) == "Experience (1 year required)"

    def test_required_made_advisory_keeps_a_capital(self):
        before = _rule("Required: CE hours", severity="required", min=20)
        after = _edited(before, severity="advisory")
        assert rules.follow_label(before, after) == "Recommended: CE hours"

    def test_both_number_and_severity(self):
        before = _rule("Experience (1 year recommended)", min=1, **YEARS)
        after = _edited(before, severity="required", min=2)
        assert rules.follow_label(before, after) == "Experience (2 years required)"


def test_a_label_the_edit_rewrote_is_kept():
    before = _rule("Experience (1 year recommended)", min=1, **YEARS)
    after = dataclasses.replace(_edited(before, min=2), label="My own words")
    assert rules.follow_label(before, after) == "My own words"


def test_an_unedited_rule_keeps_its_label():
    before = _rule("Experience (1 year recommended)", min=1, **YEARS)
    assert rules.follow_label(before, before) == before.label
