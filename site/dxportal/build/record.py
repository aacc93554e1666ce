"""The build record (in DXPORTAL_CACHE_DIR, per destination folder): for every file written,
its key and the file's size and modification time, and the modification time of every folder
(see leftovers.py). A later build starts from an earlier build's folder (destination.take_spare)
and trusts a file only while it is exactly as the record says."""

from __future__ import annotations

import contextlib
import marshal
import os
from dataclasses import dataclass, field
from pathlib import Path

from dxportal.build.dependencies import AFTER_FREEZE_FOLDERS, HOST_FILES
from dxportal.build.leftovers import folder_times, folders_of
from dxportal.cache import DiskCache, code_version
from dxportal.deploy.listing import walk_files
from dxportal.deploy.manifest import MANIFEST_NAME


@dataclass
class BuildRecord:
    """What the previous build into a destination wrote: {path: [key, size, mtime_ns]}."""

    files: dict[str, list] = field(default_factory=dict)
    # {url: [[url, endpoint], …]}: addresses a page asked url_for for that no generator gives
    discovered: dict[str, list] = field(default_factory=dict)
    # {folder: mtime_ns or None}, taken once the folder was complete (leftovers.folder_times);
    # empty if unknown (the whole folder is then listed to find leftovers)
    folders: dict[str, int | None] = field(default_factory=dict)

    @classmethod
    def load(cls, cache_dir: Path | None, destination: Path) -> BuildRecord | None:
        payload = cls.cache(cache_dir).get(str(destination)) if cache_dir is not None else None
        try:
            data = marshal.loads(payload)  # type: ignore[arg-type]
            return cls(dict(data["files"]), dict(data["discovered"]), dict(data["folders"]))
        except (ValueError, KeyError, TypeError, EOFError, AttributeError):
            return None  # none, damaged or of another shape: unknown

    def save(self, cache_dir: Path | None, destination: Path) -> None:
        if cache_dir is not None:  # marshal: ten times faster than JSON both ways
            data = {"files": self.files, "discovered": self.discovered, "folders": self.folders}
            self.cache(cache_dir).put(str(destination), marshal.dumps(data))

    @staticmethod
    def cache(cache_dir: Path) -> DiskCache:
        return DiskCache(cache_dir, "builds", code_version())

    def unchanged(self, relative: str, key: str, folder: Path | str) -> bool:
        """True if ``relative`` was written with ``key`` and is still the file we left."""
        known = self.files.get(relative)
        if known is None or known[0] != key:
            return False
        try:
            st = os.stat(f"{os.fspath(folder)}/{relative}")
        except OSError:
            return False
        return st.st_size == known[1] and st.st_mtime_ns == known[2]

    def output_sizes(self, folder: Path) -> list[int]:
        """The size of every file of the finished build in ``folder`` but the manifest: the
        recorded files' as written (walking thousands of page folders to stat them costs a
        third of a second at 5,000 articles), the later steps' files (search index, host
        files) as they are. The manifest's totals; a deploy walks the folder to check them."""
        sizes = [known[1] for known in self.files.values()]
        for relative in AFTER_FREEZE_FOLDERS:
            if os.path.isdir(f"{folder}/{relative}"):
                sizes += [entry.stat(follow_symlinks=False).st_size
                          for entry in walk_files(folder / relative)]  # fmt: skip
        for name in sorted(HOST_FILES - {MANIFEST_NAME}):
            with contextlib.suppress(FileNotFoundError):
                sizes.append(os.lstat(f"{folder}/{name}").st_size)
        return sizes

    def stamp_folders(self, folder: Path) -> None:
        """Note the folders of the finished build (``folder``: where it is now), unless known."""
        if not self.folders:
            self.folders = folder_times(folder, folders_of(self.files))
