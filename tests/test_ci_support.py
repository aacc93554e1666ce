"""With CI=true a skipped test fails the run (tests/ci_support.py); without it, it skips."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SKIPPING = """
import shutil

import pytest

needs_tool = pytest.mark.skipif(shutil.which("no-such-tool") is None, reason="no tool")


@pytest.fixture
def tool():
    pytest.skip("the tool is not installed")


@needs_tool
def test_marked():
    pass


def test_skips_in_its_body():
    pytest.skip("the temporary folder is not on a filesystem the journal trusts")


def test_skips_in_a_fixture(tool):
    pass


def test_runs():
    pass


@pytest.mark.xfail(reason="known", strict=True)
def test_expected_failure():
    raise AssertionError
"""


def run_pytest(folder: Path, ci: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    env["PYTHONPATH"] = str(Path(__file__).parent)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "ci_support", "-p", "no:cacheprovider",
         "-q", "-rfs", "--rootdir", str(folder), str(folder / "test_tools.py")],
        capture_output=True, text=True, cwd=folder, env=env, timeout=120,
    )  # fmt: skip


@pytest.fixture
def folder(tmp_path) -> Path:
    (tmp_path / "test_tools.py").write_text(SKIPPING, encoding="utf-8")
    return tmp_path


def test_in_ci_every_skip_fails_the_run_with_its_reason(folder):
    result = run_pytest(folder, "true")
    assert result.returncode == 1, result.stdout
    summary = result.stdout.strip().splitlines()[-1]
    # a skip in a fixture or a skipif mark happens in the setup: pytest counts it as an error
    assert "1 failed, 1 passed, 1 xfailed, 2 errors" in summary, result.stdout
    lines = result.stdout.splitlines()
    for reason in ("no tool", "the journal trusts", "the tool is not installed"):
        assert any("where every test must run" in line and reason in line for line in lines)


@pytest.mark.parametrize("ci", [None, "", "false"])
def test_outside_ci_they_skip(folder, ci):
    result = run_pytest(folder, ci)
    assert result.returncode == 0, result.stdout
    assert "1 passed, 3 skipped, 1 xfailed" in result.stdout.strip().splitlines()[-1]
