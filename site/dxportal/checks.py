"""`dxportal check`: everything the loader refuses, plus what makes a page worse for readers.

The loader (content.py) reports errors that stop a page from being read at all. The checks here
read the Markdown source of every page and report, with the line in the file:

- errors: links to pages or media that do not exist (or are not published), images without
  alt text, links without text, aliases that are not free;
- warnings: link texts that say nothing ("tại đây", "click here"), skipped heading levels,
  duplicate titles, pages without a translation.

Internal links are written as site addresses: ``/vi/news/slug/``, ``/en/about/``,
``/media/file.pdf``. The build runs the same checks on the pages it publishes and refuses to
build on errors; warnings never stop it.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .addresses import refusal
from .cache import FolderEntries, code_version
from .content import ContentSet, Entry, Page, local_now, read_content
from .errors import ContentError, ContentProblem
from .messages import Message, Translate
from .rendering import may_write_refused_address, written_addresses
from .sections import DEFAULT_LANGUAGE, LANGUAGES, SECTIONS

ERROR = "error"
WARNING = "warning"
SEVERITY_LABELS = {ERROR: Message("error"), WARNING: Message("warning")}
LANGUAGE_NAMES = {"vi": Message("Vietnamese"), "en": Message("English")}

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


@dataclass(frozen=True)
class Finding:
    """A content problem with its severity: errors stop the build, warnings do not."""

    severity: str
    problem: ContentProblem

    def render(self, translate: Translate | None = None) -> str:
        """``path:line: error: message`` (the label and message in the translator's language)."""
        problem = self.problem
        path = display_path(problem.path)
        where = f"{path}:{problem.line}" if problem.line else str(path)
        label = SEVERITY_LABELS[self.severity].render(translate)
        return f"{where}: {label}: {problem.message.render(translate)}"


def display_path(path: Path) -> Path:
    """``path`` relative to the current folder when it is inside it (content/news/…)."""
    folder = os.path.join(os.getcwd(), "")
    text = str(path)
    if text.startswith(folder) and len(text) > len(folder):  # the common case, cheaply
        return Path(text[len(folder) :])
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


@dataclass
class CheckReport:
    """Every finding, sorted by file and line, and how many pages lack each language."""

    findings: list[Finding] = field(default_factory=list)
    missing_translations: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.findings.sort(
            key=lambda f: (str(f.problem.path), f.problem.line or 0, f.severity != ERROR)
        )

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    def findings_for(self, path: Path) -> list[Finding]:
        return [f for f in self.findings if f.problem.path == path]


class CheckFailed(ContentError):
    """The checks found errors: the build is refused. ``report`` has the warnings too."""

    def __init__(self, report: CheckReport):
        self.report = report
        super().__init__([f.problem for f in report.errors])


def check_content(
    root: Path,
    now: dt.datetime | None = None,
    published_only: bool = False,
    cache_dir: Path | None = None,
) -> CheckReport:
    """Load everything under ``root`` (drafts too) and check it.

    With ``published_only`` (the build), the checks of this module look only at the pages
    published at ``now``; the loader's format errors count in every file, drafts too.
    """
    return check_and_read(root, now, published_only, cache_dir)[0]


def check_and_read(
    root: Path,
    now: dt.datetime | None = None,
    published_only: bool = False,
    cache_dir: Path | None = None,
) -> tuple[CheckReport, ContentSet | None]:
    """check_content, and the ContentSet it read (drafts included; None if unusable)."""
    site, problems = read_content(root, include_drafts=True, cache_dir=cache_dir)
    report = (
        check_site(site, now or local_now(), published_only, cache_dir)
        if site is not None
        else CheckReport()
    )
    findings = [Finding(ERROR, p) for p in problems] + report.findings
    return CheckReport(findings, report.missing_translations), site


def check_site(
    site: ContentSet,
    now: dt.datetime,
    published_only: bool = False,
    cache_dir: Path | None = None,
) -> CheckReport:
    """Run every check on a loaded ContentSet (loaded with its drafts).

    With a ``cache_dir``, what each body holds (links, headings) is read again only for
    files that changed; the links are always checked against the current site.
    """
    pages = [p for p in site.pages() if not published_only or p.is_published(now)]
    findings: list[Finding] = []
    cache = BodyMarksCache(cache_dir, site.root) if cache_dir is not None else None
    answers: dict[tuple, list] = {}  # check_url's answers: many pages link to one address
    for page in pages:
        marks = cache.marks(page) if cache else None
        findings.extend(check_body(page, site, now, marks, answers))
    if cache is not None:
        cache.save()
    findings.extend(check_titles(pages))
    findings.extend(check_aliases(site, pages, now))
    translations, missing = check_translations(site, pages)
    findings.extend(translations)
    return CheckReport(findings, missing)


# --- links and images -------------------------------------------------------------------


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


def line_at(page: Page, text: str, offset: int) -> int:
    return page.body_line + text.count("\n", 0, offset)


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


def refused_addresses(page: Page, text: str) -> Iterator[Finding]:
    """Every address the Markdown writes that the renderer refuses (addresses.normalise).

    The addresses are those python-markdown produces, so every form counts (autolinks,
    references, raw HTML); the line is where the address is written in ``text``.
    """
    if not may_write_refused_address(page.body):
        return  # most bodies: no Markdown conversion needed
    start = 0
    for tag, url in written_addresses(page.body):
        message = refusal(url)
        if message is None and tag == "img" and not url.strip():
            message = Message("an image has no address: write it as /media/file-name")
        if message is None:
            continue
        offset = find_written(text, url, start)
        start = max(start, offset)
        yield Finding(ERROR, ContentProblem(page.source_path, line_at(page, text, offset), message))


def find_written(text: str, url: str, start: int) -> int:
    """Where ``url`` is written in the body (as written, escaped or in part), else ``start``."""
    email = url[len("mailto:") :] if url[:7].lower() == "mailto:" else ""
    empty = ("]()", "]( )", 'src=""', "src=''") if not url.strip() else ()
    for candidate in (url, html.escape(url), email, url[:16], url[:6], *empty):
        if candidate.strip():
            found = text.find(candidate, start)
            found = text.find(candidate) if found == -1 else found
            if found != -1:
                return found
    return start


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


# --- headings ---------------------------------------------------------------------------


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


# --- whole-site checks ------------------------------------------------------------------


def check_titles(pages: list[Page]) -> Iterator[Finding]:
    """Two pages in one language with the same title confuse readers and search engines."""
    by_title: dict[tuple[str, str], list[Page]] = defaultdict(list)
    for page in pages:
        by_title[(page.lang, page.title.casefold())].append(page)
    for same in by_title.values():
        if len(same) < 2:
            continue
        for page in same:
            others = ", ".join(str(p.source_path) for p in same if p is not page)
            yield Finding(
                WARNING,
                ContentProblem(
                    page.source_path,
                    page.meta_lines.get("title"),
                    Message("another page has the same title: {others}", others=others),
                ),
            )


def alias_target(site: ContentSet, path: str) -> Page | None:
    for page in site.pages():
        if path in page.aliases:
            return page
    return None


def check_aliases(site: ContentSet, pages: list[Page], now: dt.datetime) -> Iterator[Finding]:
    """An alias must be free: not a real address, not the alias of another page."""
    seen: dict[str, Page] = {}
    for page in pages:
        line = page.meta_lines.get("aliases")
        for alias in page.aliases:
            if alias in seen and seen[alias].slug != page.slug:
                yield Finding(
                    ERROR,
                    ContentProblem(
                        page.source_path,
                        line,
                        Message(
                            "the old address {alias} is already an alias of {other}",
                            alias=alias,
                            other=seen[alias].source_path,
                        ),
                    ),
                )
                continue
            seen[alias] = page
            segments = alias.strip("/").split("/")[1:]
            taken = (
                not segments
                or segments[0] in ("tags", "search", "media", "static")
                or (segments[0] in LISTED and (len(segments) == 1 or segments[1] == "page"))
                or (len(segments) == 2 and site.entry(segments[0], segments[1]) is not None)
                or (len(segments) == 1 and site.entry("pages", segments[0]) is not None)
            )
            if taken:
                yield Finding(
                    ERROR,
                    ContentProblem(
                        page.source_path,
                        line,
                        Message(
                            "the old address {alias} is the address of a page of the site; "
                            "an alias must be an address that no longer exists",
                            alias=alias,
                        ),
                    ),
                )


def check_translations(site: ContentSet, pages: list[Page]) -> tuple[list[Finding], dict[str, int]]:
    """A warning on each page whose entry lacks a language, and the count per language."""
    findings: list[Finding] = []
    missing = dict.fromkeys(LANGUAGES, 0)
    checked = {p.source_path for p in pages}
    for entry in site.entries.values():
        present = [lang for lang in LANGUAGES if lang in entry.versions]
        original = entry.versions[present[0]] if present else None
        if original is None or original.source_path not in checked:
            continue
        for lang in LANGUAGES:
            if lang in entry.versions:
                continue
            missing[lang] += 1
            source = entry.versions.get(DEFAULT_LANGUAGE) or original
            findings.append(
                Finding(
                    WARNING,
                    ContentProblem(
                        source.source_path,
                        None,
                        Message(
                            "no {language} version yet ({file}); readers of /{lang}/ see this page "
                            "with a notice. Start one with: "
                            "dxportal new {section} --translate {slug} --lang {lang}",
                            language=LANGUAGE_NAMES[lang],
                            file=f"{entry.slug}.{lang}.md",
                            lang=lang,
                            section=entry.section,
                            slug=entry.slug,
                        ),
                    ),
                )
            )
    return findings, missing
