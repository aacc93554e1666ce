"""The Whoosh index: one per language in search_index/<lang>/, written aside and swapped in.

Documents are added section by section (in SEARCH_SECTIONS order), newest first, so each
section is a contiguous range of document numbers: the static export filters by those ranges.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, STORED, TEXT, Schema

from ..content import ContentSet, Entry, Page
from ..rendering import Renderer
from ..sections import LANGUAGES, SECTIONS
from .analysis import FIELD_BREAK, PairTokenizer, WordTokenizer

# Bump when the analysis or the schema changes: an index built before is then rebuilt.
INDEX_VERSION = "3"
FINGERPRINT_FILE = "FINGERPRINT"
SEARCH_SECTIONS = tuple(SECTIONS)  # news, goals, training, outreach, documents, pages
# Query-time weights of each field (the same numbers go into the static export).
FIELD_BOOSTS = {"title": 3.0, "tags": 2.0, "summary": 1.5, "body": 1.0}
TEXT_FIELDS = tuple(FIELD_BOOSTS)
PAIRS_FIELD = "pairs"
BLOCK_TAGS = {"p", "li", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "br", "div", "pre",
              "blockquote", "dt", "dd", "figcaption", "caption"}  # fmt: skip


def make_schema(lang: str) -> Schema:
    words = WordTokenizer(lang)
    return Schema(
        key=ID(stored=True, unique=True),
        section=ID(stored=True),
        slug=STORED,
        source_lang=STORED,
        date=STORED,
        title=TEXT(analyzer=words, phrase=False),
        summary=TEXT(analyzer=words, phrase=False),
        body=TEXT(analyzer=words, phrase=False),
        tags=TEXT(analyzer=words, phrase=False),
        pairs=TEXT(analyzer=PairTokenizer(lang), phrase=True),
    )


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
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    lines = (" ".join(line.split()) for line in "".join(extractor.parts).splitlines())
    return "\n".join(line for line in lines if line)


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


def make_document(entry: Entry, lang: str, site: ContentSet, renderer: Renderer) -> SearchDocument:
    page: Page = entry.version(lang)
    tag_names = [site.tags.get(tag, {}).get(lang, tag) for tag in page.tags]
    return SearchDocument(
        key=f"{entry.section}/{entry.slug}",
        section=entry.section,
        slug=entry.slug,
        source_lang=page.lang,
        date=page.date.isoformat() if page.date else "",
        title=page.title,
        summary=page.summary,
        body=html_to_text(renderer.render(page.body, page.lang)),
        tags=", ".join(tag_names),
    )


def ordered_entries(site: ContentSet) -> list[Entry]:
    """Section by section, newest first: the order of document numbers."""
    ordered = []
    for section in SEARCH_SECTIONS:
        ordered.extend(site.section_entries(section))
    return ordered


def content_fingerprint(site: ContentSet) -> str:
    """Changes whenever a page (or the index format) changes."""
    digest = hashlib.sha256(INDEX_VERSION.encode())
    for page in sorted(site.pages(), key=lambda p: str(p.source_path)):
        digest.update(f"{page.source_path}\0{page.digest}\0{page.draft}\n".encode())
    digest.update(repr(sorted(site.tags.items())).encode())
    return digest.hexdigest()


def write_language_index(site: ContentSet, lang: str, folder: Path, renderer: Renderer) -> None:
    """Create a fresh index of ``lang`` in the empty or missing ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(folder), make_schema(lang))
    writer = ix.writer()
    try:
        for entry in ordered_entries(site):
            writer.add_document(**make_document(entry, lang, site, renderer).fields())
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def build_index(site: ContentSet, destination: Path, renderer: Renderer | None = None) -> str:
    """Build every language's index beside ``destination`` and swap it in; return its fingerprint.

    Readers keep the old files open until they reopen; a failed build leaves the old index.
    """
    renderer = renderer or Renderer()
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.new-", dir=destination.parent))
    fingerprint = content_fingerprint(site)
    try:
        for lang in LANGUAGES:
            write_language_index(site, lang, staging / lang, renderer)
        (staging / FINGERPRINT_FILE).write_text(fingerprint + "\n", encoding="ascii")
        previous = destination.with_name(f".{destination.name}.old-{os.getpid()}")
        shutil.rmtree(previous, ignore_errors=True)
        if destination.exists():
            destination.rename(previous)
        staging.rename(destination)
        shutil.rmtree(previous, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return fingerprint


def read_fingerprint(folder: Path) -> str | None:
    try:
        return (Path(folder) / FINGERPRINT_FILE).read_text(encoding="ascii").strip()
    except OSError:
        return None


def open_index(folder: Path, lang: str):
    """Open one language's index for reading."""
    return whoosh_index.open_dir(str(Path(folder) / lang), readonly=True)
