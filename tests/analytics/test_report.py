"""build_report / render_text on an inline load result (the JSON contract of DOMAIN §6)."""

import json
from datetime import date

import pandas as pd
import pytest

from analytics import rules
from analytics.loading import LoadResult, SheetInfo
from analytics.reporting import report
from analytics.rules import evaluation

AS_OF = date(2025, 6, 30)
REQUIRED_KEYS = {
    "as_of",
    "rule_set",
    "rows_read",
    "rows_rejected",
    "rows_duplicate",
    "applicants",
    "eligible",
    "incomplete",
    "ineligible",
    "eligibility_rate",
    "near_miss",
    "gaps",
    "by_cohort",
    "renewals",
    "issues",
}


def loaded() -> LoadResult:
    frame = pd.DataFrame(
        {
            "applicant_id": pd.array(["A1", "A2", "A3", "C1", "C2"], dtype="string"),
            "full_name": pd.array(["Ann Lee", "Bo Chan", "Cy Doe", "Di Fox", "Ed Gray"], "string"),
            "cohort": pd.array(["Spring", "Spring", None, "2024", "2024"], dtype="string"),
            "degree": pd.array(["medicine", "nursing", "law", None, None], dtype="string"),
            "degree_accredited": pd.array([True, True, True, None, None], dtype="boolean"),
            "license_expiry": pd.to_datetime(
                ["2026-01-01", "2026-01-01", "2026-01-01", "2026-01-01", "2025-06-01"]
            ),
            "cme_hours": [25.0, 26.0, 40.0, None, None],
            "certified_on": pd.to_datetime([None, None, None, "2023-07-15", "2023-05-20"]),
            "ce_hours_since_certification": [None, None, None, 30.0, 30.0],
            "ethics_attestation": pd.array([None, None, None, True, True], dtype="boolean"),
        }
    )
    problems = pd.DataFrame(
        {
            "file": ["a.xlsx"],
            "sheet": ["Applicants"],
            "row": [7],
            "column": ["CME hrs"],
            "value": ["lots"],
            "problem": ["not a number"],
        }
    )
    rejected = pd.DataFrame(
        {"file": ["a.xlsx"], "sheet": ["Applicants"], "row": [9], "reason": ["no applicant_id"]}
    )
    duplicates = pd.DataFrame(
        {
            "file": ["a.xlsx"],
            "sheet": ["Applicants"],
            "row": [4],
            "applicant_id": ["A1"],
            "kept_file": ["a.xlsx"],
            "kept_sheet": ["Applicants"],
            "kept_row": [5],
        }
    )
    sources = [SheetInfo("a.xlsx", "Applicants", ["Applicants"], 1, {}, {})]
    return LoadResult(frame, problems, rejected, duplicates, 7, [], sources)


def build(rule_set="standard"):
    load = loaded()
    ev = evaluation.evaluate(load.frame, rules.load_rule_set(rule_set), AS_OF)
    return report.build_report(load, ev)


def test_keys_and_counts():
    out = build()
    assert set(out) >= REQUIRED_KEYS
    assert out["as_of"] == "2025-06-30"
    assert out["rule_set"] == "standard"
    assert (out["rows_read"], out["rows_rejected"], out["rows_duplicate"]) == (7, 1, 1)
    # A2: nursing needs 30 CME hours; A3: law is not a healthcare degree
    assert (out["applicants"], out["eligible"], out["incomplete"], out["ineligible"]) == (
        3,
        1,
        0,
        2,
    )
    assert out["eligibility_rate"] == 1 / 3
    assert out["near_miss"] == 2
    assert out["rows_read"] == (
        out["applicants"]
        + out["renewals"]["certified"]
        + out["rows_rejected"]
        + out["rows_duplicate"]
    )


def test_gaps_cover_every_admission_rule():
    out = build("advanced")
    assert list(out["gaps"]) == [r.id for r in rules.load_rule_set("advanced").admission]
    # advanced: medicine needs 30 (A1 has 25), nursing 40 (A2 has 26), law 40 (A3 has 40)
    assert out["gaps"]["cme_hours"]["fail"] == 2
    assert {"fail", "missing"} <= set(out["gaps"]["related_specialty"])


def test_by_cohort_with_unassigned():
    out = build()
    assert {c: (v["applicants"], v["eligible"]) for c, v in out["by_cohort"].items()} == {
        "Spring": (2, 1),
        "Unassigned": (1, 0),
    }
    assert out["by_cohort"]["Spring"]["eligibility_rate"] == 0.5


def test_renewals():
    ren = build()["renewals"]
    # C1 expires 2025-07-15 (due, ready); C2 expired 2025-05-20 (41 days, licence lapsed)
    assert {k: ren[k] for k in ("certified", "current", "due", "overdue", "backlog")} == {
        "certified": 2,
        "current": 0,
        "due": 1,
        "overdue": 1,
        "backlog": 2,
    }
    assert (ren["ready"], ren["blocked"]) == (1, 1)
    assert ren["overdue_aging"] == {"1-30": 0, "31-60": 1, "61-90": 0, "91+": 0}
    assert ren["blocked_by"] == {"ce_hours": 0, "ethics_attestation": 0, "license_current": 1}


def test_issues_list_problems_rejected_and_duplicates():
    issues = build()["issues"]
    assert issues[0] == {
        "file": "a.xlsx",
        "sheet": "Applicants",
        "row": 7,
        "column": "CME hrs",
        "value": "lots",
        "problem": "not a number",
    }
    assert issues[1]["row"] == 9
    assert issues[1]["problem"] == "row not analysed: no applicant_id"
    assert issues[2]["row"] == 4
    assert "row 5 of a.xlsx / Applicants was kept" in issues[2]["problem"]
    assert all(set(i) == {"file", "sheet", "row", "column", "value", "problem"} for i in issues)


@pytest.mark.parametrize("typed", ["text", "categorical"])
def test_issues_as_json_are_the_texts_json_dumps_gives(typed):
    load = loaded()
    awkward = ['say "no"', "back\\slash", "Zoë – naïve", "tab\tand\nline", None, "\u2028", ""]
    n = len(awkward)
    # The loader's problem list holds its repeated columns as categoricals of text.
    repeated = (
        "string"
        if typed == "text"
        else pd.CategoricalDtype(pd.array(["Applicants", 'a "b"', "x"], dtype="string"))
    )
    load.problems = pd.DataFrame(
        {
            "file": pd.array(["a.xlsx"] * n, dtype="string"),
            "sheet": pd.Series(["Applicants"] * (n - 2) + ['a "b"', None], dtype=repeated),
            "row": list(range(2, 2 + n)),
            "column": pd.array(["CME hrs"] * n, dtype="string"),
            "value": pd.array(awkward, dtype="string"),
            "problem": ["not a number"] * n,  # object dtype, as a concat can leave it
        }
    )
    ev = evaluation.evaluate(load.frame, rules.load_rule_set("standard"), AS_OF)
    as_dicts = report.build_report(load, ev)
    as_json = report.build_report(load, ev, issues_as_json=True)
    assert isinstance(as_json["issues"], report.EncodedIssues)
    assert list(as_json["issues"]) == [json.dumps(issue) for issue in as_dicts["issues"]]
    assert len(as_json["issues"]) == n + 2  # the rejected row and the duplicate follow
    assert json.loads(as_json["issues"][1])["value"] == "back\\slash"
    as_json.pop("issues"), as_dicts.pop("issues")
    assert as_json == as_dicts


@pytest.mark.parametrize(
    "values",
    [
        [3, 1, 2],
        [1, True, None, 1],  # 1 and True are equal in Python, not in JSON
        [0.0, -0.0, 1.5, None],
        ["a", None, "a", 'quote " and \\', "é"],
        [None, None],
        ["x", 1, None],
    ],
)
def test_json_column_writes_what_json_dumps_writes(values):
    assert report._json_column(values).to_pylist() == [json.dumps(v) for v in values]


def test_no_issues_as_json():
    load = loaded()
    load.problems = load.problems.iloc[0:0]
    load.rejected = load.rejected.iloc[0:0]
    load.duplicates = load.duplicates.iloc[0:0]
    ev = evaluation.evaluate(load.frame, rules.load_rule_set("standard"), AS_OF)
    issues = report.build_report(load, ev, issues_as_json=True)["issues"]
    assert len(issues) == 0 and list(issues) == []
    assert json.loads(report.render(load, ev, "json"))["issues"] == []


def test_report_is_plain_json():
    out = build()
    assert json.loads(json.dumps(out)) == out


def test_text_summary_reads_like_an_email_and_has_no_names():
    text = report.render_text(build())
    assert "Admissions report: Standard track rules, as of 2025-06-30" in text
    assert "Eligible:   1 (33.3%)" in text
    assert "Spring" in text and "Unassigned" in text
    assert "Current medical licence: 1" in text
    assert "a.xlsx / Applicants / row 7 / CME hrs: not a number" in text
    for name in ("Ann Lee", "Bo Chan", "lots"):
        assert name not in text


def test_empty_load():
    load = loaded()
    load.frame = load.frame.iloc[0:0]
    load.problems = load.problems.iloc[0:0]
    load.rejected = load.rejected.iloc[0:0]
    load.duplicates = load.duplicates.iloc[0:0]
    load.rows_read = 0
    ev = evaluation.evaluate(load.frame, rules.load_rule_set("standard"), AS_OF)
    out = report.build_report(load, ev)
    assert (out["applicants"], out["eligibility_rate"], out["by_cohort"]) == (0, 0.0, {})
    assert out["issues"] == []
    text = report.render_text(out)
    assert "No applicants in these files." in text
    assert "No certified practitioners in these files." in text
