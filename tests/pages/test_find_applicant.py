"""The sidebar's applicant search: by ID on any data page, by name only when personal data
is shown; it opens the same decision trace as Cohorts. Figures worked out by hand for the
shared export in helpers (B4: a dentist with 12 CME hours; dentistry needs 20)."""

import pytest

from tests.pages.helpers import (
    app,
    cohorts_export,
    params,
    rule_labels,
    sample_files,
    seed_files,
)
from ui import page, state

LABEL = rule_labels("standard")


def _search(script: str, text: str, personal: bool = False):
    at = seed_files(app(script), cohorts_export())
    state.set_show_personal(personal, session=at.session_state)
    at.run()
    at.sidebar.text_input(key="sidebar_find").input(text).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _open(at):
    at.sidebar.button(key="sidebar_find_open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("script", ["pages/1_Eligibility.py", "pages/2_Gaps.py"])
def test_an_id_finds_the_applicant_and_opens_their_trace(script):
    at = _open(_search(script, " b4 "))
    assert "**Decision for B4: ineligible**" in [m.value for m in at.markdown]
    trace = at.dataframe[-1].value.set_index("rule")
    cme = trace.loc[LABEL["cme_hours"]]
    assert (cme["recorded"], cme["requires"], cme["result"]) == (
        "12 CME hours",
        "at least 20 CME hours for dentistry",
        "fails",
    )


def test_a_name_finds_nobody_while_personal_data_is_hidden():
    at = _search("pages/1_Eligibility.py", "Dev Das")
    assert [b for b in at.sidebar.button if b.key == "sidebar_find_open"] == []
    assert "No applicant has that ID." in [c.value for c in at.sidebar.caption]


def test_a_name_finds_the_applicant_when_personal_data_is_shown():
    at = _open(_search("pages/1_Eligibility.py", "dev das", personal=True))
    assert "**Decision for B4: ineligible**" in [m.value for m in at.markdown]


def test_a_partial_name_offers_every_match_and_never_enters_the_link():
    at = _search("pages/1_Eligibility.py", "b", personal=True)
    # "b" is nobody's ID; names with a b: Bob Best (B2)
    assert at.sidebar.button(key="sidebar_find_open").label == "Show decision for B2"
    at = _search("pages/1_Eligibility.py", "a", personal=True)
    # names with an a: Amy Ash, Cat Cho, Dev Das, Fay Fenn, Gus Gale, Hana Holt
    picks = at.sidebar.selectbox(key="sidebar_find_pick").options
    assert picks == ["B1", "B3", "B4", "B6", "B7", "B8"]
    link = params(at)
    assert set(link) == {"ds", "rules", "as_of", "page"}
    assert "a" not in [v for values in link.values() for v in values]


def test_an_id_of_the_register_says_where_that_person_is():
    at = seed_files(app("pages/3_Renewals.py"), sample_files()).run()
    # The sample's register lists C0005 (data/samples/certification_register.xlsx).
    assert "C0005" in at.dataframe[0].value["applicant_id"].tolist()
    at.sidebar.text_input(key="sidebar_find").input("c0005").run()
    assert not at.exception
    assert [c.value for c in at.sidebar.caption if "ID" in c.value] == [page.REGISTER_ID]
    assert not [b for b in at.sidebar.button if b.key == "sidebar_find_open"]
