"""`dxportal build --watch`: build once, then again whenever content, a template or a catalog
is saved, in the same process.

The app stays in memory between builds, with what it keeps (the parsed pages of the content
cache, the compiled templates, the URL plan), so a rebuild after one edit costs what the
incremental build costs, without starting Python and importing the libraries again. A template
or catalog change starts a fresh app (its Jinja environment and catalogs are read once per app).
Changes come from the one change detector (watching.py); a burst of events (a save is several)
is waited out first. Each rebuild is one line; a content error prints its problems with file
and line, keeps the last good build and goes on watching.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from dxportal.build.destination import BuildError
from dxportal.build.pipeline import freeze_site
from dxportal.content.errors import ContentError
from dxportal.content.findings import CheckFailed, display_path
from dxportal.content.kept_pages import KeptPages
from dxportal.messages import Message, Translate
from dxportal.progress import Report, close
from dxportal.watching import Changes, FolderWatch
from dxportal.web.live_reload import watched_folders
from dxportal.web.store import affects_content

QUIET_SECONDS = 0.05  # a save is several events: rebuild once they stopped for this long
NAMES_SHOWN = 2  # changed files named on a rebuild's line; the rest are counted


@dataclass
class Outcome:
    """One build: how many pages were rendered, in how long, or the lines of its problems."""

    pages: int = 0
    urls: int = 0
    seconds: float = 0.0
    problems: list[str] | None = None


class SiteWatch:
    """Builds the site into ``destination`` from apps made by ``make_app``, again on changes."""

    def __init__(self, make_app: Callable[[], Flask], destination: Path | None,
                 translate: Translate) -> None:  # fmt: skip
        self.make_app = make_app
        self.destination = destination
        self.translate = translate
        self.app = make_app()
        content, templates, translations = watched_folders(self.app)
        self.content, self.code = content, (templates, translations)
        self.watch = FolderWatch([content, templates, translations])
        store = self.app.extensions["dxportal.store"]
        self.pages = KeptPages(content.resolve(), store.cache_dir)  # the pages read last

    def build(self, progress: Report | None = None) -> Outcome:
        """Freeze the site now; problems are caught and described, never raised."""
        counted = {"pages": 0}

        def report(stage: str, done: int, total: int) -> None:
            if stage == "pages":
                counted["pages"] = total
            if progress is not None:
                progress(stage, done, total)

        started = time.perf_counter()
        try:
            urls = freeze_site(self.app, self.destination, report, self.pages)
        except CheckFailed as exc:
            return Outcome(problems=[f.render(self.translate) for f in exc.report.errors])
        except ContentError as exc:
            return Outcome(problems=[p.render(self.translate) for p in exc.problems])
        except BuildError as exc:
            refused = Message("Build refused: {reason}", reason=str(exc))
            return Outcome(problems=[refused.render(self.translate)])
        return Outcome(counted["pages"], len(urls), time.perf_counter() - started)

    def next_changes(self, timeout: float) -> Changes | None:
        """The next burst of changes that matter to the site, or None after ``timeout``."""
        if not self.watch.wait(timeout, quiet=QUIET_SECONDS):
            return None
        changes = self.watch.take()
        changes.paths = {path for path in changes.paths if self.matters(path)}
        return changes or None

    def matters(self, path: Path) -> bool:
        if path.is_relative_to(self.content):
            return affects_content(self.content, path)
        return any(path.is_relative_to(folder) for folder in self.code)

    def rebuild(self, changes: Changes) -> Outcome:
        """Build after ``changes``."""
        if changes.everything or any(not p.is_relative_to(self.content) for p in changes.paths):
            self.app = self.make_app()  # templates and catalogs are loaded once per app
        return self.build()


def describe(changes: Changes, folders: list[Path], translate: Translate) -> str:
    """What changed, in a few words: the first files' names (from the watched folder's name
    on, e.g. content/news/a.vi.md), and how many more."""
    if changes.everything:
        return Message("{folder} changed", folder=folders[0].name).render(translate)
    names = sorted(short_name(path, folders) for path in changes.paths)
    shown = ", ".join(names[:NAMES_SHOWN])
    if len(names) <= NAMES_SHOWN:
        return shown
    more = Message("{files} and {count} more", files=shown, count=len(names) - NAMES_SHOWN)
    return more.render(translate)


def short_name(path: Path, folders: list[Path]) -> str:
    for folder in folders:
        if path.is_relative_to(folder):
            return (Path(folder.name) / path.relative_to(folder)).as_posix()
    return str(path)


def rebuild_line(what: str, outcome: Outcome, translate: Translate) -> str:
    """One line per rebuild: the time, what changed, pages written and how long it took."""
    clock = dt.datetime.now().strftime("%H:%M:%S")
    if outcome.problems is not None:
        line = Message(
            "{what}: {count} problem(s); the last good build is kept, still watching",
            what=what,
            count=len(outcome.problems),
        )
    else:
        line = Message(
            "{what}: {pages} page(s) written, site updated in {seconds} s",
            what=what,
            pages=outcome.pages,
            seconds=f"{outcome.seconds:.2f}",
        )
    return f"{clock} {line.render(translate)}"


def watch_site(site: SiteWatch, say: Callable[[str, bool], None],
               progress: Report | None = None) -> None:  # fmt: skip
    """Build, then rebuild on every change until interrupted (KeyboardInterrupt goes up)."""
    translate = site.translate
    site.watch.start()  # before the first build: a save made during it is not missed
    site.watch.take()  # what came before the start: the first build reads it anyway
    first = site.build(progress)
    if progress is not None:
        close(progress)  # the rebuilds show one line each, no bars
    if first.problems is not None:
        for line in first.problems:
            say(line, True)
        say(Message("Nothing was published; the previous build is unchanged.").render(translate),
            True)  # fmt: skip
    else:
        built = Message(
            "Built {count} pages and files into {folder} in {seconds} s",
            count=first.urls,
            folder=site.destination or site.app.config["DXPORTAL_BUILD_DIR"],
            seconds=f"{first.seconds:.1f}",
        )
        say(built.render(translate), False)
    folder = str(display_path(site.content))
    say(Message("Watching {folder}, the templates and the translations; Ctrl-C stops.",
                folder=folder).render(translate), False)  # fmt: skip
    while True:
        changes = site.next_changes(timeout=1.0)
        if changes is None:
            continue
        what = describe(changes, site.watch.folders, translate)
        outcome = site.rebuild(changes)
        for line in outcome.problems or ():
            say(line, True)
        say(rebuild_line(what, outcome, translate), False)
