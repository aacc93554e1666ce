"""Remove what an earlier build left in its folder that this build does not produce.

A build starts from the folder of the build before last (destination.take_spare). Listing its
thousands of folders to find leftovers costs more than rendering an edited article, so the
build record also keeps the modification time of every folder that holds a file it wrote,
taken when the folder was complete (``folder_times``). Adding or removing an entry changes a
folder's modification time, so a folder whose time is the recorded one holds exactly the
recorded files: only the other folders (something else wrote there) are listed. A folder
changed within SETTLE_NS of the stamp could change again unseen within one tick of the file
system's clock; its stamp is not kept, so it is listed next time.

The next stamps are the times seen before this build wrote anything (``changed_folders``):
a folder this build wrote to or removed from gets none (it is listed next time), so nothing
written meanwhile by something else is ever taken for this build's own work.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import time
from collections.abc import Iterable
from pathlib import Path

from dxportal.content.parse_cache import SETTLE_NS

ROOT = ""  # the build folder itself: always listed (renaming it may not change its time)


def parent_of(relative: str) -> str:
    return relative.rpartition("/")[0]


def folder_times(
    folder: Path, relatives: Iterable[str], settled_ns: int | None = None
) -> dict[str, int | None]:
    """{each of ``relatives`` (folders): its modification time, or None if it is not a folder
    or changed after ``settled_ns`` (default: SETTLE_NS ago; it could change again unseen
    within a clock tick)}."""
    settled_ns = time.time_ns() - SETTLE_NS if settled_ns is None else settled_ns
    times: dict[str, int | None] = {}
    base = str(folder)
    for relative in relatives:
        try:
            st = os.lstat(f"{base}/{relative}" if relative else base)
        except OSError:
            times[relative] = None
            continue
        settled = stat.S_ISDIR(st.st_mode) and st.st_mtime_ns <= settled_ns
        times[relative] = st.st_mtime_ns if settled else None
    return times


def changed_folders(
    folder: Path, stamps: dict[str, int | None]
) -> tuple[set[str], dict[str, int | None]]:
    """The folders whose modification time is not the recorded one (the root folder always;
    every folder without stamps), and the time each has now (``folder_times``)."""
    if not stamps:  # unknown (a record without them): every folder is listed
        start = len(str(folder)) + 1  # "" (ROOT) for the folder itself
        return {path[start:] for path, _, _ in os.walk(folder)}, {}
    seen = folder_times(folder, stamps)
    return {ROOT} | {r for r, stamp in stamps.items() if stamp is None or seen[r] != stamp}, seen


def folders_of(files: Iterable[str]) -> set[str]:
    """Every folder holding one of ``files`` (relative paths), and every folder above it."""
    found: set[str] = set()
    for relative in files:
        parent = parent_of(relative)
        while parent and parent not in found:
            found.add(parent)
            parent = parent_of(parent)
    return found


def remove_leftovers(
    folder: Path,
    keep: set[str],
    recorded: Iterable[str],
    changed: set[str],
    kept_folders: tuple[str, ...] = (),
) -> set[str]:
    """Delete the recorded files not in ``keep``, unknown entries of the ``changed`` folders
    (listed before this build wrote anything) and the folders this leaves empty.

    ``kept_folders`` (``"vi/search/data/"``…) belong to a later step: they are left alone.
    Returns the folders something was removed from.
    """
    base = str(folder)
    emptied: set[str] = set()
    for relative in recorded:
        if relative not in keep:
            with contextlib.suppress(OSError):  # already gone
                os.unlink(f"{base}/{relative}")
            emptied.add(parent_of(relative))
    expected = expected_entries(keep, changed)
    for relative in changed:
        path = f"{base}/{relative}" if relative else base
        try:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                continue
            entries = list(os.scandir(path))
        except OSError:
            continue
        prefix = f"{relative}/" if relative else ""
        for entry in entries:
            if entry.name in expected[relative] or f"{prefix}{entry.name}/".startswith(
                kept_folders
            ):
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
            emptied.add(relative)
    remove_empty_folders(folder, emptied, kept_folders)
    return emptied | folders_of(f"{relative}/-" for relative in emptied if relative)


def expected_entries(keep: Iterable[str], folders: set[str]) -> dict[str, set[str]]:
    """For each of ``folders``, the names in it that lead to a file of ``keep``."""
    expected: dict[str, set[str]] = {relative: set() for relative in folders}
    for relative in keep:
        name = relative
        while name:
            parent, _, child = name.rpartition("/")
            if parent in expected:
                expected[parent].add(child)
            name = parent
    return expected


def remove_empty_folders(folder: Path, candidates: set[str], kept_folders: tuple[str, ...]) -> None:
    """Remove each candidate folder (never the root) that is empty, then its empty parents."""
    base = str(folder)
    for relative in sorted(candidates, key=lambda r: r.count("/"), reverse=True):
        while relative and not f"{relative}/".startswith(kept_folders):
            try:
                os.rmdir(f"{base}/{relative}")
            except OSError:  # not empty (or gone)
                break
            relative = parent_of(relative)
