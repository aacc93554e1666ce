"""`dxportal deploy --status`: the digest a target records for its live site, and whether the
build folder holds the same files."""

from __future__ import annotations

from pathlib import Path

from dxportal.deploy import gitpages, rsync
from dxportal.deploy.listing import digest, list_folder
from dxportal.deploy.releases import current_release
from dxportal.deploy.target import Target


def live_digest(target: Target) -> str | None:
    """The digest of the files a target serves: computed from the files on this machine (a
    change made by hand shows), else as the last deploy recorded it (remote rsync, git)."""
    if target.kind == "folder":
        release = current_release(Path(target.location).absolute())
        return build_digest(release) if release else None
    if target.kind == "rsync":
        recorded = rsync.deployed_digest(target.location)
        if recorded and not rsync.is_remote(target.location):
            return build_digest(Path(target.location))
        return recorded
    return gitpages.deployed_digest(target.location, target.branch, target.shown)


def build_digest(folder: Path) -> str:
    return digest(list_folder(folder))
