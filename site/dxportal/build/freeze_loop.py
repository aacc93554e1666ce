"""The freeze loop: render the addresses whose key changed, on every core (forked workers),
then remove the files of the earlier build this one does not produce."""

from __future__ import annotations

import os
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
    processes = workers if worth_forking(total, workers) else 1
    counts = RawArray("q", processes)

    def counter(slot: int) -> Callable[[], None]:
        def tick() -> None:
            counts[slot] += 1
            if slot == 0:  # this process's share: the others' counts are read while waiting
                report("pages", sum(counts), total)

        return tick

    def share(slot: int) -> Callable[[], tuple[dict, list]]:
        def run() -> tuple[dict, list]:  # in a forked child: its warnings go back with it
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                found = freezer.build_urls(shares[slot], generated, counter(slot))
            return found, [(w.category, str(w.message)) for w in caught]

        return run

    report("pages", 0, total)
    shares = split_urls(urls, processes)
    children = [fork_job(share(slot)) for slot in range(1, processes)]
    try:
        found = freezer.build_urls(shares[0], generated, counter(0))
    except BaseException:
        stop(children)
        raise
    results = results_of(children, lambda: report("pages", sum(counts), total))
    report("pages", total, total)
    for more, caught in results:
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
    keys, endpoints = plan_urls(freezer, deps, app.extensions["dxportal.store"].cache_dir)
    generated = set(keys)
    base = str(staging)
    paths: dict[str, str] = {}  # url: its file in staging
    as_left: set[str] = set()  # URLs whose file is as the record says: not written again

    def stale(urls: Iterable[str]) -> list[str]:
        found = []
        for url in urls:
            path = paths[url] = normalize("NFC", freezer.urlpath_to_filepath(url))
            if record is not None and record.unchanged(path, keys[url], base):
                as_left.add(url)
            else:
                found.append(url)
        return found

    # Looked at before anything is written: what else changed there is not this build's doing.
    changed, seen = (set(), {}) if record is None else changed_folders(staging, record.folders)
    found = build_in_parallel(app, freezer, stale(keys), generated, workers, progress)
    known = record.discovered if record is not None else {}
    links = {u: known.get(u, []) for u in generated if u not in found}  # not rendered again
    links.update({u: [list(pair) for pair in pairs] for u, pairs in found.items()})
    pending = [u for u in links if links[u]]
    while pending:
        new = {link: endpoint for u in pending for link, endpoint in links[u] if link not in keys}
        for link, endpoint in new.items():
            keys[link] = deps.key(link, endpoint, None)
            endpoints.add(endpoint)
        more = freezer.build_urls(stale(new), generated)
        for url in new:
            links[url] = [list(pair) for pair in more[url]] if url in more else known.get(url, [])
        pending = [u for u in new if links[u]]
    freezer.check_endpoints(endpoints, OPTIONAL_ENDPOINTS)
    new_record = BuildRecord(discovered={u: pairs for u, pairs in links.items() if pairs})
    for url, relative in paths.items():
        if url in as_left:
            new_record.files[relative] = record.files[relative]  # type: ignore[union-attr]
        else:
            st = os.stat(f"{base}/{relative}")
            new_record.files[relative] = [keys[url], st.st_size, st.st_mtime_ns]
    if record is not None:
        touched = remove_leftovers(staging, set(new_record.files) | HOST_FILES, record.files,
                                   changed, AFTER_FREEZE_FOLDERS)  # fmt: skip
        if record.folders:  # else they are stamped once the build is complete (stamp_folders)
            touched |= folders_of(paths[url] for url in paths if url not in as_left)
            new_record.folders = {relative: None if relative in touched else seen.get(relative)
                                  for relative in folders_of(new_record.files)}  # fmt: skip
    return list(keys), new_record
