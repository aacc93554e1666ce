"""What a page gives either search index: its text fields and their boosts, and the order
documents are numbered in. The preview's Whoosh index and the static export share these, so
that both score the same words the same way."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

from dxportal.content.model import ContentSet, Entry, Page
from dxportal.content.schema import SECTIONS
from dxportal.rendering import Renderer
from dxportal.search.analysis import FIELD_BREAK

# Bump when the analysis or the schema changes: an index built before is then rebuilt.
INDEX_VERSION = "6"
SEARCH_SECTIONS = tuple(SECTIONS)  # news, goals, training, outreach, documents, pages
# Query-time weights of each field (the same numbers go into the static export).
FIELD_BOOSTS = {"title": 3.0, "tags": 2.0, "summary": 1.5, "body": 1.0}
TEXT_FIELDS = tuple(FIELD_BOOSTS)
PAIRS_FIELD = "pairs"
SCORED_FIELDS = (*TEXT_FIELDS, PAIRS_FIELD)
BLOCK_TAGS = {"p", "li", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "br", "div", "pre",
              "blockquote", "dt", "dd", "figcaption", "caption"}  # fmt: skip
# A start or end tag as nh3 (html5ever) serializes it: lowercase name, attributes always
# double-quoted (a quote in a value is &quot;), an end tag without attributes. The one group
# is the name.
SERIALIZED_TAG = re.compile(
    r'<(?:/(?=[a-z][a-z0-9]*>))?([a-z][a-z0-9]*)(?: [^\s"\'<>/=]+="[^"]*")*>'
)
RAW_TEXT_TAGS = frozenset(HTMLParser.CDATA_CONTENT_ELEMENTS)  # their text is not markup


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable plain text of sanitized HTML: blocks on their own lines, spaces collapsed."""
    lines = (" ".join(line.split()) for line in html_parts(html).splitlines())
    return "\n".join(line for line in lines if line)


def parse_parts(html: str) -> str:
    """The text of ``html`` with a newline at each block tag, by html.parser."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    return "".join(extractor.parts)


def html_parts(html: str) -> str:
    """The text of ``html`` with a newline at each block tag, as _TextExtractor finds it.

    HTML as nh3 writes it (tags ``<name attr="value">`` or ``</name>``, every ``<`` of the
    text escaped) is split with one regular expression, several times faster than
    html.parser; anything else (a comment, a lone ``<``, ``<br/>``…) goes through the parser.
    """
    pieces = SERIALIZED_TAG.split(html)
    texts, names = pieces[::2], pieces[1::2]
    if "<" in "".join(texts) or not RAW_TEXT_TAGS.isdisjoint(names):
        return parse_parts(html)
    pieces[::2] = [unescape(text) if "&" in text else text for text in texts]
    pieces[1::2] = ["\n" if name in BLOCK_TAGS else "" for name in names]
    return "".join(pieces)


@dataclass(frozen=True)
class SearchDocument:
    """What the index knows of one entry in one language."""

    key: str
    section: str
    slug: str
    source_lang: str
    date: str
    title: str
    summary: str
    body: str
    tags: str

    def fields(self) -> dict[str, str]:
        joined = FIELD_BREAK.join((self.title, self.tags, self.summary, self.body))
        return {**self.__dict__, PAIRS_FIELD: joined}


def make_document(
    entry: Entry, lang: str, site: ContentSet, renderer: Renderer, url_prefix: str = ""
) -> SearchDocument:
    """The document of ``entry`` in the index of ``lang``.

    The body is rendered as the page shows it (``url_prefix``: the sub-path the site is served
    under, see web.urls), so that a build finds it in the Markdown cache the pages' freeze
    filled rather than converting it again: only link targets depend on the prefix, and the
    text leaves them out.

    A page not translated into ``lang`` (the other language's text shown in its place) keeps
    its title, tags (named in ``lang``) and summary but not its body: a reader searching in
    English finds an untranslated article by its name, its topics or its summary, and English
    analysis of a Vietnamese body only made the English index as large as the Vietnamese one
    (most articles are not translated). The same holds for a page only in English in the
    Vietnamese index.
    """
    page: Page = entry.version(lang)
    tag_names = [site.tags.get(tag, {}).get(lang, tag) for tag in page.tags]
    translated = page.lang == lang
    return SearchDocument(
        key=f"{entry.section}/{entry.slug}",
        section=entry.section,
        slug=entry.slug,
        source_lang=page.lang,
        date=page.date.isoformat() if page.date else "",
        title=page.title,
        summary=page.summary,
        body=html_to_text(renderer.render(page.body, page.lang, url_prefix)) if translated else "",
        tags=", ".join(tag_names),
    )


def ordered_entries(site: ContentSet) -> list[Entry]:
    """Section by section, newest first: the order of document numbers."""
    ordered = []
    for section in SEARCH_SECTIONS:
        ordered.extend(site.section_entries(section))
    return ordered
