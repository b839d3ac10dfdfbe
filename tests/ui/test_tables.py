import datetime as dt

import pandas as pd
import pytest

import store
from analytics import rules
from ui import tables


def test_cohort_order_by_earliest_application_blank_last():
    applicants = pd.DataFrame(
        {
            "cohort": pd.array(["Late", "Early", None, "Late", "Undated"], dtype="string"),
            "application_date": pd.to_datetime(
                ["2026-05-01", "2026-02-01", "2026-01-01", "2026-01-15", None]
            ),
        }
    )
    assert tables.cohort_order(applicants) == ["Late", "Early", "Undated", "Unassigned"]


def _by_cohort():
    return pd.DataFrame(
        {
            "cohort": ["A", "B"],
            "applicants": [10, 8],
            "eligible": [5, 6],
            "incomplete": [2, 1],
            "ineligible": [3, 1],
            "eligibility_rate": [0.5, 0.75],
        }
    )


def test_cohort_kpis_with_previous_cohort():
    this, previous = tables.cohort_kpis(_by_cohort(), ["A", "B"], "B")
    assert this["eligible"] == 6 and previous["eligible"] == 5
    assert this["eligibility_rate"] == 0.75


def test_first_cohort_has_nothing_before_it():
    this, previous = tables.cohort_kpis(_by_cohort(), ["A", "B"], "A")
    assert this["applicants"] == 10 and previous == {}


def test_gaps_ranked_by_applicants_held_back():
    gaps = pd.DataFrame(
        {
            "rule_id": ["a", "b", "c"],
            "label": ["Degree", "CME", "Ethics"],
            "severity": ["required", "required", "advisory"],
            "pass": [8, 5, 2],
            "fail": [2, 1, 4],
            "missing": [0, 4, 4],
        }
    )
    ranked = tables.gaps_ranked(gaps)
    assert ranked["rule"].tolist() == ["Ethics (advisory)", "CME", "Degree"]
    assert ranked["held_back"].tolist() == [8, 5, 2]


def test_outreach_adds_email_and_keeps_rank_order():
    near = pd.DataFrame(
        {
            "rank": [1, 2],
            "applicant_id": ["A2", "A1"],
            "full_name": ["B", "A"],
            "cohort": ["X", "X"],
            "degree": ["medicine", "nursing"],
            "rule_id": ["cme_hours", "license_current"],
            "label": ["CME", "Licence"],
            "explain": ["4 CME hours short", "licence expired 3 days ago"],
            "shortfall": [4.0, 3.0],
            "gap": [0.2, 0.01],
        }
    )
    applicants = pd.DataFrame({"applicant_id": ["A1", "A2"], "email": ["a@x", "b@x"]})
    out = tables.outreach(near, applicants)
    assert out.columns.tolist() == tables.OUTREACH_COLUMNS
    assert out["email"].tolist() == ["b@x", "a@x"]
    assert out["cohort"].tolist() == ["X", "X"] and list(out["cohort"].cat.categories) == ["X"]
    assert out["explain"].tolist() == ["4 CME hours short", "licence expired 3 days ago"]


def test_compare_cohorts_share_failing_required_rules_only():
    gaps_by = pd.DataFrame(
        {
            "cohort": ["A", "A", "B", "B", "C"],
            "rule_id": ["r1", "adv", "r1", "adv", "r1"],
            "label": ["Rule 1", "Advice", "Rule 1", "Advice", "Rule 1"],
            "severity": ["required", "advisory", "required", "advisory", "required"],
            "pass": [3, 4, 0, 0, 1],
            "fail": [1, 0, 0, 0, 1],
            "missing": [0, 0, 0, 0, 0],
        }
    )
    out = tables.compare_cohorts(gaps_by, ["B", "A"])
    expected = pd.DataFrame(
        {
            "cohort": pd.array(["B", "A"], dtype="string"),
            "label": ["Rule 1", "Rule 1"],
            "fail": [0, 1],
            "share": [0.0, 0.25],
        }
    )
    pd.testing.assert_frame_equal(out, expected)


@pytest.fixture(scope="module")
def standard():
    return rules.load_rule_set("standard")


def test_trace_lists_every_admission_rule(standard):
    person = {"applicant_id": "A1", "degree": "medicine", "cme_hours": 8.0}
    for rule in standard.admission:
        person[f"state__{rule.id}"] = "pass"
        person[f"explain__{rule.id}"] = ""
    person["state__cme_hours"] = "fail"
    person["explain__cme_hours"] = "12 CME hours short"
    out = tables.trace(pd.Series(person), standard)
    assert out["rule"].tolist() == [r.label for r in standard.admission]
    row = out[out["result"] == "fails"].iloc[0]
    assert row.to_dict() == {
        "rule": "Continuing medical education (CME) hours",
        "severity": "required",
        "recorded": "8 CME hours",
        "requires": "at least 20 CME hours for medicine",
        "result": "fails",
        "why": "12 CME hours short",
    }


def test_trace_of_a_degree_without_its_own_threshold_uses_the_default(standard):
    person = {"applicant_id": "A1", "degree": pd.NA, "cme_hours": pd.NA}
    for rule in standard.admission:
        person[f"state__{rule.id}"] = "missing"
        person[f"explain__{rule.id}"] = ""
    row = tables.trace(pd.Series(person), standard).set_index("rule")
    cme = row.loc["Continuing medical education (CME) hours"]
    assert (cme["recorded"], cme["requires"], cme["result"]) == (
        "not recorded",
        "at least 30 CME hours",
        "no usable value",
    )


def test_backlog_to_do_joins_what_is_left(standard):
    backlog = pd.DataFrame(
        {
            "applicant_id": ["C1", "C2"],
            "full_name": ["x", "y"],
            "email": ["x@e", "y@e"],
            "license_number": ["L1", "L2"],
            "expiry": pd.to_datetime(["2026-10-01", "2026-12-01"]),
            "renewal_status": ["overdue", "due"],
            "days_overdue": [55, 0],
            "state__ce_hours": ["fail", "pass"],
            "explain__ce_hours": ["5 CE hours short", ""],
            "state__ethics_attestation": ["missing", "pass"],
            "explain__ethics_attestation": ["", ""],
            "state__license_current": ["pass", "pass"],
            "explain__license_current": ["", ""],
        },
        index=[40, 41],
    )
    out = tables.backlog_to_do(backlog, standard)
    assert out["to_do"].tolist() == [
        "5 CE hours short; Ethics attestation signed",
        "ready to renew",
    ]
    # Rows that must do the same share one text (a category), in the backlog's order.
    again = tables.backlog_to_do(pd.concat([backlog, backlog, backlog.iloc[:1]]), standard)
    assert again["to_do"].tolist() == out["to_do"].tolist() * 2 + out["to_do"].tolist()[:1]
    assert list(again["to_do"].cat.categories) == sorted(set(out["to_do"]))


def test_what_if_totals():
    table = pd.DataFrame(
        {"applicants": [10, 0, 5], "eligible_before": [4, 0, 1], "eligible_after": [6, 0, 1]}
    )
    assert tables.what_if_totals(table) == {
        "applicants": 15,
        "eligible_before": 5,
        "eligible_after": 7,
        "rate_before": 5 / 15,
        "rate_after": 7 / 15,
    }


@pytest.mark.parametrize(
    ("order", "pair"),
    [
        (["A", "B", "C", "Unassigned"], (1, 2)),
        (["A", "Unassigned"], (0, 0)),
        (["Unassigned"], (0, 0)),
        (["A", "B"], (0, 1)),
    ],
)
def test_default_pair_prefers_the_latest_named_cohorts(order, pair):
    assert tables.default_pair(order) == pair


def test_audit_table(tmp_path):
    s = store.Store(tmp_path / "store")
    s.record("ana", "export", "d-aaaaaaaaaa", "xlsx report")
    frame = tables.audit_table(s.audit_log(), {"d-aaaaaaaaaa": "dataset May (may.xlsx)"})
    expected = pd.DataFrame(
        {
            "user": pd.array(["ana"], dtype="string"),
            "action": pd.array(["Exported"], dtype="string"),
            "object": pd.array(["dataset May (may.xlsx)"], dtype="string"),
            "detail": pd.array(["xlsx report"], dtype="string"),
            "object_id": pd.array(["d-aaaaaaaaaa"], dtype="string"),
        }
    )
    pd.testing.assert_frame_equal(frame.drop(columns="time"), expected)
    assert str(frame["time"].dtype) == "datetime64[us, UTC]"
    empty = tables.audit_table([], {})
    assert list(empty.columns) == tables.AUDIT_COLUMNS
    assert empty.empty


def test_chase_windows_are_cumulative_and_include_their_last_day():
    todo = pd.DataFrame(
        {
            "applicant_id": ["a", "b", "c", "d", "e"],
            "expiry": pd.to_datetime(
                ["2026-11-24", "2026-11-25", "2026-12-02", "2026-12-03", "2027-02-23"]
            ),
        }
    )
    chase = tables.chase_list(todo, dt.date(2026, 11, 25))
    assert chase["days_to_expiry"].tolist() == [-1, 0, 7, 8, 90]
    assert tables.in_window(chase, "overdue")["applicant_id"].tolist() == ["a"]
    assert tables.in_window(chase, "7")["applicant_id"].tolist() == ["b", "c"]
    assert tables.in_window(chase, "30")["applicant_id"].tolist() == ["b", "c", "d"]
    assert tables.in_window(chase, "90")["applicant_id"].tolist() == ["b", "c", "d", "e"]
    assert tables.window_counts(chase) == {"all": 5, "overdue": 1, "7": 2, "30": 3, "90": 4}


def test_drill_rows_name_the_rules_each_applicant_fails_once_per_combination():
    both = ["cme_hours", "license_current"]  # one list shared by the rows of a combination
    applicants = pd.DataFrame(
        {
            "applicant_id": ["A1", "A2", "A3", "A4", "A5"],
            "failing": [both, [], both, ["cme_hours", "license_current"], ["unknown_rule"]],
        },
        index=[10, 11, 12, 13, 14],
    )
    for column in tables.DRILL_COLUMNS:
        if column not in applicants:
            applicants[column] = None
    labels = {"cme_hours": "CME hours", "license_current": "Current licence"}
    out = tables.drill_rows(applicants, [], labels)
    assert out["failing"].tolist() == [
        "CME hours, Current licence",
        "",
        "CME hours, Current licence",
        "CME hours, Current licence",  # an equal list of its own reads the same
        "unknown_rule",
    ]
    assert out.index.tolist() == [10, 11, 12, 13, 14]
    # One text per distinct wording, held as text categories: a code per row.
    assert sorted(out["failing"].cat.categories) == [
        "",
        "CME hours, Current licence",
        "unknown_rule",
    ]
    assert out["failing"].cat.categories.dtype == "string"
    assert applicants["failing"].iloc[0] == both  # the evaluation's lists are left as they are
