"""The headless report on the sample exports, checked against counts worked out here.

The expected figures are computed in this file from the raw files with openpyxl and csv,
plain Python and DOMAIN §3-5 written out again: nothing from analytics is used for them,
so a fault in the loader or the engine cannot hide by being repeated on both sides.
"""

import csv
import io
import json
import re
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[2]
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
    "certified on": "certified_on",
    "certification expiry": "cert_expiry",
    "ce hours": "ce",
    "ethics attestation": "attestation",
}
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
CME_NEEDED = {"medicine": 20, "dentistry": 20, "physician_associate": 25}


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


HEADER_FIRST = {"Applicant ID", "Applicant No", "Record ID"}


def expected_report() -> dict:
    read = [row for path in FILES for row in rows_of(path)]
    with_id = [(f, r) for f, r in read if not blank(r.get("id"))]
    kept: dict[str, tuple[date, dict]] = {}
    for _, row in with_id:
        key = str(row["id"]).strip().casefold()
        applied = as_date(row.get("applied")) or date.min
        if key not in kept or applied >= kept[key][0]:
            kept[key] = (applied, row)
    people = [row for _, row in kept.values()]
    applicants = [
        r for r in people if not (as_date(r.get("certified_on")) or as_date(r.get("cert_expiry")))
    ]
    certified = [r for r in people if r not in applicants]

    status, gaps, cohorts = Counter(), {}, {}
    near = 0
    for r in applicants:
        cat = degree(r.get("degree"))
        accredited = as_bool(r.get("accredited"))
        licence = as_date(r.get("licence"))
        cme = as_number(r.get("cme"))
        states = {
            "healthcare_degree": "missing"
            if cat is None
            else ("fail" if cat == "non_healthcare" else "pass"),
            "accredited_institution": "missing"
            if accredited is None
            else ("pass" if accredited else "fail"),
            "license_current": "missing"
            if licence is None
            else ("pass" if licence >= AS_OF else "fail"),
            "cme_hours": "missing"
            if cme is None
            else ("pass" if cme >= CME_NEEDED.get(cat, 30) else "fail"),
        }
        fails = sum(s == "fail" for s in states.values())
        missing = sum(s == "missing" for s in states.values())
        outcome = "ineligible" if fails else ("incomplete" if missing else "eligible")
        status[outcome] += 1
        near += fails == 1 and missing == 0
        for rule_id, state in states.items():
            gaps.setdefault(rule_id, Counter())[state] += 1
        cohort = "Unassigned" if blank(r.get("cohort")) else str(r["cohort"]).strip()
        cohorts.setdefault(cohort, Counter())[outcome] += 1

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
        "rows_duplicate": len(with_id) - len(kept),
        "applicants": len(applicants),
        "certified": len(certified),
        "status": dict(status),
        "near_miss": near,
        "gaps": {k: {"fail": v["fail"], "missing": v["missing"]} for k, v in gaps.items()},
        "by_cohort": {
            c: {"applicants": sum(v.values()), "eligible": v["eligible"]}
            for c, v in cohorts.items()
        },
        "renewals": dict(ren),
        "ageing": dict(ageing),
        "blocked_by": dict(blocked_by),
    }


@pytest.fixture(scope="module")
def report():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics",
            "report",
            *map(str, FILES),
            "--as-of",
            AS_OF.isoformat(),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def expected():
    return expected_report()


def test_the_independent_count_matches_the_sample_readme(expected):
    # data/README.md: 706 read, 4 rejected, 9 duplicates, 510 applicants, 183 certified
    assert (
        expected["rows_read"],
        expected["rows_rejected"],
        expected["rows_duplicate"],
        expected["applicants"],
        expected["certified"],
    ) == (706, 4, 9, 510, 183)
    assert expected["renewals"] == {
        "current": 80,
        "due": 44,
        "overdue": 59,
        "ready": 50,
        "blocked": 53,
    }
    assert expected["ageing"] == {"1-30": 14, "31-60": 13, "61-90": 12, "91+": 20}


def test_row_counts(report, expected):
    for key in ("rows_read", "rows_rejected", "rows_duplicate", "applicants"):
        assert report[key] == expected[key], key
    assert report["renewals"]["certified"] == expected["certified"]
    assert report["rows_read"] == (
        report["applicants"]
        + report["renewals"]["certified"]
        + report["rows_rejected"]
        + report["rows_duplicate"]
    )


def test_statuses_and_near_misses(report, expected):
    for outcome in ("eligible", "incomplete", "ineligible"):
        assert report[outcome] == expected["status"].get(outcome, 0), outcome
    assert report["near_miss"] == expected["near_miss"]
    assert report["eligibility_rate"] == pytest.approx(
        expected["status"]["eligible"] / expected["applicants"]
    )


def test_gaps(report, expected):
    for rule_id, counts in expected["gaps"].items():
        assert {k: report["gaps"][rule_id][k] for k in ("fail", "missing")} == counts, rule_id
    assert list(report["gaps"]) == [
        "healthcare_degree",
        "accredited_institution",
        "license_current",
        "cme_hours",
        "aesthetics_experience",
        "injectables_experience",
        "ethics_training",
    ]


def test_by_cohort(report, expected):
    got = {
        c: {"applicants": v["applicants"], "eligible": v["eligible"]}
        for c, v in report["by_cohort"].items()
    }
    assert got == expected["by_cohort"]
    assert "Unassigned" in got


def test_renewals(report, expected):
    ren = report["renewals"]
    for key in ("current", "due", "overdue", "ready", "blocked"):
        assert ren[key] == expected["renewals"].get(key, 0), key
    assert ren["backlog"] == ren["due"] + ren["overdue"]
    assert ren["overdue_aging"] == expected["ageing"]
    assert ren["blocked_by"] == {k: expected["blocked_by"].get(k, 0) for k in ren["blocked_by"]}


def test_issues_name_their_place(report, expected):
    issues = report["issues"]
    assert len(issues) >= expected["rows_rejected"] + expected["rows_duplicate"]
    for issue in issues:
        assert set(issue) == {"file", "sheet", "row", "column", "value", "problem"}
        assert issue["file"] in {p.name for p in FILES}
        assert isinstance(issue["row"], int)
