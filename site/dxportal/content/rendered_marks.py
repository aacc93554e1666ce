"""Which of the marks a scan finds in a Markdown body python-markdown really renders.

The scan (body_scan) finds links, images, reference definitions, raw <a>/<img> tags and
headings with regular expressions, which give each its line in the file but cannot tell all
code from text: an indented code block, a fence inside a list, a raw HTML block. So, for a body
that can hold code at all (``needs_rendering``), every mark gets a token written into a copy of
the body (its address replaced, or a word added to its text or line), the copy is converted by
python-markdown with the site's extensions, and a mark counts only if its token comes out as
what the mark claims: an ``href``/``src``, an attribute of a real tag, words of a real link or
heading. A token in code comes out as text, and the mark is dropped. The line stays the scan's.

A body without a backtick, ``~~~``, ``<``, a tab or a line indented by four spaces cannot hold
code: its scan is exact and costs no conversion (most pages, see docs/benchmarks.md).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser

import markdown

from dxportal.rendering import EXTENSION_CONFIGS, EXTENSIONS

CODE_SIGNS = ("`", "<", "\t", "~~~", "\n    ")  # substring tests: faster than one regex
TOKEN = re.compile(r"dxmark\d+z")
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_converter = threading.local()


def needs_rendering(body: str) -> bool:
    """Whether python-markdown could show part of ``body`` as code (or raw HTML)."""
    return body.startswith("    ") or any(sign in body for sign in CODE_SIGNS)


@dataclass
class Rendered:
    """Where the tokens came out in the converted copy."""

    addresses: set[str] = field(default_factory=set)  # a whole href or src of <a>/<img>
    tag_marks: set[str] = field(default_factory=set)  # an attribute name of <a>/<img>
    in_links: set[str] = field(default_factory=set)  # words of a link, not in code
    headings: dict[str, int] = field(default_factory=dict)  # words of a heading: its level
    anywhere: set[str] = field(default_factory=set)  # any text, code included


class Marker:
    """Edits that put a token on each mark of one body, then one conversion of the copy."""

    def __init__(self, body: str) -> None:
        self.body = body
        self.edits: list[tuple[int, int, str]] = []
        self.count = 0

    def token(self) -> str:
        self.count += 1
        return f"dxmark{self.count}z"

    def replace(self, start: int, end: int) -> str:
        """Put a token in place of ``body[start:end]`` (an address); return it."""
        token = self.token()
        self.edits.append((start, end, token))
        return token

    def insert(self, position: int, text: str = "") -> str:
        """Write `` <token>`` (after ``text``) at ``position``; return the token."""
        token = self.token()
        self.edits.append((position, position, f"{text} {token}"))
        return token

    def edited(self) -> str:
        parts, end = [], len(self.body)
        for start, stop, text in sorted(self.edits, key=lambda e: (e[0], e[1]), reverse=True):
            if stop > end:  # overlaps an edit already made: that mark will not count
                continue
            parts += [self.body[stop:end], text]
            end = start
        parts.append(self.body[:end])
        return "".join(reversed(parts))

    def render(self) -> Rendered:
        md = getattr(_converter, "md", None)
        if md is None:
            md = _converter.md = markdown.Markdown(
                extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS
            )
        md.reset()
        reader = _TokenReader()
        reader.feed(md.convert(self.edited()))
        reader.close()
        return reader.rendered


class _TokenReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rendered = Rendered()
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("a", "img"):
            for name, value in attrs:
                if name in ("href", "src") and value and TOKEN.fullmatch(value):
                    self.rendered.addresses.add(value)
                if TOKEN.fullmatch(name):
                    self.rendered.tag_marks.add(name)
        if tag not in ("img", "br", "hr"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open.pop() != tag:
                pass

    def handle_comment(self, data: str) -> None:
        self.rendered.anywhere.update(TOKEN.findall(data))

    def handle_data(self, data: str) -> None:
        tokens = TOKEN.findall(data)
        if not tokens:
            return
        self.rendered.anywhere.update(tokens)
        if "code" in self.open or "pre" in self.open:
            return
        if "a" in self.open:
            self.rendered.in_links.update(tokens)
        for tag in reversed(self.open):
            if tag in HEADINGS:
                self.rendered.headings.update(dict.fromkeys(tokens, HEADINGS[tag]))
                break
