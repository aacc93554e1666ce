"""Free static hosts' limits (checked 2026-12), and the warnings of a build that crosses them."""

from __future__ import annotations

import json
from pathlib import Path

from dxportal.deploy.manifest import MANIFEST_NAME
from dxportal.messages import Message

MIB, GB = 1024 * 1024, 1000**3
# host: (files per site, bytes per file, bytes per site); None where there is no such limit.
HOST_LIMITS: dict[str, tuple[int | None, int | None, int | None]] = {
    "Cloudflare Pages (free)": (20_000, 25 * MIB, None),
    "GitHub Pages": (None, None, GB),
    "GitLab Pages": (200_000, None, GB),
}


def limit_warnings(files: int, total: int, largest: int) -> list[Message]:
    """One warning per limit the figures cross, with the figure and the limit."""
    warnings = []
    for host, (max_files, max_file, max_site) in HOST_LIMITS.items():
        if max_files is not None and files > max_files:
            warnings.append(
                Message(
                    "warning: the build has {files} files; {host} accepts at most {limit}",
                    files=files,
                    host=host,
                    limit=max_files,
                )  # fmt: skip
            )
        if max_file is not None and largest > max_file:
            warnings.append(
                Message(
                    "warning: the largest file of the build has {bytes} bytes; {host} accepts "
                    "at most {limit} bytes per file",
                    bytes=largest,
                    host=host,
                    limit=max_file,
                )  # fmt: skip
            )
        if max_site is not None and total > max_site:
            warnings.append(
                Message(
                    "warning: the build has {bytes} bytes; {host} accepts at most {limit} "
                    "bytes per site",
                    bytes=total,
                    host=host,
                    limit=max_site,
                )  # fmt: skip
            )
    return warnings


def build_limit_warnings(folder: Path) -> list[Message]:
    """The warnings for the build in ``folder``, from its manifest (nothing without one)."""
    try:
        data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        return limit_warnings(int(data["files"]), int(data["bytes"]), int(data["largest_file"]))
    except (OSError, ValueError, KeyError, TypeError):
        return []
