"""Saved source formats: a named column mapping matched on a sheet's normalised header set."""

from __future__ import annotations

import pytest

import store

FORM_HEADERS = ["applicant id", "email address", "full name", "hours of cme", "timestamp"]
FORM_MAPPING = {
    "Timestamp": "ignore",
    "Email address": "email",
    "Full name": "full_name",
    "Applicant ID": "applicant_id",
    "Hours of CME": "cme_hours",
}
ANA, BEN = "ana@clinic.org", "ben@clinic.org"


class TestSaving:
    def test_round_trip_keeps_mapping_headers_and_who(self, st_):
        saved = st_.save_format("Google Form, 2026 intake", FORM_MAPPING, FORM_HEADERS, ANA)
        assert store.is_id(saved.id, "source_format")
        again = st_.get_format(saved.id)
        assert again == saved
        assert again.name == "Google Form, 2026 intake"
        assert again.mapping == FORM_MAPPING
        assert again.headers == tuple(sorted(FORM_HEADERS))
        assert (again.owner, again.changed_by) == (ANA, ANA)
        assert again.changed == again.created

    def test_a_name_is_taken_once(self, st_):
        st_.save_format("Form", FORM_MAPPING, FORM_HEADERS, ANA)
        with pytest.raises(store.StoreError, match="already has this name"):
            st_.save_format("  Form ", {"ID": "applicant_id"}, ["id"], BEN)
        with pytest.raises(store.StoreError, match="already has this name"):
            st_.save_format("Form", {"ID": "applicant_id"}, ["id"], ANA)  # no replace asked
        assert [f.name for f in st_.list_formats()] == ["Form"]

    def test_its_owner_may_save_it_again(self, st_):
        first = st_.save_format("Form", FORM_MAPPING, FORM_HEADERS, ANA)
        again = st_.save_format("Form", {"ID": "applicant_id"}, ["id"], ANA, replace=True)
        assert again.id == first.id
        assert again.mapping == {"ID": "applicant_id"} and again.headers == ("id",)
        assert again.created == first.created and again.changed > first.changed
        with pytest.raises(store.StoreError, match="already has this name"):
            st_.save_format("Form", FORM_MAPPING, FORM_HEADERS, BEN, replace=True)

    @pytest.mark.parametrize(
        "name, columns, said", [(" ", FORM_MAPPING, "needs a name"), ("F", {}, "maps no column")]
    )
    def test_refused_without_a_name_or_a_mapping(self, st_, name, columns, said):
        with pytest.raises(store.StoreError, match=said):
            st_.save_format(name, columns, FORM_HEADERS, ANA)


class TestMatching:
    def test_same_set_in_any_order_matches(self, st_):
        saved = st_.save_format("Form", FORM_MAPPING, FORM_HEADERS, ANA)
        assert st_.find_matching(list(reversed(FORM_HEADERS))) == saved

    def test_an_upload_with_more_columns_matches(self, st_):
        saved = st_.save_format("Form", FORM_MAPPING, FORM_HEADERS, ANA)
        assert st_.find_matching([*FORM_HEADERS, "referral source"]) == saved

    def test_an_upload_missing_one_column_does_not(self, st_):
        st_.save_format("Form", FORM_MAPPING, FORM_HEADERS, ANA)
        assert st_.find_matching(FORM_HEADERS[1:]) is None
        assert st_.find_matching([]) is None

    def test_the_largest_set_wins_then_the_newest(self, st_):
        small = st_.save_format("Small", {"Applicant ID": "applicant_id"}, FORM_HEADERS[:3], ANA)
        large = st_.save_format("Large", FORM_MAPPING, FORM_HEADERS, ANA)
        newer_small = st_.save_format("Newer", {"Full name": "full_name"}, FORM_HEADERS[:3], BEN)
        upload = [*FORM_HEADERS, "cohort"]
        assert [f.id for f in st_.matching_formats(upload)] == [large.id, newer_small.id, small.id]
        assert st_.find_matching(FORM_HEADERS[:3]) == newer_small


class TestOwnershipAndAudit:
    def test_rename_and_delete_are_the_owners_only(self, st_):
        saved = st_.save_format("Form", FORM_MAPPING, FORM_HEADERS, ANA)
        with pytest.raises(store.NotOwnerError):
            st_.rename_format(saved.id, "Mine now", BEN)
        with pytest.raises(store.NotOwnerError):
            st_.delete_format(saved.id, BEN)
        renamed = st_.rename_format(saved.id, "Google Form, 2026 intake", ANA)
        assert renamed.name == "Google Form, 2026 intake" and renamed.changed_by == ANA
        assert renamed.mapping == FORM_MAPPING
        st_.delete_format(saved.id, ANA)
        assert st_.list_formats() == []
        with pytest.raises(store.NotFoundError):
            st_.get_format(saved.id)

    def test_rename_onto_a_taken_name_is_refused(self, st_):
        st_.save_format("A", FORM_MAPPING, FORM_HEADERS, ANA)
        b = st_.save_format("B", FORM_MAPPING, FORM_HEADERS, ANA)
        with pytest.raises(store.StoreError, match="already has this name"):
            st_.rename_format(b.id, "A", ANA)

    def test_save_rename_delete_are_audited_without_the_name(self, st_):
        saved = st_.save_format("Dr Who's form", FORM_MAPPING, FORM_HEADERS, ANA)
        st_.save_format("Dr Who's form", FORM_MAPPING, FORM_HEADERS, ANA, replace=True)
        st_.rename_format(saved.id, "Renamed", ANA)
        st_.delete_format(saved.id, ANA)
        entries = st_.audit_log(object_id=saved.id)
        assert [(e.user, e.action) for e in reversed(entries)] == [
            (ANA, "save_format"),
            (ANA, "save_format"),
            (ANA, "rename"),
            (ANA, "delete"),
        ]
        assert all(e.detail == "" for e in entries)
