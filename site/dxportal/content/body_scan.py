"""What one page's Markdown body holds, with the line in the file: its links, images and
their texts, reference definitions, raw <a> and <img> tags, and headings (body_marks).

The marks depend on the file alone (BodyMarksCache keeps them); body_checks.check_body checks
their addresses against the current site.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from dxportal.content.address_checks import find_written, line_at, refused_addresses
from dxportal.content.errors import ContentProblem
from dxportal.content.findings import ERROR, WARNING, Finding
from dxportal.content.model import Page
from dxportal.content.rendered_marks import Marker, Rendered, needs_rendering
from dxportal.messages import Message
from dxportal.rendering import FORBIDDEN_CHARACTERS, written_addresses

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


# The lookbehinds come after the opening bracket: a pattern that starts with a literal is
# searched for that character first (ten times faster on a page with few links).
LINK = re.compile(r"\[(?<![!\\]\[)(" + _TEXT + r")\]" + _URL)


REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[([^\]^][^\]]*)\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.M)


REFERENCE_LINK = re.compile(r"\[(?<![!\\\]]\[)(" + _TEXT + r")\]\[([^\]]*)\]")


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


def body_marks(page: Page) -> list[Finding | UrlToCheck]:
    """What check_body finds in the body alone, in order: findings and addresses to check."""
    return list(_body_marks(page))


def _body_marks(page: Page) -> Iterator[Finding | UrlToCheck]:
    """The scan's marks; for a body that can hold code, only those python-markdown renders
    as what they claim to be (rendered_marks): nothing in code counts."""
    marker = Marker(page.body) if needs_rendering(page.body) else None
    # Without a backtick, "~~~" or "<" (needs_rendering) a body has no code to mask:
    # mask_code would return it as it is.
    text = page.body
    found: list[tuple[str, str | None, list[Finding | UrlToCheck]]] = []

    def problem(severity: str, offset: int, message: Message) -> Finding:
        return Finding(
            severity, ContentProblem(page.source_path, line_at(page, text, offset), message)
        )

    def address(offset: int, url: str, image: bool = False) -> UrlToCheck:
        return UrlToCheck(line_at(page, text, offset), url, image)

    def token_for(start: int, end: int) -> str | None:
        return marker.replace(start, end) if marker else None

    for match in IMAGE.finditer(text):
        alt, url = match.group(1).strip(), match.group(2).strip("<>")
        marks: list[Finding | UrlToCheck] = []
        if not alt:
            marks.append(
                problem(
                    ERROR,
                    match.start(),
                    Message(
                        "the image {url} has no alt text: write what it shows between the "
                        "brackets, ![like this]({url})",
                        url=url,
                    ),
                )
            )
        marks.append(address(match.start(), url, image=True))
        found.append(("address", token_for(*match.span(2)), marks))
    for match in LINK.finditer(text):
        marks = [*check_link_text(problem, match.start(), match.group(1))]
        marks.append(address(match.start(), match.group(2).strip("<>")))
        found.append(("address", token_for(*match.span(2)), marks))
    for match in REFERENCE_DEFINITION.finditer(text):
        marks = [address(match.start(), match.group(2))]
        found.append(("definition", token_for(*match.span(2)), marks))
    for match in REFERENCE_LINK.finditer(text):
        token = None
        if marker:  # a word in the link's text; an empty id is the text itself, kept as it was
            token = marker.insert(match.end(1))
            if not match.group(2):
                marker.edits.append((match.start(2), match.end(2), match.group(1)))
        found.append(("link", token, [*check_link_text(problem, match.start(), match.group(1))]))
    for match in HTML_TAG.finditer(text):
        tag = match.group(1).lower()
        attributes = {k.lower(): v.strip("\"'") for k, v in HTML_ATTRIBUTE.findall(match.group(2))}
        marks = []
        if tag == "img":
            if not attributes.get("alt", "").strip():
                marks.append(
                    problem(
                        ERROR,
                        match.start(),
                        Message(
                            'the image {url} has no alt text: add alt="what it shows"',
                            url=attributes.get("src", ""),
                        ),
                    )
                )
            url = attributes.get("src")
        else:
            url = attributes.get("href")
        if url:
            marks.append(address(match.start(), url))
        found.append(("tag", marker.insert(match.end(1)) if marker else None, marks))
    written = [url for _, _, marks in found for url in marks if isinstance(url, UrlToCheck)]
    if text.count("](") > len(written):  # a link the expressions do not read: ask the renderer
        found.append(("missed", None, [*missed_addresses(page, text, {u.url for u in written})]))
    headings = heading_lines(text)
    heading_tokens = [marker.insert(end) if marker else None for _, _, end in headings]
    rendered = marker.render() if marker else None
    for kind, token, marks in found:
        if rendered is None or counts(rendered, kind, token):
            yield from marks
    yield from refused_addresses(page, mask_code(page.body) if marker else text)
    if rendered is not None:
        headings = [
            (index, rendered.headings[token], end)
            for (index, _, end), token in zip(headings, heading_tokens, strict=True)
            if token in rendered.headings
        ]
    yield from check_headings(page, [(index, level) for index, level, _ in headings])
    yield from forbidden_characters(page)


def forbidden_characters(page: Page) -> Iterator[Finding]:
    """One warning per body line holding characters a page cannot show (the renderer drops
    them): invisible, so the writer needs the line and the code point to find them."""
    if FORBIDDEN_CHARACTERS.search(page.body) is None:  # most bodies: no line to look at
        return
    for index, line in enumerate(page.body.split("\n")):
        found = sorted(set(FORBIDDEN_CHARACTERS.findall(line)))
        if found:
            message = Message(
                "an invisible control character ({characters}) that a web page cannot hold; "
                "it is left out of the page: delete it (it often comes with text pasted from "
                "a word processor)",
                characters=", ".join(f"U+{ord(char):04X}" for char in found),
            )
            yield Finding(
                WARNING, ContentProblem(page.source_path, page.body_line + index, message)
            )


def missed_addresses(page: Page, text: str, seen: set[str]) -> Iterator[Finding | UrlToCheck]:
    """Addresses python-markdown writes that the expressions above did not find: forms
    such as a title in parentheses, ``[a](/x/ (title))``, or brackets nested three deep.
    Costs a Markdown conversion, so only for bodies with more ``](`` than links found."""
    start = 0
    for tag, url in written_addresses(page.body):
        if url in seen or url.startswith("#"):
            continue
        seen.add(url)
        offset = find_written(text, url.split(" ", 1)[0], start)
        start = max(start, offset)
        line = line_at(page, text, offset)
        if " " in url.strip():  # not in <…>: the text after the space was meant otherwise
            message = Message(
                "'{url}' holds a space: write a title in quotes, [text](/vi/about/ \"Title\"), "
                "and a space in a file name as %20",
                url=url,
            )
            yield Finding(ERROR, ContentProblem(page.source_path, line, message))
        else:
            yield UrlToCheck(line, url, image=tag == "img")


def counts(rendered: Rendered, kind: str, token: str | None) -> bool:
    """Whether the mark with ``token`` came out of python-markdown as what it claims."""
    if kind == "missed":  # found in what python-markdown wrote
        return True
    if kind == "address":
        return token in rendered.addresses
    if kind == "definition":  # used (an address) or consumed (nowhere), never shown as text
        return token in rendered.addresses or token not in rendered.anywhere
    if kind == "link":
        return token in rendered.in_links
    return token in rendered.tag_marks


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


def heading_lines(text: str) -> list[tuple[int, int, int]]:
    """(line index in the body, level, where its text line ends) of every heading written."""
    found = []
    lines = text.split("\n")
    ends, offset = [], 0
    for line in lines:
        offset += len(line)
        ends.append(offset)
        offset += 1
    for index, line in enumerate(lines):
        match = ATX_HEADING.match(line)
        if match:
            found.append((index, len(match.group(1)), ends[index]))
        elif index and lines[index - 1].strip() and SETEXT_UNDERLINE.match(line):
            above = lines[index - 1].lstrip()
            if not above.startswith(("-", "*", "+", ">", "|")) and not re.match(r"\d+[.)]", above):
                level = 1 if line.strip().startswith("=") else 2
                found.append((index - 1, level, ends[index - 1]))
    return found


def check_headings(page: Page, headings: list[tuple[int, int]]) -> Iterator[Finding]:
    """The title is the level-1 heading: the body starts at ## and never skips a level.

    ``headings``: (line index in the body, level) of each, in order.
    """
    previous = 1
    for index, level in headings:
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
