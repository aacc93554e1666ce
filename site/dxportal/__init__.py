"""dxportal: the public portal of a provincial digital-transformation programme."""

from __future__ import annotations

import gc

from dxportal.gc_pause import collection_paused

# Importing the package (Flask, Jinja2, Babel, python-markdown, every stage) makes some 46,000
# lasting objects and no garbage: the collector, left on, walked them again and again (30 ms
# of the 0.33 s of CPU every command spends importing). They are then kept out of its reach.
with collection_paused():
    from pathlib import Path
    from typing import Any

    from flask import Flask

    from dxportal import config, editor, search
    from dxportal.content.clock import local_now
    from dxportal.content.errors import ContentError
    from dxportal.rendering import Renderer
    from dxportal.web import (
        hosts,
        i18n,
        live_reload,
        programme_pages,
        security,
        site_routes,
        templating,
        views,
    )
    from dxportal.web.store import ContentStore

    gc.freeze()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app: defaults, then DXPORTAL_* environment, then ``test_config``.

    Raises config.ConfigError when a DXPORTAL_* value is not of its setting's form.
    """
    app = Flask(__name__)
    app.config.from_mapping(config.DEFAULTS)
    app.config.update(config.from_environment())
    if test_config:
        app.config.update(test_config)
    config.validated({k: v for k, v in app.config.items() if k.startswith("DXPORTAL_")})
    app.url_map.strict_slashes = True

    hosts.init_app(app)
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
    programme_pages.init_app(app)
    app.register_error_handler(404, site_routes.render_not_found)
    app.register_error_handler(ContentError, site_routes.render_content_error)
    templating.init_app(app)
    live_reload.init_app(app)
    editor.init_app(app, app_factory=create_app)
    return app


def cache_dir(app: Flask) -> Path | None:
    """DXPORTAL_CACHE_DIR, or None when it is empty (no disk caches)."""
    folder = app.config.get("DXPORTAL_CACHE_DIR")
    return Path(folder) if folder else None
