"""`dxportal build --watch`, end to end in a process of its own, as a communicator runs it.

No sleeps: each step waits for the line the command prints, with a timeout that only matters
when something is broken (the machine may be busy).
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from build_support import BODY, EDITS, build, corpus

from dxportal.build.watch import describe
from dxportal.messages import Translate
from dxportal.watching import Changes

from conftest import PROJECT_ROOT, page_text, tree_digest

TIMEOUT = 120.0  # seconds; reached only if the watcher is broken


class Running:
    """The command's output lines as they come, from both streams."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.lines: queue.Queue[tuple[str, str]] = queue.Queue()
        self.seen: list[tuple[str, str]] = []
        self.found: dict[str, int] = {}
        self.readers = [
            threading.Thread(target=self._read, args=(name, stream), daemon=True)
            for name, stream in (("out", process.stdout), ("err", process.stderr))
        ]
        for reader in self.readers:
            reader.start()

    def end(self) -> None:
        """Kill the command if it still runs; close its pipes once read to the end."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(TIMEOUT)
        for reader in self.readers:
            reader.join(TIMEOUT)
        self.process.stdout.close()
        self.process.stderr.close()

    def stop(self, signum: int) -> None:
        """Send ``signum``: the command must end with status 0, saying it stopped watching."""
        self.process.send_signal(signum)
        assert self.process.wait(TIMEOUT) == 0
        self.wait_for("Stopped watching")

    def tracebacks(self) -> list[str]:
        return [line for _, line in self.seen if "Traceback" in line]

    def _read(self, name: str, stream) -> None:
        for line in stream:
            self.lines.put((name, line.rstrip("\n")))

    def wait_for(self, text: str, stream: str = "out") -> str:
        """The next line of ``stream`` containing ``text``, after the last one found there
        (the two streams interleave as they please)."""
        deadline = time.monotonic() + TIMEOUT
        start = self.found.get(stream, 0)
        while True:
            for index in range(start, len(self.seen)):
                name, line = self.seen[index]
                if name == stream and text in line:
                    self.found[stream] = index + 1
                    return line
            start = len(self.seen)
            try:
                self.seen.append(self.lines.get(timeout=1.0))
            except queue.Empty:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise AssertionError(f"no line with {text!r}; seen: {self.seen}") from None


def start_watching(root: Path, output: Path, cache: Path) -> Running:
    env = {
        **os.environ,
        "DXPORTAL_CONTENT_DIR": str(root),
        "DXPORTAL_CACHE_DIR": str(cache),
        "DXPORTAL_NOW": "2026-01-01T00:00",
    }
    command = [sys.executable, str(PROJECT_ROOT / "freeze.py"), "--watch", "--lang", "en",
               "--quiet", "--output", str(output)]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    return Running(process)


def test_watch_rebuilds_on_saves_survives_errors_and_stops_on_ctrl_c(tmp_path, make_content):
    root = corpus(make_content)
    site = tmp_path / "site"
    running = start_watching(root, site, tmp_path / "cache")
    try:
        running.wait_for("Built ")
        running.wait_for("Watching ")
        page = site / "vi/news/bai-3/index.html"
        assert "Đã sửa lỗi." not in page.read_text(encoding="utf-8")

        EDITS["body"](root)
        line = running.wait_for("site updated")
        assert " content/news/bai-3.vi.md: " in line and " page(s) written" in line
        assert "Đã sửa lỗi." in page.read_text(encoding="utf-8")
        assert tree_digest(site) == tree_digest(build(root, tmp_path / "clean", tmp_path / "c1"))

        good = tree_digest(site)
        broken = root / "news/bai-2.vi.md"
        broken.write_text(page_text("Bài số 2", date="2/3/2021", body=BODY), encoding="utf-8")
        problem = running.wait_for("bai-2.vi.md:3: error:", "err")
        assert "'date' must be a date written YYYY-MM-DD" in problem
        assert "the last good build is kept, still watching" in running.wait_for("problem(s)")
        assert tree_digest(site) == good

        broken.write_text(page_text("Bài hai", date="2021-03-02", body=BODY), encoding="utf-8")
        assert "news/bai-2.vi.md" in running.wait_for("site updated")
        assert tree_digest(site) == tree_digest(build(root, tmp_path / "clean2", tmp_path / "c2"))

        running.stop(signal.SIGINT)
    finally:
        running.end()
    assert not running.tracebacks(), running.seen
    assert tree_digest(site) == tree_digest(tmp_path / "clean2")


def test_a_burst_of_saves_is_one_rebuild_named_by_its_files(tmp_path, make_content):
    root = corpus(make_content)
    site = tmp_path / "site"
    running = start_watching(root, site, tmp_path / "cache")
    try:
        running.wait_for("Watching ")
        for number in (1, 2, 3, 4):  # as a tool that rewrites several files at once
            path = root / f"news/bai-{number}.vi.md"
            path.write_text(path.read_text(encoding="utf-8") + "\nThêm.\n", encoding="utf-8")
        line = running.wait_for("site updated")
        assert " content/news/bai-1.vi.md, content/news/bai-2.vi.md and 2 more: " in line
        running.process.send_signal(signal.SIGINT)
        assert running.process.wait(TIMEOUT) == 0
    finally:
        running.end()
    rebuilds = [line for name, line in running.seen if "site updated" in line]
    assert len(rebuilds) == 1, running.seen
    assert tree_digest(site) == tree_digest(build(root, tmp_path / "clean", tmp_path / "c1"))


def english(text: str) -> str:
    return text


def test_a_rebuild_line_names_two_files_and_counts_the_rest(tmp_path):
    translate: Translate = english
    folders = [tmp_path / "content", tmp_path / "site/templates"]
    one = Changes({folders[0] / "news/a.vi.md"})
    assert describe(one, folders, translate) == "content/news/a.vi.md"
    many = Changes({folders[0] / f"news/{n}.vi.md" for n in "abcde"})
    many.paths.add(folders[1] / "base.html")
    assert (
        describe(many, folders, translate)
        == "content/news/a.vi.md, content/news/b.vi.md and 4 more"
    )
    assert describe(Changes(everything=True), folders, translate) == "content changed"


def test_sigterm_stops_watching_as_ctrl_c_does(tmp_path, make_content):
    """`kill` (or a service manager) during a rebuild: exit 0, the last good build in place,
    no staging folder or worker left behind."""
    root = corpus(make_content)
    site = tmp_path / "site"
    running = start_watching(root, site, tmp_path / "cache")
    try:
        running.wait_for("Watching ")
        good = tree_digest(site)
        EDITS["body"](root)
        time.sleep(0.1)  # the rebuild has started, or is about to
        running.stop(signal.SIGTERM)
    finally:
        running.end()
    assert not running.tracebacks(), running.seen
    assert tree_digest(site) in (good, tree_digest(build(root, tmp_path / "clean", tmp_path / "c")))
    assert not list(tmp_path.glob(".site.new-*"))
