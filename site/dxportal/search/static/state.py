"""What an export of the static search index left behind, so the next one can start from it.

A build starts from the build before the last (destination.take_spare), so the last two exports of
each language are kept (in DXPORTAL_CACHE_DIR). Each records, per document, what its part of the
index was made from, and the size and modification time of every file written: an export whose
folder is exactly as one of them left it can replace only the documents that changed.
"""

from __future__ import annotations

import marshal
import os
from array import array
from dataclasses import dataclass
from pathlib import Path

from dxportal.cache import DiskCache

KEPT_EXPORTS = 2  # the build and the spare alternate


@dataclass(frozen=True)
class DocumentState:
    """One document of an export: its key (record and terms), its terms' cache key, sizes."""

    key: str
    terms_key: str
    word_size: int
    pair_size: int
    lengths: tuple[int, ...]  # the text fields' and the pairs field's token counts


@dataclass(frozen=True)
class FileTable:
    """The size and modification time of every file under a folder, compactly.

    A language's index has some 25,000 files at 5,000 pages, and every build loads the
    tables of two exports: as one string and one array they load in a millisecond, where
    25,000 small lists take a tenth of a second.
    """

    paths: str  # the relative paths (with /), sorted, newline-joined
    numbers: bytes  # array("q"): size, mtime_ns of each path in turn

    @classmethod
    def of(cls, files: dict[str, tuple[int, int]]) -> FileTable:
        paths = sorted(files)
        numbers = array("q", [n for path in paths for n in files[path]])
        return cls("\n".join(paths), numbers.tobytes())

    @classmethod
    def scan(cls, folder: Path) -> FileTable:
        """The table of every file under ``folder`` as it is now."""
        found: dict[str, tuple[int, int]] = {}
        pending = [("", str(folder))]
        while pending:
            prefix, path = pending.pop()
            with os.scandir(path) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        pending.append((f"{prefix}{entry.name}/", entry.path))
                    else:
                        st = entry.stat(follow_symlinks=False)
                        found[prefix + entry.name] = (st.st_size, st.st_mtime_ns)
        return cls.of(found)

    def files(self) -> dict[str, tuple[int, int]]:
        numbers = array("q", self.numbers)
        paths = self.paths.split("\n") if self.paths else []
        return {path: (numbers[2 * i], numbers[2 * i + 1]) for i, path in enumerate(paths)}

    def refreshed(self, folder: Path, written: list[Path]) -> FileTable:
        """The table with the size and modification time of ``written`` (just written)."""
        files = self.files()
        for path in written:
            st = path.stat()
            files[path.relative_to(folder).as_posix()] = (st.st_size, st.st_mtime_ns)
        return self.of(files)


@dataclass
class ExportState:
    """One export of one language: its layout (code, order of documents), documents, files."""

    layout: str
    documents: list[DocumentState]
    files: FileTable

    def dumps(self) -> tuple:
        documents = [
            (doc.key, doc.terms_key, doc.word_size, doc.pair_size, doc.lengths)
            for doc in self.documents
        ]
        return (self.layout, documents, self.files.paths, self.files.numbers)

    @classmethod
    def loads(cls, data: tuple) -> ExportState:
        """The state ``dumps`` gave; TypeError or ValueError if it is not one."""
        layout, documents, paths, numbers = data
        if not isinstance(paths, str) or not isinstance(numbers, bytes):
            raise TypeError("files")
        documents = [
            DocumentState(key, terms_key, word_size, pair_size, tuple(lengths))
            for key, terms_key, word_size, pair_size, lengths in documents
        ]
        return cls(str(layout), documents, FileTable(paths, numbers))


class ExportHistory:
    """The last exports of one language, newest first (none without a cache folder)."""

    def __init__(self, cache: DiskCache | None, lang: str) -> None:
        self.cache = cache
        self.lang = lang

    def load(self) -> list[ExportState]:
        payload = self.cache.get(self.lang) if self.cache is not None else None
        try:
            return [ExportState.loads(item) for item in marshal.loads(payload)] if payload else []
        except (ValueError, TypeError, EOFError):
            return []  # damaged: only a full export

    def save(self, latest: ExportState, earlier: list[ExportState]) -> None:
        if self.cache is not None:
            kept = [latest, *earlier][:KEPT_EXPORTS]
            self.cache.put(self.lang, marshal.dumps([state.dumps() for state in kept]))

    @staticmethod
    def matching(known: list[ExportState], folder: Path) -> ExportState | None:
        """The export that left ``folder`` as it is now, if any."""
        if not known or not folder.is_dir():
            return None
        files = FileTable.scan(folder)
        return next((state for state in known if state.files == files), None)
