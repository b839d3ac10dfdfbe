"""evaluate(): states, statuses and near misses under both rule sets, and the tables."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics import rules
from analytics.rules import evaluation

AS_OF = date(2025, 6, 30)
DTYPES = {
    "applicant_id": "string",
    "full_name": "string",
    "email": "string",
    "cohort": "string",
    "programme": "string",
    "country": "string",
    "application_date": "datetime64[ns]",
    "degree": "string",
    "degree_accredited": "boolean",
    "license_number": "string",
    "license_expiry": "datetime64[ns]",
    "aesthetics_experience_years": "float64",
    "specialty": "string",
    "cme_hours": "float64",
    "injectables_experience": "string",
    "ethics_training": "boolean",
    "certified_on": "datetime64[ns]",
    "certification_expiry": "datetime64[ns]",
    "ce_hours_since_certification": "float64",
    "ethics_attestation": "boolean",
}
# An applicant who passes every standard and advanced rule.
GOOD = {
    "degree": "medicine",
    "degree_accredited": True,
    "license_expiry": "2026-01-01",
    "cme_hours": 40.0,
    "aesthetics_experience_years": 3.0,
    "injectables_experience": "Botox and fillers",
    "ethics_training": True,
    "specialty": "dermatology",
}


def canonical(rows: list[dict], extras: dict | None = None) -> pd.DataFrame:
    """A frame shaped like the loader's: 20 canonical columns, source columns, extras."""
    data = {}
    for name, dtype in DTYPES.items():
        values = [row.get(name) for row in rows]
        if dtype.startswith("datetime"):
            data[name] = pd.to_datetime(pd.Series(values, dtype=object))
        else:
            data[name] = pd.Series(values, dtype=object).astype(dtype)
    frame = pd.DataFrame(data)
    frame["source_file"] = pd.Series(["t.xlsx"] * len(rows), dtype="string")
    frame["source_sheet"] = pd.Series(["Sheet1"] * len(rows), dtype="string")
    frame["source_row"] = pd.Series(range(2, len(rows) + 2), dtype="int64")
    for name, values in (extras or {}).items():
        frame[name] = values
    return frame


def person(applicant_id: str, **changes) -> dict:
    return {"applicant_id": applicant_id, **GOOD, **changes}


STANDARD = rules.load_rule_set("standard")
ADVANCED = rules.load_rule_set("advanced")


class TestStatuses:
    def setup_method(self):
        frame = canonical(
            [
                person("eligible"),
                person("incomplete", cme_hours=None),
                person("near", cme_hours=16.0),
                person("two_fails", degree="non_healthcare", license_expiry="2025-05-20"),
                person("fail_and_missing", degree_accredited=False, cme_hours=None),
                person("advisory_only", aesthetics_experience_years=0.0, ethics_training=None),
            ]
        )
        self.ev = evaluation.evaluate(frame, STANDARD, AS_OF)
        self.table = self.ev.applicants.set_index("applicant_id")

    def test_status(self):
        assert self.table["status"].astype(str).to_dict() == {
            "eligible": "eligible",
            "incomplete": "incomplete",
            "near": "ineligible",
            "two_fails": "ineligible",
            "fail_and_missing": "ineligible",
            "advisory_only": "eligible",
        }

    def test_near_miss_is_one_fail_and_nothing_missing(self):
        assert self.table.index[self.table["is_near_miss"]].tolist() == ["near"]

    def test_counts_and_failing_lists(self):
        assert self.table["n_fail"].tolist() == [0, 0, 1, 2, 1, 0]
        assert self.table["n_missing"].tolist() == [0, 1, 0, 0, 1, 0]
        assert self.table["failing"].tolist() == [
            [],
            [],
            ["cme_hours"],
            ["healthcare_degree", "license_current"],
            ["accredited_institution"],
            [],
        ]

    def test_states_and_explanations(self):
        t = self.table
        assert t.loc["near", "state__cme_hours"] == "fail"
        assert t.loc["near", "explain__cme_hours"] == "4 CME hours short"
        assert t.loc["near", "short__cme_hours"] == 4.0
        assert t.loc["two_fails", "explain__license_current"] == "licence expired 41 days ago"
        assert t.loc["two_fails", "short__license_current"] == 41.0
        assert t.loc["incomplete", "state__cme_hours"] == "missing"
        assert t.loc["incomplete", "explain__cme_hours"] == "CME hours not given or unreadable"
        assert np.isnan(t.loc["incomplete", "short__cme_hours"])
        assert t.loc["eligible", "explain__cme_hours"] == ""
        assert t.loc["advisory_only", "explain__aesthetics_experience"] == (
            "1 year of aesthetics experience short"
        )
        assert t.loc["advisory_only", "state__ethics_training"] == "missing"

    def test_state_columns_are_small_categoricals(self):
        col = self.ev.applicants["state__cme_hours"]
        assert list(col.cat.categories) == ["pass", "fail", "missing"]
        assert list(self.ev.applicants["status"].cat.categories) == [
            "eligible",
            "incomplete",
            "ineligible",
        ]

    def test_explanations_are_categoricals_of_their_sentences(self):
        col = self.ev.applicants["explain__cme_hours"]
        assert isinstance(col.dtype, pd.CategoricalDtype)
        assert col.cat.categories.dtype == "string"
        # One category per distinct sentence: passing, missing, and the one shortfall.
        assert sorted(col.cat.categories) == [
            "",
            "4 CME hours short",
            "CME hours not given or unreadable",
        ]
        assert col.tolist() == [
            "",
            "CME hours not given or unreadable",
            "4 CME hours short",
            "",
            "CME hours not given or unreadable",
            "",
        ]


class TestTablesShareTheFramesColumns:
    """The per-person tables take the frame's columns without copying them, and writing
    to either side leaves the other as it was (copy-on-write)."""

    def setup_method(self):
        self.frame = canonical([person("a"), person("b", cme_hours=5.0)])
        self.ev = evaluation.evaluate(self.frame, STANDARD, AS_OF)

    def test_a_numeric_column_is_the_frames_memory(self):
        table = self.ev.applicants
        assert np.shares_memory(table["cme_hours"].to_numpy(), self.frame["cme_hours"].to_numpy())

    def test_writing_to_the_table_leaves_the_frame(self):
        table = self.ev.applicants.copy(deep=False)
        table.loc[0, "cme_hours"] = 999.0
        table.loc[1, "full_name"] = "Changed"
        assert self.frame["cme_hours"].tolist() == [40.0, 5.0]
        assert self.frame["full_name"].isna().all()
        assert self.ev.applicants["cme_hours"].tolist() == [40.0, 5.0]

    def test_writing_to_the_frame_leaves_the_table(self):
        table = self.ev.applicants
        self.frame.loc[1, "cme_hours"] = 0.0
        assert table["cme_hours"].tolist() == [40.0, 5.0]


class TestThresholdsByDegree:
    @pytest.mark.parametrize(
        ("rule_set", "degree", "threshold"),
        [
            (STANDARD, "medicine", 20),
            (STANDARD, "dentistry", 20),
            (STANDARD, "physician_associate", 25),
            (STANDARD, "nursing", 30),
            (STANDARD, "other_healthcare", 30),
            (STANDARD, None, 30),
            (ADVANCED, "medicine", 30),
            (ADVANCED, "dentistry", 30),
            (ADVANCED, "physician_associate", 35),
            (ADVANCED, "nursing", 40),
            (ADVANCED, "other_healthcare", 40),
            (ADVANCED, None, 40),
        ],
    )
    def test_exactly_at_threshold_passes_and_below_fails(self, rule_set, degree, threshold):
        frame = canonical(
            [
                person("at", degree=degree, cme_hours=float(threshold)),
                person("below", degree=degree, cme_hours=threshold - 0.5),
            ]
        )
        t = evaluation.evaluate(frame, rule_set, AS_OF).applicants
        assert t["state__cme_hours"].tolist() == ["pass", "fail"]
        assert t["short__cme_hours"].tolist()[1] == 0.5


class TestAdvancedRules:
    def test_added_required_rules(self):
        frame = canonical(
            [
                person("ok"),
                person("plastics", specialty="plastic_surgery"),
                person("other_specialty", specialty="other"),
                person("no_specialty", specialty=None),
                person("one_year", aesthetics_experience_years=1.5),
                person("no_injectables", injectables_experience="none"),
            ]
        )
        ev = evaluation.evaluate(frame, ADVANCED, AS_OF)
        t = ev.applicants.set_index("applicant_id")
        assert t["status"].astype(str).tolist() == [
            "eligible",
            "eligible",
            "ineligible",
            "incomplete",
            "ineligible",
            "ineligible",
        ]
        assert t.loc["one_year", "explain__aesthetics_experience"] == (
            "0.5 years of aesthetics experience short"
        )
        assert t.loc["other_specialty", "failing"] == ["related_specialty"]
        # the same people under standard: specialty and experience are not required there
        standard = evaluation.evaluate(frame, STANDARD, AS_OF).applicants
        assert (standard["status"] == "eligible").all()


class TestSplitAndTables:
    def setup_method(self):
        self.frame = canonical(
            [
                person("A1", cohort="2025-09 Dublin", full_name="Ann Example"),
                person("A2", cohort=None),
                person("A3", cohort="  "),
                person("C1", certified_on="2024-01-10"),
                person("C2", certification_expiry="2025-07-01"),
            ],
            extras={"Referral source": pd.Series(["web", "friend", None, "web", None])},
        )
        self.ev = evaluation.evaluate(self.frame, STANDARD, AS_OF)

    def test_applicants_and_certified_are_split_by_certification_fields(self):
        assert self.ev.applicants["applicant_id"].tolist() == ["A1", "A2", "A3"]
        assert self.ev.certified["applicant_id"].tolist() == ["C1", "C2"]
        assert self.ev.applicants.index.tolist() == [0, 1, 2]
        assert self.ev.certified.index.tolist() == [3, 4]

    def test_register_rows_after_the_applicants_are_split_without_a_copy(self):
        applicants = self.ev.applicant_columns.frame
        certified = self.ev.certified_columns.frame
        assert applicants.index.tolist() == [0, 1, 2]
        assert certified.index.tolist() == [3, 4]
        hours = self.frame["cme_hours"].to_numpy()
        assert np.shares_memory(applicants["cme_hours"].to_numpy(), hours)
        assert np.shares_memory(certified["cme_hours"].to_numpy(), hours)

    def test_register_rows_first_or_interleaved_split_the_same_way(self):
        for order in ([3, 4, 0, 1, 2], [0, 3, 1, 4, 2]):
            frame = self.frame.iloc[order]
            ev = evaluation.evaluate(frame, STANDARD, AS_OF)
            assert ev.applicants["applicant_id"].tolist() == ["A1", "A2", "A3"]
            assert ev.certified["applicant_id"].tolist() == ["C1", "C2"]
            assert ev.applicants["status"].tolist() == self.ev.applicants["status"].tolist()

    def test_interleaved_rows_copy_only_the_columns_used_until_a_table_is_asked_for(self):
        frame = self.frame.iloc[[0, 3, 1, 4, 2]]
        ev = evaluation.evaluate(frame, STANDARD, AS_OF)
        rows = ev.applicant_columns.frame
        assert rows.index.tolist() == [0, 1, 2]
        assert "email" in frame.columns and "email" not in rows._taken  # no rule reads it
        assert "cme_hours" in rows._taken
        expected = self.ev.applicants
        pd.testing.assert_frame_equal(ev.applicants, expected)
        pd.testing.assert_frame_equal(ev.certified, self.ev.certified)

    def test_blank_cohort_is_unassigned(self):
        assert self.ev.applicants["cohort"].tolist() == [
            "2025-09 Dublin",
            "Unassigned",
            "Unassigned",
        ]

    def test_columns_follow_the_contract(self):
        cols = self.ev.applicants.columns.tolist()
        assert cols[:15] == [
            "applicant_id",
            "full_name",
            "email",
            "license_number",
            "cohort",
            "programme",
            "country",
            "degree",
            "application_date",
            "status",
            "is_near_miss",
            "n_fail",
            "n_missing",
            "failing",
            "state__healthcare_degree",
        ]
        for rule in STANDARD.admission:
            for prefix in ("state__", "explain__", "short__"):
                assert f"{prefix}{rule.id}" in cols
        assert cols[-4:] == ["source_file", "source_sheet", "source_row", "Referral source"]
        assert self.ev.applicants["full_name"].tolist()[0] == "Ann Example"

    def test_certified_columns(self):
        cols = self.ev.certified.columns.tolist()
        for name in (
            "expiry",
            "renewal_status",
            "days_overdue",
            "ageing",
            "is_backlog",
            "is_ready",
            "blocked_by",
            "state__ce_hours",
            "explain__ethics_attestation",
        ):
            assert name in cols
        assert cols[-1] == "Referral source"

    def test_frame_is_not_modified(self):
        before = self.frame.copy()
        evaluation.evaluate(self.frame, ADVANCED, AS_OF).applicants  # noqa: B018
        pd.testing.assert_frame_equal(self.frame, before)


def test_as_of_defaults_to_today():
    frame = canonical([person("A1")])
    assert evaluation.evaluate(frame, STANDARD).as_of == date.today()


def test_empty_frame():
    ev = evaluation.evaluate(canonical([]), STANDARD, AS_OF)
    assert len(ev.applicants) == 0
    assert len(ev.certified) == 0
    assert "state__cme_hours" in ev.applicants.columns


def test_licence_expiring_on_the_as_of_date_is_current():
    frame = canonical([person("A1", license_expiry="2025-06-30")])
    ev = evaluation.evaluate(frame, STANDARD, AS_OF)
    assert ev.applicants["state__license_current"].tolist() == ["pass"]
