"""The preview server's extras: live reload, and each page's `check` problems on the page.

Everything here exists only when DXPORTAL_PREVIEW is on (`dxportal serve`); the blueprint, its
endpoint /_preview/changes and its script /_preview/static/live-reload.js are never frozen.

The app's FolderWatch (watching.py, the one change detector: watchdog) watches content/, the
templates and the translations; every change bumps a version number. The page's script asks
/_preview/changes?since=<version it was rendered with>; the request waits (long polling) until
the version differs, then the script reloads the page.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from flask import Blueprint, Flask, current_app, jsonify, request

from dxportal.content.model import Page
from dxportal.watching import FolderWatch
from dxportal.web.i18n import compile_catalogs, forget_catalogs

bp = Blueprint(
    "preview",
    __name__,
    url_prefix="/_preview",
    static_folder="preview_static",
    static_url_path="/static",
)

LONGEST_WAIT = 30.0


class ChangeCounter:
    """A version number that goes up on every change; waiters are woken at once."""

    def __init__(self) -> None:
        self.version = 0
        self._changed = threading.Condition()

    def bump(self) -> int:
        with self._changed:
            self.version += 1
            self._changed.notify_all()
            return self.version

    def wait_for_change(self, since: int, timeout: float) -> int:
        """Return the version as soon as it differs from ``since``, or after ``timeout``."""
        with self._changed:
            self._changed.wait_for(lambda: self.version != since, timeout)
            return self.version


class ChangeHandler:
    """Turns changed paths into version bumps; recompiles catalogs when a .po changes."""

    def __init__(self, counter: ChangeCounter, on_catalog_change: Callable[[], None]):
        self.counter = counter
        self.on_catalog_change = on_catalog_change

    def __call__(self, path: Path) -> None:
        if path.suffix == ".po":
            self.on_catalog_change()
        self.counter.bump()


def watched_folders(app: Flask) -> list[Path]:
    """content/ first (the store's markers go there), then the templates and translations."""
    return [
        Path(app.config["DXPORTAL_CONTENT_DIR"]).absolute(),
        Path(app.root_path) / (app.template_folder or "templates"),
        Path(app.config["DXPORTAL_TRANSLATIONS_DIR"]).absolute(),
    ]


def start_watching(app: Flask) -> FolderWatch:
    """Start the app's watch now (the store starts it at its first request otherwise)."""
    watch = app.extensions["dxportal.watch"]
    if not watch.running:
        watch.start()
    return watch


@bp.route("/changes")
def changes():
    """Long poll: answers {"version": n} once n differs from ``since`` (or after ``wait`` s)."""
    since = request.args.get("since", -1, type=int)
    wait = min(max(request.args.get("wait", 25.0, type=float), 0.0), LONGEST_WAIT)
    version = current_app.extensions["dxportal.changes"].wait_for_change(since, wait)
    response = jsonify(version=version)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """In preview only: templates reload, the change endpoint and the page notes."""
    if not app.config["DXPORTAL_PREVIEW"]:
        return
    app.config["TEMPLATES_AUTO_RELOAD"] = True
    app.jinja_env.auto_reload = True
    counter = ChangeCounter()
    app.extensions["dxportal.changes"] = counter
    app.register_blueprint(bp)
    store = app.extensions["dxportal.store"]

    def reload_catalogs() -> None:
        compile_catalogs(Path(app.config["DXPORTAL_TRANSLATIONS_DIR"]))
        forget_catalogs(app)

    watch = FolderWatch(watched_folders(app))
    watch.subscribe(ChangeHandler(counter, reload_catalogs))
    app.extensions["dxportal.watch"] = store.watch = watch

    def page_findings(page: Page) -> list:
        return store.findings_for(page.source_path)

    app.jinja_env.globals.update(
        page_findings=page_findings,
        preview_now=store.now,
    )

    @app.context_processor
    def inject_version() -> dict[str, int]:
        return {"preview_version": counter.version}
