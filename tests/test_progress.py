"""Progress of `dxportal build` and `dxportal index`: a bar in a terminal (a pseudo-terminal
here), plain lines in a pipe (a CI log), nothing with --quiet; the last line says what was
built and how long it took."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import re
import struct
import subprocess
import sys
import termios

import pytest

from dxportal.progress import LineProgress, TerminalProgress, line, reporter, silent

from conftest import page_text

TIMEOUT = 300  # seconds a small build may take on a loaded machine


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_come_at_the_start_every_interval_and_at_the_end():
    out, clock = io.StringIO(), Clock()
    report = LineProgress(out, {"pages": "Trang"}.get, interval=10, clock=clock)
    for done in range(0, 101):
        clock.now = done * 0.5  # 50 s in all: a line every 10 s
        report("pages", done, 100)
    report("pages", 100, 100)  # reported twice: shown once
    lines = out.getvalue().splitlines()
    report("pages", 0, 4)  # the stage again (the preview updates its index many times)
    assert out.getvalue().splitlines()[-1] == "Trang: 0/4 (0%)"
    assert lines[0] == "Trang: 0/100 (0%)"
    assert lines[1] == "Trang: 20/100 (20%), ~40 s"
    assert lines[-1] == "Trang: 100/100 (100%), 50.0 s"
    assert len(lines) == 6


def test_a_line_without_a_total_is_a_count():
    assert line("Trang", 7, 0, 1.0) == "Trang: 7"


def test_the_reporter_follows_the_stream():
    assert reporter(io.StringIO(), quiet=True) is silent

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert isinstance(reporter(Terminal()), TerminalProgress)
    assert isinstance(reporter(io.StringIO()), LineProgress)


def content(make_content):
    return make_content({
        f"news/tin-{n}.vi.md": page_text(f"Tin {n}", body=f"Chuyển đổi số {n}.") for n in range(3)
    })  # fmt: skip


def command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from dxportal.cli import run; run()", *args]


def environment(root, tmp_path) -> dict[str, str]:
    return {**os.environ, "DXPORTAL_CONTENT_DIR": str(root),
            "DXPORTAL_SEARCH_INDEX_DIR": str(tmp_path / "search_index")}  # fmt: skip


def run_in_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run ``args`` with a pseudo-terminal as standard output and error; return what it wrote."""
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=secondary,
                               stderr=secondary, env=env)  # fmt: skip
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    assert process.wait(TIMEOUT) == 0, b"".join(chunks)
    return b"".join(chunks).decode("utf-8")


@pytest.mark.parametrize("args", [("index",), ("build", "--output", "OUT")])
def test_a_terminal_shows_a_bar(make_content, tmp_path, args):
    env = environment(content(make_content), tmp_path)
    args = tuple(str(tmp_path / "out") if a == "OUT" else a for a in args)
    output = run_in_terminal(command(*args, "--lang", "en"), env)
    label = "Search index" if args[0] == "index" else "Pages"
    assert re.search(rf"\r{label}: 100%\|█+\| (\d+)/\1 ", output), output  # tqdm's bar
    last = output.strip().splitlines()[-1]
    assert re.fullmatch(r"(Indexed|Built) \d+ .* in \d+\.\d s", last), last


@pytest.mark.parametrize("args", [("index",), ("build", "--output", "OUT")])
def test_a_pipe_gets_plain_lines_and_quiet_gets_none(make_content, tmp_path, args):
    env = environment(content(make_content), tmp_path)
    args = tuple(str(tmp_path / "out") if a == "OUT" else a for a in args)
    label = "Chỉ mục tìm kiếm" if args[0] == "index" else "Trang"
    result = subprocess.run(command(*args), capture_output=True, text=True, env=env,
                            timeout=TIMEOUT)  # fmt: skip
    assert result.returncode == 0, result.stderr
    progress = [text for text in result.stderr.splitlines() if text.startswith(label)]
    total = re.fullmatch(rf"{label}: (\d+)/\1 \(100%\), \d+\.\d s", progress[-1]).group(1)
    assert progress[0] == f"{label}: 0/{total} (0%)"
    assert "\r" not in result.stderr and "█" not in result.stderr
    assert re.fullmatch(r"Đã (lập chỉ mục|dựng) \d+ .* trong \d+\.\d giây",
                        result.stdout.strip().splitlines()[-1])  # fmt: skip

    quiet = subprocess.run(command(*args, "--quiet"), capture_output=True, text=True, env=env,
                           timeout=TIMEOUT)  # fmt: skip
    assert quiet.returncode == 0, quiet.stderr
    assert not [text for text in quiet.stderr.splitlines() if text.startswith(label)]
    assert quiet.stdout.strip().splitlines()[-1].startswith("Đã ")
