"""Rule sets for people: plain-language sentences, and edited copies built from new numbers.

No Streamlit here: the Rules page draws the widgets; this module says what each rule means
and returns a new RuleSet from the values the user typed (the engine validates it).
"""

from __future__ import annotations

import dataclasses
import re

import pandas as pd

from analytics import rules

CATEGORY_WORDS = {
    "medicine": "medicine",
    "nursing": "nursing",
    "dentistry": "dentistry",
    "physician_associate": "physician associate",
    "other_healthcare": "other healthcare",
    "non_healthcare": "non-healthcare",
    "dermatology": "dermatology",
    "plastic_surgery": "plastic surgery",
    "other": "other",
}


def _number(value: float) -> str:
    return f"{value:g}"


def _words(values) -> str:
    items = [CATEGORY_WORDS.get(str(v), str(v)) for v in values]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def describe(rule: rules.Rule) -> str:
    """One sentence saying when the rule passes, in the director's words."""
    field = rule.field_label
    p = rule.params
    if rule.check == "at_least":
        unit = p.get("unit", field)
        if "by" in p:
            parts = [
                f"{_number(v)} for {CATEGORY_WORDS.get(k, k)}"
                for k, v in p.get("thresholds", {}).items()
            ]
            by_words = rules.FIELDS.get(p["by"], ("", p["by"]))[1]
            return (
                f"At least this many {unit}, by {by_words}: {'; '.join(parts)}; "
                f"{_number(p['default'])} otherwise."
            )
        minimum = p["min"]
        unit = p.get("unit_singular", unit) if minimum == 1 else unit
        return f"At least {_number(minimum)} {unit}."
    if rule.check == "in_set":
        return f"The {field} is {_words(p['values'])}."
    if rule.check == "is_true":
        return f"{field[:1].upper()}{field[1:]} is recorded as yes."
    if rule.check == "date_on_or_after_as_of":
        return f"The {field} is on or after the as-of date (not expired)."
    if rule.check == "mentions_any":
        return f"The {field} mentions {_words(p['terms'])} (any case)."
    return f"The {field} passes the {rule.check} check."


def describe_table(rule_set: rules.RuleSet) -> pd.DataFrame:
    """Every rule of the set, admission then renewal, as the Rules page lists them."""
    rows = [
        {
            "applies to": "admission",
            "rule": r.label,
            "severity": r.severity,
            "passes when": describe(r),
        }
        for r in rule_set.admission
    ]
    rows += [
        {
            "applies to": "renewal",
            "rule": r.label,
            "severity": r.severity,
            "passes when": describe(r),
        }
        for r in rule_set.renewal.rules
    ]
    return pd.DataFrame(rows, columns=["applies to", "rule", "severity", "passes when"])


def numeric_settings(rule: rules.Rule) -> dict[str, float]:
    """The numbers a director may change on a rule: `min`, `thresholds.<key>`, then
    `default` (in the order `describe` names them: "...; 30 otherwise")."""
    p = rule.params
    out: dict[str, float] = {}
    if "min" in p:
        out["min"] = float(p["min"])
    for key, value in p.get("thresholds", {}).items():
        out[f"thresholds.{key}"] = float(value)
    if "default" in p:
        out["default"] = float(p["default"])
    return out


def setting_label(rule: rules.Rule, setting: str) -> str:
    if setting.startswith("thresholds."):
        return CATEGORY_WORDS.get(setting.split(".", 1)[1], setting.split(".", 1)[1])
    if setting == "default":  # "any other degree" for a rule by degree
        by = rule.params.get("by")
        return f"any other {rules.FIELDS.get(by, ('', by))[1]}" if by else "any other"
    return "minimum"


def _whole_if_possible(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


def edit_rule(rule: rules.Rule, severity: str, settings: dict[str, float]) -> rules.Rule:
    """A copy of `rule` with a new severity and new numbers (unknown settings are refused)."""
    params = dict(rule.params)
    if "thresholds" in params:
        params["thresholds"] = dict(params["thresholds"])
    for setting, value in settings.items():
        number = _whole_if_possible(value)
        if setting.startswith("thresholds."):
            params["thresholds"][setting.split(".", 1)[1]] = number
        elif setting in ("min", "default"):
            params[setting] = number
        else:
            raise ValueError(f"rule {rule.id} has no setting {setting!r}")
    edited = dataclasses.replace(rule, severity=severity, params=params)
    # "(1 year recommended)" must not survive a new minimum or a new severity.
    return dataclasses.replace(edited, label=rules.follow_label(rule, edited))


def edited_rule_set(
    base: rules.RuleSet,
    admission: dict[str, tuple[str, dict[str, float]]],
    renewal: dict[str, tuple[str, dict[str, float]]],
    validity_years: int,
    window_days: int,
) -> rules.RuleSet:
    """`base` with each rule's (severity, settings) replaced; rules not named stay as they are.

    The result is re-read through the engine's parser, so an edit the engine would refuse
    raises rules.RuleSetError here rather than later.
    """

    def apply(rule: rules.Rule, edits: dict) -> rules.Rule:
        if rule.id not in edits:
            return rule
        severity, settings = edits[rule.id]
        return edit_rule(rule, severity, settings)

    candidate = dataclasses.replace(
        base,
        admission=[apply(r, admission) for r in base.admission],
        renewal=dataclasses.replace(
            base.renewal,
            validity_years=int(validity_years),
            window_days=int(window_days),
            rules=[apply(r, renewal) for r in base.renewal.rules],
        ),
    )
    return rules.parse_rule_set(candidate.to_toml(), base.name)


EDITED = "{label}, edited"  # the name an edit of a set starts with
VERSIONED = "{name} (version {version})"


def default_name(base: rules.RuleSet, is_adopted: bool) -> str:
    """What an edit of `base` is called unless the director types another name: an adopted
    set keeps its name (the next adoption is its next version), another gets ", edited"."""
    return base.name if is_adopted else EDITED.format(label=base.label or base.name)


def named(rule_set: rules.RuleSet, name: str, version: int | None = None) -> rules.RuleSet:
    """`rule_set` under the director's name: `name` in the file, the label with the version
    it was adopted as ("Standard track, edited (version 2)")."""
    name = " ".join(name.split()) or rule_set.name
    label = name if version is None else VERSIONED.format(name=name, version=version)
    return dataclasses.replace(rule_set, name=name, label=label)


def file_name(rule_set: rules.RuleSet) -> str:
    """A download name from the set's label: "standard_track_edited_version_2.toml"."""
    words = re.findall(r"[a-z0-9]+", (rule_set.label or rule_set.name).lower())
    return "_".join(words or ["rules"]) + ".toml"
