"""Progress of long jobs (the build's pages, the search index) shown to whoever runs them.

The stages never see a terminal: they call a ``Report`` callback, ``report(stage, done,
total)``, with a stage key ("pages", "index"...) and counts. What the callback does is chosen
where the command starts (``reporter``):

- in a terminal, a tqdm bar per stage with the counts, the rate and an estimate of the time
  left, on standard error;
- anywhere else (a CI log, a pipe), a plain line every LINE_INTERVAL seconds and one when the
  stage ends, e.g. ``Pages: 1200/6500 (18%), ~40 s`` (left), then ``Pages: 6500/6500 (100%),
  52.0 s``;
- with --quiet, nothing (``silent``).

Stage keys are turned into words by ``labels`` (the command's translated messages).
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

Report = Callable[[str, int, int], None]
LINE_INTERVAL = 10.0  # seconds between two plain lines of one stage


def silent(stage: str, done: int, total: int) -> None:
    """The Report of --quiet (and of callers that do not ask for progress)."""


class LineProgress:
    """Plain lines: at the first report of a stage, then every ``interval`` seconds, and when
    it is done."""

    def __init__(
        self,
        stream: TextIO,
        labels: Callable[[str], str],
        interval: float = LINE_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream, self.labels, self.interval, self.clock = stream, labels, interval, clock
        self.started: dict[str, float] = {}
        self.shown: dict[str, float] = {}
        self.finished: set[str] = set()
        self.lock = threading.Lock()

    def __call__(self, stage: str, done: int, total: int) -> None:
        with self.lock:
            now = self.clock()
            if done == 0:  # a stage (again): the preview updates its index many times
                self.started.pop(stage, None)
                self.shown.pop(stage, None)
                self.finished.discard(stage)
            start = self.started.setdefault(stage, now)
            if stage in self.finished:
                return
            ended = total > 0 and done >= total
            if not ended and stage in self.shown and now - self.shown[stage] < self.interval:
                return
            self.shown[stage] = now
            if ended:
                self.finished.add(stage)
            self.stream.write(line(self.labels(stage), done, total, now - start) + "\n")
            self.stream.flush()

    def close(self) -> None:
        """Nothing is left open."""


def line(label: str, done: int, total: int, elapsed: float) -> str:
    """``Label: done/total (percent), ~N s`` (the time left, once there is a rate), or the
    time taken at the end."""
    if total <= 0:
        return f"{label}: {done}"
    text = f"{label}: {done}/{total} ({100 * done // total}%)"
    if done >= total:
        return f"{text}, {elapsed:.1f} s"
    if done and elapsed > 0:
        return f"{text}, ~{elapsed * (total - done) / done:.0f} s"
    return text


class TerminalProgress:
    """A tqdm bar per stage (closed when the stage is done) on a terminal."""

    def __init__(self, stream: TextIO, labels: Callable[[str], str]) -> None:
        self.stream, self.labels = stream, labels
        self.bars: dict[str, object] = {}
        self.lock = threading.Lock()

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm  # only a terminal needs it

        with self.lock:
            bar = self.bars.get(stage)
            if done == 0 and bar is None:
                self.bars.pop(stage, None)  # a stage again (the preview's index updates)
            if bar is None:
                if stage in self.bars:
                    return  # done already
                # The width once, as the shell says (a terminal of unknown size: 80 columns)
                width = shutil.get_terminal_size().columns
                bar = tqdm(total=total or None, desc=self.labels(stage), file=self.stream,
                           unit="", ncols=width, mininterval=0.2, leave=True)  # fmt: skip
                self.bars[stage] = bar
            if total and bar.total != total:
                bar.total = total
            bar.update(done - bar.n)
            if total and done >= total:
                bar.close()
                self.bars[stage] = None

    def close(self) -> None:
        with self.lock:
            for bar in self.bars.values():
                if bar is not None:
                    bar.close()
            self.bars.clear()


def reporter(stream: TextIO | None = None, quiet: bool = False,
             labels: Callable[[str], str] = str) -> Report:  # fmt: skip
    """The Report for ``stream`` (default standard error): bars on a terminal, plain lines
    elsewhere, nothing when ``quiet``."""
    if quiet:
        return silent
    stream = stream or sys.stderr
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        return TerminalProgress(stream, labels)
    return LineProgress(stream, labels)


def close(report: Report) -> None:
    """Finish what ``report`` left open (a bar interrupted before its end)."""
    closer = getattr(report, "close", None)
    if closer is not None:
        closer()
