"""Rendering one address into the build folder without a test client per URL (the stock
Frozen-Flask loop makes one per page); the same checks as Frozen-Flask's own loop."""

from __future__ import annotations

import mimetypes
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from io import BytesIO
from typing import Any
from unicodedata import normalize
from urllib.parse import unquote, urlsplit

from flask import Flask, g, url_for
from flask.testing import EnvironBuilder
from flask_frozen import (
    Freezer,
    MimetypeMismatchWarning,
    NotFoundWarning,
    RedirectWarning,
    conditional_context,
)
from werkzeug.urls import iri_to_uri

from dxportal.atomic import replace_bytes

# Keyword arguments of url_for that are not URL values.
URL_OPTIONS = ("_anchor", "_method", "_scheme", "_external")


def wsgi_string(text: str) -> str:
    """A str as WSGI carries it: its UTF-8 bytes as Latin-1 characters (as Werkzeug does)."""
    return text.encode("utf-8").decode("latin-1")


class PageClient:
    """Gets frozen pages from the app as Frozen-Flask's test client does, with less work per page.

    The WSGI environ is the one the test client sends (made once by Werkzeug's EnvironBuilder;
    only the path changes per URL), and the app is called directly, without a new client,
    cookie jar and TestResponse per URL. While a page is rendered, url_for answers are kept for
    the whole build (``remembering``): every request of a build has the same base URL, and the
    answer also depends only on the arguments and the page's language (the language prefix is
    the only value added by default). A remembered call is still logged for Frozen-Flask, so
    the links found on every page are the same.
    """

    def __init__(self, freezer: Freezer) -> None:
        self.freezer = freezer
        self.app = app = freezer.app
        builder = EnvironBuilder(
            app, path="/", base_url=app.config["FREEZER_BASE_URL"],
            environ_base=app.test_client().environ_base,
        )  # fmt: skip
        try:
            self.environ = builder.get_environ()
        finally:
            builder.close()
        self.answers: dict[tuple, tuple[str, dict]] = {}
        self.active = False

    def environ_for(self, url: str) -> dict[str, Any]:
        """The environ EnvironBuilder(path=url, base_url=FREEZER_BASE_URL) would give."""
        environ = dict(self.environ)
        raw = wsgi_string(url)
        environ["PATH_INFO"] = wsgi_string(unquote(iri_to_uri(urlsplit(url).path)))
        environ["REQUEST_URI"] = environ["RAW_URI"] = raw
        environ["wsgi.input"] = BytesIO()
        return environ

    def get(self, url: str) -> tuple[str, str | None, bytes]:
        """Status line, Content-Type and body of the app's answer to a GET of ``url``."""
        answer: list = []

        def start_response(status: str, headers: list, exc_info: Any = None) -> Callable:
            if exc_info:
                raise exc_info[1].with_traceback(exc_info[2])
            answer[:] = [status, headers]
            return chunks.append

        chunks: list[bytes] = []
        self.active = True
        try:
            result = self.app(self.environ_for(url), start_response)
            try:
                chunks.extend(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            self.active = False
        status, headers = answer
        content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
        return status, content_type, b"".join(chunks)

    def url_for(self, endpoint: str, **values: Any) -> str:
        if not self.active or endpoint.startswith("."):
            return self.original(endpoint, **values)
        try:
            key = (endpoint, g.get("lang"), *values.items())  # one call site, one order
            known = self.answers.get(key)
        except TypeError:  # a value that cannot be a key
            return self.original(endpoint, **values)
        if known is None:
            url = self.original(endpoint, **values)
            logged = {k: v for k, v in values.items() if k not in URL_OPTIONS}
            self.answers[key] = (url, logged)
            return url
        if self.freezer.log_url_for:
            self.freezer.url_for_logger.logged_calls.append((endpoint, dict(known[1])))
        return known[0]

    @contextmanager
    def remembering(self) -> Iterator[None]:
        """Route url_for (Python's and the templates') through ``url_for`` meanwhile."""
        app = self.app
        self.original = app.url_for
        had_global = app.jinja_env.globals.get("url_for")
        app.url_for = self.url_for  # type: ignore[method-assign]
        app.jinja_env.globals["url_for"] = self.url_for
        try:
            yield
        finally:
            del app.url_for
            app.jinja_env.globals["url_for"] = had_global


def build_one(freezer: Freezer, client: PageClient, url: str) -> None:
    """Get ``url`` and write its file, as Freezer._build_one does (same checks and warnings).

    Settings this does not handle (redirects followed, relative URLs, skipping existing files)
    go through Frozen-Flask's own method.
    """
    config = freezer.app.config
    if (
        config["FREEZER_REDIRECT_POLICY"] == "follow"
        or config["FREEZER_RELATIVE_URLS"]
        or config["FREEZER_SKIP_EXISTING"]
    ):
        freezer._build_one(url)
        return
    path = freezer.root / normalize("NFC", freezer.urlpath_to_filepath(url))
    with conditional_context(freezer.url_for_logger, freezer.log_url_for):
        status, content_type, content = client.get(url)
    code = int(status.split(None, 1)[0])
    if code != 200:
        if code == 404 and config["FREEZER_IGNORE_404_NOT_FOUND"]:
            warnings.warn(f"Ignored {status!r} on URL {url}", NotFoundWarning, stacklevel=3)
        elif code in (301, 302) and config["FREEZER_REDIRECT_POLICY"] == "ignore":
            warnings.warn(f"Ignored {status!r} on URL {url}", RedirectWarning, stacklevel=3)
        else:
            raise ValueError(f"Unexpected status {status!r} on URL {url}")
    if not config["FREEZER_IGNORE_MIMETYPE_WARNINGS"]:
        guessed_type, _ = mimetypes.guess_type(path.name)
        guessed_type = guessed_type or config["FREEZER_DEFAULT_MIMETYPE"]
        mimetype = content_type.split(";")[0].strip() if content_type else None
        if guessed_type != mimetype:
            warnings.warn(
                f"Filename extension of {path.name!r} (type {guessed_type}) does not match "
                f"Content-Type: {content_type}",
                MimetypeMismatchWarning,
                stacklevel=3,
            )
    if not path.parent.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
    previous = path.read_bytes() if path.is_file() else None
    if content != previous:  # unchanged files keep their time (rsync, the build record)
        replace_bytes(path, content, previous is not None)


class SilentLogger:
    """Stands in for the url_for logger while only the generators run."""

    def iter_calls(self) -> Iterator:
        return iter(())


class LinkResolver:
    """Turns logged url_for calls into frozen URLs, as Frozen-Flask does, once per call."""

    def __init__(self, freezer: Freezer) -> None:
        self.script_name = freezer._script_name()
        self.resolved: dict[tuple, str] = {}

    def url(self, endpoint: str, values: dict) -> str:
        key = (endpoint, tuple(sorted(values.items())))
        found = self.resolved.get(key)
        if found is None:
            url = url_for(endpoint, **values)[len(self.script_name) :]
            found = self.resolved[key] = urlsplit(unquote(url)).path
        return found


def build_urls(
    app: Flask,
    freezer: Freezer,
    urls: Iterable[str],
    generated: set[str],
    tick: Callable[[], None] | None = None,
) -> dict[str, list[tuple[str, str]]]:
    """Render and write ``urls`` in one request context, as Frozen-Flask's own loop does;
    ``tick()`` after each.

    Returns, for each URL, the addresses its page asked url_for for that no generator gives.
    """
    resolver = LinkResolver(freezer)
    logger = freezer.url_for_logger
    found: dict[str, list[tuple[str, str]]] = {}
    client = PageClient(freezer)
    with app.test_request_context(base_url=resolver.script_name or None), client.remembering():
        for url in urls:
            build_one(freezer, client, url)
            links = {}
            while logger.logged_calls:
                endpoint, values = logger.logged_calls.popleft()
                link = resolver.url(endpoint, values)
                if link not in generated:
                    links[link] = endpoint
            found[url] = sorted(links.items())
            if tick is not None:
                tick()
    return found
