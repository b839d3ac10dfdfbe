"""Rules: rule sets as data (rule_sets), the check vocabulary (checks) and the evaluation of
a rule set over a whole loaded frame (evaluation), DOMAIN §4-5."""

from analytics.rules.rule_sets import (
    BUILT_IN,
    DEFAULT_RULE_SET,
    FIELDS,
    SEVERITIES,
    Rule,
    RuleSet,
    RuleSetError,
    follow_label,
    load_rule_set,
    parse_rule_set,
    rule_set_text,
)

__all__ = [
    "BUILT_IN",
    "DEFAULT_RULE_SET",
    "FIELDS",
    "SEVERITIES",
    "Rule",
    "RuleSet",
    "RuleSetError",
    "follow_label",
    "load_rule_set",
    "parse_rule_set",
    "rule_set_text",
]
