"""Canonical fields, their header variants and the degree / specialty tables (DOMAIN 2-3).

Everything here is data: the loader reads these tables, no code path names a variant.
"""

from __future__ import annotations

import re

import numpy as np

# field -> kind; the order is the order of the canonical frame's first columns.
FIELD_KINDS: dict[str, str] = {
    "applicant_id": "id",
    "full_name": "text",
    "email": "text",
    "cohort": "text",
    "programme": "text",
    "country": "text",
    "application_date": "date",
    "degree": "degree",
    "degree_accredited": "boolean",
    "license_number": "id",
    "license_expiry": "date",
    "aesthetics_experience_years": "number",
    "specialty": "specialty",
    "cme_hours": "number",
    "injectables_experience": "text",
    "ethics_training": "boolean",
    "certified_on": "date",
    "certification_expiry": "date",
    "ce_hours_since_certification": "number",
    "ethics_attestation": "boolean",
}
CANONICAL_FIELDS: list[str] = list(FIELD_KINDS)
# What each field is called in the director's words: explanations use them as they are
# ("CME hours", "the licence expiry date"), column headers with a capital first letter.
FIELD_WORDS: dict[str, str] = {
    "applicant_id": "applicant ID",
    "full_name": "name",
    "email": "email",
    "cohort": "cohort",
    "programme": "programme",
    "country": "country",
    "application_date": "application date",
    "degree": "degree",
    "degree_accredited": "degree accreditation",
    "license_number": "licence number",
    "license_expiry": "licence expiry date",
    "aesthetics_experience_years": "aesthetics experience",
    "specialty": "specialty",
    "cme_hours": "CME hours",
    "injectables_experience": "injectables experience",
    "ethics_training": "ethics training",
    "certified_on": "certification date",
    "certification_expiry": "certification expiry date",
    "ce_hours_since_certification": "CE hours since certification",
    "ethics_attestation": "ethics attestation",
}
FIELD_LABELS: dict[str, str] = {
    field: words[:1].upper() + words[1:] for field, words in FIELD_WORDS.items()
}
DATE_FIELDS: list[str] = [f for f, k in FIELD_KINDS.items() if k == "date"]
SOURCE_COLUMNS: list[str] = ["source_file", "source_sheet", "source_row"]
# A row giving either of these is a certified practitioner, any other an applicant (§4).
CERTIFICATION_FIELDS: list[str] = ["certified_on", "certification_expiry"]

FIELD_VARIANTS: dict[str, list[str]] = {
    "applicant_id": [
        "applicant id",
        "id",
        "applicant",
        "applicant number",
        "applicant no",
        "reference",
        "ref",
        "record id",
    ],
    "full_name": ["name", "full name", "applicant name"],
    "email": ["email", "email address", "e mail"],
    "cohort": ["cohort", "intake", "intake cohort", "course intake"],
    "programme": ["programme", "program", "course"],
    "country": ["country", "region"],
    "application_date": ["application date", "applied on", "date applied", "submitted"],
    "degree": ["degree", "qualification", "highest degree", "medical degree", "profession"],
    "degree_accredited": [
        "accredited",
        "institution accredited",
        "degree accredited",
        "accredited institution",
    ],
    "license_number": [
        "license number",
        "licence number",
        "registration number",
        "license no",
        "licence no",
    ],
    "license_expiry": [
        "license expiry",
        "licence expiry",
        "license expires",
        "licence expires",
        "registration expiry",
    ],
    "aesthetics_experience_years": [
        "aesthetics experience",
        "aesthetics experience yrs",
        "aesthetics experience years",
        "years in aesthetics",
        "aesthetic experience years",
    ],
    "specialty": ["specialty", "speciality", "specialisation", "specialization"],
    "cme_hours": ["cme hours", "cme", "cme hrs", "continuing medical education hours"],
    "injectables_experience": [
        "injectables experience",
        "injectable experience",
        "injectables",
        "injectable treatments",
    ],
    "ethics_training": [
        "ethics training",
        "ethics training completed",
        "patient safety training",
        "ethics and patient safety training",
    ],
    "certified_on": ["certified on", "certification date", "date certified"],
    "certification_expiry": ["certification expiry", "certification expires", "cert expiry"],
    "ce_hours_since_certification": [
        "ce hours",
        "ce hours since certification",
        "continuing education hours",
    ],
    "ethics_attestation": ["ethics attestation", "code of conduct signed", "ethics declaration"],
}

# Joined into full_name (first + " " + last) when the sheet has no full-name column.
NAME_PART_VARIANTS: dict[str, str] = {"first name": "first_name", "last name": "last_name"}
NAME_PART_LABELS: dict[str, str] = {"first_name": "First name", "last_name": "Last name"}
# A mapping's word for "keep this column as an extra, no field" (even a recognised header).
IGNORE = "ignore"
# What a source header may be mapped onto by hand (app mapping screen, --mapping file).
MAPPING_TARGETS = (
    frozenset(CANONICAL_FIELDS) | frozenset(NAME_PART_VARIANTS.values()) | frozenset({IGNORE})
)

HEADER_VARIANTS: dict[str, str] = {
    variant: field for field, variants in FIELD_VARIANTS.items() for variant in variants
}

# Degree text, normalised (lower-case, dots removed, spaces collapsed) -> category key (3.3).
DEGREE_CATEGORIES: dict[str, list[str]] = {
    "medicine": [
        "md",
        "do",
        "mbbs",
        "mbchb",
        "mb bch",
        "doctor of medicine",
        "medicine",
        "physician",
    ],
    "nursing": [
        "rn",
        "bsn",
        "msn",
        "np",
        "registered nurse",
        "nurse practitioner",
        "nursing",
        "bsc nursing",
    ],
    "dentistry": ["dds", "dmd", "bds", "dentistry", "dental surgery", "dentist"],
    "physician_associate": ["pa", "pa-c", "physician assistant", "physician associate"],
    "other_healthcare": ["pharmd", "pharmacy", "pharmacist", "midwifery", "paramedic"],
    "non_healthcare": [
        "none",
        "no degree",
        "n/a",
        "ba",
        "mba",
        "bcom",
        "bachelor of arts",
        "business",
        "law",
    ],
}
DEGREE_LOOKUP: dict[str, str] = {
    text: category for category, texts in DEGREE_CATEGORIES.items() for text in texts
}
# A cell naming several credentials ("MD, PhD", "RN/BSN", "MBBS (India)") is split at these
# (RE2, on the normalised text) when the whole cell is no known degree; the category is the
# first of DEGREE_PRECEDENCE that any part names ("RN, MD" is medicine). DOMAIN 3.3.
DEGREE_SEPARATORS = r"[,;/&()]|\band\b"
DEGREE_PRECEDENCE: tuple[str, ...] = (
    "medicine",
    "dentistry",
    "physician_associate",
    "nursing",
    "other_healthcare",
    "non_healthcare",
)

# Specialty text, normalised as degrees are -> category key; other text is "other" (3.4).
SPECIALTY_CATEGORIES: dict[str, list[str]] = {
    "dermatology": ["dermatology", "derm"],
    "plastic_surgery": ["plastic surgery", "plastics", "plastic and reconstructive surgery"],
}
SPECIALTY_LOOKUP: dict[str, str] = {
    text: category for category, texts in SPECIALTY_CATEGORIES.items() for text in texts
}
SPECIALTY_OTHER = "other"

# How each category key reads on screens and in exports.
DEGREE_LABELS: dict[str, str] = {
    "medicine": "Medicine",
    "nursing": "Nursing",
    "dentistry": "Dentistry",
    "physician_associate": "Physician associate",
    "other_healthcare": "Other healthcare",
    "non_healthcare": "Non-healthcare degree",
}
SPECIALTY_LABELS: dict[str, str] = {
    "dermatology": "Dermatology",
    "plastic_surgery": "Plastic surgery",
    SPECIALTY_OTHER: "Other specialty",
}
CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "degree": DEGREE_LABELS,
    "specialty": SPECIALTY_LABELS,
}

TRUE_WORDS: frozenset[str] = frozenset({"true", "yes", "y", "1", "t"})
FALSE_WORDS: frozenset[str] = frozenset({"false", "no", "n", "0", "f"})

_NOT_ALNUM = re.compile(r"[\W_]+")


def certified_rows(frame) -> np.ndarray:
    """Per row of a canonical frame, whether it is a certified practitioner's (§4): it
    gives a certification date or expiry. A frame without those columns has none."""
    is_certified = np.zeros(len(frame), dtype=bool)
    for name in CERTIFICATION_FIELDS:
        if name in frame.columns:
            is_certified |= frame[name].notna().to_numpy()
    return is_certified


def normalise_header(text: object) -> str:
    """Lower-case, every run of non-letters/digits to one space, trimmed (DOMAIN 3.1)."""
    if text is None:
        return ""
    return _NOT_ALNUM.sub(" ", str(text).lower()).strip()
