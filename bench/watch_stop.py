#!/usr/bin/env python3
"""Does `dxportal build --watch` stop on Ctrl-C, whenever it comes? (issue #17)

Usage: python bench/watch_stop.py [--size 300] [--runs 30] [--grace 20] [--work /tmp/watch-stop]

Starts `build --watch` on a synthetic corpus (bench/build.py's prepare_corpus) ``--runs`` times
and sends SIGINT at a varied moment: during the first build, during a rebuild after a save, or
while idle. A process that has not exited ``--grace`` seconds later gets SIGUSR1 (the wrapper
registers faulthandler on it: every thread's stack goes to standard error, printed here), then
is killed. Each run also checks the exit status, that no staging folder and no worker process is
left. Prints one line per run and a summary with the load average (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from build import DEFAULT_GENERATOR, PROJECT, edit_one_article, prepare_corpus  # noqa: E402

WRAPPER = (
    "import faulthandler, signal, sys, runpy;"
    "faulthandler.register(signal.SIGUSR1, all_threads=True);"
    "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
)
MOMENTS = ("first build", "rebuild", "idle")


def descendants(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (the forked workers), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def one_run(python: str, folder: Path, moment: str, grace: float, number: int) -> str:
    output = folder / "build"
    env = dict(os.environ, DXPORTAL_CONTENT_DIR=str(folder / "content"),
               DXPORTAL_CACHE_DIR=str(folder / "cache"), DXPORTAL_NOW="2030-01-01T00:00",
               PYTHONPATH=str(PROJECT / "site"))  # fmt: skip
    command = [python, "-c", WRAPPER, str(PROJECT / "freeze.py"), "--quiet", "--output",
               str(output), "--watch", "--lang", "en"]  # fmt: skip
    errors = open(folder / f"stderr-{number}.txt", "w+")  # noqa: SIM115
    process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=subprocess.PIPE,
                               stderr=errors, text=True)  # fmt: skip
    assert process.stdout is not None
    if moment == "first build":
        time.sleep(random.uniform(0.3, 4.0))
    else:
        for line in process.stdout:
            if "Watching " in line:
                break
        if moment == "rebuild":
            edit_one_article(folder / "content", number)
            time.sleep(random.uniform(0.0, 1.5))
        else:
            time.sleep(random.uniform(0.0, 1.0))
    workers = descendants(process.pid)
    process.send_signal(signal.SIGINT)
    try:
        code = process.wait(grace)
        verdict = f"exit {code}"
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGUSR1)
        time.sleep(1.0)
        left = descendants(process.pid)
        process.kill()
        process.wait()
        errors.seek(0)
        print(errors.read(), file=sys.stderr)
        verdict = f"HUNG (workers then {workers}, still {left})"
    process.stdout.close()
    errors.close()
    time.sleep(0.2)
    orphans = [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    staging = sorted(p.name for p in folder.glob(".build.new-*"))
    for pid in orphans:
        os.kill(pid, signal.SIGKILL)
    for path in folder.glob(".build.new-*"):
        subprocess.run(["rm", "-rf", str(path)], check=False)
    extra = f" orphans {orphans}" if orphans else ""
    return verdict + extra + (f" staging {staging}" if staging else "")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=300)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--grace", type=float, default=20.0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/watch-stop"))
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args(argv)
    random.seed(args.seed)
    folder = prepare_corpus(args.size, args.work / f"c{args.size}", DEFAULT_GENERATOR)
    bad = 0
    for number in range(args.runs):
        moment = MOMENTS[number % len(MOMENTS)]
        verdict = one_run(args.python, folder, moment, args.grace, number)
        bad += verdict != "exit 0"
        load = f"load {os.getloadavg()[0]:.1f}"
        print(f"run {number:>3} SIGINT {moment:<11}: {verdict} ({load})", flush=True)
    print(f"{bad} of {args.runs} runs did not stop cleanly", flush=True)


if __name__ == "__main__":
    main()
