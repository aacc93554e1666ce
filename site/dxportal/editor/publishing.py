""" "Publish": the site is built in a process of its own, started cleanly (spawn).

The editor's server is threaded and the preview runs a file watcher thread; a build forks its
workers, and forking a process with threads can deadlock the child (a lock held by another
thread at the moment of the fork is never released in it). A spawned process starts with one
thread, so the build inside it may fork as `dxportal build` does. One publish runs at a time.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from flask import Flask

from dxportal.build.destination import BuildError
from dxportal.build.pipeline import freeze_site
from dxportal.content.errors import ContentError

_ONE_AT_A_TIME = threading.Lock()


def publish(app_factory: Callable[[dict], Flask], settings: dict) -> dict:
    """Build the site from ``settings`` in a spawned process; return what happened:
    ok, folder, count (if ok), reason (a BuildError), report (the check, if it ran)."""
    spawn = multiprocessing.get_context("spawn")
    with _ONE_AT_A_TIME, ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        return pool.submit(build, app_factory, settings).result()


def build(app_factory: Callable[[dict], Flask], settings: dict) -> dict:
    """In the spawned process: make the site's app and freeze it."""
    site_app = app_factory(settings)
    result: dict = {"ok": False, "folder": settings["DXPORTAL_BUILD_DIR"]}
    try:
        result["count"] = len(freeze_site(site_app))
        result["ok"] = True
    except BuildError as exc:
        result["reason"] = str(exc)
    except ContentError:
        pass
    result["report"] = site_app.extensions.get("dxportal.check_report")
    return result
