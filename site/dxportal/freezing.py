"""Freeze the whole site into a folder of static files, atomically.

The new site is written next to the destination and swapped in only when complete, so a
failed build leaves the previous one as it was.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

from flask import Flask
from flask_frozen import Freezer, FrozenFlaskWarning, MissingURLGeneratorWarning

from .content import ContentSet
from .search.export import export_static_index
from .sections import LANGUAGES
from .views import LISTED_SECTIONS

# Endpoints that may legitimately freeze nothing: a site without tags, media or static pages.
OPTIONAL_ENDPOINTS = {"portal.tag", "portal.entry", "portal.static_page", "site.media"}


class BuildError(Exception):
    """The build was refused or failed; the message says why."""


def freeze_site(app: Flask, destination: Path | None = None) -> list[str]:
    """Freeze ``app`` into ``destination`` (default DXPORTAL_BUILD_DIR); return the URLs written.

    Raises ContentError when the content has problems, BuildError when the destination is
    unsafe; in both cases, and on any other failure, ``destination`` is not touched.
    """
    destination = Path(destination or app.config["DXPORTAL_BUILD_DIR"]).resolve()
    check_destination(destination, Path(app.config["DXPORTAL_CONTENT_DIR"]).resolve())
    site = app.extensions["dxportal.store"].get()  # validates; raises ContentError

    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = destination.with_name(f".{destination.name}.new-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    app.config.update(
        FREEZER_DESTINATION=str(staging),
        FREEZER_REMOVE_EXTRA_FILES=False,
        FREEZER_REDIRECT_POLICY="error",
        FREEZER_IGNORE_MIMETYPE_WARNINGS=False,
    )
    freezer = Freezer(app, with_static_files=True, with_no_argument_rules=True, log_url_for=True)
    register_generators(freezer, site, app.config["DXPORTAL_PER_PAGE"])
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", FrozenFlaskWarning)
            urls = list(freezer.freeze_yield())
        fail_on_freezer_warnings(caught)
        export_static_index(app, site, staging)  # <lang>/search/data/ for the frozen search page
        swap_in(staging, destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [u.url for u in urls]


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


def check_destination(destination: Path, content_dir: Path) -> None:
    """Refuse folders whose replacement would lose work: /, home, the project, content/."""
    forbidden = {Path("/"), Path.home().resolve(), content_dir, content_dir.parent}
    if destination in forbidden or content_dir.is_relative_to(destination):
        raise BuildError(
            f"refusing to build into {destination}: it holds content or the project; "
            "choose an empty folder such as build/"
        )
    if destination.exists() and not destination.is_dir():
        raise BuildError(f"{destination} exists and is not a folder")


def swap_in(staging: Path, destination: Path) -> None:
    previous = destination.with_name(f".{destination.name}.old-{os.getpid()}")
    if destination.exists():
        destination.rename(previous)
    staging.rename(destination)
    shutil.rmtree(previous, ignore_errors=True)


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
                for number in page_numbers(len(site.section_entries(section))):
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

    @freezer.register_generator
    def media() -> Iterator[tuple[str, dict]]:
        if site.media_dir.is_dir():
            for path in sorted(site.media_dir.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    yield "site.media", {"filename": path.relative_to(site.media_dir).as_posix()}
