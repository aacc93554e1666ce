"""The command line a deployer and a communicator use."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from dxportal.cli import exit_status, main
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
    result = CliRunner().invoke(main, ["check", "--lang", "en"])
    assert result.exit_code == 2
    assert "DXPORTAL_NOW='ngày mai': expected a date or a date and time" in result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit


def test_the_build_process_flushes_its_report_and_ends_with_its_status(tmp_path, make_content):
    """freeze.py (and the `dxportal` script) end the process without tearing it down."""
    root = make_content({"news/tin.vi.md": page_text("Tin")})
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "freeze.py"), "--output", str(tmp_path / "out"),
         "--lang", "en"],
        capture_output=True, text=True, env={**os.environ, "DXPORTAL_CONTENT_DIR": str(root)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = result.stdout.splitlines()[-1]  # flushed before the process ended
    out = re.escape(str(tmp_path / "out"))
    assert re.fullmatch(rf"Built \d+ pages and files into {out} in \d+\.\d s", report), report
    assert (tmp_path / "out/vi/news/tin/index.html").is_file()


@pytest.mark.parametrize(("code", "status", "printed"), [
    (None, 0, ""), (0, 0, ""), (3, 3, ""), ("a message", 1, "a message\n"),
])  # fmt: skip
def test_exit_status_is_what_sys_exit_gives(capsys, code, status, printed):
    assert exit_status(code) == status
    assert capsys.readouterr().err == printed


def test_a_build_does_not_import_the_previews_search(tmp_path, make_content):
    """Whoosh's queries and index are the preview's (36 ms of imports): a `dxportal build`
    in a fresh process runs without them; the static index needs only the analyzer."""
    root = make_content({"news/tin.vi.md": page_text("Tin")})
    code = (
        "import sys; from dxportal.cli import main\n"
        "try:\n"
        f"    main(['build', '--output', {str(tmp_path / 'out')!r}, '--quiet'])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print(sorted(m for m in sys.modules if m.startswith(("
        "'whoosh.query', 'whoosh.searching', 'whoosh.index', 'dxportal.search.preview.index', "
        "'dxportal.search.preview.keeper', 'dxportal.search.preview.query'))))\n"
    )
    env = {**os.environ, "DXPORTAL_CONTENT_DIR": str(root)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "out/vi/news/tin/index.html").is_file()
    assert out.stdout.strip().splitlines()[-1] == "[]"
