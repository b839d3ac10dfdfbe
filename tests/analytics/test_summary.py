"""Admission summaries: overview, per group, gaps, combinations, near misses, funnel, what-if."""

from datetime import date

import pandas as pd

from analytics import rules
from analytics.reporting import summary
from analytics.rules import evaluation

AS_OF = date(2025, 6, 30)
STANDARD = rules.load_rule_set("standard")
ADVANCED = rules.load_rule_set("advanced")
GOOD = {
    "degree": "medicine",
    "degree_accredited": True,
    "license_expiry": "2026-01-01",
    "cme_hours": 40.0,
    "aesthetics_experience_years": 3.0,
    "injectables_experience": "fillers",
    "ethics_training": True,
    "specialty": "dermatology",
}


def applicants(rows: list[dict]) -> pd.DataFrame:
    def col(name, dtype):
        return pd.Series([r.get(name, GOOD.get(name)) for r in rows], dtype=object).astype(dtype)

    return pd.DataFrame(
        {
            "applicant_id": col("id", "string"),
            "full_name": col("full_name", "string"),
            "cohort": col("cohort", "string"),
            "degree": col("degree", "string"),
            "degree_accredited": col("degree_accredited", "boolean"),
            "license_expiry": pd.to_datetime(col("license_expiry", object)),
            "cme_hours": col("cme_hours", "float64"),
            "aesthetics_experience_years": col("aesthetics_experience_years", "float64"),
            "injectables_experience": col("injectables_experience", "string"),
            "ethics_training": col("ethics_training", "boolean"),
            "specialty": col("specialty", "string"),
        }
    )


ROWS = [
    {"id": "a1", "cohort": "Spring"},
    {"id": "a2", "cohort": "Spring", "cme_hours": 18.0},  # near miss, 2 short of 20
    {"id": "a3", "cohort": "Spring", "cme_hours": None},  # incomplete
    {"id": "a4", "cohort": "Autumn", "degree": "nursing", "cme_hours": 20.0},  # near, 10 of 30
    {"id": "a5", "cohort": "Autumn", "degree_accredited": False},  # near, yes/no rule
    {"id": "a6", "cohort": None, "license_expiry": "2025-06-20", "cme_hours": 5.0},  # 2 fails
    {"id": "a7", "cohort": None, "license_expiry": "2025-06-25", "cme_hours": 1.0},  # 2 fails
    {"id": "a8", "cohort": "Autumn", "license_expiry": "2025-06-29"},  # near, 1 day
]


def ev_of(rows=ROWS, rule_set=STANDARD):
    return evaluation.evaluate(applicants(rows), rule_set, AS_OF)


def test_overview():
    assert summary.overview(ev_of()) == {
        "applicants": 8,
        "eligible": 1,
        "incomplete": 1,
        "ineligible": 6,
        "eligibility_rate": 1 / 8,
        "near_miss": 4,
    }


def test_overview_with_no_applicants_has_rate_zero():
    out = summary.overview(ev_of([]))
    assert out["applicants"] == 0
    assert out["eligibility_rate"] == 0.0


def test_eligibility_by_cohort():
    expected = pd.DataFrame(
        {
            "cohort": pd.Series(["Autumn", "Spring", "Unassigned"], dtype="string"),
            "applicants": [3, 3, 2],
            "eligible": [0, 1, 0],
            "incomplete": [0, 1, 0],
            "ineligible": [3, 1, 2],
            "near_miss": [3, 1, 0],
            "eligibility_rate": [0.0, 1 / 3, 0.0],
        }
    )
    pd.testing.assert_frame_equal(summary.eligibility_by(ev_of(), "cohort"), expected)


def test_eligibility_by_other_column_names_blanks_not_given():
    rows = [{"id": "x", "degree": None}, {"id": "y"}]
    out = summary.eligibility_by(ev_of(rows), "degree")
    assert out["degree"].tolist() == ["Not given", "medicine"]
    assert out["incomplete"].tolist() == [1, 0]


def test_gaps_list_every_admission_rule():
    out = summary.gaps(ev_of())
    assert out["rule_id"].tolist() == [r.id for r in STANDARD.admission]
    got = out.set_index("rule_id")[["fail", "missing"]].to_dict("index")
    assert got["cme_hours"] == {"fail": 4, "missing": 1}
    assert got["license_current"] == {"fail": 3, "missing": 0}
    assert got["accredited_institution"] == {"fail": 1, "missing": 0}
    assert got["healthcare_degree"] == {"fail": 0, "missing": 0}
    assert (out["pass"] + out["fail"] + out["missing"] == 8).all()


def test_gaps_by_cohort():
    out = summary.gaps(ev_of(), by="cohort")
    cme = out[out["rule_id"] == "cme_hours"].set_index("cohort")[["fail", "missing"]]
    assert cme.to_dict("index") == {
        "Autumn": {"fail": 1, "missing": 0},
        "Spring": {"fail": 1, "missing": 1},
        "Unassigned": {"fail": 2, "missing": 0},
    }
    assert len(out) == 3 * len(STANDARD.admission)


def test_failing_combinations():
    out = summary.failing_combinations(ev_of(), top=10)
    assert out[["rules", "applicants"]].values.tolist() == [
        [("cme_hours",), 2],
        [("license_current", "cme_hours"), 2],
        # ties: fewer rules first, then by label ("Current ..." before "Degree ...")
        [("license_current",), 1],
        [("accredited_institution",), 1],
    ]
    assert out["labels"][1] == "Current medical licence + Continuing medical education (CME) hours"
    assert out["share"].tolist() == [2 / 6, 2 / 6, 1 / 6, 1 / 6]
    assert len(summary.failing_combinations(ev_of(), top=1)) == 1


def test_near_misses_ranked_by_closeness():
    out = summary.near_misses(ev_of())
    assert out["applicant_id"].tolist() == ["a8", "a2", "a4", "a5"]
    assert out["rank"].tolist() == [1, 2, 3, 4]
    assert out["explain"].tolist() == [
        "licence expired 1 day ago",
        "2 CME hours short",
        "10 CME hours short",
        "degree institution is not accredited",
    ]
    assert out["gap"].tolist() == [1 / 365, 0.1, 10 / 30, 1.0]
    assert out["cohort"].tolist() == ["Autumn", "Spring", "Autumn", "Autumn"]


def test_near_misses_empty():
    out = summary.near_misses(ev_of([{"id": "a"}]))
    assert out.empty
    assert "applicant_id" in out.columns


def test_funnel():
    out = summary.funnel(ev_of())
    assert out[["rule_id", "remaining", "dropped"]].values.tolist() == [
        ["", 8, 0],
        ["healthcare_degree", 8, 0],
        ["accredited_institution", 7, 1],
        ["license_current", 4, 3],
        ["cme_hours", 1, 3],
    ]
    assert out["share"].iloc[-1] == 1 / 8


def test_what_if_standard_to_advanced():
    rows = [
        {"id": "s1", "cohort": "Spring"},
        {"id": "s2", "cohort": "Spring", "specialty": "other"},  # fails advanced only
        {"id": "s3", "cohort": "Spring", "cme_hours": 25.0},  # medicine: 20 std, 30 adv
        {"id": "u1", "cohort": None, "degree": "law"},  # ineligible under both
    ]
    out = summary.what_if(applicants(rows), STANDARD, ADVANCED, AS_OF)
    expected = pd.DataFrame(
        {
            "cohort": pd.Series(["Spring", "Unassigned"], dtype="string"),
            "applicants": [3, 1],
            "eligible_before": [3, 0],
            "eligible_after": [1, 0],
            "rate_before": [1.0, 0.0],
            "rate_after": [1 / 3, 0.0],
            "delta": [-2, 0],
            "rate_delta": [1 / 3 - 1.0, 0.0],
        }
    )
    pd.testing.assert_frame_equal(out, expected)


def test_rate():
    assert summary.rate(0, 0) == 0.0
    assert summary.rate(1, 4) == 0.25
