"""Freeze the whole site into a folder of static files, atomically.

The new site is written next to the destination and swapped in only when complete, so a
failed build leaves the previous one as it was.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

from flask import Flask
from flask_frozen import Freezer, FrozenFlaskWarning, MissingURLGeneratorWarning

from dxportal.web import section_routes
from dxportal.cache import hash_text
from dxportal.content.findings import CheckFailed
from dxportal.content.checks import check_and_read
from dxportal.gc_pause import collection_deferred
from dxportal.config import PROJECT_ROOT
from dxportal.content.model import ContentSet
from dxportal.content.loader import published_content
from dxportal.content.errors import ContentError
from dxportal.build.incremental import BuildRecord, freeze_urls
from dxportal.search.static.export import start_static_index
from dxportal.content.schema import LANGUAGES
from dxportal.deploy.manifest import write_manifest
from dxportal.web.security import headers_file
from dxportal.web.views import LISTED_SECTIONS

# Endpoints that may legitimately freeze nothing: a site without tags, media or static pages.
OPTIONAL_ENDPOINTS = {"portal.tag", "portal.entry", "portal.static_page", "site.media"}
OPTIONAL_ENDPOINTS |= section_routes.OPTIONAL_ENDPOINTS


class BuildError(Exception):
    """The build was refused or failed; the message says why."""


def freeze_site(app: Flask, destination: Path | None = None) -> list[str]:
    """Freeze ``app`` into ``destination`` (default DXPORTAL_BUILD_DIR); return the URLs written.

    Raises CheckFailed (a ContentError) when `dxportal check` finds errors in the pages to
    publish, BuildError when the destination is unsafe; in both cases, and on any other
    failure, ``destination`` is not touched.
    """
    with collection_deferred() as loaded:  # see collector.py
        return build_site(app, destination, loaded)


def build_site(app: Flask, destination: Path | None, loaded: Callable[[], None]) -> list[str]:
    if app.config["DXPORTAL_PREVIEW"]:
        raise BuildError("a preview app shows drafts and the reload script; it is never frozen")
    destination = Path(destination or app.config["DXPORTAL_BUILD_DIR"]).resolve()
    content_dir = Path(app.config["DXPORTAL_CONTENT_DIR"]).resolve()
    check_destination(destination, content_dir)
    store = app.extensions["dxportal.store"]
    now = store.now()
    report, everything = check_and_read(content_dir, now, True, store.cache_dir)
    app.extensions["dxportal.check_report"] = report
    if report.errors:
        raise CheckFailed(report)
    assert everything is not None  # it is None only with errors
    site, problems = published_content(everything, now)
    if problems:
        raise ContentError(problems)
    store.use(site)

    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = destination.with_name(f".{destination.name}.new-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    spare = spare_folder(destination, store.cache_dir)
    record = take_spare(spare, staging, store.cache_dir)
    loaded()  # the content, the checks' findings and the build record
    app.config.update(
        FREEZER_DESTINATION=str(staging),
        FREEZER_REMOVE_EXTRA_FILES=False,
        FREEZER_REDIRECT_POLICY="error",
        FREEZER_IGNORE_MIMETYPE_WARNINGS=False,
    )
    freezer = Freezer(app, with_static_files=True, with_no_argument_rules=True, log_url_for=True)
    register_generators(freezer, site, app.config["DXPORTAL_PER_PAGE"])
    try:
        staging.mkdir(exist_ok=True)
        workers = build_workers(app)
        # The search index (<lang>/search/data/) is written alongside, in forked processes.
        with start_static_index(app, site, staging, workers) as index:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", FrozenFlaskWarning)
                urls, new_record = freeze_urls(app, freezer, site, staging, record, workers)
            fail_on_freezer_warnings(caught)
            index.finish()
        write_host_files(staging)
        write_manifest(staging, app.config["DXPORTAL_BASE_URL"])  # last: the build is complete
        new_record.stamp_folders(staging)
        previous_record = BuildRecord.payload(store.cache_dir, destination)
        kept = swap_in(staging, destination, spare)
        remove_unused_spare(destination, spare)
        new_record.save(store.cache_dir, destination)
        BuildRecord.save_payload(store.cache_dir, spare, previous_record if kept else None)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return urls


def build_workers(app: Flask) -> int:
    """DXPORTAL_WORKERS, or one per core (at most 4: more only adds start-up costs)."""
    return app.config.get("DXPORTAL_WORKERS") or min(os.cpu_count() or 1, 4)


def fail_on_freezer_warnings(caught: list[warnings.WarningMessage]) -> None:
    """Frozen-Flask only warns about a redirect, a 404 or an unfrozen endpoint: we fail."""
    for record in caught:
        message = str(record.message)
        if issubclass(record.category, MissingURLGeneratorWarning):
            endpoints = set(re.findall(r"[\w.]+\.[\w]+", message.split("endpoints", 1)[-1]))
            if endpoints <= OPTIONAL_ENDPOINTS:
                continue
        if issubclass(record.category, FrozenFlaskWarning):
            raise BuildError(f"the freezer reported: {message}")
        warnings.warn_explicit(record.message, record.category, record.filename, record.lineno)


def write_host_files(folder: Path) -> None:
    """Files static hosts read beside the pages: security and cache headers; `.nojekyll`, so
    that GitHub Pages serves a branch deploy (`dxportal deploy git:`) as it is."""
    (folder / "_headers").write_text(headers_file(), encoding="utf-8")
    if not (folder / ".nojekyll").exists():
        (folder / ".nojekyll").write_bytes(b"")


def check_destination(destination: Path, content_dir: Path) -> None:
    """Refuse folders whose replacement would lose work: /, home, the project, content/.

    The destination is replaced as a whole, so it must be new, empty or an earlier build.
    """
    forbidden = {Path("/"), Path.home().resolve(), content_dir, content_dir.parent, PROJECT_ROOT}
    if (
        destination in forbidden
        or content_dir.is_relative_to(destination)
        or PROJECT_ROOT.is_relative_to(destination)
        or destination.is_relative_to(content_dir)
    ):
        raise BuildError(
            f"refusing to build into {destination}: it holds content or the project; "
            "choose an empty folder such as build/"
        )
    if destination.exists() and not destination.is_dir():
        raise BuildError(f"{destination} exists and is not a folder")
    if destination.is_dir() and any(destination.iterdir()) and not looks_built(destination):
        raise BuildError(
            f"refusing to build into {destination}: it is not empty and is not an earlier "
            "build (no index.html and sitemap.xml); choose an empty folder such as build/"
        )


def looks_built(folder: Path) -> bool:
    return (folder / "index.html").is_file() and (folder / "sitemap.xml").is_file()


def spare_folder(destination: Path, cache_dir: Path | None) -> Path:
    """Where the build replaced by the next one is kept: in the cache folder (so that a build
    after deleting build/ still starts from it), or beside the destination without one or
    when the cache is on another file system (folders are moved, never copied)."""
    beside = destination.with_name(f".{destination.name}.spare")
    if cache_dir is None:
        return beside
    spares = Path(cache_dir).resolve() / "spares"
    spares.mkdir(parents=True, exist_ok=True)
    if spares.stat().st_dev != destination.parent.stat().st_dev:
        return beside
    return spares / hash_text(str(destination))[:16]


def remove_unused_spare(destination: Path, spare: Path) -> None:
    """Remove a build kept beside the destination when the spare is now kept elsewhere (a
    cache folder was set up, or moved to this file system): a whole copy of the site that
    no build would use again."""
    beside = destination.with_name(f".{destination.name}.spare")
    if spare != beside and not beside.is_symlink() and beside.is_dir() and looks_built(beside):
        shutil.rmtree(beside, ignore_errors=True)


def take_spare(spare: Path, staging: Path, cache_dir: Path | None) -> BuildRecord | None:
    """Start the new build from the build before the current one, if it was kept.

    Creating and deleting thousands of folders costs more than rendering on many file
    systems, so the replaced build is kept in the cache folder (``spare_folder``) and
    updated in place next time: only files whose inputs changed are rendered again, only
    files whose bytes changed are written, and files no longer produced are removed.
    Returns its record (empty if unknown: everything is rendered), or None for a new folder.
    """
    if spare.is_symlink() or not spare.is_dir() or not looks_built(spare):
        return None
    record = BuildRecord.load(cache_dir, spare) or BuildRecord()
    BuildRecord().save(cache_dir, spare)  # from here on, the spare is being changed
    try:
        spare.rename(staging)
    except OSError:  # another build took it, or it is on another file system
        return None
    return record


def swap_in(staging: Path, destination: Path, spare: Path | None = None) -> bool:
    """Put ``staging`` in place of ``destination``; keep the replaced build as ``spare``.

    Returns True if the replaced build is now ``spare``.
    """
    previous = destination.with_name(f".{destination.name}.old-{os.getpid()}")
    if destination.exists():
        destination.rename(previous)
    staging.rename(destination)
    kept = False
    if spare is not None and previous.exists() and not spare.exists():
        with contextlib.suppress(OSError):  # taken meanwhile: the next build starts anew
            previous.rename(spare)
            kept = True
    shutil.rmtree(previous, ignore_errors=True)
    return kept


def register_generators(freezer: Freezer, site: ContentSet, per_page: int) -> None:
    """Tell Frozen-Flask every URL with arguments; pages that exist in both languages."""

    def page_numbers(count: int) -> range:
        return range(1, max(1, math.ceil(count / per_page)) + 1)

    @freezer.register_generator
    def home() -> Iterator[tuple[str, dict]]:
        for lang in LANGUAGES:
            yield "portal.home", {"lang": lang}
            yield "portal.tags_index", {"lang": lang}
            yield "portal.search", {"lang": lang}

    @freezer.register_generator
    def section_pages() -> Iterator[tuple[str, dict]]:
        for lang in LANGUAGES:
            for section in LISTED_SECTIONS:
                yield "portal.section_feed", {"lang": lang, "section": section}
                count = (
                    1 if section in section_routes.LIST_VIEWS else len(site.section_entries(section))
                )
                for number in page_numbers(count):
                    yield "portal.section_list", {"lang": lang, "section": section,
                                                  "number": number}  # fmt: skip

    @freezer.register_generator
    def entries() -> Iterator[tuple[str, dict]]:
        for section, slug in site.entries:
            for lang in LANGUAGES:
                if section == "pages":
                    yield "portal.static_page", {"lang": lang, "slug": slug}
                else:
                    yield "portal.entry", {"lang": lang, "section": section, "slug": slug}

    @freezer.register_generator
    def tags() -> Iterator[tuple[str, dict]]:
        for tag in site.used_tags():
            for lang in LANGUAGES:
                for number in page_numbers(len(site.tag_entries(tag))):
                    yield "portal.tag", {"lang": lang, "tag": tag, "number": number}

    section_routes.register_generators(freezer, site)

    @freezer.register_generator
    def aliases() -> Iterator[str]:
        """Old addresses of published pages: each becomes a small redirect page."""
        for page in site.pages():
            yield from page.aliases

    @freezer.register_generator
    def media() -> Iterator[tuple[str, dict]]:
        if site.media_dir.is_dir():
            for path in sorted(site.media_dir.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    yield "site.media", {"filename": path.relative_to(site.media_dir).as_posix()}
