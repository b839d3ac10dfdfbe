"""Every page runs, without an exception, on the sample, on no data and on one row.

The pages are every `pages/*.py`, Home included (helpers.PAGES, a glob), so a new screen is
covered as soon as it exists. Without data a screen must say so with the one no-data
message, unless it is one of the few that are useful without data.
"""

import pytest

from tests.pages.helpers import ONE_ROW_CSV, PAGES, app, sample_files, seed_files
from ui import loaders
from ui import page as ui_page

# Screens with something to offer before any data is open: Home (upload, sample, rules and
# date), Rules (read and edit the rule set) and the Audit log (the store, not the dataset).
USEFUL_WITHOUT_DATA = {"pages/0_Home.py", "pages/5_Rules.py", "pages/7_Audit.py"}
DATASETS = {
    "none": None,
    "sample": sample_files,
    "one_row": lambda: [("one.csv", ONE_ROW_CSV)],
}


@pytest.mark.parametrize("dataset", list(DATASETS))
@pytest.mark.parametrize("page", PAGES)
def test_page_runs(page, dataset):
    at = app(page)
    files = DATASETS[dataset]
    if files is not None:
        seed_files(at, files())
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    no_data = [i.value for i in at.info if i.value == ui_page.NO_DATA]
    if files is None and page not in USEFUL_WITHOUT_DATA:
        assert [i.value for i in at.info] == [ui_page.NO_DATA]
    else:
        assert no_data == []
    assert at.title, "every screen draws its title"


def test_the_glob_finds_every_screen():
    # A wrong folder would leave no screen and make the tests above vacuous.
    assert PAGES[0] == "pages/0_Home.py"
    assert "pages/7_Audit.py" in PAGES
    assert set(PAGES) > USEFUL_WITHOUT_DATA


@pytest.mark.parametrize("page", PAGES)
def test_a_rerun_keeps_nothing_new_in_the_session_memo(page):
    # Every table a screen shows is made once per input: a rerun that built a table anew
    # would keep another copy of it (and of its capped and print copies) in the memo
    # each run, until the memo's budget pushed out what the next screen needs.
    at = seed_files(app(page), sample_files())
    at.run()
    at.run()  # the first run's records (the upload, the sign-in) are in the audit log now
    kept = set(at.session_state[loaders.MEMO])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert set(at.session_state[loaders.MEMO]) == kept


# Streamlit's frontend wraps a table's text only in rows taller than 4rem (64 px); below
# that, long text ends in "…". These tables hold sentences a director reads whole.
STREAMLIT_WRAPS_ABOVE_PX = 64


def _wrapped_tables():
    at = seed_files(app("pages/5_Rules.py"), sample_files()).run()
    yield "Rules: every rule", at, at.dataframe[0]
    at = seed_files(app("pages/7_Audit.py"), sample_files()).run()
    at.run()  # the first run's sign-in and upload are in the log now
    yield "Audit log", at, at.dataframe[0]
    at = seed_files(app("pages/4_Cohorts.py"), sample_files())
    at.session_state["cohorts_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    traces = [t for t in at.dataframe if "why" in t.value.columns]
    yield "an applicant's decision", at, traces[0]


def test_tables_of_sentences_wrap_their_text():
    for name, at, table in _wrapped_tables():
        assert not at.exception, (name, [e.value for e in at.exception])
        assert table.proto.row_height > STREAMLIT_WRAPS_ABOVE_PX, name
        assert len(table.value) > 0, name
