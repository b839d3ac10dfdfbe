"""Engine behaviour the shipped rule sets do not reach: many required rules, none, and
categorical text. Expected figures are worked out by hand in each test."""

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics import rules
from analytics.reporting import summary
from analytics.rules import Rule, evaluation

AS_OF = date(2025, 6, 30)
STANDARD = rules.load_rule_set("standard")


class TestManyRequiredRules:
    """Ten required rules, every combination of their states possible."""

    MINS = [10 * (i + 1) for i in range(9)]  # r0 >= 10 ... r8 >= 90 CME hours

    @pytest.fixture(scope="class")
    @classmethod
    def ev(cls):
        admission = [
            Rule(f"r{i}", f"At least {m} hours", "required", "cme_hours", "at_least", {"min": m})
            for i, m in enumerate(cls.MINS)
        ]
        admission.append(
            Rule("r9", "Ethics", "required", "ethics_training", "is_true", {"explain": "no"})
        )
        rule_set = replace(STANDARD, admission=admission)
        frame = pd.DataFrame(
            {
                "applicant_id": pd.array(["A", "B", "C", "D", "E", "F"], dtype="string"),
                "cohort": pd.array(["x", "x", "y", None, "y", "x"], dtype="string"),
                "cme_hours": [100.0, 85.0, 85.0, np.nan, 100.0, 5.0],
                "ethics_training": pd.array([True, True, None, True, False, False], "boolean"),
            }
        )
        return evaluation.evaluate(frame, rule_set, AS_OF)

    def test_statuses_and_counts_per_applicant(self, ev):
        table = ev.applicants
        assert table["status"].tolist() == [
            "eligible",
            "ineligible",
            "ineligible",
            "incomplete",
            "ineligible",
            "ineligible",
        ]
        assert table["is_near_miss"].tolist() == [False, True, False, False, True, False]
        assert table["n_fail"].tolist() == [0, 1, 1, 0, 1, 10]
        assert table["n_missing"].tolist() == [0, 0, 1, 9, 0, 0]
        assert table["failing"].tolist() == [
            [],
            ["r8"],
            ["r8"],
            [],
            ["r9"],
            [f"r{i}" for i in range(10)],
        ]

    def test_overview(self, ev):
        assert summary.overview(ev) == {
            "applicants": 6,
            "eligible": 1,
            "incomplete": 1,
            "ineligible": 4,
            "eligibility_rate": 1 / 6,
            "near_miss": 2,
        }

    def test_gaps(self, ev):
        out = summary.gaps(ev).set_index("rule_id")
        assert out.loc["r0", ["pass", "fail", "missing"]].tolist() == [4, 1, 1]
        assert out.loc["r8", ["pass", "fail", "missing"]].tolist() == [2, 3, 1]
        assert out.loc["r9", ["pass", "fail", "missing"]].tolist() == [3, 2, 1]

    def test_funnel(self, ev):
        remaining = summary.funnel(ev)["remaining"].tolist()
        assert remaining == [6, 4, 4, 4, 4, 4, 4, 4, 4, 2, 1]

    def test_failing_combinations(self, ev):
        out = summary.failing_combinations(ev, top=5)
        assert out["rules"].tolist() == [("r8",), ("r9",), tuple(f"r{i}" for i in range(10))]
        assert out["applicants"].tolist() == [2, 1, 1]

    def test_by_cohort(self, ev):
        out = summary.eligibility_by(ev, "cohort")
        assert out["cohort"].tolist() == ["Unassigned", "x", "y"]
        assert out["applicants"].tolist() == [1, 3, 2]
        assert out["eligible"].tolist() == [0, 1, 0]
        assert out["incomplete"].tolist() == [1, 0, 0]
        assert out["near_miss"].tolist() == [0, 1, 1]


class TestCategoricalText:
    """Text fields held as categoricals (a caller's own choice) give the same results."""

    @pytest.fixture(scope="class")
    @classmethod
    def frame(cls):
        return pd.DataFrame(
            {
                "applicant_id": pd.array(["A1", "A2", "A3", "A4", "A5"], dtype="string"),
                "cohort": pd.array(["Spring", None, "  ", "Autumn", "Spring"], dtype="string"),
                "country": pd.array(["IE", "UK", None, "UK", "IE"], dtype="string"),
                "degree": pd.array(
                    ["medicine", "nursing", None, "non_healthcare", "dentistry"], "string"
                ),
                "degree_accredited": pd.array([True, True, None, True, False], "boolean"),
                "license_expiry": pd.to_datetime(["2026-01-01"] * 5),
                "cme_hours": [25.0, 29.0, 40.0, 40.0, 19.0],
                "injectables_experience": pd.array(
                    ["Botox", None, "none", "Fillers", "botox"], dtype="string"
                ),
            }
        )

    def test_results_are_the_same(self, frame):
        text = ["cohort", "country", "degree", "injectables_experience"]
        categorical = frame.astype(dict.fromkeys(text, "category"))
        plain = evaluation.evaluate(frame, STANDARD, AS_OF)
        other = evaluation.evaluate(categorical, STANDARD, AS_OF)
        pd.testing.assert_frame_equal(other.applicants, plain.applicants)
        assert other.applicants["degree"].dtype == "string"
        assert summary.overview(other) == summary.overview(plain)
        for column in ("cohort", "country", "degree"):
            pd.testing.assert_frame_equal(
                summary.eligibility_by(other, column), summary.eligibility_by(plain, column)
            )
        pd.testing.assert_frame_equal(summary.gaps(other), summary.gaps(plain))
        pd.testing.assert_frame_equal(
            summary.gaps(other, by="cohort"), summary.gaps(plain, by="cohort")
        )
        by_cohort = summary.eligibility_by(plain, "cohort")
        assert by_cohort["cohort"].tolist() == ["Autumn", "Spring", "Unassigned"]
        assert by_cohort["applicants"].tolist() == [1, 2, 2]
        assert frame["cohort"].dtype == "string"  # the input is left as it was


def test_failing_lists_of_rows_with_the_same_fails():
    frame = pd.DataFrame(
        {
            "applicant_id": pd.array(["A", "B", "C"], dtype="string"),
            "degree": pd.array(["law", "law", "medicine"], dtype="string"),
            "degree_accredited": pd.array([True, True, True], dtype="boolean"),
            "license_expiry": pd.to_datetime(["2026-01-01"] * 3),
            "cme_hours": [40.0, 40.0, 40.0],
        }
    )
    table = evaluation.evaluate(frame, STANDARD, AS_OF).applicants
    assert table["failing"].tolist() == [["healthcare_degree"], ["healthcare_degree"], []]
    assert table["failing"].dtype == object


def test_no_required_rules():
    advisory = [replace(rule, severity="advisory") for rule in STANDARD.admission]
    rule_set = replace(STANDARD, admission=advisory)
    frame = pd.DataFrame({"applicant_id": pd.array(["A", "B"], dtype="string")})
    ev = evaluation.evaluate(frame, rule_set, AS_OF)
    assert ev.applicants["status"].tolist() == ["eligible", "eligible"]
    assert ev.applicants["failing"].tolist() == [[], []]
    assert summary.failing_combinations(ev).empty
    assert summary.funnel(ev)["remaining"].tolist() == [2]
