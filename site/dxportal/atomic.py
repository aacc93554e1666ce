"""Replace a file atomically: readers see the old bytes or the new ones, never a mix.

The bytes go to a temporary file with a unique name in the same folder (``.<name>.<random>.tmp``,
which the preview's file watcher ignores), are flushed to disk, and the file is renamed over
the target (os.replace, atomic on POSIX within one file system); then the folder is flushed so
that the rename itself survives a power cut. On any failure the temporary file is removed and
the target is untouched. A process killed outright leaves its hidden ``.tmp`` file behind
(never a damaged target); the next durable write of that file removes it (the name carries the
writer's process id, so a live writer's file is left alone).

``durable=False`` skips both flushes, for files that are worth only the time they save (the
disk cache, whose entries carry their own checksum: a torn one is a miss).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

NEW_FILE_MODE = 0o666  # less the umask, as open() would create it


def write_bytes(path: str | os.PathLike[str], data: bytes, *, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` (its folder must exist). A replaced file keeps its mode."""
    path = Path(path)
    if durable:
        remove_leftovers(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    handle = os.open(temporary, flags, NEW_FILE_MODE)
    try:
        try:
            with contextlib.suppress(FileNotFoundError):
                os.fchmod(handle, path.stat().st_mode & 0o7777)
            write_all(handle, data)
            if durable:
                os.fsync(handle)
        finally:
            os.close(handle)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    if durable:
        sync_folder(path.parent)


def write_all(handle: int, data: bytes) -> None:
    """Write all of ``data`` to the open file ``handle`` (os.write may write less)."""
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view) :]


def write_text(
    path: str | os.PathLike[str], text: str, encoding: str = "utf-8", *, durable: bool = True
) -> None:
    """Replace ``path`` with ``text`` encoded (newlines written as given, never translated)."""
    write_bytes(path, text.encode(encoding), durable=durable)


def replace_bytes(path: str | os.PathLike[str], data: bytes, exists: bool | None = None) -> None:
    """Write ``data`` to ``path`` in a folder nobody reads yet (a build being made), never
    changing an existing file in place: it may be a hard link to a file of another build
    (build/destination.py), which must keep its bytes. A new file is written directly
    (cheaper, and it shares nothing); ``exists``, if known, saves a look.
    """
    if exists is None:
        exists = os.path.lexists(path)
    if exists:
        write_bytes(path, data, durable=False)
    else:
        with open(path, "xb") as handle:
            handle.write(data)


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename into it) to disk, where the system allows it."""
    try:
        handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):  # some file systems refuse fsync on a folder
            os.fsync(handle)
    finally:
        os.close(handle)


def remove_leftovers(path: Path) -> None:
    """Remove temporary files of ``path`` left by writers that no longer run."""
    prefix = f".{path.name}."
    try:
        names = [n for n in os.listdir(path.parent) if n.startswith(prefix) and n.endswith(".tmp")]
    except OSError:
        return
    for name in names:
        writer = name[len(prefix) : -len(".tmp")].partition("-")[0]
        if writer.isdigit() and not is_running(int(writer)):
            with contextlib.suppress(OSError):
                os.unlink(path.parent / name)


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, owned by someone else
        return True
    return True
