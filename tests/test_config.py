"""DXPORTAL_* settings: every value is checked when the app starts; a wrong one is one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dxportal import config, create_app
from dxportal.cli import main


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DXPORTAL_WORKERS", "two", "a whole number, 0 or more"),
        ("DXPORTAL_WORKERS", "-1", "a whole number, 0 or more"),
        ("DXPORTAL_PER_PAGE", "0", "a whole number, 1 or more"),
        ("DXPORTAL_FEED_SIZE", "mười", "a whole number, 1 or more"),
        ("DXPORTAL_PREVIEW", "maybe", "true or false"),
        ("DXPORTAL_BASE_URL", "example.org/portal/", "an absolute http(s) address ending in /"),
        ("DXPORTAL_BASE_URL", "https://example.org/portal", "ending in /"),
        ("DXPORTAL_BASE_URL", "ftp://example.org/", "an absolute http(s) address"),
        ("DXPORTAL_NOW", "ngày mai", "a date or a date and time such as 2026-12-01T08:00"),
        ("DXPORTAL_EDITOR_MAX_UPLOAD", "10MB", "a number of bytes"),
        ("DXPORTAL_CONTENT_DIR", " ", "a folder path"),
    ],
)
def test_a_wrong_setting_is_one_line_naming_it_with_status_2(
    monkeypatch, variable, value, expected
):
    monkeypatch.setenv(variable, value)
    result = CliRunner().invoke(main, ["check", "--lang", "en"])
    assert result.exit_code == 2
    assert result.exception.__class__ is SystemExit
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"dxportal: {variable}='{value}': expected ")
    assert expected in lines[0]


def test_the_wrong_setting_is_named_in_vietnamese_by_default(monkeypatch):
    monkeypatch.setenv("DXPORTAL_WORKERS", "two")
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "dxportal: DXPORTAL_WORKERS='two': cần là một số nguyên, từ 0 trở lên "
        "(0: mỗi lõi một tiến trình)"
    )


def test_the_process_shows_no_traceback(monkeypatch, tmp_path):
    env = {"DXPORTAL_WORKERS": "two", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "dxportal"), "build"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().startswith("dxportal: DXPORTAL_WORKERS='two'")


def test_a_wrong_base_url_option_is_refused_like_the_setting(make_content, monkeypatch):
    monkeypatch.setenv("DXPORTAL_CONTENT_DIR", str(make_content()))
    result = CliRunner().invoke(main, ["build", "--base-url", "portal.example.org", "--lang", "en"])
    assert result.exit_code == 2
    assert "DXPORTAL_BASE_URL='portal.example.org/': expected an absolute http(s)" in result.output


@pytest.mark.parametrize(
    ("setting", "value"),
    [("DXPORTAL_WORKERS", "2"), ("DXPORTAL_PER_PAGE", 0), ("DXPORTAL_BASE_URL", "/portal/")],
)
def test_create_app_refuses_a_value_of_the_wrong_form(setting, value):
    with pytest.raises(config.ConfigError, match=setting):
        create_app({setting: value})


def test_every_default_has_its_form_and_passes_its_own_check():
    assert config.validated(config.DEFAULTS) == config.DEFAULTS
    assert set(config.FORMS) == set(config.DEFAULTS)


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("ON", True), ("0", False), ("", False)]
)
def test_flags_from_the_environment(raw, expected):
    assert config.from_environment({"DXPORTAL_PREVIEW": raw}) == {"DXPORTAL_PREVIEW": expected}
