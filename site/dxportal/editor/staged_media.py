"""Uploads waiting for approval: with accounts, a file uploaded into a change is kept in
.newsroom/staged/media/ and moved into content/media/ when a change that names it is approved.

Every file in content/media/ is published by the next build, so an upload must not land there
before review. Until then the editor's preview serves staged files at the same /media/ address
(to a signed-in person only), and the form does not report them as missing.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import IO

from flask import Flask, abort, current_app, send_from_directory

from dxportal.content.schema import MEDIA_DIR
from dxportal.editor.paths import media_file
from dxportal.editor.uploads import save_upload

STAGED_DIR = "staged"


def staged_root(folder: Path) -> Path:
    return folder / STAGED_DIR


def stage_upload(
    folder: Path, content_root: Path, filename: str, stream: IO[bytes], limit: int, text: str
) -> tuple[str, str]:
    """Store an upload in the staging folder under a name free in content/media/ too."""
    root = staged_root(folder)
    name, extension = save_upload(root, filename, stream, limit, text)
    if (content_root / MEDIA_DIR / name).exists():
        stem = name.rsplit(".", 1)[0]
        for number in range(2, 1000):
            candidate = f"{stem}-{number}.{extension}"
            if not (content_root / MEDIA_DIR / candidate).exists() and not (
                media_file(root, candidate).exists()
            ):
                media_file(root, name).rename(media_file(root, candidate))
                return candidate, extension
    return name, extension


def staged_names(folder: Path) -> set[str]:
    media = staged_root(folder) / MEDIA_DIR
    return {p.name for p in media.iterdir() if p.is_file()} if media.is_dir() else set()


def publish_staged(folder: Path, content_root: Path, text: str) -> list[Path]:
    """Move the staged files ``text`` names into content/media/; the paths now published."""
    moved = []
    for name in sorted(staged_names(folder)):
        if name in text:
            target = media_file(content_root, name)
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(media_file(staged_root(folder), name), target)
            moved.append(target)
    return moved


def names_staged(problem_values: dict, names: set[str]) -> bool:
    """True when a problem is about a staged file (it is not missing, only not yet approved)."""
    return any(str(value).removeprefix("/media/") in names for value in problem_values.values())


def serve_staged_too(app: Flask, folder_of: Callable[[], Path], allowed: Callable[[], bool]):
    """Let the preview's /media/ fall back to the staging folder for a signed-in person."""
    original = app.view_functions["site.media"]

    def media(filename: str):
        folder = staged_root(folder_of()) / MEDIA_DIR
        if (
            not (Path(current_app.config["DXPORTAL_CONTENT_DIR"]) / MEDIA_DIR / filename).exists()
            and (folder / filename).is_file()
        ):
            if not allowed():
                abort(404)
            response = send_from_directory(folder, filename)
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["Cache-Control"] = "no-store"
            return response
        return original(filename)

    app.view_functions["site.media"] = media
