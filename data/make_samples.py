"""Write the bundled sample exports into data/samples/ (or the folder given).

    python data/make_samples.py [OUT_DIR]

The files imitate what a programme's CRM / forms tool exports: title rows above the header,
header spellings that differ per file, mixed booleans and date formats, blank rows,
duplicates, rows without an id and a handful of unreadable cells (DOMAIN §3). Every person
is fictional (invented surnames, e-mail addresses at example.org).

Output is byte-for-byte deterministic: a fixed seed, and the workbooks' zip timestamps and
document dates pinned, so re-running the script never shows up as a change in git.
data/README.md says what each file contains; tests/analytics/test_samples.py checks it.
"""

from __future__ import annotations

import csv
import io
import random
import re
import sys
import zipfile
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook

SEED = 20261125
AS_OF = date(2026, 11, 25)  # the app's as-of default when these files were made
EXPORTED_ON = date(2026, 11, 21)
OUT_DIR = Path(__file__).resolve().parent / "samples"
# Pinned into every workbook so that the bytes do not depend on when the script ran.
FIXED_ZIP_TIME = (2026, 11, 21, 9, 0, 0)
FIXED_DOC_TIME = "2026-11-21T09:00:00Z"

FIRST_NAMES = [
    "Ada", "Bram", "Cleo", "Dara", "Elsbeth", "Finn", "Greta", "Hollis", "Ines", "Jory",
    "Kit", "Linnea", "Mabyn", "Niamh", "Oren", "Perpetua", "Quinn", "Rosalind", "Siobhán",
    "Tobiah", "Ulla", "Vesna", "Wynn", "Xanthe", "Yorick", "Zoë", "Ólafur", "Amara", "Benedikt",
    "Caoimhe",
]  # fmt: skip
SURNAMES = [
    "Applegarth", "Brightwater", "Cobblestone", "Dunmore-Fell", "Emberly", "Fernwood",
    "Gallowglass", "Hartwick", "Ivorydale", "Juniperhill", "Kettleby", "Larkspur",
    "Merriweather", "Nettlefold", "Oakhaven", "Pennyworth", "Quillby", "Rookwood",
    "Silverbirch", "Thornbury", "Underhay", "Vantablack", "Wrenfield", "Yarrowby",
]  # fmt: skip

# Spellings a CRM lets through, per DOMAIN §3.3 category (the loader maps them back).
DEGREES = {
    "medicine": ["MD", "M.D.", "MBBS", "M.B.B.S.", "MBChB", "Doctor of Medicine", "DO"],
    "nursing": ["RN", "BSN", "Nurse Practitioner", "NP", "MSN", "Registered Nurse", "BSc Nursing"],
    "dentistry": ["DDS", "BDS", "DMD", "Dental Surgery"],
    "physician_associate": ["PA-C", "PA", "Physician Associate"],
    "other_healthcare": ["PharmD", "Pharmacist", "Midwifery", "Paramedic"],
    "non_healthcare": ["MBA", "n/a", "BA", "Business", "Law"],
}
DEGREE_WEIGHTS = {
    "medicine": 34,
    "nursing": 30,
    "dentistry": 16,
    "physician_associate": 10,
    "other_healthcare": 10,
}
UNRECOGNISED_DEGREES = ["Vet", "Cosmetology"]
# DOMAIN §5 standard track: CME hours needed, by degree category (missing degree: 30).
CME_THRESHOLD = {
    "medicine": 20,
    "dentistry": 20,
    "physician_associate": 25,
    "nursing": 30,
    "other_healthcare": 30,
}
SPECIALTIES = [
    ("Dermatology", 14), ("derm", 5), ("Plastic Surgery", 9), ("plastics", 3),
    ("Plastic and Reconstructive Surgery", 2), ("General practice", 16),
    ("Aesthetic medicine", 12), ("Emergency medicine", 6), ("Dentistry", 8),
    ("Nursing", 8), ("", 7),
]  # fmt: skip
INJECTABLES = [
    ("Botox 2 yrs", 10), ("hyaluronic fillers", 10), ("Botulinum toxin since 2021", 6),
    ("Dermal fillers (HA), 3 years", 8), ("lip filler courses", 5), ("toxin and filler", 5),
    ("none", 12), ("observed only", 5), ("sclerotherapy", 3), ("", 10),
]  # fmt: skip
REFERRALS = ["Instagram", "Colleague", "Conference", "Search engine", "Newsletter", ""]
PROGRAMMES = [
    ("Cheek Filler Certificate (Standard track)", 7),
    ("Cheek Filler Certificate (Advanced track)", 3),
]

SPRING_COHORTS = [  # (cohort, applications open, applications close)
    ("2026-01 London", date(2025, 8, 1), date(2025, 12, 10)),
    ("2026-03 Edinburgh", date(2025, 10, 1), date(2026, 2, 10)),
    ("2026-04 Manchester", date(2025, 11, 1), date(2026, 3, 10)),
]
AUTUMN_COHORTS = [
    ("2026-09 Dublin", date(2026, 3, 1), date(2026, 8, 10)),
    ("2026-11 London", date(2026, 5, 1), date(2026, 10, 20)),
    ("2027-01 Manchester", date(2026, 7, 1), date(2026, 11, 20)),
]
SPRING_COUNTRIES = [
    ("United Kingdom", 60), ("Ireland", 12), ("France", 8), ("Netherlands", 7),
    ("Spain", 7), ("Germany", 6),
]  # fmt: skip
AUTUMN_COUNTRIES = [
    ("Ireland", 38), ("United Kingdom", 34), ("Portugal", 8), ("Belgium", 7),
    ("Italy", 7), ("United States", 6),
]  # fmt: skip

# Applicant profiles: the admission status each record is built to have under the
# standard rule set on AS_OF (before the deliberate bad cells below push some further).
PROFILE_SHARES = {"eligible": 0.45, "near_miss": 0.25, "multi_fail": 0.15, "incomplete": 0.15}
FAIL_KINDS = ["degree", "accredited", "licence", "cme"]
# Ways an incomplete applicant lacks an input. The first entries of each file's list are
# placed first so that every kind of bad cell the README promises really is in the file.
SPRING_MISSING_FIRST = ["cme_lots", "cme_negative", "accredited_maybe", "degree_unrecognised"]
AUTUMN_MISSING_FIRST = [
    "licence_impossible",
    "accredited_maybe",
    "cme_negative",
    "degree_unrecognised",
    "cme_lots",
]
MISSING_KINDS = ["accredited_blank", "licence_blank", "cme_blank", "degree_blank"]

SPRING_HEADER = [
    "Applicant No", "First name", "Last name", "Email address", "Intake", "Programme",
    "Country", "Applied on", "Highest degree", "Accredited institution", "Licence No",
    "Licence Expires", "Years in aesthetics", "Speciality", "CME hrs",
    "Injectables experience", "Ethics training completed", "Referral source",
]  # fmt: skip
AUTUMN_HEADER = [
    "Applicant ID", "Full name", "E-mail", "Cohort", "Program", "Country", "Date applied",
    "Degree", "Accredited", "Registration number", "Registration expiry",
    "Aesthetics experience (yrs)", "Specialisation", "CME hours", "Injectable treatments",
    "Patient safety training", "Notes",
]  # fmt: skip
REGISTER_HEADER = [
    "Record ID", "Name", "Email", "Intake", "Country", "Profession", "Licence number",
    "Licence expiry", "Certified on", "Certification expiry", "CE hours",
    "Ethics attestation", "Trainer",
]  # fmt: skip
TRAINERS = ["Dr Hartwick", "Nurse Emberly", "Dr Quillby", "Dr Oakhaven"]


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _add_years(day: date, years: int) -> date:
    """Same calendar day `years` later; 29 Feb becomes 28 Feb (DOMAIN §5 renewals)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _licence_number(rng: random.Random) -> str:
    # Registers hand out zero-padded numbers: they must stay text ("0045871", not 45871).
    if rng.random() < 0.6:
        return f"00{rng.randint(0, 99_999):05d}"
    return f"{rng.randint(1_000_000, 9_999_999)}"


def _person(rng: random.Random) -> tuple[str, str, str]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
    local = f"{first}.{last}".lower().replace(" ", "")
    local = local.translate(str.maketrans("áéëóöü", "aeeoou"))
    return first, last, f"{local}{rng.randint(1, 99)}@example.org"


# ---------------------------------------------------------------- applicants (typed truth)
def _applicant(
    rng: random.Random, ident: str, cohorts: list, countries: list, profile: str, missing: str
) -> dict:
    """One applicant as typed values; a str where a date/number/boolean belongs is a bad cell."""
    cohort, opens, closes = rng.choice(cohorts)
    first, last, email = _person(rng)
    category = _weighted(rng, list(DEGREE_WEIGHTS.items()))
    rec = {
        "id": ident,
        "first": first,
        "last": last,
        "email": email,
        "cohort": cohort,
        "programme": _weighted(rng, PROGRAMMES),
        "country": _weighted(rng, countries),
        "applied": _day_between(rng, opens, closes),
        "degree": rng.choice(DEGREES[category]),
        "accredited": True,
        "licence_no": _licence_number(rng),
        "licence_expiry": AS_OF + timedelta(days=rng.randint(1, 4 * 365)),
        "aesthetics": _aesthetics(rng),
        "specialty": _weighted(rng, SPECIALTIES),
        "cme": float(CME_THRESHOLD[category] + rng.choice([0, 2, 4, 6, 8, 10, 14, 20, 26])),
        "injectables": _weighted(rng, INJECTABLES),
        "ethics": rng.choices([True, False, None], weights=[70, 15, 15])[0],
    }
    fails = []
    if profile == "near_miss":
        fails = [rng.choice(FAIL_KINDS)]
    elif profile == "multi_fail":
        fails = rng.sample(FAIL_KINDS, rng.choice([2, 2, 3]))
    for kind in sorted(fails, key=FAIL_KINDS.index):  # degree first: it moves the CME bar
        _apply_fail(rng, rec, kind, category)
    if profile == "incomplete":
        _apply_missing(rng, rec, missing)
    return rec


def _aesthetics(rng: random.Random) -> float | None:
    value = rng.choices(
        [0, 0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 7, None], [8, 6, 10, 6, 12, 8, 12, 10, 8, 5, 8]
    )
    return None if value[0] is None else float(value[0])


def _apply_fail(rng: random.Random, rec: dict, kind: str, category: str) -> None:
    if kind == "degree":
        rec["degree"] = rng.choice(DEGREES["non_healthcare"])
        # A non-healthcare degree is held to the 30-hour default; keep CME out of the way
        # unless CME is meant to fail too.
        rec["cme"] = max(rec["cme"], 30.0 + rng.choice([0, 4, 10]))
    elif kind == "accredited":
        rec["accredited"] = False
    elif kind == "licence":
        rec["licence_expiry"] = AS_OF - timedelta(days=rng.choice([1, 9, 41, 75, 130, 400]))
    elif kind == "cme":
        threshold = 30 if rec["degree"] in DEGREES["non_healthcare"] else CME_THRESHOLD[category]
        rec["cme"] = float(threshold - rng.choice([1, 2, 4, 4, 6, 8, 12]))


def _apply_missing(rng: random.Random, rec: dict, kind: str) -> None:
    if kind == "cme_lots":
        rec["cme"] = "lots"
    elif kind == "cme_negative":
        rec["cme"] = -float(rng.choice([4, 6, 12]))
    elif kind == "cme_blank":
        rec["cme"] = None
    elif kind == "accredited_maybe":
        rec["accredited"] = "maybe"
    elif kind == "accredited_blank":
        rec["accredited"] = None
    elif kind == "licence_blank":
        rec["licence_expiry"] = None
    elif kind == "licence_impossible":
        rec["licence_expiry"] = "31/02/2026"
    elif kind in ("degree_unrecognised", "degree_blank"):
        rec["degree"] = rng.choice(UNRECOGNISED_DEGREES) if kind == "degree_unrecognised" else ""
        # A missing degree is held to the 30-hour default: meet it, so the row stays incomplete.
        if isinstance(rec["cme"], float):
            rec["cme"] = max(rec["cme"], 30.0 + rng.choice([0, 6, 12]))


def _profiles(rng: random.Random, count: int) -> list[str]:
    plan: list[str] = []
    for name, share in PROFILE_SHARES.items():
        plan += [name] * round(share * count)
    plan = (plan + ["eligible"] * count)[:count]
    rng.shuffle(plan)
    return plan


def _build_applicants(
    rng: random.Random, first_id: int, count: int, cohorts, countries, missing_first
) -> list[dict]:
    recs = []
    missing_queue = list(missing_first)
    for offset, profile in enumerate(_profiles(rng, count)):
        missing = ""
        if profile == "incomplete":
            missing = missing_queue.pop(0) if missing_queue else rng.choice(MISSING_KINDS)
        ident = f"A{first_id + offset:05d}"
        recs.append(_applicant(rng, ident, cohorts, countries, profile, missing))
    return recs


def _resubmission(rng: random.Random, rec: dict, applied, cohort: str | None = None) -> dict:
    """The same person applying again: new date, CME hours updated."""
    again = dict(rec)
    again["applied"] = min(applied, EXPORTED_ON) if applied else None
    if cohort:
        again["cohort"] = cohort
    if isinstance(again["cme"], float) and again["cme"] >= 0:
        again["cme"] = again["cme"] + rng.choice([2, 4, 8])
    return again


# ---------------------------------------------------------------- cell formatting per file
def _xlsx_bool(rng: random.Random, value):
    # Excel's own TRUE/FALSE cells, 1/0 number cells and the texts people type.
    if value is True:
        return rng.choices([True, "Yes", "Y", 1, "TRUE", "yes"], [30, 25, 15, 12, 8, 10])[0]
    if value is False:
        return rng.choices([False, "No", "N", 0], [40, 30, 15, 15])[0]
    return value  # None (blank) or a bad text cell


def _csv_bool(rng: random.Random, value) -> str:
    if value is True:
        return rng.choices(["yes", "Y", "TRUE", "1", "true"], [40, 20, 15, 15, 10])[0]
    if value is False:
        return rng.choices(["no", "N", "FALSE", "0"], [50, 20, 15, 15])[0]
    return value or ""


def _hours_text(rng: random.Random, value, *, is_csv: bool):
    if not isinstance(value, float):
        return "" if is_csv and value is None else value
    if value < 0 or rng.random() < 0.8:
        number = int(value) if value.is_integer() else value
        return str(number) if is_csv else number
    return rng.choice(["{} hours", "{}h", "{} hrs"]).format(int(value))


def _years_text(rng: random.Random, value, *, is_csv: bool):
    if value is None:
        return "" if is_csv else None
    roll = rng.random()
    if roll < 0.15 and value.is_integer() and value >= 1:
        return f"{int(value)} yrs" if roll < 0.08 else f"{int(value)} years"
    number = int(value) if value.is_integer() else value
    return str(number) if is_csv else number


def _excel_serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


# ---------------------------------------------------------------- files
def _spring(rng: random.Random) -> tuple[list[list], list[dict]]:
    recs = _build_applicants(rng, 1, 280, SPRING_COHORTS, SPRING_COUNTRIES, SPRING_MISSING_FIRST)
    rows = [_spring_row(rng, rec) for rec in recs]
    # Resubmissions inside the file: later date (kept), earlier date placed after the
    # original (the original is kept: latest date wins, not last row), no date (loses).
    dup_sources = [recs[10], recs[57], recs[120]]
    dups = [
        _resubmission(rng, dup_sources[0], dup_sources[0]["applied"] + timedelta(days=21)),
        _resubmission(rng, dup_sources[1], dup_sources[1]["applied"] - timedelta(days=30)),
        _resubmission(rng, dup_sources[2], None),
    ]
    for position, dup in zip([150, 201, 260], dups, strict=True):
        rows.insert(position, _spring_row(rng, dup))
    # Rows whose id cell was left empty: rejected, never analysed.
    for position in (95, 230):
        orphan = _applicant(rng, "", SPRING_COHORTS, SPRING_COUNTRIES, "eligible", "")
        rows.insert(position, _spring_row(rng, orphan))
    # A couple of licence expiries exported as Excel serial numbers, a few as "12 Mar 2027".
    for row in rows[3:5]:
        if isinstance(row[11], date):
            row[11] = _excel_serial(row[11])
    for row in rows[30:200:40]:
        if isinstance(row[11], date):
            row[11] = row[11].strftime("%d %b %Y")
    for position in (0, 77, 178, 240):  # blank rows, one right under the header
        rows.insert(position, [None] * len(SPRING_HEADER))
    return rows, recs


def _spring_row(rng: random.Random, rec: dict) -> list:
    return [
        rec["id"] or None,
        rec["first"],
        rec["last"],
        rec["email"],
        rec["cohort"],
        rec["programme"],
        rec["country"],
        rec["applied"],
        rec["degree"] or None,
        _xlsx_bool(rng, rec["accredited"]),
        rec["licence_no"],
        rec["licence_expiry"],
        _years_text(rng, rec["aesthetics"], is_csv=False),
        rec["specialty"] or None,
        _hours_text(rng, rec["cme"], is_csv=False),
        rec["injectables"] or None,
        _xlsx_bool(rng, rec["ethics"]),
        rng.choice(REFERRALS) or None,
    ]


def _autumn(rng: random.Random, spring: list[dict]) -> list[list[str]]:
    recs = _build_applicants(rng, 301, 230, AUTUMN_COHORTS, AUTUMN_COUNTRIES, AUTUMN_MISSING_FIRST)
    # A licence number that really is "NA" (not a missing value), on an eligible-looking row.
    holder = next(r for r in recs if r["accredited"] is True and isinstance(r["cme"], float))
    holder["licence_no"] = "NA"
    for unassigned in (recs[40], recs[180]):  # cohort left blank in the form
        unassigned["cohort"] = ""
    rows = [_autumn_row(rng, rec) for rec in recs]
    # In-file resubmissions; the second id is typed lower-case with stray spaces.
    for position, src, shift in ((90, recs[20], 12), (170, recs[64], 40)):
        rows.insert(
            position,
            _autumn_row(rng, _resubmission(rng, src, src["applied"] + timedelta(days=shift))),
        )
    rows[170][0] = f"  {rows[170][0].lower()} "
    # Spring applicants who applied again for an autumn cohort (duplicates across files).
    reapplied = (
        (30, spring[3], date(2026, 6, 14)),
        (110, spring[140], date(2026, 8, 2)),
        (200, spring[222], date(2026, 9, 27)),
    )
    for position, src, applied in reapplied:
        again = _resubmission(rng, src, applied, "2026-11 London")
        rows.insert(position, _autumn_row(rng, again))
    orphan = _applicant(rng, "", AUTUMN_COHORTS, AUTUMN_COUNTRIES, "near_miss", "")
    rows.insert(150, _autumn_row(rng, orphan))
    width = len(AUTUMN_HEADER)
    rows.insert(60, [])  # an empty line
    rows.insert(125, [""] * width)  # ";;;;" lines, as a spreadsheet saves an empty row
    rows.append([""] * width)
    return rows


def _autumn_row(rng: random.Random, rec: dict) -> list[str]:
    expiry = rec["licence_expiry"]
    note = rng.choices(
        [
            "",
            "Asked about payment plan",
            "Reference letter pending; chase in Dec",
            "Transfer from 2026-04",
        ],
        [80, 8, 6, 6],
    )[0]
    return [
        rec["id"],
        f"{rec['first']} {rec['last']}",
        rec["email"],
        rec["cohort"],
        rec["programme"],
        rec["country"],
        rec["applied"].strftime("%d/%m/%Y") if rec["applied"] else "",
        rec["degree"],
        _csv_bool(rng, rec["accredited"]),
        rec["licence_no"],
        expiry.strftime("%d/%m/%Y") if isinstance(expiry, date) else (expiry or ""),
        _years_text(rng, rec["aesthetics"], is_csv=True),
        rec["specialty"],
        _hours_text(rng, rec["cme"], is_csv=True),
        rec["injectables"],
        _csv_bool(rng, rec["ethics"]),
        note,
    ]


def _register(rng: random.Random) -> list[list]:
    rows = []
    # Expiry spread over current / due within 90 days / overdue by every ageing bucket.
    offsets = (
        [rng.randint(91, 700) for _ in range(78)] + [91]  # current
        + [rng.randint(0, 90) for _ in range(42)] + [0, 90]  # due
        + [-rng.randint(1, 30) for _ in range(13)] + [-1]
        + [-rng.randint(31, 60) for _ in range(13)]
        + [-rng.randint(61, 90) for _ in range(12)]
        + [-rng.randint(91, 600) for _ in range(19)]
    )  # fmt: skip
    rng.shuffle(offsets)
    for number, offset in enumerate(offsets, start=1):
        expiry = AS_OF + timedelta(days=offset)
        certified = _add_years(expiry, -2)
        rows.append(_register_row(rng, f"C{number:04d}", certified))
    # Certified on a leap day, no expiry given: expires 28 Feb 2026 (overdue, 91+ days).
    rows.insert(
        40, _register_row(rng, f"C{len(offsets) + 1:04d}", date(2024, 2, 29), expiry_style="blank")
    )
    # The board extended one certification: the stated expiry wins over certified_on + 2y.
    extended = _register_row(
        rng, f"C{len(offsets) + 2:04d}", date(2024, 6, 3), expiry_style="blank"
    )
    extended[9] = date(2027, 6, 3)
    extended[12] = "Extension granted by board"
    rows.insert(90, extended)
    # Listed twice after a data migration (no application date: the later row is kept).
    rows.insert(130, list(rows[12]))
    rows[130][10] = 36
    orphan = _register_row(rng, "", date(2025, 1, 20))
    rows.insert(70, orphan)
    rows[20][7] = _excel_serial(rows[20][7]) if isinstance(rows[20][7], date) else rows[20][7]
    rows[21][11] = "pending"  # not a boolean: a problem, the renewal is blocked
    for position in (55, 150):
        rows.insert(position, [None] * len(REGISTER_HEADER))
    return rows


def _register_row(rng: random.Random, ident: str, certified: date, expiry_style: str = "") -> list:
    first, last, email = _person(rng)
    category = _weighted(rng, list(DEGREE_WEIGHTS.items()))
    start_month = max((m for m in (1, 4, 9) if m <= certified.month), default=None)
    cohort_year = certified.year if start_month else certified.year - 1
    cohort = (
        f"{cohort_year}-{start_month or 9:02d} {rng.choice(['London', 'Manchester', 'Dublin'])}"
    )
    style = expiry_style or rng.choices(["cell", "blank", "text"], [60, 30, 10])[0]
    expiry = _add_years(certified, 2)
    expiry_cell = {"cell": expiry, "blank": None, "text": expiry.strftime("%d %b %Y")}[style]
    licence_expiry = AS_OF + timedelta(days=rng.randint(20, 3 * 365))
    if rng.random() < 0.12:
        licence_expiry = AS_OF - timedelta(days=rng.randint(1, 200))
    ce = rng.choices(
        [float(rng.randint(20, 60)), 20.0, float(rng.randint(4, 19)), None], [62, 6, 22, 10]
    )[0]
    ethics = rng.choices([True, False, None], [80, 10, 10])[0]
    return [
        ident or None,
        f"{first} {last}",
        email,
        cohort,
        _weighted(rng, SPRING_COUNTRIES),
        rng.choice(DEGREES[category]),
        _licence_number(rng),
        licence_expiry,
        certified.isoformat(),  # ISO text, as this register's export writes dates
        expiry_cell,
        _hours_text(rng, ce, is_csv=False),
        _xlsx_bool(rng, ethics),
        rng.choice(TRAINERS),
    ]


# ---------------------------------------------------------------- writers
def _write_xlsx(path: Path, sheets: list[tuple[str, list[list]]]) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for cells in ws.iter_rows():
            for cell in cells:
                if isinstance(cell.value, date):
                    cell.number_format = "dd/mm/yyyy"
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(_pin_zip_times(buffer.getvalue()))


def _pin_zip_times(data: bytes) -> bytes:
    """Rewrite the archive with fixed entry times and document dates (reproducible bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = rf"\g<1>{FIXED_DOC_TIME}\g<2>".encode()
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", stamp, body)
            pinned = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = info.external_attr
            dst.writestr(pinned, body)
    return out.getvalue()


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))


READ_ME_LINES = [
    ["FormDesk CRM: applicant export"],
    ["Programme: Certified Cheek Filler Training"],
    [None],
    ["The sheet 'Applicants' holds one row per application received for the spring intakes."],
    ["Applicants who applied more than once appear once per application."],
    ["Dates are UK format. Contact the admissions office before editing."],
]


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]) if len(argv) > 1 else OUT_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)

    spring_rows, spring = _spring(rng)
    title = ["Applicant export: spring 2026 intakes"]
    exported = ["Exported on", EXPORTED_ON]
    _write_xlsx(
        out_dir / "applicants_2026_spring.xlsx",
        [
            ("Read me", READ_ME_LINES),
            ("Applicants", [title, exported, SPRING_HEADER, *spring_rows]),
        ],
    )

    autumn_rows = _autumn(rng, spring)
    preamble = [["Applications export - autumn intakes"], ["Exported on", "21/11/2026"]]
    _write_csv(out_dir / "applicants_2026_autumn.csv", [*preamble, AUTUMN_HEADER, *autumn_rows])

    register_rows = _register(rng)
    register_title = [
        ["Certification register: certified cheek filler practitioners"],
        ["Generated", EXPORTED_ON],
        [None],
        REGISTER_HEADER,
    ]
    _write_xlsx(
        out_dir / "certification_register.xlsx",
        [("Register", [*register_title, *register_rows])],
    )
    for path in sorted(out_dir.iterdir()):
        print(f"wrote {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
