"""What an export of the static search index left behind, so the next one can start from it.

A build starts from the build before the last (freezing.take_spare), so the last two exports of
each language are kept (in DXPORTAL_CACHE_DIR). Each records, per document, what its part of the
index was made from, and the size and modification time of every file written: an export whose
folder is exactly as one of them left it can replace only the documents that changed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..cache import DiskCache

KEPT_EXPORTS = 2  # the build and the spare alternate


@dataclass(frozen=True)
class DocumentState:
    """One document of an export: its key (record and terms), its terms' cache key, sizes."""

    key: str
    terms_key: str
    word_size: int
    pair_size: int
    lengths: tuple[int, ...]  # the text fields' and the pairs field's token counts


@dataclass
class ExportState:
    """One export of one language: its layout (code, order of documents), documents, files."""

    layout: str
    documents: list[DocumentState]
    files: dict[str, list[int]]  # path under the data folder -> [size, mtime_ns]

    def dumps(self) -> dict:
        documents = [
            [doc.key, doc.terms_key, doc.word_size, doc.pair_size, doc.lengths]
            for doc in self.documents
        ]
        return {"layout": self.layout, "documents": documents, "files": self.files}

    @classmethod
    def loads(cls, data: dict) -> ExportState:
        """The state ``dumps`` gave; TypeError or ValueError if it is not one."""
        documents = [
            DocumentState(key, terms_key, word_size, pair_size, tuple(lengths))
            for key, terms_key, word_size, pair_size, lengths in data["documents"]
        ]
        files = data["files"]
        if not isinstance(files, dict):  # only compared with folder_files: a wrong value
            raise TypeError("files")  # in it never matches
        return cls(str(data["layout"]), documents, files)


def folder_files(folder: Path) -> dict[str, list[int]]:
    """path (relative, with /) -> [size, mtime_ns] of every file under ``folder``."""
    found: dict[str, list[int]] = {}
    pending = [("", str(folder))]
    while pending:
        prefix, path = pending.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((f"{prefix}{entry.name}/", entry.path))
                else:
                    st = entry.stat(follow_symlinks=False)
                    found[prefix + entry.name] = [st.st_size, st.st_mtime_ns]
    return found


def refresh_files(files: dict[str, list[int]], folder: Path, paths: list[Path]) -> None:
    """Record the size and modification time of ``paths`` (just written) in ``files``."""
    for path in paths:
        st = path.stat()
        files[path.relative_to(folder).as_posix()] = [st.st_size, st.st_mtime_ns]


class ExportHistory:
    """The last exports of one language, newest first (none without a cache folder)."""

    def __init__(self, cache: DiskCache | None, lang: str) -> None:
        self.cache = cache
        self.lang = lang

    def load(self) -> list[ExportState]:
        payload = self.cache.get(self.lang) if self.cache is not None else None
        try:
            return [ExportState.loads(item) for item in json.loads(payload)] if payload else []
        except (ValueError, TypeError, KeyError, AttributeError):
            return []  # damaged: only a full export

    def save(self, latest: ExportState, earlier: list[ExportState]) -> None:
        if self.cache is not None:
            kept = [latest, *earlier][:KEPT_EXPORTS]
            payload = json.dumps([state.dumps() for state in kept], separators=(",", ":"))
            self.cache.put(self.lang, payload.encode("utf-8"))

    @staticmethod
    def matching(known: list[ExportState], folder: Path) -> ExportState | None:
        """The export that left ``folder`` as it is now, if any."""
        if not known or not folder.is_dir():
            return None
        files = folder_files(folder)
        return next((state for state in known if state.files == files), None)
