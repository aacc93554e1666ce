"""A disk cache shared by the preview, the checks and the build (DXPORTAL_CACHE_DIR, git-ignored).

Every entry is a file named by the hash of its key, under a folder named by a *version*: a hash
of everything that can change what is cached (the code that produced it, library versions,
settings). An entry starts with the SHA-256 of its payload; a file that does not match (cut short,
edited, written by something else) is a miss, never a result. So a corrupt or stale cache can
only cost time, never change the output.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from dxportal import atomic

PACKAGE_DIR = Path(__file__).resolve().parent
DIGEST_SIZE = 32
VERSION_FOLDER = re.compile(r"[0-9a-f]{24}")
KEEP_VERSIONS = 2  # the code in use and the one before it (switching branches back and forth)
ENTRY_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def hash_text(*parts: str | bytes) -> str:
    """SHA-256 (hex) of the parts, each length-prefixed so that no two lists collide."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def hash_files(paths: Iterable[Path], root: Path) -> str:
    """SHA-256 of the names (relative to ``root``) and bytes of ``paths``, in sorted order."""
    parts: list[bytes | str] = []
    for path in sorted(paths):
        parts += [path.relative_to(root).as_posix(), path.read_bytes()]
    return hash_text(*parts)


_code_version: str | None = None


def code_version() -> str:
    """A hash of dxportal's own source files, subpackages included: any change to the code
    invalidates its caches."""
    global _code_version
    if _code_version is None:
        _code_version = hash_files(python_files(PACKAGE_DIR), PACKAGE_DIR)
    return _code_version


def python_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*.py") if "__pycache__" not in p.parts]


def remove_old_versions(root: Path, keep: int = KEEP_VERSIONS) -> list[Path]:
    """Remove the version folders of every namespace but the ``keep`` most recently used.

    Each code change starts new version folders and nothing reads the old ones again; a build
    calls this first so that the cache does not grow forever. A folder holding anything but
    version folders (the build spares, the template cache, deploy-git) is left alone.
    Returns the folders removed.
    """
    removed = []
    try:
        namespaces = [p for p in Path(root).iterdir() if p.is_dir() and not p.is_symlink()]
    except OSError:
        return removed
    for namespace in namespaces:
        try:
            entries = list(namespace.iterdir())
        except OSError:
            continue
        versions = [p for p in entries if p.is_dir() and VERSION_FOLDER.fullmatch(p.name)]
        if len(versions) != len(entries):
            continue  # not only DiskCache versions (deploy-git, spares): not ours
        versions.sort(key=last_used, reverse=True)
        for folder in versions[keep:]:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def last_used(folder: Path) -> float:
    try:
        return folder.stat().st_mtime
    except OSError:
        return 0.0


class DiskCache:
    """Bytes by key under ``root/namespace/version``; misses (damaged entries too) are None."""

    def __init__(self, root: Path, namespace: str, version: str) -> None:
        self.folder = Path(root) / namespace / version[:24]
        with contextlib.suppress(OSError):  # "last used", for remove_old_versions
            os.utime(self.folder)

    def path_for(self, key: str) -> Path:
        name = hash_text(key)
        return self.folder / name[:2] / name

    def get(self, key: str) -> bytes | None:
        try:
            data = self.path_for(key).read_bytes()
        except OSError:
            return None
        digest, payload = data[:DIGEST_SIZE], data[DIGEST_SIZE:]
        if len(digest) != DIGEST_SIZE or hashlib.sha256(payload).digest() != digest:
            return None
        return payload

    def put(self, key: str, payload: bytes) -> None:
        """Store ``payload``; a cache that cannot be written is only slower, so errors pass.

        The entry is written in place, neither through a temporary file and a rename nor
        flushed to disk: what a reader could meet half written (a write under way, a crash,
        two processes writing one key) fails its checksum, a miss, and the next put writes
        it whole. Its folder is made when the first entry finds none.
        """
        path = self.path_for(key)
        data = hashlib.sha256(payload).digest() + payload
        try:
            try:
                handle = os.open(path, ENTRY_FLAGS, atomic.NEW_FILE_MODE)
            except FileNotFoundError:
                path.parent.mkdir(parents=True, exist_ok=True)
                handle = os.open(path, ENTRY_FLAGS, atomic.NEW_FILE_MODE)
            try:
                atomic.write_all(handle, data)
            finally:
                os.close(handle)
        except OSError:
            return


class FolderEntries:
    """One pickled dict of entries for one content folder, in one DiskCache entry.

    ``stored`` is what the last run kept (empty if missing or damaged: only a miss); a run
    records what it uses in ``used``, and ``save`` keeps exactly that (entries of files no
    longer there are forgotten), writing only when it changed. An instance kept for another
    run in the same process (`build --watch`) starts it from what it saved: no reading back.
    """

    def __init__(self, cache_dir: Path, namespace: str, version: str, root: Path) -> None:
        self.disk = DiskCache(cache_dir, namespace, version)
        self.key = str(Path(root).resolve())
        self.stored: dict[str, tuple] = {}
        self.used: dict[str, tuple] = {}
        payload = self.disk.get(self.key)
        if payload is not None:
            try:
                stored = pickle.loads(payload)
            except Exception:  # a damaged entry is only a miss
                stored = None
            if isinstance(stored, dict):
                self.stored = stored

    def save(self) -> None:
        if self.used != self.stored:
            self.disk.put(self.key, pickle.dumps(self.used, protocol=pickle.HIGHEST_PROTOCOL))
        self.stored, self.used = self.used, {}
