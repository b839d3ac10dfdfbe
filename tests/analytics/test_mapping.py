"""Mapping files: TOML [columns] tables, read and written."""

import re

import pytest

from analytics.errors import LoadError
from analytics.loading import mapping


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
