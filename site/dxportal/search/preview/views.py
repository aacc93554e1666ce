"""/<lang>/search/: the server answers with Whoosh; the frozen copy is filled in by search.js.

The route lives on the portal blueprint so that it shares the language prefix, the language
switch and the navigation of every other page.
"""

from __future__ import annotations

from flask import current_app, g, render_template, request

from dxportal.search.documents import SEARCH_SECTIONS
from dxportal.search.preview.engine import SearchResults
from dxportal.web.labels import SECTION_TITLES
from dxportal.web.store import current_content
from dxportal.web.views import LISTED_SECTIONS, bp


def search_engine():
    return current_app.extensions["dxportal.search"]


def requested_page() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 6 else 1


@bp.route("/search/")
def search():
    site = current_content()
    raw = request.args.get("q")
    section = request.args.get("section", "")
    if section not in SEARCH_SECTIONS:
        section = ""
    results: SearchResults | None = None
    if raw is not None:
        results = search_engine().search(raw, g.lang, section or None, requested_page())
    sections = [name for name in SEARCH_SECTIONS if site.section_entries(name)]
    return render_template(
        "search.html",
        results=results,
        section=section,
        sections=sections,
        listed_sections=LISTED_SECTIONS,
        SECTION_TITLES=SECTION_TITLES,
    )
