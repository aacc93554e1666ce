"""`dxportal build` warns, with the figures and the limits, when a build crosses a free
host's limits (read from the build's manifest)."""

from __future__ import annotations

import json

from dxportal.deploy import limits
from dxportal.deploy.manifest import MANIFEST_NAME

from deploy_support import build, news


def rendered(messages) -> list[str]:
    return [message.render() for message in messages]


def test_the_limits_of_the_free_hosts():
    assert limit_lines(20_000, 10**9, 25 * 1024 * 1024) == []  # at the limits, not over
    assert limit_lines(20_001, 100, 100) == [
        "warning: the build has 20001 files; Cloudflare Pages (free) accepts at most 20000"
    ]
    over = limit_lines(200_001, 10**9 + 1, 25 * 1024 * 1024 + 1)
    assert len(over) == 5
    assert ("warning: the largest file of the build has 26214401 bytes; Cloudflare Pages (free) "
            "accepts at most 26214400 bytes per file") in over  # fmt: skip
    assert ("warning: the build has 1000000001 bytes; GitHub Pages accepts at most 1000000000 "
            "bytes per site") in over  # fmt: skip
    assert "warning: the build has 200001 files; GitLab Pages accepts at most 200000" in over


def limit_lines(files: int, total: int, largest: int) -> list[str]:
    return rendered(limits.limit_warnings(files, total, largest))


def test_the_build_warns_when_it_crosses_a_limit(tmp_path, make_content, monkeypatch):
    root = make_content(news("Nội dung."))
    quiet = build(root, tmp_path / "build")
    assert quiet.exit_code == 0 and "accepts at most" not in quiet.output
    monkeypatch.setattr(limits, "HOST_LIMITS", {"Tiny host": (10, None, None)})
    loud = build(root, tmp_path / "build")
    assert loud.exit_code == 0, loud.output
    files = json.loads((tmp_path / "build" / MANIFEST_NAME).read_text())["files"]
    assert files > 10
    assert f"warning: the build has {files} files; Tiny host accepts at most 10" in loud.output
