"""`dxportal deploy folder:PATH`: releases, atomic switch, rollback, and what it refuses."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil

import pytest

from dxportal.config import is_placeholder_address
from dxportal.deploy import folder
from dxportal.deploy.manifest import MANIFEST_NAME

from conftest import SITE_YML
from deploy_support import PUBLIC, build, deploy, news, same_tree, variant


@pytest.fixture
def site(tmp_path, make_content):
    """A built site (two news pages) and its content folder."""
    root = make_content(news("Nội dung đầu tiên."))
    result = build(root, tmp_path / "build")
    assert result.exit_code == 0, result.output
    return root, tmp_path / "build"


def test_deploy_twice_with_an_edit_then_roll_back(tmp_path, site):
    root, built = site
    live = tmp_path / "www/portal"
    live.parent.mkdir()
    first = deploy(f"folder:{live}", build_dir=built)
    assert first.exit_code == 0, first.output
    assert same_tree(live, built)
    older = shutil.copytree(built, tmp_path / "older")
    assert re.search(r"Added \d+ files \(\d+ bytes\), changed 0 files", first.output)

    (root / "news/tin.vi.md").write_text(
        (root / "news/tin.vi.md").read_text().replace("đầu tiên", "đã sửa"), encoding="utf-8"
    )
    assert build(root, built).exit_code == 0
    second = deploy(f"folder:{live}", build_dir=built)
    assert second.exit_code == 0, second.output
    assert same_tree(live, built) and not same_tree(live, older)
    assert "~ vi/news/tin/index.html (" in second.output
    assert "+ " not in second.output and "- " not in second.output
    digest = re.search(r"Deployed build (sha256:[0-9a-f]{64})", second.output).group(1)

    # The live folder is a link into versioned releases; the record holds the digest.
    assert live.is_symlink()
    release = live.resolve()
    assert release.parent == (tmp_path / "www/portal.releases").resolve()
    record = json.loads(release.with_name(release.name + ".json").read_text())
    assert record["digest"] == digest and record["base_url"] == PUBLIC
    # A file the edit did not change is shared with the earlier release, not copied.
    releases = sorted(p for p in release.parent.iterdir() if p.is_dir())
    assert len(releases) == 2
    css = "static/css/site.css"
    assert (releases[0] / css).stat().st_ino == (releases[1] / css).stat().st_ino

    back = deploy("--rollback", f"folder:{live}")
    assert back.exit_code == 0, back.output
    assert same_tree(live, older)  # byte for byte
    assert "~ vi/news/tin/index.html (" in back.output
    assert "Rolled folder:" in back.output


def test_nothing_to_roll_back_to(tmp_path, site):
    _, built = site
    live = tmp_path / "portal"
    never = deploy("--rollback", f"folder:{live}")
    assert never.exit_code == 1
    assert "nothing to roll back to: no release was deployed" in never.output
    assert not live.exists()

    assert deploy(f"folder:{live}", build_dir=built).exit_code == 0
    before = os.readlink(live)
    oldest = deploy("--rollback", f"folder:{live}")
    assert oldest.exit_code == 1
    assert "shows the oldest kept release" in oldest.output
    assert len(oldest.output.strip().splitlines()) == 1
    assert os.readlink(live) == before


def test_old_releases_are_pruned_and_an_unchanged_build_is_not_deployed_again(tmp_path, site):
    _, built = site
    live = tmp_path / "portal"
    for number in range(3):
        other = variant(built, tmp_path / f"b{number}", "vi/extra.txt", f"bản {number}")
        result = deploy(f"folder:{live}", "--keep", "2", build_dir=other)
        assert result.exit_code == 0, result.output
    assert same_tree(live, tmp_path / "b2")
    kept = sorted(p.name for p in (tmp_path / "portal.releases").iterdir() if p.is_dir())
    assert len(kept) == 2 and live.resolve().name == kept[-1]

    again = deploy(f"folder:{live}", build_dir=tmp_path / "b2")
    assert again.exit_code == 0
    assert "already serves build" in again.output
    assert len([p for p in (tmp_path / "portal.releases").iterdir() if p.is_dir()]) == 2


def test_a_failing_build_deploys_nothing(tmp_path, site, make_content):
    root, built = site
    live = tmp_path / "portal"
    assert deploy(f"folder:{live}", build_dir=built).exit_code == 0
    served = os.readlink(live)

    broken = make_content({"news/sai.vi.md": "---\ntitle: Sai\ndate: 31/12/2021\n---\n"})
    failed = build(broken, tmp_path / "new-build")
    assert failed.exit_code == 1
    result = deploy(f"folder:{live}", build_dir=tmp_path / "new-build")
    assert result.exit_code == 1
    assert "there is no build in" in result.output and "run dxportal build first" in result.output
    assert os.readlink(live) == served and same_tree(live, built)


def test_a_folder_that_is_not_a_dxportal_build_is_refused(tmp_path, site):
    _, built = site
    live = tmp_path / "portal"
    other = tmp_path / "hugo-public"
    other.mkdir()
    (other / "index.html").write_text("<p>Hugo</p>")
    result = deploy(f"folder:{live}", build_dir=other)
    assert result.exit_code == 1
    assert f"{other} is not a dxportal build (no valid {MANIFEST_NAME})" in result.output
    assert not live.exists() and not (tmp_path / "portal.releases").exists()

    (built / "vi/news/tin/index.html").unlink()  # a partial copy
    partial = deploy(f"folder:{live}", build_dir=built)
    assert partial.exit_code == 1
    assert "is incomplete or was changed after building" in partial.output


def test_a_build_for_a_local_address_needs_to_be_allowed(tmp_path, make_content):
    root = make_content(news("Nội dung."))
    assert build(root, tmp_path / "build", base_url=None).exit_code == 0  # the default address
    live = tmp_path / "portal"
    refused = deploy(f"folder:{live}", build_dir=tmp_path / "build")
    assert refused.exit_code == 1
    assert "the build's public address is http://127.0.0.1:5000/" in refused.output
    assert "--allow-local-address" in refused.output
    assert not live.exists()
    allowed = deploy(f"folder:{live}", "--allow-local-address", build_dir=tmp_path / "build")
    assert allowed.exit_code == 0, allowed.output
    assert same_tree(live, tmp_path / "build")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5000/", "http://localhost/", "http://[::1]:8000/", "http://127.1.2.3/",
        "https://example.org/portal/", "https://www.example.com/", "https://example.net",
        "https://portal.example/", "https://cds.test/", "https://x.invalid/", "https://LOCALHOST./",
    ],
)  # fmt: skip
def test_local_and_example_addresses(url):
    assert is_placeholder_address(url)


@pytest.mark.parametrize(
    "url",
    ["https://chuyendoiso.bentre.gov.vn/", "https://user.github.io/portal/", "https://example.org.vn/",
     "https://testing.vn/", "http://203.0.113.9/"],
)  # fmt: skip
def test_public_addresses(url):
    assert not is_placeholder_address(url)


def test_bad_targets_are_one_line_errors(tmp_path, site, monkeypatch):
    _, built = site
    monkeypatch.chdir(tmp_path)  # no deploy.toml here
    cases = {
        (): "no deploy target: give one",
        ("ftp:host/x",): "unknown deploy target 'ftp:host/x'",
        (f"folder:{tmp_path}/missing/portal",): f"the folder {tmp_path}/missing does not exist",
    }
    for arguments, message in cases.items():
        result = deploy(*arguments, build_dir=built)
        assert result.exit_code == 1, result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
        assert message in result.output
    assert not (tmp_path / "missing").exists()

    occupied = tmp_path / "html"
    occupied.mkdir()
    (occupied / "index.html").write_text("old site")
    result = deploy(f"folder:{occupied}", build_dir=built)
    assert result.exit_code == 1
    assert "is a folder or file, not a link to a release: move it away" in result.output
    assert (occupied / "index.html").read_text() == "old site"


def test_errors_are_in_vietnamese_by_default(tmp_path, site):
    _, built = site
    result = deploy("--rollback", f"folder:{tmp_path}/portal", lang="vi")
    assert result.exit_code == 1
    assert "Trang web đang chạy không bị thay đổi: không có bản nào để quay lại" in result.output


def test_the_deploy_file_names_the_target_and_secrets_come_from_the_environment(
    tmp_path, site, monkeypatch
):
    _, built = site
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WEB_ROOT", str(tmp_path / "srv"))
    (tmp_path / "srv").mkdir()
    (tmp_path / "deploy.toml").write_text(
        f'target = "folder:${{WEB_ROOT}}/portal"\nkeep = 3\nbuild_dir = "{built}"\n'
    )
    result = deploy()
    assert result.exit_code == 0, result.output
    assert same_tree(tmp_path / "srv/portal", built)
    assert "to folder:${WEB_ROOT}/portal" in result.output

    (tmp_path / "deploy.toml").write_text(
        'target = "git:https://deployer:hunter2@git.example.org/portal.git#pages"\n'
    )
    leaked = deploy()
    assert leaked.exit_code == 1
    assert "holds a password or token: put it in an environment variable" in leaked.output

    (tmp_path / "deploy.toml").write_text('target = "folder:${NOT_SET_ANYWHERE}/x"\n')
    unset = deploy()
    assert unset.exit_code == 1 and "NOT_SET_ANYWHERE" in unset.output

    (tmp_path / "deploy.toml").write_text('target = "folder:/x"\npassword = "x"\n')
    unknown = deploy()
    assert unknown.exit_code == 1 and "unknown settings password" in unknown.output


def test_rollback_returns_to_the_release_that_was_live_before(tmp_path, site):
    _, built = site
    live = tmp_path / "portal"
    a, b, c = (variant(built, tmp_path / name, "vi/extra.txt", name) for name in "abc")
    for release in (a, b):
        assert deploy(f"folder:{live}", build_dir=release).exit_code == 0
    assert deploy("--rollback", f"folder:{live}").exit_code == 0
    assert same_tree(live, a)
    assert deploy(f"folder:{live}", build_dir=c).exit_code == 0  # b was rolled back: skip it
    result = deploy("--rollback", f"folder:{live}")
    assert result.exit_code == 0, result.output
    assert same_tree(live, a)


def test_two_deploys_to_one_folder_do_not_run_at_once(tmp_path, site):
    _, built = site
    live = tmp_path / "portal"
    (tmp_path / "portal.releases").mkdir()
    with (tmp_path / "portal.releases/.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = deploy(f"folder:{live}", build_dir=built)
    assert result.exit_code == 1
    assert f"another deploy to {live} is running" in result.output
    assert not live.exists()
    assert deploy(f"folder:{live}", build_dir=built).exit_code == 0


def test_a_build_that_changes_while_it_is_copied_is_not_switched_to(tmp_path, site, monkeypatch):
    _, built = site
    live = tmp_path / "portal"
    assert deploy(f"folder:{live}", build_dir=built).exit_code == 0
    served = os.readlink(live)
    other = variant(built, tmp_path / "other", "vi/extra.txt", "mới")
    copy = folder.copy_release

    def copy_while_a_build_swaps(build, release, *args):
        copy(build, release, *args)
        (release / "vi/extra.txt").write_text("bản dựng khác")  # a build swapped in meanwhile

    monkeypatch.setattr(folder, "copy_release", copy_while_a_build_swaps)
    result = deploy(f"folder:{live}", build_dir=other)
    assert result.exit_code == 1
    assert "changed while it was being copied" in result.output
    assert os.readlink(live) == served and same_tree(live, built)
    assert not list((tmp_path / "portal.releases").glob(".*.partial"))


def test_status_compares_the_live_files_with_the_build(tmp_path, site):
    _, built = site
    live = tmp_path / "portal"
    never = deploy("--status", f"folder:{live}", build_dir=built)
    assert (
        never.exit_code == 1 and f"nothing has been deployed to folder:{live} yet" in never.output
    )
    assert not live.exists()
    deployed = deploy(f"folder:{live}", build_dir=built)
    digest = re.search(r"Deployed build (sha256:[0-9a-f]{64})", deployed.output).group(1)
    same = deploy("--status", f"folder:{live}", build_dir=built)
    assert same.exit_code == 0, same.output
    assert f"folder:{live} serves build {digest}" in same.output
    assert "The live site is this build." in same.output

    (live / "vi/index.html").write_text("sửa tay trên máy chủ")
    edited = deploy("--status", f"folder:{live}", build_dir=built)
    assert edited.exit_code == 1
    assert f"serves build {digest}" not in edited.output
    assert f"is build {digest}" in edited.output
    assert "The live site is not this build" in edited.output


@pytest.mark.parametrize(
    ("base_url", "refused"),
    [("https://chuyendoiso.bentre.gov.vn/", False), ("https://chuyendoiso.bentre.example/", True)],
)
def test_the_address_checked_is_the_one_the_build_used(
    tmp_path, make_content, monkeypatch, base_url, refused
):
    """base_url from site.yml, read back from the build's manifest, not from the settings."""
    monkeypatch.delenv("DXPORTAL_BASE_URL", raising=False)
    root = make_content({**news("Nội dung."), "site.yml": SITE_YML + f"base_url: {base_url}\n"})
    assert build(root, tmp_path / "build", base_url=None).exit_code == 0
    manifest = json.loads((tmp_path / "build" / MANIFEST_NAME).read_text())
    assert manifest["base_url"] == base_url
    monkeypatch.setenv("DXPORTAL_BASE_URL", "https://elsewhere.gov.vn/")  # not what was built
    result = deploy(f"folder:{tmp_path}/portal", build_dir=tmp_path / "build")
    assert result.exit_code == (1 if refused else 0), result.output
    assert (f"the build's public address is {base_url}" in result.output) is refused
