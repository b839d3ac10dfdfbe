"""Engine paths that small rule sets do not reach: many required rules, long value lists,
masked booleans, prepared frames. Expected figures are worked out by hand in each test."""

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics import rules
from analytics.reporting import summary
from analytics.rules import Rule, checks, evaluation
from analytics.rules.checks import FAIL, MISSING, PASS, Columns

AS_OF = date(2025, 6, 30)
STANDARD = rules.load_rule_set("standard")


class TestManyRequiredRules:
    """Ten required rules: more than fit the packed two-bits-per-rule patterns."""

    MINS = [10 * (i + 1) for i in range(9)]  # r0 >= 10 ... r8 >= 90 CME hours

    @pytest.fixture(scope="class")
    def ev(self):
        admission = [
            Rule(f"r{i}", f"At least {m} hours", "required", "cme_hours", "at_least", {"min": m})
            for i, m in enumerate(self.MINS)
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


class TestLongValueLists:
    """More distinct values on each side than the compare-per-value lookup takes."""

    def test_in_set_with_many_values(self):
        allowed = [f"c{i:02d}" for i in range(30)]
        others = [f"z{i:02d}" for i in range(30)]
        values = [*allowed, *others, None, " "]
        frame = pd.DataFrame({"country": pd.array(values, dtype="string")})
        result = checks.run("in_set", Columns(frame, AS_OF), "country", {"values": allowed})
        expected = [PASS] * 30 + [FAIL] * 30 + [MISSING, MISSING]
        assert result.state.tolist() == expected

    @pytest.mark.parametrize("as_category", [False, True])
    def test_in_set_with_few_values_either_side(self, as_category):
        frame = pd.DataFrame(
            {"degree": pd.array(["medicine", "nursing", None, "  ", "dentistry"], "string")}
        )
        if as_category:
            frame["degree"] = frame["degree"].astype("category")
        # one value allowed (compare with the passing side) / all but one (the failing side)
        one = checks.run("in_set", Columns(frame, AS_OF), "degree", {"values": ["nursing"]})
        assert one.state.tolist() == [FAIL, PASS, MISSING, MISSING, FAIL]
        most = checks.run(
            "in_set", Columns(frame, AS_OF), "degree", {"values": ["medicine", "dentistry"]}
        )
        assert most.state.tolist() == [PASS, FAIL, MISSING, MISSING, PASS]

    def test_thresholds_all_equal_to_the_default(self):
        frame = pd.DataFrame(
            {
                "degree": pd.array(["medicine", None, "nursing"], dtype="string"),
                "cme_hours": [29.0, 30.0, np.nan],
            }
        )
        params = {"by": "degree", "default": 30, "thresholds": {"medicine": 30}}
        result = checks.run("at_least", Columns(frame, AS_OF), "cme_hours", params)
        assert result.state.tolist() == [FAIL, PASS, MISSING]
        np.testing.assert_array_equal(result.threshold, [30.0, 30.0, 30.0])
        np.testing.assert_array_equal(result.shortfall, [1.0, np.nan, np.nan])


def test_is_true_ignores_the_value_under_a_missing_flag():
    # A masked array may hold True or False beneath the mask: either way it is missing.
    flags = pd.arrays.BooleanArray(
        np.array([True, True, False, False]), np.array([False, True, False, True])
    )
    frame = pd.DataFrame({"ethics_training": flags})
    result = checks.run("is_true", Columns(frame, AS_OF), "ethics_training", {})
    assert result.state.tolist() == [PASS, MISSING, FAIL, MISSING]


def test_date_check_on_the_day_before_and_missing():
    frame = pd.DataFrame(
        {"license_expiry": pd.to_datetime(["2025-06-30", "2025-06-29", None, "2030-01-01"])}
    )
    result = checks.run("date_on_or_after_as_of", Columns(frame, AS_OF), "license_expiry", {})
    assert result.state.tolist() == [PASS, FAIL, MISSING, PASS]
    np.testing.assert_array_equal(result.shortfall, [np.nan, 1.0, np.nan, np.nan])


class TestPrepare:
    @pytest.fixture(scope="class")
    def frame(self):
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

    def test_columns_match_astype_category(self, frame):
        prepared = evaluation.prepare(frame)
        for name in ("cohort", "country", "degree", "injectables_experience"):
            pd.testing.assert_series_equal(prepared[name], frame[name].astype("category"))
        pd.testing.assert_series_equal(prepared["cme_hours"], frame["cme_hours"])
        assert frame["cohort"].dtype == "string"  # the input is left as it was

    def test_results_are_the_same(self, frame):
        plain = evaluation.evaluate(frame, STANDARD, AS_OF)
        prepared = evaluation.evaluate(evaluation.prepare(frame), STANDARD, AS_OF)
        pd.testing.assert_frame_equal(prepared.applicants, plain.applicants)
        assert summary.overview(prepared) == summary.overview(plain)
        for column in ("cohort", "country", "degree"):
            pd.testing.assert_frame_equal(
                summary.eligibility_by(prepared, column), summary.eligibility_by(plain, column)
            )
        pd.testing.assert_frame_equal(summary.gaps(prepared), summary.gaps(plain))
        pd.testing.assert_frame_equal(
            summary.gaps(prepared, by="cohort"), summary.gaps(plain, by="cohort")
        )
        by_cohort = summary.eligibility_by(plain, "cohort")
        assert by_cohort["cohort"].tolist() == ["Autumn", "Spring", "Unassigned"]
        assert by_cohort["applicants"].tolist() == [1, 2, 2]
