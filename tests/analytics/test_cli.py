"""`python -m analytics report`: exit codes, one-line errors, JSON on stdout."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.__main__ import main
from analytics.loading import worker
from tests.analytics.hostile_files import workbook_bytes

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "samples" / "applicants_2026_autumn.csv"
CSV = (
    "Applicant ID,Cohort,Degree,Accredited,Licence expiry,CME hours,Certified on,CE hours,"
    "Ethics attestation\n"
    "A1,Spring,MD,yes,2026-01-01,25,,,\n"
    "A2,Spring,RN,yes,2026-01-01,12,,,\n"
    "A3,,MBA,yes,2026-01-01,40,,,\n"
    ",Spring,MD,yes,2026-01-01,40,,,\n"
    "C1,2024,MD,yes,2026-01-01,,2023-07-15,30,yes\n"
)


def run(argv, capsys):
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "intake.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def one_line_error(err: str) -> str:
    assert err.endswith("\n")
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err.strip()


class TestUsable:
    def test_json_report(self, export, capsys):
        code, out, err = run(["report", str(export), "--as-of", "2025-06-30"], capsys)
        assert code == 0, err
        data = json.loads(out)
        assert data["as_of"] == "2025-06-30"
        assert data["rule_set"] == "standard"
        assert (data["rows_read"], data["rows_rejected"], data["rows_duplicate"]) == (5, 1, 0)
        assert (data["applicants"], data["eligible"], data["ineligible"]) == (3, 1, 2)
        assert data["near_miss"] == 2
        assert data["renewals"]["certified"] == 1
        assert data["renewals"]["due"] == 1
        assert set(data["by_cohort"]) == {"Spring", "Unassigned"}

    def test_json_lists_each_issue_on_a_line_of_its_own(self, export, capsys):
        code, out, err = run(["report", str(export), "--as-of", "2025-06-30"], capsys)
        assert code == 0, err
        lines = out.splitlines()
        start = lines.index('  "issues": [')
        issue_lines = lines[start + 1 : lines.index("  ]", start)]
        # The one rejected row (no applicant ID on line 5 of the CSV), on one line.
        assert len(issue_lines) == 1
        issue = json.loads(issue_lines[0].strip())
        assert (issue["row"], issue["column"]) == (5, "applicant_id")
        assert lines[1].startswith('  "as_of": ') and out.endswith("}\n")

    def test_advanced_rules_and_text_format(self, export, capsys):
        argv = ["report", str(export), "--rules", "advanced", "--as-of", "2025-06-30"]
        code, out, err = run([*argv, "--format", "text"], capsys)
        assert code == 0, err
        assert out.startswith("Admissions report: Advanced track rules, as of 2025-06-30")
        assert "RENEWALS" in out

    def test_rules_from_a_file(self, export, tmp_path, capsys):
        text = (ROOT / "data" / "rules" / "standard.toml").read_text(encoding="utf-8")
        lenient = tmp_path / "lenient.toml"
        lenient.write_text(text.replace("nursing = 30,", "nursing = 10,"), encoding="utf-8")
        argv = ["report", str(export), "--rules", str(lenient), "--as-of", "2025-06-30"]
        code, out, _ = run(argv, capsys)
        assert code == 0
        assert json.loads(out)["eligible"] == 2  # A2's 12 CME hours now pass

    def test_mapping_file(self, tmp_path, capsys):
        path = tmp_path / "odd.csv"
        path.write_text("Ref No,Group,Qual\nA1,Spring,MD\n", encoding="utf-8")
        mapping = tmp_path / "map.toml"
        mapping.write_text(
            '[columns]\n"Ref No" = "applicant_id"\n"Group" = "cohort"\n"Qual" = "degree"\n',
            encoding="utf-8",
        )
        argv = ["report", str(path), "--mapping", str(mapping), "--as-of", "2025-06-30"]
        code, out, err = run(argv, capsys)
        assert code == 0, err
        assert json.loads(out)["by_cohort"]["Spring"]["applicants"] == 1


class TestUnusable:
    def test_missing_file(self, tmp_path, capsys):
        code, out, err = run(["report", str(tmp_path / "nope.xlsx")], capsys)
        assert code == 2
        assert out == ""
        assert one_line_error(err) == "error: nope.xlsx: file not found"

    def test_file_that_is_not_a_spreadsheet(self, tmp_path, capsys):
        path = tmp_path / "broken.xlsx"
        path.write_bytes(b"PK\x03\x04 this is not really a workbook")
        code, _, err = run(["report", str(path)], capsys)
        assert code == 2
        assert "broken.xlsx" in one_line_error(err)

    def test_no_recognisable_header(self, tmp_path, capsys):
        path = tmp_path / "notes.csv"
        path.write_text("colour,size\nred,3\n", encoding="utf-8")
        code, _, err = run(["report", str(path)], capsys)
        assert code == 2
        assert "notes.csv" in one_line_error(err)

    @pytest.mark.parametrize("value", ["25/06/2025", "2025-02-30", "tomorrow", "20250630"])
    def test_bad_as_of(self, export, capsys, value):
        code, _, err = run(["report", str(export), "--as-of", value], capsys)
        assert code == 2
        assert one_line_error(err) == f"error: --as-of: '{value}' is not a date written YYYY-MM-DD"

    def test_bad_rules_file(self, export, tmp_path, capsys):
        bad = tmp_path / "bad.toml"
        text = (ROOT / "data" / "rules" / "standard.toml").read_text(encoding="utf-8")
        bad.write_text(text.replace('check = "is_true"', 'check = "yes"', 1), encoding="utf-8")
        code, _, err = run(["report", str(export), "--rules", str(bad)], capsys)
        assert code == 2
        assert one_line_error(err) == (
            "error: bad.toml: rule 'accredited_institution': unknown check 'yes' "
            "(use at_least, in_set, is_true, date_on_or_after_as_of, mentions_any)"
        )

    def test_unknown_rule_set_name(self, export, capsys):
        code, _, err = run(["report", str(export), "--rules", "expert"], capsys)
        assert code == 2
        assert one_line_error(err).startswith("error: expert: rules file not found")

    def test_bad_mapping_file(self, export, tmp_path, capsys):
        mapping = tmp_path / "map.toml"
        mapping.write_text('[columns]\n"Ref" = "shoe_size"\n', encoding="utf-8")
        code, _, err = run(["report", str(export), "--mapping", str(mapping)], capsys)
        assert code == 2
        assert "map.toml" in one_line_error(err)

    @pytest.mark.parametrize(
        "argv",
        [[], ["report"], ["summarise", "x.csv"], ["report", "x.csv", "--format", "pdf"]],
    )
    def test_usage_errors(self, argv, capsys):
        code, _, err = run(argv, capsys)
        assert code == 2
        assert one_line_error(err).startswith("error: ")


def test_real_process_prints_no_traceback(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "analytics", "report", str(tmp_path / "missing.csv")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "error: missing.csv: file not found\n"


def test_reader_without_defusedxml_is_refused_with_what_to_install(tmp_path):
    """The reader's own process checks the XML stack before openpyxl parses: here it is not
    hardened (a sitecustomize switches defusedxml off in every interpreter started)."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text("import openpyxl\nopenpyxl.DEFUSEDXML = False\n")
    far = tmp_path / "far.xlsx"
    far.write_bytes(workbook_bytes(far_cell="XFD1048576"))  # only openpyxl may read it
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hooks), str(ROOT)])}
    done = subprocess.run(
        [sys.executable, "-m", "analytics", "report", str(far)],
        capture_output=True, text=True, cwd=ROOT, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    message = one_line_error(done.stderr)
    assert "defusedxml" in message and "install the pinned requirements" in message


class TestFailuresInTheReadersChild:
    """The report is read, evaluated and written in the reader's child: what fails there
    is told apart (the file, or the report's own code)."""

    def test_the_reports_own_code_failing_is_one_line_exit_1(self, export, capsys, monkeypatch):
        monkeypatch.setattr(worker, "_test_fault", ("report", None))
        code, out, err = run(["report", str(export)], capsys)
        assert (code, out) == (1, "")
        assert one_line_error(err) == (
            "error: unexpected KeyError while building the report; please report it"
        )

    def test_the_file_failing_the_reader_names_the_file_exit_2(self, export, capsys, monkeypatch):
        monkeypatch.setattr(worker, "_test_fault", ("panic", None))
        code, out, err = run(["report", str(export), "--format", "text"], capsys)
        assert (code, out) == (2, "")
        assert one_line_error(err).startswith(
            "error: intake.csv: this file makes the spreadsheet reader fail"
        )


def test_sample_export_reads(capsys):
    code, out, err = run(["report", str(SAMPLE), "--as-of", "2026-11-25"], capsys)
    assert code == 0, err
    assert json.loads(out)["applicants"] > 0


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_output_that_cannot_be_written_is_an_error_not_a_silent_success():
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "analytics", "report", str(SAMPLE), "--format", "text"],
            cwd=ROOT, stdout=full, stderr=subprocess.PIPE, text=True, env=env, check=False,
        )  # fmt: skip
    assert done.returncode == 1
    assert one_line_error(done.stderr).startswith("error: the output could not be written")
