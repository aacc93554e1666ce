"""Getting pages from the app without a test client per URL (Frozen-Flask's own loop makes one
per page), url_for answers remembered for the whole build (freezer.SiteFreezer uses it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import BytesIO
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import g
from flask.testing import EnvironBuilder
from flask_frozen import (
    Freezer,
)
from werkzeug.urls import iri_to_uri

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
