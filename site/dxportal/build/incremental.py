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
the file's size and modification time, and the modification time of every folder (see
leftovers.py). A later build starts from an earlier build's folder (see freezing.take_spare) and
renders only the addresses whose key changed or whose file is not as it was left. A later step
(say a search index) can key its own outputs with Dependencies.
"""

from __future__ import annotations

import json
import mimetypes
import os
import pickle
import time
import traceback
import warnings
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any
from unicodedata import normalize
from urllib.parse import unquote, urlsplit

from flask import Flask, g, url_for
from flask.testing import EnvironBuilder
from flask_frozen import (
    Freezer,
    MimetypeMismatchWarning,
    NotFoundWarning,
    RedirectWarning,
    conditional_context,
)
from werkzeug.urls import iri_to_uri

from dxportal.cache import PACKAGE_DIR, DiskCache, code_version, hash_files, hash_text
from dxportal.content.model import ContentSet
from dxportal.build.leftovers import changed_folders, folder_stamps, folders_of, remove_leftovers
from dxportal.content.schema import LANGUAGES
from dxportal.content.clock import site_now
from dxportal.programme.training import call_status

# Sections whose entry pages show nothing but the entry itself (and what site_key covers).
SELF_CONTAINED = {"news", "documents", "outreach", "pages"}
ENTRY_ENDPOINTS = {"portal.entry", "portal.static_page"}
# Settings that do not change a byte of output (where it is written, where caches live).
UNRELATED_SETTINGS = {
    "FREEZER_DESTINATION", "DXPORTAL_BUILD_DIR", "DXPORTAL_CACHE_DIR", "DXPORTAL_WORKERS"
}  # fmt: skip
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
        now = site_now(app.config["DXPORTAL_NOW"])
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
    # {folder: mtime_ns or None}, taken once the folder was complete (leftovers.folder_stamps);
    # empty if unknown (the whole folder is then listed to find leftovers)
    folders: dict[str, int | None] = field(default_factory=dict)

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
            return cls(
                dict(data["files"]), dict(data["discovered"]), dict(data.get("folders") or {})
            )
        except (ValueError, KeyError, TypeError):
            return None

    def save(self, cache_dir: Path | None, destination: Path) -> None:
        data = {"files": self.files, "discovered": self.discovered, "folders": self.folders}
        self.save_payload(cache_dir, destination, json.dumps(data).encode("utf-8"))

    @classmethod
    def payload(cls, cache_dir: Path | None, destination: Path) -> bytes | None:
        """The record of ``destination`` as stored (to move it along with its folder)."""
        return None if cache_dir is None else cls.cache_for(cache_dir).get(str(destination))

    @classmethod
    def save_payload(cls, cache_dir: Path | None, destination: Path, payload: bytes | None) -> None:
        """Store a payload from ``payload()`` as the record of ``destination`` (None: empty)."""
        if cache_dir is not None:
            if payload is None:
                payload = json.dumps({"files": {}, "discovered": {}, "folders": {}}).encode()
            cls.cache_for(cache_dir).put(str(destination), payload)

    def unchanged(self, relative: str, key: str, folder: Path | str) -> bool:
        """True if ``relative`` was written with ``key`` and is still the file we left."""
        known = self.files.get(relative)
        if known is None or known[0] != key:
            return False
        try:
            st = os.stat(f"{os.fspath(folder)}/{relative}")
        except OSError:
            return False
        return st.st_size == known[1] and st.st_mtime_ns == known[2]

    def stamp_folders(self, folder: Path) -> None:
        """Note the folders of the finished build (``folder``: where it is now), unless known."""
        if not self.folders:
            self.folders = folder_stamps(folder, self.files, time.time_ns())


def plan_urls(
    freezer: Freezer, deps: Dependencies, cache_dir: Path | None = None
) -> list[tuple[str, str | None, str]]:
    """Every generated URL once, in order, with its endpoint and key.

    The URLs are kept in ``cache_dir`` under ``deps.meta_key``: what the generators give
    depends only on what that key covers (the published pages' front matter, settings, media
    and code), and computing thousands of URLs with url_for costs more than an edited
    article's pages.
    """
    disk = DiskCache(cache_dir, "plans", code_version()) if cache_dir is not None else None
    generated = None
    if disk is not None and (payload := disk.get(deps.meta_key)) is not None:
        try:
            generated = pickle.loads(payload)
        except Exception:  # a damaged entry is only a miss
            generated = None
    if not isinstance(generated, list):
        generated = list(generated_urls(freezer))
        if disk is not None:
            disk.put(deps.meta_key, pickle.dumps(generated, protocol=pickle.HIGHEST_PROTOCOL))
    seen: set[str] = set()
    planned = []
    for url, endpoint, values in generated:
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
    client = PageClient(freezer)
    with app.test_request_context(base_url=resolver.script_name or None), client.remembering():
        for url in urls:
            build_one(freezer, client, url)
            links = {}
            while logger.logged_calls:
                endpoint, values = logger.logged_calls.popleft()
                link = resolver.url(endpoint, values)
                if link not in generated:
                    links[link] = endpoint
            found[url] = sorted(links.items())
    return found


# Keyword arguments of url_for that are not URL values.
URL_OPTIONS = ("_anchor", "_method", "_scheme", "_external")


def wsgi_string(text: str) -> str:
    """A str as WSGI carries it: its UTF-8 bytes as Latin-1 characters (as Werkzeug does)."""
    return text.encode("utf-8").decode("latin-1")


class PageClient:
    """Gets frozen pages from the app as Frozen-Flask's test client does, with less work per page.

    The WSGI environ is the one the test client sends (made once by Werkzeug's EnvironBuilder;
    only the path changes per URL), and the app is called directly, without a new client,
    cookie jar and TestResponse per URL. While a page is rendered, url_for answers are kept for
    the whole build (``remembering``): every request of a build has the same base URL, and the
    answer also depends only on the arguments and the page's language (the language prefix is
    the only value added by default). A remembered call is still logged for Frozen-Flask, so
    the links found on every page are the same.
    """

    def __init__(self, freezer: Freezer) -> None:
        self.freezer = freezer
        self.app = app = freezer.app
        builder = EnvironBuilder(
            app, path="/", base_url=app.config["FREEZER_BASE_URL"],
            environ_base=app.test_client().environ_base,
        )  # fmt: skip
        try:
            self.environ = builder.get_environ()
        finally:
            builder.close()
        self.answers: dict[tuple, tuple[str, dict]] = {}
        self.active = False

    def environ_for(self, url: str) -> dict[str, Any]:
        """The environ EnvironBuilder(path=url, base_url=FREEZER_BASE_URL) would give."""
        environ = dict(self.environ)
        raw = wsgi_string(url)
        environ["PATH_INFO"] = wsgi_string(unquote(iri_to_uri(urlsplit(url).path)))
        environ["REQUEST_URI"] = environ["RAW_URI"] = raw
        environ["wsgi.input"] = BytesIO()
        return environ

    def get(self, url: str) -> tuple[str, str | None, bytes]:
        """Status line, Content-Type and body of the app's answer to a GET of ``url``."""
        answer: list = []

        def start_response(status: str, headers: list, exc_info: Any = None) -> Callable:
            if exc_info:
                raise exc_info[1].with_traceback(exc_info[2])
            answer[:] = [status, headers]
            return chunks.append

        chunks: list[bytes] = []
        self.active = True
        try:
            result = self.app(self.environ_for(url), start_response)
            try:
                chunks.extend(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            self.active = False
        status, headers = answer
        content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
        return status, content_type, b"".join(chunks)

    def url_for(self, endpoint: str, **values: Any) -> str:
        if not self.active or endpoint.startswith("."):
            return self.original(endpoint, **values)
        try:
            key = (endpoint, g.get("lang"), *values.items())  # one call site, one order
            known = self.answers.get(key)
        except TypeError:  # a value that cannot be a key
            return self.original(endpoint, **values)
        if known is None:
            url = self.original(endpoint, **values)
            logged = {k: v for k, v in values.items() if k not in URL_OPTIONS}
            self.answers[key] = (url, logged)
            return url
        if self.freezer.log_url_for:
            self.freezer.url_for_logger.logged_calls.append((endpoint, dict(known[1])))
        return known[0]

    @contextmanager
    def remembering(self) -> Iterator[None]:
        """Route url_for (Python's and the templates') through ``url_for`` meanwhile."""
        app = self.app
        self.original = app.url_for
        had_global = app.jinja_env.globals.get("url_for")
        app.url_for = self.url_for  # type: ignore[method-assign]
        app.jinja_env.globals["url_for"] = self.url_for
        try:
            yield
        finally:
            del app.url_for
            app.jinja_env.globals["url_for"] = had_global


def build_one(freezer: Freezer, client: PageClient, url: str) -> None:
    """Get ``url`` and write its file, as Freezer._build_one does (same checks and warnings).

    Settings this does not handle (redirects followed, relative URLs, skipping existing files)
    go through Frozen-Flask's own method.
    """
    config = freezer.app.config
    if (
        config["FREEZER_REDIRECT_POLICY"] == "follow"
        or config["FREEZER_RELATIVE_URLS"]
        or config["FREEZER_SKIP_EXISTING"]
    ):
        freezer._build_one(url)
        return
    path = freezer.root / normalize("NFC", freezer.urlpath_to_filepath(url))
    with conditional_context(freezer.url_for_logger, freezer.log_url_for):
        status, content_type, content = client.get(url)
    code = int(status.split(None, 1)[0])
    if code != 200:
        if code == 404 and config["FREEZER_IGNORE_404_NOT_FOUND"]:
            warnings.warn(f"Ignored {status!r} on URL {url}", NotFoundWarning, stacklevel=3)
        elif code in (301, 302) and config["FREEZER_REDIRECT_POLICY"] == "ignore":
            warnings.warn(f"Ignored {status!r} on URL {url}", RedirectWarning, stacklevel=3)
        else:
            raise ValueError(f"Unexpected status {status!r} on URL {url}")
    if not config["FREEZER_IGNORE_MIMETYPE_WARNINGS"]:
        guessed_type, _ = mimetypes.guess_type(path.name)
        guessed_type = guessed_type or config["FREEZER_DEFAULT_MIMETYPE"]
        mimetype = content_type.split(";")[0].strip() if content_type else None
        if guessed_type != mimetype:
            warnings.warn(
                f"Filename extension of {path.name!r} (type {guessed_type}) does not match "
                f"Content-Type: {content_type}",
                MimetypeMismatchWarning,
                stacklevel=3,
            )
    if not path.parent.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
    previous = path.read_bytes() if path.is_file() else None
    if content != previous:  # unchanged files keep their time (rsync, the build record)
        path.write_bytes(content)


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
    shares = split_urls(urls, workers)
    children = []
    for index in range(1, workers):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: build its share, report, exit without any cleanup
            os.close(read_end)
            status = 0
            try:
                result = run_share(app, freezer, shares[index], generated)
                payload = pickle.dumps(result)
            except BaseException as exc:
                payload = pickle.dumps(WorkerResult({}, [], None, repr(exc)))
                status = 1
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
            os._exit(status)
        os.close(write_end)
        children.append((pid, read_end))
    results = [run_share(app, freezer, shares[0], generated)]
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
        more_urls = stale(new)
        built.update(more_urls)
        more = build_urls(app, freezer, more_urls, generated)
        for url in new:
            if url in more:
                links[url] = [list(pair) for pair in more[url]]
            else:
                links[url] = record.discovered.get(url, []) if record else []
        pending = [u for u in new if links[u]]
    freezer._check_endpoints(set(endpoints.values()))
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
