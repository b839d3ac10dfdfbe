"""Each check kind: pass, fail and missing, on small frames with the loader's dtypes."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics.rules import checks
from analytics.rules.checks import FAIL, MISSING, PASS, Columns

AS_OF = date(2025, 6, 30)


def run(kind, frame, field, **params):
    return checks.run(kind, Columns(frame, AS_OF), field, params)


def states(result):
    return [checks.STATES[s] for s in result.state]


class TestAtLeast:
    def test_fixed_minimum(self):
        frame = pd.DataFrame({"cme_hours": [25.0, 20.0, 19.5, np.nan]})
        result = run("at_least", frame, "cme_hours", min=20)
        assert states(result) == ["pass", "pass", "fail", "missing"]
        np.testing.assert_array_equal(result.shortfall, [np.nan, np.nan, 0.5, np.nan])

    def test_thresholds_by_another_field_with_default(self):
        frame = pd.DataFrame(
            {
                "degree": pd.array(
                    ["medicine", "nursing", "nursing", None, "non_healthcare"], dtype="string"
                ),
                "cme_hours": [20.0, 29.0, 30.0, 29.0, 30.0],
            }
        )
        result = run(
            "at_least",
            frame,
            "cme_hours",
            by="degree",
            default=30,
            thresholds={"medicine": 20, "nursing": 30},
        )
        # missing degree and a degree without its own threshold both use the default
        assert states(result) == ["pass", "fail", "pass", "fail", "pass"]
        np.testing.assert_array_equal(result.threshold, [20, 30, 30, 30, 30])
        np.testing.assert_array_equal(result.shortfall, [np.nan, 1, np.nan, 1, np.nan])

    def test_categorical_by_field_reads_like_text(self):
        frame = pd.DataFrame(
            {
                "degree": pd.Categorical(["medicine", "dentistry", None]),
                "cme_hours": [19.0, 25.0, 25.0],
            }
        )
        result = run(
            "at_least", frame, "cme_hours", by="degree", default=30, thresholds={"medicine": 20}
        )
        assert states(result) == ["fail", "fail", "fail"]
        np.testing.assert_array_equal(result.shortfall, [1, 5, 5])

    def test_absent_column_is_missing(self):
        result = run("at_least", pd.DataFrame(index=[0, 1]), "cme_hours", min=1)
        assert states(result) == ["missing", "missing"]


class TestInSet:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [("medicine", "pass"), ("nursing", "pass"), ("non_healthcare", "fail"), (None, "missing")],
    )
    def test_states(self, value, expected):
        frame = pd.DataFrame({"degree": pd.array([value], dtype="string")})
        result = run("in_set", frame, "degree", values=["medicine", "nursing"])
        assert states(result) == [expected]
        assert result.shortfall is None

    def test_blank_text_is_missing(self):
        frame = pd.DataFrame(
            {"specialty": pd.array(["  ", "dermatology", "other"], dtype="string")}
        )
        result = run("in_set", frame, "specialty", values=["dermatology"])
        assert states(result) == ["missing", "pass", "fail"]

    def test_categorical_column(self):
        frame = pd.DataFrame({"degree": pd.Categorical(["nursing", None, "law"])})
        result = run("in_set", frame, "degree", values=["nursing"])
        assert states(result) == ["pass", "missing", "fail"]


class TestIsTrue:
    def test_nullable_boolean(self):
        frame = pd.DataFrame({"ethics_training": pd.array([True, False, None], dtype="boolean")})
        result = run("is_true", frame, "ethics_training")
        assert states(result) == ["pass", "fail", "missing"]

    def test_plain_object_booleans(self):
        frame = pd.DataFrame({"ethics_training": pd.Series([False, None, True], dtype=object)})
        result = run("is_true", frame, "ethics_training")
        assert states(result) == ["fail", "missing", "pass"]


class TestDateOnOrAfterAsOf:
    def test_states_and_days(self):
        frame = pd.DataFrame(
            {"license_expiry": pd.to_datetime(["2025-06-30", "2025-06-29", "2025-05-20", None])}
        )
        result = run("date_on_or_after_as_of", frame, "license_expiry")
        # the as-of date itself still counts as current
        assert states(result) == ["pass", "fail", "fail", "missing"]
        np.testing.assert_array_equal(result.shortfall, [np.nan, 1, 41, np.nan])


class TestMentionsAny:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Botox 2 yrs", "pass"),
            ("hyaluronic FILLERS", "pass"),
            ("botulinum toxin", "pass"),
            ("none", "fail"),
            ("observed only", "fail"),
            (None, "missing"),
            ("   ", "missing"),
        ],
    )
    def test_states(self, text, expected):
        frame = pd.DataFrame({"injectables_experience": pd.array([text], dtype="string")})
        result = run(
            "mentions_any",
            frame,
            "injectables_experience",
            terms=["botox", "botulinum", "toxin", "filler", "hyaluronic"],
        )
        assert states(result) == [expected]

    def test_terms_are_literal_not_patterns(self):
        frame = pd.DataFrame({"injectables_experience": pd.array(["a+b", "aab"], dtype="string")})
        result = run("mentions_any", frame, "injectables_experience", terms=["a+b"])
        assert states(result) == ["pass", "fail"]


class TestExplanations:
    @pytest.mark.parametrize(
        ("kind", "params", "shortfall", "expected"),
        [
            (
                "at_least",
                {"unit": "CME hours", "unit_singular": "CME hour"},
                4.0,
                "4 CME hours short",
            ),
            (
                "at_least",
                {"unit": "CME hours", "unit_singular": "CME hour"},
                1.0,
                "1 CME hour short",
            ),
            (
                "at_least",
                {"unit": "years of aesthetics experience"},
                1.5,
                "1.5 years of aesthetics experience short",
            ),
            ("date_on_or_after_as_of", {"noun": "licence"}, 41.0, "licence expired 41 days ago"),
            ("date_on_or_after_as_of", {"noun": "licence"}, 1.0, "licence expired 1 day ago"),
            ("is_true", {"explain": "not accredited"}, np.nan, "not accredited"),
            ("in_set", {}, np.nan, "degree: requirement not met"),
        ],
    )
    def test_failure_words(self, kind, params, shortfall, expected):
        assert checks.explain_failure(kind, params, shortfall, "degree") == expected

    def test_missing_words(self):
        assert checks.explain_missing("CME hours") == "CME hours not given or unreadable"


def test_every_kind_is_declared_with_a_function():
    assert set(checks.KINDS) >= {
        "at_least",
        "in_set",
        "is_true",
        "date_on_or_after_as_of",
        "mentions_any",
    }
    assert (PASS, FAIL, MISSING) == (0, 1, 2)


class TestThresholdFor:
    BY_DEGREE = {"by": "degree", "default": 30, "thresholds": {"medicine": 20}}

    @pytest.mark.parametrize(
        ("by_value", "expected"),
        [("medicine", 20.0), ("nursing", 30.0), (None, 30.0), (pd.NA, 30.0)],
    )
    def test_per_value_with_default(self, by_value, expected):
        assert checks.threshold_for(self.BY_DEGREE, by_value) == expected

    def test_plain_minimum(self):
        assert checks.threshold_for({"min": 1}, "anything") == 1.0
