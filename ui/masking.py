"""Mask personal data (names, emails, licence numbers) for display.

Masking happens at the last step before a frame reaches the screen or a download, so the
engine and the caches always hold the real values and switching personal data on needs no
recomputation.
"""

from __future__ import annotations

import pandas as pd

from analytics import fields

# Column -> how its values are hidden. Kept as data so a new personal field is one line.
PERSONAL_COLUMNS = {
    "full_name": "initials",
    "email": "email",
    "license_number": "tail",
}
HIDDEN = "•••"
# First character of each word; hyphens and apostrophes start a word too (Anne-Marie, O'Neil).
INITIAL = r"(?:^|[\s\-'])([^\s\-'])"
LICENCE_TAIL = 2


def mask_names(values: pd.Series) -> pd.Series:
    """'Jane van Dyke' -> 'J. V. D.': enough to tell rows apart, not to identify anyone."""
    text = values.astype("string").str.strip()
    letters = text.str.upper().str.findall(INITIAL).str.join(". ").astype("string")
    initials = letters + "."
    return initials.where(text.str.len() > 0, text)


def mask_emails(values: pd.Series) -> pd.Series:
    """'jane.doe@clinic.org' -> 'j•••@•••'; the domain can name the person too."""
    text = values.astype("string").str.strip()
    masked = text.str[:1] + HIDDEN + "@" + HIDDEN
    return masked.where(text.str.len() > 0, text)


def mask_tail(values: pd.Series, keep: int = LICENCE_TAIL) -> pd.Series:
    """'RN-448812' -> '•••12': the last characters help staff match a record on the phone."""
    text = values.astype("string").str.strip()
    shown = text.str[-keep:].where(text.str.len() > keep * 2, "")
    masked = HIDDEN + shown
    return masked.where(text.str.len() > 0, text)


_MASKERS = {"initials": mask_names, "email": mask_emails, "tail": mask_tail}


def personal_kind(column: object, mapping: dict[str, str] | None = None) -> str | None:
    """How to mask a column: by canonical name, the user's mapping, or a recognised header.

    Raw headers matter where the engine hands back a row as exported (rejected rows keep
    'E-mail', 'First name', 'Licence No' ...).
    """
    if column in PERSONAL_COLUMNS:
        return PERSONAL_COLUMNS[column]
    field = (mapping or {}).get(str(column))
    if field is None:
        header = fields.normalise_header(column)
        if header in fields.NAME_PART_VARIANTS:
            return "initials"
        field = fields.HEADER_VARIANTS.get(header)
    return PERSONAL_COLUMNS.get(field)


def mask_frame(
    frame: pd.DataFrame, show_personal: bool, mapping: dict[str, str] | None = None
) -> pd.DataFrame:
    """Return a copy of `frame` with personal columns masked unless `show_personal`."""
    if show_personal:
        return frame
    out = frame.copy()
    for column in out.columns:
        how = personal_kind(column, mapping)
        if how is not None:
            out[column] = _MASKERS[how](out[column])
    return out


def has_personal_columns(frame: pd.DataFrame, mapping: dict[str, str] | None = None) -> bool:
    return any(personal_kind(column, mapping) for column in frame.columns)
