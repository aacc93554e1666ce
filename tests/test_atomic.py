"""The one atomic write (dxportal.atomic): a crash or an error mid-write leaves the old file."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dxportal import atomic


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_write_replaces_the_file_keeps_its_mode_and_leaves_nothing(tmp_path):
    target = tmp_path / "trang.md"
    atomic.write_text(target, "cũ\n")
    target.chmod(0o640)
    atomic.write_text(target, "mới\r\n")
    assert target.read_bytes() == "mới\r\n".encode()
    assert target.stat().st_mode & 0o777 == 0o640
    assert leftovers(tmp_path) == []


def test_a_new_file_gets_the_usual_mode_not_a_private_one(tmp_path):
    old_mask = os.umask(0o022)
    try:
        atomic.write_bytes(tmp_path / "a.mo", b"x")
    finally:
        os.umask(old_mask)
    assert (tmp_path / "a.mo").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("durable", [True, False])
def test_an_error_mid_write_leaves_the_old_file_and_no_temporary_file(
    tmp_path, monkeypatch, durable
):
    target = tmp_path / "index.json"
    target.write_text("cũ")

    def failing_write(handle, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", failing_write)
    with pytest.raises(OSError):
        atomic.write_text(target, "mới" * 1000, durable=durable)
    monkeypatch.undo()
    assert target.read_text() == "cũ"
    assert leftovers(tmp_path) == []


CRASH = """
import os, sys
from dxportal import atomic
target = sys.argv[1]
atomic.write_text(target, "cũ")
def crash(*args):
    os._exit(3)  # killed: no cleanup, no exception handler runs
setattr(os, sys.argv[2], crash)
atomic.write_text(target, "mới" * 100_000)
"""


@pytest.mark.parametrize("crash_at", ["fsync", "replace"])
def test_a_process_killed_mid_write_leaves_the_old_file(tmp_path, crash_at):
    target = tmp_path / "trang.vi.md"
    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CRASH), str(target), crash_at], check=False
    )
    assert child.returncode == 3
    assert target.read_text(encoding="utf-8") == "cũ"
    assert len(leftovers(tmp_path)) == 1  # the dead writer's, hidden and ignored by the loader
    atomic.write_text(target, "sau")  # the next write removes it
    assert target.read_text(encoding="utf-8") == "sau"
    assert leftovers(tmp_path) == []


def test_a_live_writers_temporary_file_is_left_alone(tmp_path):
    target = tmp_path / "x.md"
    live = tmp_path / f".x.md.{os.getpid()}-abc.tmp"
    live.write_text("đang ghi")
    atomic.write_text(target, "x")
    assert live.exists()


# deploy/folder.py renames a new symbolic link over the live one: no file is written.
SYMLINK_SWITCH = "os.replace(link, live)"


def test_no_module_but_the_helper_replaces_files_by_hand():
    """The editor's saves, the cache, the search index, the catalogs and the deploy records
    all use the helper."""
    package = Path(atomic.__file__).parent
    found = []
    for path in package.rglob("*.py"):
        if path.name == "atomic.py":
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("os.replace(", "mkstemp(", '.tmp")', ".replace(path)"):
            if needle in text.replace(SYMLINK_SWITCH, ""):
                found.append(f"{path.relative_to(package)}: {needle}")
    assert found == []
