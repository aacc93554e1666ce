"""What the build takes on trust instead of looking: each trust, and what catches it when broken.

- The manifest's totals are summed from the build record (the sizes written) instead of a walk
  of the build: they equal a walk, and a deploy refuses a build whose sum is wrong.
"""

from __future__ import annotations

import json
import os

from build_support import EDITS, build, corpus, count_reads, findings, pages_of

from dxportal import create_app, workers
from dxportal.build.pipeline import freeze_site
from dxportal.build.record import BuildRecord
from dxportal.content.checks import check_and_read, check_content
from dxportal.content.clock import local_now
from dxportal.content.errors import ContentError
from dxportal.content.kept_pages import KeptPages
from dxportal.content.loader import load_content
from dxportal.deploy.manifest import MANIFEST_NAME, folder_totals

from conftest import page_text, tree_digest
from deploy_support import build as build_command
from deploy_support import deploy, news


def manifest_totals(site) -> tuple[int, int, int]:
    data = json.loads((site / MANIFEST_NAME).read_text(encoding="utf-8"))
    return data["files"], data["bytes"], data["largest_file"]


def test_the_summed_totals_of_the_manifest_are_those_of_a_walk(tmp_path, make_content, monkeypatch):
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)  # the index patched in forked workers
    root = corpus(make_content)
    site, caches = tmp_path / "site", tmp_path / "cache"
    build(root, site, caches)
    assert manifest_totals(site) == folder_totals(site)
    for edit in ("body", "title", "new article", "deleted article"):
        EDITS[edit](root)
        build(root, site, caches)
        assert manifest_totals(site) == folder_totals(site), edit
    build(root, tmp_path / "uncached", tmp_path / "c2", DXPORTAL_CACHE_DIR="")
    assert manifest_totals(tmp_path / "uncached") == folder_totals(tmp_path / "uncached")


def test_a_manifest_whose_summed_totals_are_wrong_is_refused_by_deploy(
    tmp_path, make_content, monkeypatch
):
    summed = BuildRecord.output_sizes

    def one_byte_off(record, folder):
        sizes = summed(record, folder)
        return [sizes[0] + 1, *sizes[1:]]

    monkeypatch.setattr(BuildRecord, "output_sizes", one_byte_off)
    root = make_content(news("Nội dung."))
    result = build_command(root, tmp_path / "build")
    assert result.exit_code == 0, result.output
    files, total, _ = folder_totals(tmp_path / "build")
    assert manifest_totals(tmp_path / "build")[:2] == (files, total + 1)

    refused = deploy(f"folder:{tmp_path / 'portal'}", build_dir=tmp_path / "build")
    assert refused.exit_code == 1
    assert "is incomplete or was changed after building" in refused.output
    assert f"({files} files, {total} bytes; the build wrote {files} files, {total + 1}" in (
        refused.output
    )
    assert not (tmp_path / "portal").exists()


def kept_load(root, kept: KeptPages):
    return load_content(root, include_drafts=True, read_pages=kept.read_pages)


def test_kept_pages_read_again_exactly_the_files_whose_identity_changed(
    tmp_path, make_content, monkeypatch, settled
):
    root = corpus(make_content)
    kept = KeptPages(root, tmp_path / "cache")
    kept_load(root, kept)
    read = count_reads(monkeypatch)
    site = kept_load(root, kept)
    assert read == [] and kept.reads == 0
    assert pages_of(site) == pages_of(load_content(root, include_drafts=True))

    EDITS["body"](root)  # no change detector anywhere: nothing told anyone
    EDITS["new article"](root)
    EDITS["deleted article"](root)
    read.clear()
    site = kept_load(root, kept)
    assert sorted(read) == ["bai-3.vi.md", "bai-9.vi.md"]
    assert pages_of(site) == pages_of(load_content(root, include_drafts=True))

    path = root / "news/bai-2.vi.md"  # same size, its modification time put back
    before = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("số 2", "số 8"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert kept_load(root, kept).entry("news", "bai-2").version("vi").title == "Bài số 8"


def test_a_file_with_problems_is_read_and_reported_every_time(tmp_path, make_content, settled):
    root = corpus(make_content)
    kept = KeptPages(root, tmp_path / "cache")
    kept_load(root, kept)
    (root / "news/bai-2.vi.md").write_text(page_text("Sai", date="2/3/2021"), encoding="utf-8")
    for _ in range(2):
        try:
            kept_load(root, kept)
        except ContentError as exc:
            assert [p.path.name for p in exc.problems] == ["bai-2.vi.md"]
        else:
            raise AssertionError("the problem was not reported")
    assert kept.reads == 1


def test_builds_with_kept_pages_equal_clean_builds(tmp_path, make_content, settled):
    root = corpus(make_content)
    site, caches = tmp_path / "site", tmp_path / "cache"
    app = create_app({"DXPORTAL_CONTENT_DIR": str(root), "DXPORTAL_CACHE_DIR": str(caches),
                      "DXPORTAL_NOW": "2026-01-01T00:00"})  # fmt: skip
    kept = KeptPages(root.resolve(), caches)
    freeze_site(app, site, None, kept)
    for number, edit in enumerate(("body", "title", "new article", "deleted article")):
        EDITS[edit](root)  # behind the watch's back: only the files tell
        freeze_site(app, site, None, kept)
        assert kept.reads == 1 - (edit == "deleted article"), edit
        clean = build(root, tmp_path / f"clean{number}", tmp_path / f"c{number}")
        assert tree_digest(site) == tree_digest(clean), edit


def test_checks_with_kept_pages_and_marks_find_what_a_fresh_check_finds(
    tmp_path, make_content, settled
):
    root = corpus(make_content)
    now = local_now("2026-01-01T00:00")
    kept = KeptPages(root, tmp_path / "cache")
    page = root / "news/bai-4.vi.md"
    for body in (
        "[tại đây](/vi/news/khong-co/)",
        "[Bài hai](/vi/news/bai-2/)",
        "![](/media/x.png)",
    ):
        page.write_text(page_text("Bài số 4", date="2021-03-04", body=body), encoding="utf-8")
        report, _ = check_and_read(root, now, True, tmp_path / "cache", kept)
        assert findings(report) == findings(check_content(root, now, True)), body
    (root / "news/bai-2.vi.md").unlink()  # every other page links to it: those links fail
    report, _ = check_and_read(root, now, True, tmp_path / "cache", kept)
    assert len(findings(report)) > 5
    assert findings(report) == findings(check_content(root, now, True))
