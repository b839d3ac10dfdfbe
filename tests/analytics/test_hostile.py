"""Bad and hostile files: each ends in one LoadError line naming the file and what to do,
at bounded cost. The tests build their small hostile files themselves."""

import io
import zipfile

import fastexcel
import openpyxl
import pytest
import xlsxwriter

from analytics import loading
from analytics.errors import LoadError, NoHeaderError, UnsafeSetupError
from analytics.loading import reading, safety
from tests.analytics.hostile_files import (
    HEADER,
    far_reference,
    password_xls,
    rewrite,
    workbook_bytes,
    xls_bytes,
)


def load_error(name, data):
    with pytest.raises(LoadError) as caught:
        loading.load_exports([loading.Source(name, data)])
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{name}: ")
    return message


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>\n"
)


def with_dtd(dtd):
    def change(content):
        body = content.split(b"?>", 1)[1] if content.startswith(b"<?xml") else content
        return dtd + body.replace(b"Ana", b"&lol9;")

    return change


class TestNotASpreadsheet:
    def test_zero_bytes(self):
        assert "empty (0 bytes)" in load_error("export.xlsx", b"")

    @pytest.mark.parametrize(
        "data, said",
        [
            (b"%PDF-1.7\n...", "PDF"),
            (b"\x89PNG\r\n\x1a\n....", "PNG"),
            (b"\x00\x01\x02binary\x00", "not a spreadsheet"),
        ],
    )
    def test_binary_files(self, data, said):
        assert said in load_error("export.xlsx", data)

    def test_html_saved_as_xls(self):
        message = load_error("export.xls", b"<html><table><tr><td>ID</td></tr></table></html>")
        assert "save it as .xlsx" in message

    def test_text_named_xlsx(self):
        assert "rename it to .csv" in load_error("export.xlsx", b"ID,Name,Email\n1,A,B\n")

    def test_zip_that_is_not_a_workbook(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "hello")
        assert "not an Excel workbook" in load_error("export.xlsx", buffer.getvalue())


class TestDamaged:
    def test_truncated_zip(self):
        data = workbook_bytes()
        assert "damaged or incomplete" in load_error("export.xlsx", data[: len(data) // 2])

    def test_corrupt_member(self):
        data = bytearray(workbook_bytes())
        start = data.find(b"xl/worksheets/sheet1.xml") + 40  # inside that member's data
        data[start : start + 30] = b"\xff" * 30
        message = load_error("export.xlsx", bytes(data))
        assert "damaged" in message


class TestPassword:
    def test_encrypted_ole_container(self):
        data = safety.OLE2_MAGIC + b"\x00" * 500 + "EncryptedPackage".encode("utf-16-le")
        assert "remove the password and upload again" in load_error("export.xlsx", data)

    def test_any_ole_file_named_xlsx(self):
        data = safety.OLE2_MAGIC + b"\x00" * 500
        assert "remove the password and upload again" in load_error("export.xlsx", data)

    def test_unreadable_xls(self):
        data = safety.OLE2_MAGIC + b"\x00" * 500
        assert "save it as .xlsx" in load_error("old.xls", data)


class TestOldXls:
    def test_a_real_biff8_workbook_is_read_by_calamine(self):
        res = loading.load_exports([loading.Source("old.xls", xls_bytes())])
        assert res.frame["applicant_id"].tolist() == ["007"]
        assert res.frame["email"].tolist() == ["a@x"]
        assert res.sources[0].sheet == "Applicants"


class TestXmlEntities:
    def test_billion_laughs_in_sheet(self):
        data = rewrite(workbook_bytes(), {"xl/worksheets/sheet1.xml": with_dtd(BILLION_LAUGHS)})
        assert "document type declarations" in load_error("export.xlsx", data)

    def test_billion_laughs_in_shared_strings(self):
        # openpyxl writes inline strings; xlsxwriter writes the shared-strings part.
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer)
        sheet = book.add_worksheet()
        for number, row in enumerate([HEADER, ["1", "Ana", "a@x"]]):
            sheet.write_row(number, 0, row)
        book.close()
        shared = {"xl/sharedStrings.xml": with_dtd(BILLION_LAUGHS)}
        data = rewrite(buffer.getvalue(), shared)
        assert b"<!DOCTYPE" in zipfile.ZipFile(io.BytesIO(data)).read("xl/sharedStrings.xml")
        assert "document type declarations" in load_error("export.xlsx", data)

    def test_external_entity(self):
        dtd = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY lol9 SYSTEM "file:///etc/hostname">]>'
        data = rewrite(workbook_bytes(), {"xl/worksheets/sheet1.xml": with_dtd(dtd)})
        assert "document type declarations" in load_error("export.xlsx", data)

    def test_openpyxl_must_use_defusedxml(self, monkeypatch):
        monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
        with pytest.raises(UnsafeSetupError, match="defusedxml"):
            safety.check_xml_hardening()

    def test_no_workbook_is_parsed_by_openpyxl_without_defusedxml(self, monkeypatch):
        data = workbook_bytes(far_cell="XFD1048576")  # only openpyxl may read it
        monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
        with pytest.raises(UnsafeSetupError, match="install the pinned requirements"):
            loading.load_exports([loading.Source("far.xlsx", data)])


class TestZipBombs:
    def test_high_compression_ratio(self):
        data = rewrite(workbook_bytes(), add={"xl/media/pad.bin": b"\x00" * (3 * 1024 * 1024)})
        assert "zip bomb" in load_error("export.xlsx", data)

    def test_total_uncompressed_size(self, monkeypatch):
        monkeypatch.setattr(safety, "MAX_UNCOMPRESSED_TOTAL", 64 * 1024)
        rows = [HEADER] + [[str(i), f"name {i}", f"{i}@example.org"] for i in range(3000)]
        assert "unpacks to more than" in load_error("export.xlsx", workbook_bytes(rows))

    def test_declared_size_that_lies_is_caught_while_inflating(self):
        data = bytearray(workbook_bytes())
        # Shrink the sheet's declared size in both the local and the central header.
        with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
            info = archive.getinfo("xl/worksheets/sheet1.xml")
        real = info.file_size.to_bytes(4, "little")
        fake = (16).to_bytes(4, "little")
        name = b"xl/worksheets/sheet1.xml"
        for at in (data.find(b"PK\x03\x04" + data[4:4]),):  # noqa: B007 - local header below
            pass
        local = data.rfind(b"PK\x03\x04", 0, data.find(name))
        assert data[local + 22 : local + 26] == real
        data[local + 22 : local + 26] = fake
        central = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
        assert data[central + 24 : central + 28] == real
        data[central + 24 : central + 28] = fake
        message = load_error("export.xlsx", bytes(data))
        assert "damaged" in message or "zip bomb" in message


class TestRanges:
    def test_one_far_cell_is_read_in_bounded_memory(self):
        data = workbook_bytes(far_cell="XFD1048576")
        assert safety.check_zip("far.xlsx", data).calamine_safe is False
        res = loading.load_exports([loading.Source("far.xlsx", data)])
        assert list(res.frame["applicant_id"]) == ["1"]
        assert res.rows_read == 2
        assert list(res.rejected["row"]) == [1048576]  # the far cell's row: reported, not lost
        assert res.extra_columns == ["Unnamed column 4"]

    def test_far_column_alone(self):
        res = loading.load_exports([loading.Source("far.xlsx", workbook_bytes(far_cell="XFD1"))])
        assert list(res.frame["full_name"]) == ["Ana"]
        assert res.extra_columns == ["far"]  # its header cell is in row 1: kept as a column

    def test_far_row_alone(self):
        data = workbook_bytes(far_cell="A1048576")
        res = loading.load_exports([loading.Source("far.xlsx", data)])
        assert list(res.frame["source_row"]) == [2, 1048576]
        assert list(res.frame["applicant_id"]) == ["1", "far"]

    def test_ordinary_sheet_is_calamine_safe(self):
        assert safety.check_zip("ok.xlsx", workbook_bytes()).calamine_safe is True

    def test_cells_without_references_are_bounded_by_their_count(self):
        def strip_refs(content):
            return content.replace(b' r="A2"', b"").replace(b' r="B2"', b"")

        data = rewrite(workbook_bytes(), {"xl/worksheets/sheet1.xml": strip_refs})
        res = loading.load_exports([loading.Source("x.xlsx", data)])
        assert list(res.frame["full_name"]) == ["Ana"]


def sheet_rows(first, last, columns="ABCDEFGHIJKLMNOPQRST", quote='"'):
    """Worksheet XML for rows first..last, as an export writer lays them out."""
    return b"".join(
        b'<row r="%d">' % row
        + b"".join(
            b"<c r=%s%s%d%s><v>1</v></c>" % (quote.encode(), col.encode(), row, quote.encode())
            for col in columns
        )
        + b"</row>"
        for row in range(first, last + 1)
    )


class TestFarCellScanPastRow99999:
    """The scan of one window of sheet XML: rows of six and seven digits are read exactly
    (every window of a 300,000-row export has them), whatever the reference's case."""

    def test_rows_of_six_digits(self):
        assert safety.window_extent(sheet_rows(123_400, 123_456)) == (123_456, 0)

    def test_farthest_row_is_not_the_last_one(self):
        window = sheet_rows(100_000, 100_050).replace(b'"C100020"', b'"C999999"')
        assert safety.window_extent(window) == (999_999, 0)

    def test_a_shorter_row_number_never_wins_over_a_longer(self):
        window = sheet_rows(99_990, 100_001)  # "99999" sorts after "100001" as text
        assert safety.window_extent(window) == (100_001, 0)

    def test_rows_of_seven_digits_among_six(self):
        window = sheet_rows(300_000, 300_040).replace(b'"B300007"', b'"B1048576"')
        assert safety.window_extent(window) == (1_048_576, 0)

    def test_seven_digits_with_a_leading_zero_count_as_their_number(self):
        window = sheet_rows(500_000, 500_010).replace(b'"D500003"', b'"D0123456"')
        assert safety.window_extent(window) == (500_010, 0)

    def test_single_quoted_references(self):
        assert safety.window_extent(sheet_rows(250_000, 250_030, quote="'")) == (250_030, 0)

    # 21 rows of 20 cells. A reference starting lower-case makes the window irregular,
    # whose bound also counts the row elements (21) and the cells (420).
    @pytest.mark.parametrize(
        ("ref", "extent"),
        [
            (b"xfd1048576", (1_048_576 + 21, 16_384)),
            (b"Xfd1048576", (1_048_576, 16_384)),
            (b"xFD123456", (200_020 + 21, 16_384)),
            (b"t200020", (200_020 + 21, 420)),
            (b"AB200010", (200_020, 28)),
        ],
    )
    def test_any_case_reference_among_deep_rows(self, ref, extent):
        window = sheet_rows(200_000, 200_020).replace(b'"E200010"', b'"' + ref + b'"')
        assert safety.window_extent(window) == extent

    def test_rows_under_100000_need_no_count(self):
        rows, cols = safety.window_extent(sheet_rows(99_000, 99_100))
        assert rows <= 99_999 and cols <= 26

    def test_export_past_row_99999_stays_with_calamine(self):
        data = workbook_bytes(far_cell="T400000")  # 400,000 x 26 cells: under the limit
        assert safety.check_zip("deep.xlsx", data).calamine_safe is True

    def test_deep_and_wide_enough_goes_to_the_bounded_reader(self):
        data = workbook_bytes(far_cell="AD500000")  # 500,000 x 30 cells: over the limit
        assert safety.check_zip("deep.xlsx", data).calamine_safe is False


class TestEmptyAndHeaderless:
    def test_every_sheet_empty(self):
        book = openpyxl.Workbook()
        book.create_sheet("Second")
        buffer = io.BytesIO()
        book.save(buffer)
        assert "every sheet is empty" in load_error("export.xlsx", buffer.getvalue())

    def test_named_empty_sheet(self):
        book = openpyxl.Workbook()
        book.active.title = "Blank"
        book.create_sheet("Data").append(HEADER)
        buffer = io.BytesIO()
        book.save(buffer)
        with pytest.raises(LoadError, match="sheet 'Blank' is empty"):
            loading.load_exports([loading.Source("x.xlsx", buffer.getvalue())], sheet="Blank")

    def test_empty_csv_lines(self):
        assert "x.csv: the file is empty" in load_error("x.csv", b"\n\n ,, \n")

    def test_no_header_names_columns_and_mapping(self):
        data = workbook_bytes(rows=[["Colour", "Size", "Shape"], ["red", "L", "round"]])
        with pytest.raises(NoHeaderError) as caught:
            loading.load_exports([loading.Source("shop.xlsx", data)])
        assert caught.value.columns_found == ["Colour", "Size", "Shape"]
        message = str(caught.value)
        assert "Colour, Size, Shape" in message and "--mapping" in message


class TestFarReferencesInAnyCase:
    """calamine reads `xfd1048576` and `Xfd1048576` as XFD1048576 (and allocates 512 GiB for
    it): the guard must see the reference whatever its case, the row element saying 3."""

    @pytest.mark.parametrize("ref", ["xfd1048576", "Xfd1048576", "XFd1048576", "xFD3", "Xfd3"])
    def test_is_read_in_bounded_memory(self, ref):
        data = far_reference(ref)
        assert safety.check_zip("far.xlsx", data).calamine_safe is False
        res = loading.load_exports([loading.Source("far.xlsx", data)])
        assert list(res.frame["applicant_id"]) == ["1"]
        assert len(res.rejected) == 1  # the far cell's row has no applicant ID

    def test_near_lower_case_reference_stays_with_calamine(self):
        data = far_reference("c3")
        assert safety.check_zip("near.xlsx", data).calamine_safe is True


class TestPasswordXls:
    def test_is_named_password_protected_not_damaged(self):
        message = load_error("old.xls", password_xls())
        assert "password-protected" in message
        assert "damaged" not in message


class PanicException(BaseException):
    """Named like pyo3's: a BaseException that `except Exception` misses."""


class _PanickingReader:
    sheet_names = ["Applicants"]

    def load_sheet(self, *args, **kwargs):
        raise PanicException("index out of range")


class TestReaderPanics:
    def test_panic_on_an_xls_sheet_is_a_load_error(self, monkeypatch):
        monkeypatch.setattr(fastexcel, "read_excel", lambda data: _PanickingReader())
        assert "cannot be read" in load_error("old.xls", xls_bytes())

    def test_panic_opening_an_xls_is_a_load_error(self, monkeypatch):
        def panic(data):
            raise PanicException("attempt to subtract with overflow")

        monkeypatch.setattr(fastexcel, "read_excel", panic)
        assert "cannot be read" in load_error("old.xls", xls_bytes())

    def test_panic_on_an_xlsx_sheet_falls_back_to_openpyxl(self, monkeypatch):
        monkeypatch.setattr(fastexcel, "read_excel", lambda data: _PanickingReader())
        book = openpyxl.Workbook()
        book.active.title = "Applicants"
        for row in (HEADER, ["1", "Ana", "a@x"]):
            book.active.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        res = loading.load_exports([loading.Source("x.xlsx", buffer.getvalue())])
        assert list(res.frame["full_name"]) == ["Ana"]

    def test_interrupts_are_not_failures_of_the_file(self):
        assert reading.is_reader_failure(PanicException())
        assert reading.is_reader_failure(ValueError())
        assert not reading.is_reader_failure(KeyboardInterrupt())


def error_values_workbook():
    book = openpyxl.Workbook()
    book.active.title = "Formulas"
    book.active["A1"] = "#N/A"  # openpyxl stores these as error cells (t="e")
    book.active["B2"] = "#DIV/0!"
    book.active["C3"] = "#REF!"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class TestErrorValuesOnly:
    def test_every_sheet_of_error_values_is_not_called_empty(self):
        message = load_error("errors.xlsx", error_values_workbook())
        assert "only Excel error values (3 cells" in message
        assert "empty" not in message

    def test_named_sheet_of_error_values(self):
        data = error_values_workbook()
        with pytest.raises(LoadError, match="sheet 'Formulas' holds only Excel error values"):
            loading.load_exports([loading.Source("errors.xlsx", data)], sheet="Formulas")


class TestCsvFieldSize:
    def test_field_over_the_csv_modules_default_limit_is_read(self):
        name = "N" * 200_000  # the csv module stops at 131,072 characters by default
        data = f"Applicant ID,Full Name,Email\n1,{name},a@x\n".encode()
        res = loading.load_exports([loading.Source("long.csv", data)])
        assert res.frame["full_name"].str.len().tolist() == [200_000]
        assert res.frame["email"].tolist() == ["a@x"]
