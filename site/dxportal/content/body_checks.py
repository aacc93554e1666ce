"""The checks of one page's Markdown body: links, images, link texts and headings, each with
the line in the file. What a body holds (body_scan.body_marks) is cached per file; its links
are checked against the current site every time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from dxportal.addresses import refusal
from dxportal.cache import FolderEntries, code_version
from dxportal.content.body_scan import UrlToCheck, body_marks
from dxportal.content.errors import ContentProblem
from dxportal.content.findings import ERROR, SEVERITY_LABELS, WARNING, Finding
from dxportal.content.model import ContentSet, Entry, Page
from dxportal.content.schema import SECTIONS
from dxportal.messages import LANGUAGES, Message

LISTED = {name for name, section in SECTIONS.items() if section.listed}
SITE_FILES = {"/", "/sitemap.xml", "/robots.txt", "/404.html"}


def check_body(
    page: Page,
    site: ContentSet,
    now: dt.datetime,
    marks: list | None = None,
    answers: dict[tuple, list] | None = None,
) -> Iterator[Finding]:
    """Links, images and headings of one page's Markdown body.

    ``marks``: checkable(body_marks(page)), if already known (they depend on the file only).
    ``answers``: check_url's answers so far, for other pages of the same site and moment
    (they depend on the page only through whether it is published).
    """
    answers = {} if answers is None else answers
    published = page.is_published(now)
    for mark in checkable(body_marks(page)) if marks is None else marks:
        if isinstance(mark, UrlToCheck):
            key = (mark.url, mark.image, published)
            found = answers.get(key)
            if found is None:
                found = answers[key] = list(check_url(mark.url, page, site, now, mark.image))
            for severity, message in found:
                yield Finding(severity, ContentProblem(page.source_path, mark.line, message))
        else:
            yield mark


class BodyMarksCache(FolderEntries):
    """body_marks of the pages of one content folder, by file and content hash.

    One file on disk under the code version, like the front-matter cache: a page whose file
    changed is always read again; a damaged cache is only a miss. The marks are kept as plain
    tuples, without the page's path (thousands of pickled paths cost a tenth of a second).
    """

    def __init__(self, cache_dir: Path, root: Path) -> None:
        super().__init__(cache_dir, "checks", code_version(), root)

    def marks(self, page: Page) -> list[Finding | UrlToCheck]:
        key = f"{page.source_path}:{page.digest}"
        packed = self.stored.get(key)
        found = unpack_marks(page, packed) if isinstance(packed, tuple) else None
        if found is None:
            found = checkable(body_marks(page))
            packed = pack_marks(found)
        self.used[key] = packed
        return found


def checkable(marks: list[Finding | UrlToCheck]) -> list[Finding | UrlToCheck]:
    """``marks`` without the addresses the renderer refuses: refused_addresses reports them,
    check_url has nothing to add. Deciding it is most of what checking an address costs, so
    it is decided once per version of the file (BodyMarksCache), not on every build."""
    return [m for m in marks if not isinstance(m, UrlToCheck) or refusal(m.url) is None]


def pack_marks(marks: list[Finding | UrlToCheck]) -> tuple:
    return tuple(
        (m.line, m.url, m.image)
        if isinstance(m, UrlToCheck)
        else (m.severity, m.problem.line, m.problem.message)
        for m in marks
    )


def unpack_marks(page: Page, packed: tuple) -> list[Finding | UrlToCheck] | None:
    """The marks pack_marks kept for ``page``, or None if ``packed`` is not such a tuple."""
    marks: list[Finding | UrlToCheck] = []
    for item in packed:
        if not isinstance(item, tuple) or len(item) != 3:
            return None
        first, second, third = item
        if isinstance(third, bool) and isinstance(first, int) and isinstance(second, str):
            marks.append(UrlToCheck(first, second, third))
        elif isinstance(third, Message) and first in SEVERITY_LABELS:
            marks.append(Finding(first, ContentProblem(page.source_path, second, third)))
        else:
            return None
    return marks


def check_url(
    url: str, page: Page, site: ContentSet, now: dt.datetime, image: bool = False
) -> Iterator[tuple[str, Message]]:
    """Problems with one link or image address written in ``page``, which the renderer
    accepts (see checkable: a refused address is reported by refused_addresses)."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith("#") or not url:
        return
    path = unquote(parts.path)
    if not path.startswith("/"):
        yield (
            ERROR,
            Message(
                "'{url}' is a relative address: write links as site addresses starting with "
                "/vi/ or /en/ (e.g. /vi/news/hop-ban-chi-dao/) and media as /media/file-name",
                url=url,
            ),
        )
        return
    if path.startswith("/media/"):
        name = path[len("/media/") :]
        if not name or ".." in name.split("/") or not (site.media_dir / name).is_file():
            yield (
                ERROR,
                Message(
                    "'{url}': there is no file {name} in content/media/", url=url, name=name or "?"
                ),
            )
        return
    if image:
        yield (
            ERROR,
            Message(
                "images must be files in content/media/, written /media/file-name (got '{url}')",
                url=url,
            ),
        )
        return
    if path in SITE_FILES or path.startswith("/static/"):
        return
    yield from check_site_path(url, path, page, site, now)


def check_site_path(
    url: str, path: str, page: Page, site: ContentSet, now: dt.datetime
) -> Iterator[tuple[str, Message]]:
    segments = path.strip("/").split("/")
    if segments[0] not in LANGUAGES:
        yield (
            ERROR,
            Message(
                "'{url}' is not an address of this site: page addresses start with "
                "/vi/ or /en/, e.g. /vi/news/hop-ban-chi-dao/",
                url=url,
            ),
        )
        return
    if not path.endswith("/") and not path.endswith(".xml"):
        yield ERROR, Message("'{url}' must end with /, e.g. {fixed}", url=url, fixed=path + "/")
        return
    rest = segments[1:]
    entry: Entry | None = None
    if not rest or rest == ["tags"]:
        return
    if rest[0] == "tags":
        if rest[1] not in site.used_tags():
            yield ERROR, Message("'{url}': no page has the tag '{tag}'", url=url, tag=rest[1])
        return
    if rest[0] in LISTED and (len(rest) == 1 or rest[1] in ("feed.xml", "page")):
        return
    if len(rest) == 2 and rest[0] in LISTED:
        entry, expected = site.entry(rest[0], rest[1]), f"content/{rest[0]}/{rest[1]}"
    elif len(rest) == 1:
        entry, expected = site.entry("pages", rest[0]), f"content/pages/{rest[0]}"
    else:
        expected = None
    if entry is None:
        if alias_target(site, path) is not None:
            yield (
                WARNING,
                Message(
                    "'{url}' is an old address (an alias); link to the page's "
                    "current address instead",
                    url=url,
                ),
            )
        elif expected:
            yield (
                ERROR,
                Message(
                    "'{url}' links to a page that does not exist: there is no "
                    "{expected}.vi.md or {expected}.en.md",
                    url=url,
                    expected=expected,
                ),
            )
        else:
            yield ERROR, Message("'{url}' links to a page that does not exist", url=url)
        return
    if page.is_published(now) and not any(v.is_published(now) for v in entry.versions.values()):
        target = entry.version(segments[0])
        if target.draft:
            yield (
                ERROR,
                Message(
                    "'{url}' links to a draft: the link would be broken on the published site",
                    url=url,
                ),
            )
        else:
            yield (
                ERROR,
                Message(
                    "'{url}' links to a page scheduled for {when}: the link would "
                    "be broken until then",
                    url=url,
                    when=format_moment(target.publish_at),
                ),
            )


def format_moment(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M" if value.time() != dt.time() else "%Y-%m-%d")


def alias_target(site: ContentSet, path: str) -> Page | None:
    for page in site.pages():
        if path in page.aliases:
            return page
    return None
