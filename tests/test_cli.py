"""The command line a deployer and a communicator use."""

from __future__ import annotations

import os
import subprocess
import sys

from click.testing import CliRunner

from dxportal.cli import main
from dxportal.config import PROJECT_ROOT

from conftest import page_text


def test_build_writes_the_site(tmp_path, make_content, monkeypatch):
    root = make_content({"news/tin.vi.md": page_text("Tin")})
    monkeypatch.setenv("DXPORTAL_CONTENT_DIR", str(root))
    result = CliRunner().invoke(main, ["build", "--output", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Đã dựng" in result.output  # Vietnamese by default
    assert (tmp_path / "out/vi/news/tin/index.html").is_file()


def test_build_reports_every_content_error_without_a_traceback(tmp_path, make_content):
    root = make_content({
        "news/a.vi.md": "---\ndate: 2021-03-03\n---\n",
        "news/b.vi.md": "---\ntitle: B\ndate: 31/12/2021\n---\n",
    })  # fmt: skip
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "freeze.py"), "--output", str(tmp_path / "out"),
         "--lang", "en"],
        capture_output=True, text=True, env={**os.environ, "DXPORTAL_CONTENT_DIR": str(root)},
    )  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{root}/news/a.vi.md:1: error: the required field 'title' is missing" in result.stderr
    assert (
        f"{root}/news/b.vi.md:3: error: 'date' must be a date written YYYY-MM-DD" in result.stderr
    )
    assert not (tmp_path / "out").exists()


def test_build_refuses_to_write_over_content(make_content, monkeypatch):
    root = make_content()
    monkeypatch.setenv("DXPORTAL_CONTENT_DIR", str(root))
    result = CliRunner().invoke(main, ["build", "--output", str(root)])
    assert result.exit_code == 1
    assert "refusing to build" in result.output


def test_a_malformed_now_setting_is_a_plain_error(monkeypatch):
    monkeypatch.setenv("DXPORTAL_NOW", "ngày mai")
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 2
    assert "DXPORTAL_NOW must be a date or a date and time" in result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit
