"""Where a build is written: a staging folder beside the destination, swapped in whole; the
replaced build kept as a spare (in the cache folder) that the next build starts from.

The first build has no replaced build to keep: it leaves a copy of itself made of hard links
(``link_copy``), so the build after it renders only what changed too. A file of a build is
therefore never changed in place, only replaced (atomic.replace_bytes): the spare and the live
build share the files they have in common.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from dxportal.build.record import BuildRecord
from dxportal.cache import hash_text
from dxportal.config import PROJECT_ROOT


class BuildError(Exception):
    """The build was refused or failed; the message says why."""


def check_destination(destination: Path, content_dir: Path) -> None:
    """Refuse folders whose replacement would lose work: /, home, the project, content/.

    The destination is replaced as a whole, so it must be new, empty or an earlier build.
    """
    forbidden = {Path("/"), Path.home().resolve(), content_dir, content_dir.parent, PROJECT_ROOT}
    if (
        destination in forbidden
        or content_dir.is_relative_to(destination)
        or PROJECT_ROOT.is_relative_to(destination)
        or destination.is_relative_to(content_dir)
    ):
        raise BuildError(
            f"refusing to build into {destination}: it holds content or the project; "
            "choose an empty folder such as build/"
        )
    if destination.exists() and not destination.is_dir():
        raise BuildError(f"{destination} exists and is not a folder")
    if destination.is_dir() and any(destination.iterdir()) and not looks_built(destination):
        raise BuildError(
            f"refusing to build into {destination}: it is not empty and is not an earlier "
            "build (no index.html and sitemap.xml); choose an empty folder such as build/"
        )


def looks_built(folder: Path) -> bool:
    return (folder / "index.html").is_file() and (folder / "sitemap.xml").is_file()


def staging_folder(destination: Path) -> Path:
    """Where this process writes a build before swapping it in: beside the destination."""
    return destination.with_name(f".{destination.name}.new-{os.getpid()}")


def remove_abandoned(destination: Path, spare: Path) -> list[Path]:
    """Remove the staging folders and half-made spare copies left by builds that were killed
    (SIGKILL, a power cut): those named after a process that runs no more. Returned."""
    removed = []
    for folder, prefix in ((destination.parent, f".{destination.name}.new-"),
                           (spare.parent, f"{spare.name}.linking-")):  # fmt: skip
        for path in folder.glob(f"{prefix}*"):
            pid = path.name[len(prefix) :]
            if pid.isdigit() and int(pid) != os.getpid() and not process_runs(int(pid)):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def process_runs(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def spare_folder(destination: Path, cache_dir: Path | None) -> Path:
    """Where the build replaced by the next one is kept: in the cache folder (so that a build
    after deleting build/ still starts from it), or beside the destination without one or
    when the cache is on another file system (folders are moved, never copied)."""
    beside = destination.with_name(f".{destination.name}.spare")
    if cache_dir is None:
        return beside
    spares = Path(cache_dir).resolve() / "spares"
    spares.mkdir(parents=True, exist_ok=True)
    if spares.stat().st_dev != destination.parent.stat().st_dev:
        return beside
    return spares / hash_text(str(destination))[:16]


def remove_unused_spare(destination: Path, spare: Path) -> None:
    """Remove a build kept beside the destination when the spare is now kept elsewhere (a
    cache folder was set up, or moved to this file system): a whole copy of the site that
    no build would use again."""
    beside = destination.with_name(f".{destination.name}.spare")
    if spare != beside and not beside.is_symlink() and beside.is_dir() and looks_built(beside):
        shutil.rmtree(beside, ignore_errors=True)


def take_spare(spare: Path, staging: Path, cache_dir: Path | None) -> BuildRecord | None:
    """Start the new build from the build before the current one, if it was kept.

    Creating and deleting thousands of folders costs more than rendering on many file
    systems, so the replaced build is kept in the cache folder (``spare_folder``) and
    updated in place next time: only files whose inputs changed are rendered again, only
    files whose bytes changed are written, and files no longer produced are removed.
    Returns its record (empty if unknown: everything is rendered), or None for a new folder.
    """
    if spare.is_symlink() or not spare.is_dir() or not looks_built(spare):
        return None
    record = BuildRecord.load(cache_dir, spare) or BuildRecord()
    BuildRecord().save(cache_dir, spare)  # from here on, the spare is being changed
    try:
        spare.rename(staging)
    except OSError:  # another build took it, or it is on another file system
        return None
    return record


def swap_in(staging: Path, destination: Path, spare: Path | None = None) -> bool:
    """Put ``staging`` in place of ``destination``; keep the replaced build as ``spare``.

    Returns True if the replaced build is now ``spare``.
    """
    previous = destination.with_name(f".{destination.name}.old-{os.getpid()}")
    if destination.exists():
        destination.rename(previous)
    staging.rename(destination)
    kept = False
    if spare is not None and previous.exists() and not spare.exists():
        with contextlib.suppress(OSError):  # taken meanwhile: the next build starts anew
            previous.rename(spare)
            kept = True
    shutil.rmtree(previous, ignore_errors=True)
    return kept


def link_copy(source: Path, target: Path) -> bool:
    """Make ``target`` (which must not exist) a copy of ``source`` made of hard links: one
    link a file, no bytes copied. False, with nothing left behind, where links fail.

    Each folder of the copy is given its source folder's modification time once filled, so
    the build record's folder stamps (leftovers.py) hold for the copy too: the next build
    lists none of its folders. Anything written there later sets a new time, as before.
    """
    partial = target.with_name(f"{target.name}.linking-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        os.mkdir(partial)
        pending = [(os.fspath(source), os.fspath(partial))]
        while pending:
            here, there = pending.pop()
            with os.scandir(here) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        os.mkdir(f"{there}/{entry.name}")
                        pending.append((entry.path, f"{there}/{entry.name}"))
                    else:
                        os.link(entry.path, f"{there}/{entry.name}", follow_symlinks=False)
            st = os.lstat(here)
            os.utime(there, ns=(st.st_atime_ns, st.st_mtime_ns))
        partial.rename(target)
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)
        return False
    return True
