"""Jinja for the site's pages: its settings, and the globals and filters templates use."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, g, request, url_for
from flask_babel import format_date, gettext
from markupsafe import Markup

from dxportal.addresses import readable
from dxportal.content.clock import rfc3339
from dxportal.content.errors import ContentError
from dxportal.content.media import image_dimensions
from dxportal.content.model import Page
from dxportal.content.schema import LANGUAGE_NAMES
from dxportal.messages import DEFAULT_LANGUAGE, LANGUAGES
from dxportal.web import fragments, i18n
from dxportal.web.labels import OG_LOCALES, OWN_LANGUAGE_NAMES, SECTION_DESCRIPTIONS, SECTION_TITLES
from dxportal.web.urls import entry_url, media_url, url_prefix


def feed_time(page: Page, which: str = "updated") -> str:
    """RFC 3339 time of a page's publication or last update (its date if never updated)."""
    value = (page.updated if which == "updated" else None) or page.date or dt.date(2000, 1, 1)
    return rfc3339(value)


def init_app(app: Flask) -> None:
    """Jinja settings, the globals and filters.

    No bytecode cache: compiling every template costs a process about 0.15 s of CPU, under
    5% of every `make bench` row (docs/benchmarks.md, issue #17's rule for speed machinery)."""
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    fragments.init_app(app, cache=not app.config["DXPORTAL_PREVIEW"])

    def render_body(page: Page) -> str:
        html = app.extensions["dxportal.renderer"].render(page.body, page.lang, url_prefix())
        return Markup(html)  # sanitized by the renderer's allow-list

    def url_in(lang: str, external: bool = False) -> str:
        """This page's address in another language (every page exists in both)."""
        if request.endpoint and request.endpoint.startswith(("portal.", "sections.")):
            args = dict(request.view_args or {}, lang=lang)
            return url_for(request.endpoint, _external=external, **args)
        return url_for("portal.home", lang=lang, _external=external)

    def tag_name(tag: str) -> str:
        tags = app.extensions["dxportal.store"].get().tags
        return tags.get(tag, {}).get(g.lang, tag)

    def media_dimensions(filename: str) -> tuple[int, int] | None:
        return image_dimensions(app.extensions["dxportal.store"].get().media_dir / filename)

    long_dates: dict[tuple[str, object], str] = {}

    def long_date(value) -> str:
        """A date in the page's language; each formatted once (Babel is slow, dates repeat)."""
        if not value:
            return ""
        key = (i18n.current_language(), value)  # the locale flask-babel formats with
        found = long_dates.get(key)
        if found is None:
            found = long_dates[key] = format_date(value, "long")
        return found

    @app.context_processor
    def inject_site() -> dict[str, Any]:
        store = app.extensions["dxportal.store"]
        try:
            site = store.get()
        except ContentError:
            site = None
        return {
            "site": site,
            "settings": site.settings if site else None,
            "lang": g.get("lang", DEFAULT_LANGUAGE),
            "preview": app.config["DXPORTAL_PREVIEW"],
        }

    app.jinja_env.globals.update(
        entry_url=entry_url,
        media_dimensions=media_dimensions,
        feed_time=feed_time,
        media_url=media_url,
        render_body=render_body,
        url_in=url_in,
        tag_name=tag_name,
        SECTION_TITLES=SECTION_TITLES,
        SECTION_DESCRIPTIONS=SECTION_DESCRIPTIONS,
        OG_LOCALES=OG_LOCALES,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        OWN_LANGUAGE_NAMES=OWN_LANGUAGE_NAMES,
        LANGUAGES=LANGUAGES,
    )
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["readable_address"] = readable
    app.jinja_env.filters["translated"] = lambda message: message.render(gettext)
