"""Pages under a language prefix: home, section lists, entries, static pages, tags, feeds."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, render_template

from dxportal.content.model import Entry
from dxportal.content.schema import SECTIONS
from dxportal.web import programme_pages
from dxportal.web.i18n import add_language_prefix
from dxportal.web.pagination import paginate
from dxportal.web.store import current_content

bp = Blueprint("portal", __name__, url_prefix="/<any(vi, en):lang>")

LISTED_SECTIONS = tuple(name for name, s in SECTIONS.items() if s.listed)
SECTION_RULE = "<any(" + ", ".join(LISTED_SECTIONS) + "):section>"
HOME_NEWS_COUNT = 5


add_language_prefix(bp)


def per_page() -> int:
    return current_app.config["DXPORTAL_PER_PAGE"]


@bp.route("/")
def home():
    site = current_content()
    sections = {name: site.section_entries(name) for name in LISTED_SECTIONS}
    return render_template(
        "home.html",
        latest_news=sections["news"][:HOME_NEWS_COUNT],
        sections=sections,
    )


@bp.route(f"/{SECTION_RULE}/", defaults={"number": 1})
@bp.route(f"/{SECTION_RULE}/page/<int:number>/")
def section_list(section: str, number: int):
    if section in programme_pages.LIST_VIEWS:
        return programme_pages.LIST_VIEWS[section](current_content(), number)
    pagination = paginate(current_content().section_entries(section), number, per_page())
    if pagination is None:
        abort(404)
    return render_template("section.html", section=section, pagination=pagination)


@bp.route(f"/{SECTION_RULE}/<slug>/")
def entry(section: str, slug: str):
    return _render_entry(current_content().entry(section, slug))


@bp.route("/<slug>/")
def static_page(slug: str):
    return _render_entry(current_content().entry("pages", slug))


@bp.route("/tags/")
def tags_index():
    site = current_content()
    counts = {tag: len(site.tag_entries(tag)) for tag in site.used_tags()}
    return render_template("tags.html", counts=counts)


@bp.route("/tags/<tag>/", defaults={"number": 1})
@bp.route("/tags/<tag>/page/<int:number>/")
def tag(tag: str, number: int):
    site = current_content()
    if tag not in site.tags:
        abort(404)
    pagination = paginate(site.tag_entries(tag), number, per_page())
    if pagination is None or not pagination.total:
        abort(404)
    return render_template("tag.html", tag=tag, pagination=pagination)


@bp.route(f"/{SECTION_RULE}/feed.xml")
def section_feed(section: str):
    entries = current_content().section_entries(section)[: current_app.config["DXPORTAL_FEED_SIZE"]]
    body = render_template("feed.xml", section=section, entries=entries)
    return current_app.response_class(body, mimetype="application/xml")


def _render_entry(found: Entry | None):
    if found is None:
        abort(404)
    page = found.version(g.lang)
    return render_template(
        programme_pages.entry_template(found.section),
        entry=found,
        page=page,
        is_fallback=page.lang != g.lang,
        **programme_pages.entry_context(found, page),
    )
