"""The pages the sitemap lists besides entries: those that exist in every language."""

from __future__ import annotations

from dataclasses import dataclass, field

from dxportal.content.model import ContentSet
from dxportal.web.programme_pages import filtered_list_pages


@dataclass(frozen=True)
class Listing:
    """A page that exists in every language: an endpoint and its arguments besides ``lang``."""

    endpoint: str
    args: dict = field(default_factory=dict)


def sitemap_listings(site: ContentSet, sections: tuple[str, ...]) -> list[Listing]:
    pages = [Listing("portal.home"), Listing("portal.tags_index")]
    pages += [Listing("portal.section_list", {"section": s}) for s in sections]
    pages += [Listing("portal.tag", {"tag": t}) for t in site.used_tags()]
    pages += [Listing(endpoint, args) for endpoint, args in filtered_list_pages(site)]
    return pages
