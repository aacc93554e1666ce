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
    """Write ``data`` to ``path`` with mode 0600, atomically (temporary file, fsync, rename)."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


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
