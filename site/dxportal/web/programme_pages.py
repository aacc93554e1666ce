"""Pages of the programme's sections: goals, training calls, outreach materials, documents.

views.py hands these sections' list and entry pages to LIST_VIEWS and entry_context; the
blueprint here adds their extra addresses (calendar files, filtered lists, thumbnails), and
register_generators tells the freezer about each of them.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, g, render_template, url_for
from flask_babel import format_decimal, gettext
from markupsafe import Markup
from werkzeug.security import safe_join

from dxportal.content import clock
from dxportal.content.media import image_size, is_raster
from dxportal.content.model import ContentSet, Entry, Page
from dxportal.content.vocabularies import AUDIENCES, DOCUMENT_TYPES, MATERIAL_KINDS
from dxportal.messages import LANGUAGES
from dxportal.programme import charts, documents, goals, outreach, thumbnails, training
from dxportal.web.i18n import add_language_prefix
from dxportal.web.labels import (
    AUDIENCE_NAMES,
    DOCUMENT_TYPE_NAMES,
    DOCUMENT_TYPE_PLURALS,
    MATERIAL_KIND_NAMES,
    PILLAR_NAMES,
)
from dxportal.web.store import current_content
from dxportal.web.urls import entry_url, media_url

bp = Blueprint("sections", __name__, url_prefix="/<any(vi, en):lang>")
media_bp = Blueprint("section_media", __name__)

# Endpoints that freeze nothing when a site has no such content (no training calls, …).
OPTIONAL_ENDPOINTS = {
    "sections.training_event",
    "sections.documents_by_type",
    "sections.documents_by_year",
    "sections.outreach_by_kind",
    "sections.outreach_by_audience",
    "section_media.thumbnail",
}
HOME_GOALS, HOME_CALLS, HOME_MATERIALS = 4, 3, 3
RELATED_NEWS = 5


add_language_prefix(bp)


# --- section lists (one page each: views.section_list hands them over) ---------------------


def goals_list(site: ContentSet, number: int):
    if number != 1:
        abort(404)
    groups = goals.goals_by_pillar(site.section_entries("goals"))
    return render_template("sections/goals.html", section="goals", groups=groups)


def training_list(site: ContentSet, number: int):
    if number != 1:
        abort(404)
    calls = training.sorted_calls(site.section_entries("training"), site_now())
    return render_template("sections/training_list.html", section="training", calls=calls)


def outreach_list(site: ContentSet, number: int, kind: str = "", audience: str = ""):
    if number != 1:
        abort(404)
    every = site.section_entries("outreach")
    shown = every
    if kind:
        shown = outreach.of_kind(every, kind)
    if audience:
        shown = outreach.for_audience(every, audience)
    if (kind or audience) and not shown:
        abort(404)
    everything = _all_link("outreach", not kind and not audience)
    return render_template(
        "sections/outreach_list.html",
        section="outreach",
        materials=shown,
        kind=kind,
        audience=audience,
        kind_filters=[everything]
        + [
            (MATERIAL_KIND_NAMES[k], url_for("sections.outreach_by_kind", kind=k), k == kind)
            for k in outreach.kinds_present(every)
        ],
        audience_filters=[everything]
        + [
            (AUDIENCE_NAMES[a], url_for("sections.outreach_by_audience", audience=a), a == audience)
            for a in outreach.audiences_present(every)
        ],
    )


def documents_list(site: ContentSet, number: int, doc_type: str = "", year: int = 0):
    if number != 1:
        abort(404)
    every = site.section_entries("documents")
    if doc_type:
        shown = documents.of_type(every, doc_type)
    elif year:
        shown = documents.of_year(every, year)
    else:
        shown = documents.sorted_documents(every)
    if (doc_type or year) and not shown:
        abort(404)
    everything = _all_link("documents", not doc_type and not year)
    return render_template(
        "sections/documents_list.html",
        section="documents",
        documents=shown,
        doc_type=doc_type,
        year=year,
        type_filters=[everything]
        + [
            (
                DOCUMENT_TYPE_PLURALS[t],
                url_for("sections.documents_by_type", doc_type=t),
                t == doc_type,
            )
            for t in documents.types_present(every)
        ],
        year_filters=[everything]
        + [
            (str(y), url_for("sections.documents_by_year", year=y), y == year)
            for y in documents.years_present(every)
        ],
    )


def _all_link(section: str, current: bool) -> tuple[str, str, bool]:
    return (gettext("All"), url_for("portal.section_list", section=section), current)


LIST_VIEWS: dict[str, Callable[[ContentSet, int], Any]] = {
    "goals": goals_list,
    "training": training_list,
    "outreach": outreach_list,
    "documents": documents_list,
}
ENTRY_TEMPLATES = {
    "goals": "sections/goal.html",
    "training": "sections/training_call.html",
    "outreach": "sections/material.html",
    "documents": "sections/document.html",
}


# --- entry pages ---------------------------------------------------------------------------


def entry_template(section: str) -> str:
    return ENTRY_TEMPLATES.get(section, "entry.html")


def entry_context(entry: Entry, page: Page) -> dict[str, Any]:
    """What a section's entry template needs besides the page itself."""
    if entry.section == "goals":
        progress = goals.goal_progress(page)
        return {
            "progress": progress,
            "points": goals.measurements(page),
            "chart": goal_chart(page, progress),
            "related": related_news(current_content(), page),
        }
    if entry.section == "training":
        now = site_now()
        url = entry_url(entry, g.lang, external=True)
        names = [str(AUDIENCE_NAMES[a]) for a in page.meta["audience"]]
        return {
            "status": training.call_status(page, now),
            "deadline": training.deadline_of(page),
            "json_ld": training.event_json_ld(page, url, names),
        }
    return {}


def goal_chart(page: Page, progress: goals.Progress) -> Markup:
    unit = page.meta["unit"]
    numbers = {
        "baseline": quantity(progress.baseline.value, unit),
        "baseline_year": progress.baseline.date.year,
        "latest": quantity(progress.latest.value, unit),
        "latest_date": format_long_date(progress.latest.date),
        "target": quantity(progress.target.value, unit),
        "target_year": progress.target.date.year,
    }
    if progress.measured:
        description = gettext(
            "From %(baseline)s in %(baseline_year)s to %(latest)s on %(latest_date)s; the "
            "target is %(target)s by %(target_year)s. The values are listed in the table below.",
            **numbers,
        )
    else:
        description = gettext(
            "No measurement yet: %(baseline)s in %(baseline_year)s; the target is %(target)s "
            "by %(target_year)s.",
            **numbers,
        )
    return charts.line_chart(
        goals.measurements(page),
        progress.baseline,
        progress.target,
        chart_id=f"chart-{page.slug}",
        title=gettext("%(indicator)s over time", indicator=page.meta["indicator"]),
        description=description,
        format_value=format_number,
        target_label=gettext(
            "Target %(year)s: %(value)s",
            year=progress.target.date.year,
            value=quantity(progress.target.value, unit),
        ),
    )


def related_news(site: ContentSet, page: Page) -> list[Entry]:
    wanted = set(page.meta.get("related_tags", ()))
    if not wanted:
        return []
    found = [e for e in site.section_entries("news") if wanted & set(e.tags)]
    return found[:RELATED_NEWS]


# --- extra addresses -----------------------------------------------------------------------


@bp.route("/training/<slug>/event.ics")
def training_event(slug: str):
    found = current_content().entry("training", slug)
    if found is None:
        abort(404)
    page = found.version(g.lang)
    body = training.build_calendar([page], page.title, lambda p: _entry_url(p), _host())
    return _calendar_response(body, f"{slug}.ics")


@bp.route("/training/calendar.ics")
def training_calendar():
    pages = [e.version(g.lang) for e in current_content().section_entries("training")]
    site = current_content().settings.name[g.lang]
    name = gettext("Training – %(site)s", site=site)
    body = training.build_calendar(pages, name, lambda p: _entry_url(p), _host())
    return _calendar_response(body, "calendar.ics")


@bp.route("/documents/type/<doc_type>/")
def documents_by_type(doc_type: str):
    if doc_type not in DOCUMENT_TYPES:
        abort(404)
    return documents_list(current_content(), 1, doc_type=doc_type)


@bp.route("/documents/year/<int:year>/")
def documents_by_year(year: int):
    return documents_list(current_content(), 1, year=year)


@bp.route("/outreach/kind/<kind>/")
def outreach_by_kind(kind: str):
    if kind not in MATERIAL_KINDS:
        abort(404)
    return outreach_list(current_content(), 1, kind=kind)


@bp.route("/outreach/audience/<audience>/")
def outreach_by_audience(audience: str):
    if audience not in AUDIENCES:
        abort(404)
    return outreach_list(current_content(), 1, audience=audience)


@media_bp.route("/thumbnails/<int:width>/<path:name>")
def thumbnail(width: int, name: str):
    """A phone-sized JPEG of a raster image in content/media (name: the file + '.jpg')."""
    source_name = name.removesuffix(".jpg")
    if width not in thumbnails.WIDTHS or source_name == name or not is_raster(name[:-4]):
        abort(404)
    source = safe_join(str(current_content().media_dir), source_name)
    if source is None or not Path(source).is_file():
        abort(404)
    data, _ = thumbnails.make_thumbnail(Path(source), width)
    return current_app.response_class(data, mimetype="image/jpeg")


def _entry_url(page: Page) -> str:
    return entry_url(page, g.lang, external=True)


def _host() -> str:
    return urlsplit(url_for("portal.home", lang=g.lang, _external=True)).hostname or "localhost"


def _calendar_response(body: bytes, filename: str):
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- template helpers ----------------------------------------------------------------------


def format_number(value: float) -> str:
    return format_decimal(value, "#,##0.##")


def quantity(value: float, unit: str) -> str:
    """A value with its unit: 18%, 2.700 người."""
    return f"{format_number(value)}{unit}" if unit == "%" else f"{format_number(value)} {unit}"


def format_when(value) -> str:
    """A long date, with the time (24-hour, Vietnam time) when there is one."""
    text = format_long_date(value)
    if isinstance(value, dt.datetime):
        text = f"{text}, {value:%H:%M}"
    return text


def format_long_date(value) -> str:
    from flask_babel import format_date

    return format_date(value, "long")


def format_file_size(size: int) -> str:
    """63 KB, 1.2 MB (in the page's number format)."""
    if size < 1024 * 1024:
        return gettext("%(size)s KB", size=format_decimal(max(1, round(size / 1024)), "#,##0"))
    return gettext("%(size)s MB", size=format_decimal(size / 1024 / 1024, "#,##0.#"))


def media_size(filename: str) -> int:
    return (current_content().media_dir / filename).stat().st_size


def attached_files(page: Page) -> list[dict[str, Any]]:
    """The files of a material or document, with media type and size (for feed enclosures)."""
    items = list(page.meta.get("files", ()))
    if "file" in page.meta:
        items.append({"path": page.meta["file"], "title": page.title})
    return [
        {
            "path": item["path"],
            "title": item["title"],
            "type": mimetypes.guess_type(item["path"])[0] or "application/octet-stream",
            "size": media_size(item["path"]),
        }
        for item in items
    ]


def preview_image(filename: str) -> dict[str, Any]:
    """src, srcset and size of a material's preview: a thumbnail, or the SVG itself."""
    if not is_raster(filename):
        return {"src": media_url(filename), "srcset": "", "width": None, "height": None}
    width, height = image_size(current_content().media_dir / filename)
    small = min(width, thumbnails.WIDTHS[0])
    urls = [
        (url_for("section_media.thumbnail", width=w, name=f"{filename}.jpg"), w)
        for w in thumbnails.WIDTHS
    ]
    return {
        "src": urls[0][0],
        "srcset": ", ".join(f"{u} {w}w" for u, w in urls),
        "width": small,
        "height": round(height * small / width),
    }


def programme_highlights() -> dict[str, Any]:
    """What the home page shows of each programme section."""
    site = current_content()
    now = site_now()
    calls = training.sorted_calls(site.section_entries("training"), now)
    return {
        "goals": site.section_entries("goals")[:HOME_GOALS],
        "open_calls": [
            c for c in calls if training.call_status(c.version("vi"), now) != training.CLOSED
        ][:HOME_CALLS],
        "materials": site.section_entries("outreach")[:HOME_MATERIALS],
        "latest_report": documents.latest_report(site.section_entries("documents")),
    }


def site_now() -> dt.datetime:
    """Now in Vietnam time, or the moment DXPORTAL_NOW sets (to build as of another day)."""
    return clock.site_now(current_app.config["DXPORTAL_NOW"])


def call_status(page: Page) -> str:
    return training.call_status(page, site_now())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(media_bp)
    app.jinja_env.globals.update(
        goal_progress=goals.goal_progress,
        quantity=quantity,
        progress_bar=charts.progress_bar,
        call_status=call_status,
        deadline_of=training.deadline_of,
        is_online=training.is_online,
        media_size=media_size,
        attached_files=attached_files,
        preview_image=preview_image,
        preview_file=outreach.preview_file,
        file_format=outreach.file_format,
        programme_highlights=programme_highlights,
        PILLARS=PILLAR_NAMES,
        AUDIENCES=AUDIENCE_NAMES,
        MATERIAL_KINDS=MATERIAL_KIND_NAMES,
        DOCUMENT_TYPES=DOCUMENT_TYPE_NAMES,
        DOCUMENT_TYPES_PLURAL=DOCUMENT_TYPE_PLURALS,
    )
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["filesize"] = format_file_size
    app.jinja_env.filters["when"] = format_when


# --- freezing ------------------------------------------------------------------------------


def register_generators(freezer, site: ContentSet) -> None:
    """Every URL of this module's endpoints, for Frozen-Flask."""

    @freezer.register_generator
    def programme_pages() -> Iterator[tuple[str, dict]]:
        yield from programme_urls(site)


def programme_urls(site: ContentSet) -> Iterator[tuple[str, dict]]:
    calls = site.section_entries("training")
    material_list = site.section_entries("outreach")
    document_list = site.section_entries("documents")
    for lang in LANGUAGES:
        yield "sections.training_calendar", {"lang": lang}
        for entry in calls:
            yield "sections.training_event", {"lang": lang, "slug": entry.slug}
        for doc_type in documents.types_present(document_list):
            yield "sections.documents_by_type", {"lang": lang, "doc_type": doc_type}
        for year in documents.years_present(document_list):
            yield "sections.documents_by_year", {"lang": lang, "year": year}
        for kind in outreach.kinds_present(material_list):
            yield "sections.outreach_by_kind", {"lang": lang, "kind": kind}
        for audience in outreach.audiences_present(material_list):
            yield "sections.outreach_by_audience", {"lang": lang, "audience": audience}
    previews = {
        outreach.preview_file(page) for entry in material_list for page in entry.versions.values()
    }
    for filename in sorted(p for p in previews if p and is_raster(p)):
        for width in thumbnails.WIDTHS:
            yield "section_media.thumbnail", {"width": width, "name": f"{filename}.jpg"}


def filtered_list_pages(site: ContentSet) -> list[tuple[str, dict]]:
    """The filtered list pages, for the sitemap (endpoint, arguments besides lang)."""
    return [
        (endpoint, {k: v for k, v in args.items() if k != "lang"})
        for endpoint, args in programme_urls(site)
        if args.get("lang") == LANGUAGES[0] and endpoint.endswith(("_by_type", "_by_year",
                                                                   "_by_kind", "_by_audience"))
    ]  # fmt: skip
