"""Build speed without changing a byte: disk caches, incremental and parallel freezing.

An incremental build must equal a clean build file by file; a damaged or stale cache must
never show in the output.
"""

from __future__ import annotations

import gc
import os
import pickle
import re
import shutil
import time
from pathlib import Path

import flask_babel
import jinja2
import pytest
from flask import Flask, g, render_template_string, request
from flask_frozen import Freezer

from dxportal import cache, create_app, rendering
from dxportal.build import incremental, leftovers
from dxportal.build.freezing import freeze_site, looks_built, spare_folder
from dxportal.content import body_checks, loader, parse_cache
from dxportal.content.checks import check_content
from dxportal.content.clock import local_now
from dxportal.content.errors import ContentError
from dxportal.content.loader import load_content, published_content, read_content
from dxportal.rendering import Renderer
from dxportal.search.static import export
from dxportal.web import store

from conftest import EMBEDDED_CONTENT, page_text, parse, tree_digest

BODY = """Mở đầu với [liên kết nội bộ](/vi/news/bai-2/).

## Đổi mới số

| Hạng mục | Số |
|---|---:|
| Hồ sơ | 12 |

Chú thích[^1].

[^1]: Nguồn: Báo Đồng Khởi.
"""


def corpus(make_content) -> Path:
    files = {}
    for number in range(1, 7):
        tags = "[ban-chi-dao]" if number % 2 else "[]"
        files[f"news/bai-{number}.vi.md"] = page_text(
            f"Bài số {number}", date=f"2021-03-{number:02d}", tags=tags, body=BODY
        )
    files["news/bai-1.en.md"] = page_text("Article one", date="2021-03-01", body="In English.")
    return make_content(files)


def build(root: Path, destination: Path, cache_dir: Path, **config) -> Path:
    settings = {
        "DXPORTAL_CONTENT_DIR": str(root),
        "DXPORTAL_CACHE_DIR": str(cache_dir),
        "DXPORTAL_NOW": "2026-01-01T00:00",
    }
    app = create_app({**settings, **config})
    freeze_site(app, destination)
    return destination


def count_rendered(monkeypatch) -> list[str]:
    rendered: list[str] = []
    real = incremental.build_one

    def spy(freezer, client, url):
        rendered.append(url)
        return real(freezer, client, url)

    monkeypatch.setattr(incremental, "build_one", spy)
    return rendered


EDITS = {
    "body": lambda root: (root / "news/bai-3.vi.md").write_text(
        page_text("Bài số 3", date="2021-03-03", tags="[ban-chi-dao]", body="Đã sửa lỗi."),
        encoding="utf-8",
    ),
    "title": lambda root: (root / "news/bai-2.vi.md").write_text(
        page_text("Tiêu đề mới", date="2021-03-02", body=BODY), encoding="utf-8"
    ),
    "new article": lambda root: (root / "news/bai-9.vi.md").write_text(
        page_text("Bài mới", date="2021-04-01", tags="[ban-chi-dao]"), encoding="utf-8"
    ),
    "deleted article": lambda root: (root / "news/bai-5.vi.md").unlink(),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_incremental_build_equals_a_clean_build(tmp_path, make_content, monkeypatch, edit):
    # In forked processes, as at scale: the search index is patched beside the freeze.
    monkeypatch.setattr(export, "PARALLEL_THRESHOLD", 1)
    root = corpus(make_content)
    site, caches = tmp_path / "site", tmp_path / "cache"
    build(root, site, caches)
    build(root, site, caches)  # the replaced build is kept as the base of the next one
    EDITS[edit](root)
    rendered = count_rendered(monkeypatch)
    build(root, site, caches)
    rendered = list(rendered)
    total = len(tree_digest(site)) - 1  # every page and file but _headers

    clean = build(root, tmp_path / "clean", tmp_path / "empty-cache")
    assert tree_digest(site) == tree_digest(clean)
    assert 0 < len(rendered) < total, rendered  # it did build incrementally
    if edit == "body":
        assert set(rendered) == {
            "/vi/news/bai-3/", "/en/news/bai-3/", "/vi/news/feed.xml", "/en/news/feed.xml"
        }  # fmt: skip


def test_an_unchanged_file_in_the_build_folder_is_not_rewritten(tmp_path, make_content):
    root = corpus(make_content)
    site, caches = tmp_path / "site", tmp_path / "cache"
    build(root, site, caches)
    build(root, site, caches)  # the first build is now kept as the spare, the next base
    spare = spare_folder(site.resolve(), caches)
    before = (spare / "vi/news/bai-4/index.html").stat().st_mtime_ns
    EDITS["body"](root)
    build(root, site, caches)
    assert (site / "vi/news/bai-4/index.html").stat().st_mtime_ns == before
    assert "Đã sửa lỗi." in (site / "vi/news/bai-3/index.html").read_text(encoding="utf-8")


def test_a_build_file_changed_by_hand_is_rendered_again(tmp_path, make_content):
    root = corpus(make_content)
    site, caches = tmp_path / "site", tmp_path / "cache"
    build(root, site, caches)
    build(root, site, caches)
    spare = spare_folder(site.resolve(), caches)
    (spare / "vi/news/bai-4/index.html").write_text("hỏng", encoding="utf-8")
    build(root, site, caches)
    assert tree_digest(site) == tree_digest(build(root, tmp_path / "clean", tmp_path / "c2"))


def test_a_build_after_deleting_the_build_folder_starts_from_the_kept_one(
    tmp_path, make_content, monkeypatch
):
    root = corpus(make_content)
    site, caches = tmp_path / "site", tmp_path / "cache"
    build(root, site, caches)
    build(root, site, caches)
    assert not (tmp_path / ".site.spare").exists()  # kept in the cache folder, not beside
    shutil.rmtree(site)
    EDITS["body"](root)
    rendered = count_rendered(monkeypatch)
    build(root, site, caches)
    assert len(rendered) == 4  # the edited article and its feed, in both languages
    assert tree_digest(site) == tree_digest(build(root, tmp_path / "clean", tmp_path / "c2"))


def test_without_a_cache_folder_the_replaced_build_is_kept_beside(tmp_path, make_content):
    root = corpus(make_content)
    site = tmp_path / "site"
    build(root, site, "", DXPORTAL_CACHE_DIR="")
    build(root, site, "", DXPORTAL_CACHE_DIR="")
    assert looks_built(tmp_path / ".site.spare")


def test_a_build_kept_beside_is_removed_once_the_cache_keeps_it(tmp_path, make_content):
    root = corpus(make_content)
    site = tmp_path / "site"
    build(root, site, "", DXPORTAL_CACHE_DIR="")
    build(root, site, "", DXPORTAL_CACHE_DIR="")
    assert looks_built(tmp_path / ".site.spare")
    build(root, site, tmp_path / "cache")  # a cache folder from now on
    assert not (tmp_path / ".site.spare").exists()
    assert looks_built(spare_folder(site, tmp_path / "cache"))


def test_the_replaced_build_is_kept_beside_when_the_cache_is_on_another_file_system(
    tmp_path, monkeypatch
):
    cache_dir, destination = tmp_path / "cache", tmp_path / "out" / "site"
    destination.parent.mkdir()
    assert spare_folder(destination, cache_dir).is_relative_to(cache_dir)
    real_stat = Path.stat

    def other_device(path, **kwargs):
        found = real_stat(path, **kwargs)
        if path == cache_dir / "spares":
            return os.stat_result((*found[:2], found.st_dev + 1, *found[3:]))
        return found

    monkeypatch.setattr(Path, "stat", other_device)
    assert spare_folder(destination, cache_dir) == tmp_path / "out" / ".site.spare"


def test_the_number_of_workers_renders_nothing_again(tmp_path, make_content, monkeypatch):
    root = corpus(make_content)
    site, caches = tmp_path / "site", tmp_path / "cache"
    build(root, site, caches, DXPORTAL_WORKERS=2)
    build(root, site, caches, DXPORTAL_WORKERS=2)
    rendered = count_rendered(monkeypatch)
    build(root, site, caches, DXPORTAL_WORKERS=1)
    assert rendered == []


def test_two_worker_processes_write_the_same_site_as_one(tmp_path, make_content, monkeypatch):
    root = corpus(make_content)
    monkeypatch.setattr(incremental, "PARALLEL_THRESHOLD", 1)
    one = build(root, tmp_path / "one", tmp_path / "c1", DXPORTAL_WORKERS=1)
    two = build(root, tmp_path / "two", tmp_path / "c2", DXPORTAL_WORKERS=2)
    assert tree_digest(one) == tree_digest(two)


def test_workers_get_both_languages_of_a_page(tmp_path):
    urls = [f"/{lang}/news/bai-{n}/" for n in range(40) for lang in ("vi", "en")]
    urls += ["/", "/sitemap.xml", "/static/css/site.css", "/vi/", "/en/"]
    shares = incremental.split_urls(urls, 2)
    assert sorted(u for share in shares for u in share) == sorted(urls)
    assert all(shares)
    for share in shares:
        for url in share:
            if url.startswith("/vi/"):
                assert "/en/" + url[4:] in share


def test_a_failing_page_in_a_worker_fails_the_build(tmp_path, make_content, monkeypatch):
    root = corpus(make_content)
    monkeypatch.setattr(incremental, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(export, "PARALLEL_THRESHOLD", 1)  # the index's processes are stopped
    import dxportal.web.views

    real = dxportal.web.views.render_template

    def explode(template, **context):
        if template == "entry.html" and context["page"].slug == "bai-2":
            raise RuntimeError("boom")
        return real(template, **context)

    monkeypatch.setattr(dxportal.web.views, "render_template", explode)
    with pytest.raises(ValueError, match="Unexpected status '500"):
        build(root, tmp_path / "site", tmp_path / "c", DXPORTAL_WORKERS=2)
    assert not (tmp_path / "site").exists()


# --- the Markdown cache --------------------------------------------------------------------


def cache_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_rendered_markdown_is_kept_on_disk_and_reused(tmp_path, monkeypatch):
    html = Renderer(tmp_path).render(BODY, "vi")
    assert len(cache_files(tmp_path)) == 1

    def fail(*args):
        raise AssertionError("rendered again")

    monkeypatch.setattr(Renderer, "_render", fail)
    assert Renderer(tmp_path).render(BODY, "vi") == html


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped", "empty"])
def test_a_corrupt_cache_entry_does_not_change_the_output(tmp_path, damage):
    expected = Renderer(None).render(BODY, "vi")
    Renderer(tmp_path).render(BODY, "vi")
    (entry,) = cache_files(tmp_path)
    data = entry.read_bytes()
    entry.write_bytes({
        "garbage": b"<script>alert(1)</script>",
        "truncated": data[: len(data) // 2],
        "flipped": data[:40] + bytes([data[40] ^ 1]) + data[41:],
        "empty": b"",
    }[damage])  # fmt: skip
    assert Renderer(tmp_path).render(BODY, "vi") == expected
    assert Renderer(tmp_path).render(BODY, "vi") == expected  # and the entry was repaired


def test_changing_the_renderer_invalidates_the_cache(tmp_path, monkeypatch):
    before = Renderer(tmp_path).render(BODY, "vi")
    assert 'id="đổi-mới-số"' in before or 'id="doi-moi-so"' in before
    version = rendering.renderer_version()
    attributes = dict(rendering.ALLOWED_ATTRIBUTES, h2=set())
    monkeypatch.setattr(rendering, "ALLOWED_ATTRIBUTES", attributes)
    assert rendering.renderer_version() != version
    after = Renderer(tmp_path).render(BODY, "vi")
    assert "<h2>Đổi mới số</h2>" in after
    assert after == Renderer(None).render(BODY, "vi")


def test_the_library_versions_are_part_of_the_renderer_version(monkeypatch):
    version = rendering.renderer_version()
    monkeypatch.setattr(rendering.markdown, "__version__", "0.0.0")
    assert rendering.renderer_version() != version


# --- the front-matter cache ----------------------------------------------------------------


def pages_of(site) -> dict[str, tuple]:
    return {
        p.source_path.name: (p.meta, p.meta_lines, p.body, p.body_line, p.digest)
        for p in site.pages()
    }


def test_the_front_matter_cache_gives_what_a_fresh_parse_gives(tmp_path, make_content):
    root = corpus(make_content)
    fresh = pages_of(load_content(root))
    assert pages_of(load_content(root, cache_dir=tmp_path / "c")) == fresh
    assert cache_files(tmp_path / "c")
    assert pages_of(load_content(root, cache_dir=tmp_path / "c")) == fresh


def test_a_changed_file_is_always_read_again(tmp_path, make_content):
    root = corpus(make_content)
    load_content(root, cache_dir=tmp_path / "c")
    EDITS["title"](root)
    site = load_content(root, cache_dir=tmp_path / "c")
    assert site.entry("news", "bai-2").version("vi").title == "Tiêu đề mới"


def test_a_corrupt_front_matter_cache_is_ignored(tmp_path, make_content):
    root = corpus(make_content)
    fresh = pages_of(load_content(root))
    load_content(root, cache_dir=tmp_path / "c")
    for entry in cache_files(tmp_path / "c"):
        data = entry.read_bytes()
        entry.write_bytes(data[:-7] + b"garbage")
    assert pages_of(load_content(root, cache_dir=tmp_path / "c")) == fresh


def test_a_code_change_reads_every_file_again(tmp_path, make_content, monkeypatch):
    root = corpus(make_content)
    load_content(root, cache_dir=tmp_path / "c")
    monkeypatch.setattr(cache, "_code_version", "another version of dxportal")
    load_content(root, cache_dir=tmp_path / "c")
    versions = {p.relative_to(tmp_path / "c").parts[1] for p in cache_files(tmp_path / "c")}
    assert len(versions) == 2


def test_the_code_version_covers_the_subpackages(tmp_path, monkeypatch):
    (tmp_path / "search").mkdir()
    (tmp_path / "app.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "search" / "terms.py").write_text("y = 1\n", encoding="utf-8")
    monkeypatch.setattr(cache, "PACKAGE_DIR", tmp_path)
    monkeypatch.setattr(cache, "_code_version", None)
    before = cache.code_version()
    (tmp_path / "search" / "terms.py").write_text("y = 2\n", encoding="utf-8")
    monkeypatch.setattr(cache, "_code_version", None)
    assert cache.code_version() != before


def test_errors_are_reported_with_a_warm_cache(tmp_path, make_content):
    root = corpus(make_content)
    load_content(root, cache_dir=tmp_path / "c")
    (root / "news/bai-2.vi.md").write_text("---\ntitle: x\ndate: 3/3/2021\n---\n", "utf-8")
    with pytest.raises(Exception, match="date"):
        load_content(root, cache_dir=tmp_path / "c")


@pytest.fixture
def settled(monkeypatch) -> None:
    """Files and folders count as settled at once (they normally must be SETTLE_NS old)."""
    monkeypatch.setattr(parse_cache, "SETTLE_NS", 0)
    monkeypatch.setattr(leftovers, "SETTLE_NS", 0)


def count_reads(monkeypatch) -> list[str]:
    read: list[str] = []
    real = loader.read_text

    def spy(path, problems):
        read.append(path.name)
        return real(path, problems)

    monkeypatch.setattr(loader, "read_text", spy)
    return read


def test_unchanged_files_are_not_read_again(tmp_path, make_content, monkeypatch, settled):
    root = corpus(make_content)
    fresh = pages_of(load_content(root))
    load_content(root, cache_dir=tmp_path / "c")
    read = count_reads(monkeypatch)
    site = load_content(root, cache_dir=tmp_path / "c")
    assert read == []
    assert pages_of(site) == fresh  # bodies read from the files when asked
    EDITS["body"](root)
    read.clear()
    site = load_content(root, cache_dir=tmp_path / "c")
    assert read == ["bai-3.vi.md"]
    assert pages_of(site) == pages_of(load_content(root))


def test_a_file_changed_with_its_size_and_time_restored_is_read_again(
    tmp_path, make_content, settled
):
    root = corpus(make_content)
    path = root / "news/bai-2.vi.md"
    before = path.stat()
    load_content(root, cache_dir=tmp_path / "c")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Bài số 2", "Bài số 8"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    site = load_content(root, cache_dir=tmp_path / "c")
    assert site.entry("news", "bai-2").version("vi").title == "Bài số 8"


def test_a_file_changed_within_a_clock_tick_is_read_again(tmp_path, make_content, monkeypatch):
    """A file system whose clock did not move between two writes: stat says nothing changed."""
    root = corpus(make_content)
    real = loader.file_identity
    monkeypatch.setattr(
        loader, "file_identity", lambda path, now: real(path, now) and (1, 2, 3, 4, 5)
    )
    load_content(root, cache_dir=tmp_path / "c")  # just written: too recent to be trusted
    EDITS["title"](root)
    site = load_content(root, cache_dir=tmp_path / "c")
    assert site.entry("news", "bai-2").version("vi").title == "Tiêu đề mới"


def test_a_body_never_comes_from_another_version_of_the_file(tmp_path, make_content, settled):
    root = corpus(make_content)
    load_content(root, cache_dir=tmp_path / "c")
    site = load_content(root, cache_dir=tmp_path / "c")
    EDITS["body"](root)  # after the front matter was read, before the body is asked for
    with pytest.raises(ContentError, match="changed"):
        _ = site.entry("news", "bai-3").version("vi").body
    assert (
        "Đã sửa lỗi."
        in load_content(root, cache_dir=tmp_path / "c").entry("news", "bai-3").version("vi").body
    )


def test_page_files_are_found_as_rglob_finds_them(tmp_path):
    for relative in ["news/a.vi.md", "news/a-b.vi.md", "news-x/c.vi.md", "news/.h.vi.md",
                     ".hidden/d.vi.md", "media/e.vi.md", "pages/media/f.vi.md", "x/y/z.vi.md",
                     "top.md", "news/g.vi.txt", "news/sub/h.en.md"]:  # fmt: skip
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("x", encoding="utf-8")
    expected = [
        p for p in sorted(tmp_path.rglob("*.md"))
        if not any(part.startswith(".") for part in p.relative_to(tmp_path).parts)
        and p.relative_to(tmp_path).parts[0] != "media"
    ]  # fmt: skip
    assert loader.find_page_files(tmp_path) == expected
    assert len(expected) == 7


# --- leftovers of the earlier build ---------------------------------------------------------


def test_files_added_to_an_earlier_build_are_removed(tmp_path, make_content, monkeypatch, settled):
    root = corpus(make_content)
    site, caches = tmp_path / "site", tmp_path / "cache"
    build(root, site, caches)
    build(root, site, caches)
    spare = spare_folder(site.resolve(), caches)
    (spare / "vi/news/bai-4/extra.html").write_text("x", encoding="utf-8")
    (spare / "stray/inner").mkdir(parents=True)
    (spare / "stray/inner/x.txt").write_text("x", encoding="utf-8")
    (spare / "vi/tags/empty").mkdir()
    listed: list[set[str]] = []
    real = incremental.changed_folders
    monkeypatch.setattr(
        incremental, "changed_folders", lambda *a: listed.append(real(*a)[0]) or real(*a)
    )
    EDITS["deleted article"](root)
    build(root, site, caches)
    assert listed == [{"", "vi/news/bai-4", "vi/tags"}]  # only the folders changed by hand
    clean = build(root, tmp_path / "clean", tmp_path / "c2")
    assert tree_digest(site) == tree_digest(clean)
    folders = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_dir())
    assert folders == sorted(
        p.relative_to(clean).as_posix() for p in clean.rglob("*") if p.is_dir()
    )


def test_recently_changed_folders_are_listed_again(tmp_path):
    (tmp_path / "a/b").mkdir(parents=True)
    (tmp_path / "a/b/index.html").write_text("x", encoding="utf-8")
    now = time.time_ns()
    assert leftovers.folder_stamps(tmp_path, ["a/b/index.html"], now) == {"a": None, "a/b": None}
    later = now + 2 * leftovers.SETTLE_NS
    stamps = leftovers.folder_stamps(tmp_path, ["a/b/index.html"], later)
    assert stamps == {"a": (tmp_path / "a").stat().st_mtime_ns,
                      "a/b": (tmp_path / "a/b").stat().st_mtime_ns}  # fmt: skip
    assert leftovers.changed_folders(tmp_path, stamps)[0] == {""}
    (tmp_path / "a/b/new.html").write_text("x", encoding="utf-8")
    os.utime(tmp_path / "a/b", ns=(stamps["a/b"], stamps["a/b"]))  # a clock that did not move
    assert leftovers.changed_folders(tmp_path, stamps)[0] == {""}  # hence stamps must be settled


def test_a_file_added_to_a_folder_during_a_build_is_removed_later(
    tmp_path, make_content, monkeypatch, settled
):
    root = corpus(make_content)
    site, caches = tmp_path / "site", tmp_path / "cache"
    build(root, site, caches)
    build(root, site, caches)
    real = incremental.build_one

    def meddling(freezer, client, url):  # something else writes while the build runs
        (freezer.root / "vi/news/bai-4/extra.html").write_text("x", encoding="utf-8")
        return real(freezer, client, url)

    monkeypatch.setattr(incremental, "build_one", meddling)
    EDITS["body"](root)
    build(root, site, caches)
    monkeypatch.setattr(incremental, "build_one", real)
    assert (site / "vi/news/bai-4/extra.html").is_file()
    build(root, site, caches)
    build(root, site, caches)  # starts from the folder written to meanwhile
    assert tree_digest(site) == tree_digest(build(root, tmp_path / "clean", tmp_path / "c2"))


# --- the preview -----------------------------------------------------------------------------


def test_the_preview_shows_an_edit_without_a_restart(tmp_path, make_content, app_for):
    root = corpus(make_content)
    app = app_for(root, DXPORTAL_PREVIEW=True, DXPORTAL_CACHE_DIR=str(tmp_path / "c"))
    client = app.test_client()
    assert parse(client.get("/vi/news/bai-3/")).h1.get_text() == "Bài số 3"
    (root / "news/bai-3.vi.md").write_text(
        page_text("Bài đã sửa", date="2021-03-03", body="Nội dung mới."), encoding="utf-8"
    )
    page = parse(client.get("/vi/news/bai-3/"))
    assert page.h1.get_text() == "Bài đã sửa"
    assert "Nội dung mới." in page.select_one(".prose").get_text()


def test_the_preview_looks_at_the_files_once_per_request(
    tmp_path, make_content, app_for, monkeypatch
):
    root = corpus(make_content)
    # Without a change journal (not Linux, a network filesystem): every file is looked at.
    monkeypatch.setattr(store.ChangeJournal, "open", classmethod(lambda cls, *a, **k: None))
    app = app_for(root, DXPORTAL_PREVIEW=True, DXPORTAL_CACHE_DIR=str(tmp_path / "c"))
    client = app.test_client()
    client.get("/vi/news/bai-1/")
    looked = []
    real = store.content_fingerprint
    monkeypatch.setattr(store, "content_fingerprint", lambda r: looked.append(r) or real(r))
    assert client.get("/vi/news/bai-1/").status_code == 200  # tags, site, page: one look
    assert len(looked) == 1
    (root / "news/bai-1.vi.md").write_text(page_text("Bài đã sửa", date="2021-03-01"), "utf-8")
    assert parse(client.get("/vi/news/bai-1/")).h1.get_text() == "Bài đã sửa"
    assert len(looked) == 2


def test_incremental_builds_of_the_programme_sections_equal_clean_builds(tmp_path):
    """The embedded content: goals (related news), training (statuses, .ics), outreach, …"""
    root = tmp_path / "content"
    shutil.copytree(EMBEDDED_CONTENT, root)
    site, caches = tmp_path / "site", tmp_path / "cache"
    now = {"DXPORTAL_NOW": "2026-12-01T00:00"}
    build(root, site, caches, **now)
    build(root, site, caches, **now)
    news = root / "news/hop-ban-chi-dao-chuyen-doi-so-lan-thu-nhat.vi.md"
    text = news.read_text(encoding="utf-8")  # its tag is a goal's related tag: the goal lists it
    news.write_text(text.replace("Họp Ban Chỉ đạo", "Phiên họp Ban Chỉ đạo", 1), encoding="utf-8")
    goal = next((root / "goals").glob("*.vi.md"))
    text = goal.read_text(encoding="utf-8")
    text = re.sub(r"^title: .*$", "title: 'Ví dụ: chỉ tiêu đã đổi tên'", text, count=1, flags=re.M)
    goal.write_text(text, encoding="utf-8")
    build(root, site, caches, **now)
    clean = build(root, tmp_path / "clean", tmp_path / "c2", **now)
    assert tree_digest(site) == tree_digest(clean)
    # three days before a deadline a call is closing soon, and nothing else changed (the
    # build before is built again first: each build starts from the one before the last)
    build(root, site, caches, **now)
    later = {"DXPORTAL_NOW": "2027-01-05T00:00"}
    build(root, site, caches, **later)
    clean = build(root, tmp_path / "clean-later", tmp_path / "c3", **later)
    assert tree_digest(site) == tree_digest(clean)


# --- the freezing loop ---------------------------------------------------------------------


def test_pages_are_frozen_as_frozen_flasks_own_loop_freezes_them(tmp_path, monkeypatch):
    """incremental.build_one (no test client, url_for answers remembered) against Freezer's."""
    settings = {
        "DXPORTAL_BASE_URL": "https://example.org/portal/",
        "DXPORTAL_WORKERS": 1,
        "DXPORTAL_NOW": "2026-12-01T00:00",
    }
    ours = build(EMBEDDED_CONTENT, tmp_path / "ours", tmp_path / "c1", **settings)
    monkeypatch.setattr(
        incremental, "build_one", lambda freezer, client, url: freezer._build_one(url)
    )
    theirs = build(EMBEDDED_CONTENT, tmp_path / "theirs", tmp_path / "c2", **settings)
    assert tree_digest(ours) == tree_digest(theirs)


def tiny_freezer(tmp_path, base_url: str | None = None) -> Freezer:
    app = Flask(__name__)
    app.config.update(FREEZER_DESTINATION=str(tmp_path / "out"), FREEZER_BASE_URL=base_url)
    app.config.update(FREEZER_REDIRECT_POLICY="error")  # as freeze_site sets it
    seen = app.extensions["seen"] = []

    @app.route("/<name>/")
    def page(name: str):
        seen.append({k: v for k, v in request.environ.items() if isinstance(v, str | bool)})
        return render_template_string(
            "{{ url_for('extra', n=1) }} {{ url_for('page', name='x', _external=true) }}"
        )

    @app.route("/extra/<int:n>/")
    def extra(n: int):
        return "extra"

    return Freezer(app, with_static_files=False, log_url_for=True)


@pytest.mark.parametrize("base_url", [None, "https://example.org/portal/"])
@pytest.mark.parametrize("url", ["/a/", "/ngh%C4%A9a/", "/nghĩa/", "/a b/"])
def test_the_app_sees_the_environ_of_the_test_client(tmp_path, url, base_url):
    freezer = tiny_freezer(tmp_path, base_url)
    app = freezer.app
    freezer.root.mkdir()
    with app.test_request_context():
        incremental.build_one(freezer, incremental.PageClient(freezer), url)
        freezer._build_one(url)
    ours, theirs = app.extensions["seen"]
    assert ours == theirs


def test_remembered_url_for_answers_still_report_every_pages_links(tmp_path, monkeypatch):
    freezer = tiny_freezer(tmp_path, "https://example.org/portal/")
    freezer.root.mkdir()
    calls = []
    real = Flask.url_for

    def counting(self, endpoint, **values):
        calls.append(request.path)  # "/" while the links found are resolved
        return real(self, endpoint, **values)

    monkeypatch.setattr(Flask, "url_for", counting)
    found = incremental.build_urls(freezer.app, freezer, ["/a/", "/b/"], {"/a/", "/b/"})
    links = [("/extra/1/", "extra"), ("/x/", "page")]  # no generator gives them
    assert found == {"/a/": links, "/b/": links}
    page = (freezer.root / "b/index.html").read_text(encoding="utf-8")
    assert page == "/portal/extra/1/ https://example.org/portal/x/"
    assert calls.count("/a/") == 2 and "/b/" not in calls  # the second page's from memory


# --- one reading of the files: the checks and the published site --------------------------


def drafts_and_scheduled(make_content) -> Path:
    files = {
        "news/bai-1.vi.md": page_text("Bài một", date="2021-03-01", body=BODY),
        "news/bai-1.en.md": page_text("Article one", date="2021-03-01", draft="true"),
        "news/bai-2.vi.md": page_text("Bài hai", date="2021-03-02"),
        "news/bai-3.vi.md": page_text("Bài ba", date="2021-03-03", draft="true"),
        "news/bai-4.en.md": page_text("Article four", date="2030-01-01"),
        "news/bai-4.vi.md": page_text("Bài bốn", date="2021-03-04", publish="2030-01-01 08:00"),
        "news/bai-10.vi.md": page_text("Bài mười", date="2021-03-05"),
    }
    return make_content(files)


def test_the_published_site_is_the_one_loading_without_drafts_gives(make_content):
    root = drafts_and_scheduled(make_content)
    now = local_now("2026-01-01T00:00")
    everything, problems = read_content(root, include_drafts=True, now=now)
    assert not problems
    published, problems = published_content(everything, now)
    expected = load_content(root, include_drafts=False, now=now)
    assert not problems
    assert list(published.entries) == list(expected.entries)
    for key, entry in expected.entries.items():
        ours = published.entries[key].versions
        assert list(ours) == list(entry.versions)
        for lang, page in entry.versions.items():
            assert (ours[lang].source_path, ours[lang].meta, ours[lang].body) == (
                page.source_path, page.meta, page.body
            )  # fmt: skip
    assert ("news", "bai-3") not in published.entries and ("news", "bai-4") not in published.entries


@pytest.mark.parametrize("field", ["draft: true", "publish: 2030-01-01 08:00"])
def test_a_build_refuses_navigation_to_a_page_that_is_not_published(tmp_path, make_content, field):
    key, value = field.split(": ")
    root = make_content(
        {
            "pages/about.vi.md": page_text("Giới thiệu", date=None, **{key: value}),
            "pages/about.en.md": page_text("About", date=None, **{key: value}),
            "news/bai-1.vi.md": page_text("Bài một", date="2021-03-01"),
        }
    )
    with pytest.raises(ContentError) as caught:
        build(root, tmp_path / "site", tmp_path / "cache")
    assert [p.message.render() for p in caught.value.problems] == [
        "navigation names page 'about', but there is no content/pages/about.vi.md"
    ]
    assert not (tmp_path / "site").exists()


def findings(report) -> list[str]:
    return [f.render() for f in report.findings]


def test_body_checks_from_the_cache_follow_the_current_site(tmp_path, make_content, monkeypatch):
    root = drafts_and_scheduled(make_content)  # bai-1 links to /vi/news/bai-2/
    now, caches = local_now("2026-01-01T00:00"), tmp_path / "cache"
    assert findings(check_content(root, now, cache_dir=caches)) == findings(
        check_content(root, now)
    )
    read = []
    real = body_checks.body_marks
    monkeypatch.setattr(
        body_checks, "body_marks", lambda page: read.append(page.slug) or real(page)
    )
    (root / "news/bai-2.vi.md").unlink()
    (root / "news/bai-10.vi.md").write_text(
        page_text("Bài 10", body="[Xem](/vi/news/bai-9/)"), "utf-8"
    )
    warm = check_content(root, now, cache_dir=caches)
    assert read == ["bai-10"]  # only the changed file's body was read again
    assert findings(warm) == findings(check_content(root, now))
    assert any("/vi/news/bai-2/' links to a page that does not exist" in f for f in findings(warm))


def checked_with_a_cache(make_content, caches: Path):
    """A tree with problems, checked once into ``caches``: (root, now, the findings)."""
    root = drafts_and_scheduled(make_content)
    (root / "news/bai-10.vi.md").write_text(page_text("Bài 10", body="[tại đây](/vi/x/)"), "utf-8")
    now = local_now("2026-01-01T00:00")
    fresh = findings(check_content(root, now))
    check_content(root, now, cache_dir=caches)
    return root, now, fresh


def test_a_damaged_body_checks_cache_is_ignored(tmp_path, make_content):
    caches = tmp_path / "cache"
    root, now, fresh = checked_with_a_cache(make_content, caches)
    for path in caches.glob("checks/*/*/*"):
        path.write_bytes(path.read_bytes()[:-7] + b"garbage")
    assert findings(check_content(root, now, cache_dir=caches)) == fresh
    assert len(fresh) > 1


def test_a_body_checks_cache_of_another_shape_is_ignored(tmp_path, make_content):
    """An entry whose checksum is right but whose content is not what the code keeps."""
    caches = tmp_path / "cache"
    root, now, fresh = checked_with_a_cache(make_content, caches)
    disk = body_checks.BodyMarksCache(caches, root)
    odd = {key: ((1, "/vi/x/", "no"), ("error", 3, "text")) for key in disk.stored}
    disk.disk.put(disk.key, pickle.dumps(odd))
    assert findings(check_content(root, now, cache_dir=caches)) == fresh


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_template_gettext_answers_as_jinjas_newstyle_gettext(app_for, lang):
    """dxportal's one-call `_` against Jinja's own (what flask-babel installs)."""
    app = app_for(EMBEDDED_CONTENT)
    source = (
        "{{ _('Home') }}|{{ gettext('Search') }}|{{ _('a < b %% c') }}|"
        "{{ _('%(wanted)s and %(shown)s', wanted='<i>', shown=1) }}|{{ _('not in the catalog') }}"
    )
    reference = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    reference.install_gettext_callables(
        gettext=lambda s: flask_babel.get_translations().ugettext(s),
        ngettext=lambda s, p, n: flask_babel.get_translations().ungettext(s, p, n),
        newstyle=True,
    )
    with app.test_request_context(f"/{lang}/"):
        g.lang = lang
        flask_babel.refresh()
        ours = render_template_string(source)
        assert ours == reference.from_string(source).render()
    assert ours.startswith("Trang chủ|" if lang == "vi" else "Home|")
    assert "&lt;i&gt; and 1" in ours and "a < b % c" in ours


def test_the_url_plan_is_reused_until_the_front_matter_changes(tmp_path, make_content, monkeypatch):
    root = corpus(make_content)
    site, caches = tmp_path / "site", tmp_path / "cache"
    build(root, site, caches)
    planned = []
    real = incremental.generated_urls
    monkeypatch.setattr(incremental, "generated_urls", lambda f: planned.append(1) or real(f))
    EDITS["body"](root)
    build(root, site, caches)
    assert planned == []  # the URLs came from the cache
    for path in caches.glob("plans/*/*/*"):
        path.write_bytes(path.read_bytes()[:-5] + b"junk!")
    body_only = page_text("Bài số 4", date="2021-03-04", tags="[]", body="Đã sửa.")
    (root / "news/bai-4.vi.md").write_text(body_only, encoding="utf-8")
    build(root, site, caches)
    assert planned == [1]  # a damaged entry is computed again
    EDITS["new article"](root)
    build(root, site, caches)
    assert planned == [1, 1]
    assert tree_digest(site) == tree_digest(build(root, tmp_path / "clean", tmp_path / "c2"))
    assert (site / "vi/news/bai-9/index.html").is_file()


def test_files_no_longer_produced_and_their_empty_folders_are_removed(tmp_path):
    for relative in ["a/b/index.html", "a/c/index.html", "a/index.html", "x/y/z/index.html",
                     "keep.txt", "e/f/g/index.html", "empty/inner/.keep"]:  # fmt: skip
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("x", encoding="utf-8")
    incremental.remove_extra_files(tmp_path, {"a/b/index.html", "keep.txt", "e/f/g/index.html"})
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert left == ["a", "a/b", "a/b/index.html", "e", "e/f", "e/f/g", "e/f/g/index.html",
                    "keep.txt"]  # fmt: skip


def test_a_spare_folder_that_is_not_the_replaced_build_gets_no_record(tmp_path, make_content):
    root = corpus(make_content)
    site, caches = tmp_path / "site", tmp_path / "cache"
    build(root, site, caches)
    build(root, site, caches)
    spare = spare_folder(site.resolve(), caches)
    shutil.rmtree(spare)
    spare.mkdir()
    (spare / "notes.txt").write_text("not a build", encoding="utf-8")
    build(root, site, caches)  # the spare is not taken, and the replaced build is removed
    assert (spare / "notes.txt").is_file()
    assert incremental.BuildRecord.load(caches, spare).files == {}


def test_pages_render_with_the_loaded_content_out_of_the_collectors_reach(
    tmp_path, make_content, monkeypatch
):
    root = corpus(make_content)
    frozen: list[int] = []
    real = incremental.build_one

    def spy(freezer, client, url):
        frozen.append(gc.get_freeze_count())
        return real(freezer, client, url)

    monkeypatch.setattr(incremental, "build_one", spy)
    build(root, tmp_path / "site", tmp_path / "cache")
    assert frozen and min(frozen) > 0
    assert gc.isenabled() and gc.get_freeze_count() == 0  # given back after the build


def test_a_failed_build_gives_the_collector_back(tmp_path, make_content):
    root = corpus(make_content)
    (root / "news/bai-2.vi.md").write_text("---\ntitle: x\ndate: 3/3/2021\n---\n", "utf-8")
    with pytest.raises(ContentError):
        build(root, tmp_path / "site", tmp_path / "cache")
    assert gc.isenabled() and gc.get_freeze_count() == 0
