import pandas as pd
import pytest

from analytics.reporting import exports
from ui import masking


def _frame():
    return pd.DataFrame(
        {
            "applicant_id": ["A1", "A2", "A3"],
            "full_name": pd.array(["Jane van Dyke", "", None], dtype="string"),
            "email": pd.array(["jane.doe@clinic.org", "  ", None], dtype="string"),
            "license_number": pd.array(["RN-448812", "0042", None], dtype="string"),
            "cme_hours": [12.0, 30.0, None],
        }
    )


def test_masks_every_personal_column_and_keeps_the_rest():
    out = masking.mask_frame(_frame(), show_personal=False)
    expected = pd.DataFrame(
        {
            "applicant_id": ["A1", "A2", "A3"],
            "full_name": pd.array(["J. V. D.", "", None], dtype="string"),
            "email": pd.array(["j•••@•••", "", None], dtype="string"),
            "license_number": pd.array(["•••12", "•••", None], dtype="string"),
            "cme_hours": [12.0, 30.0, None],
        }
    )
    pd.testing.assert_frame_equal(out, expected)


def test_shown_returns_values_untouched():
    frame = _frame()
    pd.testing.assert_frame_equal(masking.mask_frame(frame, show_personal=True), frame)


def test_masking_does_not_change_the_input():
    frame = _frame()
    masking.mask_frame(frame, show_personal=False)
    assert frame.loc[0, "full_name"] == "Jane van Dyke"


@pytest.mark.parametrize(
    ("name", "masked"),
    [("Anne-Marie Smith", "A. M. S."), ("o'neil", "O. N."), ("  Li  ", "L.")],
)
def test_names_become_initials(name, masked):
    assert masking.mask_names(pd.Series([name]))[0] == masked


def test_short_licence_numbers_show_no_digits():
    # Showing the tail of a 3-character number would show most of it.
    assert masking.mask_tail(pd.Series(["123"]))[0] == "•••"


def test_frame_without_personal_columns_is_unchanged():
    frame = pd.DataFrame({"cohort": ["2025A"], "eligible": [3]})
    pd.testing.assert_frame_equal(masking.mask_frame(frame, show_personal=False), frame)


def test_raw_export_headers_of_personal_fields_are_masked_too():
    # Rejected rows come back with the export's own headers.
    rejected = pd.DataFrame(
        {
            "row": [7],
            "E-mail": ["ann@clinic.org"],
            "First name": ["Ann"],
            "Last name": ["Lee"],
            "Licence No": ["GMC-77123"],
            "Cohort": ["2026-01"],
        }
    )
    out = masking.mask_frame(rejected, show_personal=False)
    assert out.loc[0, ["E-mail", "First name", "Last name", "Licence No", "Cohort"]].tolist() == [
        "a•••@•••",
        "A.",
        "L.",
        "•••23",
        "2026-01",
    ]


def test_columns_the_user_mapped_by_hand_are_masked():
    frame = pd.DataFrame({"Person": ["Jane Doe"], "Code": ["X1"]})
    out = masking.mask_frame(frame, show_personal=False, mapping={"Person": "full_name"})
    assert out.loc[0].tolist() == ["J. D.", "X1"]


def test_which_fields_are_personal_comes_from_the_exports(monkeypatch):
    # One definition: a field the exports call personal is hidden on screen too.
    monkeypatch.setattr(exports, "PERSONAL_COLUMNS", (*exports.PERSONAL_COLUMNS, "country"))
    frame = pd.DataFrame({"country": ["FR"], "cohort": ["2026-01"]})
    out = masking.mask_frame(frame, show_personal=False)
    assert out.loc[0].tolist() == ["•••", "2026-01"]
