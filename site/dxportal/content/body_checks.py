"""The checks of one page's Markdown body: links, images, link texts and headings, each with
the line in the file. What a body holds is cached per file; its links are checked against the
current site every time."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from dxportal.addresses import refusal
from dxportal.cache import FolderEntries, code_version
from dxportal.content.address_checks import line_at, refused_addresses
from dxportal.content.errors import ContentProblem
from dxportal.content.findings import ERROR, SEVERITY_LABELS, WARNING, Finding
from dxportal.content.model import ContentSet, Entry, Page
from dxportal.content.schema import LANGUAGES, SECTIONS
from dxportal.messages import Message

LISTED = {name for name, section in SECTIONS.items() if section.listed}
SITE_FILES = {"/", "/sitemap.xml", "/robots.txt", "/404.html"}


# Link texts that do not say where the link goes, compared lowercased without punctuation.
VAGUE_LINK_TEXTS = frozenset(
    {  # fmt: skip
        "tại đây",
        "ở đây",
        "đây",
        "xem tại đây",
        "bấm vào đây",
        "nhấn vào đây",
        "click vào đây",
        "bấm đây",
        "xem thêm",
        "đọc thêm",
        "xem chi tiết",
        "chi tiết",
        "liên kết",
        "link",
        "here",
        "click here",
        "click",
        "read more",
        "more",
        "see more",
        "details",
        "more info",
        "this",
        "this link",
        "this page",
    }
)


FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)


CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)


_TEXT = r"(?:\\.|[^\[\]\\]|\[(?:\\.|[^\[\]\\])*\])*"


_URL = r"\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"


IMAGE = re.compile(r"!\[(" + _TEXT + r")\]" + _URL)


LINK = re.compile(r"(?<![!\\])\[(" + _TEXT + r")\]" + _URL)


REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[([^\]^][^\]]*)\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.M)


REFERENCE_LINK = re.compile(r"(?<![!\\\]])\[(" + _TEXT + r")\]\[([^\]]*)\]")


HTML_TAG = re.compile(r"<(a|img)\b([^>]*)>", re.I)


HTML_ATTRIBUTE = re.compile(r"([a-zA-Z-]+)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)")


ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")


SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")


MARKDOWN_MARKUP = re.compile(r"!\[[^\]]*\]\([^)]*\)|[*_`~]")


def mask_code(body: str) -> str:
    """The body with code blocks, code spans and comments blanked (same lines and columns)."""
    lines = body.split("\n")
    fence: str | None = None
    for index, line in enumerate(lines):
        match = FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)[0] * len(match.group(1))
            lines[index] = ""
        elif fence is not None:
            if match and match.group(1).startswith(fence):
                fence = None
            lines[index] = ""
    text = "\n".join(lines)

    def blank(match: re.Match) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    return HTML_COMMENT.sub(blank, CODE_SPAN.sub(blank, text))


def plain_text(markdown_text: str) -> str:
    """The words of a link text: images, emphasis markers and punctuation removed."""
    text = MARKDOWN_MARKUP.sub(" ", markdown_text)
    text = re.sub(r"[^\w\s]", " ", text.lower())
    return " ".join(text.split())


@dataclass(frozen=True)
class UrlToCheck:
    """An address written in a body, to be checked against the site (see check_url)."""

    line: int
    url: str
    image: bool = False


def check_body(
    page: Page,
    site: ContentSet,
    now: dt.datetime,
    marks: list | None = None,
    answers: dict[tuple, list] | None = None,
) -> Iterator[Finding]:
    """Links, images and headings of one page's Markdown body.

    ``marks``: body_marks(page), if already known (they depend on the file only).
    ``answers``: check_url's answers so far, for other pages of the same site and moment
    (they depend on the page only through whether it is published).
    """
    answers = {} if answers is None else answers
    published = page.is_published(now)
    for mark in body_marks(page) if marks is None else marks:
        if isinstance(mark, UrlToCheck):
            key = (mark.url, mark.image, published)
            found = answers.get(key)
            if found is None:
                found = answers[key] = list(check_url(mark.url, page, site, now, mark.image))
            for severity, message in found:
                yield Finding(severity, ContentProblem(page.source_path, mark.line, message))
        else:
            yield mark


def body_marks(page: Page) -> list[Finding | UrlToCheck]:
    """What check_body finds in the body alone, in order: findings and addresses to check."""
    return list(_body_marks(page))


def _body_marks(page: Page) -> Iterator[Finding | UrlToCheck]:
    text = mask_code(page.body)

    def problem(severity: str, offset: int, message: Message) -> Finding:
        return Finding(
            severity, ContentProblem(page.source_path, line_at(page, text, offset), message)
        )

    def address(offset: int, url: str, image: bool = False) -> UrlToCheck:
        return UrlToCheck(line_at(page, text, offset), url, image)

    for match in IMAGE.finditer(text):
        alt, url = match.group(1).strip(), match.group(2).strip("<>")
        if not alt:
            yield problem(
                ERROR,
                match.start(),
                Message(
                    "the image {url} has no alt text: write what it shows between the brackets, "
                    "![like this]({url})",
                    url=url,
                ),
            )
        yield address(match.start(), url, image=True)
    for match in LINK.finditer(text):
        yield from check_link_text(problem, match.start(), match.group(1))
        yield address(match.start(), match.group(2).strip("<>"))
    for match in REFERENCE_DEFINITION.finditer(text):
        yield address(match.start(), match.group(2))
    for match in REFERENCE_LINK.finditer(text):
        yield from check_link_text(problem, match.start(), match.group(1))
    for match in HTML_TAG.finditer(text):
        tag = match.group(1).lower()
        attributes = {k.lower(): v.strip("\"'") for k, v in HTML_ATTRIBUTE.findall(match.group(2))}
        if tag == "img":
            if not attributes.get("alt", "").strip():
                yield problem(
                    ERROR,
                    match.start(),
                    Message(
                        'the image {url} has no alt text: add alt="what it shows"',
                        url=attributes.get("src", ""),
                    ),
                )
            url = attributes.get("src")
        else:
            url = attributes.get("href")
        if url:
            yield address(match.start(), url)
    yield from refused_addresses(page, text)
    yield from check_headings(page, text)


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
            found = body_marks(page)
            packed = pack_marks(found)
        self.used[key] = packed
        return found


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


def check_link_text(problem, offset: int, link_text: str) -> Iterator[Finding]:
    words = plain_text(link_text)
    has_image = "![" in link_text
    if not words and not has_image:
        yield problem(
            ERROR, offset, Message("a link has no text: write where it goes between the brackets")
        )
    elif words in VAGUE_LINK_TEXTS:
        yield problem(
            WARNING,
            offset,
            Message(
                "the link text '{text}' does not say where the link goes; use the name of the "
                "page or document instead, e.g. [Nghị quyết 01 về chuyển đổi số](…)",
                text=link_text.strip(),
            ),
        )


def check_url(
    url: str, page: Page, site: ContentSet, now: dt.datetime, image: bool = False
) -> Iterator[tuple[str, Message]]:
    """Problems with one link or image address written in ``page``."""
    if refusal(url) is not None:
        return  # refused_addresses reports it
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


def check_headings(page: Page, text: str) -> Iterator[Finding]:
    """The title is the level-1 heading: the body starts at ## and never skips a level."""
    previous = 1
    lines = text.split("\n")
    for index, line in enumerate(lines):
        level = None
        match = ATX_HEADING.match(line)
        if match:
            level = len(match.group(1))
        elif index and lines[index - 1].strip() and SETEXT_UNDERLINE.match(line):
            above = lines[index - 1].lstrip()
            if not above.startswith(("-", "*", "+", ">", "|")) and not re.match(r"\d+[.)]", above):
                level = 1 if line.strip().startswith("=") else 2
                index -= 1
        if level is None:
            continue
        line = page.body_line + index
        if level == 1:
            message = Message(
                "a level-1 heading (#) in the body: the title is the page's only level-1 "
                "heading; start sections with ##"
            )
        elif level > 2 and previous == 1:
            message = Message(
                "the first heading of the body should be ## (the title is the level-1 "
                "heading), not {hashes}",
                hashes="#" * level,
            )
        elif level > previous + 1:
            message = Message(
                "this heading skips a level ({hashes} after {previous}): use {expected}",
                hashes="#" * level,
                previous="#" * previous,
                expected="#" * (previous + 1),
            )
        else:
            message = None
        if message is not None:
            yield Finding(WARNING, ContentProblem(page.source_path, line, message))
        previous = max(level, 1)


def alias_target(site: ContentSet, path: str) -> Page | None:
    for page in site.pages():
        if path in page.aliases:
            return page
    return None
