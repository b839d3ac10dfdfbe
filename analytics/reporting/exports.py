"""Downloads: an Excel report workbook, CSV lists and a self-contained HTML dashboard.

Everything here takes already-computed tables (from `analytics.summary`,
`analytics.renewals`, the loader's problem list) and returns bytes or text, so it is tested
on small inline frames and never depends on how the numbers were made.

Spreadsheet formula injection (OWASP ASVS V1.2.10): a cell value starting with ``=``,
``+``, ``-``, ``@``, tab or carriage return (or the full-width ``＝ ＋ － ＠`` some Excel
locales also accept) could run as a formula when a colleague opens the file.
- Excel: every text value is written as a text cell (``write_string``, workbook option
  ``strings_to_formulas=False``), unchanged. A text cell is never evaluated, so nothing
  is prefixed and the value a director sees is exactly the value uploaded.
- CSV: a file has no cell types, so such a value is prefixed with a single quote
  (``'=SUM(A1)``), which spreadsheet programs show as text.

Words: every header, cell and key figure is written as a person reads it
(`analytics.reporting.vocabulary`): "Applicant ID", "Non-healthcare degree", "Renewals
blocked by: Current medical licence", never the engine's own names.

Personal data: names, emails and licence numbers (and extra columns whose header says they
hold a name, phone, address or birth date) are replaced by ``•••`` unless the caller passes
``include_personal=True``. Exports leave the app, so they hide the value completely rather
than showing the initials or tails the screen shows.

The HTML dashboard inlines plotly.js once and references nothing outside the file: a
Content-Security-Policy in the page forbids the browser from fetching anything, so an
emailed copy opens offline and tells nobody that it was opened. Figures are taken as
objects with Plotly's ``to_html`` method, so this module never imports Plotly itself.
"""

from __future__ import annotations

import csv
import html
import io
import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

import numpy as np
import pandas as pd
import xlsxwriter

from analytics.loading import fields, safety
from analytics.reporting import vocabulary

HIDDEN = "•••"
PERSONAL_COLUMNS = ("full_name", "email", "license_number")
# Extra (unmapped) columns whose normalised header contains one of these words are treated
# as personal too: exports cannot know what a CRM's custom column holds.
PERSONAL_HEADER_WORDS = (
    "name",
    "email",
    "e mail",
    "licence",
    "license",
    "phone",
    "mobile",
    "address",
    "birth",
    "dob",
    "passport",
)
NOT_PERSONAL = {"rule_id", "label", "programme", "cohort", "file", "sheet", "kept_file"}
# Per-rule columns of an Evaluation: states, explanations and shortfalls, never identities.
ENGINE_PREFIXES = ("state__", "explain__", "short__")
INJECTION_FIRST_CHARS = "=+-@\t\r＝＋－＠"
_INJECTION = re.compile(f"^[{re.escape(INJECTION_FIRST_CHARS)}]")
MAX_SHEET_NAME = 31
MAX_COLUMN_WIDTH = 60
DATE_FORMAT = "dd mmm yyyy"  # as the screens show dates (01 Nov 2026)
PERCENT_FORMAT = "0.0%"
LIST_SEPARATOR = ", "
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; "
    "style-src 'unsafe-inline'; img-src data: blob:; font-src data:; connect-src 'none'"
)
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


class Figure(Protocol):
    def to_html(self, *args: Any, **kwargs: Any) -> str: ...


class ExportError(Exception):
    """An export that cannot be written; ``str()`` says what to do."""


# -- personal data and cell values -----------------------------------------------------------


def recognised_field(column: object) -> str | None:
    """The canonical field a column is, or is an export header of ('Registration number'
    -> license_number; 'First name' and 'Last name' count as full_name), else None."""
    name = str(column)
    if name in fields.FIELD_KINDS:
        return name
    header = fields.normalise_header(name)
    if header in fields.NAME_PART_VARIANTS:
        return "full_name"
    return fields.HEADER_VARIANTS.get(header)


def is_personal_column(column: object) -> bool:
    """Whether a column holds (or may hold) personal data.

    A canonical field, or an export header recognised as one, is personal exactly when its
    field is; the engine's per-rule columns (`state__license_current` ...) are not. Any
    other header is personal when it contains a personal-sounding word, since nobody can
    know what a CRM's custom column holds.
    """
    name = str(column)
    if name in NOT_PERSONAL or name.startswith(ENGINE_PREFIXES):
        return False
    field = recognised_field(name)
    if field is not None:
        return field in PERSONAL_COLUMNS
    return any(word in fields.normalise_header(name) for word in PERSONAL_HEADER_WORDS)


def personal_columns(frame: pd.DataFrame) -> list[str]:
    """Columns of `frame` that hold (or may hold) personal data."""
    return [column for column in frame.columns if is_personal_column(column)]


def mask_personal(frame: pd.DataFrame, include_personal: bool = False) -> pd.DataFrame:
    """A copy with personal values replaced by HIDDEN (blanks stay blank)."""
    if include_personal:
        return frame
    out = frame.copy()
    for column in personal_columns(out):
        present = out[column].notna() & (out[column].astype("string").str.strip() != "")
        out[column] = pd.Series(HIDDEN, index=out.index, dtype="string").where(
            present.fillna(False).astype(bool), pd.NA
        )
    return out


def _flatten_lists(series: pd.Series) -> pd.Series:
    """List cells ('failing', 'blocked_by') become 'a, b' text; other cells are kept."""
    if series.dtype != object:
        return series
    is_list = series.map(lambda v: isinstance(v, list | tuple | set | np.ndarray))
    if not is_list.any():
        return series
    joined = series[is_list].map(lambda v: LIST_SEPARATOR.join(str(x) for x in v))
    return series.where(~is_list, joined)


def neutralise_text(series: pd.Series) -> pd.Series:
    """Prefix a single quote to text that a spreadsheet would read as a formula.

    Only text is touched: a negative number stays a number; a categorical of text (the
    explanation columns) is read as its text.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        if not pd.api.types.is_string_dtype(series.cat.categories):
            return series
        text = series.astype("string")
    elif pd.api.types.is_string_dtype(series) and series.dtype != object:
        text = series
    elif series.dtype == object:
        text = series.where(series.map(lambda v: isinstance(v, str)), None).astype("string")
    else:
        return series
    risky = text.str.match(_INJECTION.pattern).fillna(False).astype(bool)
    if not risky.any():
        return series
    out = series.astype(object).copy()
    out[risky] = "'" + text[risky]
    return out


# -- CSV ---------------------------------------------------------------------------------


def csv_bytes(
    frame: pd.DataFrame,
    *,
    include_personal: bool = False,
    rule_labels: Mapping[str, str] | None = None,
) -> bytes:
    """UTF-8 CSV (with BOM, so Excel reads accents) of a list, injection-safe and masked,
    headers and cells in words (dates stay ISO, so the file sorts and re-reads)."""
    out = vocabulary.in_words(mask_personal(frame, include_personal), rule_labels)
    out = out.apply(_flatten_lists)
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
        out[column] = neutralise_text(out[column])
    # Header names are data too (a CRM's custom column could be named "=cmd").
    names = vocabulary.headers(out.columns, rule_labels)
    out.columns = list(neutralise_text(pd.Series(names, dtype=object)))
    return out.to_csv(index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n").encode(
        "utf-8-sig"
    )


# -- Excel -------------------------------------------------------------------------------


def _sheet_name(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", str(title)).strip().strip("'")[:MAX_SHEET_NAME] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


class _Writer:
    """Writes one value per cell with an explicit type, so no text ever becomes a formula."""

    def __init__(self, book: xlsxwriter.Workbook):
        self.book = book
        self.header = book.add_format(
            {"bold": True, "bg_color": "#1565C0", "font_color": "#FFFFFF", "border": 1}
        )
        self.header.set_text_wrap()
        self.header.set_align("top")
        self.date = book.add_format({"num_format": DATE_FORMAT})
        self.percent = book.add_format({"num_format": PERCENT_FORMAT})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.key = book.add_format({"bold": True})

    def cell(self, sheet: Any, row: int, col: int, value: Any, fmt: Any = None) -> int:
        """Write and return the displayed width of the value."""
        if value is None or value is pd.NA or value is pd.NaT:
            sheet.write_blank(row, col, None, fmt)
            return 0
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, bool):
            sheet.write_boolean(row, col, value, fmt)
            return 5
        if isinstance(value, int | float):
            if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
                sheet.write_blank(row, col, None, fmt)
                return 0
            sheet.write_number(row, col, value, fmt)
            return len(f"{value:g}")
        if isinstance(value, pd.Timestamp | datetime | date):
            stamp = pd.Timestamp(value)
            if stamp.tzinfo is not None:
                stamp = stamp.tz_convert("UTC").tz_localize(None)
            sheet.write_datetime(row, col, stamp.to_pydatetime(), fmt or self.date)
            return 10
        if isinstance(value, list | tuple | set | np.ndarray):
            value = LIST_SEPARATOR.join(str(x) for x in value)
        text = str(value)
        sheet.write_string(row, col, text, fmt)
        return min(len(text), MAX_COLUMN_WIDTH)

    def table(
        self, sheet: Any, frame: pd.DataFrame, rule_labels: Mapping[str, str] | None = None
    ) -> None:
        """`frame` (engine column names) under its headers in words, rates as percentages."""
        if len(frame) + 1 > safety.MAX_ROWS:
            raise ExportError(
                f"A list has {len(frame):,} rows, more than Excel's limit: "
                "download it as CSV instead."
            )
        names = vocabulary.headers(frame.columns, rule_labels)
        widths = [self.cell(sheet, 0, c, name, self.header) for c, name in enumerate(names)]
        for c, column in enumerate(frame.columns):
            fmt = self.percent if str(column) in vocabulary.PERCENT_COLUMNS else None
            values = frame[column].astype(object).where(frame[column].notna(), None).tolist()
            for r, value in enumerate(values, start=1):
                widths[c] = max(widths[c], self.cell(sheet, r, c, value, fmt))
        for c, width in enumerate(widths):
            sheet.set_column(c, c, min(max(width, 8) + 2, MAX_COLUMN_WIDTH))
        sheet.freeze_panes(1, 0)
        if len(frame.columns):
            sheet.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)


def excel_report(
    summary: Mapping[str, Any],
    tables: Mapping[str, pd.DataFrame],
    *,
    meta: Mapping[str, Any] | None = None,
    include_personal: bool = False,
    rule_labels: Mapping[str, str] | None = None,
) -> bytes:
    """The report workbook: a Summary sheet, then one sheet per table, in the given order.

    `summary`: key figures (`summary.overview(ev)`, and e.g. `{"renewals":
    renewals.summary(ev)}`; nested dicts are flattened, lists left out). `tables`: sheet
    title -> frame, e.g. {"Eligibility by cohort": ..., "Gaps": ..., "Near misses": ...,
    "Renewal backlog": ..., "Problems": ...}. `meta`: shown above the figures (rule set,
    as-of date, dataset id, generated by / at). `rule_labels`: rule id -> label
    (`vocabulary.rule_labels(rule_set)`), for the figures and columns that name rules.
    """
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    writer = _Writer(book)
    used: set[str] = set()
    sheet = book.add_worksheet(_sheet_name("Summary", used))
    sheet.write_string(0, 0, "Admissions report", writer.title)
    row = 2
    for key, value in (meta or {}).items():
        writer.cell(sheet, row, 0, str(key), writer.key)
        writer.cell(sheet, row, 1, value)
        row += 1
    row += 1 if meta else 0
    sheet.write_string(row, 0, "Figure", writer.header)
    sheet.write_string(row, 1, "Value", writer.header)
    header_row = row
    for label, value, is_rate in vocabulary.figures(summary, rule_labels):
        row += 1
        writer.cell(sheet, row, 0, label)
        writer.cell(sheet, row, 1, value, writer.percent if is_rate else None)
    sheet.set_column(0, 0, 44)
    sheet.set_column(1, 1, 24)
    sheet.freeze_panes(header_row + 1, 0)
    sheet.autofilter(header_row, 0, max(row, header_row + 1), 1)
    for title, frame in tables.items():
        out = vocabulary.in_words(mask_personal(frame, include_personal), rule_labels)
        out = out.apply(_flatten_lists).reset_index(drop=True)
        writer.table(book.add_worksheet(_sheet_name(title, used)), out, rule_labels)
    book.close()
    return buffer.getvalue()


# -- HTML --------------------------------------------------------------------------------


def _percent(value: Any) -> str:
    return "" if pd.isna(value) else f"{value:.1%}"


def _table_html(frame: pd.DataFrame, rule_labels: Mapping[str, str] | None = None) -> str:
    if frame.empty:
        return '<p class="empty">No rows.</p>'
    shown = vocabulary.in_words(frame, rule_labels).apply(_flatten_lists)
    for column in shown.columns:
        if pd.api.types.is_datetime64_any_dtype(shown[column]):
            shown[column] = shown[column].dt.strftime("%d %b %Y")
        elif str(column) in vocabulary.PERCENT_COLUMNS:
            shown[column] = shown[column].map(_percent).astype("string")
    shown.columns = vocabulary.headers(frame.columns, rule_labels)
    return shown.to_html(index=False, escape=True, na_rep="", border=0, classes="data")


def _figure_html(figure: Figure, first: bool) -> str:
    return figure.to_html(
        full_html=False,
        include_plotlyjs=bool(first),
        include_mathjax=False,
        config=PLOTLY_CONFIG,
    )


def html_dashboard(
    title: str,
    summary: Mapping[str, Any],
    *,
    figures: Mapping[str, Figure] | Sequence[tuple[str, Figure]] = (),
    tables: Mapping[str, pd.DataFrame] | None = None,
    meta: Mapping[str, Any] | None = None,
    include_personal: bool = False,
    rule_labels: Mapping[str, str] | None = None,
) -> str:
    """One HTML file a director can email: figures, key figures and tables, offline.

    `figures`: heading -> Plotly figure (e.g. from `ui.charts`). Text is HTML-escaped, so a
    cell holding markup shows as text and never runs.
    """
    items = list(figures.items()) if isinstance(figures, Mapping) else list(figures)
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(str(title))}</title>",
        "<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}"
        "table{border-collapse:collapse;margin:0.5rem 0 1.5rem}"
        "th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}"
        "th{background:#1565c0;color:#fff}.empty{color:#666}"
        ".meta td:first-child,.figures td:first-child{font-weight:bold}</style>",
        "</head><body>",
        f"<h1>{esc(str(title))}</h1>",
    ]
    if meta:
        parts.append('<table class="meta">')
        parts += [f"<tr><td>{esc(str(k))}</td><td>{esc(str(v))}</td></tr>" for k, v in meta.items()]
        parts.append("</table>")
    parts.append('<h2>Key figures</h2><table class="figures">')
    for label, value, is_rate in vocabulary.figures(summary, rule_labels):
        shown = _percent(value) if is_rate else f"{value:,}" if type(value) is int else str(value)
        parts.append(f"<tr><td>{esc(label)}</td><td>{esc(shown)}</td></tr>")
    parts.append("</table>")
    for i, (heading, figure) in enumerate(items):
        parts.append(f"<h2>{esc(str(heading))}</h2>")
        parts.append(_figure_html(figure, first=i == 0))
    for heading, frame in (tables or {}).items():
        parts.append(f"<h2>{esc(str(heading))}</h2>")
        parts.append(_table_html(mask_personal(frame, include_personal), rule_labels))
    if not include_personal:
        parts.append(
            '<p class="empty">Names, emails and licence numbers are hidden in this file.</p>'
        )
    parts.append("</body></html>")
    return "\n".join(parts)
