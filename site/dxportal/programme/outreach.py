"""Outreach materials: filters by kind and audience, and which file previews a material."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from dxportal.content.media import PREVIEW_FORMATS
from dxportal.content.vocabularies import AUDIENCES, MATERIAL_KINDS

if TYPE_CHECKING:
    from dxportal.content.model import Entry, Page


def kind_of(entry: Entry) -> str:
    return entry.version("vi").meta["kind"]


def audiences_of(entry: Entry) -> tuple[str, ...]:
    return entry.version("vi").meta.get("audience", ())


def kinds_present(entries: list[Entry]) -> list[str]:
    present = {kind_of(e) for e in entries}
    return [k for k in MATERIAL_KINDS if k in present]


def audiences_present(entries: list[Entry]) -> list[str]:
    present = {a for e in entries for a in audiences_of(e)}
    return [a for a in AUDIENCES if a in present]


def of_kind(entries: list[Entry], kind: str) -> list[Entry]:
    return [e for e in entries if kind_of(e) == kind]


def for_audience(entries: list[Entry], audience: str) -> list[Entry]:
    return [e for e in entries if audience in audiences_of(e)]


def preview_file(page: Page) -> str | None:
    """The page's image, else its first file that a browser can show as an image."""
    if page.image:
        return page.image
    for item in page.meta.get("files", ()):
        if PurePosixPath(item["path"]).suffix.lower() in PREVIEW_FORMATS:
            return item["path"]
    return None


def file_format(item: dict) -> str:
    """The format a file is labelled with: its 'format' field, else its extension."""
    return item.get("format") or PurePosixPath(item["path"]).suffix.lstrip(".").upper()
