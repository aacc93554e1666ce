"""The record of who did what: one JSON line per action, appended and fsync'd, never rewritten.

Each line holds the time (Vietnam time, ISO 8601), the person's login and name, the action, the
page (section/slug.lang), the sha256 of the text concerned and optional details (a comment, a
reason, an uploaded file's name). The file (.newsroom/record.jsonl) is opened for appending
only; a line that cannot be read (a torn last line after a power cut) is skipped when shown.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dxportal.content.clock import SITE_TIMEZONE
from dxportal.editor.newsroom import ensure

RECORD_FILE = "record.jsonl"
ACTIONS = (
    "save",
    "submit",
    "withdraw",
    "approve",
    "return",
    "publish",
    "force_publish",
    "confirm",
    "restore",
    "translate",
    "upload",
    "build",
    "user_add",
    "user_change",
    "sign_in",
    "sign_in_failed",
    "locked_out",
    "sign_out",
    "take_over",
)
_APPENDING = threading.Lock()


@dataclass(frozen=True)
class Entry:
    time: dt.datetime
    person: str
    name: str
    action: str
    page: str = ""
    hash: str = ""
    details: dict = field(default_factory=dict)


def page_key(section: str, slug: str, lang: str) -> str:
    return f"{section}/{slug}.{lang}"


def record(
    folder: Path,
    person: str,
    name: str,
    action: str,
    page: str = "",
    text_hash: str = "",
    **details: object,
) -> Entry:
    """Append one action to the record and fsync it before returning."""
    if action not in ACTIONS:
        raise ValueError(action)
    entry = Entry(dt.datetime.now(SITE_TIMEZONE), person, name, action, page, text_hash, details)
    line = json.dumps(
        {
            "time": entry.time.isoformat(timespec="seconds"),
            "person": person,
            "name": name,
            "action": action,
            "page": page,
            "hash": text_hash,
            "details": details,
        },
        ensure_ascii=False,
    )
    path = ensure(folder) / RECORD_FILE
    with _APPENDING:
        handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(handle, (line + "\n").encode("utf-8"))
            os.fsync(handle)
        finally:
            os.close(handle)
    return entry


def read_record(folder: Path, page: str | None = None) -> Iterator[Entry]:
    """Every readable entry, oldest first; only the page's with ``page``."""
    path = folder / RECORD_FILE
    try:
        stream = path.open(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return
    with stream:
        for line in stream:
            try:
                data = json.loads(line)
                entry = Entry(
                    dt.datetime.fromisoformat(data["time"]),
                    data["person"],
                    data["name"],
                    data["action"],
                    data.get("page", ""),
                    data.get("hash", ""),
                    data.get("details") or {},
                )
            except (ValueError, KeyError, TypeError):
                continue
            if page is None or entry.page == page:
                yield entry
