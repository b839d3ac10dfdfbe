"""Renewals: counts, charts and the backlog list.

Expected figures are worked out by hand for a small register (standard rules, as of
2026-11-25, due window 90 days: up to 2027-02-23), or recounted from the raw sample files
by tests/sample_counts.py.
"""

from tests import sample_counts
from tests.pages.helpers import (
    app,
    chart_traces,
    csv_export,
    metric,
    rule_labels,
    sample_files,
    seed_files,
)

LABEL = rule_labels("standard", renewal=True)
COUNTS = ("Certified", "Current", "Due", "Overdue", "Ready", "Blocked")
REGISTER_CSV = [
    "Record ID,Name,Email,Licence number,Licence expiry,Certified on,Certification expiry,"
    "CE hours,Ethics attestation",
    # current: certified_on + 2 years = 2027-06-01
    "C1,Ada Ames,ada@example.org,L-100001,2028-01-01,2025-06-01,,25,yes",
    # due (2026-12-10), ready
    "C2,Bo Berg,bo@example.org,L-100002,2028-01-01,2024-12-10,,25,yes",
    # overdue 55 days (2026-10-01): 5 CE hours short, attestation blank
    "C3,Cy Cruz,cy@example.org,L-100003,2028-01-01,2024-10-01,,15,",
    # overdue 5 days (stated expiry): the licence expired 24 days ago
    "C4,Di Dahl,di@example.org,L-100004,2026-11-01,2024-11-20,2026-11-20,30,yes",
    # due (stated expiry 2027-02-01), ready
    "C5,Ed Eck,ed@example.org,L-100005,2028-01-01,2025-02-01,2027-02-01,40,yes",
    # overdue 148 days (2026-06-30): attestation not signed
    "C6,Flo Finn,flo@example.org,L-100006,2028-01-01,2024-06-30,2026-06-30,20,no",
]


def _page(files=None):
    files = files or [("register.csv", csv_export(REGISTER_CSV))]
    at = seed_files(app("pages/3_Renewals.py"), files).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _counts(at) -> tuple[str, ...]:
    return tuple(metric(at, label) for label in COUNTS)


def test_counts_and_charts():
    at = _page()
    assert _counts(at) == ("6", "1", "2", "3", "2", "3")
    by_month, ageing, blocked = (chart_traces(c) for c in at.get("plotly_chart"))
    months = ["Jun 2026", "Jul 2026", "Aug 2026", "Sep 2026", "Oct 2026", "Nov 2026"]
    months += ["Dec 2026", "Jan 2027", "Feb 2027"]  # every month, first expiry to last
    assert [t["name"] for t in by_month] == ["Overdue", "Due"]
    assert [list(t["x"]) for t in by_month] == [months, months]
    assert list(by_month[0]["y"]) == [1, 0, 0, 0, 1, 1, 0, 0, 0]  # C6, C3, C4
    assert list(by_month[1]["y"]) == [0, 0, 0, 0, 0, 0, 1, 0, 1]  # C2, C5
    assert dict(zip(ageing[0]["x"], ageing[0]["y"], strict=True)) == {
        "1-30": 1,  # C4
        "31-60": 1,  # C3
        "61-90": 0,
        "91+": 1,  # C6
    }
    assert dict(zip(blocked[0]["y"], blocked[0]["x"], strict=True)) == {
        LABEL["ce_hours"]: 1,  # C3
        LABEL["ethics_attestation"]: 2,  # C3 blank, C6 no
        LABEL["license_current"]: 1,  # C4
    }


def test_backlog_list_says_what_each_must_do_and_is_masked():
    shown = _page().dataframe[0].value
    assert shown["applicant_id"].tolist() == ["C6", "C3", "C4", "C2", "C5"]  # by expiry
    assert shown["renewal_status"].tolist() == ["overdue"] * 3 + ["due"] * 2
    to_do = shown["to_do"].tolist()
    assert to_do[0] == "ethics attestation not signed"
    assert to_do[1].startswith("5 CE hours short; ") and to_do[1].count("; ") == 1
    assert to_do[2:] == ["licence expired 24 days ago", "ready to renew", "ready to renew"]
    assert shown["license_number"].tolist() == ["•••06", "•••03", "•••04", "•••02", "•••05"]
    assert shown["full_name"].tolist() == ["F. F.", "C. C.", "D. D.", "B. B.", "E. E."]


def test_sample_counts_are_recounted_from_the_files():
    expected = sample_counts.expected_report()
    renewals = expected["renewals"]
    at = _page(sample_files())
    assert _counts(at) == tuple(
        f"{n:,}"
        for n in (
            expected["certified"],
            renewals["current"],
            renewals["due"],
            renewals["overdue"],
            renewals["ready"],
            renewals["blocked"],
        )
    )
    _, ageing, blocked = (chart_traces(c) for c in at.get("plotly_chart"))
    assert dict(zip(ageing[0]["x"], ageing[0]["y"], strict=True)) == expected["ageing"]
    assert dict(zip(blocked[0]["y"], blocked[0]["x"], strict=True)) == {
        LABEL[r]: n for r, n in expected["blocked_by"].items()
    }
    shown = at.dataframe[0].value
    assert len(shown) == renewals["due"] + renewals["overdue"]
    assert (shown["to_do"] == "ready to renew").sum() == renewals["ready"]


def test_register_without_backlog_says_so():
    register = b"Applicant ID,Certified on,CE hours\nC1,2026-06-01,25\n"
    at = seed_files(app("pages/3_Renewals.py"), [("reg.csv", register)]).run()
    assert not at.exception
    assert at.success[0].value == "No certification is due or overdue for renewal."
