"""The small manifest a successful build writes, and reading it back before a deploy.

The build writes ``dxportal-build.json`` last, in the staging folder that is swapped in only
when complete, so its presence means a finished build that passed `dxportal check`. It holds
what the deploy must not take from configuration: the public address the pages were built
with, and the number and total size of the other files (a partly copied folder is caught).
Its bytes depend only on the build's output, so an incremental build equals a clean one.

The build knows the size of every file it leaves (its record, build/record.py), so it sums
those instead of walking the folder (thousands of folders, a third of a second at 5,000
articles). A wrong sum is never shipped: ``read_build``, which every deploy starts with, walks
the folder and refuses a build whose files or bytes are not the manifest's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dxportal.atomic import replace_bytes
from dxportal.deploy.errors import DeployError
from dxportal.deploy.listing import walk_files
from dxportal.messages import Message

MANIFEST_NAME = "dxportal-build.json"
GENERATOR = "dxportal"
FORMAT = 1


@dataclass(frozen=True)
class BuildInfo:
    """What the manifest says about a build folder."""

    folder: Path
    base_url: str
    files: int
    bytes: int
    largest: int


def folder_totals(folder: Path) -> tuple[int, int, int]:
    """Files, total bytes and largest file size under ``folder``, the manifest left out."""
    manifest = str(folder / MANIFEST_NAME)
    return size_totals(
        entry.stat(follow_symlinks=False).st_size
        for entry in walk_files(folder)
        if entry.path != manifest
    )


def size_totals(sizes: Iterable[int]) -> tuple[int, int, int]:
    """Files, total bytes and largest size of files of these ``sizes``."""
    files = total = largest = 0
    for size in sizes:
        files, total, largest = files + 1, total + size, max(largest, size)
    return files, total, largest


def write_manifest(folder: Path, base_url: str, sizes: Iterable[int] | None = None) -> None:
    """Write the manifest of the finished build in ``folder`` (only if its bytes change).

    ``sizes``: of every file of the build but the manifest, if the caller knows them; else
    the folder is walked.
    """
    files, total, largest = folder_totals(folder) if sizes is None else size_totals(sizes)
    data = {
        "generator": GENERATOR,
        "format": FORMAT,
        "base_url": base_url,
        "files": files,
        "bytes": total,
        "largest_file": largest,
    }
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    path = folder / MANIFEST_NAME
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        replace_bytes(path, text.encode("utf-8"))  # never in place: see build/destination.py


def read_build(folder: Path) -> BuildInfo:
    """The build in ``folder``, checked complete; DeployError if it is not a dxportal build."""
    if not folder.is_dir():
        raise DeployError(
            Message(
                "there is no build in {folder}: run dxportal build first "
                "(nothing is deployed after a failed build)",
                folder=folder,
            )
        )
    try:
        data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        if data.get("generator") != GENERATOR or data.get("format") != FORMAT:
            raise ValueError
        info = BuildInfo(
            folder, str(data["base_url"]), int(data["files"]), int(data["bytes"]),
            int(data["largest_file"]),
        )  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise DeployError(
            Message(
                "{folder} is not a dxportal build (no valid {manifest}): build it with "
                "dxportal build, or give the build folder with --build-dir",
                folder=folder,
                manifest=MANIFEST_NAME,
            )
        ) from None
    files, total, _ = folder_totals(folder)
    if (files, total) != (info.files, info.bytes):
        raise DeployError(
            Message(
                "the build in {folder} is incomplete or was changed after building "
                "({files} files, {bytes} bytes; the build wrote {built_files} files, "
                "{built_bytes} bytes): run dxportal build again",
                folder=folder,
                files=files,
                bytes=total,
                built_files=info.files,
                built_bytes=info.bytes,
            )
        )
    return info
