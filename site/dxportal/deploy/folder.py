"""``folder:PATH``: releases in versioned folders beside the web root, which is a symlink
switched atomically (a new link renamed over the old one), the last few kept, rollback to the
release that was live before. Files unchanged since the live release are hard-linked to it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from dxportal.deploy.errors import DeployError
from dxportal.deploy.listing import Listing, Outcome, compare, digest, list_folder
from dxportal.deploy.releases import (
    current_release,
    history,
    locked,
    new_release_name,
    prune,
    read_record,
    record_path,
    release_folders,
    releases_of,
    save_history,
    write_record,
)  # fmt: skip
from dxportal.messages import Message


def deploy_folder(build: Path, live: Path, keep: int, base_url: str) -> Outcome:
    """Copy ``build`` into a new release and switch ``live`` to it; prune old releases."""
    check_web_root(live)
    new = list_folder(build)
    new_digest = digest(new)
    with locked(live) as releases:
        current = current_release(live)
        old = read_record(current)["listing"] if current else {}
        if current and digest(old) == new_digest:
            return Outcome(new_digest, None)
        went_live = history(releases)
        release = releases / new_release_name(releases)
        partial = releases / f".{release.name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        copy_release(build, partial, new, current, old)
        if list_folder(partial) != new:
            shutil.rmtree(partial)
            raise DeployError(
                Message(
                    "the build in {folder} changed while it was being copied: deploy "
                    "again when no build is running",
                    folder=build,
                )  # fmt: skip
            )
        write_record(release, new_digest, base_url, new)
        partial.rename(release)
        switch(live, release)
        outcome = Outcome(new_digest, compare(old, new))
        try:
            save_history(releases, [*went_live, release.name])
            prune(releases, keep, release)
        except OSError as exc:  # the site is deployed; the bookkeeping is not
            outcome.notes.append(
                Message("warning: old releases were not pruned: {reason}", reason=exc.strerror)
            )
    return outcome


def rollback_folder(live: Path) -> Outcome:
    """Switch ``live`` back to the release that was live before the current one."""
    current = current_release(live)
    if current is None:
        raise DeployError(
            Message(
                "nothing to roll back to: no release was deployed to {live}; deploy first",
                live=live,
            )
        )
    with locked(live) as releases:
        went_live = history(releases)
        while went_live and went_live[-1] != current.name:
            went_live.pop()  # a history older than the link: trust the link
        went_live = [n for n in went_live[:-1] if n != current.name] or earlier_by_name(
            releases, current
        )
        if not went_live:
            raise DeployError(
                Message(
                    "nothing to roll back to: {live} shows the oldest kept release ({release})",
                    live=live,
                    release=current.name,
                )
            )
        previous = releases / went_live[-1]
        old, new = read_record(current)["listing"], read_record(previous)["listing"]
        switch(live, previous)
        save_history(releases, went_live)
    return Outcome(digest(new), compare(old, new))


def earlier_by_name(releases: Path, current: Path) -> list[str]:
    """Without a history (it lost track), the kept releases numbered before the live one."""
    if history(releases):
        return []
    return [r.name for r in release_folders(releases) if r.name < current.name]


def check_web_root(live: Path) -> None:
    if not live.parent.is_dir():
        raise DeployError(
            Message(
                "the folder {parent} does not exist: create it, or correct the target",
                parent=live.parent,
            )
        )
    if not os.access(live.parent, os.W_OK):
        raise DeployError(
            Message("cannot write in {parent}: deploy as a user who may", parent=live.parent)
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


__all__ = ["deploy_folder", "record_path", "releases_of", "rollback_folder"]
