"""Each check kind: pass, fail and missing rows, and bad settings, on small inline frames."""

import inspect
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics.rules import checks
from analytics.rules.checks import Columns

AS_OF = date(2025, 6, 30)
INJECTABLE_TERMS = ["botox", "botulinum", "toxin", "filler", "hyaluronic"]


def run(kind, frame, field, **params):
    return checks.run(kind, Columns(frame, AS_OF), field, params)


def states(result):
    return result.state.tolist()


class TestAtLeast:
    @pytest.mark.parametrize(
        ("hours", "expected"),
        [(25.0, "pass"), (20.0, "pass"), (19.5, "fail"), (0.0, "fail"), (np.nan, "missing")],
    )
    def test_fixed_minimum(self, hours, expected):
        frame = pd.DataFrame({"cme_hours": [hours]})
        assert states(run("at_least", frame, "cme_hours", min=20)) == [expected]

    def test_shortfall_and_threshold(self):
        frame = pd.DataFrame({"cme_hours": [25.0, 20.0, 19.5, np.nan]})
        result = run("at_least", frame, "cme_hours", min=20)
        np.testing.assert_array_equal(result.shortfall, [np.nan, np.nan, 0.5, np.nan])
        np.testing.assert_array_equal(result.threshold, [20.0, 20.0, 20.0, 20.0])

    def test_nullable_float_column(self):
        frame = pd.DataFrame({"cme_hours": pd.array([21.0, None, 3.0], dtype="Float64")})
        assert states(run("at_least", frame, "cme_hours", min=20)) == ["pass", "missing", "fail"]

    def test_thresholds_by_another_field_with_default(self):
        frame = pd.DataFrame(
            {
                "degree": pd.array(
                    ["medicine", "nursing", "nursing", None, "non_healthcare", "  "],
                    dtype="string",
                ),
                "cme_hours": [20.0, 29.0, 30.0, 29.0, 30.0, 29.0],
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
        # a blank degree and a degree without its own threshold both use the default
        assert states(result) == ["pass", "fail", "pass", "fail", "pass", "fail"]
        np.testing.assert_array_equal(result.threshold, [20, 30, 30, 30, 30, 30])
        np.testing.assert_array_equal(result.shortfall, [np.nan, 1, np.nan, 1, np.nan, 1])

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

    def test_thresholds_all_equal_to_the_default(self):
        frame = pd.DataFrame(
            {
                "degree": pd.array(["medicine", None, "nursing"], dtype="string"),
                "cme_hours": [29.0, 30.0, np.nan],
            }
        )
        result = run(
            "at_least", frame, "cme_hours", by="degree", default=30, thresholds={"medicine": 30}
        )
        assert states(result) == ["fail", "pass", "missing"]
        np.testing.assert_array_equal(result.threshold, [30.0, 30.0, 30.0])
        np.testing.assert_array_equal(result.shortfall, [1.0, np.nan, np.nan])

    def test_absent_column_is_missing(self):
        result = run("at_least", pd.DataFrame(index=[0, 1]), "cme_hours", min=1)
        assert states(result) == ["missing", "missing"]

    @pytest.mark.parametrize(
        ("params", "error"),
        [
            ({}, ValueError),
            ({"min": 20, "by": "degree", "thresholds": {}, "default": 30}, ValueError),
            ({"by": "degree", "thresholds": {"medicine": 20}}, ValueError),
            ({"min": 20, "max": 40}, TypeError),
        ],
    )
    def test_bad_settings(self, params, error):
        frame = pd.DataFrame({"cme_hours": [25.0]})
        with pytest.raises(error):
            run("at_least", frame, "cme_hours", **params)


class TestInSet:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("medicine", "pass"),
            ("nursing", "pass"),
            ("non_healthcare", "fail"),
            (None, "missing"),
            ("", "missing"),
            ("  ", "missing"),
        ],
    )
    def test_states(self, value, expected):
        frame = pd.DataFrame({"degree": pd.array([value], dtype="string")})
        result = run("in_set", frame, "degree", values=["medicine", "nursing"])
        assert states(result) == [expected]
        assert result.shortfall is None

    @pytest.mark.parametrize("as_category", [False, True])
    def test_few_values_on_either_side(self, as_category):
        frame = pd.DataFrame(
            {"degree": pd.array(["medicine", "nursing", None, "  ", "dentistry"], "string")}
        )
        if as_category:
            frame["degree"] = frame["degree"].astype("category")
        one = run("in_set", frame, "degree", values=["nursing"])
        assert states(one) == ["fail", "pass", "missing", "missing", "fail"]
        most = run("in_set", frame, "degree", values=["medicine", "dentistry"])
        assert states(most) == ["pass", "fail", "missing", "missing", "pass"]

    def test_many_distinct_values(self):
        allowed = [f"c{i:02d}" for i in range(30)]
        others = [f"z{i:02d}" for i in range(30)]
        frame = pd.DataFrame({"country": pd.array([*allowed, *others, None, " "], "string")})
        result = run("in_set", frame, "country", values=allowed)
        assert states(result) == ["pass"] * 30 + ["fail"] * 30 + ["missing"] * 2

    def test_absent_column_is_missing(self):
        result = run("in_set", pd.DataFrame(index=[0]), "specialty", values=["dermatology"])
        assert states(result) == ["missing"]

    @pytest.mark.parametrize(("params", "error"), [({}, TypeError), ({"values": "x"}, TypeError)])
    def test_bad_settings(self, params, error):
        frame = pd.DataFrame({"degree": pd.array(["medicine"], dtype="string")})
        with pytest.raises(error):
            run("in_set", frame, "degree", **params)


class TestIsTrue:
    @pytest.mark.parametrize(
        ("answer", "expected"), [(True, "pass"), (False, "fail"), (None, "missing")]
    )
    def test_nullable_boolean(self, answer, expected):
        frame = pd.DataFrame({"ethics_training": pd.array([answer], dtype="boolean")})
        assert states(run("is_true", frame, "ethics_training")) == [expected]

    def test_plain_object_booleans(self):
        frame = pd.DataFrame({"ethics_training": pd.Series([False, None, True], dtype=object)})
        result = run("is_true", frame, "ethics_training")
        assert states(result) == ["fail", "missing", "pass"]
        assert result.shortfall is None

    def test_the_value_under_a_missing_flag_is_ignored(self):
        # A masked array may hold True or False beneath the mask: either way it is missing.
        flags = pd.arrays.BooleanArray(
            np.array([True, True, False, False]), np.array([False, True, False, True])
        )
        result = run("is_true", pd.DataFrame({"ethics_training": flags}), "ethics_training")
        assert states(result) == ["pass", "missing", "fail", "missing"]

    def test_bad_settings(self):
        frame = pd.DataFrame({"ethics_training": pd.array([True], dtype="boolean")})
        with pytest.raises(TypeError):
            run("is_true", frame, "ethics_training", values=["yes"])


class TestDateOnOrAfterAsOf:
    @pytest.mark.parametrize(
        ("expiry", "expected", "days_short"),
        [
            ("2025-06-30", "pass", np.nan),  # the as-of date itself still counts as current
            ("2030-01-01", "pass", np.nan),
            ("2025-06-29", "fail", 1.0),
            ("2025-05-20", "fail", 41.0),
            (None, "missing", np.nan),
        ],
    )
    def test_states_and_days(self, expiry, expected, days_short):
        frame = pd.DataFrame({"license_expiry": pd.to_datetime([expiry])})
        result = run("date_on_or_after_as_of", frame, "license_expiry")
        assert states(result) == [expected]
        np.testing.assert_array_equal(result.shortfall, [days_short])

    def test_absent_column_is_missing(self):
        result = run("date_on_or_after_as_of", pd.DataFrame(index=[0]), "license_expiry")
        assert states(result) == ["missing"]

    def test_bad_settings(self):
        frame = pd.DataFrame({"license_expiry": pd.to_datetime(["2026-01-01"])})
        with pytest.raises(TypeError):
            run("date_on_or_after_as_of", frame, "license_expiry", min=1)


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
        result = run("mentions_any", frame, "injectables_experience", terms=INJECTABLE_TERMS)
        assert states(result) == [expected]

    def test_terms_are_literal_not_patterns(self):
        frame = pd.DataFrame({"injectables_experience": pd.array(["a+b", "aab"], dtype="string")})
        result = run("mentions_any", frame, "injectables_experience", terms=["a+b"])
        assert states(result) == ["pass", "fail"]

    def test_categorical_column(self):
        frame = pd.DataFrame({"injectables_experience": pd.Categorical(["Filler", None, "none"])})
        result = run("mentions_any", frame, "injectables_experience", terms=["filler"])
        assert states(result) == ["pass", "missing", "fail"]

    @pytest.mark.parametrize(
        ("params", "error"),
        [({}, TypeError), ({"terms": []}, ValueError), ({"terms": "botox"}, ValueError)],
    )
    def test_bad_settings(self, params, error):
        frame = pd.DataFrame({"injectables_experience": pd.array(["Botox"], dtype="string")})
        with pytest.raises(error):
            run("mentions_any", frame, "injectables_experience", **params)


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


class TestDeclarations:
    def test_the_vocabulary(self):
        assert set(checks.KINDS) == {
            "at_least",
            "in_set",
            "is_true",
            "date_on_or_after_as_of",
            "mentions_any",
        }
        assert checks.STATES == ("pass", "fail", "missing")

    @pytest.mark.parametrize("name", sorted(checks.KINDS))
    def test_declared_settings_are_the_function_parameters(self, name):
        kind = checks.KINDS[name]
        assert kind.function.__name__ == name
        assert kind.field_types and kind.summary
        parameters = list(inspect.signature(kind.function).parameters)
        assert parameters[:2] == ["cols", "field"]
        settings = [s for s in (*kind.required, *kind.optional) if s not in kind.wording]
        assert sorted(parameters[2:]) == sorted(settings)
        assert "explain" in kind.optional


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
