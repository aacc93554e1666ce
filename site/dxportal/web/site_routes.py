"""Addresses outside the language prefixes: the root chooser, 404, sitemap, robots, media."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, g, render_template, request, send_from_directory

from dxportal.content.errors import ContentError
from dxportal.content.schema import MEDIA_DIR
from dxportal.messages import DEFAULT_LANGUAGE, LANGUAGES
from dxportal.web.aliases import render_alias
from dxportal.web.sitemap import sitemap_listings
from dxportal.web.store import current_content
from dxportal.web.views import LISTED_SECTIONS

bp = Blueprint("site", __name__)


@bp.route("/")
def root():
    """A page that sends visitors to /vi/ (a meta refresh works on any static host)."""
    g.lang = DEFAULT_LANGUAGE
    return render_template("root.html")


@bp.route("/404.html")
def not_found_page():
    """The 404 page as a file, for static hosts that serve 404.html for missing paths."""
    g.lang = DEFAULT_LANGUAGE
    return render_template("404.html")


@bp.route("/sitemap.xml")
def sitemap():
    site = current_content()
    body = render_template(
        "sitemap.xml",
        sitemap_pages=sitemap_listings(site, LISTED_SECTIONS),
        entries=list(site.entries.values()),
    )
    return current_app.response_class(body, mimetype="application/xml")


@bp.route("/robots.txt")
def robots():
    body = render_template("robots.txt")
    return current_app.response_class(body, mimetype="text/plain")


@bp.route("/media/<path:filename>")
def media(filename: str):
    # Straight from the folder: media stay visible (in the editor's preview too) while a page
    # elsewhere has a problem that stops the content from loading.
    folder = Path(current_app.config["DXPORTAL_CONTENT_DIR"]) / MEDIA_DIR
    response = send_from_directory(folder, filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def language_from_path() -> str:
    """The language an error page should use: the URL's prefix, else the default."""
    first = request.path.strip("/").split("/", 1)[0]
    return first if first in LANGUAGES else DEFAULT_LANGUAGE


def render_not_found(error: Exception):
    """The app's 404 handler, in the visitor's language; old addresses (aliases) redirect."""
    try:
        redirect_page = render_alias(request.path)
    except ContentError:
        redirect_page = None
    if redirect_page is not None:
        return redirect_page
    g.lang = language_from_path()
    return render_template("404.html"), 404


def render_content_error(error: ContentError):
    """Preview only: every content problem, in the visitor's language, instead of a traceback."""
    g.lang = language_from_path()
    return render_template("content_errors.html", problems=error.problems), 500
