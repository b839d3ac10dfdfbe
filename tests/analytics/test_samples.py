"""The bundled samples contain what data/README.md promises.

Read with openpyxl and csv directly (not through the app's loader), so that a loader bug
cannot hide a sample that lost its messiness, and a sample change cannot pass unnoticed.
"""

import csv
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
SPRING = SAMPLES / "applicants_2026_spring.xlsx"
AUTUMN = SAMPLES / "applicants_2026_autumn.csv"
REGISTER = SAMPLES / "certification_register.xlsx"
AS_OF = date(2026, 11, 25)

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
TEXT_MONTH = re.compile(r"^\d{2} [A-Z][a-z]{2} \d{4}$")
DMY = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


def _is_blank(row) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in row)


def _sheet(path: Path, name: str) -> list[tuple]:
    wb = openpyxl.load_workbook(path)
    return [tuple(row) for row in wb[name].iter_rows(values_only=True)]


def _csv_rows() -> list[list[str]]:
    with AUTUMN.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def _body(rows: list, header_index: int) -> list:
    return rows[header_index + 1 :]


def _column(rows: list, header: list[str], name: str) -> list:
    i = header.index(name)
    return [row[i] for row in rows if not _is_blank(row)]


def _duplicate_ids(ids: list) -> Counter:
    keys = Counter(str(i).strip().casefold() for i in ids if i is not None and str(i).strip())
    return Counter({k: n for k, n in keys.items() if n > 1})


def _hours(value) -> float | None:
    """Hours as DOMAIN 3.6 reads them; None when blank or unreadable."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(?:h|hrs|hours)?", str(value or "").strip())
    return float(match.group(1)) if match else None


def _is_true(value) -> bool:
    return value is True or str(value).strip().lower() in {"true", "yes", "y", "1", "t"}


def _add_two_years(day: date) -> date:
    try:
        return day.replace(year=day.year + 2)
    except ValueError:
        return day.replace(year=day.year + 2, day=28)


def _as_date(cell) -> date | None:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, int):
        return date(1899, 12, 30) + timedelta(days=cell)
    if isinstance(cell, str) and TEXT_MONTH.match(cell):
        return datetime.strptime(cell, "%d %b %Y").date()
    if isinstance(cell, str):
        return date.fromisoformat(cell)
    return None


# ---------------------------------------------------------------- the generator
def test_script_reproduces_the_committed_samples(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "data" / "make_samples.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    made = sorted(p.name for p in tmp_path.iterdir())
    assert made == sorted(p.name for p in SAMPLES.iterdir())
    for name in made:
        assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes(), name


def test_samples_hold_400_to_900_rows_of_fictional_people():
    spring = _body(_sheet(SPRING, "Applicants"), 2)
    autumn = _body(_csv_rows(), 2)
    register = _body(_sheet(REGISTER, "Register"), 3)
    counts = [sum(not _is_blank(r) for r in rows) for rows in (spring, autumn, register)]
    assert counts == [285, 236, 185]
    emails = (
        _column(spring, SPRING_HEADER, "Email address")
        + _column(autumn, AUTUMN_HEADER, "E-mail")
        + _column(register, REGISTER_HEADER, "Email")
    )
    assert len(emails) == sum(counts)
    assert all(e.endswith("@example.org") for e in emails)


def test_loaded_together_the_counts_of_the_readme():
    """rows read 706 = 510 applicants + 183 certified + 4 rejected + 9 duplicates."""
    spring = [r[0] for r in _body(_sheet(SPRING, "Applicants"), 2) if not _is_blank(r)]
    autumn = [r[0] for r in _body(_csv_rows(), 2) if not _is_blank(r)]
    register = [r[0] for r in _body(_sheet(REGISTER, "Register"), 3) if not _is_blank(r)]
    ids = [str(i or "").strip().casefold() for i in spring + autumn + register]
    applicants = {i for i in spring + autumn if i and i.strip()}
    certified = {i.strip().casefold() for i in register if i}
    assert len(ids) == 706
    assert ids.count("") == 4
    assert len(ids) - ids.count("") - len(set(ids) - {""}) == 9
    assert len({i.strip().casefold() for i in applicants}) == 510
    assert len(certified) == 183


def test_standard_rules_give_the_readme_mix():
    """Through the report (DOMAIN §6): the mix the profiles were built for, on 2026-11-25."""
    command = [
        sys.executable, "-m", "analytics", "report", str(SPRING), str(AUTUMN), str(REGISTER),
        "--rules", "standard", "--as-of", AS_OF.isoformat(), "--format", "json",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    counts = ("applicants", "eligible", "ineligible", "near_miss", "incomplete")
    assert {k: report[k] for k in counts} == {
        "applicants": 510,
        "eligible": 230,
        "ineligible": 204,
        "near_miss": 128,
        "incomplete": 76,
    }
    renewals = report["renewals"]
    assert (renewals["current"], renewals["due"], renewals["overdue"]) == (80, 44, 59)
    assert (renewals["ready"], renewals["blocked"]) == (50, 53)


# ---------------------------------------------------------------- spring workbook
class TestSpringWorkbook:
    rows = _sheet(SPRING, "Applicants")
    body = _body(rows, 2)

    def test_read_me_sheet_comes_first_and_has_no_header_row(self):
        wb = openpyxl.load_workbook(SPRING)
        assert wb.sheetnames == ["Read me", "Applicants"]
        read_me = _sheet(SPRING, "Read me")
        assert read_me, "the Read me sheet is not empty"
        assert all(sum(c is not None for c in row) <= 1 for row in read_me)

    def test_title_and_export_date_rows_sit_above_the_header(self):
        assert self.rows[0][0] == "Applicant export: spring 2026 intakes"
        assert self.rows[1][:2] == ("Exported on", datetime(2026, 11, 21))
        assert list(self.rows[2]) == SPRING_HEADER

    def test_first_and_last_name_instead_of_a_full_name(self):
        assert {"First name", "Last name"} <= set(SPRING_HEADER)
        assert not {"Name", "Full name", "Applicant name"} & set(SPRING_HEADER)

    def test_four_blank_rows_one_right_under_the_header(self):
        assert sum(_is_blank(r) for r in self.body) == 4
        assert _is_blank(self.body[0])

    def test_rows_without_an_id_and_duplicates_within_the_file(self):
        ids = _column(self.body, SPRING_HEADER, "Applicant No")
        assert ids.count(None) == 2
        assert sorted(_duplicate_ids(ids).items()) == [("a00011", 2), ("a00058", 2), ("a00121", 2)]
        applied = {}
        for row in self.body:
            applied.setdefault(row[0], []).append(row[7])
        first, again = applied["A00011"]
        assert again > first  # resubmitted later: this row is the one kept
        first, again = applied["A00058"]
        assert again < first  # further down the file but older: the first row is kept
        first, again = applied["A00121"]
        assert first is not None and again is None  # no date counts as the earliest

    def test_degree_spellings_including_unrecognised_ones(self):
        degrees = set(_column(self.body, SPRING_HEADER, "Highest degree"))
        assert {"MD", "M.D.", "MBBS", "RN", "BSN", "Nurse Practitioner", "DDS", "BDS"} <= degrees
        assert {"PA-C", "PharmD", "MBA", "n/a", "Vet"} <= degrees

    def test_accredited_mixes_excel_booleans_numbers_and_text(self):
        values = _column(self.body, SPRING_HEADER, "Accredited institution")
        kinds = {type(v).__name__ for v in values}
        assert kinds == {"bool", "int", "str", "NoneType"}
        assert {"Y", "Yes", "yes", "TRUE", "N", "No", "maybe"} <= {
            v for v in values if isinstance(v, str)
        }

    def test_licence_expiry_as_date_cells_serials_and_text_months(self):
        values = _column(self.body, SPRING_HEADER, "Licence Expires")
        serials = [v for v in values if isinstance(v, int)]
        assert len(serials) == 2 and all(20000 < v < 80000 for v in serials)
        assert sum(isinstance(v, str) and bool(TEXT_MONTH.match(v)) for v in values) == 4
        assert sum(isinstance(v, datetime) for v in values) > 250

    def test_licence_numbers_are_text_with_leading_zeros(self):
        numbers = _column(self.body, SPRING_HEADER, "Licence No")
        assert all(isinstance(n, str) for n in numbers)
        assert sum(n.startswith("00") for n in numbers) > 100

    def test_bad_cme_cells_and_hours_with_units(self):
        cme = _column(self.body, SPRING_HEADER, "CME hrs")
        assert "lots" in cme
        assert any(isinstance(v, int | float) and v < 0 for v in cme)
        assert {re.sub(r"\d+", "N", v) for v in cme if isinstance(v, str) and v != "lots"} == {
            "N hours",
            "Nh",
            "N hrs",
        }

    def test_aesthetics_years_as_numbers_and_text(self):
        years = _column(self.body, SPRING_HEADER, "Years in aesthetics")
        assert 2.5 in years
        assert any(isinstance(v, str) and v.endswith(" yrs") for v in years)
        assert any(isinstance(v, str) and v.endswith(" years") for v in years)

    def test_specialty_and_injectables_free_text(self):
        specialties = set(_column(self.body, SPRING_HEADER, "Speciality"))
        assert {"Dermatology", "derm", "Plastic Surgery", "General practice", None} <= specialties
        injectables = set(_column(self.body, SPRING_HEADER, "Injectables experience"))
        assert {"Botox 2 yrs", "hyaluronic fillers", "none", None} <= injectables


# ---------------------------------------------------------------- autumn CSV
class TestAutumnCsv:
    rows = _csv_rows()
    body = _body(rows, 2)

    def test_utf8_with_bom_and_semicolons(self):
        raw = AUTUMN.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        raw.decode("utf-8")
        assert {len(r) for r in self.body if r} == {len(AUTUMN_HEADER)}
        assert any(not c.isascii() for c in "".join(_column(self.body, AUTUMN_HEADER, "Full name")))

    def test_title_and_export_date_lines_above_the_header(self):
        assert self.rows[0] == ["Applications export - autumn intakes"]
        assert self.rows[1] == ["Exported on", "21/11/2026"]
        assert self.rows[2] == AUTUMN_HEADER

    def test_three_blank_lines_one_empty_two_of_separators(self):
        blanks = [r for r in self.body if _is_blank(r)]
        assert [len(r) for r in blanks] == [0, len(AUTUMN_HEADER), len(AUTUMN_HEADER)]

    def test_missing_ids_and_duplicates_within_the_file(self):
        ids = _column(self.body, AUTUMN_HEADER, "Applicant ID")
        assert ids.count("") == 1
        assert len(_duplicate_ids(ids)) == 2
        assert "  a00365 " in ids  # typed lower-case with spaces: same person as A00365

    def test_three_spring_applicants_applied_again_later(self):
        spring = {
            r[0]: r[7] for r in _body(_sheet(SPRING, "Applicants"), 2) if not _is_blank(r) and r[0]
        }
        again = [r for r in self.body if r and r[0] in spring]
        assert len(again) == 3
        for row in again:
            applied = datetime.strptime(row[6], "%d/%m/%Y")
            assert applied > spring[row[0]]

    def test_dates_are_day_first_text_with_one_impossible_date(self):
        for name in ("Date applied", "Registration expiry"):
            values = [v for v in _column(self.body, AUTUMN_HEADER, name) if v]
            assert all(DMY.match(v) for v in values), name
            assert any(int(DMY.match(v).group(1)) > 12 for v in values), name
        assert _column(self.body, AUTUMN_HEADER, "Registration expiry").count("31/02/2026") == 1

    def test_booleans_as_text_with_a_maybe(self):
        values = set(_column(self.body, AUTUMN_HEADER, "Accredited"))
        assert {"yes", "no", "Y", "N", "TRUE", "FALSE", "1", "0", "maybe", ""} <= values

    def test_licence_number_na_is_a_value(self):
        numbers = _column(self.body, AUTUMN_HEADER, "Registration number")
        assert numbers.count("NA") == 1
        assert sum(n.startswith("00") for n in numbers) > 80

    def test_negative_and_unreadable_cme(self):
        cme = _column(self.body, AUTUMN_HEADER, "CME hours")
        assert "lots" in cme
        assert any(v.startswith("-") for v in cme)

    def test_blank_cohort_and_free_text_notes(self):
        assert _column(self.body, AUTUMN_HEADER, "Cohort").count("") == 2
        notes = set(_column(self.body, AUTUMN_HEADER, "Notes"))
        assert "Reference letter pending; chase in Dec" in notes  # a quoted delimiter


# ---------------------------------------------------------------- certification register
class TestRegister:
    rows = _sheet(REGISTER, "Register")
    body = _body(rows, 3)
    data = [r for r in body if not _is_blank(r)]

    def _expiry(self, row) -> date:
        certified = _as_date(row[8])
        stated = _as_date(row[9])
        return stated or _add_two_years(certified)

    def test_title_generated_date_and_blank_row_above_the_header(self):
        assert self.rows[0][0].startswith("Certification register")
        assert self.rows[1][:2] == ("Generated", datetime(2026, 11, 21))
        assert _is_blank(self.rows[2])
        assert list(self.rows[3]) == REGISTER_HEADER
        assert sum(_is_blank(r) for r in self.body) == 2

    def test_one_row_without_id_and_one_record_listed_twice(self):
        ids = [r[0] for r in self.data]
        assert ids.count(None) == 1
        assert list(_duplicate_ids(ids).values()) == [2]

    def test_certified_on_is_iso_text_with_a_leap_day_and_no_expiry(self):
        certified = [r[8] for r in self.data]
        assert all(isinstance(v, str) and date.fromisoformat(v) for v in certified)
        leap = [r for r in self.data if r[8] == "2024-02-29"]
        assert len(leap) == 1 and leap[0][9] is None
        assert self._expiry(leap[0]) == date(2026, 2, 28)

    def test_expiry_given_as_date_cells_text_or_not_at_all(self):
        kinds = Counter(type(r[9]).__name__ for r in self.data)
        assert set(kinds) == {"datetime", "str", "NoneType"}
        assert all(TEXT_MONTH.match(r[9]) for r in self.data if isinstance(r[9], str))

    def _kept(self) -> list:
        """One row per record id, the later row winning (no application dates here)."""
        return list({r[0]: r for r in self.data if r[0] is not None}.values())

    def test_renewal_mix_covers_every_status_ageing_bucket_and_boundary(self):
        days = Counter((self._expiry(row) - AS_OF).days for row in self._kept())
        current = sum(n for d, n in days.items() if d > 90)
        due = sum(n for d, n in days.items() if 0 <= d <= 90)
        ageing = [
            sum(n for d, n in days.items() if lo <= -d <= hi)
            for lo, hi in ((1, 30), (31, 60), (61, 90), (91, 10_000))
        ]
        assert (current, due, sum(ageing)) == (80, 44, 59)
        assert ageing == [14, 13, 12, 20]
        assert {0, 90, 91, -1} <= set(days)  # both ends of the due window, just either side

    def test_backlog_has_ready_and_blocked_practitioners(self):
        ready = blocked = 0
        for row in self._kept():
            if (self._expiry(row) - AS_OF).days > 90:
                continue
            hours = _hours(row[10])
            licence = _as_date(row[7])
            is_ready = hours is not None and hours >= 20 and _is_true(row[11]) and licence >= AS_OF
            ready += is_ready
            blocked += not is_ready
        assert (ready, blocked) == (50, 53)

    def test_bad_cells_and_excel_serial(self):
        assert [r[11] for r in self.data].count("pending") == 1
        assert sum(isinstance(r[7], int) for r in self.data) == 1


@pytest.mark.parametrize("path", [SPRING, REGISTER], ids=lambda p: p.name)
def test_workbook_dates_display_day_first(path):
    wb = openpyxl.load_workbook(path)
    formats = {
        cell.number_format
        for ws in wb
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, datetime)
    }
    assert formats == {"dd/mm/yyyy"}
