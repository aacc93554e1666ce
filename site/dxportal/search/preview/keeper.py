"""The preview's index kept up to date in the background, so no search waits for it.

`dxportal serve` starts an IndexKeeper: a thread that builds the index when there is none
(each language written by a forked process, aside, then swapped in; index.build_index) or
updates it document by document (index.update_index), at start and whenever the content
changes (it looks every POLL_SECONDS, and at once when a search finds the index behind
or `dxportal serve`'s watch reports a change). The
request path only reads: it searches the index of ``ready`` (the fingerprint of the last
complete index), or, while there is none, answers with the "preparing" page and ``percent``.

An update writes in place (a new Whoosh segment); searchers opened before it keep the
segments they read. The engine opens the index again only once ``ready`` changes, that is
after the update is complete, its lengths.json included.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from dxportal.content.errors import ContentError
from dxportal.content.model import ContentSet
from dxportal.progress import Report, silent
from dxportal.rendering import Renderer
from dxportal.search.preview.index import (
    build_index,
    content_fingerprint,
    index_is_current,
    read_fingerprint,
    update_index,
)
from dxportal.web.store import ContentStore

POLL_SECONDS = 5.0  # besides: `dxportal serve` pokes it on every change its watch reports,
# and a search that finds the index behind pokes it too
RETRY_SECONDS = 30.0  # after a failed build
log = logging.getLogger(__name__)


class IndexKeeper:
    """Builds and updates the index in ``folder`` from ``store`` in a daemon thread."""

    def __init__(self, folder: Path, store: ContentStore, renderer: Renderer,
                 progress: Report = silent, processes: int = 2) -> None:  # fmt: skip
        self.folder = Path(folder)
        self.store = store
        self.renderer = renderer
        self.progress = progress
        self.processes = processes
        self.ready: str | None = read_fingerprint(self.folder) if index_is_current(folder) else None
        self.building = False
        self.done, self.total = 0, 0
        self.error: BaseException | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Condition()
        self._seen: tuple[int, str] = (0, "")
        self.thread = threading.Thread(target=self._run, name="search-index", daemon=True)

    def start(self) -> IndexKeeper:
        self.thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self._wake.set()
        self.thread.join(timeout)

    def poke(self) -> None:
        """Look at the content now (a search found the index behind it)."""
        self._wake.set()

    @property
    def percent(self) -> int:
        """How far the current build is, 0 to 99 (100 only once it is ready)."""
        if not self.building or not self.total:
            return 0
        return min(99, 100 * self.done // self.total)

    def wait_until_current(self, timeout: float) -> bool:
        """Wait until the index is built from the store's current content (tests, bench)."""
        with self._idle:
            return self._idle.wait_for(self._is_current, timeout)

    def _is_current(self) -> bool:
        try:
            site = self.store.get()
        except ContentError:
            return not self.building
        return not self.building and self.ready == self.fingerprint(site)

    def fingerprint(self, site: ContentSet) -> str:
        if self._seen[0] != id(site):
            self._seen = (id(site), content_fingerprint(site))
        return self._seen[1]

    def _report(self, stage: str, done: int, total: int) -> None:
        self.done, self.total = done, total
        self.progress(stage, done, total)

    def _run(self) -> None:
        while not self._stop.is_set():
            delay = POLL_SECONDS
            try:
                site = self.store.get()
            except ContentError:
                site = None  # the preview shows the problems; the index waits for a fix
            behind = site is not None and self.fingerprint(site) != self.ready
            if behind and not self._bring_up_to_date(site):
                delay = RETRY_SECONDS
            with self._idle:
                self._idle.notify_all()
            self._wake.wait(delay)
            self._wake.clear()

    def _bring_up_to_date(self, site: ContentSet) -> bool:
        self.building, self.done, self.total = True, 0, 0
        try:
            if index_is_current(self.folder):
                fingerprint = update_index(site, self.folder, self.renderer, self._report,
                                           self.processes)  # fmt: skip
            else:
                fingerprint = build_index(site, self.folder, self.renderer, self._report,
                                          self.processes)  # fmt: skip
        except Exception as exc:  # kept for the page; the server goes on with the old index
            log.exception("the search index could not be built")
            self.error = exc
            return False
        finally:
            self.building = False
        self.error = None
        self.ready = fingerprint
        return True
