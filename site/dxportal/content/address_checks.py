"""Addresses a body writes that the renderer refuses (see addresses.py), found in what
python-markdown actually produces, each reported at the line it is written on."""

from __future__ import annotations

import html
from collections.abc import Iterator

from dxportal.addresses import refusal
from dxportal.content.errors import ContentProblem
from dxportal.content.findings import ERROR, Finding
from dxportal.content.model import Page
from dxportal.messages import Message
from dxportal.rendering import may_write_refused_address, written_addresses


def line_at(page: Page, text: str, offset: int) -> int:
    return page.body_line + text.count("\n", 0, offset)


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
