"""`python -m analytics diff`: JSON and text on two small exports, one-line errors per side."""

import json

import pytest

from analytics.__main__ import main

HEADER = (
    "Applicant ID,Full name,Email,Cohort,Degree,Accredited,Licence expiry,CME hours,"
    "Certification expiry,CE hours,Ethics attestation\n"
)
OLD = HEADER + (
    "A1,Ana One,ana@example.org,Spring,MD,yes,2030-01-01,25,,,\n"  # eligible, stays so
    "A2,Ben Two,ben@example.org,Spring,RN,yes,2030-01-01,12,,,\n"  # nursing needs 30
    "A3,Cy Three,cy@example.org,Spring,MD,yes,2026-10-20,25,,,\n"  # licence lapses 20 Oct
    "A4,Dee Four,dee@example.org,Spring,MBA,yes,2030-01-01,40,,,\n"  # only in the old
    "C1,Eve Five,eve@example.org,2024,MD,yes,2030-01-01,,2026-10-20,30,yes\n"
)
NEW = HEADER + (
    "a1 ,Ana One,ana@example.org,Spring,MD,yes,2030-01-01,25,,,\n"  # same person as A1
    "A2,Ben Two,ben@example.org,Spring,RN,yes,2030-01-01,35,,,\n"
    "A3,Cy Three,cy@example.org,Spring,MD,yes,2026-10-20,25,,,\n"
    "N1,Fay Six,fay@example.org,Autumn,MD,yes,2030-01-01,22,,,\n"
    "C1,Eve Five,eve@example.org,2024,MD,yes,2030-01-01,,2026-10-20,30,yes\n"
)
PERSONAL = ("A1", "A2", "A3", "A4", "N1", "C1", "Ana", "Ben", "Cy", "Eve", "Fay", "example.org")


def run(argv, capsys):
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def exports(tmp_path):
    old, new = tmp_path / "october.csv", tmp_path / "november.csv"
    old.write_text(OLD, encoding="utf-8")
    new.write_text(NEW, encoding="utf-8")
    return old, new


def diff(exports, *options):
    old, new = exports
    return ["diff", "--old", str(old), "--new", str(new), *options]


def refused(argv, capsys) -> str:
    """Runs a command that must fail: exit 2, nothing on stdout, one line on stderr."""
    code, out, err = run(argv, capsys)
    assert (code, out) == (2, ""), err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err
    return err.strip()


class TestUsable:
    def test_json(self, exports, capsys):
        argv = diff(exports, "--as-of", "2026-11-01", "--old-as-of", "2026-10-01")
        code, out, err = run(argv, capsys)
        assert code == 0, err
        data = json.loads(out)
        assert (data["as_of"], data["old_as_of"], data["rule_set"]) == (
            "2026-11-01",
            "2026-10-01",
            "standard",
        )
        assert data["applicants"] == {
            "old": 4,
            "new": 4,
            "added": 1,
            "removed": 1,
            "continuing": 3,
        }
        assert data["status"] == {
            "eligible": {"eligible": 1, "incomplete": 0, "ineligible": 1},  # A1; A3
            "incomplete": {"eligible": 0, "incomplete": 0, "ineligible": 0},
            "ineligible": {"eligible": 1, "incomplete": 0, "ineligible": 0},  # A2
        }
        assert (data["newly_eligible"], data["no_longer_eligible"]) == (1, 1)
        assert (data["added_eligible"], data["became_certified"]) == (1, 0)
        moved = {k: v for k, v in data["rules"].items() if v != {"resolved": 0, "new": 0}}
        assert moved == {
            "license_current": {"resolved": 0, "new": 1},
            "cme_hours": {"resolved": 1, "new": 0},
        }
        assert len(data["rules"]) == 7
        # C1 expires 20 Oct: due on 1 Oct, overdue on 1 Nov.
        assert data["renewals"] == {
            "old_certified": 1,
            "new_certified": 1,
            "renewed": 0,
            "newly_overdue": 1,
        }

    def test_old_side_defaults_to_the_same_as_of(self, exports, capsys):
        code, out, err = run(diff(exports, "--as-of", "2026-11-01"), capsys)
        assert code == 0, err
        data = json.loads(out)
        assert data["old_as_of"] == "2026-11-01"
        # Judged on the same day, A3's licence had lapsed already and C1 was overdue.
        assert data["no_longer_eligible"] == 0
        assert data["status"]["ineligible"]["ineligible"] == 1
        assert data["renewals"]["newly_overdue"] == 0

    def test_text_is_a_paragraph_naming_no_one(self, exports, capsys):
        argv = diff(exports, "--as-of", "2026-11-01", "--old-as-of", "2026-10-01")
        code, out, err = run([*argv, "--format", "text"], capsys)
        assert code == 0, err
        assert out.count("\n") == 1
        for personal in PERSONAL:
            assert personal not in out
        assert "as of 2026-10-01" in out and "as of 2026-11-01" in out
        assert "Applicants: 4 now against 4 before; 1 new, 1 no longer listed" in out
        assert "1 became eligible and 1 are no longer eligible" in out
        assert "1 renewed" not in out and "1 became overdue" in out


class TestUnusable:
    def test_missing_old_side_names_the_side(self, exports, tmp_path, capsys):
        _, new = exports
        argv = ["diff", "--old", str(tmp_path / "gone.csv"), "--new", str(new)]
        assert refused(argv, capsys) == "error: old side: gone.csv: file not found"

    def test_corrupt_new_side_names_the_side(self, exports, tmp_path, capsys):
        old, _ = exports
        broken = tmp_path / "november.xlsx"
        broken.write_bytes(b"PK\x03\x04 not really a workbook")
        line = refused(["diff", "--old", str(old), "--new", str(broken)], capsys)
        assert line.startswith("error: new side: november.xlsx: ")

    def test_bad_old_as_of(self, exports, capsys):
        line = refused(diff(exports, "--old-as-of", "1 Oct"), capsys)
        assert line.startswith("error: --old-as-of: '1 Oct' is not a date")

    def test_a_side_is_required(self, exports, capsys):
        old, _ = exports
        assert "--new" in refused(["diff", "--old", str(old)], capsys)
