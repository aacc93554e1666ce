"""What the build takes on trust instead of looking: each trust, and what catches it when broken.

- The manifest's totals are summed from the build record (the sizes written) instead of a walk
  of the build: they equal a walk, and a deploy refuses a build whose sum is wrong.
"""

from __future__ import annotations

import json

from build_support import EDITS, build, corpus

from dxportal import workers
from dxportal.build.record import BuildRecord
from dxportal.deploy.manifest import MANIFEST_NAME, folder_totals

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
