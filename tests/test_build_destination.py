"""Where a build is written: the replaced build kept as a spare to start from, and the files of
an earlier build that this one no longer produces removed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from build_support import EDITS, build, corpus, count_rendered

from dxportal import workers
from dxportal.build import freeze_loop, leftovers, pipeline, record
from dxportal.build.destination import looks_built, spare_folder
from dxportal.build.freezer import SiteFreezer

from conftest import tree_digest


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
    real = freeze_loop.changed_folders
    monkeypatch.setattr(
        freeze_loop, "changed_folders", lambda *a: listed.append(real(*a)[0]) or real(*a)
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


def test_recently_changed_folders_are_listed_again(tmp_path, monkeypatch):
    (tmp_path / "a/b").mkdir(parents=True)
    (tmp_path / "a/b/index.html").write_text("x", encoding="utf-8")
    folders = leftovers.folders_of(["a/b/index.html"])
    assert leftovers.folder_times(tmp_path, folders) == {"a": None, "a/b": None}
    monkeypatch.setattr(leftovers, "SETTLE_NS", 0)  # as if a clock tick had passed
    stamps = leftovers.folder_times(tmp_path, folders)
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
    real = SiteFreezer.build_one

    def meddling(freezer, url):  # something else writes while the build runs
        (freezer.root / "vi/news/bai-4/extra.html").write_text("x", encoding="utf-8")
        return real(freezer, url)

    monkeypatch.setattr(SiteFreezer, "build_one", meddling)
    EDITS["body"](root)
    build(root, site, caches)
    monkeypatch.setattr(SiteFreezer, "build_one", real)
    assert (site / "vi/news/bai-4/extra.html").is_file()
    build(root, site, caches)
    build(root, site, caches)  # starts from the folder written to meanwhile
    assert tree_digest(site) == tree_digest(build(root, tmp_path / "clean", tmp_path / "c2"))


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
    assert record.BuildRecord.load(caches, spare).files == {}


def test_the_build_after_a_first_build_renders_nothing_again(tmp_path, make_content, monkeypatch):
    """The first build leaves a copy of itself (hard links) for the next one to start from."""
    root = corpus(make_content)
    site, caches = tmp_path / "site", tmp_path / "cache"
    build(root, site, caches)
    spare = spare_folder(site.resolve(), caches)
    assert (spare / "index.html").stat().st_ino == (site / "index.html").stat().st_ino
    rendered = count_rendered(monkeypatch)
    build(root, site, caches)
    assert rendered == []
    EDITS["body"](root)
    build(root, site, caches)
    assert len(rendered) == 4  # the edited article and its feed, in both languages
    assert tree_digest(site) == tree_digest(build(root, tmp_path / "clean", tmp_path / "c2"))


def witness(folder: Path, into: Path) -> dict[str, bytes]:
    """Hard-link every file of ``folder`` into ``into`` (its inodes stay alive); their bytes."""
    found = {}
    for path in folder.rglob("*"):
        if path.is_file():
            relative = path.relative_to(folder).as_posix()
            found[relative] = path.read_bytes()
            (into / relative).parent.mkdir(parents=True, exist_ok=True)
            os.link(path, into / relative)
    return found


def test_a_build_never_changes_a_file_of_an_earlier_build(tmp_path, make_content, monkeypatch):
    """The spare and the live build share files: a changed page, index file, manifest or
    _headers is a new file, never the old one rewritten (in workers and the search export)."""
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    root = corpus(make_content)
    site, caches = tmp_path / "site", tmp_path / "cache"
    build(root, site, caches, DXPORTAL_WORKERS=2)
    witnesses = []
    for number, edit in enumerate(sorted(EDITS)):
        witnesses.append((tmp_path / f"w{number}", witness(site, tmp_path / f"w{number}")))
        EDITS[edit](root)
        if edit == "body":  # other host headers: _headers changes
            monkeypatch.setattr(pipeline, "headers_file", lambda: "/*\n  X-Test: 1\n")
        build(root, site, caches, DXPORTAL_WORKERS=2)
        for folder, files in witnesses:
            assert {p: (folder / p).read_bytes() for p in files} == files, edit
    assert tree_digest(site) == tree_digest(build(root, tmp_path / "clean", tmp_path / "c2"))


def test_staging_folders_of_killed_builds_are_removed(tmp_path, make_content):
    """A build killed outright (SIGKILL, a power cut) leaves its staging folder, a whole
    site's size: the next build removes it, but never one of a build still running."""
    root = corpus(make_content)
    site, caches = tmp_path / "site", tmp_path / "cache"
    gone = subprocess.Popen(["true"])  # a pid that runs no more
    gone.wait()
    abandoned = tmp_path / f".site.new-{gone.pid}"
    (abandoned / "vi").mkdir(parents=True)
    (abandoned / "vi/index.html").write_text("half a build", encoding="utf-8")
    running = tmp_path / f".site.new-{os.getppid()}"  # a live process: another build
    running.mkdir()
    build(root, site, caches)
    assert not abandoned.exists()
    assert running.is_dir()
    assert looks_built(site)
