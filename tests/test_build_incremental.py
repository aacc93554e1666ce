"""An incremental build equals a clean one, file by file; pages are rendered as Frozen-Flask's
own loop renders them, on one core or several."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from build_support import EDITS, build, corpus, count_rendered, tiny_freezer, upgrade_renderer

from dxportal import create_app, workers
from dxportal.build import freeze_loop, leftovers
from dxportal.build.destination import spare_folder
from dxportal.build.freezer import SiteFreezer
from dxportal.build.pipeline import freeze_site
from dxportal.build.record import BuildRecord

from conftest import EMBEDDED_CONTENT, page_text, tree_digest


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_incremental_build_equals_a_clean_build(tmp_path, make_content, monkeypatch, edit):
    # In forked processes, as at scale: the search index is patched beside the freeze.
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
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
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    one = build(root, tmp_path / "one", tmp_path / "c1", DXPORTAL_WORKERS=1)
    two = build(root, tmp_path / "two", tmp_path / "c2", DXPORTAL_WORKERS=2)
    assert tree_digest(one) == tree_digest(two)


def test_workers_get_both_languages_of_a_page(tmp_path):
    urls = [f"/{lang}/news/bai-{n}/" for n in range(40) for lang in ("vi", "en")]
    urls += ["/", "/sitemap.xml", "/static/css/site.css", "/vi/", "/en/"]
    shares = freeze_loop.split_urls(urls, 2)
    assert sorted(u for share in shares for u in share) == sorted(urls)
    assert all(shares)
    for share in shares:
        for url in share:
            if url.startswith("/vi/"):
                assert "/en/" + url[4:] in share


@pytest.mark.parametrize("where", ["worker", "parent"])
def test_a_failing_page_in_a_worker_fails_the_build(tmp_path, make_content, monkeypatch, where):
    """A worker's error comes back as JobFailed with its traceback (workers.py); the
    parent's own share raises as a build in one process does. Either way, no build."""
    root = corpus(make_content)
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)  # the index's processes are stopped
    import dxportal.web.views

    real = dxportal.web.views.render_template
    parent = os.getpid()

    def explode(template, **context):
        if template == "entry.html" and (os.getpid() == parent) == (where == "parent"):
            raise RuntimeError("boom")
        return real(template, **context)

    monkeypatch.setattr(dxportal.web.views, "render_template", explode)
    expected = workers.JobFailed if where == "worker" else ValueError
    with pytest.raises(expected, match="Unexpected status '500") as raised:
        build(root, tmp_path / "site", tmp_path / "c", DXPORTAL_WORKERS=2)
    if where == "worker":
        assert "Traceback (most recent call last)" in str(raised.value)
    assert not (tmp_path / "site").exists()


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


def test_pages_are_frozen_as_frozen_flasks_own_loop_freezes_them(tmp_path, monkeypatch):
    """SiteFreezer.build_one (strict settings, files replaced) against Freezer's own."""
    settings = {
        "DXPORTAL_BASE_URL": "https://example.org/portal/",
        "DXPORTAL_WORKERS": 1,
        "DXPORTAL_NOW": "2026-12-01T00:00",
    }
    ours = build(EMBEDDED_CONTENT, tmp_path / "ours", tmp_path / "c1", **settings)
    monkeypatch.setattr(SiteFreezer, "build_one", lambda freezer, url: freezer._build_one(url))
    theirs = build(EMBEDDED_CONTENT, tmp_path / "theirs", tmp_path / "c2", **settings)
    assert tree_digest(ours) == tree_digest(theirs)


def test_the_links_pages_ask_for_are_reported_for_every_page(tmp_path):
    freezer = tiny_freezer(tmp_path, "https://example.org/portal/")
    freezer.root.mkdir()
    found = freezer.build_urls(["/a/", "/b/"], {"/a/", "/b/"})
    links = [("/extra/1/", "extra"), ("/x/", "page")]  # no generator gives them
    assert found == {"/a/": links, "/b/": links}
    page = (freezer.root / "b/index.html").read_text(encoding="utf-8")
    assert page == "/portal/extra/1/ https://example.org/portal/x/"


def test_the_url_plan_is_reused_until_the_front_matter_changes(tmp_path, make_content, monkeypatch):
    root = corpus(make_content)
    site, caches = tmp_path / "site", tmp_path / "cache"
    build(root, site, caches)
    planned = []
    real = SiteFreezer.generated_urls
    monkeypatch.setattr(SiteFreezer, "generated_urls", lambda f: planned.append(1) or real(f))
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
    keep = {"a/b/index.html", "keep.txt", "e/f/g/index.html"}
    every_folder, _ = leftovers.changed_folders(tmp_path, {})  # a record without folder times
    leftovers.remove_leftovers(tmp_path, keep, [], every_folder)
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert left == ["a", "a/b", "a/b/index.html", "e", "e/f", "e/f/g", "e/f/g/index.html",
                    "keep.txt"]  # fmt: skip


def test_the_build_after_a_first_one_removes_what_it_no_longer_produces(tmp_path, make_content):
    """The first build's copy of hard links starts the next build, which finds a folder
    added there by hand and the article deleted."""
    root = corpus(make_content)
    site, caches = tmp_path / "site", tmp_path / "cache"
    build(root, site, caches)
    stray = spare_folder(site.resolve(), caches) / "vi/news/bai-4/stray/x.html"
    stray.parent.mkdir()
    stray.write_text("x", encoding="utf-8")
    (root / "news/bai-6.vi.md").unlink()
    build(root, site, caches)
    assert not (site / "vi/news/bai-6").exists()
    assert tree_digest(site) == tree_digest(build(root, tmp_path / "clean", tmp_path / "c2"))


def test_a_spare_whose_record_is_unknown_renders_everything_again(
    tmp_path, make_content, monkeypatch
):
    """Another code version (or a damaged record): every page is rendered again."""
    root = corpus(make_content)
    site, caches = tmp_path / "site", tmp_path / "cache"
    build(root, site, caches)
    build(root, site, caches)
    spare = spare_folder(site.resolve(), caches)
    (spare / "vi/news/bai-4/stray.html").write_text("x", encoding="utf-8")
    (root / "news/bai-6.vi.md").unlink()
    shutil.rmtree(caches / "builds")
    rendered = count_rendered(monkeypatch)
    build(root, site, caches)
    assert "/vi/news/bai-4/" in rendered
    assert tree_digest(site) == tree_digest(build(root, tmp_path / "clean", tmp_path / "c2"))


def test_rebuilds_in_one_app_keep_one_url_for_logger(tmp_path, make_content):
    """`build --watch` builds with the same app again and again: a Freezer made per build
    must not leave one more url_for logger on the app each time (each is called on every
    url_for of every later page)."""
    root = corpus(make_content)
    app = create_app({"DXPORTAL_CONTENT_DIR": str(root), "DXPORTAL_CACHE_DIR": str(tmp_path / "c"),
                      "DXPORTAL_NOW": "2026-01-01T00:00"})  # fmt: skip
    freeze_site(app, tmp_path / "site")
    after_one = list(app.url_default_functions[None])
    freeze_site(app, tmp_path / "site")
    freeze_site(app, tmp_path / "site")
    assert app.url_default_functions[None] == after_one


def test_a_renderer_upgrade_renders_the_pages_again(tmp_path, make_content, monkeypatch):
    """A python-markdown or nh3 upgrade that renders the same Markdown differently must not
    leave pages of the old HTML behind, although no content file changed."""
    root = corpus(make_content)
    site, caches = tmp_path / "site", tmp_path / "cache"
    build(root, site, caches)
    build(root, site, caches)  # the replaced build is kept as the base of the next one
    before = tree_digest(site)
    upgrade_renderer(monkeypatch, "Đổi mới số", "Chuyển đổi số")  # the words change
    build(root, site, caches)
    clean = build(root, tmp_path / "clean", tmp_path / "empty-cache")
    assert tree_digest(clean) != before
    assert tree_digest(site) == tree_digest(clean)


def test_the_spare_of_a_first_build_keeps_its_folder_times(tmp_path, make_content, monkeypatch):
    """The copy a first build leaves has the build's folder times, so the next build lists
    none of its folders (listing them all made it cost more than a nothing-new build); a file
    left there by anything else is still found and removed."""
    monkeypatch.setattr(leftovers, "SETTLE_NS", 0)  # every folder's time trusted at once
    root = corpus(make_content)
    site, caches = tmp_path / "site", tmp_path / "cache"
    build(root, site, caches)
    spare = spare_folder(site.resolve(), caches)
    record = BuildRecord.load(caches, spare)
    assert record is not None and len(record.folders) > 20
    assert None not in record.folders.values()
    assert leftovers.changed_folders(spare, record.folders)[0] == {leftovers.ROOT}

    (spare / "vi/news/bai-2/stray.html").write_text("left by hand", encoding="utf-8")
    build(root, site, caches)
    assert tree_digest(site) == tree_digest(build(root, tmp_path / "clean", tmp_path / "c2"))
