"""`dxportal deploy git:REMOTE#BRANCH` against a real bare repository, cloned back."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from conftest import tree_digest
from deploy_support import build, deploy, news, variant


def git(*arguments: str, cwd=None) -> str:
    return subprocess.run(
        ["git", *arguments], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def bare(tmp_path):
    git("init", "--quiet", "--bare", str(tmp_path / "pages.git"))
    return tmp_path / "pages.git"


def cloned(bare, into) -> dict[str, str]:
    git("clone", "--quiet", "--branch", "pages", str(bare), str(into))
    return {path: digest for path, digest in tree_digest(into).items()
            if not path.startswith(".git/")}  # fmt: skip


def test_each_deploy_is_one_commit_holding_exactly_the_build(tmp_path, make_content, bare):
    root = make_content(news("Nội dung đầu tiên."))
    built = tmp_path / "build"
    assert build(root, built).exit_code == 0
    first = deploy(f"git:{bare}#pages", build_dir=built)
    assert first.exit_code == 0, first.output
    assert cloned(bare, tmp_path / "one") == tree_digest(built)
    assert (tmp_path / "one/.nojekyll").is_file()  # GitHub Pages serves the branch as it is
    digest = re.search(r"Deployed build (sha256:[0-9a-f]{64})", first.output).group(1)
    assert f"Dxportal-Build-Digest: {digest}" in git("--git-dir", str(bare), "log", "-1", "pages")

    (root / "news/tin.vi.md").write_text(
        (root / "news/tin.vi.md").read_text().replace("đầu tiên", "đã sửa"), encoding="utf-8"
    )
    assert build(root, built).exit_code == 0
    second = deploy(f"git:{bare}#pages", build_dir=built)
    assert second.exit_code == 0, second.output
    assert "~ vi/news/tin/index.html (" in second.output
    assert cloned(bare, tmp_path / "two") == tree_digest(built)
    assert git("--git-dir", str(bare), "rev-list", "--count", "pages") == "2"

    again = deploy(f"git:{bare}#pages", build_dir=built)
    assert again.exit_code == 0 and "already serves build" in again.output
    status = deploy("--status", f"git:{bare}#pages", build_dir=built)
    assert status.exit_code == 0 and "The live site is this build." in status.output
    assert git("--git-dir", str(bare), "rev-list", "--count", "pages") == "2"


def test_a_diverged_branch_or_a_missing_remote_is_refused(tmp_path, make_content, bare):
    root = make_content(news("Nội dung."))
    built = tmp_path / "build"
    assert build(root, built).exit_code == 0
    assert deploy(f"git:{bare}#pages", build_dir=built).exit_code == 0

    work = tmp_path / "hand"
    git("clone", "--quiet", "--branch", "pages", str(bare), str(work))
    (work / "vi/index.html").write_text("sửa tay")
    git("-c", "user.name=A", "-c", "user.email=a@b.c", "commit", "-qam", "Fix by hand", cwd=work)
    git("push", "--quiet", "origin", "pages", cwd=work)
    head = git("--git-dir", str(bare), "rev-parse", "pages")

    refused = deploy(f"git:{bare}#pages", build_dir=built)
    assert refused.exit_code == 1
    assert "has diverged: its last commit" in refused.output and "Fix by hand" in refused.output
    assert len(refused.output.strip().splitlines()) == 1
    assert git("--git-dir", str(bare), "rev-parse", "pages") == head

    missing = deploy(f"git:{tmp_path}/nowhere.git#pages", build_dir=built)
    assert missing.exit_code == 1
    assert "cannot reach the git remote" in missing.output


def test_a_secret_in_the_target_never_appears_in_a_message(tmp_path, make_content, monkeypatch):
    root = make_content(news("Nội dung."))
    built = tmp_path / "build"
    assert build(root, built).exit_code == 0
    monkeypatch.setenv("PAGES_TOKEN", "s3cr3t-t0ken")
    result = deploy(f"git:{tmp_path}/${{PAGES_TOKEN}}/pages.git#pages", build_dir=built)
    assert result.exit_code == 1
    assert "cannot reach the git remote" in result.output
    assert "s3cr3t-t0ken" not in result.output
    assert f"'{tmp_path}/${{PAGES_TOKEN}}/pages.git' does not appear" in result.output


def test_the_kept_scratch_repository_never_changes_what_is_committed(
    tmp_path, make_content, bare, session_cache_dir
):
    """Deploys reuse a repository in the cache (fetching and hashing only what changed); its
    index may come from another build folder, or be deleted with the cache."""
    root = make_content(news("Nội dung."))
    built = tmp_path / "build"
    assert build(root, built).exit_code == 0
    other = variant(built, tmp_path / "other", "vi/extra.txt", "thêm")
    for number, folder in enumerate([built, other, built]):
        result = deploy(f"git:{bare}#pages", build_dir=folder)
        assert result.exit_code == 0, result.output
        assert cloned(bare, tmp_path / f"clone{number}") == tree_digest(folder)
    assert "- vi/extra.txt (" in result.output
    kept = list((session_cache_dir / "deploy-git").iterdir())
    assert kept
    for folder in kept:
        shutil.rmtree(folder)
    result = deploy(f"git:{bare}#pages", build_dir=other)
    assert result.exit_code == 0, result.output
    assert cloned(bare, tmp_path / "after-cache-deleted") == tree_digest(other)
    assert git("--git-dir", str(bare), "rev-list", "--count", "pages") == "4"


def test_rollback_publishes_the_build_before_the_live_one_as_a_new_commit(
    tmp_path, make_content, bare
):
    target = f"git:{bare}#pages"
    nothing = deploy("--rollback", target)
    assert nothing.exit_code == 1
    assert f"nothing to roll back to: {target} has no branch pages yet" in nothing.output
    root = make_content(news("Bản đầu tiên."))
    built = tmp_path / "build"
    assert build(root, built).exit_code == 0
    assert deploy(target, build_dir=built).exit_code == 0
    first = tree_digest(built)
    news_file = root / "news/tin.vi.md"
    news_file.write_text(news_file.read_text().replace("đầu tiên", "lỗi"), encoding="utf-8")
    assert build(root, built).exit_code == 0
    assert deploy(target, build_dir=built).exit_code == 0

    back = deploy("--rollback", target)
    assert back.exit_code == 0, back.output
    assert "~ vi/news/tin/index.html (" in back.output
    assert cloned(bare, tmp_path / "back") == first  # byte for byte the earlier build
    assert git("--git-dir", str(bare), "rev-list", "--count", "pages") == "3"  # never forced
    status = deploy("--status", target, build_dir=built)
    assert status.exit_code == 1  # the live site is no longer the latest build

    # The first build is the oldest: nothing further back; the branch is left as it was.
    again = deploy("--rollback", target)
    assert again.exit_code == 1
    assert "hold no build before the live one" in again.output
    assert git("--git-dir", str(bare), "rev-list", "--count", "pages") == "3"
    # A new deploy, then a rollback, goes back to what was live before it.
    assert deploy(target, build_dir=built).exit_code == 0
    assert deploy("--rollback", target).exit_code == 0
    assert cloned(bare, tmp_path / "again") == first


def test_rollback_is_refused_for_rsync_with_the_way_out(tmp_path):
    result = deploy("--rollback", f"rsync:{tmp_path / 'site'}")
    assert result.exit_code == 1
    assert "--rollback works with folder: and git: targets" in result.output
