"""Who is editing a page: an expiring lock, so a second person sees who and since when.

Opening a page in the editor takes its lock, or renews one's own, for LOCK_MINUTES; so does a
save. Someone else opening the page meanwhile sees who holds it and since when, and may take
it over (recorded). A lock only informs: if two people save anyway, the sha256 conflict
refusal still keeps both texts.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from dxportal.content.clock import SITE_TIMEZONE
from dxportal.editor.accounts import User
from dxportal.editor.newsroom import ensure, write_private
from dxportal.editor.paths import page_file

LOCKS_DIR = "locks"
LOCK_MINUTES = 30


@dataclass(frozen=True)
class Lock:
    login: str
    name: str
    since: str
    renewed: str

    def expired(self, now: dt.datetime) -> bool:
        renewed = dt.datetime.fromisoformat(self.renewed)
        return now - renewed > dt.timedelta(minutes=LOCK_MINUTES)

    @property
    def since_time(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.since)


def now() -> dt.datetime:
    return dt.datetime.now(SITE_TIMEZONE)


def lock_path(folder: Path, root: Path, section: str, slug: str, lang: str) -> Path:
    page_file(root, section, slug, lang)  # validates every part
    return folder / LOCKS_DIR / section / f"{slug}.{lang}.json"


def current_lock(folder: Path, root: Path, section: str, slug: str, lang: str) -> Lock | None:
    """The page's live lock, or None (none, expired, or unreadable)."""
    try:
        data = json.loads(lock_path(folder, root, section, slug, lang).read_text("utf-8"))
        lock = Lock(**data)
        return None if lock.expired(now()) else lock
    except (FileNotFoundError, ValueError, TypeError):
        return None


def write_lock(folder: Path, root: Path, section: str, slug: str, lang: str, lock: Lock) -> None:
    path = lock_path(ensure(folder), root, section, slug, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, json.dumps(asdict(lock), ensure_ascii=False).encode("utf-8"))


def hold(folder: Path, root: Path, section: str, slug: str, lang: str, user: User) -> Lock | None:
    """Take or renew ``user``'s lock; if someone else holds a live one, leave it and return it."""
    lock = current_lock(folder, root, section, slug, lang)
    if lock is not None and lock.login != user.login:
        return lock
    moment = now().isoformat(timespec="seconds")
    since = lock.since if lock is not None else moment
    write_lock(folder, root, section, slug, lang, Lock(user.login, user.name, since, moment))
    return None


def take_over(
    folder: Path, root: Path, section: str, slug: str, lang: str, user: User
) -> Lock | None:
    """Make ``user`` the holder whoever held it; the previous live lock, if any."""
    previous = current_lock(folder, root, section, slug, lang)
    moment = now().isoformat(timespec="seconds")
    write_lock(folder, root, section, slug, lang, Lock(user.login, user.name, moment, moment))
    return previous
