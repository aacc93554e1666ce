"""The content model: pages read from content/<section>/<slug>.<lang>.md, grouped as entries.

A page is one file (one language); an entry is all the languages of one section and slug.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import frontmatter

from dxportal.content.parse_cache import ContentCache, file_identity
from dxportal.content.errors import ContentError, ContentProblem, FieldError
from dxportal.messages import Message
from dxportal.programme.outreach import is_raster
from dxportal.content.programme_fields import check_programme_fields
from dxportal.content.schema import DEFAULT_LANGUAGE, LANGUAGES, RESERVED_SLUGS, SECTIONS, Section
from dxportal.content.site_files import SiteSettings, load_settings, load_tags
from dxportal.slugs import is_slug
from dxportal.programme.thumbnails import is_readable_image
from dxportal.content.yamlfile import load_mapping, read_text

FILE_NAME = re.compile(r"^(?P<slug>[^.]+)\.(?P<lang>[^.]+)\.md$")
# An SVG opened directly runs its scripts on the site's own origin: such files are refused.
ACTIVE_SVG = re.compile(r"<script|<foreignobject|\son[a-z]+\s*=|javascript:", re.IGNORECASE)
SETTINGS_FILE = "site.yml"
TAGS_FILE = "tags.yml"
MEDIA_DIR = "media"
_YAML = frontmatter.YAMLHandler()
# Dates in front matter are local to the province (Vietnam has no daylight saving time).
LOCAL_TIMEZONE = dt.timezone(dt.timedelta(hours=7), "ICT")


@dataclass(frozen=True, eq=False)
class Page:
    """One content file in one language. ``meta`` holds converted front-matter values.

    A page taken from the content cache has no ``_body``: ``body`` reads it from the file
    when first asked (most pages of a rebuild are never rendered), checked against ``digest``.
    """

    source_path: Path
    section: str
    slug: str
    lang: str
    meta: dict[str, Any]
    meta_lines: dict[str, int]
    body_line: int
    digest: str
    _body: str | None = field(default=None, repr=False)

    @property
    def body(self) -> str:
        """The Markdown body, without the blank lines around it."""
        if self._body is None:
            object.__setattr__(self, "_body", read_body(self.source_path, self.digest))
        assert self._body is not None
        return self._body

    @property
    def title(self) -> str:
        return self.meta["title"]

    @property
    def date(self) -> dt.date | None:
        return self.meta.get("date")

    @property
    def updated(self) -> dt.date | None:
        return self.meta.get("updated")

    @property
    def summary(self) -> str:
        return self.meta.get("summary", "")

    @property
    def tags(self) -> tuple[str, ...]:
        return self.meta.get("tags", ())

    @property
    def image(self) -> str | None:
        return self.meta.get("image")

    @property
    def image_alt(self) -> str:
        return self.meta.get("image_alt", "")

    @property
    def draft(self) -> bool:
        return self.meta.get("draft", False)

    @property
    def aliases(self) -> tuple[str, ...]:
        return self.meta.get("aliases", ())

    @cached_property  # asked for several times per page by every build
    def publish_at(self) -> dt.datetime | None:
        """When the page may be published: ``publish`` if set, else its ``date`` (local time)."""
        value = self.meta.get("publish") or self.date
        return local_datetime(value) if value else None

    def is_scheduled(self, now: dt.datetime) -> bool:
        """True while the page waits for its publication time (``now`` in local time)."""
        publish_at = self.publish_at
        return publish_at is not None and publish_at > now

    def is_published(self, now: dt.datetime) -> bool:
        return not self.draft and not self.is_scheduled(now)


def local_datetime(value: dt.date) -> dt.datetime:
    """A date or datetime as a naive datetime in the site's local time."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(LOCAL_TIMEZONE).replace(tzinfo=None)
        return value
    return dt.datetime.combine(value, dt.time())


def sort_key_date(value: dt.date | None) -> dt.datetime:
    """Dates and datetimes compared on one scale; pages without a date sort last."""
    if value is None:
        return dt.datetime.min
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime.combine(value, dt.time())


@dataclass
class Entry:
    """A page in all the languages it exists in."""

    section: str
    slug: str
    versions: dict[str, Page] = field(default_factory=dict)

    def version(self, lang: str) -> Page:
        """The page in ``lang``, else in the default language, else in any language it has."""
        return (
            self.versions.get(lang)
            or self.versions.get(DEFAULT_LANGUAGE)
            or next(iter(self.versions.values()))
        )

    @property
    def date(self) -> dt.date | None:
        return self.version(DEFAULT_LANGUAGE).date

    @property
    def sort_key(self) -> tuple[dt.datetime, str]:
        return (sort_key_date(self.date), self.slug)

    @property
    def tags(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for page in self.versions.values():
            seen.update(dict.fromkeys(page.tags))
        return tuple(seen)


@dataclass
class ContentSet:
    """Everything under content/: settings, tags, entries by (section, slug), media folder."""

    root: Path
    settings: SiteSettings
    tags: dict[str, dict[str, str]]
    entries: dict[tuple[str, str], Entry]
    # Lists computed once: a build asks for the same section and tag lists thousands of times.
    _groups: tuple[dict[str, list[Entry]], dict[str, list[Entry]]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def media_dir(self) -> Path:
        return self.root / MEDIA_DIR

    def entry(self, section: str, slug: str) -> Entry | None:
        return self.entries.get((section, slug))

    def section_entries(self, section: str) -> list[Entry]:
        """Entries of a section, newest first (a new list each time: callers may change it)."""
        return list(self._by_group()[0].get(section, ()))

    def tag_entries(self, tag: str) -> list[Entry]:
        return list(self._by_group()[1].get(tag, ()))

    def used_tags(self) -> list[str]:
        return sorted(self._by_group()[1])

    def _by_group(self) -> tuple[dict[str, list[Entry]], dict[str, list[Entry]]]:
        if self._groups is None:
            newest_first = sorted(self.entries.values(), key=lambda e: e.sort_key, reverse=True)
            sections: dict[str, list[Entry]] = {}
            tags: dict[str, list[Entry]] = {}
            for entry in newest_first:
                sections.setdefault(entry.section, []).append(entry)
                for tag in entry.tags:
                    tags.setdefault(tag, []).append(entry)
            self._groups = (sections, tags)
        return self._groups

    def pages(self) -> Iterator[Page]:
        for entry in self.entries.values():
            yield from entry.versions.values()


def load_content(
    root: Path,
    include_drafts: bool = False,
    now: dt.datetime | None = None,
    cache_dir: Path | None = None,
    read_pages: Callable[[list[ContentProblem]], list[Page]] | None = None,
) -> ContentSet:
    """Read and validate everything under ``root``; raise ContentError listing every problem.

    Without ``include_drafts`` (the published site), drafts are left out, and so are pages
    scheduled after ``now`` (local time; default: the current time).
    """
    site, problems = read_content(root, include_drafts, now, cache_dir, read_pages)
    if problems:
        raise ContentError(problems)
    assert site is not None
    return site


def read_content(
    root: Path,
    include_drafts: bool = False,
    now: dt.datetime | None = None,
    cache_dir: Path | None = None,
    read_pages: Callable[[list[ContentProblem]], list[Page]] | None = None,
) -> tuple[ContentSet | None, list[ContentProblem]]:
    """Like load_content, but return the problems with the pages that could be read.

    The ContentSet is None only when the folder or site.yml cannot be used. With a
    ``cache_dir``, pages whose file did not change are taken from the front-matter cache.
    ``read_pages`` replaces reading the page files (the preview re-reads only changed files:
    store.PageMemory); it returns the pages in file order and reports their problems.
    """
    root = Path(root)
    problems: list[ContentProblem] = []
    if not root.is_dir():
        return None, [ContentProblem(root, None, Message("the content folder does not exist"))]
    settings = load_settings(root / SETTINGS_FILE, problems)
    tags = load_tags(root / TAGS_FILE, problems)
    if read_pages is not None:
        pages = read_pages(problems)
    else:
        cache = ContentCache(cache_dir, root) if cache_dir else None
        looked_at = time.time_ns()
        pages = [
            read_page(path, root, problems, cache, parts, looked_at)
            for parts, path in page_files(root)
        ]
        pages = [p for p in pages if p]
        if cache:
            cache.save()
    check_references(pages, tags, root, problems)
    check_media(root / MEDIA_DIR, problems)
    if not include_drafts:
        moment = now or local_now()
        pages = [p for p in pages if p.is_published(moment)]
    entries = group_entries(pages)
    check_navigation(settings, entries, root, problems)
    site = ContentSet(root, settings, tags, entries) if settings is not None else None
    return site, problems


def published_content(
    site: ContentSet, now: dt.datetime
) -> tuple[ContentSet, list[ContentProblem]]:
    """What load_content without drafts gives, from ``site`` read with its drafts.

    The build reads the files once (with drafts, for the checks) and publishes this. Files are
    read in sorted order and a page's files sort together, so the entries keep their order;
    the navigation must not name a page that is not published.
    """
    pages = [p for p in site.pages() if p.is_published(now)]
    entries = group_entries(pages)
    problems: list[ContentProblem] = []
    check_navigation(site.settings, entries, site.root, problems)
    return ContentSet(site.root, site.settings, site.tags, entries), problems


def local_now(configured: str | dt.datetime | None = None) -> dt.datetime:
    """The current time in the site's local time, naive (as front-matter dates are).

    ``configured`` (DXPORTAL_NOW, an ISO date or datetime) replaces the clock, for tests and
    to see the site as it will be published at a given moment.
    """
    if isinstance(configured, str) and configured.strip():
        configured = dt.datetime.fromisoformat(configured.strip())
    if isinstance(configured, dt.datetime):
        return local_datetime(configured)
    return dt.datetime.now(LOCAL_TIMEZONE).replace(tzinfo=None)


def find_page_files(root: Path) -> list[Path]:
    """Every Markdown file under ``root`` except in media/, hidden files and folders skipped."""
    return [path for _, path in page_files(root)]


def page_files(root: Path) -> list[tuple[tuple[str, ...], Path]]:
    """find_page_files with each file's parts relative to ``root``, in the same (path) order.

    Walked with os.walk rather than Path.rglob: thousands of Path objects cost more than
    reading the files' front matter from the cache.
    """
    found: list[tuple[str, ...]] = []
    base = os.path.join(str(root), "")
    for folder, dirs, files in os.walk(root):
        inside = tuple(folder[len(base) :].split(os.sep)) if len(folder) > len(base) else ()
        dirs[:] = [d for d in dirs if not d.startswith(".") and (inside or d != MEDIA_DIR)]
        found += [(*inside, n) for n in files if n.endswith(".md") and not n.startswith(".")]
    found.sort()
    return [(parts, Path(base + "/".join(parts))) for parts in found]


def read_page(
    path: Path,
    root: Path,
    problems: list[ContentProblem],
    cache: ContentCache | None = None,
    parts: tuple[str, ...] | None = None,
    looked_at: int = 0,
) -> Page | None:
    """Parse one content file; report its problems and return None if it is unusable.

    With a ``cache``, a file whose identity (content_cache.file_identity at ``looked_at``) is
    known is not read, and one whose text is known is not parsed.
    """
    parts = path.relative_to(root).parts if parts is None else parts
    if len(parts) != 2 or parts[0] not in SECTIONS:
        problems.append(
            ContentProblem(
                path,
                None,
                Message(
                    "a page must be inside one section folder: "
                    "content/<section>/<slug>.<lang>.md, where <section> is one of {sections}",
                    sections=", ".join(SECTIONS),
                ),
            )
        )
        return None
    section = SECTIONS[parts[0]]
    match = FILE_NAME.match(path.name)
    if not match:
        problems.append(
            ContentProblem(
                path, None, Message("the file name must be <slug>.vi.md or <slug>.en.md")
            )
        )
        return None
    slug, lang = match["slug"], match["lang"]
    if lang not in LANGUAGES:
        problems.append(
            ContentProblem(
                path,
                None,
                Message(
                    "unknown language '{lang}' in the file name; use .vi.md or .en.md", lang=lang
                ),
            )
        )
        return None
    if not is_slug(slug):
        problems.append(
            ContentProblem(
                path,
                None,
                Message(
                    "'{slug}' is not a valid slug: use lowercase letters without accents, "
                    "digits and hyphens, e.g. hop-ban-chi-dao",
                    slug=slug,
                ),
            )
        )
        return None
    if section.name == "pages" and slug in RESERVED_SLUGS:
        problems.append(
            ContentProblem(
                path,
                None,
                Message("'{slug}' is reserved for the site; choose another slug", slug=slug),
            )
        )
        return None
    if cache is None:
        text = read_text(path, problems)
        return None if text is None else parse_page_text(text, path, section, slug, lang, problems)
    name = "/".join(parts)
    identity = file_identity(path, looked_at or time.time_ns())  # before reading: see its doc
    known = cache.by_identity(name, identity)
    if known is not None:
        return Page(path, *known[1], digest=known[0])
    text = read_text(path, problems)
    if text is None:
        return None
    digest = text_digest(text)
    fields = cache.by_digest(name, identity, digest)
    if fields is not None:
        return Page(path, *fields, digest=digest, _body=split_body(text))
    before = len(problems)
    page = parse_page_text(text, path, section, slug, lang, problems)
    if page is not None and len(problems) == before:
        fields = (page.section, page.slug, page.lang, page.meta, page.meta_lines, page.body_line)
        cache.keep(name, identity, digest, fields)
    return page


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split_body(text: str) -> str:
    """The body of a content file's text whose front matter parsed (see parse_page_text)."""
    return _YAML.split(text)[1].strip("\n")


def read_body(path: Path, digest: str) -> str:
    """The body of ``path``, which must still be the text that hashes to ``digest``."""
    problems: list[ContentProblem] = []
    text = read_text(path, problems)
    if text is None or text_digest(text) != digest:
        raise ContentError(
            problems
            or [
                ContentProblem(
                    path, None, Message("the file changed while it was being read; try again")
                )
            ]
        )
    return split_body(text)


def parse_page_text(
    text: str, path: Path, section: Section, slug: str, lang: str, problems: list[ContentProblem]
) -> Page | None:
    opening = _YAML.FM_BOUNDARY.match(text)
    if not opening:
        problems.append(
            ContentProblem(
                path,
                1,
                Message("the file must start with front matter: a line '---', the fields, '---'"),
            )
        )
        return None
    try:
        front, body = _YAML.split(text)
    except ValueError:
        problems.append(
            ContentProblem(
                path,
                1,
                Message("the front matter is not closed: add a line '---' after the last field"),
            )
        )
        return None
    front_line = text.count("\n", 0, opening.end()) + 1
    # The body is kept without its leading blank lines: body_line is the line of its first
    # character, so line i of page.body (0-based) is line body_line + i of the file.
    body_offset = len(text) - len(body) + (len(body) - len(body.lstrip("\n")))
    body_line = text.count("\n", 0, body_offset) + 1
    before = len(problems)
    mapping = load_mapping(front, path, problems, first_line=front_line)
    if mapping is None:
        return None
    meta = validate_fields(mapping.values, mapping.line_of, section, path, problems)
    if len(problems) > before:
        return None
    return Page(
        source_path=path,
        section=section.name,
        slug=slug,
        lang=lang,
        meta=meta,
        meta_lines=mapping.lines,
        body_line=body_line,
        digest=text_digest(text),
        _body=body.strip("\n"),
    )


def validate_fields(
    values: dict[str, Any], line_of, section: Section, path: Path, problems: list[ContentProblem]
) -> dict[str, Any]:
    """Convert every field the section declares; report unknown, missing and invalid ones."""
    meta: dict[str, Any] = {}
    for key, value in values.items():
        spec = section.field(key)
        if spec is None:
            allowed = ", ".join(fd.name for fd in section.fields)
            problems.append(
                ContentProblem(
                    path,
                    line_of(key),
                    Message(
                        "unknown field '{key}' for section '{section}'; allowed: {allowed}",
                        key=key,
                        section=section.name,
                        allowed=allowed,
                    ),
                )
            )
            continue
        try:
            meta[key] = spec.convert(value)
        except FieldError as exc:
            problems.append(
                ContentProblem(
                    path, line_of(key), Message("'{key}' {reason}", key=key, reason=exc.message)
                )
            )
    for spec in section.fields:
        if spec.required and spec.name not in values:
            problems.append(
                ContentProblem(
                    path, 1, Message("the required field '{key}' is missing", key=spec.name)
                )
            )
    if "image" in meta and "image_alt" not in meta:
        problems.append(
            ContentProblem(
                path,
                line_of("image"),
                Message("'image' needs 'image_alt': a short text saying what the image shows"),
            )
        )
    check_programme_fields(section.name, meta, set(values), line_of, path, problems)
    return meta


def check_references(
    pages: list[Page], tags: dict[str, dict[str, str]], root: Path, problems: list
) -> None:
    """Checks that need more than one file: tags exist, images exist."""
    media = root / MEDIA_DIR
    for page in pages:
        for tag in page.tags:
            if tag not in tags:
                problems.append(
                    ContentProblem(
                        page.source_path,
                        page.meta_lines.get("tags"),
                        Message(
                            "tag '{tag}' is not in content/tags.yml; add it there with its "
                            "vi and en names",
                            tag=tag,
                        ),
                    )
                )
        if page.image and not (media / page.image).is_file():
            problems.append(
                ContentProblem(
                    page.source_path,
                    page.meta_lines.get("image"),
                    Message("image '{image}' is not in content/media/", image=page.image),
                )
            )
        check_section_references(page, tags, media, problems)


def check_section_references(
    page: Page, tags: dict[str, dict[str, str]], media: Path, problems: list
) -> None:
    """Files named by outreach and documents exist in content/media/; related tags exist."""
    for number, item in enumerate(page.meta.get("files", ()), start=1):
        if not (media / item["path"]).is_file():
            problems.append(
                ContentProblem(
                    page.source_path,
                    page.meta_lines.get("files"),
                    Message(
                        "file {number}: '{file}' is not in content/media/",
                        number=number,
                        file=item["path"],
                    ),
                )
            )
        elif is_raster(item["path"]) and not is_readable_image(media / item["path"]):
            problems.append(
                ContentProblem(
                    page.source_path,
                    page.meta_lines.get("files"),
                    Message(
                        "file {number}: '{file}' is not a readable image; save it again as "
                        "PNG or JPEG",
                        number=number,
                        file=item["path"],
                    ),
                )
            )
    if "file" in page.meta and not (media / page.meta["file"]).is_file():
        problems.append(
            ContentProblem(
                page.source_path,
                page.meta_lines.get("file"),
                Message("file '{file}' is not in content/media/", file=page.meta["file"]),
            )
        )
    for tag in page.meta.get("related_tags", ()):
        if tag not in tags:
            problems.append(
                ContentProblem(
                    page.source_path,
                    page.meta_lines.get("related_tags"),
                    Message("related tag '{tag}' is not in content/tags.yml", tag=tag),
                )
            )


def check_media(media: Path, problems: list[ContentProblem]) -> None:
    """Media files must be safe to open on the site's origin."""
    for path in sorted(media.rglob("*.svg")) if media.is_dir() else []:
        if ACTIVE_SVG.search(path.read_text(encoding="utf-8", errors="replace")):
            problems.append(
                ContentProblem(
                    path,
                    None,
                    Message(
                        "an SVG file must not contain scripts, event handlers, "
                        "javascript: links or embedded HTML"
                    ),
                )
            )


def check_navigation(settings, entries, root: Path, problems: list) -> None:
    if settings is None:
        return
    for item in settings.navigation:
        if item.kind == "page" and ("pages", item.target) not in entries:
            problems.append(
                ContentProblem(
                    root / SETTINGS_FILE,
                    None,
                    Message(
                        "navigation names page '{slug}', but there is no "
                        "content/pages/{slug}.vi.md",
                        slug=item.target,
                    ),
                )
            )


def group_entries(pages: list[Page]) -> dict[tuple[str, str], Entry]:
    entries: dict[tuple[str, str], Entry] = {}
    for page in pages:
        entry = entries.setdefault((page.section, page.slug), Entry(page.section, page.slug))
        entry.versions[page.lang] = page
    return entries
