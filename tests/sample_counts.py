"""The bundled samples counted without the app: openpyxl, csv and plain Python.

DOMAIN §3-5 written out again, only as far as the samples need, so that a test can compare
what the engine or a screen shows with figures worked out here. Nothing from analytics or
ui is imported: a fault in the loader or the engine cannot hide by being repeated on both
sides.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
FILES = [
    SAMPLES / "applicants_2026_autumn.csv",
    SAMPLES / "applicants_2026_spring.xlsx",
    SAMPLES / "certification_register.xlsx",
]
AS_OF = date(2026, 11, 25)

# Source header -> field, per file (as the sample README lists them).
HEADERS = {
    "applicant id": "id",
    "applicant no": "id",
    "record id": "id",
    "full name": "name",
    "name": "name",
    "first name": "first_name",
    "last name": "last_name",
    "cohort": "cohort",
    "intake": "cohort",
    "date applied": "applied",
    "applied on": "applied",
    "degree": "degree",
    "highest degree": "degree",
    "profession": "degree",
    "accredited": "accredited",
    "accredited institution": "accredited",
    "registration expiry": "licence",
    "licence expires": "licence",
    "licence expiry": "licence",
    "cme hours": "cme",
    "cme hrs": "cme",
    "years in aesthetics": "aesthetics",
    "aesthetics experience (yrs)": "aesthetics",
    "speciality": "specialty",
    "specialisation": "specialty",
    "injectables experience": "injectables",
    "injectable treatments": "injectables",
    "ethics training completed": "ethics",
    "patient safety training": "ethics",
    "certified on": "certified_on",
    "certification expiry": "cert_expiry",
    "ce hours": "ce",
    "ethics attestation": "attestation",
}
HEADER_FIRST = {"Applicant ID", "Applicant No", "Record ID"}
# DOMAIN §3.3, after lower-casing, removing dots and collapsing spaces.
DEGREES = {
    "medicine": ["md", "do", "mbbs", "mbchb", "mb bch", "doctor of medicine", "medicine",
                 "physician"],
    "nursing": ["rn", "bsn", "msn", "np", "registered nurse", "nurse practitioner", "nursing",
                "bsc nursing"],
    "dentistry": ["dds", "dmd", "bds", "dentistry", "dental surgery", "dentist"],
    "physician_associate": ["pa", "pa-c", "physician assistant", "physician associate"],
    "other_healthcare": ["pharmd", "pharmacy", "pharmacist", "midwifery", "paramedic"],
    "non_healthcare": ["none", "no degree", "n/a", "ba", "mba", "bcom", "bachelor of arts",
                       "business", "law"],
}  # fmt: skip
DEGREE_OF = {spelling: cat for cat, spellings in DEGREES.items() for spelling in spellings}
# DOMAIN §3.4: any other text is "other".
SPECIALTY_OF = {
    "dermatology": "dermatology",
    "derm": "dermatology",
    "plastic surgery": "plastic_surgery",
    "plastics": "plastic_surgery",
    "plastic and reconstructive surgery": "plastic_surgery",
}
# DOMAIN §5: CME hours needed by degree (any other or missing degree: the default).
CME_NEEDED = {
    "standard": {"medicine": 20, "dentistry": 20, "physician_associate": 25, None: 30},
    "advanced": {"medicine": 30, "dentistry": 30, "physician_associate": 35, None: 40},
}
INJECTABLE_TERMS = ("botox", "botulinum", "toxin", "filler", "hyaluronic")


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def as_bool(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return {1: True, 0: False}.get(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in {"true", "yes", "y", "1", "t"}:
            return True
        if text in {"false", "no", "n", "0", "f"}:
            return False
    return None


def as_number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value >= 0 else None
    if isinstance(value, str):
        found = re.fullmatch(
            r"\s*(\d[\d,]*(?:\.\d+)?)\s*(h|hrs|hours|yrs|years)?\s*", value.lower()
        )
        return float(found.group(1).replace(",", "")) if found else None
    return None


def as_date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return date(1899, 12, 30) + timedelta(days=int(value)) if 20000 <= value <= 80000 else None
    if isinstance(value, str):
        for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d %b %Y"):
            try:
                return datetime.strptime(value.strip(), pattern).date()
            except ValueError:
                continue
    return None


def degree(value):
    if blank(value):
        return None
    text = " ".join(str(value).lower().replace(".", "").split())
    return DEGREE_OF.get(text)


def specialty(value):
    if blank(value):
        return None
    return SPECIALTY_OF.get(" ".join(str(value).lower().split()), "other")


def rows_of(path: Path) -> list[tuple[str, dict]]:
    """(file, {field: raw value}) for every non-blank row under the header."""
    if path.suffix == ".csv":
        lines = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    else:
        book = openpyxl.load_workbook(path, data_only=True)
        sheet = book["Applicants"] if "Applicants" in book.sheetnames else book["Register"]
        lines = [list(r) for r in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, line in enumerate(lines) if line and line[0] in HEADER_FIRST)
    names = [HEADERS.get(" ".join(str(h or "").lower().split())) for h in lines[header_at]]
    out = []
    for line in lines[header_at + 1 :]:
        if all(blank(v) for v in line):
            continue
        out.append((path.name, {n: v for n, v in zip(names, line, strict=False) if n}))
    return out


def full_name(row: dict) -> str:
    if not blank(row.get("name")):
        return str(row["name"]).strip()
    return " ".join(
        str(row[k]).strip() for k in ("first_name", "last_name") if not blank(row.get(k))
    )


def cohort(row: dict) -> str:
    return "Unassigned" if blank(row.get("cohort")) else str(row["cohort"]).strip()


@functools.cache
def _read() -> tuple[list, list, list]:
    """Rows read, rows with an id, and the one kept row per person (DOMAIN §3.9).

    Read once per test run; the rows are shared, so callers only read them."""
    read = [row for path in FILES for row in rows_of(path)]
    with_id = [(f, r) for f, r in read if not blank(r.get("id"))]
    kept: dict[str, tuple[date, dict]] = {}
    for _, row in with_id:
        key = str(row["id"]).strip().casefold()
        applied = as_date(row.get("applied")) or date.min
        if key not in kept or applied >= kept[key][0]:
            kept[key] = (applied, row)
    return read, with_id, [row for _, row in kept.values()]


def is_certified(row: dict) -> bool:
    return bool(as_date(row.get("certified_on")) or as_date(row.get("cert_expiry")))


def _at_least(value, needed) -> str:
    return "missing" if value is None else ("pass" if value >= needed else "fail")


def admission_states(row: dict, track: str = "standard", cme_needed: dict | None = None) -> dict:
    """Required admission rules of the track: rule id -> pass / fail / missing."""
    cat = degree(row.get("degree"))
    accredited = as_bool(row.get("accredited"))
    needed = {**CME_NEEDED[track], **(cme_needed or {})}
    states = {
        "healthcare_degree": "missing"
        if cat is None
        else ("fail" if cat == "non_healthcare" else "pass"),
        "accredited_institution": "missing"
        if accredited is None
        else ("pass" if accredited else "fail"),
        "license_current": _at_least(as_date(row.get("licence")), AS_OF),
        "cme_hours": _at_least(as_number(row.get("cme")), needed.get(cat, needed[None])),
    }
    if track == "advanced":
        text = None if blank(row.get("injectables")) else str(row["injectables"]).lower()
        field = specialty(row.get("specialty"))
        states["aesthetics_experience"] = _at_least(as_number(row.get("aesthetics")), 2)
        states["injectables_experience"] = (
            "missing"
            if text is None
            else ("pass" if any(t in text for t in INJECTABLE_TERMS) else "fail")
        )
        states["related_specialty"] = (
            "missing" if field is None else ("fail" if field == "other" else "pass")
        )
    return states


def status(states: dict) -> str:
    values = list(states.values())
    return (
        "ineligible" if "fail" in values else ("incomplete" if "missing" in values else "eligible")
    )


def is_near_miss(states: dict) -> bool:
    values = list(states.values())
    return values.count("fail") == 1 and "missing" not in values


def _parsers() -> dict:
    """Field -> how its cells are read; a non-blank cell read as None is a problem."""
    return {
        "degree": degree,
        "accredited": as_bool,
        "ethics": as_bool,
        "attestation": as_bool,
        "cme": as_number,
        "ce": as_number,
        "aesthetics": as_number,
        "applied": as_date,
        "licence": as_date,
        "certified_on": as_date,
        "cert_expiry": as_date,
    }


def unreadable_cells() -> int:
    """Cells of every row read that hold a value which cannot be read (DOMAIN §3.9)."""
    parsers = _parsers()
    return sum(
        not blank(value) and parsers[field](value) is None
        for _, row in _read()[0]
        for field, value in row.items()
        if field in parsers
    )


def expected_report(track: str = "standard", cme_needed: dict | None = None) -> dict:
    """The headline figures of DOMAIN §6 for the three samples on AS_OF."""
    read, with_id, people = _read()
    applying = [r for r in people if not is_certified(r)]
    certified = [r for r in people if is_certified(r)]

    outcomes, gaps, cohorts = Counter(), {}, {}
    near, near_names = 0, []
    for r in applying:
        states = admission_states(r, track, cme_needed)
        outcome = status(states)
        outcomes[outcome] += 1
        if is_near_miss(states):
            near += 1
            near_names.append(full_name(r))
        for rule_id, state in states.items():
            gaps.setdefault(rule_id, Counter())[state] += 1
        cohorts.setdefault(cohort(r), Counter())[outcome] += 1

    ren, ageing, blocked_by = Counter(), Counter(), Counter()
    for r in certified:
        expiry = as_date(r.get("cert_expiry"))
        if expiry is None:
            on = as_date(r["certified_on"])
            try:
                expiry = on.replace(year=on.year + 2)
            except ValueError:  # 29 February
                expiry = on.replace(year=on.year + 2, day=28)
        if expiry < AS_OF:
            ren["overdue"] += 1
            days = (AS_OF - expiry).days
            ageing[
                "1-30"
                if days <= 30
                else "31-60"
                if days <= 60
                else "61-90"
                if days <= 90
                else "91+"
            ] += 1
        elif expiry <= AS_OF + timedelta(days=90):
            ren["due"] += 1
        else:
            ren["current"] += 1
            continue
        ce = as_number(r.get("ce"))
        attestation = as_bool(r.get("attestation"))
        licence = as_date(r.get("licence"))
        blocking = [
            rule_id
            for rule_id, ok in (
                ("ce_hours", ce is not None and ce >= 20),
                ("ethics_attestation", attestation is True),
                ("license_current", licence is not None and licence >= AS_OF),
            )
            if not ok
        ]
        blocked_by.update(blocking)
        ren["blocked" if blocking else "ready"] += 1

    return {
        "rows_read": len(read),
        "rows_rejected": len(read) - len(with_id),
        "rows_duplicate": len(with_id) - len(people),
        "applicants": len(applying),
        "certified": len(certified),
        "status": dict(outcomes),
        "near_miss": near,
        "near_miss_names": near_names,
        "gaps": {k: {"fail": v["fail"], "missing": v["missing"]} for k, v in gaps.items()},
        "by_cohort": {
            c: {"applicants": sum(v.values()), "eligible": v["eligible"]}
            for c, v in cohorts.items()
        },
        "renewals": dict(ren),
        "ageing": dict(ageing),
        "blocked_by": dict(blocked_by),
    }
