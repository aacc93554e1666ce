#!/usr/bin/env python3
"""How long `dxportal build --watch` takes from a save to build/ updated, against a fresh process.

Usage: python bench/watch.py [--sizes 1000 5000] [--edits 10] [--runs 3] [--work /tmp/watch-corpus]

For each size it lays out the synthetic corpus once (bench/build.py's prepare_corpus, from
../shared/bench/gen_corpus.py), builds it once so that the caches and the kept build match this
code, then:

- fresh: `dxportal build` in a new process after one article's body was edited (``--runs``
  times), as cron or `make build` runs it;
- watch: `dxportal build --watch` started once; ``--edits`` times, one article's body is saved
  and the time until the command prints its rebuild line (build/ swapped in) is taken. The line's
  own figure (the rebuild alone, without noticing the save and waiting out the burst) and the
  CPU seconds the process and its workers used are shown beside it.

Prints medians (wall clock and CPU seconds) and the load average: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from build import (  # noqa: E402  (bench/build.py: the corpus and the timing of processes)
    DEFAULT_GENERATOR,
    PROJECT,
    edit_one_article,
    prepare_corpus,
    run_timed,
)

NOW = "2030-01-01T00:00"
PAUSE = 1.0  # seconds between two edits: each is a save of its own, not part of a burst


def environment(folder: Path) -> dict[str, str]:
    return dict(
        os.environ,
        DXPORTAL_CONTENT_DIR=str(folder / "content"),
        DXPORTAL_CACHE_DIR=str(folder / "cache"),
        DXPORTAL_NOW=NOW,
        PYTHONPATH=str(PROJECT / "site"),
    )


def dxportal(python: str, folder: Path, *args: str, output: str = "build") -> list[str]:
    destination = str(folder / output)
    return [python, str(PROJECT / "freeze.py"), "--quiet", "--output", destination, *args]


def cpu_seconds(pid: int) -> float:
    """User and system time of ``pid`` and of the children it has waited for (workers)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def load() -> str:
    return "load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def fresh_edits(python: str, folder: Path, runs: int) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of `dxportal build` in a new process after one edit."""
    timings = []
    for run in range(runs):
        edit_one_article(folder / "content", 900 + run)
        wall, _memory, cpu = run_timed(dxportal(python, folder), PROJECT, environment(folder))
        timings.append((wall, cpu))
    return timings


def read_line(process: subprocess.Popen, text: str, timeout: float = 600.0) -> str:
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise SystemExit(f"dxportal build --watch ended: {process.wait()}")
        if text in line:
            return line
    raise SystemExit(f"no line with {text!r} within {timeout} s")


def watch_edits(
    python: str, folder: Path, edits: int, output: str = "build"
) -> list[tuple[float, float, float]]:
    """(save to build/ updated, the rebuild's own time, CPU) seconds for each edit."""
    command = dxportal(python, folder, "--watch", "--lang", "en", output=output)
    process = subprocess.Popen(
        command, cwd=PROJECT, env=environment(folder), stdout=subprocess.PIPE, text=True
    )
    timings = []
    try:
        read_line(process, "Watching ")
        for number in range(edits):
            time.sleep(PAUSE)
            cpu = cpu_seconds(process.pid)
            saved = time.perf_counter()
            edit_one_article(folder / "content", number)
            line = read_line(process, "site updated")
            latency = time.perf_counter() - saved
            own = float(re.search(r"in ([\d.]+) s", line).group(1))
            timings.append((latency, own, cpu_seconds(process.pid) - cpu))
    finally:
        # SIGTERM stops it as Ctrl-C does; SIGINT is ignored by a process a non-interactive
        # shell started in the background, as a benchmark run with `&` is.
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:  # do not hide what came before
            process.kill()
            process.wait()
            print("dxportal build --watch did not stop within 60 s of SIGTERM: killed",
                  file=sys.stderr)  # fmt: skip
    return timings


def median(values: list[float]) -> float:
    return statistics.median(values)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/watch-corpus"))
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--generator", type=Path, default=DEFAULT_GENERATOR)
    args = parser.parse_args(argv)
    for size in args.sizes:
        folder = prepare_corpus(size, args.work / f"c{size}", args.generator)
        wall, _memory, cpu = run_timed(dxportal(args.python, folder), PROJECT, environment(folder))
        print(f"{size:>5} first build with this code: {wall:.1f} s (CPU {cpu:.1f} s), {load()}")
        fresh = fresh_edits(args.python, folder, args.runs)
        walls, cpus = [w for w, _ in fresh], [c for _, c in fresh]
        print(
            f"{size:>5} fresh process after one edit: median {median(walls):.2f} s "
            f"(CPU {median(cpus):.2f} s; runs {', '.join(f'{w:.2f}' for w in walls)}), {load()}",
            flush=True,
        )
        watched = watch_edits(args.python, folder, args.edits)
        latencies = [t[0] for t in watched]
        print(
            f"{size:>5} --watch, save to build/ updated: median {median(latencies):.2f} s "
            f"(min {min(latencies):.2f}, max {max(latencies):.2f}; the rebuild alone "
            f"{median([t[1] for t in watched]):.2f} s; CPU {median([t[2] for t in watched]):.2f}"
            f" s; {len(watched)} edits), {load()}",
            flush=True,
        )


if __name__ == "__main__":
    main()
