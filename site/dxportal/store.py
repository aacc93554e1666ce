"""Holds the loaded content; in preview mode re-reads it when any file under content/ changes."""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable
from pathlib import Path

from flask import current_app, has_request_context, request

from .checks import CheckReport, check_site
from .content import ContentSet, load_content, local_now
from .errors import ContentError


def content_fingerprint(root: Path) -> tuple:
    """Names, sizes and modification times of every file: cheap to compare between requests."""
    stats = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            try:
                st = os.stat(os.path.join(folder, name))
            except FileNotFoundError:
                continue
            stats.append((folder, name, st.st_size, st.st_mtime_ns))
    return tuple(stats)


class ContentStore:
    """The current ContentSet, or the ContentError that stops it from loading."""

    def __init__(
        self,
        root: Path,
        preview: bool,
        now: Callable[[], dt.datetime] = local_now,
        cache_dir: Path | None = None,
    ) -> None:
        self.root = Path(root)
        self.cache_dir = cache_dir
        self.preview = preview
        self.now = now
        self._report: CheckReport | None = None
        self._lock = threading.Lock()
        self._fingerprint: tuple | None = None
        self._content: ContentSet | None = None
        self._error: ContentError | None = None
        self._checked_for: object = None  # the request the files were last looked at for

    def get(self) -> ContentSet:
        """Return the content, raising ContentError if it has problems.

        In preview, the files are looked at again once per request (a page asks for the
        content several times; looking at thousands of files costs milliseconds each time).
        """
        with self._lock:
            if self._fingerprint is None or self.preview:
                current = request._get_current_object() if has_request_context() else None
                if current is None or current is not self._checked_for:
                    fingerprint = content_fingerprint(self.root) if self.preview else ()
                    self._checked_for = current
                    if fingerprint != self._fingerprint:
                        self._load(fingerprint)
            if self._error is not None:
                raise self._error
            assert self._content is not None
            return self._content

    def use(self, content: ContentSet) -> None:
        """Serve ``content``, already read and checked (by the build), instead of reading it."""
        with self._lock:
            self._fingerprint = content_fingerprint(self.root) if self.preview else ()
            self._content, self._error, self._report = content, None, None

    def report(self) -> CheckReport:
        """The `dxportal check` findings for the current content (shown on pages in preview)."""
        site = self.get()
        with self._lock:
            if self._report is None:
                self._report = check_site(site, self.now(), cache_dir=self.cache_dir)
            return self._report

    def _load(self, fingerprint: tuple) -> None:
        self._fingerprint = fingerprint
        self._report = None
        try:
            self._content = load_content(
                self.root, include_drafts=self.preview, now=self.now(), cache_dir=self.cache_dir
            )
            self._error = None
        except ContentError as exc:
            self._content, self._error = None, exc


def current_content() -> ContentSet:
    """The app's loaded content (raises ContentError; preview shows it as a problems page)."""
    return current_app.extensions["dxportal.store"].get()
