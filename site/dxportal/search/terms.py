"""What one document contributes to a static index: term counts, field lengths, pair positions.

The counts are exactly what Whoosh records for the same document with the tokenizers of
analysis.py (WordTokenizer for title, tags, summary and body; PairTokenizer for the pairs
field), computed in bulk: the static export (export.py) turns them into the same BM25F
weights Whoosh would score, without building a Whoosh index first.

A document's terms depend only on its text and the index language, so they are kept in the
disk cache (DXPORTAL_CACHE_DIR) by a hash of the page's source: a build after a build analyses
only the pages that changed, and never renders their Markdown again.
"""

from __future__ import annotations

import marshal
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..cache import DiskCache, code_version, hash_text
from ..content import ContentSet, Entry
from ..rendering import Renderer, renderer_version
from .analysis import FIELD_BREAK, FIELD_GAP, PAIR_SEPARATOR, WORD, normalize_text, word_forms
from .index import INDEX_VERSION, TEXT_FIELDS, SearchDocument, make_document

Forms = list[tuple[str, str]]


@dataclass
class DocumentTerms:
    """One document of one language's index.

    ``fields`` maps each text field to (term frequencies, token count); ``pairs`` maps each
    pair term to [count, position deltas…] (the static index's layout); ``snippet`` is the
    text the search page quotes from.
    """

    fields: dict[str, tuple[dict[str, int], int]]
    pairs: dict[str, list[int]]
    pair_length: int
    snippet: str

    def dumps(self) -> bytes:
        return marshal.dumps((self.fields, self.pairs, self.pair_length, self.snippet))

    @classmethod
    def loads(cls, payload: bytes) -> DocumentTerms | None:
        try:
            fields, pairs, pair_length, snippet = marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            return None
        return cls(fields, pairs, pair_length, snippet)


def word_forms_of(text: str, lang: str) -> Forms:
    """(exact, folded) of every word of ``text``: split_words without the offsets."""
    return [word_forms(raw, lang) for raw in WORD.findall(normalize_text(text))]


def field_counts(forms: Forms) -> tuple[dict[str, int], int]:
    """Term frequencies and token count of one field (a marked word gives two tokens)."""
    exact = [pair[0] for pair in forms]
    folded = [pair[1] for pair in forms if pair[1] != pair[0]]
    counts = Counter(exact)
    counts.update(folded)
    return dict(counts), len(exact) + len(folded)


def pair_positions(segments: Sequence[Forms]) -> tuple[dict[str, list[int]], int]:
    """Positions of each pair term over the field segments, as PairTokenizer numbers them,
    and the number of pair tokens."""
    positions: dict[str, list[int]] = {}
    length = 0
    base = 0
    for forms in segments:
        for offset in range(len(forms) - 1):
            first, second = forms[offset], forms[offset + 1]
            exact = first[0] + PAIR_SEPARATOR + second[0]
            positions.setdefault(exact, []).append(base + offset)
            length += 1
            folded = first[1] + PAIR_SEPARATOR + second[1]
            if folded != exact:
                positions.setdefault(folded, []).append(base + offset)
                length += 1
        base += len(forms) + FIELD_GAP
    return positions, length


def document_terms(document: SearchDocument, snippet: str, lang: str) -> DocumentTerms:
    """The terms of ``document`` in the index of ``lang`` (see SearchDocument.fields)."""
    texts = [getattr(document, name) for name in TEXT_FIELDS]
    forms = {name: word_forms_of(text, lang) for name, text in zip(TEXT_FIELDS, texts, strict=True)}
    fields = {name: field_counts(forms[name]) for name in TEXT_FIELDS}
    joined = FIELD_BREAK.join((document.title, document.tags, document.summary, document.body))
    if FIELD_BREAK in "".join(texts):  # a field holds the separator itself: split as Whoosh does
        segments = [word_forms_of(part, lang) for part in joined.split(FIELD_BREAK)]
    else:
        segments = [forms["title"], forms["tags"], forms["summary"], forms["body"]]
    positions, pair_length = pair_positions(segments)
    return DocumentTerms(fields, encode_positions(positions), pair_length, snippet)


def encode_positions(positions: dict[str, list[int]]) -> dict[str, list[int]]:
    """term -> [count, first position, gap to the next, …]."""
    encoded = {}
    for term, where in positions.items():
        flat = [len(where)]
        previous = 0
        for position in where:
            flat.append(position - previous)
            previous = position
        encoded[term] = flat
    return encoded


class TermsCache:
    """DocumentTerms by page source, on disk (or only in memory without a cache folder)."""

    def __init__(self, cache_dir: Path | None) -> None:
        version = hash_text(INDEX_VERSION, sys.version, code_version(), renderer_version())
        self.disk = DiskCache(cache_dir, "search-terms", version) if cache_dir else None

    @staticmethod
    def key(entry: Entry, lang: str, site: ContentSet) -> str:
        page = entry.version(lang)
        tag_names = [site.tags.get(tag, {}).get(lang, tag) for tag in page.tags]
        return hash_text(lang, page.lang, page.title, page.summary, *tag_names, "\0", page.body)

    def terms(
        self,
        entry: Entry,
        lang: str,
        site: ContentSet,
        renderer: Renderer,
        snippet_of: Callable[[str, str], str],
    ) -> DocumentTerms:
        """The cached terms of ``entry`` in ``lang``, or freshly analysed (and stored)."""
        key = self.key(entry, lang, site)
        if self.disk is not None:
            payload = self.disk.get(key)
            if payload is not None:
                found = DocumentTerms.loads(payload)
                if found is not None:
                    return found
        document = make_document(entry, lang, site, renderer)
        terms = document_terms(document, snippet_of(document.summary, document.body), lang)
        if self.disk is not None:
            self.disk.put(key, terms.dumps())
        return terms
