"""Runs visitor queries against the current Whoosh index of a language.

The index is opened read-only. In `dxportal serve` an IndexKeeper (keeper.py) builds and
updates it in the background, and a request only reads: it searches the last complete index
(``SearchResults.updating`` says when that is behind the content) or, before there is one,
raises IndexPreparing (the view answers with the "preparing" page). Without a keeper (tests,
the benchmark), the documents that changed are updated first (index.update_index; a full
build when there is no index), so a search always finds what the pages show.

A query is matched once (ranking.collect_hits: Whoosh's scores, but only documents that
match every word, or pass the section and phrase filters, are scored), ranked as Whoosh ranks
it (score, then page order) and only the requested page is read and given snippets.
Searchers stay open between requests (one per thread at a time) until the index changes, and
snippets come from a cache of each page's words instead of rendering it again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from dxportal.content.model import ContentSet, Entry, Page
from dxportal.progress import Report, silent
from dxportal.rendering import Renderer
from dxportal.search.analysis import fold, split_words
from dxportal.search.documents import make_document, ordered_entries
from dxportal.search.preview.snippets import SnippetSource, make_snippet
from dxportal.web.store import ContentStore

# Whoosh's queries and index (index.py, keeper.py, query.py, ranking.py) are imported by the
# first search, inside the methods that use them: every app has an engine, and a build, which
# never searches, spent 36 ms of CPU importing them (docs/benchmarks.md).
if TYPE_CHECKING:
    from whoosh import query as wq
    from whoosh.searching import Searcher

    from dxportal.search.preview.keeper import IndexKeeper
    from dxportal.search.preview.query import ParsedQuery

PAGE_SIZE = 10
SNIPPET_CACHE_SIZE = 2048  # pages whose words are kept for snippets (about 10 kB each)
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
    updating: int | None = None  # from the previous index, being updated (percent done)


class IndexPreparing(Exception):
    """There is no index yet: it is being built in the background (``percent`` done)."""

    def __init__(self, percent: int) -> None:
        super().__init__(percent)
        self.percent = percent


@dataclass
class OpenIndex:
    """One language's opened index and its idle searchers, for one fingerprint."""

    fingerprint: str
    index: object
    idle: list[Searcher] = field(default_factory=list)
    live_lengths: dict[str, int] | None = None  # when the index has deleted documents

    def new_searcher(self) -> Searcher:
        from dxportal.search.preview.ranking import FieldLengthBM25F

        return self.index.searcher(weighting=FieldLengthBM25F(self.live_lengths))

    def close(self) -> None:
        for searcher in self.idle:
            searcher.close()
        self.idle.clear()


class SearchEngine:
    def __init__(self, folder: Path, store: ContentStore, renderer: Renderer):
        self.folder = Path(folder)
        self.store = store
        self.renderer = renderer
        self._lock = threading.Lock()
        self._fingerprints: dict[int, str] = {}
        self._indexes: dict[str, OpenIndex] = {}
        # (lang, section/slug) -> (page digest, page language, its text split for snippets)
        self._sources: dict[tuple[str, str], tuple[str, str, SnippetSource]] = {}
        self._order: tuple[str, dict[str, int]] = ("", {})
        self.keeper: IndexKeeper | None = None  # in `dxportal serve`: requests never build

    def start_keeper(self, progress: Report = silent, processes: int = 2) -> IndexKeeper:
        """Build and update the index in the background from now on (keeper.py)."""
        from dxportal.search.preview.keeper import IndexKeeper

        if self.keeper is None:
            self.keeper = IndexKeeper(self.folder, self.store, self.renderer, progress, processes)
            self.keeper.start()
        return self.keeper

    def usable_index(self, site: ContentSet) -> tuple[str, int | None]:
        """The fingerprint of the index to search and, when it is behind the content and
        being brought up to date, how far that is (percent); raises IndexPreparing when
        there is no index yet. Without a keeper, the index is updated here first."""
        if self.keeper is None:
            return self.ensure_index(site), None
        ready = self.keeper.ready
        if ready is None:
            self.keeper.poke()
            raise IndexPreparing(self.keeper.percent)
        with self._lock:
            wanted = self._current(site)
        if ready == wanted:
            return ready, None
        self.keeper.poke()
        return ready, self.keeper.percent

    def _current(self, site: ContentSet) -> str:
        from dxportal.search.preview.index import content_fingerprint

        fingerprint = self._fingerprints.get(id(site))
        if fingerprint is None:
            self._fingerprints = {id(site): content_fingerprint(site)}
            fingerprint = self._fingerprints[id(site)]
        return fingerprint

    def ensure_index(self, site: ContentSet) -> str:
        """Update the index if it is missing or stale; return its fingerprint."""
        from dxportal.search.preview.index import read_fingerprint, update_index

        with self._lock:
            wanted = self._current(site)
            if read_fingerprint(self.folder) != wanted:
                update_index(site, self.folder, self.renderer)
            return wanted

    @contextmanager
    def searcher(self, site: ContentSet, lang: str,
                 fingerprint: str | None = None) -> Iterator[Searcher]:  # fmt: skip
        """A searcher of the index of ``lang`` (the current one, or the one of
        ``fingerprint``), reused by later requests."""
        from dxportal.search.preview.index import live_field_lengths, open_index

        if fingerprint is None:
            fingerprint = self.ensure_index(site)
        with self._lock:
            opened = self._indexes.get(lang)
            if opened is None or opened.fingerprint != fingerprint:
                if opened is not None:
                    opened.close()
                index = open_index(self.folder, lang)
                opened = self._indexes[lang] = OpenIndex(fingerprint, index)
                opened.live_lengths = live_field_lengths(index, self.folder / lang)
            searcher = opened.idle.pop() if opened.idle else opened.new_searcher()
        try:
            yield searcher
        finally:
            with self._lock:
                if self._indexes.get(lang) is opened:
                    opened.idle.append(searcher)
                else:
                    searcher.close()

    def site_order(self, site: ContentSet) -> dict[str, int]:
        """Key -> place of each entry in page order (section by section, newest first)."""
        with self._lock:
            fingerprint = self._current(site)
            if self._order[0] != fingerprint:
                keys = (f"{e.section}/{e.slug}" for e in ordered_entries(site))
                self._order = (fingerprint, {key: place for place, key in enumerate(keys)})
            return self._order[1]

    def snippet_source(self, entry: Entry, lang: str, site: ContentSet) -> SnippetSource:
        """Summary and body of ``entry`` in ``lang`` split into words, once per version."""
        page = entry.version(lang)
        key = (lang, f"{entry.section}/{entry.slug}")
        with self._lock:
            cached = self._sources.pop(key, None)
        if cached is None or cached[:2] != (page.digest, page.lang):
            document = make_document(entry, lang, site, self.renderer)
            text = " ".join(filter(None, (document.summary, document.body)))
            cached = (page.digest, page.lang, SnippetSource.of(text))
        with self._lock:
            self._sources[key] = cached  # most recently used last
            while len(self._sources) > SNIPPET_CACHE_SIZE:
                del self._sources[next(iter(self._sources))]
        return cached[2]

    def search(self, raw: str | None, lang: str, section: str | None = None,
               page: int = 1) -> SearchResults:  # fmt: skip
        """Ranked hits for ``raw`` in ``lang``; malformed input gives an empty result.
        Raises IndexPreparing while there is no index to search yet."""
        from whoosh import query as wq

        from dxportal.search.preview.query import build_search, parse_query
        from dxportal.search.preview.ranking import collect_hits

        site = self.store.get()
        parsed = parse_query(raw, lang)
        results = SearchResults(parsed)
        if parsed.is_empty:
            return results
        fingerprint, results.updating = self.usable_index(site)
        with self.searcher(site, lang, fingerprint) as searcher:
            scored, phrase_filter = build_search(parsed)
            section_filter = wq.Term("section", section) if section else None
            allowed = allowed_documents(searcher, [section_filter, phrase_filter])
            found = collect_hits(searcher, scored, allowed)
            results.total = len(found)
            results.page_count = max(1, -(-results.total // PAGE_SIZE))
            results.page = min(max(1, page), results.page_count)
            first = (results.page - 1) * PAGE_SIZE
            shown = rank_hits(searcher, found, first + PAGE_SIZE, self.site_order(site))[first:]
            for score, docnum in shown:
                stored = searcher.stored_fields(docnum)
                entry = site.entry(stored["section"], stored["slug"])
                if entry is None:
                    continue
                results.hits.append(
                    Hit(
                        entry,
                        entry.version(lang),
                        score,
                        make_snippet(self.snippet_source(entry, lang, site), parsed.words, lang),
                    )  # fmt: skip
                )
            if not results.total:
                results.suggestion = suggest(searcher, parsed, lang, section_filter)
        return results


def allowed_documents(searcher: Searcher, limits: list[wq.Query | None]) -> set[int] | None:
    """The numbers of the documents every query of ``limits`` matches (None: all)."""
    allowed: set[int] | None = None
    for limit in limits:
        if limit is not None:
            docs = set(searcher.docs_for_query(limit))
            allowed = docs if allowed is None else allowed & docs
    return allowed


def rank_hits(searcher: Searcher, found: list[tuple[float, int]], end: int,
              order: dict[str, int]) -> list[tuple[float, int]]:  # fmt: skip
    """The best ``end`` of ``found`` (score, document number), best first; equal scores in
    page order (``order`` of each stored key), which the document numbers follow only in a
    freshly built index."""
    ranked = sorted(found, key=lambda hit: (-hit[0], hit[1]))
    cut = min(end, len(ranked))
    while 0 < cut < len(ranked) and ranked[cut][0] == ranked[cut - 1][0]:
        cut += 1  # every document that ties with the last one shown

    def place(hit: tuple[float, int]) -> tuple[float, int]:
        return -hit[0], order.get(searcher.stored_fields(hit[1])["key"], len(order))

    return sorted(ranked[:cut], key=place)[:end]


def suggest(searcher: Searcher, parsed: ParsedQuery, lang: str, section_filter) -> str | None:
    """A corrected query that has hits: each unknown word replaced by the nearest known one."""
    from dxportal.search.preview.query import build_search, parse_query
    from dxportal.search.preview.ranking import collect_hits

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
    if corrected.is_empty:
        return None
    scored, phrase_filter = build_search(corrected)
    if not collect_hits(
        searcher, scored, allowed_documents(searcher, [section_filter, phrase_filter])
    ):
        return None
    return text
