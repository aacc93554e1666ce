"""Pending copies: a saved change waits in .newsroom/pending/ until an editor approves it.

A change is one JSON file per page and language,
.newsroom/pending/<section>/<slug>.<lang>.json, holding the proposed text, the sha256 of the
live file it was started from (``base``; '' for a new page), its state, who worked on it and who
submitted it. content/ is written only by approval (review.approve), so a build, which reads
content/ only, can never publish text that was not approved.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from dxportal.content.clock import SITE_TIMEZONE
from dxportal.editor.newsroom import ensure, write_private
from dxportal.editor.paths import page_file
from dxportal.editor.storage import Conflict, digest, read_file

PENDING_DIR = "pending"
STATES = ("draft", "review", "returned")
# The compare-then-write of two saves of one change must not interleave (threaded server).
_CHANGING = threading.Lock()


@dataclass(frozen=True)
class Change:
    section: str
    slug: str
    lang: str
    text: str
    base: str
    state: str = "draft"
    author: str = ""
    editors: tuple[str, ...] = ()
    updated_at: str = ""
    submitted_by: str = ""
    submitted_at: str = ""
    comment: str = ""
    returned_by: str = ""
    history: tuple[dict, ...] = field(default=())

    @property
    def page(self) -> str:
        return f"{self.section}/{self.slug}.{self.lang}"

    @property
    def digest(self) -> str:
        return digest(self.text)


def now_text() -> str:
    return dt.datetime.now(SITE_TIMEZONE).isoformat(timespec="seconds")


def change_path(folder: Path, content_root: Path, section: str, slug: str, lang: str) -> Path:
    page_file(content_root, section, slug, lang)  # validates every part
    return folder / PENDING_DIR / section / f"{slug}.{lang}.json"


def load_change(
    folder: Path, content_root: Path, section: str, slug: str, lang: str
) -> Change | None:
    path = change_path(folder, content_root, section, slug, lang)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    data["editors"] = tuple(data.get("editors", ()))
    data["history"] = tuple(data.get("history", ()))
    return Change(**data)


def store_change(folder: Path, content_root: Path, change: Change) -> None:
    path = change_path(folder, content_root, change.section, change.slug, change.lang)
    ensure(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(asdict(change), ensure_ascii=False, indent=1)
    write_private(path, text.encode("utf-8"))


def drop_change(folder: Path, content_root: Path, change: Change) -> None:
    change_path(folder, content_root, change.section, change.slug, change.lang).unlink(
        missing_ok=True
    )


def list_changes(folder: Path, content_root: Path) -> list[Change]:
    """Every pending change, oldest update first."""
    changes = []
    for path in sorted((folder / PENDING_DIR).glob("*/*.json")):
        slug, _, lang = path.name[: -len(".json")].rpartition(".")
        try:
            change = load_change(folder, content_root, path.parent.name, slug, lang)
        except (ValueError, TypeError, json.JSONDecodeError):
            continue
        if change is not None:
            changes.append(change)
    return sorted(changes, key=lambda c: c.updated_at)


def working_text(
    folder: Path, content_root: Path, section: str, slug: str, lang: str
) -> str | None:
    """What the editor opens: the pending text if there is a change, else the live file."""
    change = load_change(folder, content_root, section, slug, lang)
    if change is not None:
        return change.text
    return read_file(page_file(content_root, section, slug, lang))


def save_change(
    folder: Path,
    content_root: Path,
    section: str,
    slug: str,
    lang: str,
    text: str,
    opened_digest: str,
    login: str,
) -> Change:
    """Keep ``text`` as the page's pending change, if what was opened is still there.

    Raises Conflict (nothing written) when the pending text, or the live file for a page
    without a change, is not what the editor opened.
    """
    with _CHANGING:
        change = load_change(folder, content_root, section, slug, lang)
        live = read_file(page_file(content_root, section, slug, lang))
        current = change.text if change is not None else live
        if digest(current) != opened_digest:
            raise Conflict(current)
        if change is None:
            change = Change(section, slug, lang, text, digest(live), author=login)
        editors = change.editors if login in change.editors else (*change.editors, login)
        change = replace(change, text=text, editors=editors, updated_at=now_text())
        store_change(folder, content_root, change)
    return change
