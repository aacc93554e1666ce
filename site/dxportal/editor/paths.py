"""Where the editor may read and write: files under content/ only, named by validated parts.

Every address part (section, slug, language, media name, history version) is checked against
what the site accepts, after NFC normalisation, and the resulting path must resolve inside the
content folder: no `..`, absolute path, encoded slash or look-alike character gets out.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from dxportal.content.schema import MEDIA_DIR, SECTIONS
from dxportal.messages import LANGUAGES
from dxportal.slugs import is_slug

HISTORY_DIR = ".history"
VERSION_NAME = re.compile(r"^\d{8}T\d{6}\.\d{6}Z\.md$")
MEDIA_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\.(?:png|jpg|gif|webp|pdf)$")


class UnsafePath(ValueError):
    """A name that does not denote a file the editor may touch."""


def clean(part: str) -> str:
    part = unicodedata.normalize("NFC", part)
    if not part or part != part.strip() or any(c in part for c in "/\\%\x00") or ".." in part:
        raise UnsafePath(part)
    return part


def inside(root: Path, path: Path) -> Path:
    """``path`` if it resolves inside ``root`` (symbolic links followed), else UnsafePath."""
    resolved = path.resolve()
    if not resolved.is_relative_to(Path(root).resolve()):
        raise UnsafePath(str(path))
    return path


def page_file(root: Path, section: str, slug: str, lang: str) -> Path:
    """content/<section>/<slug>.<lang>.md, for a valid section, slug and language."""
    section, slug, lang = clean(section), clean(slug), clean(lang)
    if section not in SECTIONS or lang not in LANGUAGES or not is_slug(slug):
        raise UnsafePath(f"{section}/{slug}.{lang}")
    return inside(root, Path(root) / section / f"{slug}.{lang}.md")


def history_folder(root: Path, section: str, slug: str, lang: str) -> Path:
    page_file(root, section, slug, lang)
    return inside(root, Path(root) / HISTORY_DIR / section / f"{slug}.{lang}")


def history_file(root: Path, section: str, slug: str, lang: str, version: str) -> Path:
    version = clean(version)
    if not VERSION_NAME.match(version):
        raise UnsafePath(version)
    return inside(root, history_folder(root, section, slug, lang) / version)


def media_file(root: Path, name: str) -> Path:
    name = clean(name)
    if not MEDIA_NAME.match(name):
        raise UnsafePath(name)
    return inside(root, Path(root) / MEDIA_DIR / name)
