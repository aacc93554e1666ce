"""dxportal: the public portal of a provincial digital-transformation programme."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, g, request, url_for
from flask_babel import format_date, gettext
from jinja2 import FileSystemBytecodeCache

from . import config, editor, i18n, preview, search, section_views, security, site_routes, views
from .addresses import readable
from .content import Entry, Page, local_now
from .errors import ContentError
from .feeds import feed_time
from .labels import LANGUAGE_LABELS, OG_LOCALES, SECTION_DESCRIPTIONS, SECTION_TITLES
from .media_info import image_dimensions
from .rendering import Renderer
from .search import views as search_views  # noqa: F401  (adds /<lang>/search/ to views.bp)
from .sections import DEFAULT_LANGUAGE, LANGUAGES
from .store import ContentStore
from .urls import entry_url, media_url, url_prefix


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app: defaults, then DXPORTAL_* environment, then ``test_config``."""
    app = Flask(__name__)
    app.config.from_mapping(config.DEFAULTS)
    app.config.update(config.from_environment())
    if test_config:
        app.config.update(test_config)
    app.config.setdefault("FREEZER_BASE_URL", app.config["DXPORTAL_BASE_URL"])
    app.url_map.strict_slashes = True

    i18n.init_app(app)
    security.init_app(app)
    app.extensions["dxportal.store"] = ContentStore(
        Path(app.config["DXPORTAL_CONTENT_DIR"]),
        preview=app.config["DXPORTAL_PREVIEW"],
        now=lambda: local_now(app.config["DXPORTAL_NOW"]),
        cache_dir=cache_dir(app),
    )
    app.extensions["dxportal.renderer"] = Renderer(cache_dir(app))
    search.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(site_routes.bp)
    section_views.init_app(app)
    app.register_error_handler(404, site_routes.render_not_found)
    app.register_error_handler(ContentError, site_routes.render_content_error)
    init_templates(app)
    preview.init_app(app)
    editor.init_app(app)
    return app


def cache_dir(app: Flask) -> Path | None:
    """DXPORTAL_CACHE_DIR, or None when it is empty (no disk caches)."""
    folder = app.config.get("DXPORTAL_CACHE_DIR")
    return Path(folder) if folder else None


def init_templates(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    folder = cache_dir(app)
    if folder is not None:  # compiled templates, checked against their source by Jinja
        try:
            (folder / "templates").mkdir(parents=True, exist_ok=True)
            app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(folder / "templates"))
        except OSError:
            pass  # no cache: only slower

    def render_body(page: Page) -> str:
        from markupsafe import Markup

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
        LANGUAGE_LABELS=LANGUAGE_LABELS,
        LANGUAGES=LANGUAGES,
        Entry=Entry,
    )
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["readable_address"] = readable
    app.jinja_env.filters["translated"] = lambda message: message.render(gettext)
