"""Mask personal data (names, emails, licence numbers) for display.

Masking happens at the last step before a frame reaches the screen or a download, so the
engine and the caches always hold the real values and switching personal data on needs no
recomputation.

Which columns are personal is decided by `analytics.exports.personal_columns`, the same
definition the exported files use (it also catches extra columns whose header looks
personal: phone, address, birth date, passport ...). This module adds only *how* the screen
hides a value: initials, an email's first letter, a licence number's tail, or `•••` for
everything else; and the columns the user mapped by hand onto a personal field.
"""

from __future__ import annotations

import pandas as pd

from analytics.reporting import exports

# How the screen hides each personal field (which fields are personal is
# exports.PERSONAL_COLUMNS); any other personal column is hidden completely.
MASKS = {"full_name": "initials", "email": "email", "license_number": "tail"}
HIDDEN = exports.HIDDEN
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


def mask_all(values: pd.Series) -> pd.Series:
    """'+44 7700 900123' -> '•••': a column that looks personal but has no known shape."""
    text = values.astype("string").str.strip()
    masked = pd.Series(HIDDEN, index=values.index, dtype="string")
    return masked.where(text.str.len() > 0, text)


_MASKERS = {"initials": mask_names, "email": mask_emails, "tail": mask_tail, "hidden": mask_all}


def personal_kind(column: object, mapping: dict[str, str] | None = None) -> str | None:
    """How to mask a column, or None when it is not personal.

    Personal: whatever `analytics.exports.personal_columns` says (canonical fields and
    personal-looking headers), a header the user mapped onto a personal field, or a
    recognised variant of one (rejected rows keep the export's own headers: 'E-mail',
    'First name', 'Registration number' ...). The shape of the value picks the masker.
    """
    # A header mapped onto a personal field is personal; one mapped elsewhere (or set to
    # "ignore") is still masked when its header is a personal field's.
    chosen = (mapping or {}).get(str(column))
    field = chosen if chosen in exports.PERSONAL_COLUMNS else exports.recognised_field(column)
    if field in exports.PERSONAL_COLUMNS:
        return MASKS.get(field, "hidden")
    if exports.is_personal_column(column):
        return "hidden"
    return None


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
