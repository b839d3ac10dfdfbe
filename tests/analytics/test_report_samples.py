"""The headless report on the sample exports, checked against counts worked out without it.

The expected figures come from tests/sample_counts.py: the raw files read with openpyxl and
csv, plain Python and DOMAIN §3-5 written out again; nothing from analytics is used for
them, so a fault in the loader or the engine cannot hide by being repeated on both sides.
"""

import json
import subprocess
import sys

import pytest

from tests.sample_counts import AS_OF, FILES, ROOT, expected_report


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
