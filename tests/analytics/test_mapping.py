"""Mapping files: TOML [columns] tables, read and written."""

import re

import pandas as pd
import pytest

from analytics import errors
from analytics.errors import LoadError
from analytics.loading import fields, loader, mapping, preview


def test_round_trip_with_awkward_headers():
    columns = {'Ref "No"': "applicant_id", "Première date": "application_date", "a\\b": "email"}
    assert mapping.read_mapping(mapping.write_mapping(columns)) == columns


def test_read_from_path(tmp_path):
    path = tmp_path / "map.toml"
    path.write_text('[columns]\n"Ref No" = "applicant_id"\n', encoding="utf-8")
    assert mapping.read_mapping(path) == {"Ref No": "applicant_id"}
    assert mapping.read_mapping(str(path)) == {"Ref No": "applicant_id"}


@pytest.mark.parametrize(
    "text, said",
    [
        ("[columns\n", "not valid TOML"),
        ('"Ref" = "applicant_id"\n', "needs a [columns] table"),
        ('[columns]\n"Ref" = "diploma"\n', "not a field"),
        ("[columns]\nRef = 3\n", "not a field"),
    ],
)
def test_bad_mapping_files(text, said):
    with pytest.raises(LoadError, match=re.escape(said)):
        mapping.read_mapping(text)


def test_missing_file_names_only_the_file(tmp_path):
    with pytest.raises(LoadError) as caught:
        mapping.read_mapping(tmp_path / "nope.toml")
    assert str(caught.value).startswith("nope.toml:")
    assert str(tmp_path) not in str(caught.value)


def test_write_refuses_unknown_fields():
    with pytest.raises(ValueError):
        mapping.write_mapping({"X": "nope"})


# ---- "ignore", and what the app's mapping screen starts from and checks -----------------

EXPORT = (
    b"Intake export, December\n"
    b"Applicant ID,Name,Registration Number,Applied on,,Notes\n"
    b"A1,Ann One,RN-1,2026-01-10,x,\n"
    b"A2,Ben Two,,2026-01-11,,late\n"
    b"A3,Cat Three,RN-3,someday,,\n"
)


def test_ignore_round_trips_and_keeps_a_recognised_column_as_an_extra():
    columns = {"Registration Number": fields.IGNORE, "Applicant ID": "applicant_id"}
    assert mapping.read_mapping(mapping.write_mapping(columns)) == columns
    src = loader.Source(name="intake.csv", data=EXPORT)
    result = loader.load_exports(src, mapping=columns)
    assert result.frame["license_number"].isna().all()
    assert result.frame["Registration Number"].tolist() == ["RN-1", pd.NA, "RN-3"]
    (info,) = result.sources
    assert info.columns["Registration Number"] is None
    assert len(result.problems) == 1  # "someday" is still not a date; no header problem


def test_recognise_follows_the_loader_first_column_wins():
    headers = ["Ref", "E-mail", "Email address", "First name", "Timestamp"]
    assert mapping.recognise(headers) == {
        "Ref": "applicant_id",
        "E-mail": "email",
        "Email address": None,  # the loader keeps it as an extra
        "First name": "first_name",
        "Timestamp": None,
    }


def test_header_set_is_normalised_sorted_and_unique():
    assert mapping.header_set(["Email Address", " email-address ", "Ref No.", ""]) == [
        "email address",
        "ref no",
    ]


@pytest.mark.parametrize(
    "choices, expected",
    [
        ({"Ref": "applicant_id", "Mail": "email"}, {}),
        ({"Ref": "ignore", "Mail": "email"}, {None: ("no_applicant_id", "applicant_id")}),
        (
            {"Ref": "applicant_id", "Mail": "email", "Mail 2": "email"},
            {"Mail 2": ("same_field", "email")},
        ),
        ({"Ref": "applicant_id", "When": "application_date"}, {}),
        (
            {"Ref": "applicant_id", "Mail": "license_expiry"},
            {"Mail": ("never_a_date", "license_expiry")},
        ),
        ({"Ref": "applicant_id", "Blank": "certified_on"}, {}),  # no text: nothing to judge
    ],
)
def test_check_choices(choices, expected):
    samples = {
        "Ref": ["A1", "A2"],
        "Mail": ["a@x.org", "b@x.org"],
        "Mail 2": ["c@x.org"],
        "When": ["someday", "2026-01-10"],  # one date among them is enough
        "Blank": [],
    }
    assert mapping.check_choices(choices, samples) == expected


def test_no_header_message_has_an_app_variant():
    err = errors.NoHeaderError(f"odd.csv: no header row (columns found: A, B): {errors.MAP_HINT}")
    assert "--mapping" in str(err)
    assert err.in_app("map them on Home") == (
        "odd.csv: no header row (columns found: A, B): map them on Home"
    )
    plain = errors.NoHeaderError("odd.csv: something else")
    assert plain.in_app("map them on Home") == "odd.csv: something else"


def test_column_samples_below_the_header_row_blanks_skipped():
    src = loader.Source(name="intake.csv", data=EXPORT)
    samples = preview.column_samples([src], limit=2)
    assert samples == {
        "Applicant ID": ["A1", "A2"],
        "Name": ["Ann One", "Ben Two"],
        "Registration Number": ["RN-1", "RN-3"],
        "Applied on": ["2026-01-10", "2026-01-11"],
        "Unnamed column 5": ["x"],
        "Notes": ["late"],
    }


def test_column_samples_without_a_known_header_take_the_fullest_first_row():
    src = loader.Source(name="odd.csv", data=b"Code,Person\nX1,Jane\n")
    assert preview.column_samples([src]) == {"Code": ["X1"], "Person": ["Jane"]}
