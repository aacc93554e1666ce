"""Browser-test support (a pytest plugin): the frozen site on 127.0.0.1, headless Chromium.

The tools come from Debian (chromium, Java) and from qa/package.json (axe-core, vnu); `make
qa-setup` installs them. Without them the browser tests are skipped with that hint, except in
CI (CI=true), where a missing tool fails the run instead of hiding the tests.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dxportal import create_app
from dxportal.build.pipeline import freeze_site
from dxportal.config import PROJECT_ROOT
from dxportal.content.loader import load_content
from dxportal.content.model import ContentSet

CHROMIUM = Path(os.environ.get("DXPORTAL_CHROMIUM", "/usr/bin/chromium"))
QA_MODULES = PROJECT_ROOT / "qa" / "node_modules"
AXE_JS = QA_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = QA_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
SETUP_HINT = "run `make qa-setup` (Debian chromium and Java, axe-core and vnu from npm)"
# Offline, headless Debian Chromium as root; every non-local host resolves to nothing, which
# also proves that pages load nothing from outside the site.
CHROME_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]  # fmt: skip
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def missing_tools(*names: str) -> list[str]:
    checks = {
        "chromium": lambda: CHROMIUM.is_file(),
        "playwright": lambda: _importable("playwright.sync_api"),
        "axe-core": lambda: AXE_JS.is_file(),
        "java": lambda: shutil.which("java") is not None,
        "vnu": lambda: VNU_JAR.is_file(),
    }
    return [name for name in names if not checks[name]()]


def _importable(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def require_tools(*names: str) -> None:
    """Skip (or, in CI, fail) when a tool the test needs is not installed."""
    missing = missing_tools(*names)
    if missing:
        message = f"browser tests need {', '.join(missing)}: {SETUP_HINT}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass
class ServedSite:
    """A frozen site on disk and the address it is served at."""

    folder: Path
    origin: str
    prefix: str = "/"

    def url(self, path: str) -> str:
        return self.origin + self.prefix.rstrip("/") + path


@contextlib.contextmanager
def serve_folder(root: Path) -> Iterator[str]:
    """Serve ``root`` with Python's static file server on a free loopback port."""
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def serve_app(app) -> Iterator[str]:
    """Run a Flask app (preview, editor) on a free loopback port in a thread."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def freeze_into(destination: Path, content: Path, base_url: str = "http://localhost/") -> None:
    app = create_app(
        {
            "DXPORTAL_CONTENT_DIR": str(content),
            "DXPORTAL_BASE_URL": base_url,
            "FREEZER_BASE_URL": base_url,
        }
    )
    freeze_site(app, destination)


def sample_paths(site: ContentSet) -> list[str]:
    """One page of every type in both languages, plus the 404 page (/ redirects at once)."""
    paths = ["/404.html"]
    untranslated = next((e for e in site.entries.values() if "en" not in e.versions), None)
    if untranslated is not None:
        paths.append(f"/en/{untranslated.section}/{untranslated.slug}/")
    tag = next(iter(site.used_tags()), None)
    for lang in ("vi", "en"):
        paths += [f"/{lang}/", f"/{lang}/tags/", f"/{lang}/search/"]
        if tag:
            paths.append(f"/{lang}/tags/{tag}/")
        for section in ("news", "goals", "training", "outreach", "documents"):
            paths.append(f"/{lang}/{section}/")
            entries = site.section_entries(section)
            if entries:
                paths.append(f"/{lang}/{section}/{entries[0].slug}/")
        static = next((e for e in site.entries.values() if e.section == "pages"), None)
        if static:
            paths.append(f"/{lang}/{static.slug}/")
    return paths


@pytest.fixture(scope="session")
def frozen_site(tmp_path_factory) -> Iterator[ServedSite]:
    """The embedded content, frozen at a domain root and served on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("frozen") / "build"
    freeze_into(folder, PROJECT_ROOT / "content")
    with serve_folder(folder) as origin:
        yield ServedSite(folder, origin)


@pytest.fixture(scope="session")
def frozen_subpath_site(tmp_path_factory) -> Iterator[ServedSite]:
    """The embedded content frozen for https://example.org/portal/, served under /portal/."""
    root = tmp_path_factory.mktemp("frozen-subpath")
    freeze_into(root / "portal", PROJECT_ROOT / "content", "https://example.org/portal/")
    with serve_folder(root) as origin:
        yield ServedSite(root / "portal", origin, "/portal/")


@pytest.fixture(scope="session")
def browser():
    require_tools("chromium", "playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROME_ARGS)
        yield launched
        launched.close()


@dataclass
class PageWatch:
    """What a page did that a visitor would not want: errors, failures, outside requests."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        page.on("requestfailed", self._failed)
        page.on("request", self._request)
        page.on("dialog", self._dialog)
        page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _failed(self, request) -> None:
        # A request cut short because the page moved on (a redirect, a click) is not a failure.
        if request.failure != "net::ERR_ABORTED":
            self.failed_requests.append(f"{request.url} ({request.failure})")

    def _request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob"):
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.outside_requests.append(request.url)

    def _response(self, response) -> None:
        if response.status >= 400:
            self.failed_requests.append(f"{response.status} {response.url}")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def open_page(browser):
    """open_page(site, path, width=412) -> (page, watch); contexts are closed after the test."""
    contexts = []

    def open_(site: ServedSite, path: str, width: int = 412, height: int = 915):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        watch = PageWatch(site.origin)
        watch.attach(page)
        response = page.goto(site.url(path), wait_until="load")
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        return page, watch

    yield open_
    for context in contexts:
        context.close()


def run_axe(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page, as (id, impact, targets)."""
    require_tools("axe-core")
    # Evaluated through DevTools, so the site's Content-Security-Policy does not block it.
    page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
        "resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "targets": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


EMBEDDED = load_content(PROJECT_ROOT / "content")


def pytest_terminal_summary(terminalreporter) -> None:
    """Say it plainly at the end when browser tests did not run."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if SETUP_HINT in str(getattr(report, "longrepr", ""))
    ]
    if skipped:
        terminalreporter.write_sep("=", f"{len(skipped)} browser tests were SKIPPED", yellow=True)
        terminalreporter.write_line(f"To run them: {SETUP_HINT}. In CI (CI=true) they must run.")
