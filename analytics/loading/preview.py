"""A look at a file's columns before any mapping: each header and its first cell texts.

The app's mapping screen shows these (masked when personal) and checks a chosen date field
against them; they are the raw cell texts, as typed, before any parsing. Like everything
that touches untrusted bytes, the app calls this through `analytics.loading.worker`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from analytics.loading import reading
from analytics.loading.loader import Source

SAMPLE_VALUES = 20  # per column: enough to judge a date field, of which the screen shows 3


def column_samples(
    sources: Iterable[Source],
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
    limit: int = SAMPLE_VALUES,
    on_source: Callable[[Source], None] | None = None,
) -> dict[str, list[str]]:
    """Header -> its first `limit` non-blank cell texts, over every sheet of every source
    that holds data (only `sheet` in a workbook when given). The header row is the one the
    loader finds with `mapping`'s headers known too, else the fullest of the first rows; a
    header met again in a later sheet or file keeps its first texts. `on_source` is called
    with each source before it is read."""
    known = reading.known_headers(mapping)
    samples: dict[str, list[str]] = {}
    for src in sources:
        if on_source is not None:
            on_source(src)
        book = reading.open_workbook(src.name, src.data)
        names = [sheet] if sheet is not None and book.kind != "csv" else book.sheet_names
        for name in names:
            if name not in book.sheet_names:
                continue
            cells = book.read(name).cells
            if cells.empty:
                continue
            header = reading.find_header_row(cells, known)
            if header is None:
                header = reading.guess_header_row(cells)
            body = cells.iloc[cells.index.searchsorted(header, side="right") :]
            for position, text in cells.loc[header].items():
                label = text.strip() if isinstance(text, str) else ""
                values = body[position].dropna().str.strip()
                values = values[values != ""]
                if not label:
                    if values.empty:
                        continue
                    label = f"Unnamed column {position + 1}"
                samples.setdefault(label, values.head(limit).tolist())
    return samples
