"""File sniffing and guards against hostile input, run before any parser sees the bytes.

Limits are module constants and documented in docs/loading.md. Each guard raises
`LoadError` with one line naming the file, what is wrong and what to do.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePath

from analytics.errors import LoadError, UnsafeSetupError

MAX_FILE_BYTES = 200 * 1024 * 1024  # any upload
MAX_ZIP_MEMBERS = 2_000
MAX_UNCOMPRESSED_TOTAL = 256 * 1024 * 1024  # sum over the archive's members
MAX_RATIO = 200  # uncompressed / compressed, checked for members over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
# calamine allocates the sheet's whole rectangle (32 bytes a cell) from A1-ish to the
# farthest cell. Above this many cells the bounded openpyxl reader takes over instead.
MAX_CALAMINE_CELLS = 12_000_000  # ~384 MB at worst
MAX_PROLOG_BYTES = 64 * 1024  # XML before the root element (declaration, comments)
SCAN_CHUNK = 256 * 1024  # small enough that the scan's passes stay in the CPU cache
# Excel's own sheet limits: no workbook holds more, and no reader here goes beyond them.
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_BINARY_MAGICS = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
}
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
# An encrypted .xls has a FILEPASS record (type 0x002F) right after the BOF record of its
# workbook globals (BIFF8 or BIFF5); the stream starts a sector, so the two are adjacent.
_GLOBALS_BOF = re.compile(rb"\x09\x08([\x08\x10])\x00\x00[\x05\x06]\x05\x00")
_FILEPASS = b"\x2f\x00"
_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")  # read as delimited text (DOMAIN 3.8)
# A byte-order mark decides a text file's encoding (DOMAIN 3.8); UTF-16 as Excel's
# "Unicode Text" save writes it. Without one: UTF-8, else cp1252 (`reading`).
TEXT_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

PASSWORD_HINT = "it is password-protected: remove the password and upload again"
RESAVE_HINT = "open it in Excel and save it as .xlsx (or export as CSV), then upload again"

# The far-cell scan works on a translated copy of each chunk (capitals -> A, digits -> 0,
# ' -> "), so cheap searches find any cell reference with two or more column letters
# ('"A' and a letter of either case: calamine reads `xfd1` and `Xfd1` as XFD1) or a row
# of six or more digits ('000000"'), whatever the element or attribute order. Chunks
# where a wide reference or a row of eight or more digits shows, or where some cell does
# not start with an r="A1" reference (cells without r take the next column; a reference
# starting lower-case lands here too), get the exact count over every reference. A
# chunk that is regular apart from rows of six or seven digits (every chunk past row
# 99,999 of an ordinary export) has one capital letter per cell, so its columns are
# within A:Z, and its farthest row is the largest of its cells' row numbers, found in
# one pass per length: digit strings of one length order as their numbers do.
_SHAPE = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'", b"A" * 26 + b"0" * 10 + b'"')
_WIDE = re.compile(rb'"A[A-Za-z]')  # a regex with a literal prefix: one fast pass
_DEEP = b'000000"'
_SEVEN = b'0000000"'
_DEEPER = b'00000000"'
_CELL_ROW = {digits: re.compile(rb"""<c r=["'][A-Z](\d{%d})["']""" % digits) for digits in (6, 7)}
_IRREGULAR_CELL = re.compile(rb'<c(?! r="A)')
_ANY_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]*)(\d*)["']""")
_PREFIXED_MAIN = re.compile(
    rb"""xmlns:[\w.-]+\s*=\s*["'][^"']*(?:spreadsheetml/2006/main|spreadsheetml/main)"""
)
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ROOT = re.compile(rb"<[A-Za-z_]")


def check_xml_hardening() -> None:
    """openpyxl must parse with defusedxml (entity bombs, external entities). Checked where
    openpyxl is about to parse (`reading`) and when the app starts, not on import: a
    process that never parses with openpyxl (the command line's own, the reader's fork
    server until its first read) does not pay for importing it."""
    import openpyxl

    if not getattr(openpyxl, "DEFUSEDXML", False):
        raise UnsafeSetupError(
            "openpyxl is not using defusedxml, so spreadsheets could carry XML entity bombs: "
            "install the pinned requirements (pip install -r requirements.txt) and restart"
        )


def suffix_of(name: str) -> str:
    return PurePath(name).suffix.lower()


@dataclass
class ZipReport:
    """What the archive guard learned: members and whether calamine may read it."""

    members: list[str] = field(default_factory=list)
    max_cells: int = 0  # largest rectangle calamine would allocate over the sheets

    @property
    def calamine_safe(self) -> bool:
        return self.max_cells <= MAX_CALAMINE_CELLS


def sniff(name: str, data: bytes) -> str:
    """Return "xlsx", "xls" or "csv", or raise LoadError saying what the file is."""
    if len(data) == 0:
        raise LoadError(f"{name}: the file is empty (0 bytes): export it again and upload it")
    if len(data) > MAX_FILE_BYTES:
        raise LoadError(
            f"{name}: the file is larger than {MAX_FILE_BYTES // 2**20} MB: "
            "split the export (for example by cohort) and upload the parts"
        )
    suffix = suffix_of(name)
    if data.startswith(ZIP_MAGICS):
        return "xlsx"
    if data.startswith(OLE2_MAGIC):
        if _ENCRYPTED_STREAM in data or suffix in {".xlsx", ".xlsm"} or _has_filepass(data):
            raise LoadError(f"{name}: {PASSWORD_HINT}")
        return "xls"
    for magic, what in _BINARY_MAGICS.items():
        if data.startswith(magic):
            raise LoadError(f"{name}: this is {what}, not a spreadsheet: upload an .xlsx or .csv")
    head = data[:8192]
    bom, encoding = next(((b, e) for b, e in TEXT_BOMS if head.startswith(b)), (b"", ""))
    if encoding.startswith("utf-16"):  # NUL bytes are UTF-16's own: NUL characters are not
        is_binary = "\x00" in head[len(bom) :].decode(encoding, errors="ignore")
    else:
        is_binary = b"\x00" in head
    if is_binary:
        raise LoadError(f"{name}: this is not a spreadsheet: upload an .xlsx or .csv export")
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<html", b"<!doctype html", b"<?xml", b"<table")):
        raise LoadError(f"{name}: this is a web page or XML file, not a workbook: {RESAVE_HINT}")
    if suffix in _EXCEL_SUFFIXES:
        raise LoadError(
            f"{name}: the name says Excel but the content is plain text: rename it to .csv "
            f"or {RESAVE_HINT}"
        )
    return "csv"


def _has_filepass(data: bytes) -> bool:
    """A password-protected .xls (calamine only says it cannot detect the format)."""
    bof = _GLOBALS_BOF.search(data)
    if bof is None:
        return False
    after = bof.end() + bof.group(1)[0] - 4  # the BOF record's 4 header + N body bytes
    return data[after : after + 2] == _FILEPASS


def check_zip(name: str, data: bytes) -> ZipReport:
    """Archive guard: structure, declared sizes and ratios, DTDs, real inflated sizes, and
    each worksheet's true extent (the far-cell check)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise LoadError(
            f"{name}: the file is damaged or incomplete (not a readable zip archive): "
            "export or download it again"
        ) from None
    report = ZipReport(members=[i.filename for i in infos])
    names = set(report.members)
    if "xl/workbook.xml" not in names:
        if "xl/workbook.bin" in names:
            raise LoadError(f"{name}: binary workbooks (.xlsb) are not read: {RESAVE_HINT}")
        if "content.xml" in names:
            raise LoadError(f"{name}: OpenDocument spreadsheets are not read: {RESAVE_HINT}")
        raise LoadError(f"{name}: this zip archive is not an Excel workbook: {RESAVE_HINT}")
    if len(infos) > MAX_ZIP_MEMBERS:
        raise LoadError(f"{name}: the workbook has {len(infos)} parts, more than a real export")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED_TOTAL:
        raise _too_big(name)
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _too_big(name)
    inflated = 0
    for info in infos:
        if not info.filename.lower().endswith((".xml", ".rels")):
            continue
        is_sheet = info.filename.startswith("xl/worksheets/")
        inflated += _scan_member(name, archive, info, report if is_sheet else None)
        if inflated > MAX_UNCOMPRESSED_TOTAL:
            raise _too_big(name)
    return report


def _too_big(name: str) -> LoadError:
    return LoadError(
        f"{name}: the workbook unpacks to more than {MAX_UNCOMPRESSED_TOTAL // 2**20} MB "
        f"or compresses more than {MAX_RATIO}:1 (a zip bomb or a padded export): "
        "export only the rows and columns you need and upload again"
    )


def _scan_member(name: str, archive: zipfile.ZipFile, info, report: ZipReport | None) -> int:
    """Inflate one member in chunks: refuse DTDs, count the real bytes (declared sizes can
    lie), and for worksheets bound the rectangle calamine would allocate."""
    size = 0
    prolog_done = False
    prolog = b""
    tail = b""
    max_row = max_col = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(SCAN_CHUNK):
                size += len(chunk)
                if size > info.file_size or size > MAX_UNCOMPRESSED_TOTAL:
                    raise _too_big(name)
                if not prolog_done:
                    prolog += chunk
                    root = _ROOT.search(prolog)
                    head = prolog if root is None else prolog[: root.start()]
                    if _DTD.search(head) or _DTD.search(prolog[:MAX_PROLOG_BYTES]):
                        raise _dtd_error(name)
                    if root is not None:
                        prolog_done = True
                        if report is not None and _PREFIXED_MAIN.search(prolog[:MAX_PROLOG_BYTES]):
                            max_col = MAX_COLUMNS  # prefixed cells escape the fast scan
                            max_row = MAX_ROWS
                        prolog = b""
                    elif len(prolog) > MAX_PROLOG_BYTES:
                        raise _dtd_error(name)
                if report is None:
                    continue
                window = tail + chunk
                rows, cols = window_extent(window)
                max_row, max_col = max(max_row, rows), max(max_col, cols)
                tail = window[-64:]
    except zipfile.BadZipFile:
        raise LoadError(
            f"{name}: the file is damaged (a part of the workbook fails its checksum): "
            "export or download it again"
        ) from None
    except (zlib.error, EOFError, OSError):
        raise LoadError(
            f"{name}: the file is damaged or incomplete (a part cannot be unpacked): "
            "export or download it again"
        ) from None
    if report is not None:
        # Without wide or deep references the sheet fits in A1:Z99999.
        report.max_cells = max(report.max_cells, max(max_row, 99_999) * max(max_col, 26))
    return size


def window_extent(window: bytes) -> tuple[int, int]:
    """Farthest row and column the window's cells reach; either may be 0 when it lies
    within A1:Z99999, which every sheet is given anyway."""
    shape = window.translate(_SHAPE)
    odd = _IRREGULAR_CELL.search(shape)
    # A cell cut by the window's end is checked whole in the next window.
    irregular = odd is not None and odd.start() < len(shape) - 16
    if irregular or _DEEPER in shape or _WIDE.search(shape):
        return _exact_extent(window, irregular)
    if _DEEP not in shape:
        return 0, 0
    lengths = (6, 7) if _SEVEN in shape else (6,)
    return max(int(max(_CELL_ROW[n].findall(window), default=b"0")) for n in lengths), 0


def _exact_extent(window: bytes, irregular: bool) -> tuple[int, int]:
    """Largest row and column any reference in the window names; with cells lacking a
    reference, their count bounds the columns and the row elements bound the rows."""
    max_row = max_col = 0
    for letters, digits in set(_ANY_REF.findall(window)):
        if letters:
            max_col = max(max_col, _column_number(letters))
        if digits:
            max_row = max(max_row, int(digits[:8]))
    if irregular:
        max_col = max(max_col, window.count(b"<c"))
        max_row += window.count(b"<row")
    return max_row, max_col


_DIMENSION = re.compile(
    rb"""<(?:\w+:)?dimension\s+ref\s*=\s*["']([A-Za-z]*)(\d*)(?::([A-Za-z]*)(\d*))?["']"""
)
DIMENSION_SCAN_BYTES = 64 * 1024  # the <dimension> element comes first in a worksheet


def declared_cells(data: bytes) -> int:
    """The largest rectangle a worksheet of the xlsx declares (its `<dimension>`), in
    cells; 0 when none is declared or the archive cannot be read (the guard says why).
    What a worksheet declares can lie: this only spares reading ahead (reading.py) a file
    that says at once that its cells reach too far, as a sparse export does."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if i.filename.startswith("xl/worksheets/")]
        largest = 0
        for info in infos[:MAX_ZIP_MEMBERS]:
            with archive.open(info) as stream:
                head = stream.read(DIMENSION_SCAN_BYTES)
            found = _DIMENSION.search(head)
            if found is None:
                continue
            first_col, first_row, last_col, last_row = found.groups()
            rows = int((last_row or first_row or b"0")[:8])
            cols = _column_number(last_col or first_col or b"")
            largest = max(largest, rows * cols)
        return largest
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, RuntimeError):
        return 0


def _dtd_error(name: str) -> LoadError:
    return LoadError(
        f"{name}: the workbook contains XML document type declarations (entity definitions), "
        f"which Excel never writes and which can be used to attack the server: {RESAVE_HINT}"
    )


def _column_number(letters: bytes) -> int:
    number = 0
    for byte in letters[:4].upper():
        number = number * 26 + (byte - 64)
    return number
