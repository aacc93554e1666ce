"""A build, top to bottom: check and read the content, take the earlier build as a start, freeze
the pages (the search index beside them), write the host files, swap the new site in.

The new site is written next to the destination and swapped in only when complete, so a
failed build leaves the previous one as it was.
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

from flask import Flask
from flask_frozen import FrozenFlaskWarning

from dxportal.atomic import replace_bytes
from dxportal.build.destination import (
    BuildError,
    check_destination,
    link_copy,
    remove_abandoned,
    remove_unused_spare,
    spare_folder,
    staging_folder,
    swap_in,
    take_spare,
)
from dxportal.build.freeze_loop import freeze_urls
from dxportal.build.freezer import SiteFreezer
from dxportal.build.generators import register_generators
from dxportal.build.record import BuildRecord
from dxportal.cache import remove_old_versions
from dxportal.content.checks import check_and_read
from dxportal.content.errors import ContentError
from dxportal.content.findings import CheckFailed
from dxportal.content.kept_pages import KeptPages
from dxportal.content.loader import published_content
from dxportal.content.model import ContentSet
from dxportal.content.site_files import public_address
from dxportal.deploy.manifest import write_manifest
from dxportal.gc_pause import collection_paused
from dxportal.progress import Report
from dxportal.search.static.export import start_static_index
from dxportal.web.security import headers_file


def freeze_site(
    app: Flask,
    destination: Path | None = None,
    progress: Report | None = None,
    pages: KeptPages | None = None,
) -> list[str]:
    """Freeze ``app`` into ``destination`` (default DXPORTAL_BUILD_DIR); return the URLs written.
    ``progress`` is told how far the pages are (progress.py); ``pages`` keeps the pages read
    for the next build of the same process (`build --watch`).

    Raises CheckFailed (a ContentError) when `dxportal check` finds errors in the pages to
    publish, BuildError when the destination is unsafe; in both cases, and on any other
    failure, ``destination`` is not touched.
    """
    if app.config["DXPORTAL_PREVIEW"]:
        raise BuildError("a preview app shows drafts and the reload script; it is never frozen")
    destination = Path(destination or app.config["DXPORTAL_BUILD_DIR"]).resolve()
    content_dir = Path(app.config["DXPORTAL_CONTENT_DIR"]).resolve()
    check_destination(destination, content_dir)
    store = app.extensions["dxportal.store"]
    cache_dir = store.cache_dir
    if cache_dir is not None:
        remove_old_versions(cache_dir)  # caches of earlier code versions
    with collection_paused() as loaded:  # see gc_pause.py
        site = read_published(app, content_dir, pages)
        if not app.config.get("FREEZER_BASE_URL"):  # the address absolute links are made with
            app.config["FREEZER_BASE_URL"] = public_address(
                app.config["DXPORTAL_BASE_URL"], site.settings
            )

        destination.parent.mkdir(parents=True, exist_ok=True)
        staging = staging_folder(destination)
        shutil.rmtree(staging, ignore_errors=True)
        spare = spare_folder(destination, cache_dir)
        remove_abandoned(destination, spare)
        record = take_spare(spare, staging, cache_dir)
        loaded()  # the content, the checks' findings and the build record
        app.config["FREEZER_DESTINATION"] = str(staging)
        freezer = SiteFreezer(app)
        register_generators(freezer, site, app.config["DXPORTAL_PER_PAGE"])
        try:
            staging.mkdir(exist_ok=True)
            workers = build_workers(app)
            # The search index (<lang>/search/data/) is written alongside, in forked processes.
            with start_static_index(app, site, staging, workers) as index:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", FrozenFlaskWarning)
                    urls, new_record = freeze_urls(
                        app, freezer, site, staging, record, workers, progress
                    )
                fail_on_freezer_warnings(caught)
                index.finish()
            write_host_files(staging)
            sizes = new_record.output_sizes(staging)
            write_manifest(staging, app.config["FREEZER_BASE_URL"], sizes)  # last: complete
            new_record.stamp_folders(staging)
            swap_in_keeping_spare(staging, destination, spare, new_record, cache_dir)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return urls


def read_published(app: Flask, content_dir: Path, pages: KeptPages | None) -> ContentSet:
    """Check and read all the content, drafts too (as `dxportal check`); the published site,
    now the store's. Raises CheckFailed or ContentError."""
    store = app.extensions["dxportal.store"]
    now = store.now()
    kept = pages if pages is not None and pages.root == content_dir else None
    report, everything = check_and_read(content_dir, now, True, store.cache_dir, kept)
    app.extensions["dxportal.check_report"] = report
    if report.errors:
        raise CheckFailed(report)
    assert everything is not None  # it is None only with errors
    site, problems = published_content(everything, now)
    if problems:
        raise ContentError(problems)
    store.use(site)
    return site


def swap_in_keeping_spare(staging: Path, destination: Path, spare: Path,
                          record: BuildRecord, cache_dir: Path | None) -> None:  # fmt: skip
    """Swap the complete build in; keep the build it replaces, with its record, as the spare
    the next build starts from (a first build keeps a copy of itself made of hard links,
    with the same folder times)."""
    previous = BuildRecord.load(cache_dir, destination) or BuildRecord()
    kept = swap_in(staging, destination, spare)
    remove_unused_spare(destination, spare)
    record.save(cache_dir, destination)
    if not kept and cache_dir is not None and not spare.exists():
        kept, previous = link_copy(destination, spare), record
    (previous if kept else BuildRecord()).save(cache_dir, spare)


def build_workers(app: Flask) -> int:
    """DXPORTAL_WORKERS, or one per core (at most 4: more only adds start-up costs)."""
    return app.config.get("DXPORTAL_WORKERS") or min(os.cpu_count() or 1, 4)


def fail_on_freezer_warnings(caught: list[warnings.WarningMessage]) -> None:
    """Frozen-Flask only warns about a type mismatch or an unfrozen endpoint: we fail."""
    for record in caught:
        if issubclass(record.category, FrozenFlaskWarning):
            raise BuildError(f"the freezer reported: {record.message}")
        warnings.warn_explicit(record.message, record.category, record.filename, record.lineno)


def write_host_files(folder: Path) -> None:
    """Files static hosts read beside the pages: security and cache headers; `.nojekyll`, so
    that GitHub Pages serves a branch deploy (`dxportal deploy git:`) as it is."""
    headers = headers_file().encode("utf-8")
    path = folder / "_headers"
    if not path.is_file() or path.read_bytes() != headers:
        replace_bytes(path, headers)
    if not (folder / ".nojekyll").exists():
        (folder / ".nojekyll").write_bytes(b"")
