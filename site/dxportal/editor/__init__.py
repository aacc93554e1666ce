"""The browser editor (`dxportal serve --edit`): write, preview and publish without files.

It exists only in a preview app started with DXPORTAL_EDITOR: the blueprint is never
registered in the app that freezes the site, so /edit/ can never be published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from dxportal.editor.auth import BindRefused, check_bind, hash_password
from dxportal.web.security import CSP_DIRECTIVES, HEADER_ONLY_DIRECTIVES

__all__ = ["BindRefused", "check_bind", "hash_password", "init_app"]


def editor_policy() -> str:
    """The site's Content-Security-Policy, except that the preview frame may show our pages."""
    directives = {**CSP_DIRECTIVES, **HEADER_ONLY_DIRECTIVES}
    directives.update({"frame-src": "'self'", "frame-ancestors": "'self'"})
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def init_app(app: Flask, app_factory: Callable[[dict], Flask]) -> None:
    """Add /edit/ to a preview app; ``app_factory`` (create_app) makes the app "Publish" freezes."""
    if not (app.config["DXPORTAL_EDITOR"] and app.config["DXPORTAL_PREVIEW"]):
        return
    from dxportal.editor import review_views, signin, user_views, views  # noqa: F401 (routes)
    from dxportal.editor.newsroom import newsroom_folder, session_key

    if not app.config.get("SECRET_KEY"):
        # Kept in the newsroom folder (0600): a restart signs nobody out.
        app.config["SECRET_KEY"] = session_key(newsroom_folder(app.config))
    idle = dt.timedelta(hours=app.config["DXPORTAL_EDITOR_SESSION_HOURS"])
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the session's own lifetime bounds it
    app.config.update(
        PERMANENT_SESSION_LIFETIME=idle,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        MAX_CONTENT_LENGTH=app.config["DXPORTAL_EDITOR_MAX_UPLOAD"] + 1024 * 1024,
        DXPORTAL_EDITOR_CSP=editor_policy(),
    )
    proxies = app.config["DXPORTAL_EDITOR_PROXIES"]
    if proxies:
        # Behind nginx: the visitor's address (for the sign-in throttle) and HTTPS.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
        app.config["SESSION_COOKIE_SECURE"] = True
    app.extensions["dxportal.app_factory"] = app_factory
    signin.init_app(app)
    review_views.init_app(app)
    app.register_blueprint(views.bp)
