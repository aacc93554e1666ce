"""The document library: documents sorted by signed date, filtered by type and year."""

from __future__ import annotations

import datetime as dt

from dxportal.content.clock import sort_key_date
from dxportal.content.model import Entry
from dxportal.content.vocabularies import DOCUMENT_TYPES


def signed_date(entry: Entry) -> dt.date | None:
    return entry.version("vi").meta.get("signed")


def sorted_documents(entries: list[Entry]) -> list[Entry]:
    """Newest signed first; documents without a signed date last, newest published first."""
    signed = [e for e in entries if signed_date(e)]
    unsigned = [e for e in entries if not signed_date(e)]
    signed.sort(key=lambda e: (sort_key_date(signed_date(e)), e.slug), reverse=True)
    unsigned.sort(key=lambda e: e.sort_key, reverse=True)
    return signed + unsigned


def document_type(entry: Entry) -> str:
    return entry.version("vi").meta["type"]


def types_present(entries: list[Entry]) -> list[str]:
    present = {document_type(e) for e in entries}
    return [t for t in DOCUMENT_TYPES if t in present]


def years_present(entries: list[Entry]) -> list[int]:
    """Years with a signed document, newest first."""
    return sorted({d.year for e in entries if (d := signed_date(e))}, reverse=True)


def of_type(entries: list[Entry], doc_type: str) -> list[Entry]:
    return sorted_documents([e for e in entries if document_type(e) == doc_type])


def of_year(entries: list[Entry], year: int) -> list[Entry]:
    return sorted_documents([e for e in entries if (d := signed_date(e)) and d.year == year])


def latest_report(entries: list[Entry]) -> Entry | None:
    reports = of_type(entries, "report")
    return reports[0] if reports else None
