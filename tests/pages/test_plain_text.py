"""User-supplied text (rule labels, view names, file names, headers, cohorts) is shown as
itself: Markdown and HTML in it are escaped wherever Streamlit would render them."""

from __future__ import annotations

import re
import string

import pytest

from tests.pages.helpers import ROOT, app, literal, sample_files, seed_files
from ui import escaping, state, views

PIXEL = "![p](http://127.0.0.1:9/pixel.png)"
HOSTILE = f"{PIXEL} <img src=x onerror=alert(1)> **bold** :red[red] $x^2$ www.example.org"
STANDARD = (ROOT / "data" / "rules" / "standard.toml").read_text(encoding="utf-8")


def is_inert(markdown: str) -> bool:
    """Every ASCII punctuation character is backslash-escaped and no line breaks remain:
    CommonMark then reads each of them as that character, never as markup."""
    if "\n" in markdown or "\r" in markdown:
        return False
    i = 0
    while i < len(markdown):
        if markdown[i] == "\\":
            if i + 1 >= len(markdown) or markdown[i + 1] not in string.punctuation:
                return False
            i += 2
            continue
        if markdown[i] in string.punctuation:
            return False
        i += 1
    return True


class TestEscaping:
    @pytest.mark.parametrize(
        "text",
        [
            HOSTILE,
            "<b>x</b> &lt; &#x41; \\*",
            "# heading",
            "1. item",
            "- item",
            "> quote",
            "`code` ~~gone~~ _em_ [a]: http://x",
            "jane@clinic.org http://evil.example",
            "plain words",
        ],
    )
    def test_escaped_text_is_inert_and_reads_as_itself(self, text):
        shown = escaping.markdown(text)
        assert is_inert(shown)
        assert literal(shown) == text

    def test_line_breaks_become_one_space(self):
        assert literal(escaping.markdown("two\n\nlines\r\nhere")) == "two lines here"

    def test_letters_digits_and_accents_are_left_alone(self):
        assert escaping.markdown("Zoë 2026 spring") == "Zoë 2026 spring"


def _hostile_rules() -> str:
    text = STANDARD.replace('label = "Standard track"', f'label = "{HOSTILE}"')
    text = text.replace(
        'label = "Healthcare degree"', 'label = "<b>Degree</b> ![d](http://x/d.png)"'
    )
    return text.replace('description = "Certified', 'description = "**Certified**')


def _bodies(at) -> list[str]:
    """Every Markdown body and label on the page, sidebar included."""
    found = [m.value for m in at.markdown] + [m.value for m in at.sidebar.markdown]
    found += [e.value for e in at.subheader] + [c.value for c in at.caption]
    found += [c.value for c in at.sidebar.caption]
    return found + [w.label for w in at.number_input]


class TestOnThePages:
    def test_rule_set_labels_show_literally_on_the_rules_page(self):
        at = app("pages/5_Rules.py")
        state.set_rules("mine", _hostile_rules(), "uploaded", session=at.session_state)
        at.run()
        assert not at.exception
        bodies = _bodies(at)
        assert HOSTILE in [literal(b) for b in bodies]
        assert any("<b>Degree</b> ![d](http://x/d.png)" in literal(b) for b in bodies)
        for body in bodies:
            assert not re.search(r"(?<!\\)[<\[]", body), body  # no tag, link or image opens
            assert not re.search(r"(?<!\\)\*\*Certified", body)

    def test_file_names_and_view_names_show_literally(self, shared_store):
        name = f"{PIXEL}.csv"
        files = [(name, sample_files()[1][1])]
        at = seed_files(app("app.py"), files, label=name).run()
        assert not at.exception
        at.text_input(key="views_save_name").input(HOSTILE)
        next(b for b in at.button if b.label == views.SAVE_LABEL).click()
        at.run()
        assert not at.exception
        bodies = _bodies(at) + [s.value for s in at.success]
        for body in bodies:
            assert not re.search(r"(?<!\\)[<\[]", body), body
        assert f"Dataset: {name}" in [literal(s.value) for s in at.subheader]
        escaped = r"\!\[p\]\(http\:\/\/127\.0\.0\.1\:9\/pixel\.png\)\.csv"
        assert f"**Dataset:** {escaped}" in [m.value for m in at.sidebar.markdown]
        (listed,) = [m.value for m in at.markdown if "by local" in literal(m.value)]
        assert literal(listed).startswith(f"**{HOSTILE}** · ")
