"""Text files (DOMAIN 3.8): a byte-order mark decides the encoding (UTF-8, UTF-16 LE or
BE as Excel's "Unicode Text" save writes it: tab-delimited); without one UTF-8, else
cp1252; the delimiter is sniffed among , ; tab |; .csv, .tsv and .txt read alike. The
files are written here; the expected cells are the text they were written from."""

import json

import pytest

from analytics import loading
from analytics.__main__ import main
from analytics.errors import LoadError
from analytics.loading import reading

# Excel's "Unicode Text": tab-delimited, CRLF, names beyond Latin-1 (Ł, ő) and an é.
UNICODE_TEXT = (
    "Applicant ID\tFull Name\tCountry\r\n"
    "A1\tŁucja Kowalczyk\tPolska\r\n"
    "A2\tRenée Dupont\tFrance\r\n"
    "A3\tGyőző Nagy\tMagyarország\r\n"
)
NAMES = ["Łucja Kowalczyk", "Renée Dupont", "Győző Nagy"]


def load(name, data):
    return loading.load_exports([loading.Source(name, data)])


class TestByteOrderMark:
    @pytest.mark.parametrize(
        "data",
        [
            "\ufeff".encode() + UNICODE_TEXT.encode("utf-8"),
            ("\ufeff" + UNICODE_TEXT).encode("utf-16-le"),
            ("\ufeff" + UNICODE_TEXT).encode("utf-16-be"),
        ],
        ids=["utf-8", "utf-16-le", "utf-16-be"],
    )
    def test_bom_decides_the_encoding(self, data):
        res = load("export.txt", data)
        assert res.sources[0].columns["Applicant ID"] == "applicant_id"  # not "ÿþA p p ..."
        assert res.frame["applicant_id"].tolist() == ["A1", "A2", "A3"]
        assert res.frame["full_name"].tolist() == NAMES
        assert res.frame["source_row"].tolist() == [2, 3, 4]
        assert res.frame["country"].tolist() == ["Polska", "France", "Magyarország"]

    def test_utf16_odd_trailing_byte_is_a_replacement_character_not_a_failure(self):
        data = ("\ufeff" + UNICODE_TEXT).encode("utf-16-le") + b"\x00"
        ids = load("export.txt", data).frame["applicant_id"].tolist()
        assert ids == ["A1", "A2", "A3", "\ufffd"]  # the stray byte: a last line of its own

    def test_only_a_bom_is_an_empty_file(self):
        with pytest.raises(LoadError, match="the file is empty"):
            load("export.csv", b"\xef\xbb\xbf")


class TestWithoutBom:
    def test_cp1252_when_not_utf8(self):
        data = "ID;Name;Country\n1;Zoë Brontë;Curaçao\n".encode("cp1252")
        res = load("export.csv", data)
        assert res.frame.loc[0, "full_name"] == "Zoë Brontë"
        assert res.frame.loc[0, "country"] == "Curaçao"

    def test_utf8_without_bom(self):
        res = load("export.csv", "ID,Name,Country\n1,Zoë,España\n".encode())
        assert res.frame.loc[0, "country"] == "España"

    def test_cp1252_undefined_byte_becomes_a_replacement_character(self):
        res = load("export.csv", b"ID,Name,Country\n1,A\x81B,X\n")
        assert res.frame.loc[0, "full_name"] == "A\ufffdB"


class TestDelimiters:
    @pytest.mark.parametrize(
        "name, delimiter",
        [("x.csv", ";"), ("x.csv", "|"), ("x.tsv", "\t"), ("x.txt", "|")],
    )
    def test_sniffed(self, name, delimiter):
        rows = [["ID", "Name", "Email"], ["1", "Ana, Jr", "a@x"], ["2", "Ben", "b@x"]]
        text = "".join(delimiter.join(row) + "\n" for row in rows)
        res = load(name, text.encode())
        assert res.frame["full_name"].tolist() == ["Ana, Jr", "Ben"]
        assert res.frame["email"].tolist() == ["a@x", "b@x"]


class TestRecords:
    def test_quoted_newline_blank_lines_and_short_rows_keep_record_numbers(self):
        text = (
            "ID,Name,Email\n"  # 1
            '1,"Ana\nMaria",a@x\n'  # 2: one record over two lines
            "\n"  # 3: skipped, still counted
            "2,Ben\n"  # 4: the email left out
            "   \n"  # 5: whitespace only
            "3,Cy,c@x\n"  # 6
        )
        res = load("x.csv", text.encode())
        assert res.frame["source_row"].tolist() == [2, 4, 6]
        assert res.frame["full_name"].tolist() == ["Ana\nMaria", "Ben", "Cy"]
        assert res.frame["email"].isna().tolist() == [False, True, False]

    def test_200000_character_field(self):
        name = "N" * 200_000
        res = load("long.txt", f"Applicant ID\tFull Name\tEmail\n1\t{name}\ta@x\n".encode())
        assert res.frame["full_name"].str.len().tolist() == [200_000]
        assert res.frame["email"].tolist() == ["a@x"]

    def test_record_longer_than_a_block_is_read_whole(self, monkeypatch):
        monkeypatch.setattr(reading, "CSV_BLOCK_BYTES", 64)
        name = "N" * 1_000
        res = load("x.csv", f"ID,Name,Email\n1,{name},a@x\n2,B,b@x\n".encode())
        assert res.frame["full_name"].str.len().tolist() == [1_000, 1]


class TestBinaryRenamedTxt:
    @pytest.mark.parametrize(
        "data",
        [
            b"\x7fELF\x02\x01\x01\x00\x00\x00binary",
            b"\x89PNG\r\n\x1a\n....",
            b"\xff\xfe\x00\x00I\x00D\x00",  # UTF-32: a NUL character after the UTF-16 BOM
        ],
        ids=["elf", "png", "utf-32"],
    )
    def test_refused_with_one_line(self, data):
        with pytest.raises(LoadError) as caught:
            load("export.txt", data)
        message = str(caught.value)
        assert message.startswith("export.txt: ") and "\n" not in message
        assert "not a spreadsheet" in message


class TestCli:
    @pytest.mark.parametrize(
        "name, data",
        [
            ("export.txt", ("\ufeff" + UNICODE_TEXT).encode("utf-16-le")),
            ("export.tsv", UNICODE_TEXT.encode("utf-8")),
        ],
    )
    def test_text_files_read_like_csv(self, tmp_path, capsys, name, data):
        path = tmp_path / name
        path.write_bytes(data)
        code = main(["report", str(path), "--as-of", "2026-01-01"])
        captured = capsys.readouterr()
        assert code == 0, captured.err
        report = json.loads(captured.out)
        assert (report["rows_read"], report["applicants"]) == (3, 3)

    def test_binary_renamed_txt_is_one_line(self, tmp_path, capsys):
        path = tmp_path / "export.txt"
        path.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00binary")
        code = main(["report", str(path)])
        err = capsys.readouterr().err
        assert code == 2
        assert err.count("\n") == 1 and "export.txt" in err and "Traceback" not in err
