"""What a build weighs on a static host: files, bytes, the largest file, where they go.

    python bench/footprint.py BUILD [HUGO_PUBLIC]   # one build, beside Hugo's output if given

bench/build.py prints the table for each corpus size after its timings. Bytes are the files'
own sizes (what a host counts and `dxportal build` records in dxportal-build.json); the disk
usage beside them counts whole 4 KiB blocks, as `du` does (the issue's first figures were du's).
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "site"))

from dxportal.deploy.limits import HOST_LIMITS  # noqa: E402

BLOCK = 4096


def kind_of(relative: str) -> str:
    """The kind of a file of a dxportal build, from its path (``vi/news/x/index.html``)."""
    parts = relative.split("/")
    if len(parts) >= 4 and parts[1:3] == ["search", "data"]:
        return f"search index {parts[3]}/" if len(parts) >= 5 else "search index meta, n"
    if parts[0] == "static":
        return "static assets"
    if len(parts) < 3 or not parts[-1].endswith(".html"):
        return "feeds, sitemap, other"
    if "page" in parts[:-1]:
        return "listing pages (page/N)"
    if parts[1] == "tags":
        return "tag pages"
    if len(parts) == 4 and parts[1] == "news":
        return "articles"
    return "other pages"


def measure(build: Path) -> dict:
    """Files, bytes, disk blocks and the largest file of ``build``, in all and by kind."""
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    largest = (0, "")
    for folder, _, names in os.walk(build):
        for name in names:
            path = os.path.join(folder, name)
            size = os.lstat(path).st_size
            relative = os.path.relpath(path, build).replace(os.sep, "/")
            row = kinds[kind_of(relative)]
            row[0] += 1
            row[1] += size
            row[2] += -(-size // BLOCK) * BLOCK
            largest = max(largest, (size, relative))
    files = sum(row[0] for row in kinds.values())
    total = sum(row[1] for row in kinds.values())
    disk = sum(row[2] for row in kinds.values())
    return {"files": files, "bytes": total, "disk": disk, "largest": largest, "kinds": kinds}


def print_footprint(build: Path, hugo: Path | None = None, label: str = "") -> None:
    """Print the table of ``build`` (and the totals of Hugo's output ``hugo``)."""
    if not build.is_dir():
        print(f"footprint: no build in {build}")
        return
    found = measure(build)
    mb = 1e6
    print()
    print(f"Footprint{' ' + label if label else ''}: {build}")
    print("| | files | MB | MB on disk (4 KiB blocks) |")
    print("|---|---|---|---|")
    for kind, (files, size, disk) in sorted(found["kinds"].items(), key=lambda kv: -kv[1][1]):
        print(f"| {kind} | {files:,} | {size / mb:.1f} | {disk / mb:.1f} |")
    print(
        f"| **dxportal, in all** | **{found['files']:,}** | **{found['bytes'] / mb:.1f}** "
        f"| {found['disk'] / mb:.1f} |"
    )
    if hugo is not None and hugo.is_dir():
        peer = measure(hugo)
        sizes = f"{peer['bytes'] / mb:.1f} | {peer['disk'] / mb:.1f}"
        print(f"| Hugo, in all | {peer['files']:,} | {sizes} |")
    size, name = found["largest"]
    print(f"largest file: {name}, {size / mb:.2f} MB")
    crossed = []
    for host, (max_files, max_file, max_site) in HOST_LIMITS.items():
        if max_files is not None and found["files"] > max_files:
            crossed.append(f"{host}: {found['files']:,} files > {max_files:,}")
        if max_file is not None and size > max_file:
            crossed.append(f"{host}: a file of {size:,} bytes > {max_file:,}")
        if max_site is not None and found["bytes"] > max_site:
            crossed.append(f"{host}: {found['bytes']:,} bytes > {max_site:,}")
    print("host limits: " + ("; ".join(crossed) if crossed else "every free host accepts it"))


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    print_footprint(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) == 3 else None)
