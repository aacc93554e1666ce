"""What each output of a build depends on: a key per address.

Every output address gets a *key*: a hash of everything its bytes can depend on.

- Everything (``site_key``): dxportal's code, templates and static files, the renderer's
  libraries and settings (rendering.renderer_version), the translations, the
  settings, site.yml, tags.yml, the media files and the static pages' front matter (their
  titles are in the navigation of every page).
- An article, document, outreach material or static page: its own files (every language).
- A feed: the files of its section (feeds carry the full text).
- Any other page (home, lists, tags, sitemap, goals, training, filters, calendars, redirects):
  the front matter of every published page and the status of every training call.

The build record (record.py) keeps each file's key; a later build renders only the addresses
whose key changed or whose file is not as it was left. A later step (say a search index) can
key its own outputs with Dependencies.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask

from dxportal.cache import PACKAGE_DIR, code_version, hash_files, hash_text
from dxportal.content.clock import site_now
from dxportal.content.model import ContentSet
from dxportal.deploy.manifest import MANIFEST_NAME
from dxportal.messages import LANGUAGES
from dxportal.programme.training import call_status
from dxportal.rendering import renderer_version

# Sections whose entry pages show nothing but the entry itself (and what site_key covers).
SELF_CONTAINED = {"news", "documents", "outreach", "pages"}


ENTRY_ENDPOINTS = {"portal.entry", "portal.static_page"}


# Settings that do not change a byte of output (where it is written, where caches live).
UNRELATED_SETTINGS = {
    "FREEZER_DESTINATION", "DXPORTAL_BUILD_DIR", "DXPORTAL_CACHE_DIR", "DXPORTAL_WORKERS",
    "DXPORTAL_TRUSTED_HOSTS",
}  # fmt: skip


# Files written beside the pages after freezing (pipeline.write_host_files, write_manifest).
HOST_FILES = {"_headers", ".nojekyll", MANIFEST_NAME}


# Folders written after freezing by steps that keep their own files up to date (the static
# search index, search/export.py): the freezer leaves them alone.
AFTER_FREEZE_FOLDERS = tuple(f"{lang}/search/data/" for lang in LANGUAGES)


def files_under(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [
        p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ]  # fmt: skip


def page_meta(page) -> str:
    return f"{page.section}/{page.slug}.{page.lang}:{page.meta!r}"


@dataclass
class Dependencies:
    """The keys of the outputs of one site at one moment."""

    app: Flask
    site: ContentSet
    site_key: str = ""
    meta_key: str = ""
    section_keys: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        app, site = self.app, self.site
        settings = {
            k: str(v)
            for k, v in app.config.items()
            if k.startswith(("DXPORTAL_", "FREEZER_")) and k not in UNRELATED_SETTINGS
        }
        settings.pop("DXPORTAL_NOW", None)  # its only effects are in meta_key
        media = [
            f"{p.relative_to(site.root).as_posix()}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
            for p in sorted(files_under(site.media_dir))
        ]
        static_pages = [page_meta(p) for p in site.pages() if p.section == "pages"]
        translations = Path(app.config["DXPORTAL_TRANSLATIONS_DIR"])
        self.site_key = hash_text(
            code_version(),
            renderer_version(),  # the libraries' versions: an upgrade may change every body
            hash_files(files_under(PACKAGE_DIR), PACKAGE_DIR),
            hash_files(files_under(translations), translations),
            json.dumps(settings, sort_keys=True),
            *(
                (site.root / name).read_bytes() if (site.root / name).is_file() else b""
                for name in ("site.yml", "tags.yml")
            ),
            *media,
            *static_pages,
        )
        now = site_now(app.config["DXPORTAL_NOW"])
        statuses = [
            f"{p.slug}.{p.lang}:{call_status(p, now)}"
            for p in site.pages()
            if p.section == "training"
        ]
        self.meta_key = hash_text(
            self.site_key, *sorted(page_meta(p) for p in site.pages()), *statuses
        )
        digests: dict[str, list[str]] = {}
        for page in site.pages():
            digests.setdefault(page.section, []).append(f"{page.slug}.{page.lang}:{page.digest}")
        self.section_keys = {s: hash_text(*sorted(d)) for s, d in digests.items()}

    def key(self, url: str, endpoint: str | None, values: dict[str, Any] | None) -> str:
        values = values or {}
        if endpoint in ENTRY_ENDPOINTS:
            section = values.get("section", "pages")
            entry = self.site.entry(section, values.get("slug", ""))
            versions = (
                sorted(f"{p.lang}:{p.digest}" for p in entry.versions.values()) if entry else []
            )
            if section in SELF_CONTAINED:
                return hash_text(self.site_key, url, *versions)
            return hash_text(self.meta_key, url, *versions)
        if endpoint == "static" or endpoint == "site.media":
            return hash_text(self.site_key, url)
        if endpoint == "portal.section_feed":
            section = values.get("section", "")
            return hash_text(self.meta_key, url, self.section_keys.get(section, ""))
        return hash_text(self.meta_key, url)
