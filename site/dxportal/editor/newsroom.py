"""The newsroom's own folder: users, session key, pending changes and the record.

It lives beside content/ (``.newsroom/``, or DXPORTAL_NEWSROOM_DIR), never inside it, so
nothing kept there can reach a build: the build reads content/ only. The folder is created
with mode 0700 and holds a .gitignore that ignores everything in it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from flask import current_app

from dxportal import atomic

FOLDER_NAME = ".newsroom"
KEY_FILE = "session.key"


def newsroom_folder(config: Mapping[str, object]) -> Path:
    """DXPORTAL_NEWSROOM_DIR, or .newsroom/ next to the content folder."""
    configured = str(config.get("DXPORTAL_NEWSROOM_DIR") or "")
    if configured:
        return Path(configured)
    return Path(str(config["DXPORTAL_CONTENT_DIR"])).resolve().parent / FOLDER_NAME


def current_folder() -> Path:
    return newsroom_folder(current_app.config)


def ensure(folder: Path) -> Path:
    """Create the folder (0700) with a .gitignore that keeps it out of any repository."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Users, session key, pending changes, the record: never in git.\n*\n")
    return folder


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, readable by its owner only (0600).

    A new file is created empty with mode 0600 first: atomic.write_bytes keeps a replaced
    file's mode, so the data is never readable by others, not even for a moment.
    """
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    atomic.write_bytes(path, data)


def session_key(folder: Path) -> bytes:
    """The key that signs session cookies: made once, kept (0600), so restarts sign nobody out."""
    path = ensure(folder) / KEY_FILE
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32).encode()
    write_private(path, key)
    return key
