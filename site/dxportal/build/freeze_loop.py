"""The freeze loop: render the addresses whose key changed, on every core (forked workers),
then remove the files of the earlier build this one does not produce."""

from __future__ import annotations

import os
import select
import warnings
import zlib
from collections.abc import Callable, Iterable
from multiprocessing.sharedctypes import RawArray
from pathlib import Path
from unicodedata import normalize

from flask import Flask

from dxportal.build.dependencies import AFTER_FREEZE_FOLDERS, HOST_FILES, Dependencies
from dxportal.build.freezer import SiteFreezer
from dxportal.build.generators import OPTIONAL_ENDPOINTS
from dxportal.build.leftovers import changed_folders, folders_of, remove_leftovers
from dxportal.build.record import BuildRecord
from dxportal.build.url_plan import plan_urls
from dxportal.content.model import ContentSet
from dxportal.messages import LANGUAGES
from dxportal.progress import Report
from dxportal.workers import fork_job, results_of, stop, worth_forking

PROGRESS_INTERVAL = 0.25  # seconds between two reports while waiting for the workers


def build_in_parallel(
    app: Flask,
    freezer: SiteFreezer,
    urls: list[str],
    generated: set[str],
    workers: int,
    progress: Report | None = None,
) -> dict[str, list[tuple[str, str]]]:
    """Split ``urls`` across forked processes (this one included, workers.py), as build_urls;
    ``progress("pages", done, total)`` as they are written (workers count in shared memory).

    Warnings raised in a worker are raised again here; a worker's error is JobFailed.
    """
    report = progress or (lambda stage, done, total: None)
    total = len(urls)
    counts = RawArray("q", max(1, workers))

    def counter(slot: int, here: bool) -> Callable[[], None]:
        def tick() -> None:
            counts[slot] += 1
            if here:
                report("pages", sum(counts), total)

        return tick

    def share(index: int) -> Callable[[], tuple[dict, list]]:
        def run() -> tuple[dict, list]:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                found = freezer.build_urls(shares[index], generated, counter(index, False))
            return found, [(w.category, str(w.message)) for w in caught]

        return run

    report("pages", 0, total)
    if not worth_forking(len(urls), workers):
        found = freezer.build_urls(urls, generated, counter(0, True))
        report("pages", total, total)
        return found
    shares = split_urls(urls, workers)
    children = [fork_job(share(index)) for index in range(1, workers)]
    try:
        found = freezer.build_urls(shares[0], generated, counter(0, True))
    except BaseException:
        stop(children)
        raise
    waiting = [read_end for _, read_end in children]
    try:
        while waiting:  # a worker's pipe becomes readable once it has finished its share
            ready, _, _ = select.select(waiting, [], [], PROGRESS_INTERVAL)
            report("pages", sum(counts), total)
            waiting = [fd for fd in waiting if fd not in ready]
    except BaseException:  # Ctrl-C: stop the workers before the caller removes staging
        stop(children)
        raise
    report("pages", total, total)
    for more, caught in results_of(children):
        for category, message in caught:
            warnings.warn(message, category, stacklevel=2)
        found.update(more)
    return found


def split_urls(urls: list[str], workers: int) -> list[list[str]]:
    """``urls`` in ``workers`` shares, an address in every language in the same share.

    The other language's address of an untranslated page shows the same body: in one
    process it is rendered once (the renderer keeps it), not once per process.
    """
    shares: list[list[str]] = [[] for _ in range(workers)]
    for url in urls:
        parts = url.split("/", 2)
        rest = parts[2] if len(parts) == 3 and parts[1] in LANGUAGES else url
        shares[zlib.crc32(rest.encode("utf-8")) % workers].append(url)
    return shares


def remove_extra_files(folder: Path, keep: set[str]) -> None:
    """Delete files of the earlier build that this build does not produce, and empty folders.

    A folder is empty when none of its files was kept and all its folders were removed (the
    walk has listed it already; listing thousands of folders twice cost a second).
    """
    removed: set[str] = set()
    for parent, dirs, files in os.walk(folder, topdown=False):
        relative = Path(parent).relative_to(folder).as_posix()
        prefix = "" if relative == "." else relative + "/"
        if prefix.startswith(AFTER_FREEZE_FOLDERS):
            continue  # kept, with its parents: the step that writes it keeps it up to date
        kept = False
        for name in files:
            if prefix + name not in keep:
                os.unlink(os.path.join(parent, name))
            else:
                kept = True
        gone = all(os.path.join(parent, name) in removed for name in dirs)
        if parent != str(folder) and not kept and gone:
            os.rmdir(parent)
            removed.add(parent)


def freeze_urls(
    app: Flask,
    freezer: SiteFreezer,
    site: ContentSet,
    staging: Path,
    record: BuildRecord | None,
    workers: int,
    progress: Report | None = None,
) -> tuple[list[str], BuildRecord]:
    """Freeze every URL into ``staging``: a new folder, or the earlier build ``record`` describes.

    Returns the URLs of the site and the record of this build. As in Frozen-Flask's own loop,
    the addresses pages ask url_for for are frozen too, and an endpoint nothing was frozen for
    is warned about.
    """
    with app.app_context():
        deps = Dependencies(app, site)
    planned = plan_urls(freezer, deps, app.extensions["dxportal.store"].cache_dir)
    keys = {url: key for url, _, key in planned}
    endpoints = {url: endpoint for url, endpoint, _ in planned}
    generated = set(keys)

    outputs: dict[str, str] = {}  # url: file

    def output(url: str) -> str:
        found = outputs.get(url)
        if found is None:
            found = outputs[url] = normalize("NFC", freezer.urlpath_to_filepath(url))
        return found

    base = str(staging)

    as_left: set[str] = set()  # URLs whose file is as the record says: not written again

    def stale(urls: Iterable[str]) -> list[str]:
        if record is None:
            return list(urls)
        found = []
        for url in urls:
            if record.unchanged(output(url), keys[url], base):
                as_left.add(url)
            else:
                found.append(url)
        return found

    # Looked at before anything is written: what else changed there is not this build's doing.
    changed, seen = changed_folders(staging, record.folders) if record and record.folders else (
        None, {}
    )  # fmt: skip
    built: set[str] = set()

    to_build = stale(keys)
    built.update(to_build)
    found = build_in_parallel(app, freezer, to_build, generated, workers, progress)
    links: dict[str, list] = {}
    if record is not None:  # pages not rebuilt link to what they linked to before
        links = {u: record.discovered.get(u, []) for u in generated if u not in found}
    links.update({u: [list(pair) for pair in pairs] for u, pairs in found.items()})
    pending = [u for u in links if links[u]]
    while pending:
        new = {}
        for url in pending:
            for link, endpoint in links[url]:
                if link not in keys:
                    new[link] = endpoint
        for link, endpoint in new.items():
            keys[link] = deps.key(link, endpoint, None)
            endpoints[link] = endpoint
        more_urls = stale(new)
        built.update(more_urls)
        more = freezer.build_urls(more_urls, generated)
        for url in new:
            if url in more:
                links[url] = [list(pair) for pair in more[url]]
            else:
                links[url] = record.discovered.get(url, []) if record else []
        pending = [u for u in new if links[u]]
    freezer.check_endpoints(set(endpoints.values()), OPTIONAL_ENDPOINTS)
    files = {output(url): url for url in keys}
    touched: set[str] | None = None  # folders this build wrote to or removed from, if known
    if record is not None and changed is not None:
        touched = remove_leftovers(staging, set(files) | HOST_FILES, record.files, changed,
                                   AFTER_FREEZE_FOLDERS)  # fmt: skip
        touched |= folders_of(output(url) for url in built)
    elif record is not None:
        remove_extra_files(staging, set(files) | HOST_FILES)
    new_record = BuildRecord(discovered={u: pairs for u, pairs in links.items() if pairs})
    for relative, url in files.items():
        if url in as_left:
            assert record is not None
            new_record.files[relative] = record.files[relative]
        else:
            st = os.stat(f"{base}/{relative}")
            new_record.files[relative] = [keys[url], st.st_size, st.st_mtime_ns]
    if touched is not None:  # else freezing stamps the finished folder (stamp_folders)
        new_record.folders = {
            relative: None if relative in touched else seen.get(relative)
            for relative in folders_of(files)
        }
    return list(keys), new_record
