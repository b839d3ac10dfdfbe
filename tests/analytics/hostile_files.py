"""Small hostile files the tests build themselves (shared by test_hostile and test_worker)."""

import io
import re
import zipfile

import openpyxl
import xlwt

HEADER = ["Applicant ID", "Full Name", "Email"]
SHEET = "xl/worksheets/sheet1.xml"


def workbook_bytes(rows=(HEADER, ["1", "Ana", "a@x"]), far_cell=None):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    if far_cell:
        sheet[far_cell] = "far"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite(data, replace=None, add=None):
    """Copy an xlsx, replacing some members' bytes and adding others."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename in replace:
                content = replace[info.filename](content)
            dst.writestr(info.filename, content)
        for name, content in add.items():
            dst.writestr(name, content)
    return out.getvalue()


def far_reference(ref, rows=(HEADER, ["1", "Ana", "a@x"])):
    """A workbook whose third row holds one cell written with the reference `ref` as given
    (lower or mixed case): the row element still says row 3, so only the cell's own
    reference tells how far it lies. Calamine reads `xfd1048576` as XFD1048576."""
    data = workbook_bytes(rows=[*rows, ["far"]])
    return rewrite(data, {SHEET: lambda xml: xml.replace(b'<c r="A3"', f'<c r="{ref}"'.encode())})


def xls_bytes(rows=(HEADER, ["007", "Ana", "a@x"])):
    book = xlwt.Workbook()
    sheet = book.add_sheet("Applicants")
    for number, values in enumerate(rows):
        for column, value in enumerate(values):
            sheet.write(number, column, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def password_xls():
    """A BIFF8 workbook with a FILEPASS record (XOR obfuscation) right after the globals
    BOF, as Excel writes a password-protected .xls. The 16 bytes of xlwt's records there
    (INTERFACEHDR 6, MMS 6, INTERFACEEND 4) become FILEPASS (10) + MMS (6)."""
    data = bytearray(xls_bytes())
    bof = re.search(rb"\x09\x08\x10\x00\x00\x06\x05\x00", data).start()
    after = bof + 4 + 16
    assert data[after : after + 2] == b"\xe1\x00"  # INTERFACEHDR, as xlwt writes it
    filepass = b"\x2f\x00\x06\x00" + b"\x00\x00" + b"\x34\x12\x78\x56"
    mms = b"\xc1\x00\x02\x00\x00\x00"
    data[after : after + 16] = filepass + mms
    return bytes(data)
