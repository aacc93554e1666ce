"""/<lang>/search/: the server answers with Whoosh; the frozen copy is filled in by search.js.

The route lives on the portal blueprint so that it shares the language prefix, the language
switch and the navigation of every other page.
"""

from __future__ import annotations

from flask import Response, current_app, g, render_template, request

from dxportal.search.documents import SEARCH_SECTIONS
from dxportal.search.preview.engine import IndexPreparing, SearchResults
from dxportal.web.labels import SECTION_TITLES
from dxportal.web.store import current_content
from dxportal.web.views import LISTED_SECTIONS, bp


def search_engine():
    return current_app.extensions["dxportal.search"]


def requested_page() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 6 else 1


# While there is no index yet: 503 (the search is temporarily unavailable, and says when to
# try again) rather than 200, so no cache keeps the page and no script or link checker takes
# it for an answer; browsers show its body like any page.
RETRY_AFTER_SECONDS = 5


@bp.route("/search/")
def search() -> Response | str:
    site = current_content()
    raw = request.args.get("q")
    section = request.args.get("section", "")
    if section not in SEARCH_SECTIONS:
        section = ""
    results: SearchResults | None = None
    preparing: int | None = None
    if raw is not None:
        try:
            results = search_engine().search(raw, g.lang, section or None, requested_page())
        except IndexPreparing as exc:
            preparing = exc.percent
    sections = [name for name in SEARCH_SECTIONS if site.section_entries(name)]
    page = render_template(
        "search.html",
        results=results,
        typed=raw,  # kept in the field while the index is being prepared
        preparing=preparing,
        retry_after=RETRY_AFTER_SECONDS,
        section=section,
        sections=sections,
        listed_sections=LISTED_SECTIONS,
        SECTION_TITLES=SECTION_TITLES,
    )
    if preparing is None:
        return page
    return Response(page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)})
