"""Holds the loaded content; in preview mode re-reads it when any file under content/ changes."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from .content import ContentSet, load_content
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

    def __init__(self, root: Path, preview: bool):
        self.root = Path(root)
        self.preview = preview
        self._lock = threading.Lock()
        self._fingerprint: tuple | None = None
        self._content: ContentSet | None = None
        self._error: ContentError | None = None

    def get(self) -> ContentSet:
        """Return the content, raising ContentError if it has problems."""
        with self._lock:
            if self._fingerprint is None or self.preview:
                fingerprint = content_fingerprint(self.root) if self.preview else ()
                if fingerprint != self._fingerprint:
                    self._load(fingerprint)
            if self._error is not None:
                raise self._error
            assert self._content is not None
            return self._content

    def _load(self, fingerprint: tuple) -> None:
        self._fingerprint = fingerprint
        try:
            self._content = load_content(self.root, include_drafts=self.preview)
            self._error = None
        except ContentError as exc:
            self._content, self._error = None, exc
