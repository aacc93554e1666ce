"""Addresses of content: one place that knows which endpoint serves which entry."""

from __future__ import annotations

from flask import request, url_for

from dxportal.content.model import Entry, Page


def entry_url(item: Entry | Page, lang: str, external: bool = False) -> str:
    """The URL of an entry (or of a page's entry) in ``lang``."""
    if item.section == "pages":
        return url_for("portal.static_page", lang=lang, slug=item.slug, _external=external)
    return url_for(
        "portal.entry", lang=lang, section=item.section, slug=item.slug, _external=external
    )


def media_url(filename: str, external: bool = False) -> str:
    return url_for("site.media", filename=filename, _external=external)


def url_prefix() -> str:
    """The sub-path the site is served under ('' at a domain root), for links in content."""
    return request.script_root if request else ""
