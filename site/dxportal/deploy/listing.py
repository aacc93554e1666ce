"""What a site is made of (path, size, content hash), its digest, and what a deploy changed.

The digest of a build is the SHA-256 of its sorted listing, so a live folder and a build
compare equal exactly when every file has the same path and bytes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dxportal.messages import Message

# path -> (size, content id): a SHA-256 for folders, a git blob id for git trees.
Listing = dict[str, tuple[int, str]]
SHOWN_PER_KIND = 20


def file_hash(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def walk_files(folder: Path) -> Iterator[os.DirEntry]:
    """Every entry under ``folder`` that is not a folder (links are not followed)."""
    stack = [folder]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                else:
                    yield entry


def list_folder(folder: Path) -> Listing:
    """Every file under ``folder`` by POSIX relative path: its size and SHA-256."""
    listing = {}
    for entry in walk_files(folder):
        path = Path(entry.path)
        listing[path.relative_to(folder).as_posix()] = (path.stat().st_size, file_hash(path))
    return dict(sorted(listing.items()))


def digest(listing: Listing) -> str:
    """``sha256:<hex>`` of the listing: the identity of a build's files and bytes."""
    hasher = hashlib.sha256()
    for path in sorted(listing):
        size, content = listing[path]
        hasher.update(f"{path}\0{size}\0{content}\n".encode())
    return "sha256:" + hasher.hexdigest()


@dataclass
class Changes:
    """Files a deploy added, changed and removed: (path, size) each."""

    added: list[tuple[str, int]] = field(default_factory=list)
    changed: list[tuple[str, int]] = field(default_factory=list)
    removed: list[tuple[str, int]] = field(default_factory=list)

    def lines(self) -> list[Message]:
        """Up to SHOWN_PER_KIND files of each kind, then one summary line."""
        out: list[Message] = []
        for sign, items in (("+", self.added), ("~", self.changed), ("-", self.removed)):
            for path, size in items[:SHOWN_PER_KIND]:
                out.append(Message("{sign} {path} ({bytes} bytes)", sign=sign, path=path,
                                   bytes=size))  # fmt: skip
            if len(items) > SHOWN_PER_KIND:
                out.append(Message("{sign} … and {count} more", sign=sign,
                                   count=len(items) - SHOWN_PER_KIND))  # fmt: skip
        out.append(
            Message(
                "Added {added} files ({added_bytes} bytes), changed {changed} files "
                "({changed_bytes} bytes), removed {removed} files ({removed_bytes} bytes)",
                added=len(self.added),
                added_bytes=sum(size for _, size in self.added),
                changed=len(self.changed),
                changed_bytes=sum(size for _, size in self.changed),
                removed=len(self.removed),
                removed_bytes=sum(size for _, size in self.removed),
            )
        )
        return out


@dataclass
class Outcome:
    """What a deploy or rollback did; ``changes`` is None when the target already was it."""

    digest: str
    changes: Changes | None
    # what went wrong after the live site had changed (the deploy itself succeeded)
    notes: list[Message] = field(default_factory=list)


def compare(old: Listing, new: Listing) -> Changes:
    """What turns ``old`` into ``new`` (sizes: the new file's, or the removed file's)."""
    changes = Changes()
    for path, (size, content) in new.items():
        if path not in old:
            changes.added.append((path, size))
        elif old[path] != (size, content):
            changes.changed.append((path, size))
    changes.removed = [(path, size) for path, (size, _) in old.items() if path not in new]
    return changes
