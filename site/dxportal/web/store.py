"""Holds the loaded content; in preview mode re-reads what changed under content/.

The preview learns of changes from the app's FolderWatch (watching.py: watchdog), asked once
per request after it has caught up with every save made before the request (a marker file it
must have seen); only the files it names are read again.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
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
from dxportal.watching import FolderWatch


def affects_content(root: Path, path: Path) -> bool:
    """Whether the loader reads ``path`` (a file under ``root``): pages, settings, tags, media."""
    if not path.is_relative_to(root):
        return False  # a template or a catalog, watched for the live reload
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

    @property
    def pending(self) -> bool:
        """Whether the next load reads any file."""
        return self._files is None or bool(self._changed)

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
        # In preview: what tells the store of changes (live_reload.init_app gives the app's).
        self.watch: FolderWatch | None = None
        self._report: CheckReport | None = None
        self._findings: tuple[CheckReport, dict[Path, list[Finding]]] | None = None
        self._lock = threading.Lock()
        self._loaded = False
        self._content: ContentSet | None = None
        self._error: ContentError | None = None
        self._checked_for: object = None  # the request the files were last looked at for
        self._memory = PageMemory(self.root, cache_dir)

    def get(self) -> ContentSet:
        """Return the content, raising ContentError if it has problems.

        In preview, changes are looked for once per request (a page asks for the content
        several times; each look waits for the observer to catch up).
        """
        with self._lock:
            if not self._loaded or self.preview:
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
            self._loaded = True
            self._content, self._error, self._report = content, None, None

    def invalidate(self) -> None:
        """Files were just written (by the editor): the next request must show them.

        With inotify the watch reports them, and the next request waits until it has. A
        polling observer may take a poll to see them (or, on a coarse clock, not tell a save
        from the file it replaced): then everything is read again.
        """
        with self._lock:
            if self.preview and (self.watch is None or self.watch.polling):
                self._memory.forget()
                self._loaded = False

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
            self._load()
            return
        if self.watch is None:
            self.watch = FolderWatch([self.root])
        if not self.watch.running:  # an app no longer used stops watching
            weakref.finalize(self, stop_later, self.watch)
        # Started before the first load: no change falls between the two.
        changes = self.watch.take(sync=True)
        if changes.everything:
            self._memory.forget()
        else:
            absolute = self.watch.root
            self._memory.forget(
                self.root / path.relative_to(absolute)
                for path in changes.paths
                if affects_content(absolute, path)
            )
        if changes.everything or self._memory.pending or not self._loaded:
            self._load()

    def _load(self) -> None:
        self._loaded = True
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
            self._loaded = False  # not loaded: the next request reads everything again
            self._memory.forget()
            raise


def stop_later(watch: FolderWatch) -> None:
    """Stop ``watch`` from another thread (a collection may run on one of the observer's)."""
    threading.Thread(target=watch.stop, name="stop-watch", daemon=True).start()


def current_content() -> ContentSet:
    """The app's loaded content (raises ContentError; preview shows it as a problems page)."""
    return current_app.extensions["dxportal.store"].get()
