"""`dxportal deploy rsync:DEST` with the real rsync, to a local folder."""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest

from conftest import page_text
from deploy_support import build, deploy, news, same_tree


@pytest.fixture(autouse=True)
def needs_rsync() -> None:
    """Skip without rsync, as the browser tests do without their tools; in CI (CI=true) fail."""
    if shutil.which("rsync") is None:
        message = "rsync is not installed: make qa-setup (as root) installs it"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def test_rsync_sends_only_what_changed_and_removes_stale_files(tmp_path, make_content):
    root = make_content({**news("Nội dung đầu tiên."), "news/bo.vi.md": page_text("Bỏ")})
    built, dest = tmp_path / "build", tmp_path / "www"
    assert build(root, built).exit_code == 0
    (built / "vi/index.html").chmod(0o600)  # a strict umask on the build machine
    first = deploy(f"rsync:{dest}", build_dir=built)
    assert first.exit_code == 0, first.output
    assert same_tree(dest, built)
    assert (dest / "vi/index.html").stat().st_mode & 0o777 == 0o644
    assert (dest / "vi").stat().st_mode & 0o777 == 0o755

    (dest / "stray.html").write_text("left by hand")
    css, page_file = dest / "static/css/site.css", dest / "vi/news/tin/index.html"
    css_inode, page_inode = css.stat().st_ino, page_file.stat().st_ino
    (root / "news/bo.vi.md").unlink()
    (root / "news/tin.vi.md").write_text(
        page_text("Tin", body="Nội dung đã sửa."), encoding="utf-8"
    )
    assert build(root, built).exit_code == 0
    second = deploy(f"rsync:{dest}", build_dir=built)
    assert second.exit_code == 0, second.output
    assert same_tree(dest, built)  # stray.html and the removed page are gone
    assert css.stat().st_ino == css_inode  # unchanged: not sent again
    assert page_file.stat().st_ino != page_inode
    assert "~ vi/news/tin/index.html (" in second.output
    assert "- stray.html (" in second.output
    removed = re.search(r"- vi/news/bo/index\.html \((\d+) bytes\)", second.output)
    assert removed and int(removed.group(1)) > 0  # the size from the last deploy's record
    assert "static/css/site.css" not in second.output

    record = json.loads((tmp_path / "www.deploy.json").read_text())
    assert f"Deployed build {record['digest']} to rsync:{dest}" in second.output
    status = deploy("--status", f"rsync:{dest}", build_dir=built)
    assert status.exit_code == 0 and f"serves build {record['digest']}" in status.output
    (dest / "stray.html").write_text("left by hand")
    assert deploy("--status", f"rsync:{dest}", build_dir=built).exit_code == 1


def test_rsync_absent_or_an_unreachable_destination_is_a_one_line_error(
    tmp_path, make_content, monkeypatch
):
    root = make_content(news("Nội dung."))
    built = tmp_path / "build"
    assert build(root, built).exit_code == 0
    missing = deploy(f"rsync:{tmp_path}/no/such/folder", build_dir=built)
    assert missing.exit_code == 1
    assert f"the folder {tmp_path}/no/such does not exist" in missing.output

    unreachable = deploy("rsync:no-such-host.invalid:/var/www", build_dir=built)
    assert unreachable.exit_code == 1
    assert "cannot reach rsync:no-such-host.invalid:/var/www" in unreachable.output
    assert len(unreachable.output.strip().splitlines()) == 1

    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    absent = deploy(f"rsync:{tmp_path}/www", build_dir=built)
    assert absent.exit_code == 1
    assert "rsync is not installed: install it (apt-get install rsync)" in absent.output
    assert not (tmp_path / "www").exists()


def test_a_record_that_cannot_be_written_does_not_fail_a_finished_deploy(tmp_path, make_content):
    root = make_content(news("Nội dung."))
    built, dest = tmp_path / "build", tmp_path / "www"
    assert build(root, built).exit_code == 0
    (tmp_path / "www.deploy.json/deploy.json/taken").mkdir(parents=True)  # rsync cannot write it
    result = deploy(f"rsync:{dest}", build_dir=built)
    assert result.exit_code == 0, result.output
    assert same_tree(dest, built)
    assert "Deployed build sha256:" in result.stdout
    assert "warning: the deploy record was not written: rsync to" in result.stderr
