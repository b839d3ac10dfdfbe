"""changes.compare(): what moved between two uploads (DOMAIN §7), on small inline pairs.

Every expectation is worked out by hand from the standard rule set: medicine needs 20 CME
hours, any other or missing degree 30; licences are judged on each side's own as-of date;
certification lasts two years from certified_on unless an expiry is given, and is due in
the 90 days before it.
"""

import json
from datetime import date

import pandas as pd
import pytest

from analytics import rules
from analytics.loading import fields
from analytics.reporting import changes
from analytics.rules import evaluation

STANDARD = rules.load_rule_set("standard")
OLD_AS_OF = date(2026, 10, 1)
AS_OF = date(2026, 11, 1)
RULE_IDS = [rule.id for rule in STANDARD.admission]  # the JSON lists every rule, in order
# The loader's dtypes per field kind (text otherwise), docs/architecture.md.
DTYPE_OF_KIND = {"date": "datetime64[ns]", "number": "float64", "boolean": "boolean"}
# Passes every standard admission rule (medicine: 20 CME hours).
GOOD = {
    "degree": "medicine",
    "degree_accredited": True,
    "license_expiry": "2030-01-01",
    "cme_hours": 25.0,
    "aesthetics_experience_years": 2.0,
    "injectables_experience": "Botox and fillers",
    "ethics_training": True,
}
# Passes every renewal rule.
READY = {"ce_hours_since_certification": 24.0, "ethics_attestation": True}


def applicant(identifier: str, **fields) -> dict:
    return {
        **GOOD,
        "applicant_id": identifier,
        "full_name": f"Dr {identifier} Smith",
        "email": f"{identifier.strip().lower()}@example.org",
        **fields,
    }


def practitioner(identifier: str, **fields) -> dict:
    return {**READY, "license_expiry": "2030-01-01", **applicant(identifier), **fields}


def evaluated(rows: list[dict], as_of: date, rule_set=STANDARD):
    columns = {}
    for name, kind in fields.FIELD_KINDS.items():
        dtype = DTYPE_OF_KIND.get(kind, "string")
        values = pd.Series([row.get(name) for row in rows], dtype=object)
        if dtype.startswith("datetime"):
            columns[name] = pd.to_datetime(values).astype(dtype)
        else:
            columns[name] = values.astype(dtype)
    return evaluation.evaluate(pd.DataFrame(columns), rule_set, as_of)


def compare(old_rows, new_rows, old_as_of=OLD_AS_OF, as_of=AS_OF):
    return changes.compare(evaluated(old_rows, old_as_of), evaluated(new_rows, as_of))


def grid(**cells) -> dict:
    """The 3 x 3 status table with zeros, `eligible__incomplete=1` style cells set."""
    out = {old: dict.fromkeys(evaluation.STATUSES, 0) for old in evaluation.STATUSES}
    for name, count in cells.items():
        old, new = name.split("__")
        out[old][new] = count
    return out


def rule_counts(**given) -> dict:
    """Every rule at zero, `cme_hours=(resolved, new)` style entries set."""
    out = {rule_id: {"resolved": 0, "new": 0} for rule_id in RULE_IDS}
    for rule_id, (resolved, new) in given.items():
        out[rule_id] = {"resolved": resolved, "new": new}
    return out


def by_id(frame: pd.DataFrame, column: str) -> dict:
    return dict(zip(frame["applicant_id"], frame[column], strict=True))


def nonzero_moves(result) -> dict:
    moves = result.moves
    return {(row.old, row.new): row.applicants for row in moves.itertuples() if row.applicants}


# --- status moves, one pair getting worse and one getting better -----------------------


@pytest.fixture(scope="module")
def worse():
    old = [
        applicant("W1"),  # eligible -> eligible, nothing changes
        applicant("W2"),  # eligible -> incomplete: CME hours blank
        applicant("W3", license_expiry="2026-10-29"),  # passes on 1 Oct, not on 1 Nov
        applicant("W4", degree_accredited=None),  # incomplete -> ineligible
        applicant("W5", cme_hours=12.0),  # ineligible both times; ethics training lapses
    ]
    new = [
        applicant("W1"),
        applicant("W2", cme_hours=None),
        applicant("W3", license_expiry="2026-10-29"),
        applicant("W4", degree_accredited=False),
        applicant("W5", cme_hours=12.0, ethics_training=False),
    ]
    return compare(old, new)


class TestGettingWorse:
    def test_status_cells(self, worse):
        assert worse.status == grid(
            eligible__eligible=1,
            eligible__incomplete=1,
            eligible__ineligible=1,
            incomplete__ineligible=1,
            ineligible__ineligible=1,
        )
        assert (worse.newly_eligible, worse.no_longer_eligible) == (0, 2)

    def test_rules_new_counts_pass_to_not_pass_only(self, worse):
        # W4's accreditation goes missing -> fail: neither resolved nor new.
        assert worse.rules == rule_counts(
            license_current=(0, 1), cme_hours=(0, 1), ethics_training=(0, 1)
        )

    def test_sentences(self, worse):
        assert by_id(worse.people, "what_changed") == {
            "W2": "CME hours not given or unreadable: no longer eligible",
            "W3": "licence expired 3 days ago: no longer eligible",
            "W4": "degree institution is not accredited: now ineligible",
            "W5": "ethics and patient safety training not completed",
        }

    def test_rule_lists_per_person(self, worse):
        people = worse.people
        assert by_id(people, "newly_failing") == {
            "W2": ("cme_hours",),
            "W3": ("license_current",),
            "W4": (),
            "W5": ("ethics_training",),
        }
        assert set(by_id(people, "resolved").values()) == {()}
        assert by_id(people, "old_status") == {
            "W2": "eligible",
            "W3": "eligible",
            "W4": "incomplete",
            "W5": "ineligible",
        }
        assert by_id(people, "new_status") == {
            "W2": "incomplete",
            "W3": "ineligible",
            "W4": "ineligible",
            "W5": "ineligible",
        }
        assert set(people["kind"]) == {"continuing"}

    def test_no_longer_eligible_list_says_why(self, worse):
        lapsed = worse.no_longer_eligible_people
        assert list(lapsed["applicant_id"]) == ["W2", "W3"]
        assert list(lapsed["new_status"]) == ["incomplete", "ineligible"]
        assert list(lapsed["newly_failing"]) == [("cme_hours",), ("license_current",)]
        assert lapsed["what_changed"].iloc[1] == "licence expired 3 days ago: no longer eligible"
        assert worse.newly_eligible_people.empty

    def test_membership_unchanged(self, worse):
        assert worse.applicants == {"old": 5, "new": 5, "added": 0, "removed": 0, "continuing": 5}
        assert (worse.added_eligible, worse.became_certified) == (0, 0)


@pytest.fixture(scope="module")
def better():
    old = [
        applicant("I1", cme_hours=12.0),  # ineligible -> eligible
        applicant("I2", degree_accredited=None),  # incomplete -> eligible
        applicant("I3", degree="non_healthcare", cme_hours=35.0),  # ineligible -> incomplete
        applicant("I4", cme_hours=None, aesthetics_experience_years=0.5),  # incomplete both
        applicant(
            "I5", license_expiry="2026-09-01", cme_hours=10.0, injectables_experience="none"
        ),  # ineligible -> eligible on two rules, and an advisory one
        applicant("I6", cme_hours=12.0, degree_accredited=False),  # ineligible both
    ]
    new = [
        applicant("I1", cme_hours=30.0),
        applicant("I2", degree_accredited=True),
        applicant("I3", degree="medicine", cme_hours=None),
        applicant("I4", cme_hours=None, aesthetics_experience_years=1.5),
        applicant(
            "I5",
            license_expiry="2028-09-01",
            cme_hours=20.0,
            injectables_experience="Botox 2 yrs",
        ),
        applicant("I6", cme_hours=30.0, degree_accredited=False),
    ]
    return compare(old, new)


class TestGettingBetter:
    def test_status_cells(self, better):
        assert better.status == grid(
            incomplete__eligible=1,
            incomplete__incomplete=1,
            ineligible__eligible=2,
            ineligible__incomplete=1,
            ineligible__ineligible=1,
        )
        assert (better.newly_eligible, better.no_longer_eligible) == (3, 0)

    def test_rules_resolved_and_new(self, better):
        assert better.rules == rule_counts(
            healthcare_degree=(1, 0),
            accredited_institution=(1, 0),
            license_current=(1, 0),
            cme_hours=(3, 1),  # I1, I5, I6 resolved; I3 pass -> missing
            aesthetics_experience=(1, 0),
            injectables_experience=(1, 0),
        )

    def test_sentences(self, better):
        assert by_id(better.people, "what_changed") == {
            "I1": "CME hours 12 -> 30: now eligible",
            "I2": "degree accreditation not given -> yes: now eligible",
            "I3": "degree non healthcare -> medicine: now incomplete; "
            "CME hours not given or unreadable",
            "I4": "aesthetics experience 0.5 -> 1.5: now passes",
            "I5": "licence expiry date 2026-09-01 -> 2028-09-01; CME hours 10 -> 20: "
            "now eligible; injectables experience: now passes",
            "I6": "CME hours 12 -> 30: now passes",
        }

    def test_rule_lists_per_person(self, better):
        assert by_id(better.people, "resolved") == {
            "I1": ("cme_hours",),
            "I2": ("accredited_institution",),
            "I3": ("healthcare_degree",),
            "I4": ("aesthetics_experience",),
            "I5": ("license_current", "cme_hours", "injectables_experience"),
            "I6": ("cme_hours",),
        }
        assert by_id(better.people, "newly_failing")["I3"] == ("cme_hours",)

    def test_newly_eligible_list(self, better):
        invite = better.newly_eligible_people
        assert list(invite["applicant_id"]) == ["I1", "I2", "I5"]
        assert list(invite["old_status"]) == ["ineligible", "incomplete", "ineligible"]
        assert list(invite["email"]) == ["i1@example.org", "i2@example.org", "i5@example.org"]
        assert better.no_longer_eligible_people.empty

    def test_moves_are_the_status_cells(self, better):
        assert nonzero_moves(better) == {
            ("incomplete", "eligible"): 1,
            ("incomplete", "incomplete"): 1,
            ("ineligible", "eligible"): 2,
            ("ineligible", "incomplete"): 1,
            ("ineligible", "ineligible"): 1,
        }


# --- who is on which side -----------------------------------------------------------------


@pytest.fixture(scope="module")
def membership():
    old = [
        applicant(" a1 "),  # the same person as "A1": trimmed, any case
        applicant("A2", cme_hours=None),  # incomplete, then gone
        applicant("A3", degree_accredited=False),  # ineligible, then certified
    ]
    new = [
        applicant("A1"),
        practitioner("A3", certified_on="2026-10-20"),
        applicant("N1"),  # added, eligible
        applicant("N2", degree_accredited=False),  # added, ineligible
    ]
    return compare(old, new, old_as_of=AS_OF)


class TestMembership:
    def test_applicant_counts(self, membership):
        # removed: A2 (gone) and A3 (now certified); continuing: A1 alone.
        assert membership.applicants == {
            "old": 3,
            "new": 3,
            "added": 2,
            "removed": 2,
            "continuing": 1,
        }
        assert membership.added_eligible == 1
        assert membership.became_certified == 1
        assert membership.status == grid(eligible__eligible=1)
        assert membership.renewals == {
            "old_certified": 0,
            "new_certified": 1,
            "renewed": 0,
            "newly_overdue": 0,
        }

    def test_people(self, membership):
        people = membership.people
        assert list(people["applicant_id"]) == ["N1", "N2", "A2", "A3"]
        assert list(people["kind"]) == ["added", "added", "removed", "certified"]
        assert list(people["old_status"]) == [
            "not present",
            "not present",
            "incomplete",
            "ineligible",
        ]
        assert list(people["new_status"]) == ["eligible", "ineligible", "not present", "certified"]
        assert list(people["what_changed"]) == [
            "new applicant",
            "new applicant",
            "not in the new export",
            "certified on 2026-10-20",
        ]
        # Repeated text is held once per distinct value (a code a row), as text.
        for column in ("cohort", "programme", "country", "what_changed"):
            assert isinstance(people[column].dtype, pd.CategoricalDtype), column
            assert people[column].cat.categories.dtype == "string", column
        assert people["what_changed"].cat.categories.tolist() == sorted(
            {"new applicant", "not in the new export", "certified on 2026-10-20"}
        )

    def test_new_eligible_applicants_are_on_the_invite_list(self, membership):
        invite = membership.newly_eligible_people
        assert list(invite["applicant_id"]) == ["N1"]
        assert list(invite["kind"]) == ["added"]

    def test_moves(self, membership):
        assert nonzero_moves(membership) == {
            ("eligible", "eligible"): 1,
            ("incomplete", "not present"): 1,
            ("ineligible", "certified"): 1,
            ("not present", "eligible"): 1,
            ("not present", "ineligible"): 1,
        }
        # 3 old statuses x 5 new states, and not present -> the 3 statuses.
        assert len(membership.moves) == 18
        assert membership.moves["applicants"].sum() == 5

    def test_certified_with_only_an_expiry_says_so(self):
        result = compare(
            [applicant("A1")],
            [practitioner("A1", certification_expiry="2028-10-01")],
            old_as_of=AS_OF,
        )
        assert result.became_certified == 1
        assert list(result.people["what_changed"]) == [
            "certified (certification expires 2028-10-01)"
        ]
        assert list(result.people.columns) == [
            "applicant_id",
            "full_name",
            "email",
            "cohort",
            "programme",
            "country",
            "kind",
            "old_status",
            "new_status",
            "resolved",
            "newly_failing",
            "what_changed",
        ]

    def test_no_common_applicants(self):
        result = compare(
            [applicant("A1"), applicant("A2", degree_accredited=False)],
            [applicant("B1"), applicant("B2", cme_hours=None), applicant("B3")],
        )
        assert result.applicants == {"old": 2, "new": 3, "added": 3, "removed": 2, "continuing": 0}
        assert result.status == grid()
        assert result.rules == rule_counts()
        assert (result.newly_eligible, result.no_longer_eligible) == (0, 0)
        assert result.added_eligible == 2
        assert nonzero_moves(result) == {
            ("eligible", "not present"): 1,
            ("ineligible", "not present"): 1,
            ("not present", "eligible"): 2,
            ("not present", "incomplete"): 1,
        }
        assert list(result.newly_eligible_people["applicant_id"]) == ["B1", "B3"]


# --- renewals: each side judged on its own as-of date -------------------------------------


@pytest.fixture(scope="module")
def register():
    old = [
        practitioner("C1", certification_expiry="2026-10-15"),  # due on 1 Oct
        practitioner("C2", certification_expiry="2026-10-20"),  # due, then 12 days overdue
        practitioner("C3", certification_expiry="2026-09-01"),  # overdue both times
        practitioner("C4", certification_expiry="2027-06-01"),  # only in the old register
        practitioner("C6", certified_on="2024-10-31", ce_hours_since_certification=10.0),
        practitioner("C7", certification_expiry="2026-08-01"),  # overdue, renewed, overdue
    ]
    new = [
        practitioner("C1", certification_expiry="2028-10-15"),
        practitioner("C2", certification_expiry="2026-10-20"),
        practitioner("C3", certification_expiry="2026-09-01"),
        practitioner("C5", certification_expiry="2027-06-01"),  # only in the new one
        # expiry 2026-10-31 from certified_on: due on 1 Oct, 1 day overdue on 1 Nov
        practitioner("C6", certified_on="2024-10-31", ce_hours_since_certification=10.0),
        practitioner("C7", certification_expiry="2026-10-25"),
    ]
    return compare(old, new)


class TestRenewals:
    def test_counts(self, register):
        assert register.renewals == {
            "old_certified": 6,
            "new_certified": 6,
            "renewed": 2,  # C1, C7
            "newly_overdue": 2,  # C2, C6 (C3 and C7 were overdue already)
        }
        assert register.applicants == {
            "old": 0,
            "new": 0,
            "added": 0,
            "removed": 0,
            "continuing": 0,
        }
        assert register.became_certified == 0

    def test_people(self, register):
        people = register.people
        assert set(people["kind"]) == {"renewal"}
        assert by_id(people, "what_changed") == {
            "C1": "certification expiry 2026-10-15 -> 2028-10-15: renewed",
            "C2": "certification expired 12 days ago: renewal overdue",
            "C6": "certification expired 1 day ago: renewal overdue",
            "C7": "certification expiry 2026-08-01 -> 2026-10-25: renewed",
        }

    def test_newly_overdue_list(self, register):
        chase = register.newly_overdue_people
        assert list(chase["applicant_id"]) == ["C2", "C6"]
        assert list(chase["days_overdue"]) == [12, 1]
        assert list(chase["ageing"]) == ["1-30", "1-30"]
        assert list(chase["blocked_by"]) == [[], ["ce_hours"]]
        assert list(chase["expiry"]) == [pd.Timestamp("2026-10-20"), pd.Timestamp("2026-10-31")]


# --- the whole object ---------------------------------------------------------------------

KEYS_OF_SECTION_7 = {
    "as_of",
    "old_as_of",
    "rule_set",
    "applicants",
    "status",
    "newly_eligible",
    "no_longer_eligible",
    "added_eligible",
    "became_certified",
    "rules",
    "renewals",
}


class TestWhole:
    def test_to_dict_has_exactly_the_section_7_keys(self, better):
        data = json.loads(json.dumps(better.to_dict()))
        assert set(data) == KEYS_OF_SECTION_7
        assert (data["as_of"], data["old_as_of"], data["rule_set"]) == (
            "2026-11-01",
            "2026-10-01",
            "standard",
        )
        assert set(data["applicants"]) == {"old", "new", "added", "removed", "continuing"}
        assert data["status"]["ineligible"] == {"eligible": 2, "incomplete": 1, "ineligible": 1}
        assert list(data["rules"]) == RULE_IDS
        assert set(data["renewals"]) == {
            "old_certified",
            "new_certified",
            "renewed",
            "newly_overdue",
        }
        assert data["newly_eligible"] == 3

    def test_identical_sides_give_zeros(self):
        rows = [
            applicant("A1"),
            applicant("A2", cme_hours=None),
            applicant("A3", degree_accredited=False),
            practitioner("C1", certification_expiry="2026-10-20"),
        ]
        result = compare(rows, rows, old_as_of=AS_OF)
        assert result.applicants == {"old": 3, "new": 3, "added": 0, "removed": 0, "continuing": 3}
        assert result.status == grid(
            eligible__eligible=1, incomplete__incomplete=1, ineligible__ineligible=1
        )
        assert result.rules == rule_counts()
        assert (result.newly_eligible, result.no_longer_eligible, result.added_eligible) == (
            0,
            0,
            0,
        )
        assert result.became_certified == 0
        assert result.renewals == {
            "old_certified": 1,
            "new_certified": 1,
            "renewed": 0,
            "newly_overdue": 0,
        }
        assert result.people.empty and not result.has_changes
        assert result.newly_overdue_people.empty
        assert "Nothing changed" in changes.render_text(result)

    def test_rule_changes_table(self, better):
        table = better.rule_changes.set_index("rule_id")
        assert list(table.index) == RULE_IDS
        assert table.loc["cme_hours", ["resolved", "new"]].tolist() == [3, 1]
        assert table.loc["cme_hours", "label"] == "Continuing medical education (CME) hours"
        assert table.loc["ethics_training", "severity"] == "advisory"

    def test_text_is_one_paragraph_naming_no_one(self, membership):
        text = changes.render_text(membership)
        assert text.endswith("\n") and text.count("\n") == 1
        for personal in ("A1", "A2", "A3", "N1", "N2", "Smith", "example.org"):
            assert personal not in text
        assert "3 now against 3 before; 2 new, 2 no longer listed as applicants (1 of them" in text
        assert "1 of the new applicants are eligible" in text

    def test_text_names_the_rules_that_moved(self, better):
        text = changes.render_text(better)
        assert "Continuing medical education (CME) hours (3)" in text
        assert "newly unmet or not given: Continuing medical education (CME) hours (1)" in text

    def test_rule_sets_must_match(self):
        rows = [applicant("A1")]
        advanced = rules.load_rule_set("advanced")
        with pytest.raises(ValueError, match="same rule set"):
            changes.compare(evaluated(rows, AS_OF), evaluated(rows, AS_OF, advanced))

    def test_a_side_with_an_id_twice_is_refused(self):
        rows = [applicant("A1"), applicant(" a1")]
        with pytest.raises(ValueError, match="old side"):
            changes.compare(evaluated(rows, AS_OF), evaluated(rows[:1], AS_OF))
