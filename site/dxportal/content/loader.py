"""Reading content/: every page file parsed and validated, then grouped into a ContentSet.

Every problem is collected as a ContentProblem (path and line) so that all of them are reported
at once; load_content raises them together as one ContentError.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dxportal.content.clock import local_now
from dxportal.content.errors import ContentError, ContentProblem, FieldError
from dxportal.content.model import (
    _YAML,
    ContentSet,
    Page,
    group_entries,
    split_body,
    text_digest,
)
from dxportal.content.parse_cache import ContentCache, file_identity
from dxportal.content.programme_fields import check_programme_fields
from dxportal.content.references import check_media, check_navigation, check_references
from dxportal.content.schema import (
    MEDIA_DIR,
    RESERVED_SLUGS,
    SECTIONS,
    SETTINGS_FILE,
    TAGS_FILE,
    Section,
)
from dxportal.content.site_files import load_settings, load_tags
from dxportal.content.yamlfile import load_mapping, read_text
from dxportal.messages import LANGUAGES, Message
from dxportal.slugs import is_slug

FILE_NAME = re.compile(r"^(?P<slug>[^.]+)\.(?P<lang>[^.]+)\.md$")


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


def find_page_files(root: Path) -> list[Path]:
    """Every Markdown file under ``root`` except in media/, hidden files and folders skipped."""
    return [path for _, path in page_files(root)]


def page_files(root: Path) -> list[tuple[tuple[str, ...], Path]]:
    """find_page_files with each file's parts relative to ``root``, in the same (path) order."""
    base = os.path.join(str(root), "")
    return [(parts, Path(base + "/".join(parts))) for parts in page_names(root)]


def page_names(root: Path) -> list[tuple[str, ...]]:
    """The parts of every page file's path relative to ``root``, sorted (see page_files).

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
    return found


def read_page(
    path: Path,
    root: Path,
    problems: list[ContentProblem],
    cache: ContentCache | None = None,
    parts: tuple[str, ...] | None = None,
    looked_at: int = 0,
) -> Page | None:
    """Parse one content file; report its problems and return None if it is unusable.

    With a ``cache``, a file whose identity (parse_cache.file_identity at ``looked_at``) is
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
    page = parse_page_text(text, path, section, slug, lang, problems, digest)
    if page is not None and len(problems) == before:
        fields = (page.section, page.slug, page.lang, page.meta, page.meta_lines, page.body_line)
        cache.keep(name, identity, digest, fields)
    return page


def parse_page_text(
    text: str,
    path: Path,
    section: Section,
    slug: str,
    lang: str,
    problems: list[ContentProblem],
    digest: str | None = None,
) -> Page | None:
    """The Page of a content file's ``text``, or None with its problems reported.
    ``digest``: text_digest(text), if the caller has it already."""
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
        digest=digest or text_digest(text),
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
