"""Gaps: per-rule counts, the combinations chart and the masked near-miss list.

Expected figures are worked out by hand for a small export (standard rules, as of
2026-11-25), or recounted from the raw sample files by tests/sample_counts.py.
"""

import json

from tests import sample_counts
from tests.pages.helpers import app, chart_traces, csv_export, rule_labels, sample_files, seed_files

LABEL = rule_labels("standard")
# Standard rules on 2026-11-25; what each row holds back (required rules, then advisory):
GAPS_CSV = [
    "Applicant ID,Name,Email,Degree,Accredited,Licence expiry,CME hours,"
    "Aesthetics experience,Injectables experience,Ethics training",
    # eligible, every rule passes
    "A1,Ann Ash,ann@example.org,MD,yes,2027-06-30,25,2,Botox,yes",
    # near miss: 16 of the 20 CME hours a physician needs (gap 4/20); 0.5 years in aesthetics
    "A2,Ben Bell,ben@example.org,MD,yes,2027-06-30,16,0.5,Botox,yes",
    # near miss: not accredited (gap 1); no ethics training
    "A3,Cara Cole,cara@example.org,RN,no,2027-06-30,35,1,fillers,no",
    # near miss: licence expired 10 days before (gap 10/365); injectables blank
    "A4,Dan Dunn,dan@example.org,DDS,yes,2026-11-15,20,3,,yes",
    # no healthcare degree, not accredited, 10 of the default 30 CME hours; no ethics training
    "A5,Eve Eng,eve@example.org,MBA,no,2027-06-30,10,1,Botox,no",
    # incomplete: no licence expiry; ethics blank
    "A6,Finn Fox,finn@example.org,MD,yes,,30,1,Botox,",
    # no healthcare degree, not accredited; no ethics training (both)
    "A7,Gia Gray,gia@example.org,BA,no,2027-01-01,40,1,Botox,no",
    "A8,Hal Hunt,hal@example.org,Law,no,2027-06-30,40,1,toxin,no",
]
EXPORT = [("gaps.csv", csv_export(GAPS_CSV))]


def _gaps_page(files=EXPORT):
    at = seed_files(app("pages/2_Gaps.py"), files).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_fail_and_missing_per_rule_ranked_by_applicants_held_back():
    fail, missing = chart_traces(_gaps_page().get("plotly_chart")[0])
    shown = list(zip(fail["y"], fail["x"], missing["x"], strict=True))
    # (rule, fail, missing), fail + missing largest first, then more failing first
    assert shown == [
        (LABEL["ethics_training"] + " (advisory)", 4, 1),  # A3 A5 A7 A8; A6 blank
        (LABEL["accredited_institution"], 4, 0),  # A3 A5 A7 A8
        (LABEL["healthcare_degree"], 3, 0),  # A5 A7 A8
        (LABEL["cme_hours"], 2, 0),  # A2 A5
        (LABEL["license_current"], 1, 1),  # A4; A6 blank
        (LABEL["aesthetics_experience"] + " (advisory)", 1, 0),  # A2
        (LABEL["injectables_experience"] + " (advisory)", 0, 1),  # A4 blank
    ]


def test_sample_counts_per_required_rule_are_recounted_from_the_files():
    fail, missing = chart_traces(_gaps_page(sample_files()).get("plotly_chart")[0])
    shown = {y: (f, m) for y, f, m in zip(fail["y"], fail["x"], missing["x"], strict=True)}
    expected = sample_counts.expected_report()["gaps"]
    assert {LABEL[r]: shown[LABEL[r]] for r in expected} == {
        LABEL[r]: (c["fail"], c["missing"]) for r, c in expected.items()
    }
    assert len(shown) == len(LABEL)  # the advisory rules are charted too
    held_back = [f + m for f, m in zip(fail["x"], missing["x"], strict=True)]
    assert held_back == sorted(held_back, reverse=True)


def test_upset_bars_count_applicants_per_set_of_failing_required_rules():
    bars, _grid, *sets = chart_traces(_gaps_page().get("plotly_chart")[1])
    count = dict(zip(bars["x"], bars["y"], strict=True))
    shown = {frozenset(s["y"]): count[s["x"][0]] for s in sets}
    assert shown == {
        frozenset([LABEL["healthcare_degree"], LABEL["accredited_institution"]]): 2,  # A7 A8
        frozenset([LABEL["cme_hours"]]): 1,  # A2
        frozenset([LABEL["accredited_institution"]]): 1,  # A3
        frozenset([LABEL["license_current"]]): 1,  # A4
        frozenset(
            [LABEL["healthcare_degree"], LABEL["accredited_institution"], LABEL["cme_hours"]]
        ): 1,  # A5
    }
    assert list(bars["y"]) == [2, 1, 1, 1, 1]  # most common first


def test_near_miss_list_is_closest_first_and_masked_until_personal_data_is_on():
    at = _gaps_page()
    columns = ["rank", "applicant_id", "full_name", "email", "degree", "label", "explain"]
    shown = at.dataframe[0].value[columns].values.tolist()
    assert shown == [
        [1, "A4", "D. D.", "d•••@•••", "Dentistry", LABEL["license_current"],
         "licence expired 10 days ago"],
        [2, "A2", "B. B.", "b•••@•••", "Medicine", LABEL["cme_hours"], "4 CME hours short"],
        [3, "A3", "C. C.", "c•••@•••", "Nursing", LABEL["accredited_institution"],
         "degree institution is not accredited"],
    ]  # fmt: skip
    assert at.dataframe[0].value["cohort"].tolist() == ["Unassigned"] * 3  # no cohort column

    widths = {c: v.get("width") for c, v in json.loads(at.dataframe[0].proto.columns).items()}
    assert (widths["full_name"], widths["email"]) == (None, None)  # sized to the initials

    at.toggle(key="page_show_personal").set_value(True).run()
    shown = at.dataframe[0].value
    assert shown["full_name"].tolist() == ["Dan Dunn", "Ben Bell", "Cara Cole"]
    assert shown["email"].tolist() == ["dan@example.org", "ben@example.org", "cara@example.org"]
    # The browser keeps the widths it sized for the initials: shown, names get their own.
    widths = {c: v.get("width") for c, v in json.loads(at.dataframe[0].proto.columns).items()}
    assert (widths["full_name"], widths["email"]) == ("medium", "medium")
    assert widths["degree"] is None


def test_near_miss_list_on_the_sample_has_every_near_miss_and_a_download():
    at = _gaps_page(sample_files())
    shown = at.dataframe[0].value
    assert len(shown) == sample_counts.expected_report()["near_miss"]
    assert shown["explain"].str.contains("CME hours short").any()
    assert at.get("download_button")[0].proto.label == "Download CSV"


def test_no_failing_applicant_says_so():
    nurse = "A9,Ivy Ives,ivy@example.org,RN,yes,2027-06-30,30,1,Botox,yes"  # 30 hours: enough
    at = _gaps_page([("ok.csv", csv_export([*GAPS_CSV[:2], nurse]))])
    assert [s.value for s in at.success] == ["No applicant fails a required rule."]
    assert [i.value for i in at.info] == [
        "No near misses: nobody fails exactly one required rule with nothing missing."
    ]
