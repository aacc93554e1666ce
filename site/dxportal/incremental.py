"""Freeze only what changed, on both cores: dependency keys, the build record, worker processes.

Every output address gets a *key*: a hash of everything its bytes can depend on.

- Everything (``site_key``): dxportal's code, templates and static files, the translations, the
  settings, site.yml, tags.yml, the media files and the static pages' front matter (their
  titles are in the navigation of every page).
- An article, document, outreach material or static page: its own files (every language).
- A feed: the files of its section (feeds carry the full text).
- Any other page (home, lists, tags, sitemap, goals, training, filters, calendars, redirects):
  the front matter of every published page and the status of every training call.

The build record (in DXPORTAL_CACHE_DIR, per folder) keeps, for every file written, the key and
the file's size and modification time. A later build starts from an earlier build's folder (see
freezing.take_spare) and renders only the addresses whose key changed or whose file is not as
it was left. A later step (say a search index) can key its own outputs with Dependencies.
"""

from __future__ import annotations

import json
import os
import pickle
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unicodedata import normalize
from urllib.parse import unquote, urlsplit

from flask import Flask, url_for
from flask_frozen import Freezer

from .cache import PACKAGE_DIR, DiskCache, code_version, hash_files, hash_text
from .content import ContentSet
from .sections import LANGUAGES
from .training import call_status, current_time

# Sections whose entry pages show nothing but the entry itself (and what site_key covers).
SELF_CONTAINED = {"news", "documents", "outreach", "pages"}
ENTRY_ENDPOINTS = {"portal.entry", "portal.static_page"}
# Settings that do not change a byte of output (where it is written, where caches live).
UNRELATED_SETTINGS = {"FREEZER_DESTINATION", "DXPORTAL_BUILD_DIR", "DXPORTAL_CACHE_DIR"}
# Files written beside the pages after freezing (freezing.write_host_files).
HOST_FILES = {"_headers"}
# Folders written after freezing by steps that keep their own files up to date (the static
# search index, search/export.py): the freezer leaves them alone.
AFTER_FREEZE_FOLDERS = tuple(f"{lang}/search/data/" for lang in LANGUAGES)
# Forking pays once there are this many pages to render.
PARALLEL_THRESHOLD = 200


def files_under(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [
        p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ]  # fmt: skip


def page_meta(page) -> str:
    return f"{page.section}/{page.slug}.{page.lang}:{page.meta!r}"


@dataclass
class Dependencies:
    """The keys of the outputs of one site at one moment."""

    app: Flask
    site: ContentSet
    site_key: str = ""
    meta_key: str = ""
    section_keys: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        app, site = self.app, self.site
        settings = {
            k: str(v)
            for k, v in app.config.items()
            if k.startswith(("DXPORTAL_", "FREEZER_")) and k not in UNRELATED_SETTINGS
        }
        settings.pop("DXPORTAL_NOW", None)  # its only effects are in meta_key
        media = [
            f"{p.relative_to(site.root).as_posix()}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
            for p in sorted(files_under(site.media_dir))
        ]
        static_pages = [page_meta(p) for p in site.pages() if p.section == "pages"]
        translations = Path(app.config["DXPORTAL_TRANSLATIONS_DIR"])
        self.site_key = hash_text(
            code_version(),
            hash_files(files_under(PACKAGE_DIR), PACKAGE_DIR),
            hash_files(files_under(translations), translations),
            json.dumps(settings, sort_keys=True),
            *(
                (site.root / name).read_bytes() if (site.root / name).is_file() else b""
                for name in ("site.yml", "tags.yml")
            ),
            *media,
            *static_pages,
        )
        now = current_time()
        statuses = [
            f"{p.slug}.{p.lang}:{call_status(p, now)}"
            for p in site.pages()
            if p.section == "training"
        ]
        self.meta_key = hash_text(
            self.site_key, *sorted(page_meta(p) for p in site.pages()), *statuses
        )
        digests: dict[str, list[str]] = {}
        for page in site.pages():
            digests.setdefault(page.section, []).append(f"{page.slug}.{page.lang}:{page.digest}")
        self.section_keys = {s: hash_text(*sorted(d)) for s, d in digests.items()}

    def key(self, url: str, endpoint: str | None, values: dict[str, Any] | None) -> str:
        values = values or {}
        if endpoint in ENTRY_ENDPOINTS:
            section = values.get("section", "pages")
            entry = self.site.entry(section, values.get("slug", ""))
            versions = (
                sorted(f"{p.lang}:{p.digest}" for p in entry.versions.values()) if entry else []
            )
            if section in SELF_CONTAINED:
                return hash_text(self.site_key, url, *versions)
            return hash_text(self.meta_key, url, *versions)
        if endpoint == "static" or endpoint == "site.media":
            return hash_text(self.site_key, url)
        if endpoint == "portal.section_feed":
            section = values.get("section", "")
            return hash_text(self.meta_key, url, self.section_keys.get(section, ""))
        return hash_text(self.meta_key, url)


@dataclass
class BuildRecord:
    """What the previous build into a destination wrote: {path: [key, size, mtime_ns]}."""

    files: dict[str, list] = field(default_factory=dict)
    # {url: [[url, endpoint], …]}: addresses a page asked url_for for that no generator gives
    discovered: dict[str, list] = field(default_factory=dict)

    @staticmethod
    def cache_for(cache_dir: Path) -> DiskCache:
        return DiskCache(cache_dir, "builds", code_version())

    @classmethod
    def load(cls, cache_dir: Path | None, destination: Path) -> BuildRecord | None:
        if cache_dir is None:
            return None
        payload = cls.cache_for(cache_dir).get(str(destination))
        if payload is None:
            return None
        try:
            data = json.loads(payload)
            return cls(dict(data["files"]), dict(data["discovered"]))
        except (ValueError, KeyError, TypeError):
            return None

    def save(self, cache_dir: Path | None, destination: Path) -> None:
        if cache_dir is not None:
            data = {"files": self.files, "discovered": self.discovered}
            self.cache_for(cache_dir).put(str(destination), json.dumps(data).encode("utf-8"))

    def unchanged(self, relative: str, key: str, folder: Path) -> bool:
        """True if ``relative`` was written with ``key`` and is still the file we left."""
        known = self.files.get(relative)
        if known is None or known[0] != key:
            return False
        try:
            st = os.stat(folder / relative)
        except OSError:
            return False
        return [st.st_size, st.st_mtime_ns] == known[1:]


def plan_urls(freezer: Freezer, deps: Dependencies) -> list[tuple[str, str | None, str]]:
    """Every generated URL once, in order, with its endpoint and key."""
    seen: set[str] = set()
    planned = []
    for url, endpoint, values in generated_urls(freezer):
        if url in seen:
            continue
        seen.add(url)
        planned.append((url, endpoint, deps.key(url, endpoint, values)))
    return planned


def generated_urls(freezer: Freezer) -> Iterator[tuple[str, str | None, dict]]:
    """(url, endpoint, values) from the registered generators, as Frozen-Flask computes them."""
    logger = freezer.url_for_logger
    generators = list(freezer.url_generators)
    captured: list[dict] = []

    def capturing(generator: Callable) -> Callable:
        def run() -> Iterator:
            for item in generator():
                captured.append(item if isinstance(item, dict) else {} if isinstance(item, str)
                                else item[1])  # fmt: skip
                yield item

        run.__name__ = generator.__name__
        return run

    freezer.url_generators = [capturing(g) for g in generators]
    freezer.url_for_logger = _NoLogger()  # type: ignore[assignment]
    try:
        for index, (url, endpoint, _) in enumerate(freezer._generate_all_urls()):
            yield url, endpoint, captured[index]
    finally:
        freezer.url_generators = generators
        freezer.url_for_logger = logger


class _NoLogger:
    """Stands in for the url_for logger while only the generators run."""

    def iter_calls(self) -> Iterator:
        return iter(())


class LinkResolver:
    """Turns logged url_for calls into frozen URLs, as Frozen-Flask does, once per call."""

    def __init__(self, freezer: Freezer) -> None:
        self.script_name = freezer._script_name()
        self.resolved: dict[tuple, str] = {}

    def url(self, endpoint: str, values: dict) -> str:
        key = (endpoint, tuple(sorted(values.items())))
        found = self.resolved.get(key)
        if found is None:
            url = url_for(endpoint, **values)[len(self.script_name) :]
            found = self.resolved[key] = urlsplit(unquote(url)).path
        return found


def build_urls(
    app: Flask, freezer: Freezer, urls: Iterable[str], generated: set[str]
) -> dict[str, list[tuple[str, str]]]:
    """Render and write ``urls`` in one request context, as Frozen-Flask's own loop does.

    Returns, for each URL, the addresses its page asked url_for for that no generator gives.
    """
    resolver = LinkResolver(freezer)
    logger = freezer.url_for_logger
    found: dict[str, list[tuple[str, str]]] = {}
    with app.test_request_context(base_url=resolver.script_name or None):
        for url in urls:
            freezer._build_one(url)
            links = {}
            while logger.logged_calls:
                endpoint, values = logger.logged_calls.popleft()
                link = resolver.url(endpoint, values)
                if link not in generated:
                    links[link] = endpoint
            found[url] = sorted(links.items())
    return found


@dataclass
class WorkerResult:
    found: dict[str, list[tuple[str, str]]]
    warnings: list[tuple[type, str]]
    error: BaseException | None = None
    trace: str = ""


def build_in_parallel(
    app: Flask, freezer: Freezer, urls: list[str], generated: set[str], workers: int
) -> dict[str, list[tuple[str, str]]]:
    """Split ``urls`` across forked processes (this one included), as build_urls.

    Warnings raised in a worker are raised again here, errors too.
    """
    if workers < 2 or len(urls) < PARALLEL_THRESHOLD or not hasattr(os, "fork"):
        return build_urls(app, freezer, urls, generated)
    children = []
    for index in range(1, workers):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: build its share, report, exit without any cleanup
            os.close(read_end)
            status = 0
            try:
                result = run_share(app, freezer, urls[index::workers], generated)
                payload = pickle.dumps(result)
            except BaseException as exc:
                payload = pickle.dumps(WorkerResult({}, [], None, repr(exc)))
                status = 1
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
            os._exit(status)
        os.close(write_end)
        children.append((pid, read_end))
    results = [run_share(app, freezer, urls[0::workers], generated)]
    for pid, read_end in children:
        with os.fdopen(read_end, "rb") as source:
            payload = source.read()
        os.waitpid(pid, 0)
        try:
            results.append(pickle.loads(payload))
        except Exception:
            results.append(WorkerResult({}, [], None, "a build worker stopped unexpectedly"))
    found: dict[str, list[tuple[str, str]]] = {}
    for result in results:
        for category, message in result.warnings:
            warnings.warn(message, category, stacklevel=2)
        if result.error is not None:
            raise result.error
        if result.trace:
            raise RuntimeError(f"a build worker failed: {result.trace}")
        found.update(result.found)
    return found


def run_share(app: Flask, freezer: Freezer, urls: list[str], generated: set[str]) -> WorkerResult:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            found = build_urls(app, freezer, urls, generated)
        except Exception as exc:
            return WorkerResult({}, [], *picklable(exc))
    return WorkerResult(found, [(w.category, str(w.message)) for w in caught])


def picklable(exc: BaseException) -> tuple[BaseException | None, str]:
    try:
        pickle.loads(pickle.dumps(exc))
        return exc, ""
    except Exception:
        return None, "".join(traceback.format_exception(exc))


def remove_extra_files(folder: Path, keep: set[str]) -> None:
    """Delete files of the earlier build that this build does not produce, and empty folders."""
    for parent, _dirs, files in os.walk(folder, topdown=False):
        relative = Path(parent).relative_to(folder).as_posix()
        prefix = "" if relative == "." else relative + "/"
        if prefix.startswith(AFTER_FREEZE_FOLDERS):
            continue
        for name in files:
            if prefix + name not in keep:
                os.unlink(os.path.join(parent, name))
        if parent != str(folder) and not os.listdir(parent):
            os.rmdir(parent)


def freeze_urls(
    app: Flask,
    freezer: Freezer,
    site: ContentSet,
    staging: Path,
    record: BuildRecord | None,
    workers: int,
) -> tuple[list[str], BuildRecord]:
    """Freeze every URL into ``staging``: a new folder, or the earlier build ``record`` describes.

    Returns the URLs of the site and the record of this build. As in Frozen-Flask's own loop,
    the addresses pages ask url_for for are frozen too, and an endpoint nothing was frozen for
    is warned about.
    """
    with app.app_context():
        deps = Dependencies(app, site)
    planned = plan_urls(freezer, deps)
    keys = {url: key for url, _, key in planned}
    endpoints = {url: endpoint for url, endpoint, _ in planned}
    generated = set(keys)

    def output(url: str) -> str:
        return normalize("NFC", freezer.urlpath_to_filepath(url))

    def stale(urls: Iterable[str]) -> list[str]:
        if record is None:
            return list(urls)
        return [u for u in urls if not record.unchanged(output(u), keys[u], staging)]

    to_build = stale(keys)
    found = build_in_parallel(app, freezer, to_build, generated, workers)
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
        more = build_urls(app, freezer, stale(new), generated)
        for url in new:
            if url in more:
                links[url] = [list(pair) for pair in more[url]]
            else:
                links[url] = record.discovered.get(url, []) if record else []
        pending = [u for u in new if links[u]]
    freezer._check_endpoints(set(endpoints.values()))
    outputs = {output(url): url for url in keys}
    if record is not None:
        remove_extra_files(staging, set(outputs) | HOST_FILES)
    new_record = BuildRecord(discovered={u: pairs for u, pairs in links.items() if pairs})
    for relative, url in outputs.items():
        st = os.stat(staging / relative)
        new_record.files[relative] = [keys[url], st.st_size, st.st_mtime_ns]
    return list(keys), new_record
