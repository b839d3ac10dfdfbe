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
    whose header row is found with `mapping`'s headers known too (only `sheet` in a
    workbook when given); in a file with none, its first sheet with data, headed by the
    fullest of its first rows. A header met again in a later sheet or file keeps its
    first texts. `on_source` is called
    with each source before it is read."""
    known = reading.known_headers(mapping)
    samples: dict[str, list[str]] = {}
    for src in sources:
        if on_source is not None:
            on_source(src)
        book = reading.open_workbook(src.name, src.data)
        names = [sheet] if sheet is not None and book.kind != "csv" else book.sheet_names
        found, first = [], None
        for raw in (book.read(n) for n in names if n in book.sheet_names):
            if raw.cells.empty:
                continue
            first = first or raw
            header = reading.find_header_row(raw.cells, known)
            if header is not None:
                found.append((raw.cells, header))
        if not found and first is not None:  # as the loader does: the first sheet with data
            found.append((first.cells, reading.guess_header_row(first.cells)))
        for cells, header in found:
            _add_samples(samples, cells, header, limit)
    return samples


def _add_samples(samples: dict[str, list[str]], cells, header: int, limit: int) -> None:
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
