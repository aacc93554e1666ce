"""Default settings in one place, one prefix; override with test_config or DXPORTAL_* env."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]

DEFAULTS = {
    # Where the Markdown content, site.yml, tags.yml and media/ live.
    "DXPORTAL_CONTENT_DIR": str(PROJECT_ROOT / "content"),
    # Gettext catalogs (vi, en); .mo files are compiled from .po on start and by the build.
    "DXPORTAL_TRANSLATIONS_DIR": str(PROJECT_ROOT / "translations"),
    # The Whoosh search index (one folder per language), rebuilt when the content changes.
    "DXPORTAL_SEARCH_INDEX_DIR": str(PROJECT_ROOT / "search_index"),
    # Where `dxportal build` / freeze.py writes the static site.
    "DXPORTAL_BUILD_DIR": str(PROJECT_ROOT / "build"),
    # The public address of the site, with its sub-path if any: https://example.org/portal/
    "DXPORTAL_BASE_URL": "http://127.0.0.1:5000/",
    # Preview mode: drafts are shown with a banner; content is re-read when files change.
    "DXPORTAL_PREVIEW": False,
    # Items per page on section and tag lists.
    "DXPORTAL_PER_PAGE": 10,
    # Items in the Atom feeds.
    "DXPORTAL_FEED_SIZE": 20,
    # "Now" (local time, ISO 8601, e.g. 2026-12-01T08:00) for scheduled publishing and
    # training-call statuses; empty means the clock.
    "DXPORTAL_NOW": "",
    # The browser editor at /edit/ (`dxportal serve --edit`; preview apps only, never frozen).
    "DXPORTAL_EDITOR": False,
    # A werkzeug password hash (`dxportal editor-password`); required off the loopback address.
    "DXPORTAL_EDITOR_PASSWORD_HASH": "",
    # The largest file the editor accepts as an upload, in bytes.
    "DXPORTAL_EDITOR_MAX_UPLOAD": 10 * 1024 * 1024,
    # Rendered Markdown, parsed front matter and build records, kept between runs (git ignores
    # it). Safe to delete at any time; empty turns the disk caches off.
    "DXPORTAL_CACHE_DIR": str(PROJECT_ROOT / ".cache"),
    # Processes that freeze pages in parallel; 0 means one per core (at most 4).
    "DXPORTAL_WORKERS": 0,
}


def from_environment() -> dict[str, object]:
    """DXPORTAL_* environment variables that override the defaults (strings, ints, booleans)."""
    overrides: dict[str, object] = {}
    for key, default in DEFAULTS.items():
        raw = os.environ.get(key)
        if raw is None:
            continue
        if isinstance(default, bool):
            overrides[key] = raw.strip().lower() in ("1", "true", "yes", "on")
        elif isinstance(default, int):
            overrides[key] = int(raw)
        else:
            overrides[key] = raw
    return overrides
