"""Tables on paper: a static copy of what an st.dataframe shows on screen.

st.dataframe draws on a canvas, which prints as an empty box (or only the rows scrolled
into view). `ui.page.table` adds this copy next to each one; `ui/styles.css` shows the
copy only in print and hides the canvas there.

The copy travels as data, not as a table: an empty element whose attribute holds the
headers, the cells' texts and the note as JSON. The browser sanitises every st.html it
draws and builds its rows, and a table of 300 rows cost each screen that shows one 0.1 s
or more on every visit (docs/benchmarks.md), for a copy that is only read on paper.
SCRIPT, on every page (`ui.page`), builds the tables when the browser is about to print
("beforeprint", which Chromium's save as PDF fires too) and empties them afterwards. It
writes every header and cell as text (`textContent`), never as HTML.
"""

from __future__ import annotations

import functools
import html
import json
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

PRINT_ROWS = 300  # a few pages of paper; the screen and the CSV download hold every row
CLASS = "print-table"
DATA = "data-print-copy"  # the element's attribute that holds the copy
SOME_ROWS = "Printed: the first {shown:,} of {total:,} rows; the screen shows all of them."
# When the screen itself shows only the first rows of the list (ui.page.TABLE_ROWS), the
# screen's own line on where the rest is follows: the CSV download, or for the audit log
# narrower filters (a screen without a download says so there).
SOME_ROWS_ON_SCREEN = "Printed: the first {shown:,} of {total:,} rows. {rest}"
DATE_FORMAT = "%d %b %Y"  # 01 Nov 2026, as every screen writes dates


def labels(
    columns: Sequence[str], column_config: Mapping | None, column_order: Sequence[str] | None
) -> tuple[tuple[str, str, str], ...]:
    """(column, header, number format) in the order the screen shows them: `column_order`
    first if given, a column configured as None left out, a configured label (or a plain
    string) used; the format is a NumberColumn's ("percent", "%+.1f pts"), else ""."""
    config = dict(column_config or {})
    shown = [c for c in (column_order or columns) if c in columns]
    out = []
    for column in shown:
        setting = config.get(column, column)
        if setting is None:
            continue
        if isinstance(setting, str):
            setting = {"label": setting}
        kind = setting.get("type_config") or {}
        number_format = (kind.get("format") or "") if kind.get("type") == "number" else ""
        out.append((column, str(setting.get("label") or column), number_format))
    return tuple(out)


def _cell(value, number_format: str) -> str:
    """One cell as the screen writes it: lists joined, yes/no, rates as 45.1%."""
    if isinstance(value, list | tuple | np.ndarray):
        return ", ".join(str(v) for v in value)
    if value is None or pd.isna(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if number_format == "percent":
        return f"{value:.1%}"
    if number_format.startswith("%"):
        return number_format % value
    return str(value)


def _cell_text(column: pd.Series, number_format: str) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(column):
        return column.dt.strftime(DATE_FORMAT).fillna("")
    return column.map(lambda value: _cell(value, number_format)).astype(object)


def table_cells(
    frame: pd.DataFrame,
    headers: tuple[tuple[str, str, str], ...],
    limit: int = PRINT_ROWS,
    total: int | None = None,
    rest: str = "",
) -> dict:
    """{"headers": [...], "rows": [[...], ...], "note": "..."}: the first `limit` rows'
    texts under `headers`, and a line saying how many rows the list holds when some are
    left out (else ""). `total` is the whole list's length when `frame` is only its first
    rows (the screen's), and the note then ends with `rest`, the screen's line on where
    the others are."""
    head = frame.head(limit)
    columns = [_cell_text(head[column], fmt).tolist() for column, _, fmt in headers]
    total = len(frame) if total is None else max(total, len(frame))
    note = ""
    if total > len(head):
        wording = SOME_ROWS if total == len(frame) else SOME_ROWS_ON_SCREEN
        note = wording.format(shown=len(head), total=total, rest=rest).strip()
    return {
        "headers": [label for _, label, _ in headers],
        "rows": [list(row) for row in zip(*columns, strict=True)] if columns else [],
        "note": note,
    }


# In the attribute's JSON, "<", ">" and "&" are written as JSON escapes: the browser's
# sanitiser drops an attribute holding "-->" or "</style" (and the value needs no more
# than its quotes escaped).
_JSON_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def table_html(
    frame: pd.DataFrame,
    headers: tuple[tuple[str, str, str], ...],
    limit: int = PRINT_ROWS,
    total: int | None = None,
    rest: str = "",
) -> str:
    """The print copy's element: `table_cells` as JSON in its DATA attribute."""
    data = json.dumps(table_cells(frame, headers, limit, total, rest), ensure_ascii=False)
    value = html.escape(data.translate(_JSON_ESCAPES), quote=True)
    return f'<div class="{CLASS}" {DATA}="{value}"></div>'


SCRIPT = """<script>
(() => {{
  if (window.admissionsPrintCopies) return;
  window.admissionsPrintCopies = true;
  const selector = {selector};
  const cell = (row, tag, text) => {{
    const element = document.createElement(tag);
    element.textContent = text;
    row.appendChild(element);
  }};
  window.addEventListener("beforeprint", () => {{
    for (const holder of document.querySelectorAll(selector)) {{
      try {{  // one copy that cannot be built leaves the others whole
        const copy = JSON.parse(holder.getAttribute({data}));
        const table = document.createElement("table");
        const head = table.createTHead().insertRow();
        for (const text of copy.headers) cell(head, "th", text);
        const body = table.createTBody();
        for (const cells of copy.rows) {{
          const row = body.insertRow();
          for (const text of cells) cell(row, "td", text);
        }}
        holder.replaceChildren(table);
        if (copy.note) cell(holder, "p", copy.note);
      }} catch (error) {{
        console.error("print copy not built", error.name);
      }}
    }}
  }});
  // Off paper, the screen keeps only the data: no hidden rows to restyle on every draw.
  window.addEventListener("afterprint", () => {{
    for (const holder of document.querySelectorAll(selector)) holder.replaceChildren();
  }});
}})();
</script>"""


@functools.cache
def script() -> str:
    """The page's builder of print copies (SCRIPT), for an st.html that may run it."""
    return SCRIPT.format(selector=json.dumps(f".{CLASS}[{DATA}]"), data=json.dumps(DATA))
