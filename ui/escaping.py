"""User-supplied text shown as itself: file names, dataset labels, rule labels, view names,
column headers, cohort names, people's names.

Streamlit renders Markdown (and, in labels, links and images) in `st.markdown`,
`st.caption`, `st.subheader`, `st.info` / `st.warning` / `st.error` / `st.success`,
`st.metric` labels and every widget label. A rule label `![p](http://host/pixel.png)`
drawn there makes every viewer's browser fetch that address. `markdown(value)` returns
the text with every ASCII punctuation character backslash-escaped, which CommonMark
defines as "this character, literally", so no emphasis, link, image, HTML tag, autolink
(`www.`, `http:`, `a@b`), LaTeX (`$`) or Streamlit directive (`:red[...]`) can start,
and line breaks become spaces so one label stays one line. Where a whole value is shown
alone, `st.text` / `st.code` are plain already.
"""

from __future__ import annotations

import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_LINE_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029]+\s*")


def markdown(value: object) -> str:
    """`value` as Markdown that renders exactly as its text (on one line)."""
    text = _LINE_BREAKS.sub(" ", str(value))
    return _PUNCTUATION.sub(r"\\\1", text)
