"""Run independent jobs of a build in forked processes, one per core, where fork exists.

Each job writes its own files; a failed job's traceback is raised again in the parent, so a
build never carries on after a job failed.
"""

from __future__ import annotations

import os
import pickle
import traceback
from collections.abc import Callable


class JobFailed(RuntimeError):
    """A job in a forked process raised; the message holds its traceback."""


def run_jobs(jobs: list[Callable[[], None]], processes: int) -> None:
    """Run ``jobs``: the first here, the others in up to ``processes - 1`` forked children."""
    if processes < 2 or len(jobs) < 2 or not hasattr(os, "fork"):
        for job in jobs:
            job()
        return
    here, elsewhere = jobs[: len(jobs) - (processes - 1)], jobs[len(jobs) - (processes - 1) :]
    children = [fork_job(job) for job in elsewhere]
    try:
        for job in here:
            job()
    finally:
        failures = [failure for failure in (wait_for(child) for child in children) if failure]
    if failures:
        raise JobFailed("\n".join(failures))


def fork_job(job: Callable[[], None]) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, report, exit without the parent's cleanup
        os.close(read_end)
        status, report = 0, b""
        try:
            job()
        except BaseException:
            status, report = 1, pickle.dumps(traceback.format_exc())
        with os.fdopen(write_end, "wb") as out:
            out.write(report)
        os._exit(status)
    os.close(write_end)
    return pid, read_end


def wait_for(child: tuple[int, int]) -> str:
    """'' if the child succeeded, else its traceback (or how it ended)."""
    pid, read_end = child
    with os.fdopen(read_end, "rb") as source:
        report = source.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) == 0:
        return ""
    try:
        return pickle.loads(report)
    except Exception:
        return f"a build process ended with status {os.waitstatus_to_exitcode(status)}"
