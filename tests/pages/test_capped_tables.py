"""Tables send the browser at most page.TABLE_ROWS rows, and a longer list says how many
rows it holds and where the rest is. The limit is lowered here so that small exports,
worked out by hand, are longer than it."""

import pytest

from tests.pages.helpers import app, cohorts_export, seed_files
from tests.pages.test_gaps import EXPORT as GAPS_EXPORT
from tests.pages.test_print_pages import _print_copies
from ui import page


@pytest.fixture
def two_rows(monkeypatch):
    monkeypatch.setattr(page, "TABLE_ROWS", 2)


def _run(script, files):
    at = seed_files(app(script), files).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_near_misses_capped_say_how_many_and_that_the_download_has_all(two_rows):
    at = _run("pages/2_Gaps.py", GAPS_EXPORT)
    # A2, A3 and A4 are the near misses (test_gaps); the closest two are shown.
    assert at.dataframe[0].value["applicant_id"].tolist() == ["A4", "A2"]
    captions = [c.value for c in at.caption]
    assert "Showing the first 2 of 3 rows. The full list is in the CSV download below." in captions
    assert "Download CSV" in [b.proto.label for b in at.get("download_button")]


def test_a_list_within_the_limit_has_no_such_line():
    at = _run("pages/2_Gaps.py", GAPS_EXPORT)
    assert len(at.dataframe[0].value) == 3
    assert not any(c.value.startswith("Showing the first") for c in at.caption)


def test_cohorts_applicants_capped_with_the_whole_list_to_download(two_rows):
    at = _run("pages/4_Cohorts.py", cohorts_export())
    table = at.dataframe[0].value
    assert len(table) == 2
    captions = [c.value for c in at.caption]
    # The cohorts export has eight applicants, B1 to B8.
    assert "Showing the first 2 of 8 rows. The full list is in the CSV download below." in captions
    assert "Download CSV" in [b.proto.label for b in at.get("download_button")]


def test_a_capped_list_printed_counts_the_whole_list_and_names_the_download(two_rows):
    at = _run("pages/2_Gaps.py", GAPS_EXPORT)
    (near,) = [c for c in _print_copies(at) if [r[1] for r in c["rows"]] == ["A4", "A2"]]
    # The screen holds 2 of the 3 near misses; paper has room for both it was sent.
    assert near["note"] == (
        "Printed: the first 2 of 3 rows. The full list is in the CSV download below."
    )


def test_the_audit_log_printed_capped_says_to_narrow_the_filters(two_rows, shared_store):
    # The audit screen has no download: its line on where the rest is says so, on paper too.
    for n in range(3):
        shared_store.record("ana", "export", detail=f"report {n}")
    at = _run("pages/7_Audit.py", [])
    rest = "Narrow the dates or the filters above to see older entries."
    (copy,) = _print_copies(at)
    assert copy["note"] == f"Printed: the first 2 of 3 rows. {rest}"
    assert f"Showing the first 2 of 3 rows. {rest}" in [c.value for c in at.caption]
