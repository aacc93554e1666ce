"""Helpers for machine-readable outputs: Atom timestamps and the sitemap's list of pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dxportal.content.model import ContentSet, Page

# Dates without a time are taken as midnight in Vietnam (UTC+7).
SITE_TIMEZONE = dt.timezone(dt.timedelta(hours=7))


def feed_time(page: Page, which: str = "updated") -> str:
    """RFC 3339 time of a page's publication or last update (its date if never updated)."""
    value = (page.updated if which == "updated" else None) or page.date or dt.date(2000, 1, 1)
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=SITE_TIMEZONE)
    return value.isoformat()


@dataclass(frozen=True)
class Listing:
    """A page that exists in every language: an endpoint and its arguments besides ``lang``."""

    endpoint: str
    args: dict = field(default_factory=dict)


def listing_pages(site: ContentSet, sections: tuple[str, ...]) -> list[Listing]:
    pages = [Listing("portal.home"), Listing("portal.tags_index")]
    pages += [Listing("portal.section_list", {"section": s}) for s in sections]
    pages += [Listing("portal.tag", {"tag": t}) for t in site.used_tags()]
    from dxportal.web.section_routes import (
        listing_pages as section_listings,  # imports feeds: import here
    )

    pages += [Listing(endpoint, args) for endpoint, args in section_listings(site)]
    return pages
