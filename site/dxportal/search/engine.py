"""Runs visitor queries against the current Whoosh index of a language.

The index is opened read-only. When it is missing or was built from other content (the
fingerprint differs), it is rebuilt aside and swapped in first, so preview always searches
what it shows.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup
from whoosh import query as wq
from whoosh.searching import Searcher

from ..content import ContentSet, Entry, Page
from ..rendering import Renderer
from ..store import ContentStore
from .analysis import fold, split_words
from .index import (
    build_index,
    content_fingerprint,
    make_document,
    open_index,
    read_fingerprint,
)
from .query import ParsedQuery, build_query, parse_query
from .snippets import make_snippet

PAGE_SIZE = 10
SUGGEST_FIELD = "body"


@dataclass
class Hit:
    entry: Entry
    page: Page
    score: float
    snippet: Markup


@dataclass
class SearchResults:
    query: ParsedQuery
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    page_count: int = 0
    suggestion: str | None = None


class SearchEngine:
    def __init__(self, folder: Path, store: ContentStore, renderer: Renderer):
        self.folder = Path(folder)
        self.store = store
        self.renderer = renderer
        self._lock = threading.Lock()
        self._fingerprints: dict[int, str] = {}
        self._indexes: dict[str, tuple[str, object]] = {}

    def _current(self, site: ContentSet) -> str:
        fingerprint = self._fingerprints.get(id(site))
        if fingerprint is None:
            self._fingerprints = {id(site): content_fingerprint(site)}
            fingerprint = self._fingerprints[id(site)]
        return fingerprint

    def ensure_index(self, site: ContentSet) -> str:
        """Rebuild the index if it is missing or stale; return its fingerprint."""
        with self._lock:
            wanted = self._current(site)
            if read_fingerprint(self.folder) != wanted:
                build_index(site, self.folder, self.renderer)
                self._indexes.clear()
            return wanted

    def searcher(self, site: ContentSet, lang: str) -> Searcher:
        fingerprint = self.ensure_index(site)
        with self._lock:
            opened = self._indexes.get(lang)
            if opened is None or opened[0] != fingerprint:
                opened = self._indexes[lang] = (fingerprint, open_index(self.folder, lang))
        return opened[1].searcher()

    def search(self, raw: str | None, lang: str, section: str | None = None,
               page: int = 1) -> SearchResults:  # fmt: skip
        """Ranked hits for ``raw`` in ``lang``; malformed input gives an empty result."""
        site = self.store.get()
        parsed = parse_query(raw, lang)
        results = SearchResults(parsed)
        if parsed.is_empty:
            return results
        with self.searcher(site, lang) as searcher:
            query = build_query(parsed)
            section_filter = wq.Term("section", section) if section else None
            found = searcher.search(query, limit=None, filter=section_filter)
            results.total = len(found)
            results.page_count = max(1, -(-results.total // PAGE_SIZE))
            results.page = min(max(1, page), results.page_count)
            first = (results.page - 1) * PAGE_SIZE
            for hit in found[first : first + PAGE_SIZE]:
                entry = site.entry(hit["section"], hit["slug"])
                if entry is None:
                    continue
                document = make_document(entry, lang, site, self.renderer)
                text = " ".join(filter(None, (document.summary, document.body)))
                results.hits.append(
                    Hit(
                        entry,
                        entry.version(lang),
                        hit.score,
                        make_snippet(text, parsed.words, lang),
                    )  # fmt: skip
                )
            if not results.total:
                results.suggestion = suggest(searcher, parsed, lang, section_filter)
        return results


def suggest(searcher: Searcher, parsed: ParsedQuery, lang: str, section_filter) -> str | None:
    """A corrected query that has hits: each unknown word replaced by the nearest known one."""
    reader = searcher.reader()
    corrections: dict[str, str] = {}
    for word in parsed.words:
        if reader.doc_frequency(SUGGEST_FIELD, word.term) or word.term in corrections:
            continue
        candidates = searcher.suggest(SUGGEST_FIELD, word.term, limit=5, maxdist=2)
        if not word.marked:  # typed without marks: offer a word without marks
            candidates = [c for c in candidates if c == fold(c)]
        if candidates:
            corrections[word.term] = candidates[0]
    if not corrections:
        return None
    text = parsed.text
    for word in reversed(split_words(text, lang)):
        if word.term in corrections:
            text = text[: word.start] + corrections[word.term] + text[word.end :]
    corrected = parse_query(text, lang)
    if corrected.is_empty or not len(searcher.search(build_query(corrected), limit=1,
                                                     filter=section_filter)):  # fmt: skip
        return None
    return text
