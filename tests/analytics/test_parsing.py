"""Cell parsers (DOMAIN 3.3-3.7): one class per kind, pass/fail rows parametrised."""

import numpy as np
import pandas as pd
import pytest

from analytics.loading import fields, parsing


def cells(*values):
    return pd.Series(list(values), dtype="string")


def ts(text):
    return pd.Timestamp(text)


class TestHeaders:
    @pytest.mark.parametrize(
        "raw, expected",
        [
            ("Applicant ID", "applicant id"),
            ("  E-mail  ", "e mail"),
            ("Applicant No.", "applicant no"),
            ("CME_Hours (total)", "cme hours total"),
            (None, ""),
        ],
    )
    def test_normalise_header(self, raw, expected):
        assert fields.normalise_header(raw) == expected

    def test_every_variant_maps_to_its_field(self):
        assert fields.HEADER_VARIANTS["e mail"] == "email"
        assert fields.HEADER_VARIANTS["code of conduct signed"] == "ethics_attestation"
        assert set(fields.HEADER_VARIANTS.values()) == set(fields.CANONICAL_FIELDS) - set()


class TestText:
    def test_trims_and_keeps_na_words_and_leading_zeros(self):
        out = parsing.clean_text(cells(" 007 ", "NA", "", "   ", None, "n/a"))
        expected = pd.Series(["007", "NA", pd.NA, pd.NA, pd.NA, "n/a"], dtype="string")
        pd.testing.assert_series_equal(out, expected)


class TestBoolean:
    @pytest.mark.parametrize("text", ["true", "Yes", "Y", "1", "t", "TRUE"])
    def test_true(self, text):
        parsed = parsing.parse_boolean(cells(text))
        assert parsed.values.iloc[0] is np.True_ or parsed.values.iloc[0] == True  # noqa: E712
        assert parsed.problems.empty

    @pytest.mark.parametrize("text", ["false", "No", "n", "0", "F", "FALSE"])
    def test_false(self, text):
        parsed = parsing.parse_boolean(cells(text))
        assert parsed.values.iloc[0] == False  # noqa: E712
        assert parsed.problems.empty

    def test_other_text_is_a_problem_and_missing(self):
        parsed = parsing.parse_boolean(cells("maybe", None, "yes"))
        expected = pd.Series([pd.NA, pd.NA, True], dtype="boolean")
        pd.testing.assert_series_equal(parsed.values, expected)
        assert parsed.problems.to_dict() == {0: parsing.NOT_BOOLEAN}


class TestNumber:
    def test_a_column_that_repeats_its_numbers(self):
        """Read once per distinct text (more rows than twice the distinct texts): each row
        still gets its own number and problem."""
        one = ["12", "1,200", "3 yrs", "-1", "lots", None, " ", "0.5"]
        expected = [12.0, 1200.0, 3.0, np.nan, np.nan, np.nan, np.nan, 0.5]
        index = pd.RangeIndex(4, 4 + 10 * len(one))
        parsed = parsing.parse_number(pd.Series(one * 10, index=index, dtype="string"))
        wanted = pd.Series(expected * 10, index=index, dtype="float64")
        pd.testing.assert_series_equal(parsed.values, wanted)
        problems = {}
        for k in range(10):
            problems[4 + 8 * k + 3] = parsing.NEGATIVE_NUMBER
            problems[4 + 8 * k + 4] = parsing.NOT_NUMBER
        assert parsed.problems.to_dict() == problems

    @pytest.mark.parametrize(
        "text, value",
        [
            ("12", 12.0),
            ("12.5", 12.5),
            ("1,200", 1200.0),
            ("12 hrs", 12.0),
            ("12 hours", 12.0),
            ("12h", 12.0),
            ("3 yrs", 3.0),
            ("3 Years", 3.0),
            ("0", 0.0),
            ("1e3", 1000.0),
        ],
    )
    def test_readable(self, text, value):
        parsed = parsing.parse_number(cells(text))
        assert parsed.values.iloc[0] == value
        assert parsed.problems.empty

    @pytest.mark.parametrize(
        "text, problem",
        [
            ("-1", parsing.NEGATIVE_NUMBER),
            ("-2 hrs", parsing.NEGATIVE_NUMBER),
            ("lots", parsing.NOT_NUMBER),
            ("12,5", parsing.NOT_NUMBER),
            ("12 days", parsing.NOT_NUMBER),
        ],
    )
    def test_unreadable(self, text, problem):
        parsed = parsing.parse_number(cells(text))
        assert np.isnan(parsed.values.iloc[0])
        assert parsed.problems.to_dict() == {0: problem}

    def test_blank_is_missing_without_problem(self):
        parsed = parsing.parse_number(cells(None, " "))
        assert parsed.values.isna().all() and parsed.problems.empty


class TestDate:
    @pytest.mark.parametrize(
        "text, expected",
        [
            ("2025-03-12 00:00:00", "2025-03-12"),  # an Excel date cell as the reader renders it
            ("2025-03-12 14:30:00", "2025-03-12"),  # time dropped: dates are midnight
            ("2025-03-12", "2025-03-12"),
            ("12 Mar 2025", "2025-03-12"),
            ("12-March-2025", "2025-03-12"),
            ("Mar 12, 2025", "2025-03-12"),
            ("45000", "2023-03-15"),  # Excel serial
            ("20000", "1954-10-03"),
            ("80000", "2119-01-11"),
        ],
    )
    def test_single_values(self, text, expected):
        parsed = parsing.parse_date(cells(text))
        assert parsed.values.iloc[0] == ts(expected)
        assert parsed.problems.empty

    @pytest.mark.parametrize(
        "text",
        [
            "junk",
            "19999",
            "80001",
            "30/02/2025",
            "2025-02-30",
            "31 Foo 2025",
            "1899-12-31 12:30:00",
        ],
    )
    def test_unreadable(self, text):
        parsed = parsing.parse_date(cells(text))
        assert pd.isna(parsed.values.iloc[0])
        assert parsed.problems.to_dict() == {0: parsing.NOT_DATE}

    def test_day_first_when_a_first_part_is_over_12(self):
        parsed = parsing.parse_date(cells("03/04/2025", "13/04/2025"))
        assert parsed.order == "dmy"
        assert list(parsed.values) == [ts("2025-04-03"), ts("2025-04-13")]

    def test_month_first_when_a_second_part_is_over_12(self):
        parsed = parsing.parse_date(cells("03/04/2025", "04/13/2025"))
        assert parsed.order == "mdy"
        assert list(parsed.values) == [ts("2025-03-04"), ts("2025-04-13")]

    def test_day_first_when_ambiguous(self):
        parsed = parsing.parse_date(cells("03/04/2025", "05/06/2025"))
        assert parsed.order == "dmy"
        assert parsed.values.iloc[0] == ts("2025-04-03")

    def test_override_wins_and_impossible_dates_become_problems(self):
        parsed = parsing.parse_date(cells("03/04/2025", "13/04/2025"), order="mdy")
        assert parsed.order == "mdy"
        assert parsed.values.iloc[0] == ts("2025-03-04")
        assert parsed.problems.to_dict() == {1: parsing.NOT_DATE}

    def test_no_order_without_slash_dates(self):
        assert parsing.parse_date(cells("2025-01-01")).order is None

    def test_dtype_and_index_kept(self):
        parsed = parsing.parse_date(pd.Series(["2025-01-02", None], index=[7, 9], dtype="string"))
        expected = pd.Series([ts("2025-01-02"), pd.NaT], index=[7, 9], dtype="datetime64[ns]")
        pd.testing.assert_series_equal(parsed.values, expected)

    def test_a_column_that_repeats_its_dates(self):
        """Read once per distinct text (more rows than twice the distinct texts): each row
        still gets its own date, problem and sheet row."""
        one = ["2024-03-01", "01/02/2024", "13/02/2024", "12 Mar 2025", "45000", "31/02/2024"]
        one += ["junk", None, "  "]
        expected = ["2024-03-01", "2024-02-01", "2024-02-13", "2025-03-12", "2023-03-15"]
        expected += [None, None, None, None]
        index = pd.RangeIndex(2, 2 + 10 * len(one))
        parsed = parsing.parse_date(pd.Series(one * 10, index=index, dtype="string"))
        assert parsed.order == "dmy"  # 13/02/2024: a first part over 12
        wanted = pd.Series(
            [pd.NaT if e is None else ts(e) for e in expected] * 10,
            index=index,
            dtype="datetime64[ns]",
        )
        pd.testing.assert_series_equal(parsed.values, wanted)
        bad_rows = [2 + 9 * k + offset for k in range(10) for offset in (5, 6)]
        assert parsed.problems.to_dict() == dict.fromkeys(bad_rows, parsing.NOT_DATE)

    def test_bad_order_argument(self):
        with pytest.raises(ValueError):
            parsing.parse_date(cells("01/02/2025"), order="ymd")


class TestDegree:
    @pytest.mark.parametrize(
        "text, category",
        [
            ("M.D.", "medicine"),
            ("MBBS", "medicine"),
            ("MB  BCh", "medicine"),
            ("Registered Nurse", "nursing"),
            ("BSc Nursing", "nursing"),
            ("D.D.S.", "dentistry"),
            ("PA-C", "physician_associate"),
            ("Physician Associate", "physician_associate"),
            ("PharmD", "other_healthcare"),
            ("Paramedic", "other_healthcare"),
            ("N/A", "non_healthcare"),
            ("MBA", "non_healthcare"),
            ("Law", "non_healthcare"),
        ],
    )
    def test_categories(self, text, category):
        parsed = parsing.parse_degree(cells(text))
        assert parsed.values.iloc[0] == category
        assert parsed.problems.empty

    def test_unrecognised_is_a_problem_and_missing(self):
        parsed = parsing.parse_degree(cells("Vet", None))
        assert parsed.values.isna().all()
        assert parsed.problems.to_dict() == {0: parsing.UNRECOGNISED_DEGREE}

    def test_a_column_that_repeats_its_degrees(self):
        """Normalised once per distinct text (more rows than twice the distinct texts):
        each row still gets its own category and problem."""
        one = ["M.D.", "  MB  BCh ", "Vet", None, "   ", "MD, PhD", "Law"]
        expected = ["medicine", "medicine", None, None, None, "medicine", "non_healthcare"]
        index = pd.RangeIndex(3, 3 + 10 * len(one))
        parsed = parsing.parse_degree(pd.Series(one * 10, index=index, dtype="string"))
        wanted = pd.Series(expected * 10, index=index, dtype="string")
        pd.testing.assert_series_equal(parsed.values, wanted)
        vet_rows = [3 + 7 * k + 2 for k in range(10)]
        assert parsed.problems.to_dict() == dict.fromkeys(vet_rows, parsing.UNRECOGNISED_DEGREE)


class TestSpecialty:
    def test_categories(self):
        parsed = parsing.parse_specialty(
            cells(
                "Derm", "Plastic and Reconstructive Surgery", "Plastics", "General Practice", None
            )
        )
        expected = pd.Series(
            ["dermatology", "plastic_surgery", "plastic_surgery", "other", pd.NA], dtype="string"
        )
        pd.testing.assert_series_equal(parsed.values, expected)
        assert parsed.problems.empty
