"""Tables on paper: a static HTML copy of what an st.dataframe shows on screen.

st.dataframe draws on a canvas, which prints as an empty box (or only the rows scrolled
into view). `ui.page.table` adds this copy next to each one; `ui/print.css` shows the
copy only in print and hides the canvas there. No Streamlit here: frame in, HTML out.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

PRINT_ROWS = 300  # a few pages of paper; the screen and the CSV download hold every row
CLASS = "print-table"
SOME_ROWS = (
    "Printed: the first {shown:,} of {total:,} rows; the screen and the CSV download hold "
    "all of them."
)
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


def table_html(
    frame: pd.DataFrame, headers: tuple[tuple[str, str, str], ...], limit: int = PRINT_ROWS
) -> str:
    """The first `limit` rows under `headers` as an escaped HTML table, with a line saying
    how many rows the screen holds when some are left out."""
    head = frame.head(limit)
    shown = pd.DataFrame(
        {label: _cell_text(head[column], fmt) for column, label, fmt in headers},
        index=head.index,
    )
    body = shown.to_html(index=False, escape=True, border=0)
    note = ""
    if len(frame) > limit:
        note = f"<p>{html.escape(SOME_ROWS.format(shown=limit, total=len(frame)))}</p>"
    return f'<div class="{CLASS}">{body}{note}</div>'
