"""The kernel's list of changes under content/, read without waiting (Linux inotify).

The preview must show every edit on the next request. Looking at every file on every request
(stat() of 5,000 files) costs more than rendering the page, so on Linux the store asks the kernel
instead: an inotify descriptor watches content/ and its folders, and each request reads what is
queued on it, without blocking. The kernel queues an event before the write, rename or delete
that causes it returns, so anything saved before a request starts is in the queue when the
request reads it: nothing is missed and nothing waits for a watcher thread.

The journal is used only where that holds: a local filesystem (network and host-shared mounts,
e.g. NFS, WSL's drives or Docker Desktop's folders, do not report changes made elsewhere) and no
symbolic links among the content (edits to a link's target happen outside the watched folders).
Elsewhere, or when the kernel's limits are reached, ChangeJournal.open returns None and the
store looks at every file as before. A queue overflow or any change to the folders themselves
counts as "anything may have changed". Writes through a hard link outside content/ and writes
through mmap are not reported by inotify: editors do not save that way.
"""

from __future__ import annotations

import ctypes
import errno
import os
import struct
import sys
import weakref
from dataclasses import dataclass, field
from pathlib import Path

IN_MODIFY = 0x00000002
IN_ATTRIB = 0x00000004
IN_CLOSE_WRITE = 0x00000008
IN_MOVED_FROM = 0x00000040
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_DELETE = 0x00000200
IN_DELETE_SELF = 0x00000400
IN_MOVE_SELF = 0x00000800
IN_UNMOUNT = 0x00002000
IN_Q_OVERFLOW = 0x00004000
IN_IGNORED = 0x00008000
IN_ONLYDIR = 0x01000000
IN_DONT_FOLLOW = 0x02000000
IN_ISDIR = 0x40000000
IN_NONBLOCK = 0o4000
IN_CLOEXEC = 0o2000000

WATCH_MASK = (
    IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE
    | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW
)  # fmt: skip
# The folder itself went away or changed: its watch no longer covers what it did.
SELF_EVENTS = IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT | IN_IGNORED
EVENT_HEADER = struct.Struct("iIII")  # wd, mask, cookie, length of the name
# Filesystems where inotify sees every change (all writers run on this kernel).
LOCAL_FILESYSTEMS = frozenset(
    {"ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "ramfs", "overlay", "zfs", "f2fs",
     "jfs", "reiserfs", "bcachefs", "nilfs2"}
)  # fmt: skip


class JournalBroken(Exception):
    """The journal can no longer vouch for the folder (it vanished, a link appeared, ...)."""


@dataclass
class Changes:
    """What changed since the last read: paths, or ``everything`` (folders changed, overflow)."""

    paths: set[Path] = field(default_factory=set)
    everything: bool = False

    def __bool__(self) -> bool:
        return self.everything or bool(self.paths)


def _libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.inotify_init1.argtypes = [ctypes.c_int]
        libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        libc.inotify_rm_watch.argtypes = [ctypes.c_int, ctypes.c_int]
    except (OSError, AttributeError):
        return None
    return libc


class ChangeJournal:
    """Watches ``root`` and its folders (hidden ones and their contents excepted).

    ``relevant(path)`` says which files can change what is shown; events on other files (editor
    swap files, backups) are dropped so that they do not cause reloads.
    """

    def __init__(self, root: Path, fd: int, libc, relevant) -> None:
        self.root = root
        self._fd = fd
        self._libc = libc
        self._relevant = relevant
        self._folders: dict[int, Path] = {}
        self._close = weakref.finalize(self, os.close, fd)

    @classmethod
    def open(cls, root: Path, relevant=lambda path: True) -> ChangeJournal | None:
        """A journal of ``root``, or None where it could miss a change (see the module)."""
        libc = _libc()
        root = Path(root)
        if libc is None or not root.is_dir() or root.is_symlink():
            return None
        fd = libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if fd < 0:  # the per-user limit of inotify instances is reached
            return None
        journal = cls(root, fd, libc, relevant)
        try:
            journal._watch_all()
        except JournalBroken:
            journal.close()
            return None
        return journal

    def close(self) -> None:
        self._close()

    def read(self) -> Changes:
        """Everything queued since the last read (raises JournalBroken when it cannot tell)."""
        changes = Changes()
        while True:
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                break
            except OSError as exc:
                raise JournalBroken(str(exc)) from exc
            self._note(data, changes)
        if changes.everything:
            self._watch_all()
        return changes

    def _note(self, data: bytes, changes: Changes) -> None:
        offset = 0
        while offset + EVENT_HEADER.size <= len(data):
            wd, mask, _cookie, length = EVENT_HEADER.unpack_from(data, offset)
            offset += EVENT_HEADER.size
            name = data[offset : offset + length].rstrip(b"\0")
            offset += length
            if mask & IN_Q_OVERFLOW:
                changes.everything = True
                continue
            folder = self._folders.get(wd)
            if folder is None:  # a watch already dropped (its folder went away)
                continue
            if mask & SELF_EVENTS:
                changes.everything = True
                continue
            path = folder / os.fsdecode(name)
            if mask & IN_ISDIR:
                if not path.name.startswith("."):
                    changes.everything = True
                continue
            arrived = mask & (IN_CREATE | IN_MOVED_TO) and not path.name.startswith(".")
            if arrived and path.is_symlink():
                raise JournalBroken(f"{path} is a symbolic link")
            if not self._relevant(path):
                continue
            changes.paths.add(path)

    def _watch_all(self) -> None:
        """Watch every folder now under the root; forget the watches of folders gone."""
        if not self.root.is_dir() or self.root.is_symlink():
            raise JournalBroken(f"{self.root} is not a folder")
        mounts = read_mounts()
        folders: dict[int, Path] = {}
        pending = [self.root]
        while pending:
            path = pending.pop()
            if filesystem_of(path, mounts) not in LOCAL_FILESYSTEMS:
                raise JournalBroken(f"{path} is not on a local filesystem")
            wd = self._libc.inotify_add_watch(self._fd, os.fsencode(path), WATCH_MASK)
            if wd < 0:
                error = ctypes.get_errno()
                if error in (errno.ENOENT, errno.ENOTDIR):  # removed while walking
                    continue
                raise JournalBroken(os.strerror(error))  # e.g. ENOSPC: too many watches
            folders[wd] = path
            try:  # listed after the watch is set: nothing created meanwhile is missed
                entries = list(os.scandir(path))
            except (FileNotFoundError, NotADirectoryError):
                continue
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_symlink():
                    raise JournalBroken(f"{entry.path} is a symbolic link")
                if entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
        for wd in set(self._folders) - set(folders):
            self._libc.inotify_rm_watch(self._fd, wd)  # its IN_IGNORED has an unknown wd
        self._folders = folders


def read_mounts() -> list[tuple[str, str]]:
    """(mount point, filesystem type) of every mount, in mount order."""
    mounts = []
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as f:
            for line in f:
                before, _, after = line.partition(" - ")
                fields = before.split()
                if len(fields) >= 5 and after:
                    mounts.append((unescape(fields[4]), after.split()[0]))
    except OSError:
        pass
    return mounts


def unescape(text: str) -> str:
    """mountinfo writes space, tab, newline and backslash as octal escapes (\\040)."""
    for code in ("040", "011", "012", "134"):
        text = text.replace("\\" + code, chr(int(code, 8)))
    return text


def filesystem_of(path: Path, mounts: list[tuple[str, str]]) -> str | None:
    """The type of the filesystem ``path`` is on (the last, deepest mount that contains it)."""
    real = os.path.realpath(path)
    found, depth = None, -1
    for point, kind in mounts:
        inside = real == point or real.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= depth:
            found, depth = kind, len(point)
    return found
