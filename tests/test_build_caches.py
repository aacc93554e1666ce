"""The disk caches (rendered Markdown, front matter, body checks): a damaged or stale entry never
shows in the output, and unchanged files are not read again."""

from __future__ import annotations

import os
import pickle

import pytest
from build_support import (
    BODY,
    EDITS,
    cache_files,
    checked_with_a_cache,
    corpus,
    count_reads,
    drafts_and_scheduled,
    findings,
    pages_of,
)

from dxportal import cache, rendering
from dxportal.content import body_checks, loader
from dxportal.content.checks import check_content
from dxportal.content.clock import local_now
from dxportal.content.errors import ContentError
from dxportal.content.loader import load_content
from dxportal.rendering import Renderer

from conftest import page_text


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


def test_a_cache_entry_is_written_in_place_and_whole(tmp_path):
    """No temporary file and rename (DiskCache.put): a shorter entry leaves nothing of the
    longer one it replaces, an entry left half written is a miss until put again, and the
    folder of an entry is made when it is missing."""
    disk = cache.DiskCache(tmp_path, "things", "0" * 24)
    disk.put("key", b"long payload " * 100)
    path = disk.path_for("key")
    disk.put("key", b"short")
    assert disk.get("key") == b"short"
    path.write_bytes(path.read_bytes()[:-2])  # a writer stopped halfway
    assert disk.get("key") is None
    disk.put("key", b"short")
    assert disk.get("key") == b"short"
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


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
