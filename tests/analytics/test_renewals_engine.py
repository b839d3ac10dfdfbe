"""Renewals: expiry, due / overdue boundaries, ageing, ready vs blocked, backlog by month."""

from datetime import date, timedelta

import pandas as pd
import pytest

from analytics import rules
from analytics.reporting import renewals
from analytics.rules import evaluation

AS_OF = date(2025, 6, 30)
STANDARD = rules.load_rule_set("standard")
ADVANCED = rules.load_rule_set("advanced")
# Passes every renewal rule of the standard set.
READY = {"ce_hours_since_certification": 24.0, "ethics_attestation": True}


def register(rows: list[dict]) -> pd.DataFrame:
    """Certified practitioners with the loader's dtypes (only the columns renewals read)."""

    def dates(name):
        return pd.to_datetime(pd.Series([r.get(name) for r in rows], dtype=object))

    return pd.DataFrame(
        {
            "applicant_id": pd.Series([r["id"] for r in rows], dtype="string"),
            "cohort": pd.Series([r.get("cohort") for r in rows], dtype="string"),
            "certified_on": dates("certified_on"),
            "certification_expiry": dates("certification_expiry"),
            "license_expiry": pd.to_datetime(
                pd.Series([r.get("license_expiry", "2030-01-01") for r in rows], dtype=object)
            ),
            "ce_hours_since_certification": pd.Series(
                [r.get("ce_hours_since_certification") for r in rows], dtype="float64"
            ),
            "ethics_attestation": pd.Series(
                [r.get("ethics_attestation") for r in rows], dtype="boolean"
            ),
        }
    )


def expiring(identifier: str, days_from_as_of: int, **changes) -> dict:
    expiry = AS_OF + timedelta(days=days_from_as_of)
    return {"id": identifier, "certification_expiry": expiry.isoformat(), **READY, **changes}


def table(rows, rule_set=STANDARD, as_of=AS_OF):
    ev = evaluation.evaluate(register(rows), rule_set, as_of)
    return ev, ev.certified.set_index("applicant_id")


class TestExpiry:
    def test_stated_expiry_wins_over_certified_on(self):
        _, t = table(
            [
                {"id": "C1", "certified_on": "2024-01-10"},
                {"id": "C2", "certified_on": "2024-01-10", "certification_expiry": "2027-01-10"},
                {"id": "C3", "certification_expiry": "2025-12-31"},
            ]
        )
        assert t["expiry"].dt.strftime("%Y-%m-%d").tolist() == [
            "2026-01-10",
            "2027-01-10",
            "2025-12-31",
        ]

    def test_29_february_becomes_28_february(self):
        _, t = table([{"id": "C1", "certified_on": "2024-02-29"}])
        assert t.loc["C1", "expiry"] == pd.Timestamp("2026-02-28")

    def test_validity_years_come_from_the_rule_set(self):
        text = STANDARD.to_toml().replace("validity_years = 2", "validity_years = 3")
        three_years = rules.parse_rule_set(text, "three.toml")
        _, t = table([{"id": "C1", "certified_on": "2024-02-29"}], three_years)
        assert t.loc["C1", "expiry"] == pd.Timestamp("2027-02-28")


class TestStatusBoundaries:
    def setup_method(self):
        rows = [
            expiring("yesterday", -1),
            expiring("today", 0),
            expiring("window_end", 90),
            expiring("after_window", 91),
            expiring("o30", -30),
            expiring("o31", -31),
            expiring("o60", -60),
            expiring("o61", -61),
            expiring("o90", -90),
            expiring("o91", -91),
        ]
        self.ev, self.t = table(rows)

    def test_status(self):
        assert self.t["renewal_status"].astype(str).to_dict() == {
            "yesterday": "overdue",
            "today": "due",
            "window_end": "due",
            "after_window": "current",
            "o30": "overdue",
            "o31": "overdue",
            "o60": "overdue",
            "o61": "overdue",
            "o90": "overdue",
            "o91": "overdue",
        }

    def test_days_overdue_and_ageing(self):
        assert self.t["days_overdue"].tolist() == [1, 0, 0, 0, 30, 31, 60, 61, 90, 91]
        assert self.t["ageing"].astype(str).tolist() == [
            "1-30",
            "",
            "",
            "",
            "1-30",
            "31-60",
            "31-60",
            "61-90",
            "61-90",
            "91+",
        ]

    def test_summary(self):
        assert renewals.summary(self.ev) == {
            "certified": 10,
            "current": 1,
            "due": 2,
            "overdue": 7,
            "backlog": 9,
            "ready": 9,
            "blocked": 0,
            "overdue_aging": {"1-30": 2, "31-60": 2, "61-90": 2, "91+": 1},
            "blocked_by": {"ce_hours": 0, "ethics_attestation": 0, "license_current": 0},
        }

    def test_ageing_table(self):
        pd.testing.assert_frame_equal(
            renewals.ageing(self.ev),
            pd.DataFrame({"bucket": ["1-30", "31-60", "61-90", "91+"], "certified": [2, 2, 2, 1]}),
        )

    def test_window_follows_the_as_of_date(self):
        later = evaluation.evaluate(register([expiring("x", 0)]), STANDARD, AS_OF + timedelta(1))
        assert later.certified["renewal_status"].tolist() == ["overdue"]


class TestReadyAndBlocked:
    def setup_method(self):
        rows = [
            expiring("ready", 10),
            expiring("short_ce", 10, ce_hours_since_certification=19.0),
            expiring("no_ce", -5, ce_hours_since_certification=None),
            expiring("no_ethics", -40, ethics_attestation=False),
            expiring("lapsed", 20, license_expiry="2025-06-29", ethics_attestation=None),
            # not in the backlog: never blocked, never counted in blocked_by
            expiring("current_short", 200, ce_hours_since_certification=1.0),
        ]
        self.ev, self.t = table(rows)

    def test_flags(self):
        assert self.t["is_backlog"].tolist() == [True, True, True, True, True, False]
        assert self.t["is_ready"].tolist() == [True, False, False, False, False, False]
        assert self.t["blocked_by"].tolist() == [
            [],
            ["ce_hours"],
            ["ce_hours"],
            ["ethics_attestation"],
            ["ethics_attestation", "license_current"],
            [],
        ]

    def test_explanations(self):
        assert self.t.loc["short_ce", "explain__ce_hours"] == "1 CE hour short"
        assert self.t.loc["lapsed", "explain__license_current"] == "licence expired 1 day ago"
        assert self.t.loc["no_ethics", "explain__ethics_attestation"] == (
            "ethics attestation not signed"
        )

    def test_summary_counts(self):
        s = renewals.summary(self.ev)
        assert (s["backlog"], s["ready"], s["blocked"]) == (5, 1, 4)
        assert s["blocked_by"] == {"ce_hours": 2, "ethics_attestation": 2, "license_current": 1}

    def test_blocked_by_table_splits_fail_and_missing(self):
        got = renewals.blocked_by(self.ev)[["rule_id", "fail", "missing", "blocked"]]
        expected = pd.DataFrame(
            {
                "rule_id": ["ce_hours", "ethics_attestation", "license_current"],
                "fail": [1, 1, 1],
                "missing": [1, 1, 0],
                "blocked": [2, 2, 1],
            }
        )
        pd.testing.assert_frame_equal(got, expected)

    def test_advanced_asks_30_ce_hours(self):
        ev, t = table([expiring("c", 5, ce_hours_since_certification=24.0)], ADVANCED)
        assert t.loc["c", "explain__ce_hours"] == "6 CE hours short"
        assert renewals.summary(ev)["blocked"] == 1

    def test_backlog_listing_is_sorted_by_expiry(self):
        listed = renewals.backlog(self.ev)["applicant_id"].tolist()
        assert listed == ["no_ethics", "no_ce", "ready", "short_ce", "lapsed"]


class TestBacklogByMonth:
    def test_months_with_due_and_overdue_counts(self):
        rows = [
            {"id": "a", "certification_expiry": "2025-04-15", **READY},  # overdue
            {"id": "b", "certification_expiry": "2025-06-01", **READY},  # overdue
            {"id": "c", "certification_expiry": "2025-06-30", **READY},  # due (as-of date)
            {"id": "d", "certification_expiry": "2025-08-31", **READY},  # due
            {"id": "e", "certification_expiry": "2026-08-31", **READY},  # current
        ]
        ev, _ = table(rows)
        expected = pd.DataFrame(
            {
                "month": pd.Series(
                    ["2025-04", "2025-05", "2025-06", "2025-07", "2025-08"], dtype="string"
                ),
                "due": [0, 0, 1, 0, 1],
                "overdue": [1, 0, 1, 0, 0],
                "backlog": [1, 0, 2, 0, 1],
            }
        )
        pd.testing.assert_frame_equal(renewals.backlog_by_month(ev), expected)

    def test_no_backlog(self):
        ev, _ = table([expiring("a", 400)])
        out = renewals.backlog_by_month(ev)
        assert out.empty
        assert out.columns.tolist() == ["month", "due", "overdue", "backlog"]


def test_no_certified_practitioners():
    ev = evaluation.evaluate(register([]).iloc[0:0], STANDARD, AS_OF)
    assert renewals.summary(ev)["certified"] == 0
    assert renewals.summary(ev)["overdue_aging"] == {"1-30": 0, "31-60": 0, "61-90": 0, "91+": 0}


@pytest.mark.parametrize("rule_set", [STANDARD, ADVANCED])
def test_renewal_rules_in_summary_follow_the_rule_set(rule_set):
    ev, _ = table([expiring("a", 1)], rule_set)
    assert list(renewals.summary(ev)["blocked_by"]) == [r.id for r in rule_set.renewal.rules]
