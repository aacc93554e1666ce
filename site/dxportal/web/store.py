"""Holds the loaded content; in preview mode re-reads it when any file under content/ changes.

How the preview learns of changes: on Linux, from a ChangeJournal (inotify, read at the start of
each request without waiting; see inotify.py); elsewhere by comparing the names, sizes and
modification times of every file once per request.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from flask import current_app, has_request_context, request

from dxportal.content.checks import check_site
from dxportal.content.clock import local_now
from dxportal.content.errors import ContentError, ContentProblem
from dxportal.content.findings import CheckReport, Finding
from dxportal.content.loader import find_page_files, load_content, read_page
from dxportal.content.model import ContentSet, Page
from dxportal.content.parse_cache import ContentCache
from dxportal.content.schema import MEDIA_DIR, SETTINGS_FILE, TAGS_FILE
from dxportal.web.inotify import ChangeJournal, JournalBroken


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


def affects_content(root: Path, path: Path) -> bool:
    """Whether the loader reads ``path`` (a file under ``root``): pages, settings, tags, media."""
    parts = path.relative_to(root).parts
    if parts[0] == MEDIA_DIR:
        return True
    if any(part.startswith(".") for part in parts):
        return False
    return path.suffix == ".md" or parts in ((SETTINGS_FILE,), (TAGS_FILE,))


def is_page_file(root: Path, path: Path) -> bool:
    """Whether find_page_files would list ``path`` (if it is a file)."""
    parts = path.relative_to(root).parts
    hidden = any(part.startswith(".") for part in parts)
    return path.suffix == ".md" and not hidden and parts[0] != MEDIA_DIR


class PageMemory:
    """The pages of the last load, by file, with each file's problems: after a change only the
    files that changed are read again (read_content's ``read_pages``)."""

    def __init__(self, root: Path, cache_dir: Path | None) -> None:
        self.root = root
        self.cache_dir = cache_dir
        self._files: dict[Path, tuple[Page | None, list[ContentProblem]]] | None = None
        self._changed: set[Path] = set()

    def forget(self, paths: Iterable[Path] | None = None) -> None:
        """Read ``paths`` again at the next load (all files when None)."""
        if paths is None:
            self._files = None
            self._changed.clear()
        else:
            self._changed.update(paths)

    def read_pages(self, problems: list[ContentProblem]) -> list[Page]:
        if self._files is None:
            cache = ContentCache(self.cache_dir, self.root) if self.cache_dir else None
            self._files = {p: self._read(p, cache) for p in find_page_files(self.root)}
            if cache:
                cache.save()
        elif self._changed:
            added = False
            for path in self._changed:
                if is_page_file(self.root, path) and path.is_file():
                    added = added or path not in self._files
                    self._files[path] = self._read(path, None)
                else:
                    self._files.pop(path, None)
            if added:  # in the order of find_page_files: entries keep their order
                self._files = dict(sorted(self._files.items()))
        self._changed.clear()
        pages = []
        for page, found in self._files.values():
            problems.extend(found)
            if page is not None:
                pages.append(page)
        return pages

    def _read(self, path: Path, cache) -> tuple[Page | None, list[ContentProblem]]:
        found: list[ContentProblem] = []
        return read_page(path, self.root, found, cache), found


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
        self._findings: tuple[CheckReport, dict[Path, list[Finding]]] | None = None
        self._lock = threading.Lock()
        self._fingerprint: tuple | None = None
        self._content: ContentSet | None = None
        self._error: ContentError | None = None
        self._checked_for: object = None  # the request the files were last looked at for
        self._journal: ChangeJournal | None = None
        self._journal_tried = False
        self._memory = PageMemory(self.root, cache_dir)

    @property
    def journal(self) -> ChangeJournal | None:
        """The change journal the preview trusts, or None (it looks at every file instead)."""
        return self._journal

    def get(self) -> ContentSet:
        """Return the content, raising ContentError if it has problems.

        In preview, changes are looked for once per request (a page asks for the content
        several times; looking at thousands of files costs milliseconds each time).
        """
        with self._lock:
            if self._fingerprint is None or self.preview:
                current = request._get_current_object() if has_request_context() else None
                if current is None or current is not self._checked_for:
                    self._checked_for = current
                    self._refresh()
            if self._error is not None:
                raise self._error
            assert self._content is not None
            return self._content

    def use(self, content: ContentSet) -> None:
        """Serve ``content``, already read and checked (by the build), instead of reading it."""
        with self._lock:
            if self.preview and self._journal is None:
                self._journal_tried = True  # no journal covered its reading: look at files
            scan = self.preview and self._journal is None
            self._fingerprint = content_fingerprint(self.root) if scan else ("given",)
            self._content, self._error, self._report = content, None, None

    def invalidate(self) -> None:
        """Files were just written (by the editor): the next request must see them.

        The journal reports every write by itself. Looking at the files may not tell a save
        from the file it replaced (same size within the filesystem's time resolution, e.g. 2 s
        on FAT), so without a journal everything is read again.
        """
        with self._lock:
            if self.preview and self._journal is None:
                self._fingerprint = None
                self._memory.forget()

    def report(self) -> CheckReport:
        """The `dxportal check` findings for the current content (shown on pages in preview)."""
        site = self.get()
        with self._lock:
            if self._report is None:
                self._report = check_site(site, self.now(), cache_dir=self.cache_dir)
            return self._report

    def findings_for(self, path: Path) -> list[Finding]:
        """The report's findings about one file (found by path: a page must not scan them all)."""
        report = self.report()
        with self._lock:
            if self._findings is None or self._findings[0] is not report:
                by_path: dict[Path, list[Finding]] = {}
                for finding in report.findings:
                    by_path.setdefault(finding.problem.path, []).append(finding)
                self._findings = (report, by_path)
            return list(self._findings[1].get(path, ()))

    def _refresh(self) -> None:
        """Load the content if it is not loaded yet or (in preview) changed since it was."""
        if not self.preview:
            self._load(())
            return
        if not self._journal_tried:  # opened before the first load: no change falls between
            self._journal_tried = True
            self._journal = ChangeJournal.open(
                self.root, lambda path: affects_content(self.root, path)
            )
        if self._journal is not None:
            try:
                changed = self._journal.read()
            except JournalBroken:
                self._journal.close()
                self._journal = None  # from now on every file is looked at
            else:
                if changed.everything:
                    self._memory.forget()
                else:
                    self._memory.forget(changed.paths)
                if changed or self._fingerprint is None:
                    self._load(("journal",))
                return
        fingerprint = content_fingerprint(self.root)
        if fingerprint != self._fingerprint:
            self._memory.forget()
            self._load(fingerprint)

    def _load(self, fingerprint: tuple) -> None:
        self._fingerprint = fingerprint
        self._report = None
        try:
            self._content = load_content(
                self.root,
                include_drafts=self.preview,
                now=self.now(),
                cache_dir=self.cache_dir,
                read_pages=self._memory.read_pages if self.preview else None,
            )
            self._error = None
        except ContentError as exc:
            self._content, self._error = None, exc
        except BaseException:
            self._fingerprint = None  # not loaded: the next request reads everything again
            self._memory.forget()
            raise


def current_content() -> ContentSet:
    """The app's loaded content (raises ContentError; preview shows it as a problems page)."""
    return current_app.extensions["dxportal.store"].get()
