"""Parsed content files kept between runs: an unchanged file is neither read nor parsed again.

A page is found by two keys, in this order:

- the file's *identity*, from one ``os.stat`` taken before the file is read: size, modification
  and change times (ns), inode and device. Writing a file sets its change time (ctime) to the
  current time, and no program can set it back, so a file rewritten with the same size and its
  old modification time restored has a new identity. A file whose times are within
  ``SETTLE_NS`` of the moment the files were looked at could change again within the same tick
  of the file system's clock without changing its stat ("racy", as git calls it): its identity
  is not kept, so next time it is read and hashed.
- the SHA-256 of its text: a file read again (its identity changed) whose text is known is not
  parsed again.

Bodies are not kept (the page reads its body from its file when asked, checked against the
hash). Only pages without problems are kept, so every message comes from a fresh parse. The
whole cache is one entry of a DiskCache under the code version: a damaged or stale cache is
only a miss.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from dxportal.cache import FolderEntries, code_version

# A file changed less than this before it was looked at is read again next time (coarse file
# system clocks tick every few milliseconds; FAT keeps modification times to 2 s).
SETTLE_NS = 3_000_000_000

Identity = tuple[int, int, int, int, int]
# (section, slug, lang, meta, meta_lines, body_line): a Page without its path, body and digest.
Fields = tuple[Any, ...]


def file_identity(path: Path | str, looked_at_ns: int) -> Identity | None:
    """What tells this version of the file apart, or None if it cannot be trusted to."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if max(st.st_mtime_ns, st.st_ctime_ns) > looked_at_ns - SETTLE_NS:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


class ContentCache(FolderEntries):
    """{relative path: (identity or None, digest, fields)} for one content folder."""

    def __init__(self, cache_dir: Path, root: Path) -> None:
        super().__init__(cache_dir, "content", code_version() + yaml.__version__, root)

    def _entry(self, relative: str) -> tuple | None:
        entry = self.stored.get(relative)
        if isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[2], tuple):
            return entry
        return None

    def by_identity(self, relative: str, identity: Identity | None) -> tuple[str, Fields] | None:
        """(digest, fields) of the file, if it is the version that was parsed."""
        entry = self._entry(relative)
        if identity is None or entry is None or entry[0] != identity:
            return None
        self.used[relative] = entry
        return entry[1], entry[2]

    def by_digest(self, relative: str, identity: Identity | None, digest: str) -> Fields | None:
        """The fields of the file whose text hashes to ``digest``, if it was parsed before."""
        entry = self._entry(relative)
        if entry is None or entry[1] != digest:
            return None
        self.keep(relative, identity, digest, entry[2])
        return entry[2]

    def keep(self, relative: str, identity: Identity | None, digest: str, fields: Fields) -> None:
        self.used[relative] = (identity, digest, fields)
