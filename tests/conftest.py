"""Fixtures: the app over the embedded content, and small content trees written per test."""

from __future__ import annotations

import hashlib
import os
import textwrap
from pathlib import Path

import pytest
from form_support import form_values, parse  # noqa: F401  (tests import them from here)
from hypothesis import settings

from dxportal import create_app
from dxportal.build import leftovers
from dxportal.config import PROJECT_ROOT
from dxportal.content import parse_cache

EMBEDDED_CONTENT = PROJECT_ROOT / "content"

SITE_YML = """\
name:
  vi: Cổng thử nghiệm
  en: Test portal
description:
  vi: Mô tả thử nghiệm.
  en: A test description.
organisation:
  vi: Ban Chỉ đạo
  en: Steering Committee
address:
  vi: Địa chỉ
  en: Address
phone: "0000"
email: test@example.org
navigation:
  - section: news
  - page: about
"""
TAGS_YML = """\
ban-chi-dao:
  vi: Ban Chỉ đạo
  en: Steering Committee
"""


def page_text(title: str, date: str | None = "2021-03-03", body: str = "Nội dung.", **extra) -> str:
    lines = ["---", f"title: {title}"]
    if date:
        lines.append(f"date: {date}")
    lines += [f"{key}: {value}" for key, value in extra.items()]
    lines += ["---", "", body, ""]
    return "\n".join(lines)


@pytest.fixture(autouse=True, scope="session")
def session_cache_dir(tmp_path_factory) -> Path:
    """One disk cache for the whole run, outside the project (DXPORTAL_CACHE_DIR)."""
    folder = tmp_path_factory.mktemp("cache")
    previous = os.environ.get("DXPORTAL_CACHE_DIR")
    os.environ["DXPORTAL_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        del os.environ["DXPORTAL_CACHE_DIR"]
    else:
        os.environ["DXPORTAL_CACHE_DIR"] = previous


@pytest.fixture
def make_content(tmp_path: Path):
    """Write a content tree: {relative path: text or bytes}; site.yml and about are added."""

    def make(files: dict[str, str | bytes] | None = None, base: bool = True) -> Path:
        root = tmp_path / "content"
        defaults: dict[str, str | bytes] = {}
        if base:
            defaults = {
                "site.yml": SITE_YML,
                "tags.yml": TAGS_YML,
                "pages/about.vi.md": page_text("Giới thiệu", date=None),
                "pages/about.en.md": page_text("About", date=None, body="About us."),
            }
        for relative, data in {**defaults, **(files or {})}.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                path.write_bytes(data)
            else:
                path.write_text(textwrap.dedent(data) if data.startswith("\n") else data,
                                encoding="utf-8")  # fmt: skip
        (root / "media").mkdir(exist_ok=True)
        return root

    return make


@pytest.fixture
def app(tmp_path):
    return create_app({
        "DXPORTAL_CONTENT_DIR": str(EMBEDDED_CONTENT),
        "DXPORTAL_SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
        "TESTING": True,
    })  # fmt: skip


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def app_for(tmp_path):
    """An app over a given content folder (a preview app's watch is stopped afterwards)."""
    apps = []

    def build(content_dir: Path, **config) -> object:
        settings = {
            "DXPORTAL_CONTENT_DIR": str(content_dir),
            "DXPORTAL_BUILD_DIR": str(tmp_path / "build"),
            "DXPORTAL_SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
            "TESTING": True,
        }
        settings.update(config)
        app = create_app(settings)
        apps.append(app)
        return app

    yield build
    for app in apps:  # its observer's threads and inotify instance
        watch = app.extensions.get("dxportal.watch")
        if watch is not None:
            watch.stop()


# Browser fixtures (frozen site served on 127.0.0.1, headless Chromium) live in their own module;
# ci_support turns every skip into a failure when CI=true.
pytest_plugins = ["browser_support", "ci_support", "newsroom_support"]

# CI gates a landing, so its property tests run the same examples every time (a new
# counterexample found by a local run becomes a test row); local runs keep exploring.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")


def tree_digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` by relative path: two builds compared whole."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }  # fmt: skip


@pytest.fixture
def settled(monkeypatch) -> None:
    """Files and folders count as settled at once (they normally must be SETTLE_NS old)."""
    monkeypatch.setattr(parse_cache, "SETTLE_NS", 0)
    monkeypatch.setattr(leftovers, "SETTLE_NS", 0)
