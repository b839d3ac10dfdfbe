"""Renewals' chase list: days until expiry, windows, most urgent first (worked out by hand)."""

from tests.pages.helpers import app, seed_files

# As of 2026-11-25 (the helpers' date); certifications last two years; window 90 days.
REGISTER = (
    b"Applicant ID,Certified on,CE hours,Ethics attestation,Licence expiry\n"
    b"C1,2024-11-20,25,yes,2028-01-01\n"  # expired 2026-11-20: 5 days ago
    b"C2,2024-11-26,25,yes,2028-01-01\n"  # expires 2026-11-26: tomorrow
    b"C3,2024-12-20,5,yes,2028-01-01\n"  # expires 2026-12-20: in 25 days, CE hours short
    b"C4,2025-02-10,25,,2028-01-01\n"  # expires 2027-02-10: in 77 days, no attestation
    b"C5,2025-06-01,25,yes,2028-01-01\n"  # expires 2027-06-01: current, not in the backlog
    b"C6,2024-01-10,25,yes,2028-01-01\n"  # expired 2026-01-10: 319 days ago
)


def _page():
    return seed_files(app("pages/3_Renewals.py"), [("register.csv", REGISTER)]).run()


def test_most_overdue_first_then_soonest_due_with_days_until_expiry():
    at = _page()
    assert not at.exception
    shown = at.dataframe[0].value
    assert shown["applicant_id"].tolist() == ["C6", "C1", "C2", "C3", "C4"]
    assert shown["days_to_expiry"].tolist() == [-319, -5, 1, 25, 77]


def test_windows_count_and_filter_the_list():
    at = _page()
    window = at.button_group(key="renewals_window")
    assert window.options == [
        "Whole backlog (5)",
        "Overdue (2)",
        "Due within 7 days (1)",
        "Due within 30 days (2)",
        "Due within 90 days (3)",
    ]
    window.set_value("30").run()
    assert at.dataframe[0].value["applicant_id"].tolist() == ["C2", "C3"]
    at.button_group(key="renewals_window").set_value("overdue").run()
    assert at.dataframe[0].value["applicant_id"].tolist() == ["C6", "C1"]
    # A second click on the chosen window keeps it (the browser does not send a deselect):
    # the list never falls back to the whole backlog with nothing chosen.
    assert at.button_group(key="renewals_window").proto.required


def test_the_to_do_column_names_what_blocks_each_renewal():
    at = _page()
    table = at.dataframe[0].value
    to_do = dict(zip(table["applicant_id"], table["to_do"], strict=True))
    assert to_do["C6"] == "ready to renew"
    assert "CE hours" in to_do["C3"]
    assert "attestation" in to_do["C4"].lower()
