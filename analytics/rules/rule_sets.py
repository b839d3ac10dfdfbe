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

import tomlkit

from analytics.errors import LoadError
from analytics.loading import fields
from analytics.rules import checks

RULES_DIR = Path(__file__).resolve().parents[2] / "data" / "rules"
BUILT_IN = ("standard", "advanced")  # data/rules/<name>.toml
DEFAULT_RULE_SET = BUILT_IN[0]  # what the app and the CLI apply unless told otherwise
SEVERITIES = ("required", "advisory")
MAX_REQUIRED = 64  # the limit docs/rules.md states (the engine itself has none)
# Ranges a rule-set file must keep to (a hostile or mistyped file is refused with one line
# instead of overflowing date arithmetic or making a screen draw thousands of rules).
MAX_RULES = 100  # per table: [[admission]] and [[renewal.rules]]
VALIDITY_YEARS = (1, 50)
WINDOW_DAYS = (1, 3650)
MAX_THRESHOLD = 100_000  # hours or years: far beyond any real requirement
MAX_TEXT = 500  # characters in a label, description or explanation
MAX_FILE_CHARS = 1_000_000

# The type of value a check may read, per field kind of analytics.fields.
_KIND_TYPES = {"id": "text", "degree": "category", "specialty": "category"}
# Canonical fields (DOMAIN §2): (type a check may read, words used in explanations).
FIELDS: dict[str, tuple[str, str]] = {
    name: (_KIND_TYPES.get(kind, kind), fields.FIELD_WORDS[name])
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


# Words a label may use for a rule's severity; a changed severity writes the first one.
SEVERITY_WORDS = {
    "required": ("required", "mandatory"),
    "advisory": ("recommended", "advisory", "optional"),
}
_LABEL_NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(?![\w.])(\s+([A-Za-z]+))?")


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

    def to_toml(self, original: str | None = None) -> str:
        """The rule set as TOML text that `parse_rule_set` reads back to an equal RuleSet.

        `original`: the text of the file this set was read from before it was edited. Only
        the values that changed are written into that document, so the director's
        comments, order and layout stay (a rule taken out goes with its lines, a new one is
        added at the end of its section). Without it, or when the original cannot hold the
        set (its rules reordered, or not a rule-set file), a new document is written.
        """
        written = None if original is None else _written_into(original, self)
        return written if written is not None else tomlkit.dumps(_document(self))


# --- labels that follow an edit -----------------------------------------------------------


def _stated_numbers(rule: Rule) -> dict[str, float]:
    """The numbers a label may state: `min`, `default` and each `thresholds.<value>`."""
    p = rule.params
    numbers = {key: float(p[key]) for key in ("min", "default") if key in p}
    numbers.update({f"thresholds.{k}": float(v) for k, v in p.get("thresholds", {}).items()})
    return numbers


def _unit_words(rule: Rule) -> tuple[str, str] | None:
    """(singular, plural) of the word after a number, from `unit_singular` and `unit`
    ("year of aesthetics experience" / "years of ..." -> ("year", "years"))."""
    singular = str(rule.params.get("unit_singular", "")).split()
    plural = str(rule.params.get("unit", "")).split()
    pairs = [(a, b) for a, b in zip(singular, plural, strict=False) if a != b]
    return pairs[0] if pairs else None


def _written(number: float) -> str:
    return f"{number:g}"


def _without_number(label: str, match: re.Match, units: tuple[str, str] | None) -> str:
    """`label` without the number `match` found: its whole "(...)" if it sits in one,
    else the number and its unit word."""
    start, end = match.start(), match.end() if units and match.group(3) in units else match.end(1)
    opening, closing = label.rfind("(", 0, start), label.find(")", start)
    if opening != -1 and closing != -1 and ")" not in label[opening:start]:
        start, end = opening, closing + 1
    return " ".join((label[:start] + label[end:]).split()).replace(" ,", ",")


def _with_severity(label: str, before: str, after: str) -> str:
    new = SEVERITY_WORDS[after][0]

    def swap(match: re.Match) -> str:
        word = match.group(0)
        return new.capitalize() if word[0].isupper() else new

    pattern = r"\b(" + "|".join(SEVERITY_WORDS[before]) + r")\b"
    return re.sub(pattern, swap, label, flags=re.IGNORECASE)


def follow_label(before: Rule, after: Rule) -> str:
    """The label of `after` (an edit of `before`) saying what the edited rule does.

    A number the label states that was a setting the edit changed is replaced by the new
    value ("1 year" -> "2 years", the unit word from `unit_singular` / `unit`), or, when
    the old number stood for settings that now differ, taken out with its "(...)". A word
    for the old severity ("recommended") becomes one for the new ("required"). A label the
    edit itself changed is left as written.
    """
    label = after.label
    if label != before.label:
        return label
    old, new = _stated_numbers(before), _stated_numbers(after)
    changed = {key for key, value in old.items() if new.get(key) != value}
    units = _unit_words(after)
    position = 0
    while (match := _LABEL_NUMBER.search(label, position)) is not None:
        stated = float(match.group(1))
        settings = [key for key, value in old.items() if value == stated]
        if not set(settings) & changed:
            position = match.end(1)
            continue
        targets = {new.get(key) for key in settings}
        if len(targets) != 1 or None in targets:
            label = _without_number(label, match, units)
            position = 0
            continue
        number = _written(targets.pop())
        word, rest = match.group(3), ""
        if match.group(2):
            rest = match.group(2)
            if units and word in units:
                rest = match.group(2).replace(word, units[0] if number == "1" else units[1])
        label = label[: match.start()] + number + rest + label[match.end() :]
        position = match.start() + len(number) + len(rest)
    if before.severity != after.severity:
        label = _with_severity(label, before.severity, after.severity)
    return label


def load_rule_set(name_or_path: str | Path) -> RuleSet:
    """A built-in rule set by name ("standard", "advanced") or a TOML file by path."""
    text, file_name = _read(name_or_path)
    return parse_rule_set(text, file_name)


def rule_set_text(name_or_path: str | Path) -> str:
    """The file's own TOML text (comments included) of a built-in rule set or a path."""
    return _read(name_or_path)[0]


def _read(name_or_path: str | Path) -> tuple[str, str]:
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
        return data.decode("utf-8-sig"), path.name
    except UnicodeDecodeError:
        raise _fail(path.name, None, "rules file is not UTF-8 text") from None


def parse_rule_set(text: str, name: str) -> RuleSet:
    """Validate TOML text as a rule set; `name` is the file name used in messages."""
    source = name
    if len(text) > MAX_FILE_CHARS:
        raise _fail(source, None, f"rules file is larger than {MAX_FILE_CHARS:,} characters")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(source, None, f"not valid TOML ({_one_line(str(exc))})") from None
    except RecursionError:
        raise _fail(source, None, "not valid TOML (arrays or tables nested too deeply)") from None
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
    validity = _whole(source, "[renewal]", renewal_doc, "validity_years", VALIDITY_YEARS)
    window = _whole(source, "[renewal]", renewal_doc, "window_days", WINDOW_DAYS)
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
    if len(value) > MAX_TEXT:
        raise _fail(source, where, f"'{key}' is longer than {MAX_TEXT} characters")
    return value


def _shown(value) -> str:
    """A value for a message: a huge number or text is cut, never printed whole."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _whole(source: str, where: str, table: dict, key: str, bounds: tuple[int, int]) -> int:
    value, (low, high) = table[key], bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(
            source,
            where,
            f"'{key}' must be a whole number from {low} to {high}, not {_shown(value)}",
        )
    return value


def _threshold(source: str, where: str, key: str, value) -> float | int:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    # Compared before math.isfinite: an integer of hundreds of digits has no float.
    if not is_number or not 0 <= value <= MAX_THRESHOLD or not math.isfinite(value):
        raise _fail(
            source,
            where,
            f"threshold '{key}' must be a number from 0 to {MAX_THRESHOLD:,}, not {_shown(value)}",
        )
    return value


def _rules(source: str, items, table_name: str) -> list[Rule]:
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise _fail(source, None, f"'{table_name}' must be written as [[{table_name}]] tables")
    if len(items) > MAX_RULES:
        raise _fail(source, None, f"more than {MAX_RULES} [[{table_name}]] rules")
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
    if not isinstance(rule_id, str) or not _ID.fullmatch(rule_id) or len(rule_id) > 64:
        raise _fail(
            source,
            position,
            f"'id' must be lower-case letters, digits and _ (starting with a letter, at most "
            f"64), not {_shown(rule_id)}",
        )
    where = f"rule '{rule_id}'"
    for key in _RULE_KEYS:
        if key not in item:
            raise _fail(source, where, f"'{key}' is missing")
        if not isinstance(item[key], str):
            raise _fail(source, where, f"'{key}' must be text in quotes")
        if len(item[key]) > MAX_TEXT:
            raise _fail(source, where, f"'{key}' is longer than {MAX_TEXT} characters")
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


def _rule_data(rule: Rule) -> dict:
    return {
        "id": rule.id,
        "label": rule.label,
        "severity": rule.severity,
        "field": rule.field,
        "check": rule.check,
        **rule.params,
    }


def _item(value):
    """A TOML item for a value; tables inside a rule stay inline (`{ medicine = 20 }`)."""
    if isinstance(value, dict):
        table = tomlkit.inline_table()
        table.update({k: _item(v) for k, v in value.items()})
        return table
    return tomlkit.item(value)


def _rule_table(rule: Rule) -> tomlkit.items.Table:
    table = tomlkit.table()
    for key, value in _rule_data(rule).items():
        table[key] = _item(value)
    return table


def _rules_aot(rules: list[Rule]) -> tomlkit.items.AoT:
    tables = tomlkit.aot()
    for rule in rules:
        tables.append(_rule_table(rule))
    return tables


def _document(rule_set: RuleSet) -> tomlkit.TOMLDocument:
    doc = tomlkit.document()
    doc["name"] = rule_set.name
    doc["label"] = rule_set.label
    if rule_set.description:
        doc["description"] = rule_set.description
    doc["admission"] = _rules_aot(rule_set.admission)
    renewal = tomlkit.table()
    renewal["validity_years"] = rule_set.renewal.validity_years
    renewal["window_days"] = rule_set.renewal.window_days
    if rule_set.renewal.rules:
        renewal["rules"] = _rules_aot(rule_set.renewal.rules)
    doc["renewal"] = renewal
    return doc


def _is_same(old, new) -> bool:
    plain = old.unwrap() if hasattr(old, "unwrap") else old
    return type(plain) is type(new) and plain == new  # 20 and 20.0 are written differently


def _set(table, key: str, value) -> None:
    """Write `value` under `key` only when it differs; a table is updated key by key."""
    old = table.get(key)
    if isinstance(value, dict) and isinstance(old, dict):
        for gone in [k for k in old if k not in value]:
            del old[gone]
        for inner, inner_value in value.items():
            _set(old, inner, inner_value)
    elif key not in table or not _is_same(old, value):
        table[key] = _item(value)


def _update_rule(table, rule: Rule) -> None:
    data = _rule_data(rule)
    for gone in [k for k in table if k not in data]:
        del table[gone]
    for key, value in data.items():
        _set(table, key, value)


def _take_end_comments(table: tomlkit.items.Table) -> list:
    """Remove and return the comments after a [[table]]'s last setting: a reader sees them
    above the next header, so they must stay there when tables come or go."""
    body = table.value.body
    end = len(body)
    while end and body[end - 1][0] is None:
        end -= 1
    starts = [i for i in range(end, len(body)) if isinstance(body[i][1], tomlkit.items.Comment)]
    if not starts:
        return []
    taken = [item for _, item in body[starts[0] :]]
    del body[starts[0] :]
    return taken


def _remove_table(tables: tomlkit.items.AoT, position: int) -> None:
    comments = _take_end_comments(tables[position])
    if position > 0:
        for item in comments:
            tables[position - 1].value.append(None, item)
    del tables[position]


def _append_table(tables: tomlkit.items.AoT, table: tomlkit.items.Table) -> None:
    comments = []
    if len(tables):
        last = tables[-1]
        comments = _take_end_comments(last)
        if not isinstance(last.value.body[-1][1], tomlkit.items.Whitespace):
            last.add(tomlkit.nl())  # a blank line before the new header
    tables.append(table)
    if comments:
        table.add(tomlkit.nl())
        for item in comments:
            table.value.append(None, item)


def _set_rules(table, key: str, rules: list[Rule]) -> None:
    """Rules matched by id: kept ones are updated in place, removed ones deleted, new ones
    appended. A section whose kept rules changed order is written as a new section."""
    old = table.get(key)
    new_ids = [r.id for r in rules]
    if isinstance(old, tomlkit.items.AoT) and rules:
        old_ids = [t.get("id") for t in old]
        kept = [i for i in old_ids if i in new_ids]
        if new_ids[: len(kept)] == kept:
            for position in reversed(range(len(old_ids))):
                if old_ids[position] not in new_ids:
                    _remove_table(old, position)
            for rule_table, rule in zip(old, rules, strict=False):
                _update_rule(rule_table, rule)
            for rule in rules[len(kept) :]:
                _append_table(old, _rule_table(rule))
            return
    if rules:
        table[key] = _rules_aot(rules)
    elif key in table:
        del table[key]


def _written_into(original: str, rule_set: RuleSet) -> str | None:
    try:
        doc = tomlkit.parse(original)
        _write_into(doc, rule_set)
        text = tomlkit.dumps(doc)
        if parse_rule_set(text, f"{rule_set.name}.toml") == rule_set:
            return text
    except (tomlkit.exceptions.TOMLKitError, RuleSetError):
        pass
    return None


def _write_into(doc: tomlkit.TOMLDocument, rule_set: RuleSet) -> None:
    """Change the values of `doc` (a parsed rule-set file) that differ from `rule_set`."""
    _set(doc, "name", rule_set.name)
    _set(doc, "label", rule_set.label)
    if rule_set.description or "description" in doc:
        _set(doc, "description", rule_set.description)
    _set_rules(doc, "admission", rule_set.admission)
    if not isinstance(doc.get("renewal"), dict):
        doc["renewal"] = tomlkit.table()
    renewal = doc["renewal"]
    _set(renewal, "validity_years", rule_set.renewal.validity_years)
    _set(renewal, "window_days", rule_set.renewal.window_days)
    _set_rules(renewal, "rules", rule_set.renewal.rules)
