"""Build jobs in forked processes: they run beside the parent, wait at its gate, fail loudly."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

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


def reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@contextmanager
def ctrl_c_once(started: Path, workers: int) -> Iterator[list[int]]:
    """Raise KeyboardInterrupt (as Ctrl-C) in the code run inside, once ``workers`` forked
    jobs have noted their pid in ``started``; yield, then fill, the list of those pids and
    fail if any is still running afterwards (killed then, not left to the rest of the suite)."""

    def interrupt(_signum: int, _frame: object) -> None:
        if len(list(started.iterdir())) < workers:  # not all at work yet
            signal.setitimer(signal.ITIMER_REAL, 0.1)
            return
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    pids: list[int] = []
    try:
        with pytest.raises(KeyboardInterrupt):
            yield pids
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        pids += [int(path.name) for path in started.iterdir() if path.name.isdigit()]
        left = [pid for pid in pids if not reaped(pid)]
        for pid in left:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    assert len(pids) == workers and left == []


def sleeping_in_children(started: Path) -> Callable[..., dict]:
    """A job that does nothing in this process and, in a forked one, notes its pid in
    ``started`` and sleeps."""
    parent = os.getpid()

    def job(*_args: object, **_kwargs: object) -> dict:
        if os.getpid() != parent:
            (started / str(os.getpid())).touch()
            time.sleep(120)
        return {}

    return job


def test_a_parent_interrupted_while_it_waits_for_its_jobs_stops_them(tmp_path):
    """Ctrl-C while results_of waits (issue #17): no worker is left running, orphaned."""
    job = sleeping_in_children(tmp_path)
    with ctrl_c_once(tmp_path, 2):
        results_of([fork_job(job) for _ in "ab"])


def test_a_freeze_interrupted_while_its_workers_render_stops_them(tmp_path, monkeypatch):
    """Ctrl-C while the freeze waits for its workers: they are stopped before the pipeline
    removes the staging folder they write into."""
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    urls = [f"/vi/news/bai-{n}/" for n in range(8)]
    freezer = SimpleNamespace(build_urls=sleeping_in_children(tmp_path))
    with ctrl_c_once(tmp_path, 2):
        build_in_parallel(None, freezer, urls, set(urls), 3)


def test_the_preview_index_interrupted_while_its_workers_write_stops_and_forgets_them(
    tmp_path, monkeypatch
):
    """Ctrl-C while the preview's index waits for its writers: they are stopped, and the pool
    forgets them (no pid kept as running, no pipe left open)."""
    monkeypatch.setattr(search_index, "write_language_index", sleeping_in_children(tmp_path))
    monkeypatch.setattr(search_index, "ordered_entries", lambda site: [])
    with ctrl_c_once(tmp_path, 2) as started:
        search_index.write_languages(None, tmp_path / "staging", None, None, 2)
    assert not set(started) & set(workers.RUNNING)
