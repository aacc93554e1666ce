"""Saving pages without losing a word: atomic writes, a history per page, conflict detection.

A save replaces content/<section>/<slug>.<lang>.md through a temporary file and os.replace, so
readers see the old file or the new one, never half of one. The version it replaces is first
copied to content/.history/<section>/<slug>.<lang>/<UTC time>.md (a folder git ignores and the
site never reads). The form carries the sha256 of the file as it was opened; if the file has
changed since, the save is refused and both versions are shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from dxportal import atomic
from dxportal.editor.paths import HISTORY_DIR, history_file, history_folder, page_file

# The server is threaded: the compare-then-replace of two saves must not interleave.
_SAVING = threading.Lock()


class Conflict(Exception):
    """The file changed on disk since the editor opened it; ``current`` is what is there now."""

    def __init__(self, current: str | None):
        self.current = current
        super().__init__("the file changed since it was opened")


@dataclass(frozen=True)
class Version:
    """An earlier version of a page, kept in the history folder."""

    name: str
    saved_at: dt.datetime
    size: int


def digest(text: str | None) -> str:
    """The sha256 of a file's text ('' for a file that does not exist)."""
    return "" if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_file(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` through a temporary file (see dxportal.atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(path, text)


def save_page(
    root: Path, section: str, slug: str, lang: str, text: str, opened_digest: str
) -> Path:
    """Write the page if it is still as it was opened (``opened_digest``; '' for a new page).

    Raises Conflict (nothing written) if the file on disk is not the one the editor opened.
    """
    path = page_file(root, section, slug, lang)
    with _SAVING:
        current = read_file(path)
        if digest(current) != opened_digest:
            raise Conflict(current)
        if current is not None:
            if current == text:
                return path
            keep_version(root, section, slug, lang, current)
        write_atomically(path, text)
    return path


def keep_version(root: Path, section: str, slug: str, lang: str, text: str) -> Path:
    """Copy ``text`` into the page's history folder under a new, unique name."""
    folder = history_folder(root, section, slug, lang)
    folder.mkdir(parents=True, exist_ok=True)
    ignore = Path(root) / HISTORY_DIR / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Earlier versions kept by the editor: not part of the site.\n*\n")
    moment = dt.datetime.now(dt.UTC)
    while True:
        name = moment.strftime("%Y%m%dT%H%M%S.%fZ") + ".md"
        try:
            with (folder / name).open("x", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            return folder / name
        except FileExistsError:
            moment += dt.timedelta(microseconds=1)


def list_versions(root: Path, section: str, slug: str, lang: str) -> list[Version]:
    """The page's earlier versions, newest first."""
    folder = history_folder(root, section, slug, lang)
    versions = []
    for path in folder.glob("*.md") if folder.is_dir() else []:
        try:
            history_file(root, section, slug, lang, path.name)
        except ValueError:
            continue
        saved = dt.datetime.strptime(path.name[:-3], "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=dt.UTC)
        versions.append(Version(path.name, saved, path.stat().st_size))
    return sorted(versions, key=lambda v: v.name, reverse=True)


def read_version(root: Path, section: str, slug: str, lang: str, name: str) -> str | None:
    return read_file(history_file(root, section, slug, lang, name))
