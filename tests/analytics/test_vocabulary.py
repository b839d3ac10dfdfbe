"""The vocabulary: engine names -> the words a director reads, one table each."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.loading import fields
from analytics.reporting import vocabulary

LABELS = {"cme_hours": "CME hours", "license_current": "Current medical licence"}


class TestColumnLabel:
    @pytest.mark.parametrize(
        ("column", "label"),
        [
            ("applicant_id", "Applicant ID"),
            ("full_name", "Name"),
            ("license_expiry", "Licence expiry date"),
            ("eligible_before", "Eligible, active rules"),
            ("rate_delta", "Change in rate (points)"),
            ("state__cme_hours", "CME hours"),
            ("explain__license_current", "Current medical licence: why"),
            ("short__cme_hours", "CME hours: shortfall"),
        ],
    )
    def test_engine_columns_read_as_words(self, column, label):
        assert vocabulary.column_label(column, LABELS) == label

    def test_a_rule_not_in_the_set_still_reads_without_underscores(self):
        assert vocabulary.column_label("explain__related_specialty") == "related specialty: why"

    def test_an_exports_own_header_is_kept(self):
        assert vocabulary.column_label("Referral source") == "Referral source"

    def test_every_canonical_field_and_category_has_a_label(self):
        assert set(fields.FIELD_LABELS) == set(fields.CANONICAL_FIELDS)
        assert set(fields.DEGREE_LABELS) == set(fields.DEGREE_CATEGORIES)
        assert set(fields.SPECIALTY_LABELS) == {*fields.SPECIALTY_CATEGORIES, "other"}


class TestInWords:
    def test_categories_blank_groups_rule_ids_and_points(self):
        frame = pd.DataFrame(
            {
                "cohort": pd.array([None, "2026-01 London"], dtype="string"),
                "programme": pd.array([None, "Standard"], dtype="string"),
                "degree": pd.array(["non_healthcare", None], dtype="string"),
                "specialty": pd.array(["plastic_surgery", "other"], dtype="string"),
                "failing": [["cme_hours", "license_current"], []],
                "rate_delta": [-0.0533, 0.25],
                "Notes": pd.array([None, "x"], dtype="string"),
            }
        )
        out = vocabulary.in_words(frame, LABELS)
        assert out["cohort"].tolist() == ["Unassigned", "2026-01 London"]
        assert out["programme"].tolist() == ["Not given", "Standard"]
        assert out["degree"].tolist() == ["Non-healthcare degree", "Not given"]
        assert out["specialty"].tolist() == ["Plastic surgery", "Other specialty"]
        assert out["failing"].tolist() == [["CME hours", "Current medical licence"], []]
        assert out["rate_delta"].tolist() == pytest.approx([-5.33, 25.0])
        assert out["Notes"].isna().tolist() == [True, False]  # not a group: left blank
        assert frame["degree"].tolist()[0] == "non_healthcare"  # the input is unchanged

    def test_categorical_degrees_as_the_prepared_frame_holds_them(self):
        frame = pd.DataFrame({"degree": pd.Categorical(["medicine", None, "nursing"])})
        out = vocabulary.in_words(frame)
        assert out["degree"].tolist() == ["Medicine", "Not given", "Nursing"]

    def test_rejected_reason(self):
        frame = pd.DataFrame({"reason": ["no applicant_id"]})
        assert vocabulary.in_words(frame)["reason"].tolist() == ["No applicant ID"]

    def test_for_people_labels_the_headers_too(self):
        frame = pd.DataFrame({"applicant_id": ["A1"], "explain__cme_hours": ["4 short"]})
        out = vocabulary.for_people(frame, LABELS)
        assert out.columns.tolist() == ["Applicant ID", "CME hours: why"]


class TestFigures:
    def test_nested_figures_read_as_words_and_rates_are_marked(self):
        summary = {
            "applicants": 510,
            "eligibility_rate": 0.451,
            "issues": [{"row": 4}],
            "renewals": {
                "backlog": 103,
                "overdue_aging": {"91+": 20},
                "blocked_by": {"license_current": 7},
            },
        }
        assert vocabulary.figures(summary, LABELS) == [
            ("Applicants", 510, False),
            ("Eligibility rate", 0.451, True),
            ("Renewal backlog (due or overdue)", 103, False),
            ("Overdue by 91+ days", 20, False),
            ("Renewals blocked by: Current medical licence", 7, False),
        ]
