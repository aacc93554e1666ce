"""The one change detector: watchdog's observer over content/ (and the templates, translations).

The preview and `dxportal build --watch` both learn of saved files here. watchdog uses inotify
on Linux (the native API elsewhere) and falls back to polling where that cannot start (e.g. the
kernel's inotify limits are reached).

An observer is asynchronous: an event reaches the handler on watchdog's threads some time after
the save. The preview promises that a request made right after a save shows it, so ``take``
can first wait for the observer to catch up: it creates a marker file in the first folder and
waits until the handler sees it. The kernel queues events of one watch in order and watchdog
hands them on in order, so once the marker is seen every change made before it was too. The
wait is bounded (SYNC_TIMEOUT); when the observer cannot vouch for the changes (it timed out,
the first folder was replaced or deleted, the observer just started) ``take`` says that
anything may have changed, and the caller reads everything again.

Not reported, as with inotify itself: writes through a symbolic link's target outside the
folders, through hard links from elsewhere or through mmap, and changes made by another
machine on a network filesystem (watchdog's polling observer sees those).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

SYNC_TIMEOUT = 2.0  # seconds; reached only when the observer is stuck or polling slowly
POLL_SECONDS = 0.5  # the polling observer's interval (only where inotify cannot be used)
MARKER_PREFIX = ".dxportal-sync-"
# Reads produce "opened"/"closed_no_write" events on Linux: only changes count.
CHANGE_EVENTS = {"created", "modified", "deleted", "moved", "closed", "attrib"}
# Editor swap files, backups and what dxportal writes itself (compiled catalogs, temporaries).
IGNORED_SUFFIXES = (".mo", ".tmp", ".swp", ".swx", "~", ".pyc")
log = logging.getLogger(__name__)
# watchdog 7.1 warns, on its own thread, when a new folder tree (mkdir -p, the editor's
# .history/) is watched twice over by a race it has with itself: the second watch is the same.
warnings.filterwarnings(
    "ignore", message="Callback with id .* already exists", category=RuntimeWarning
)


@dataclass
class Changes:
    """What changed since the last look: files, or ``everything`` (folders, or unknown)."""

    paths: set[Path] = field(default_factory=set)
    everything: bool = False

    def __bool__(self) -> bool:
        return self.everything or bool(self.paths)


def ignored(path: Path) -> bool:
    """Hidden files, swap and backup files, compiled catalogs: never a change worth a reload."""
    return path.name.startswith(".") or path.name.endswith(IGNORED_SUFFIXES)


def native_observer() -> BaseObserver:
    """The platform's observer (inotify on Linux); tests replace it to try the fallback."""
    return Observer()


def identity(folder: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(folder)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


class FolderWatch:
    """Watches ``folders`` (recursively) from the first call to ``take`` or ``start`` on.

    Changes to files are collected until ``take`` hands them over; ``subscribe`` adds a
    function called (on the observer's thread) with each changed path as it arrives.
    Markers for ``take(sync=True)`` are made in the first folder.
    """

    def __init__(self, folders: Sequence[Path]) -> None:
        self.folders = [Path(f).absolute() for f in folders]
        self.root = self.folders[0]
        self.polling = False
        self._state = threading.Condition()
        self._paths: set[Path] = set()
        self._everything = True  # nothing is known before the observer runs
        self._last_change = 0.0
        self._marker_seen = 0
        self._marker_made = 0
        self._root_id: tuple[int, int] | None = None
        self._observer: BaseObserver | None = None
        self._listeners: list[Callable[[Path], None]] = []
        self._take_lock = threading.Lock()

    def subscribe(self, listener: Callable[[Path], None]) -> None:
        self._listeners.append(listener)

    @property
    def running(self) -> bool:
        return self._observer is not None

    def start(self) -> FolderWatch:
        """Start observing (again); from now on every change is reported."""
        self.stop()
        with self._state:
            self._everything = True  # what happened while nobody watched is unknown
        self._root_id = identity(self.root)
        try:
            self._observer = self._started(native_observer())
            self.polling = False
        except OSError as exc:  # inotify limits reached: look at the files instead
            log.warning("watching %s by polling (%s)", self.root, exc)
            self._observer = self._started(PollingObserver(timeout=POLL_SECONDS))
            self.polling = True
        return self

    def _started(self, observer: BaseObserver) -> BaseObserver:
        handler = _Handler(self)
        try:
            for folder in self.folders:
                if folder.is_dir():
                    observer.schedule(handler, str(folder), recursive=True)
            observer.daemon = True
            observer.start()
        except BaseException:
            observer.stop()
            raise
        return observer

    def stop(self) -> None:
        observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()
            if observer.is_alive() and observer is not threading.current_thread():
                observer.join(5)

    def take(self, sync: bool = False, timeout: float = SYNC_TIMEOUT) -> Changes:
        """The changes since the last ``take``. With ``sync``, every change made to the first
        folder before this call is among them, or ``everything`` is set."""
        with self._take_lock:
            caught_up = True
            if not self.running or identity(self.root) != self._root_id:
                self.start()  # the first look, or the folder was replaced or deleted
            elif sync:
                caught_up = self._catch_up(timeout)
            with self._state:
                changes = Changes(self._paths, self._everything or not caught_up)
                self._paths, self._everything = set(), False
            return changes

    def wait(self, timeout: float | None = None, quiet: float = 0.0) -> bool:
        """Wait until something changed, then until nothing more did for ``quiet`` seconds
        (a save is several events: debounce). False if nothing changed within ``timeout``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._state:
            while not (self._paths or self._everything):
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._state.wait(left)
            while (calm := self._last_change + quiet - time.monotonic()) > 0:
                self._state.wait(calm)
            return True

    def _catch_up(self, timeout: float) -> bool:
        """Make a marker and wait until the observer has seen it (see the module's docstring)."""
        self._marker_made += 1
        number = self._marker_made
        marker = self.root / f"{MARKER_PREFIX}{os.getpid()}-{number}"
        try:
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except OSError:
            return False
        try:
            with self._state:
                return self._state.wait_for(lambda: self._marker_seen >= number, timeout)
        finally:
            marker.unlink(missing_ok=True)

    def note(self, event: FileSystemEvent) -> None:
        """An event from the observer (its thread)."""
        if event.event_type not in CHANGE_EVENTS:
            return
        paths = [Path(os.fsdecode(p)) for p in (event.src_path, event.dest_path) if p]
        own = f"{MARKER_PREFIX}{os.getpid()}-"
        noted = []
        with self._state:
            for path in paths:
                if path.name.startswith(MARKER_PREFIX):
                    if event.event_type == "created" and path.name.startswith(own):
                        number = int(path.name[len(own) :])
                        self._marker_seen = max(self._marker_seen, number)
                        self._state.notify_all()
                    continue
                if event.is_directory:  # created, deleted or moved: anything may have changed
                    moved = event.event_type not in ("modified", "attrib")
                    if moved and (path == self.root or not self._hidden(path)):
                        self._everything = True
                        noted.append(path)
                    continue
                if not ignored(path) and not self._hidden(path):
                    self._paths.add(path)
                    noted.append(path)
            if noted:
                self._last_change = time.monotonic()
                self._state.notify_all()
        for path in noted:
            for listener in self._listeners:
                listener(path)

    def _hidden(self, path: Path) -> bool:
        """Whether ``path`` is inside a hidden folder of a watched folder (.history, .git)."""
        for folder in self.folders:
            if path.is_relative_to(folder):
                return any(part.startswith(".") for part in path.relative_to(folder).parts)
        return False


class _Handler(FileSystemEventHandler):
    def __init__(self, watch: FolderWatch) -> None:
        self.watch = watch

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.watch.note(event)
