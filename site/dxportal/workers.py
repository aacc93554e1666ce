"""The build's one pool of forked processes: the pages' freeze (build/freeze_loop.py) splits
its addresses across them, the search index (search/static/export.py) writes each language in
one beside it, the preview's index (search/preview/index.py) too.

Forking pays once there are PARALLEL_THRESHOLD pages to work on (``worth_forking``). Each job
returns a picklable result or raises; a failed job's traceback comes back as JobFailed in the
parent, so a build never carries on after a job failed, and a failed parent stops its jobs. A
job can wait at a Gate until the parent has done what it needs (or would compete with for the
cores).

Ctrl-C (issue #17): a SIGINT that arrives while ``os.fork`` runs its at-fork handlers (logging's
lock release among them) raises KeyboardInterrupt inside the handler, where Python prints
"Exception ignored" and drops it: `build --watch` then went on watching and never stopped.
Blocking the signal does not help (another thread, watchdog's, takes it and the main thread
still runs the handler at once), so ``fork_job`` replaces the SIGINT and SIGTERM handlers by
one that only notes the signal while it forks and records the child, then acts on it.
Every child not yet reaped is in RUNNING, so whoever catches the interruption can stop them
all (``stop_all``), even those forked just before it came.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import threading
import traceback
from collections.abc import Callable
from functools import partial
from typing import Any

# Pages (one address in one language): below, forking costs more than it saves.
PARALLEL_THRESHOLD = 200
WAIT_SECONDS = 0.25  # between two calls of results_of's ``waiting`` (a progress report)
HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM)  # acted on after a fork, never inside one
RUNNING: dict[int, int] = {}  # the children forked and not reaped yet: pid -> read end


class JobFailed(RuntimeError):
    """A job in a forked process raised; the message holds its traceback."""


def worth_forking(pages: int, processes: int) -> bool:
    """Whether ``pages`` of work are worth splitting across ``processes`` forked processes."""
    return processes > 1 and pages >= PARALLEL_THRESHOLD and hasattr(os, "fork")


def fork_job(job: Callable[[], Any]) -> tuple[int, int]:
    """Start ``job`` in a forked child; (pid, the read end of the pipe its outcome comes by)."""
    read_end, write_end = os.pipe()
    came: list[int] = []
    previous = hold_signals(came)
    try:
        pid = os.fork()
        if pid == 0:  # the child: run, report, exit without the parent's cleanup
            release_signals(previous, [])
            RUNNING.clear()  # its siblings are not its children
            os.close(read_end)
            try:
                status, report = 0, pickle.dumps(job())
            except BaseException:
                status, report = 1, pickle.dumps(traceback.format_exc())
            with os.fdopen(write_end, "wb") as out:
                out.write(report)
            os._exit(status)
        RUNNING[pid] = read_end
        os.close(write_end)
    finally:
        release_signals(previous, came)  # in the parent: a Ctrl-C that came is raised here
    return pid, read_end


def hold_signals(came: list[int]) -> dict[int, Any] | None:
    """Note SIGINT and SIGTERM in ``came`` instead of acting on them (main thread only: the
    only one Python runs signal handlers in); the handlers they replaced."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return {number: signal.signal(number, lambda n, _f: came.append(n)) for number in HELD_SIGNALS}


def release_signals(previous: dict[int, Any] | None, came: list[int]) -> None:
    """Put the handlers back, then act on the signals that came while they were away."""
    if previous is None:
        return
    for number, handler in previous.items():
        signal.signal(number, handler)
    for number in dict.fromkeys(came):
        handler = previous[number]
        if callable(handler):
            handler(number, None)  # KeyboardInterrupt for SIGINT
        elif handler == signal.SIG_DFL:
            os.kill(os.getpid(), number)


def outcome(child: tuple[int, int]) -> tuple[bool, Any]:
    """Wait for ``child``: (True, what its job returned) or (False, its traceback)."""
    pid, read_end = child
    with os.fdopen(read_end, "rb", closefd=False) as source:
        report = source.read()
    _, status = os.waitpid(pid, 0)
    forget(pid)
    code = os.waitstatus_to_exitcode(status)
    try:
        value = pickle.loads(report)
    except Exception:
        return False, f"a build process ended with status {code}"
    return code == 0, value


def results_of(
    children: list[tuple[int, int]], waiting: Callable[[], None] | None = None
) -> list[Any]:
    """What each child's job returned, once all have ended; JobFailed if any failed.
    ``waiting()`` is called every WAIT_SECONDS meanwhile (progress). Interrupted (Ctrl-C), the
    children still running are stopped: their work is thrown away."""
    outcomes: dict[int, tuple[bool, Any]] = {}
    pending = {read_end: index for index, (_, read_end) in enumerate(children)}
    interval = None if waiting is None else WAIT_SECONDS
    try:
        while pending:  # a pipe becomes readable once its child has finished
            ready, _, _ = select.select(list(pending), [], [], interval)
            if waiting is not None:
                waiting()
            for read_end in ready:
                index = pending.pop(read_end)
                outcomes[index] = outcome(children[index])
    except BaseException:
        stop(children)
        raise
    ordered = [outcomes[index] for index in range(len(children))]
    failures = [value for ok, value in ordered if not ok]
    if failures:
        raise JobFailed("\n".join(failures))
    return [value for _, value in ordered]


def stop(children: list[tuple[int, int]]) -> None:
    """Kill ``children`` and reap them (the parent failed: what they do is thrown away)."""
    for pid, _read_end in children:
        if pid not in RUNNING:  # reaped by outcome() already
            continue
        try:
            ended, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # reaped by a caller's own waitpid: not ours to kill now
            ended = pid
        if not ended:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        forget(pid)


def stop_all() -> None:
    """Kill and reap every child forked here and not reaped yet (the parent was interrupted,
    perhaps before the pool that forked them could stop them)."""
    stop(list(RUNNING.items()))


def forget(pid: int) -> None:
    """The child ``pid`` was reaped: close the read end of its pipe."""
    read_end = RUNNING.pop(pid, None)
    if read_end is not None:
        os.close(read_end)


class Gate:
    """Holds forked jobs back at a point until the parent opens it.

    A pipe nobody writes to: reading it blocks until every copy of its write end is closed.
    A forked job closes its own copy at once (``forked``), so only the parent's remains,
    closed when it opens the gate.
    """

    def __init__(self) -> None:
        self.read_end, self.write_end = os.pipe()
        self.is_open = False

    def forked(self) -> None:
        """In a forked job, first thing: give up its copy of the write end."""
        os.close(self.write_end)

    def wait(self) -> None:
        """Return once the parent opened the gate (at once in the parent: it opened it)."""
        if not self.is_open:
            os.read(self.read_end, 1)  # b"": the parent closed its end
            os.close(self.read_end)
            self.is_open = True

    def open(self) -> None:
        if not self.is_open:
            os.close(self.write_end)
            os.close(self.read_end)
            self.is_open = True


class BackgroundJobs:
    """Jobs started in forked children while the parent goes on with other work.

    Jobs may wait at ``gate`` for the parent's ``finish``. Without fork, or with fewer than
    two processes, the jobs run in ``finish`` itself, one after the other. Used as a context,
    the children still running when it ends (the parent failed) are stopped.
    """

    def __init__(self, jobs: list[Callable[[], None]], processes: int, gate: Gate) -> None:
        self.gate = gate
        forking = processes > 1 and hasattr(os, "fork")  # the caller asked worth_forking
        self.here = [] if forking else jobs
        shares = min(processes, len(jobs)) if forking else 0
        self.children = [fork_job(partial(self.run, jobs[n::shares])) for n in range(shares)]

    def run(self, jobs: list[Callable[[], None]]) -> None:
        """In a forked child: its share of the jobs."""
        self.gate.forked()
        for job in jobs:
            job()

    def finish(self) -> None:
        """Open the gate, run the jobs kept here, wait for the children; raise JobFailed."""
        self.gate.open()
        for job in self.here:  # only without children
            job()
        results_of(self.children)  # stops the rest if interrupted
        self.children = []

    def __enter__(self) -> BackgroundJobs:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop the children left (the parent failed: what they write is thrown away; none
        after finish()), then open the gate (before, a child waiting at it would go on)."""
        stop(self.children)
        self.children = []
        self.gate.open()
