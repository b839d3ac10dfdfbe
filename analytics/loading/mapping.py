"""Mapping files: TOML `[columns]` tables mapping source headers to canonical fields.

[columns]
"Ref No" = "applicant_id"
"Date of application" = "application_date"
"Timestamp" = "ignore"

`"ignore"` keeps a column as an extra that no rule reads, even when its header is one the
loader recognises. Below the file format: what the app's mapping screen starts from
(`recognise`) and checks before applying (`check_choices`).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pandas as pd

from analytics.errors import LoadError
from analytics.loading import fields, parsing


def read_mapping(text_or_path: str | Path) -> dict[str, str]:
    """Parse a mapping from TOML text or a path to a .toml file."""
    name = "mapping"
    text = text_or_path
    if isinstance(text_or_path, Path) or (
        isinstance(text_or_path, str)
        and "\n" not in text_or_path
        and text_or_path.lower().endswith(".toml")
    ):
        path = Path(text_or_path)
        name = path.name
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            raise LoadError(
                f"{name}: the mapping file cannot be read: check the path", file=name
            ) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LoadError(f"{name}: the mapping file is not valid TOML ({exc})", file=name) from None
    columns = document.get("columns")
    if not isinstance(columns, dict):
        raise LoadError(
            f'{name}: the mapping file needs a [columns] table of "Source header" = "field" lines',
            file=name,
        )
    result: dict[str, str] = {}
    for header, target in columns.items():
        if not isinstance(target, str) or target not in fields.MAPPING_TARGETS:
            raise LoadError(
                f"{name}: column '{header}' maps to {target!r}, which is not a field: use one "
                f"of {', '.join(sorted(fields.MAPPING_TARGETS))}",
                file=name,
            )
        result[str(header)] = target
    return result


def write_mapping(mapping: dict[str, str]) -> str:
    """TOML text that read_mapping() reads back to the same dict."""
    lines = ["[columns]"]
    for header, target in mapping.items():
        if target not in fields.MAPPING_TARGETS:
            raise ValueError(f"{target!r} is not a canonical field")
        lines.append(f"{_toml_string(header)} = {_toml_string(target)}")
    return "\n".join(lines) + "\n"


def _toml_string(text: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes.
    return json.dumps(str(text), ensure_ascii=False)


# ---- the app's mapping screen: what was recognised, what is wrong with a choice ----------


def recognise(headers: list[str]) -> dict[str, str | None]:
    """Header -> the field the loader recognises it as without a mapping (None: none).

    The loader's own order: a canonical variant, else a first/last name part; when two
    headers name one field the first takes it and the other is not recognised.
    """
    found: dict[str, str | None] = {}
    taken: set[str] = set()
    for header in headers:
        norm = fields.normalise_header(header)
        target = fields.HEADER_VARIANTS.get(norm) or fields.NAME_PART_VARIANTS.get(norm)
        found[header] = target if target not in taken else None
        taken.add(target)
    return found


def header_set(headers: list[str]) -> list[str]:
    """The normalised header set (DOMAIN 3.1), sorted: what a source format is matched on."""
    return sorted({n for n in map(fields.normalise_header, headers) if n})


NO_APPLICANT_ID = "no_applicant_id"
SAME_FIELD = "same_field"
NEVER_A_DATE = "never_a_date"


def check_choices(
    choices: dict[str, str], samples: dict[str, list[str]] | None = None
) -> dict[str | None, tuple[str, str]]:
    """What stops a mapping from being applied: header (None for the whole mapping) ->
    (problem, field). Problems: NO_APPLICANT_ID, SAME_FIELD (every header after the first
    chosen for one field), NEVER_A_DATE (a date field none of whose sample texts is a date).
    `choices`: header -> field or IGNORE."""
    problems: dict[str | None, tuple[str, str]] = {}
    first: dict[str, str] = {}
    for header, field in choices.items():
        if field == fields.IGNORE:
            continue
        if field in first:
            problems[header] = (SAME_FIELD, field)
            continue
        first[field] = header
        texts = [t for t in (samples or {}).get(header, []) if str(t).strip()]
        if field in fields.DATE_FIELDS and texts:
            dates = parsing.parse_date(pd.Series(texts, dtype=parsing.TEXT_DTYPE)).values
            if dates.isna().all():
                problems[header] = (NEVER_A_DATE, field)
    if "applicant_id" not in first:
        problems[None] = (NO_APPLICANT_ID, "applicant_id")
    return problems
