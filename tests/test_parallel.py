"""Build jobs in forked processes: they run beside the parent, wait at its gate, fail loudly."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from dxportal import workers
from dxportal.build.freeze_loop import build_in_parallel
from dxportal.search.preview import index as search_index
from dxportal.workers import BackgroundJobs, Gate, JobFailed, fork_job, results_of


def writer(folder: Path, name: str):
    return lambda: (folder / name).write_text(str(os.getpid()), encoding="utf-8")


def wait_for_file(path: Path) -> None:
    """Until ``path`` exists (a forked job wrote it); fails after a generous minute."""
    for _ in range(6000):
        if path.exists():
            return
        time.sleep(0.01)
    raise AssertionError(f"{path} never appeared")


def test_jobs_run_in_forked_processes_and_write_their_files(tmp_path):
    jobs = [writer(tmp_path, name) for name in "abc"]
    BackgroundJobs(jobs, processes=2, gate=Gate()).finish()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "c"]
    writers = {(tmp_path / name).read_text(encoding="utf-8") for name in "abc"}
    assert str(os.getpid()) not in writers
    assert len(writers) == 2  # a and c share a process


def test_one_process_runs_the_jobs_in_finish(tmp_path):
    jobs = BackgroundJobs([writer(tmp_path, "a")], processes=1, gate=Gate())
    assert not (tmp_path / "a").exists()
    jobs.finish()
    assert (tmp_path / "a").read_text(encoding="utf-8") == str(os.getpid())


def test_a_failing_forked_job_fails_with_its_traceback():
    def boom() -> None:
        raise ValueError("the en index broke")

    with pytest.raises(JobFailed, match="the en index broke"):
        BackgroundJobs([lambda: None, boom], processes=2, gate=Gate()).finish()


def gated_job(folder: Path, gate: Gate):
    def job() -> None:
        (folder / "before").touch()
        gate.wait()
        (folder / "after").touch()

    return job


def test_a_job_waits_at_the_gate_until_the_parent_finishes(tmp_path):
    gate = Gate()
    jobs = BackgroundJobs([gated_job(tmp_path, gate), lambda: None], processes=2, gate=gate)
    wait_for_file(tmp_path / "before")
    time.sleep(0.2)  # were the gate open, the job would be done by now
    assert not (tmp_path / "after").exists()
    jobs.finish()
    assert (tmp_path / "after").exists()


def test_jobs_still_running_when_the_parent_fails_are_stopped(tmp_path):
    gate = Gate()
    jobs = BackgroundJobs([gated_job(tmp_path, gate)], processes=2, gate=gate)
    with pytest.raises(RuntimeError, match="the freeze failed"), jobs:
        wait_for_file(tmp_path / "before")
        raise RuntimeError("the freeze failed")
    assert jobs.children == []  # stopped and reaped: none can write any more
    assert not (tmp_path / "after").exists()


def sleeper(folder: Path, name: str):
    def job() -> None:
        (folder / name).touch()
        time.sleep(120)

    return job


def reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_a_parent_interrupted_while_it_waits_for_its_jobs_stops_them(tmp_path):
    """Ctrl-C while results_of waits (issue #17): no worker is left running, orphaned."""
    children = [fork_job(sleeper(tmp_path, name)) for name in "ab"]
    for name in "ab":
        wait_for_file(tmp_path / name)

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        with pytest.raises(KeyboardInterrupt):
            results_of(children)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        left = [pid for pid, _ in children if not reaped(pid)]
        for pid in left:  # without the fix: do not leave them to the rest of the suite
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    assert left == []


class SlowFreezer:
    """Renders nothing in the parent; in a worker, notes its pid and sleeps."""

    def __init__(self, folder: Path) -> None:
        self.parent, self.folder = os.getpid(), folder

    def build_urls(self, urls, generated, tick=None) -> dict:
        if os.getpid() != self.parent:
            (self.folder / str(os.getpid())).touch()
            time.sleep(120)
        return {}


def test_a_freeze_interrupted_while_its_workers_render_stops_them(tmp_path, monkeypatch):
    """Ctrl-C while the freeze waits for its workers: they are stopped before the pipeline
    removes the staging folder they write into."""
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    urls = [f"/vi/news/bai-{n}/" for n in range(8)]

    def interrupt(_signum: int, _frame: object) -> None:
        if len(list(tmp_path.iterdir())) < 2:  # both workers not rendering yet
            signal.setitimer(signal.ITIMER_REAL, 0.1)
            return
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        with pytest.raises(KeyboardInterrupt):
            build_in_parallel(None, SlowFreezer(tmp_path), urls, set(urls), 3)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        started = [int(path.name) for path in tmp_path.iterdir()]
        left = [pid for pid in started if not reaped(pid)]
        for pid in left:  # without the fix: do not leave them to the rest of the suite
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    assert len(started) == 2 and left == []


def test_the_preview_index_interrupted_while_its_workers_write_stops_and_forgets_them(
    tmp_path, monkeypatch
):
    """Ctrl-C while the preview's index waits for its writers: they are stopped, and the pool
    forgets them (no pid kept as running, no pipe left open)."""
    parent = os.getpid()

    def slow_writer(site, lang, folder, renderer, tick) -> None:
        if os.getpid() != parent:
            (tmp_path / str(os.getpid())).touch()
            time.sleep(120)

    monkeypatch.setattr(search_index, "write_language_index", slow_writer)
    monkeypatch.setattr(search_index, "ordered_entries", lambda site: [])

    def interrupt(_signum: int, _frame: object) -> None:
        if len(list(tmp_path.iterdir())) < 2:  # both writers not started yet
            signal.setitimer(signal.ITIMER_REAL, 0.1)
            return
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        with pytest.raises(KeyboardInterrupt):
            search_index.write_languages(None, tmp_path / "staging", None, None, 2)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        started = [int(path.name) for path in tmp_path.iterdir() if path.name.isdigit()]
        left = [pid for pid in started if not reaped(pid)]
        for pid in left:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    assert len(started) == 2 and left == []
    assert not set(started) & set(workers.RUNNING)
