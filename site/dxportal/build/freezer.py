"""The one subclass of Frozen-Flask's Freezer: every use of what Frozen-Flask does not publish
is here, pinned by tests/test_frozen_flask_contract.py.

Frozen-Flask's own loop (``freeze_yield``) runs every generator on every build, gets the URLs
one after the other and writes changed files in place. A build here renders only the
addresses whose key changed (freeze_loop.py), on every core, and never changes a file in
place: it may be a hard link shared with the live build (destination.py).
So freeze_loop.py runs the loop, and this class gives it Frozen-Flask's parts: the generated
URLs (public ``all_urls``), one page got (one test client keeping no cookies) and written as
``Freezer._build_one`` does, the links pages asked url_for for, and the check that every
endpoint was frozen (``Freezer._check_endpoints``).
"""

from __future__ import annotations

import contextlib
import mimetypes
import os
import warnings
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from pathlib import Path
from unicodedata import normalize
from urllib.parse import unquote, urlsplit

from flask import Flask, url_for
from flask.testing import FlaskClient
from flask_frozen import Freezer, MimetypeMismatchWarning, conditional_context

from dxportal.atomic import replace_bytes

# The settings build_one handles, set on every build: strict (every non-200 answer fails the
# build, nothing is skipped or made relative), and the loop removes files itself.
STRICT_SETTINGS = {
    "FREEZER_REDIRECT_POLICY": "error",
    "FREEZER_IGNORE_404_NOT_FOUND": False,
    "FREEZER_RELATIVE_URLS": False,
    "FREEZER_SKIP_EXISTING": False,
    "FREEZER_IGNORE_MIMETYPE_WARNINGS": False,
    "FREEZER_REMOVE_EXTRA_FILES": False,
}


class SiteFreezer(Freezer):
    """A Freezer for freeze_loop.py's loop (see the module's docstring)."""

    def __init__(self, app: Flask) -> None:
        app.config.update(STRICT_SETTINGS)
        before = list(app.url_default_functions.get(None, ()))
        super().__init__(app, with_static_files=True, with_no_argument_rules=True, log_url_for=True)
        # Each Freezer adds a url_for logger to the app, called on every url_for after: an app
        # built again and again (build --watch) keeps its first one.
        known = app.extensions.setdefault("dxportal.url_for_logger", self.url_for_logger)
        if known is not self.url_for_logger:
            app.url_default_functions[None][:] = before
            self.url_for_logger = known
            known.logged_calls.clear()  # left by a build that failed halfway
        base_url = app.config["FREEZER_BASE_URL"] or ""
        self.script_name = urlsplit(base_url).path.rstrip("/")  # as Freezer._script_name
        self.links: dict[tuple, str] = {}  # url_for calls already turned into URLs

    def generated_urls(self) -> Iterator[tuple[str, str | None, dict]]:
        """(url, endpoint, values) of each item the generators give, in order, as the public
        ``all_urls`` gives their URLs (before any page is rendered: no logged url_for call)."""
        generators = self.url_generators
        items: list[tuple[str | None, dict]] = []

        def capturing(generator: Callable) -> Callable:
            def run() -> Iterator:
                for item in generator():
                    if isinstance(item, str):
                        items.append((None, {}))
                    elif isinstance(item, dict):
                        items.append((generator.__name__, item))
                    else:
                        items.append((item[0], item[1]))
                    yield item

            run.__name__ = generator.__name__
            return run

        self.url_generators = [capturing(g) for g in generators]
        try:
            for index, url in enumerate(self.all_urls()):
                yield url, *items[index]
        finally:
            self.url_generators = generators

    def check_endpoints(self, frozen: set[str | None], optional: set[str]) -> None:
        """Warn (MissingURLGeneratorWarning) about the app's GET endpoints nothing was frozen
        for, but ``optional`` ones (a site without tags has no tag page)."""
        self._check_endpoints(frozen | optional)

    def build_one(self, url: str) -> None:
        """Get ``url`` and write its file with Freezer._build_one's checks and warnings, under
        STRICT_SETTINGS; a file whose bytes change is replaced, never changed in place."""
        path = self.root / normalize("NFC", self.urlpath_to_filepath(url))
        with conditional_context(self.url_for_logger, self.log_url_for):
            response = self.client.get(url, base_url=self.app.config["FREEZER_BASE_URL"])
        with response:
            if response.status_code != 200:
                raise ValueError(f"Unexpected status {response.status!r} on URL {url}")
            guessed_type = mimetypes.guess_type(path.name)[0]
            guessed_type = guessed_type or self.app.config["FREEZER_DEFAULT_MIMETYPE"]
            if guessed_type != response.mimetype:
                warnings.warn(
                    f"Filename extension of {path.name!r} (type {guessed_type}) does not match "
                    f"Content-Type: {response.content_type}",
                    MimetypeMismatchWarning,
                    stacklevel=3,
                )
            content = response.data
        previous = None
        if not made_folder(path.parent):  # a folder made just now holds no earlier file
            with contextlib.suppress(FileNotFoundError):
                previous = path.read_bytes()
        if content != previous:  # unchanged files keep their time (rsync, the build record)
            replace_bytes(path, content, previous is not None)

    @cached_property
    def client(self) -> FlaskClient:
        """The test client every page is got with. Frozen-Flask makes one per URL so that no
        cookie is kept from page to page: this one keeps none at all."""
        return self.app.test_client(use_cookies=False)

    def link(self, endpoint: str, values: dict) -> str:
        """The frozen URL of a logged url_for call, as freeze_yield resolves it (once a call)."""
        key = (endpoint, tuple(sorted(values.items())))
        found = self.links.get(key)
        if found is None:
            url = url_for(endpoint, **values)[len(self.script_name) :]
            found = self.links[key] = urlsplit(unquote(url)).path
        return found

    def build_urls(
        self, urls: Iterable[str], generated: set[str], tick: Callable[[], None] | None = None
    ) -> dict[str, list[tuple[str, str]]]:
        """Render and write ``urls`` in one request context, as Frozen-Flask's own loop does;
        ``tick()`` after each.

        Returns, for each URL, the addresses its page asked url_for for that no generator gives.
        """
        logger = self.url_for_logger
        found: dict[str, list[tuple[str, str]]] = {}
        with self.app.test_request_context(base_url=self.script_name or None):
            for url in urls:
                self.build_one(url)
                links = {}
                while logger.logged_calls:
                    endpoint, values = logger.logged_calls.popleft()
                    link = self.link(endpoint, values)
                    if link not in generated:
                        links[link] = endpoint
                found[url] = sorted(links.items())
                if tick is not None:
                    tick()
        return found


def made_folder(folder: Path) -> bool:
    """Make ``folder`` and any parents it lacks; whether this call made it (it is empty)."""
    try:
        os.mkdir(folder)
    except FileExistsError:
        return False
    except FileNotFoundError:
        os.makedirs(folder.parent, exist_ok=True)
        return made_folder(folder)
    return True
