"""Degree cells naming several credentials (DOMAIN 3.3): split, each part looked up, the
first category of medicine, dentistry, physician_associate, nursing, other_healthcare,
non_healthcare that any part names; parts that name nothing are ignored."""

import datetime as dt

import pandas as pd
import pytest

from analytics import loading, rules
from analytics.loading import parsing
from analytics.rules import evaluation


def cells(*values):
    return pd.Series(list(values), dtype="string")


class TestSeveralCredentials:
    @pytest.mark.parametrize(
        "text, category",
        [
            # the examples of DOMAIN 3.3
            ("MD, PhD", "medicine"),
            ("RN/BSN", "nursing"),
            ("MBBS (India)", "medicine"),
            ("MBA; RN", "nursing"),
            ("RN, MD", "medicine"),
            # each separator on its own
            ("DDS & MBA", "dentistry"),
            ("MPH and PA", "physician_associate"),
            ("Pharmacist (UK); MBA", "other_healthcare"),
            ("BA, Law", "non_healthcare"),
            # dots are removed before splitting, spaces around the parts trimmed
            ("M.D. , Ph.D.", "medicine"),
            # precedence: dentistry before physician associate before nursing
            ("RN / PA-C", "physician_associate"),
            ("Nurse Practitioner and Dentist", "dentistry"),
            # one credential whose name holds a separator or a hyphen stays whole
            ("n/a", "non_healthcare"),
            ("N/A", "non_healthcare"),
            ("PA-C", "physician_associate"),
            # "and" is a word, not letters inside one
            ("Husband and MD", "medicine"),
        ],
    )
    def test_category(self, text, category):
        parsed = parsing.parse_degree(cells(text))
        assert parsed.values.tolist() == [category]
        assert parsed.problems.empty

    @pytest.mark.parametrize("text", ["PhD", "MPH / PhD", "Brand", "(India)", "PA C"])
    def test_no_part_names_a_degree_is_unrecognised(self, text):
        parsed = parsing.parse_degree(cells(text))
        assert parsed.values.isna().all()
        assert parsed.problems.to_dict() == {0: parsing.UNRECOGNISED_DEGREE}

    def test_a_column_mixing_single_several_and_blank_cells(self):
        parsed = parsing.parse_degree(cells("MD", None, "RN/BSN", "  ", "PhD", "RN/BSN"))
        expected = pd.Series(["medicine", None, "nursing", None, None, "nursing"], dtype="string")
        pd.testing.assert_series_equal(parsed.values, expected)
        assert parsed.problems.to_dict() == {4: parsing.UNRECOGNISED_DEGREE}

    def test_a_loaded_export_has_the_degree_judged(self):
        data = (
            b"Applicant ID,Name,Degree,CME hours\n"
            b'A1,Ann,"MD, PhD",20\n'
            b"A2,Ben,MBBS (India),20\n"
            b"A3,Cat,PhD,20\n"
        )
        res = loading.load_exports(loading.Source("intake.csv", data))
        expected = pd.Series(["medicine", "medicine", None], dtype="string", name="degree")
        pd.testing.assert_series_equal(res.frame["degree"], expected)
        ev = evaluation.evaluate(res.frame, rules.load_rule_set("standard"), dt.date(2026, 1, 1))
        # the degree rule is judged for both doctors, missing only where no part is a degree
        assert ev.applicants["state__healthcare_degree"].tolist() == ["pass", "pass", "missing"]
        assert res.problems[["row", "column", "value", "problem"]].values.tolist() == [
            [4, "Degree", "PhD", "unrecognised degree"]
        ]
