"""Mapping files: TOML `[columns]` tables mapping source headers to canonical fields.

[columns]
"Ref No" = "applicant_id"
"Date of application" = "application_date"
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from analytics.errors import LoadError
from analytics.loading import fields


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
