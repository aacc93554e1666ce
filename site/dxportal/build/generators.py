"""The URL generators that tell Frozen-Flask every address of the site."""

from __future__ import annotations

import math
from collections.abc import Iterator

from flask_frozen import Freezer

from dxportal.content.model import ContentSet
from dxportal.messages import LANGUAGES
from dxportal.web import programme_pages
from dxportal.web.views import LISTED_SECTIONS

# Endpoints that may legitimately freeze nothing: a site without tags, media or static pages.
OPTIONAL_ENDPOINTS = {"portal.tag", "portal.entry", "portal.static_page", "site.media"}
OPTIONAL_ENDPOINTS |= programme_pages.OPTIONAL_ENDPOINTS


def register_generators(freezer: Freezer, site: ContentSet, per_page: int) -> None:
    """Tell Frozen-Flask every URL with arguments; pages that exist in both languages."""

    def page_numbers(count: int) -> range:
        return range(1, max(1, math.ceil(count / per_page)) + 1)

    @freezer.register_generator
    def home() -> Iterator[tuple[str, dict]]:
        for lang in LANGUAGES:
            yield "portal.home", {"lang": lang}
            yield "portal.tags_index", {"lang": lang}
            yield "portal.search", {"lang": lang}

    @freezer.register_generator
    def section_pages() -> Iterator[tuple[str, dict]]:
        for lang in LANGUAGES:
            for section in LISTED_SECTIONS:
                yield "portal.section_feed", {"lang": lang, "section": section}
                count = (
                    1
                    if section in programme_pages.LIST_VIEWS
                    else len(site.section_entries(section))
                )
                for number in page_numbers(count):
                    yield "portal.section_list", {"lang": lang, "section": section,
                                                  "number": number}  # fmt: skip

    @freezer.register_generator
    def entries() -> Iterator[tuple[str, dict]]:
        for section, slug in site.entries:
            for lang in LANGUAGES:
                if section == "pages":
                    yield "portal.static_page", {"lang": lang, "slug": slug}
                else:
                    yield "portal.entry", {"lang": lang, "section": section, "slug": slug}

    @freezer.register_generator
    def tags() -> Iterator[tuple[str, dict]]:
        for tag in site.used_tags():
            for lang in LANGUAGES:
                for number in page_numbers(len(site.tag_entries(tag))):
                    yield "portal.tag", {"lang": lang, "tag": tag, "number": number}

    programme_pages.register_generators(freezer, site)

    @freezer.register_generator
    def aliases() -> Iterator[str]:
        """Old addresses of published pages: each becomes a small redirect page."""
        for page in site.pages():
            yield from page.aliases

    @freezer.register_generator
    def media() -> Iterator[tuple[str, dict]]:
        if site.media_dir.is_dir():
            for path in sorted(site.media_dir.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    yield "site.media", {"filename": path.relative_to(site.media_dir).as_posix()}
