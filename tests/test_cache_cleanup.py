"""A build removes the cache folders of old code versions (the last two are kept)."""

from __future__ import annotations

import os
import time

from dxportal.build.pipeline import freeze_site

from conftest import page_text


def versions(folder):
    return sorted(p.name for p in folder.iterdir() if p.is_dir())


def test_a_build_keeps_the_two_most_recently_used_versions_of_each_cache(
    app_for, make_content, tmp_path
):
    content = make_content({"news/hop.vi.md": page_text("Họp", body="Văn bản.")})
    cache = tmp_path / "cache"

    def build():
        freeze_site(app_for(content, DXPORTAL_CACHE_DIR=str(cache)), tmp_path / "site")

    build()
    current = {ns.name: versions(ns) for ns in cache.iterdir()}
    assert current["markdown"] and current["builds"]
    now = time.time()
    for namespace in ("markdown", "builds"):
        for days, name in enumerate(["a" * 24, "b" * 24, "c" * 24], start=1):
            old = cache / namespace / name
            (old / "ab").mkdir(parents=True)
            (old / "ab" / "entry").write_bytes(b"x")
            os.utime(old, (now - days * 86400, now - days * 86400))
    (cache / "spares" / "keep-me").mkdir(parents=True, exist_ok=True)
    for name in ("d" * 24, "e" * 16):  # not only versions: another tool's folder
        (cache / "deploy-git" / name).mkdir(parents=True)
        os.utime(cache / "deploy-git" / name, (now - 9 * 86400, now - 9 * 86400))

    build()
    for namespace in ("markdown", "builds"):  # the current one and the most recent other
        assert versions(cache / namespace) == sorted(current[namespace] + ["a" * 24])
    assert (cache / "spares" / "keep-me").is_dir()
    assert versions(cache / "deploy-git") == ["d" * 24, "e" * 16]
    assert (tmp_path / "site/vi/news/hop/index.html").is_file()
