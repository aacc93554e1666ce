"""The content model: pages read from content/<section>/<slug>.<lang>.md, grouped as entries.

A page is one file (one language); an entry is all the languages of one section and slug.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import frontmatter

from dxportal.content.clock import local_datetime, sort_key_date
from dxportal.content.errors import ContentError, ContentProblem
from dxportal.content.schema import MEDIA_DIR
from dxportal.content.site_files import SiteSettings
from dxportal.content.yamlfile import read_text
from dxportal.messages import DEFAULT_LANGUAGE, Message

_YAML = frontmatter.YAMLHandler()


@dataclass(frozen=True, eq=False)
class Page:
    """One content file in one language. ``meta`` holds converted front-matter values.

    A page taken from the content cache has no ``_body``: ``body`` reads it from the file
    when first asked (most pages of a rebuild are never rendered), checked against ``digest``.
    """

    source_path: Path
    section: str
    slug: str
    lang: str
    meta: dict[str, Any]
    meta_lines: dict[str, int]
    body_line: int
    digest: str
    _body: str | None = field(default=None, repr=False)

    @property
    def body(self) -> str:
        """The Markdown body, without the blank lines around it."""
        if self._body is None:
            object.__setattr__(self, "_body", read_body(self.source_path, self.digest))
        assert self._body is not None
        return self._body

    @property
    def title(self) -> str:
        return self.meta["title"]

    @property
    def date(self) -> dt.date | None:
        return self.meta.get("date")

    @property
    def updated(self) -> dt.date | None:
        return self.meta.get("updated")

    @property
    def summary(self) -> str:
        return self.meta.get("summary", "")

    @property
    def tags(self) -> tuple[str, ...]:
        return self.meta.get("tags", ())

    @property
    def image(self) -> str | None:
        return self.meta.get("image")

    @property
    def image_alt(self) -> str:
        return self.meta.get("image_alt", "")

    @property
    def draft(self) -> bool:
        return self.meta.get("draft", False)

    @property
    def aliases(self) -> tuple[str, ...]:
        return self.meta.get("aliases", ())

    @cached_property  # asked for several times per page by every build
    def publish_at(self) -> dt.datetime | None:
        """When the page may be published: ``publish`` if set, else its ``date`` (local time)."""
        value = self.meta.get("publish") or self.date
        return local_datetime(value) if value else None

    def is_scheduled(self, now: dt.datetime) -> bool:
        """True while the page waits for its publication time (``now`` in local time)."""
        publish_at = self.publish_at
        return publish_at is not None and publish_at > now

    def is_published(self, now: dt.datetime) -> bool:
        return not self.draft and not self.is_scheduled(now)


@dataclass
class Entry:
    """A page in all the languages it exists in."""

    section: str
    slug: str
    versions: dict[str, Page] = field(default_factory=dict)

    def version(self, lang: str) -> Page:
        """The page in ``lang``, else in the default language, else in any language it has."""
        return (
            self.versions.get(lang)
            or self.versions.get(DEFAULT_LANGUAGE)
            or next(iter(self.versions.values()))
        )

    @property
    def date(self) -> dt.date | None:
        return self.version(DEFAULT_LANGUAGE).date

    @property
    def sort_key(self) -> tuple[dt.datetime, str]:
        return (sort_key_date(self.date), self.slug)

    @property
    def tags(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for page in self.versions.values():
            seen.update(dict.fromkeys(page.tags))
        return tuple(seen)


@dataclass
class ContentSet:
    """Everything under content/: settings, tags, entries by (section, slug), media folder."""

    root: Path
    settings: SiteSettings
    tags: dict[str, dict[str, str]]
    entries: dict[tuple[str, str], Entry]
    # Lists computed once: a build asks for the same section and tag lists thousands of times.
    _groups: tuple[dict[str, list[Entry]], dict[str, list[Entry]]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def media_dir(self) -> Path:
        return self.root / MEDIA_DIR

    def entry(self, section: str, slug: str) -> Entry | None:
        return self.entries.get((section, slug))

    def section_entries(self, section: str) -> list[Entry]:
        """Entries of a section, newest first (a new list each time: callers may change it)."""
        return list(self._by_group()[0].get(section, ()))

    def tag_entries(self, tag: str) -> list[Entry]:
        return list(self._by_group()[1].get(tag, ()))

    def used_tags(self) -> list[str]:
        return sorted(self._by_group()[1])

    def _by_group(self) -> tuple[dict[str, list[Entry]], dict[str, list[Entry]]]:
        if self._groups is None:
            newest_first = sorted(self.entries.values(), key=lambda e: e.sort_key, reverse=True)
            sections: dict[str, list[Entry]] = {}
            tags: dict[str, list[Entry]] = {}
            for entry in newest_first:
                sections.setdefault(entry.section, []).append(entry)
                for tag in entry.tags:
                    tags.setdefault(tag, []).append(entry)
            self._groups = (sections, tags)
        return self._groups

    def pages(self) -> Iterator[Page]:
        for entry in self.entries.values():
            yield from entry.versions.values()


def group_entries(pages: list[Page]) -> dict[tuple[str, str], Entry]:
    entries: dict[tuple[str, str], Entry] = {}
    for page in pages:
        entry = entries.setdefault((page.section, page.slug), Entry(page.section, page.slug))
        entry.versions[page.lang] = page
    return entries


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split_body(text: str) -> str:
    """The body of a content file's text whose front matter parsed (see parse_page_text)."""
    return _YAML.split(text)[1].strip("\n")


def read_body(path: Path, digest: str) -> str:
    """The body of ``path``, which must still be the text that hashes to ``digest``."""
    problems: list[ContentProblem] = []
    text = read_text(path, problems)
    if text is None or text_digest(text) != digest:
        raise ContentError(
            problems
            or [
                ContentProblem(
                    path, None, Message("the file changed while it was being read; try again")
                )
            ]
        )
    return split_body(text)
