"""Loading: untrusted export bytes -> one typed frame, with every problem listed (DOMAIN §2-3).

safety (sniffing, zip and XML guards) -> reading (cells as text, header row) -> fields
(header spellings, value vocabularies) -> parsing (text to typed columns) -> loader
(several files into one frame, rejected rows, duplicates); mapping reads and writes the
column-mapping files a user makes for headers the app does not know.
"""

from analytics.loading.loader import (
    LoadResult,
    SheetInfo,
    SkippedSheet,
    Source,
    applicant_key,
    list_sheets,
    load_exports,
)

__all__ = [
    "LoadResult",
    "SheetInfo",
    "SkippedSheet",
    "Source",
    "applicant_key",
    "list_sheets",
    "load_exports",
]
