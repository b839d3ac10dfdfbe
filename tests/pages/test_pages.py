"""Every page runs, without an exception, on the sample, on no data and on one row."""

import pytest

from tests.pages.helpers import ONE_ROW_CSV, PAGES, app, sample_files, seed_files
from ui import page as ui_page

# Screens that can show nothing without data (Home and Rules still offer their controls).
NEED_DATA = [
    "pages/1_Eligibility.py",
    "pages/2_Gaps.py",
    "pages/3_Renewals.py",
    "pages/4_Cohorts.py",
]
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
    if files is None and page in NEED_DATA:
        assert [i.value for i in at.info] == [ui_page.NO_DATA]


def test_every_page_is_covered():
    names = {p.rsplit("/", 1)[-1] for p in PAGES}
    screens = ["1_Eligibility", "2_Gaps", "3_Renewals", "4_Cohorts", "5_Rules"]
    assert {"app.py", *(f"{s}.py" for s in screens)} <= names
