"""Rule sets as data: read, validate and write the TOML files in data/rules/.

A rule set is what a programme director edits: labels, severities, the field each rule
reads, the check kind and its settings (DOMAIN §5, docs/rules.md). Nothing in a file is
executed: a check kind is looked up in `analytics.rules.checks.KINDS`, and every setting is
validated here, so a wrong file is refused with one line naming the file, the rule and the
problem instead of failing half-way through an evaluation.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from analytics.errors import LoadError
from analytics.loading import fields
from analytics.rules import checks

RULES_DIR = Path(__file__).resolve().parents[2] / "data" / "rules"
BUILT_IN = ("standard", "advanced")
SEVERITIES = ("required", "advisory")
MAX_REQUIRED = 64  # the limit docs/rules.md states (the engine itself has none)

# The type of value a check may read, per field kind of analytics.fields.
_KIND_TYPES = {"id": "text", "degree": "category", "specialty": "category"}
# Canonical fields (DOMAIN §2): (type a check may read, words used in explanations).
_FIELD_WORDS = {
    "applicant_id": "applicant ID",
    "full_name": "name",
    "application_date": "application date",
    "degree_accredited": "degree accreditation",
    "license_number": "licence number",
    "license_expiry": "licence expiry date",
    "aesthetics_experience_years": "aesthetics experience",
    "cme_hours": "CME hours",
    "injectables_experience": "injectables experience",
    "ethics_training": "ethics training",
    "certified_on": "certification date",
    "certification_expiry": "certification expiry date",
    "ce_hours_since_certification": "CE hours since certification",
    "ethics_attestation": "ethics attestation",
}
FIELDS: dict[str, tuple[str, str]] = {
    name: (_KIND_TYPES.get(kind, kind), _FIELD_WORDS.get(name, name.replace("_", " ")))
    for name, kind in fields.FIELD_KINDS.items()
}
# Values a category field can hold once loaded (DOMAIN §3.3-3.4).
CATEGORY_VALUES: dict[str, tuple[str, ...]] = {
    "degree": tuple(fields.DEGREE_CATEGORIES),
    "specialty": (*fields.SPECIALTY_CATEGORIES, fields.SPECIALTY_OTHER),
}
_RULE_KEYS = ("id", "label", "severity", "field", "check")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_TOP_KEYS = {"name", "label", "description", "admission", "renewal"}
_RENEWAL_KEYS = {"validity_years", "window_days", "rules"}


class RuleSetError(LoadError):
    """A rule-set file that cannot be used; `str()` is one line naming file, rule, problem."""


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    severity: str
    field: str
    check: str
    params: dict = field(default_factory=dict)

    @property
    def is_required(self) -> bool:
        return self.severity == "required"

    @property
    def field_label(self) -> str:
        return FIELDS[self.field][1]


@dataclass(frozen=True)
class RenewalSpec:
    validity_years: int
    window_days: int
    rules: list[Rule]


@dataclass(frozen=True)
class RuleSet:
    name: str
    label: str
    admission: list[Rule]
    renewal: RenewalSpec
    description: str = ""

    @property
    def required(self) -> list[Rule]:
        return [r for r in self.admission if r.is_required]

    def rule(self, rule_id: str) -> Rule:
        for r in self.admission:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def to_toml(self) -> str:
        """The rule set as TOML text that `parse_rule_set` reads back to an equal RuleSet."""
        lines = [
            f"name = {_toml_value(self.name)}",
            f"label = {_toml_value(self.label)}",
        ]
        if self.description:
            lines.append(f"description = {_toml_value(self.description)}")
        for rule in self.admission:
            lines += ["", "[[admission]]", *_rule_lines(rule)]
        lines += [
            "",
            "[renewal]",
            f"validity_years = {self.renewal.validity_years}",
            f"window_days = {self.renewal.window_days}",
        ]
        for rule in self.renewal.rules:
            lines += ["", "[[renewal.rules]]", *_rule_lines(rule)]
        return "\n".join(lines) + "\n"


def load_rule_set(name_or_path: str | Path) -> RuleSet:
    """A built-in rule set by name ("standard", "advanced") or a TOML file by path."""
    text_name = str(name_or_path)
    if isinstance(name_or_path, str) and text_name in BUILT_IN:
        path = RULES_DIR / f"{text_name}.toml"
    else:
        path = Path(name_or_path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        known = ", ".join(BUILT_IN)
        raise _fail(
            path.name, None, f"rules file not found (use {known} or the path of a .toml file)"
        ) from None
    except OSError as exc:
        raise _fail(path.name, None, f"rules file cannot be read ({exc.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _fail(path.name, None, "rules file is not UTF-8 text") from None
    return parse_rule_set(text, path.name)


def parse_rule_set(text: str, name: str) -> RuleSet:
    """Validate TOML text as a rule set; `name` is the file name used in messages."""
    source = name
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(source, None, f"not valid TOML ({_one_line(str(exc))})") from None
    _check_keys(source, "the file", doc, _TOP_KEYS, set())
    default_name = Path(name).stem or "rules"
    set_name = _text(source, "the file", doc, "name", default_name)
    label = _text(source, "the file", doc, "label", set_name)
    description = _text(source, "the file", doc, "description", "")

    admission = _rules(source, doc.get("admission"), "admission")
    if not admission:
        raise _fail(source, None, "no [[admission]] rules; a rule set needs at least one")
    if sum(r.is_required for r in admission) > MAX_REQUIRED:
        raise _fail(source, None, f"more than {MAX_REQUIRED} required admission rules")
    renewal_doc = doc.get("renewal")
    if not isinstance(renewal_doc, dict):
        raise _fail(source, None, "[renewal] table missing (validity_years, window_days)")
    _check_keys(source, "[renewal]", renewal_doc, _RENEWAL_KEYS, {"validity_years", "window_days"})
    validity = _whole(source, "[renewal]", renewal_doc, "validity_years", minimum=1)
    window = _whole(source, "[renewal]", renewal_doc, "window_days", minimum=0)
    renewal_rules = _rules(source, renewal_doc.get("rules"), "renewal.rules")
    return RuleSet(
        name=set_name,
        label=label,
        admission=admission,
        renewal=RenewalSpec(validity, window, renewal_rules),
        description=description,
    )


# --- validation --------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _fail(source: str, where: str | None, problem: str) -> RuleSetError:
    text = f"{source}: {where}: {problem}" if where else f"{source}: {problem}"
    return RuleSetError(_one_line(text), file=source)


def _check_keys(source: str, where: str, table: dict, allowed: set, required: set) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise _fail(
            source, where, f"unknown setting '{unknown[0]}' (allowed: {', '.join(sorted(allowed))})"
        )
    absent = sorted(required - set(table))
    if absent:
        raise _fail(source, where, f"'{absent[0]}' is missing")


def _text(source: str, where: str, table: dict, key: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise _fail(source, where, f"'{key}' must be text in quotes")
    return value


def _whole(source: str, where: str, table: dict, key: str, minimum: int) -> int:
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _fail(source, where, f"'{key}' must be a whole number >= {minimum}, not {value!r}")
    return value


def _threshold(source: str, where: str, key: str, value) -> float | int:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if not is_number or math.isnan(value) or math.isinf(value) or value < 0:
        raise _fail(source, where, f"threshold '{key}' must be a number >= 0, not {value!r}")
    return value


def _rules(source: str, items, table_name: str) -> list[Rule]:
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise _fail(source, None, f"'{table_name}' must be written as [[{table_name}]] tables")
    rules, seen = [], set()
    for position, item in enumerate(items, start=1):
        rule = _rule(source, item, f"[[{table_name}]] #{position}")
        if rule.id in seen:
            raise _fail(source, f"rule '{rule.id}'", f"id used twice in [[{table_name}]]")
        seen.add(rule.id)
        rules.append(rule)
    return rules


def _rule(source: str, item: dict, position: str) -> Rule:
    rule_id = item.get("id")
    if not isinstance(rule_id, str) or not _ID.match(rule_id):
        raise _fail(
            source,
            position,
            f"'id' must be lower-case letters, digits and _ (starting with a letter), "
            f"not {rule_id!r}",
        )
    where = f"rule '{rule_id}'"
    for key in _RULE_KEYS:
        if key not in item:
            raise _fail(source, where, f"'{key}' is missing")
        if not isinstance(item[key], str):
            raise _fail(source, where, f"'{key}' must be text in quotes")
    severity, field_name, kind_name = item["severity"], item["field"], item["check"]
    if severity not in SEVERITIES:
        raise _fail(source, where, f"unknown severity '{severity}' (use required or advisory)")
    if field_name not in FIELDS:
        raise _fail(source, where, f"unknown field '{field_name}' (see docs/rules.md)")
    kind = checks.KINDS.get(kind_name)
    if kind is None:
        raise _fail(source, where, f"unknown check '{kind_name}' (use {', '.join(checks.KINDS)})")
    field_type = FIELDS[field_name][0]
    if field_type not in kind.field_types:
        raise _fail(
            source,
            where,
            f"check '{kind_name}' cannot read {field_type} field '{field_name}'",
        )
    params = {k: v for k, v in item.items() if k not in _RULE_KEYS}
    allowed = set(kind.required) | set(kind.optional)
    for key in params:
        if key not in allowed:
            raise _fail(
                source,
                where,
                f"unknown setting '{key}' for check '{kind_name}' "
                f"(allowed: {', '.join(sorted(allowed))})",
            )
    for key in kind.required:
        if key not in params:
            raise _fail(source, where, f"check '{kind_name}' needs '{key}'")
    for key in ("explain", "unit", "unit_singular", "noun"):
        if key in params and (not isinstance(params[key], str) or not params[key].strip()):
            raise _fail(source, where, f"'{key}' must be non-empty text in quotes")
    _validate_params(source, where, kind_name, field_name, params)
    return Rule(rule_id, item["label"], severity, field_name, kind_name, params)


def _string_list(source: str, where: str, params: dict, key: str) -> list[str]:
    values = params[key]
    if (
        not isinstance(values, list)
        or not values
        or not all(isinstance(v, str) and v.strip() for v in values)
    ):
        raise _fail(source, where, f"'{key}' must be a non-empty list of texts in quotes")
    return values


def _validate_params(source: str, where: str, kind: str, field_name: str, params: dict) -> None:
    if kind == "at_least":
        has_min, has_by = "min" in params, "by" in params
        if has_min == has_by:
            raise _fail(source, where, "at_least needs either 'min' or 'by' with 'thresholds'")
        if has_min:
            for key in ("thresholds", "default"):
                if key in params:
                    raise _fail(source, where, f"'{key}' only goes with 'by', not with 'min'")
            _threshold(source, where, "min", params["min"])
            return
        by = params["by"]
        if not isinstance(by, str) or by not in FIELDS:
            raise _fail(source, where, f"'by' names unknown field {by!r}")
        if FIELDS[by][0] not in ("text", "category"):
            raise _fail(source, where, f"'by' must name a text or category field, not '{by}'")
        if "default" not in params:
            raise _fail(source, where, "'default' threshold is missing (used for other values)")
        _threshold(source, where, "default", params["default"])
        thresholds = params.get("thresholds")
        if not isinstance(thresholds, dict) or not thresholds:
            raise _fail(source, where, "'thresholds' must be a table such as { medicine = 20 }")
        for key, value in thresholds.items():
            if by in CATEGORY_VALUES and key not in CATEGORY_VALUES[by]:
                raise _fail(
                    source,
                    where,
                    f"threshold for unknown {by} '{key}' (use {', '.join(CATEGORY_VALUES[by])})",
                )
            _threshold(source, where, key, value)
    elif kind == "in_set":
        values = _string_list(source, where, params, "values")
        known = CATEGORY_VALUES.get(field_name)
        for value in values:
            if known and value not in known:
                raise _fail(
                    source,
                    where,
                    f"unknown {field_name} '{value}' in 'values' (use {', '.join(known)})",
                )
    elif kind == "mentions_any":
        _string_list(source, where, params, "terms")


# --- writing -----------------------------------------------------------------------------


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = (
            value.replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\t", "\\t")
            .replace("\r", "\\r")
        )
        return f'"{escaped}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
        )
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_value(key)


def _rule_lines(rule: Rule) -> list[str]:
    lines = [
        f"id = {_toml_value(rule.id)}",
        f"label = {_toml_value(rule.label)}",
        f"severity = {_toml_value(rule.severity)}",
        f"field = {_toml_value(rule.field)}",
        f"check = {_toml_value(rule.check)}",
    ]
    lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in rule.params.items()]
    return lines
