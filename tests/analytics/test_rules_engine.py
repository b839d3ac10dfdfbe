"""Rule-set files: the two shipped sets say what DOMAIN §5 says; wrong files are refused."""

import dataclasses
from pathlib import Path

import pytest

from analytics import rules
from analytics.errors import LoadError
from analytics.rules import RuleSetError

ROOT = Path(__file__).resolve().parents[2]

MINIMAL = """
name = "mini"
label = "Mini"

[[admission]]
id = "cme_hours"
label = "CME hours"
severity = "required"
field = "cme_hours"
check = "at_least"
min = 20

[renewal]
validity_years = 2
window_days = 90
"""


def by_id(rule_list):
    return {r.id: r for r in rule_list}


class TestStandard:
    def setup_method(self):
        self.rs = rules.load_rule_set("standard")

    def test_rules_and_severities(self):
        assert [(r.id, r.severity) for r in self.rs.admission] == [
            ("healthcare_degree", "required"),
            ("accredited_institution", "required"),
            ("license_current", "required"),
            ("cme_hours", "required"),
            ("aesthetics_experience", "advisory"),
            ("injectables_experience", "advisory"),
            ("ethics_training", "advisory"),
        ]

    def test_settings(self):
        r = by_id(self.rs.admission)
        assert r["healthcare_degree"].params["values"] == [
            "medicine",
            "nursing",
            "dentistry",
            "physician_associate",
            "other_healthcare",
        ]
        assert r["cme_hours"].params["by"] == "degree"
        assert r["cme_hours"].params["default"] == 30
        assert r["cme_hours"].params["thresholds"] == {
            "medicine": 20,
            "dentistry": 20,
            "physician_associate": 25,
            "nursing": 30,
            "other_healthcare": 30,
        }
        assert r["aesthetics_experience"].params["min"] == 1
        assert r["injectables_experience"].params["terms"] == [
            "botox",
            "botulinum",
            "toxin",
            "filler",
            "hyaluronic",
        ]
        assert (r["license_current"].field, r["license_current"].check) == (
            "license_expiry",
            "date_on_or_after_as_of",
        )

    def test_renewal(self):
        renewal = self.rs.renewal
        assert (renewal.validity_years, renewal.window_days) == (2, 90)
        r = by_id(renewal.rules)
        assert list(r) == ["ce_hours", "ethics_attestation", "license_current"]
        assert r["ce_hours"].params["min"] == 20
        assert all(rule.is_required for rule in renewal.rules)


class TestAdvanced:
    def setup_method(self):
        self.rs = rules.load_rule_set("advanced")

    def test_differences_from_standard(self):
        r = by_id(self.rs.admission)
        assert r["cme_hours"].params["thresholds"] == {
            "medicine": 30,
            "dentistry": 30,
            "physician_associate": 35,
            "nursing": 40,
            "other_healthcare": 40,
        }
        assert r["cme_hours"].params["default"] == 40
        assert r["aesthetics_experience"].is_required
        assert r["aesthetics_experience"].params["min"] == 2
        assert r["injectables_experience"].is_required
        assert r["related_specialty"].is_required
        assert r["related_specialty"].params["values"] == ["dermatology", "plastic_surgery"]
        assert not r["ethics_training"].is_required
        assert by_id(self.rs.renewal.rules)["ce_hours"].params["min"] == 30

    def test_unchanged_rules_match_standard(self):
        standard = by_id(rules.load_rule_set("standard").admission)
        advanced = by_id(self.rs.admission)
        for rule_id in ("healthcare_degree", "accredited_institution", "license_current"):
            assert advanced[rule_id] == standard[rule_id]


@pytest.mark.parametrize("name", ["standard", "advanced"])
def test_round_trip_through_toml(name):
    rs = rules.load_rule_set(name)
    assert rules.parse_rule_set(rs.to_toml(), f"{name}.toml") == rs
    original = (ROOT / "data" / "rules" / f"{name}.toml").read_text(encoding="utf-8")
    assert rules.parse_rule_set(rs.to_toml(original=original), f"{name}.toml") == rs


# Characters a hand-written TOML writer gets wrong: control characters (U+0001, DEL, NUL), quotes,
# backslashes (one that looks like an escape too), line breaks, tabs, non-ASCII.
AWKWARD = [
    "control \x01 and \x7f and \x1f, even \x00, \x08 and \x0c",
    'a "quoted" label',
    "back\\slash and \\n that is not a newline",
    "two\nlines\r\nand a\ttab",
    "accents é ü, dash —, tick ✓",
]


def _awkward_set(text: str) -> rules.RuleSet:
    base = rules.parse_rule_set(MINIMAL, "mini.toml")
    hours = dataclasses.replace(
        base.admission[0],
        label=text,
        params={
            "by": "country",
            "thresholds": {text: 5, "plain": 10},
            "default": 20,
            "unit": text,
            "explain": text,
        },
    )
    mentions = rules.Rule(
        "injectables", text, "advisory", "injectables_experience", "mentions_any",
        {"terms": [text, "filler"], "explain": text},
    )  # fmt: skip
    return dataclasses.replace(base, label=text, description=text, admission=[hours, mentions])


@pytest.mark.parametrize("text", AWKWARD)
def test_any_text_round_trips_through_toml(text):
    rs = _awkward_set(text)
    back = rules.parse_rule_set(rs.to_toml(), "mini.toml")
    assert back == rs
    assert back.label == text
    assert back.admission[0].params["thresholds"] == {text: 5, "plain": 10}
    assert back.admission[1].params["terms"] == [text, "filler"]


@pytest.mark.parametrize("text", AWKWARD)
def test_any_text_round_trips_when_written_into_the_original(text):
    rs = _awkward_set(text)
    assert rules.parse_rule_set(rs.to_toml(original=MINIMAL), "mini.toml") == rs


class TestWritingIntoTheOriginal:
    text = (ROOT / "data" / "rules" / "standard.toml").read_text(encoding="utf-8")
    rs = rules.parse_rule_set(text, "standard.toml")

    def _edited(self) -> rules.RuleSet:
        def edit(rule: rules.Rule) -> rules.Rule:
            if rule.id == "cme_hours":
                thresholds = {**rule.params["thresholds"], "medicine": 25}
                return dataclasses.replace(rule, params={**rule.params, "thresholds": thresholds})
            if rule.id == "aesthetics_experience":
                return dataclasses.replace(
                    rule, severity="required", params={**rule.params, "min": 1.5}
                )
            return rule

        return dataclasses.replace(
            self.rs,
            admission=[edit(r) for r in self.rs.admission],
            renewal=dataclasses.replace(self.rs.renewal, window_days=60),
        )

    def test_unedited_set_gives_the_file_back_unchanged(self):
        assert self.rs.to_toml(original=self.text) == self.text

    def test_edits_change_only_their_own_lines(self):
        expected = (
            self.text.replace(
                "thresholds = { medicine = 20, dentistry = 20,",
                "thresholds = { medicine = 25, dentistry = 20,",
            )
            .replace(
                'severity = "advisory"\nfield = "aesthetics_experience_years"',
                'severity = "required"\nfield = "aesthetics_experience_years"',
            )
            .replace("min = 1\n", "min = 1.5\n")
            .replace("window_days = 90\n", "window_days = 60\n")
        )
        written = self._edited().to_toml(original=self.text)
        assert written == expected
        assert written.startswith("# Standard track: what a medical professional needs")
        assert rules.parse_rule_set(written, "standard.toml") == self._edited()

    def test_rules_taken_out_or_added_keep_the_comments_around_them(self):
        extra = dataclasses.replace(self.rs.admission[0], id="extra", label="Extra")
        fewer, more = self.rs.admission[:-1], [*self.rs.admission, extra]
        for admission, gone in ((fewer, 'id = "ethics_training"'), (more, None)):
            changed = dataclasses.replace(self.rs, admission=admission)
            written = changed.to_toml(original=self.text)
            assert rules.parse_rule_set(written, "standard.toml") == changed
            assert "# Rules for applicants." in written
            # the comment about renewals still stands right above [renewal]
            assert "# before it expires.\n[renewal]\n" in written
            assert gone is None or gone not in written

    def test_without_an_original_a_new_document_is_written(self):
        written = self.rs.to_toml()
        assert "#" not in written
        assert rules.parse_rule_set(written, "standard.toml") == self.rs


def test_rule_set_text_is_the_files_own_text():
    path = ROOT / "data" / "rules" / "advanced.toml"
    assert rules.rule_set_text("advanced") == path.read_text(encoding="utf-8")


def test_load_by_path_matches_load_by_name():
    path = ROOT / "data" / "rules" / "advanced.toml"
    assert rules.load_rule_set(path) == rules.load_rule_set("advanced")


def test_rule_set_name_defaults_to_file_stem():
    rs = rules.parse_rule_set(MINIMAL.replace('name = "mini"\n', ""), "summer.toml")
    assert rs.name == "summer"
    assert rs.renewal.rules == []


def test_rule_set_error_is_a_load_error():
    assert issubclass(RuleSetError, LoadError)


def bad(old: str, new: str) -> str:
    assert old in MINIMAL
    return MINIMAL.replace(old, new)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            bad('field = "cme_hours"', 'field = "cme_hrs"'),
            "bad.toml: rule 'cme_hours': unknown field 'cme_hrs'",
        ),
        (
            bad('check = "at_least"', 'check = "greater_than"'),
            "bad.toml: rule 'cme_hours': unknown check 'greater_than'",
        ),
        (
            bad('severity = "required"', 'severity = "mandatory"'),
            "bad.toml: rule 'cme_hours': unknown severity 'mandatory'",
        ),
        (
            bad("min = 20", "min = -5"),
            "bad.toml: rule 'cme_hours': threshold 'min' must be a number from 0 to 100,000, "
            "not -5",
        ),
        (
            bad("min = 20", 'min = "twenty"'),
            "bad.toml: rule 'cme_hours': threshold 'min' must be a number from 0 to 100,000, "
            "not 'twenty'",
        ),
        (
            bad("min = 20", 'by = "degree"\ndefault = 30\nthresholds = { medecine = 20 }'),
            "bad.toml: rule 'cme_hours': threshold for unknown degree 'medecine'",
        ),
        (
            bad("min = 20", 'by = "degree"\ndefault = 30\nthresholds = { medicine = true }'),
            "bad.toml: rule 'cme_hours': threshold 'medicine' must be a number from 0 to",
        ),
        (
            bad("min = 20", 'by = "degree"\nthresholds = { medicine = 20 }'),
            "bad.toml: rule 'cme_hours': 'default' threshold is missing",
        ),
        (
            bad("min = 20", "min = 20\nmax = 40"),
            "bad.toml: rule 'cme_hours': unknown setting 'max' for check 'at_least'",
        ),
        (bad("min = 20", ""), "bad.toml: rule 'cme_hours': at_least needs either 'min' or 'by'"),
        (
            bad('check = "at_least"\nmin = 20', 'check = "in_set"\nvalues = ["medicine"]'),
            "bad.toml: rule 'cme_hours': check 'in_set' cannot read number field 'cme_hours'",
        ),
        (
            bad(
                'field = "cme_hours"\ncheck = "at_least"\nmin = 20',
                'field = "degree"\ncheck = "in_set"\nvalues = ["doctor"]',
            ),
            "bad.toml: rule 'cme_hours': unknown degree 'doctor' in 'values'",
        ),
        (bad('label = "CME hours"\n', ""), "bad.toml: rule 'cme_hours': 'label' is missing"),
        (bad('id = "cme_hours"', 'id = "CME hours"'), "bad.toml: [[admission]] #1: 'id' must be"),
        (bad("window_days = 90", "window_days = -1"), "bad.toml: [renewal]: 'window_days' must be"),
        (bad("validity_years = 2", "validity_years = 1.5"), "'validity_years' must be a whole"),
        (bad("window_days = 90\n", ""), "bad.toml: [renewal]: 'window_days' is missing"),
        (
            bad('label = "Mini"', 'label = "Mini"\nowner = "x"'),
            "bad.toml: the file: unknown setting 'owner'",
        ),
        (
            bad("[[admission]]", "[admission]"),
            "bad.toml: 'admission' must be written as [[admission]]",
        ),
        (bad("min = 20", "min = 20 20"), "bad.toml: not valid TOML"),
        # Ranges: a hostile or mistyped file is refused before it can overflow anything.
        (
            bad("validity_years = 2", "validity_years = 100000"),
            "bad.toml: [renewal]: 'validity_years' must be a whole number from 1 to 50, not 100000",
        ),
        (bad("validity_years = 2", "validity_years = 0"), "from 1 to 50, not 0"),
        (bad("window_days = 90", "window_days = 0"), "'window_days' must be a whole number from 1"),
        (bad("window_days = 90", "window_days = 3651"), "from 1 to 3650, not 3651"),
        (bad("min = 20", "min = 100001"), "threshold 'min' must be a number from 0 to 100,000"),
        (bad("min = 20", "min = inf"), "threshold 'min' must be a number from 0 to 100,000"),
        (bad("min = 20", "min = nan"), "threshold 'min' must be a number from 0 to 100,000"),
        (bad("min = 20", "min = " + "9" * 400), "not 9999999999999999999999999999999999999..."),
        (bad('id = "cme_hours"', 'id = "cme_hours\\n"'), "bad.toml: [[admission]] #1: 'id' must"),
        (bad('label = "CME hours"', f'label = "{"x" * 501}"'), "'label' is longer than 500"),
    ],
)
def test_bad_files_are_refused_with_one_line(text, expected):
    with pytest.raises(RuleSetError) as caught:
        rules.parse_rule_set(text, "bad.toml")
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message
    assert caught.value.file == "bad.toml"


def test_deeply_nested_arrays_are_refused_with_one_line():
    text = MINIMAL.replace('label = "Mini"', 'label = "Mini"\nx = ' + "[" * 100_000 + "]" * 100_000)
    with pytest.raises(rules.RuleSetError, match="nested too deeply") as caught:
        rules.parse_rule_set(text, "deep.toml")
    assert "\n" not in str(caught.value)


def test_too_many_rules_are_refused():
    rule = MINIMAL[MINIMAL.index("[[admission]]") : MINIMAL.index("[renewal]")]
    many = "".join(rule.replace('"cme_hours"', f'"r{i}"', 1) for i in range(101))
    text = MINIMAL.replace(rule, many)
    with pytest.raises(rules.RuleSetError, match=r"more than 100 \[\[admission\]\] rules"):
        rules.parse_rule_set(text, "many.toml")


def test_rule_id_used_twice():
    rule = MINIMAL[MINIMAL.index("[[admission]]") : MINIMAL.index("[renewal]")]
    text = MINIMAL.replace("[renewal]", rule + "[renewal]")
    with pytest.raises(RuleSetError, match=r"^bad.toml: rule 'cme_hours': id used twice"):
        rules.parse_rule_set(text, "bad.toml")


def test_unknown_built_in_name_or_missing_file():
    with pytest.raises(
        RuleSetError, match=r"^expert: rules file not found \(use standard, advanced"
    ):
        rules.load_rule_set("expert")


def test_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin.toml"
    path.write_bytes(MINIMAL.replace("Mini", "Caf\xe9").encode("latin-1"))
    with pytest.raises(RuleSetError, match=r"^latin.toml: rules file is not UTF-8 text$"):
        rules.load_rule_set(path)


def test_edited_file_is_used(tmp_path):
    text = (ROOT / "data" / "rules" / "standard.toml").read_text(encoding="utf-8")
    path = tmp_path / "lenient.toml"
    path.write_text(text.replace("medicine = 20,", "medicine = 10,"), encoding="utf-8")
    rs = rules.load_rule_set(path)
    assert rs.rule("cme_hours").params["thresholds"]["medicine"] == 10
