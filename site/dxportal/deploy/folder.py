"""``folder:PATH``: releases in versioned folders beside the web root, which is a symlink
switched atomically (a new link renamed over the old one), the last few kept, rollback.

    /var/www/portal -> portal.releases/00003-20261202T021500Z
    /var/www/portal.releases/00003-20261202T021500Z/       the files, exactly the build
    /var/www/portal.releases/00003-20261202T021500Z.json   its digest and listing

Files unchanged since the live release are hard-linked to it, not copied.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from ..messages import Message
from .errors import DeployError
from .listing import Changes, Listing, compare, digest, list_folder


@dataclass
class Outcome:
    """What a deploy or rollback did; ``changes`` is None when the target already was it."""

    digest: str
    changes: Changes | None


def releases_of(live: Path) -> Path:
    return live.with_name(f"{live.name}.releases")


def deploy_folder(build: Path, live: Path, keep: int, base_url: str) -> Outcome:
    """Copy ``build`` into a new release and switch ``live`` to it; prune old releases."""
    check_web_root(live)
    releases = releases_of(live)
    current = current_release(live)
    old = read_record(current)["listing"] if current else {}
    new = list_folder(build)
    new_digest = digest(new)
    if current and digest(old) == new_digest:
        return Outcome(new_digest, None)
    releases.mkdir(exist_ok=True)
    name = f"{next_number(releases):05d}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}"
    partial = releases / f".{name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    copy_release(build, partial, new, current, old)
    record = {"digest": new_digest, "base_url": base_url, "deployed": time.time(), "listing": new}
    (releases / f"{name}.json").write_text(json.dumps(record), encoding="utf-8")
    partial.rename(releases / name)
    switch(live, releases / name)
    prune(releases, keep, releases / name)
    return Outcome(new_digest, compare(old, new))


def rollback_folder(live: Path) -> Outcome:
    """Switch ``live`` back to the release before the one it shows."""
    current = current_release(live)
    if current is None:
        raise DeployError(
            Message(
                "nothing to roll back to: no release was deployed to {live}; deploy first",
                live=live,
            )
        )
    kept = release_folders(releases_of(live))
    earlier = [release for release in kept if release.name < current.name]
    if not earlier:
        raise DeployError(
            Message(
                "nothing to roll back to: {live} shows the oldest kept release ({release})",
                live=live,
                release=current.name,
            )
        )
    previous = earlier[-1]
    old, new = read_record(current)["listing"], read_record(previous)["listing"]
    switch(live, previous)
    return Outcome(digest(new), compare(old, new))


def check_web_root(live: Path) -> None:
    if not live.parent.is_dir():
        raise DeployError(
            Message(
                "the folder {parent} does not exist: create it, or correct the target",
                parent=live.parent,
            )
        )
    if live.is_symlink():
        if current_release(live) is None:
            raise DeployError(
                Message(
                    "{live} is a link dxportal did not make (to {points}): remove it or "
                    "choose another web root",
                    live=live,
                    points=os.readlink(live),
                )
            )
    elif live.exists() and not (live.is_dir() and not any(live.iterdir())):
        raise DeployError(
            Message(
                "{live} is a folder or file, not a link to a release: move it away "
                "(e.g. to {live}.old) and deploy again",
                live=live,
            )
        )
    if not os.access(live.parent, os.W_OK):
        raise DeployError(
            Message("cannot write in {parent}: deploy as a user who may", parent=live.parent)
        )


def current_release(live: Path) -> Path | None:
    """The release ``live`` links to, if it is one of ours with its record."""
    if not live.is_symlink():
        return None
    target = (live.parent / os.readlink(live)).resolve()
    releases = releases_of(live).resolve()
    if target.parent != releases or not target.is_dir() or not record_path(target).is_file():
        return None
    return releases_of(live) / target.name


def record_path(release: Path) -> Path:
    return release.with_name(f"{release.name}.json")


def read_record(release: Path) -> dict:
    data = json.loads(record_path(release).read_text(encoding="utf-8"))
    data["listing"] = {path: tuple(value) for path, value in data["listing"].items()}
    return data


def release_folders(releases: Path) -> list[Path]:
    if not releases.is_dir():
        return []
    found = [
        path
        for path in releases.iterdir()
        if path.is_dir() and path.name[:5].isdigit() and record_path(path).is_file()
    ]
    return sorted(found, key=lambda path: path.name)


def next_number(releases: Path) -> int:
    numbers = [int(p.name[:5]) for p in releases.iterdir() if p.name[:5].isdigit()]
    return max(numbers, default=0) + 1


def copy_release(
    build: Path, release: Path, listing: Listing, current: Path | None, old: Listing
) -> None:
    """Copy every file of ``build``; hard-link those the current release has unchanged."""
    release.mkdir(mode=0o755)
    for relative, entry in listing.items():
        source, copy = build / relative, release / relative
        copy.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
        if current is not None and old.get(relative) == entry:
            try:
                os.link(current / relative, copy)
                continue
            except OSError:
                pass
        shutil.copy2(source, copy)


def switch(live: Path, release: Path) -> None:
    """Point ``live`` at ``release`` atomically: a new link renamed over the old one."""
    link = live.with_name(f".{live.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(release, live.parent), link)
    if live.is_dir() and not live.is_symlink():
        live.rmdir()  # an empty web root (checked): rename cannot replace a folder
    os.replace(link, live)


def prune(releases: Path, keep: int, live_release: Path) -> None:
    """Remove all but the newest ``keep`` releases (never the live one) and partial copies."""
    for leftover in releases.glob(".*.partial"):
        shutil.rmtree(leftover, ignore_errors=True)
    kept = release_folders(releases)
    for release in kept[: max(0, len(kept) - keep)]:
        if release.name != live_release.name:
            record_path(release).unlink(missing_ok=True)
            shutil.rmtree(release, ignore_errors=True)
