"""A workbook with the applicants on one sheet, the certification register on another and a
notes sheet, written with openpyxl for the engine, page and browser tests (DOMAIN 3.1).

Under the standard rules on AS_OF, worked out by hand: A1 (MD, 25 CME hours) is eligible;
A2's CME hours ("lots") cannot be read, so A2 is incomplete. Expiries are certified_on plus
two years: C1 2027-03-01 current, C2 2026-12-15 due (within 90 days), C3 2027-06-01 current.
"""

from __future__ import annotations

import io
from datetime import date

import openpyxl

AS_OF = date(2026, 11, 25)
NOTES = [["How to read this workbook"], ["One row per applicant; dates are ISO."]]
APPLICANTS = [
    ["Applicant export, 1 Dec 2026"],  # a title row above the header: the header is row 2
    ["Applicant ID", "Name", "Applied on", "Degree", "Accredited", "Licence expiry", "CME hours"],
    ["A1", "Ann One", "2026-01-10", "MD", "yes", "2027-06-30", 25],
    ["A2", "Ben Two", "2026-01-11", "RN", "yes", "2027-06-30", "lots"],
]
REGISTER = [
    ["Applicant ID", "Name", "Certified on", "CE hours", "Ethics attestation", "Licence expiry"],
    ["C1", "Cat Three", "2025-03-01", 20, "yes", "2027-06-30"],
    ["C2", "Dan Four", "2024-12-15", 5, "no", "2027-06-30"],
    ["C3", "Eve Five", "2025-06-01", 20, "yes", "2027-06-30"],
]


def workbook(*sheets: tuple[str, list[list]]) -> bytes:
    """An .xlsx of the sheets given as (title, rows), in that order."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def notes_applicants_register() -> bytes:
    return workbook(("Notes", NOTES), ("Applicants", APPLICANTS), ("Register", REGISTER))
