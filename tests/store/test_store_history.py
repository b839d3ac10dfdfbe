"""A programme's history in the store: labels, source formats, the previous upload."""

from __future__ import annotations

import pytest

import store

OCT = b"applicant id,cohort\nA1,2026-spring\n"
NOV = b"applicant id,cohort\nA1,2026-spring\nA2,2026-spring\n"
DEC = b"applicant id,cohort\nA1,2026-spring\nA2,2026-spring\nA3,2026-autumn\n"
REGISTER = b"applicant id,certified on\nC1,2025-01-10\n"
CRM = "format-crm"  # source formats are opaque to the store
FORMS = "format-forms"


class TestLabels:
    def test_a_dataset_keeps_its_upload_time_and_gets_a_new_label(self, st_):
        ds = st_.create_dataset([("nov.csv", NOV)], owner="ana")
        assert ds.label == "nov.csv"
        renamed = st_.rename_dataset(ds.id, "  November   export ", "ana")
        assert renamed.label == "November export"
        assert renamed.created == ds.created
        assert st_.get_dataset(ds.id).label == "November export"

    def test_only_the_owner_renames_and_every_rename_is_audited(self, st_):
        ds = st_.create_dataset([("nov.csv", NOV)], owner="ana")
        with pytest.raises(store.NotOwnerError, match="Only the person who uploaded"):
            st_.rename_dataset(ds.id, "Mine now", "ben")
        st_.rename_dataset(ds.id, "November export", "ana")
        renames = st_.audit_log(action="rename")
        assert [(e.user, e.object_id, e.detail) for e in renames] == [("ana", ds.id, "")]
        assert st_.get_dataset(ds.id).label == "November export"

    def test_an_empty_label_or_a_deleted_dataset_is_refused(self, st_):
        ds = st_.create_dataset([("nov.csv", NOV)], owner="ana")
        with pytest.raises(store.StoreError, match="needs a label"):
            st_.rename_dataset(ds.id, "   ", "ana")
        st_.delete_dataset(ds.id, "ana")
        with pytest.raises(store.NotFoundError):
            st_.rename_dataset(ds.id, "November", "ana")


class TestSourceFormat:
    def test_recorded_at_upload_and_filled_in_when_the_same_upload_comes_again(self, st_):
        ds = st_.create_dataset([("nov.csv", NOV)], owner="ana")
        assert ds.source_format == ""
        again = st_.create_dataset([("nov.csv", NOV)], owner="ana", source_format=CRM)
        assert again.id == ds.id
        assert again.source_format == CRM
        # Once known it stays: the same files keep their format.
        third = st_.create_dataset([("nov.csv", NOV)], owner="ana", source_format=FORMS)
        assert third.source_format == CRM


class TestPrevious:
    def test_the_most_recent_earlier_dataset_of_the_same_format(self, st_):
        oct_ = st_.create_dataset([("oct.csv", OCT)], owner="ana", source_format=CRM)
        nov = st_.create_dataset([("nov.csv", NOV)], owner="ben", source_format=CRM)
        st_.create_dataset([("register.csv", REGISTER)], owner="ana", source_format=FORMS)
        dec = st_.create_dataset([("dec.csv", DEC)], owner="ana", source_format=CRM)
        assert st_.previous_dataset(dec.id).id == nov.id  # the register is another format
        assert st_.previous_dataset(nov.id).id == oct_.id  # later uploads do not count
        assert st_.previous_dataset(oct_.id) is None

    def test_without_an_earlier_one_of_its_format_the_most_recent_earlier_one(self, st_):
        st_.create_dataset([("oct.csv", OCT)], owner="ana", source_format=CRM)
        register = st_.create_dataset([("register.csv", REGISTER)], owner="ana")
        forms = st_.create_dataset([("nov.csv", NOV)], owner="ana", source_format=FORMS)
        assert st_.previous_dataset(forms.id).id == register.id
        unknown = st_.create_dataset([("dec.csv", DEC)], owner="ana")  # format not recorded
        assert st_.previous_dataset(unknown.id).id == forms.id

    def test_the_same_files_read_again_are_never_the_previous_upload(self, st_):
        oct_ = st_.create_dataset([("oct.csv", OCT)], owner="ana", source_format=CRM)
        st_.create_dataset([("nov.csv", NOV)], owner="ana", source_format=CRM)
        # November again, read with another date order, then by a colleague.
        st_.create_dataset(
            [("nov.csv", NOV)], owner="ana", options={"date_order": "dmy"}, source_format=CRM
        )
        nov_ben = st_.create_dataset([("copy.csv", NOV)], owner="ben", source_format=CRM)
        assert st_.previous_dataset(nov_ben.id).id == oct_.id


class TestHistory:
    def test_one_dataset_per_upload_of_its_format_oldest_first(self, st_):
        oct_ = st_.create_dataset([("oct.csv", OCT)], owner="ana", source_format=CRM)
        nov = st_.create_dataset([("nov.csv", NOV)], owner="ana", source_format=CRM)
        st_.create_dataset([("nov.csv", NOV)], owner="ben", source_format=CRM)  # same files
        st_.create_dataset([("register.csv", REGISTER)], owner="ana", source_format=FORMS)
        dec = st_.create_dataset([("dec.csv", DEC)], owner="ana", source_format=CRM)
        assert [d.id for d in st_.history(dec.id)] == [oct_.id, nov.id, dec.id]

    def test_the_open_dataset_stands_for_its_own_files(self, st_):
        oct_ = st_.create_dataset([("oct.csv", OCT)], owner="ana", source_format=CRM)
        st_.create_dataset([("nov.csv", NOV)], owner="ana", source_format=CRM)
        nov_ben = st_.create_dataset([("nov.csv", NOV)], owner="ben", source_format=CRM)
        assert [d.id for d in st_.history(nov_ben.id)] == [oct_.id, nov_ben.id]

    def test_a_dataset_of_unknown_format_is_its_own_history(self, st_):
        st_.create_dataset([("oct.csv", OCT)], owner="ana")
        nov = st_.create_dataset([("nov.csv", NOV)], owner="ana")
        assert [d.id for d in st_.history(nov.id)] == [nov.id]
