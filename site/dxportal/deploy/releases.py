"""The releases beside a ``folder:`` web root: numbered folders, each with a record (digest,
address, file listing), the order in which they went live, and a lock against two deploys
at once.

    /var/www/portal.releases/00003-20261202T021500Z/       the files, exactly the build
    /var/www/portal.releases/00003-20261202T021500Z.json   its record
    /var/www/portal.releases/history.json                  releases in the order they went live
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from dxportal import atomic
from dxportal.deploy.errors import DeployError
from dxportal.deploy.listing import Listing
from dxportal.messages import Message

HISTORY = "history.json"


def releases_of(live: Path) -> Path:
    return live.with_name(f"{live.name}.releases")


@contextlib.contextmanager
def locked(live: Path) -> Iterator[Path]:
    """Hold the releases folder's lock (created if needed); refuse if another deploy has it."""
    releases = releases_of(live)
    releases.mkdir(exist_ok=True)
    with (releases / ".lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DeployError(
                Message(
                    "another deploy to {live} is running: try again when it has finished",
                    live=live,
                )
            ) from None
        yield releases


def current_release(live: Path) -> Path | None:
    """The release ``live`` links to, if it is one of ours with its record."""
    if not live.is_symlink():
        return None
    target = (live.parent / os.readlink(live)).resolve()
    releases = releases_of(live)
    if not releases.is_dir() or target.parent != releases.resolve():
        return None
    release = releases / target.name
    return release if release.is_dir() and record_path(release).is_file() else None


def record_path(release: Path) -> Path:
    return release.with_name(f"{release.name}.json")


def read_record(release: Path) -> dict:
    data = json.loads(record_path(release).read_text(encoding="utf-8"))
    data["listing"] = {path: tuple(value) for path, value in data["listing"].items()}
    return data


def write_record(release: Path, digest: str, base_url: str, listing: Listing) -> None:
    record = {"digest": digest, "base_url": base_url, "deployed": time.time(), "listing": listing}
    write_atomically(record_path(release), json.dumps(record))


def write_atomically(path: Path, text: str) -> None:
    atomic.write_text(path, text)


def release_folders(releases: Path) -> list[Path]:
    """Complete releases (with a record), oldest first."""
    if not releases.is_dir():
        return []
    found = [
        path
        for path in releases.iterdir()
        if path.name[:5].isdigit() and path.is_dir() and record_path(path).is_file()
    ]
    return sorted(found, key=lambda path: path.name)


def new_release_name(releases: Path) -> str:
    numbers = [int(path.name[:5]) for path in releases.iterdir() if path.name[:5].isdigit()]
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return f"{max(numbers, default=0) + 1:05d}-{stamp}"


def history(releases: Path) -> list[str]:
    """Names of the releases that went live, in order, the ones since removed left out."""
    try:
        names = json.loads((releases / HISTORY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        names = [release.name for release in release_folders(releases)]
    kept = {release.name for release in release_folders(releases)}
    return [name for name in names if name in kept]


def save_history(releases: Path, names: list[str]) -> None:
    write_atomically(releases / HISTORY, json.dumps(names[-100:]))


def prune(releases: Path, keep: int, live_release: Path) -> None:
    """Remove all but the newest ``keep`` releases (never the live one) and partial copies."""
    for leftover in releases.glob(".*.partial"):
        shutil.rmtree(leftover, ignore_errors=True)
    kept = release_folders(releases)
    for release in kept[: max(0, len(kept) - keep)]:
        if release.name != live_release.name:
            record_path(release).unlink(missing_ok=True)
            shutil.rmtree(release, ignore_errors=True)
