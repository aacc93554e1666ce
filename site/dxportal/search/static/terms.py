"""What one document contributes to a static index: term counts, field lengths, pair positions.

The counts are exactly what Whoosh records for the same document with the tokenizers of
analysis.py (WordTokenizer for title, tags, summary and body; PairTokenizer for the pairs
field), computed in bulk: the static export (export.py) writes them out as the posting lines of
its shards, from which the client computes the BM25F scores Whoosh would give, without a
Whoosh index ever being built.

A document's terms are kept compact (a few strings, not thousands of small objects), because
the export streams through thousands of them, and in the disk cache (DXPORTAL_CACHE_DIR) by a
hash of the page's source: a build after a build analyses only the pages that changed, and
never renders their Markdown again.
"""

from __future__ import annotations

import marshal
import sys
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from operator import add, lt, ne, sub
from pathlib import Path
from zlib import crc32

from dxportal.cache import DiskCache, code_version, hash_text
from dxportal.content.model import ContentSet, Entry
from dxportal.gc_pause import collection_paused
from dxportal.rendering import Renderer, renderer_version
from dxportal.search.analysis import (
    FIELD_BREAK,
    FIELD_GAP,
    PAIR_SEPARATOR,
    WORD,
    normalize_text,
    word_forms,
)
from dxportal.search.documents import INDEX_VERSION, TEXT_FIELDS, SearchDocument, make_document
from dxportal.search.static.codes import CODE, decode_numbers, number_code

Forms = list[tuple[str, str]]
# Posting lines are grouped by crc32(term) mod PARTITIONS, so that the export can merge one
# group at a time (a power of two: a shard's group is its number mod PARTITIONS).
PARTITIONS = 16
TERMS_FORMAT = 4
# A document's posting lines, its numbers coded (codes.py), three fields each: a word's
# ``term<TAB>flag<TAB>counts``, the flag "!" when the title, tags and summary counts follow
# the body's; a pair's ``term<TAB>count<TAB>position deltas``, the count written only when it
# is more than 1. A term holds neither a tab nor a newline (analysis.WORD), nor does a code.


def line_fields(lines: str) -> Iterator[tuple[str, str, str]]:
    """The three fields of each posting line of ``lines``: split, not parsed with a regular
    expression (a full export reads every line of every document this way)."""
    fields = lines.replace("\t", "\n").split("\n")
    del fields[-1]  # after the last newline (all of an empty text)
    return zip(*[iter(fields)] * 3, strict=True)


@dataclass
class DocumentTerms:
    """One document of one language's index, compact.

    ``field_lengths`` are the token counts of the text fields (TEXT_FIELDS order).
    ``word_groups`` and ``pair_groups`` hold, per partition, the document's posting lines
    (see line_fields: the static index's layout without the document number, see
    postings.py): for a word, its count in the body, then, if it occurs in the title, tags
    or summary, its counts there; for a pair, its count and position deltas.
    ``word_size`` and ``pair_size`` estimate their JSON bytes (sums over the documents choose
    the shard counts); ``snippet`` is the text the search page quotes from.
    """

    field_lengths: tuple[int, ...]
    word_groups: tuple[str, ...]
    word_size: int
    pair_groups: tuple[str, ...]
    pair_length: int
    pair_size: int
    snippet: str

    def dumps(self) -> bytes:
        return marshal.dumps((TERMS_FORMAT, self.field_lengths, self.word_groups, self.word_size,
                              self.pair_groups, self.pair_length, self.pair_size,
                              self.snippet))  # fmt: skip

    @classmethod
    def loads(cls, payload: bytes) -> DocumentTerms | None:
        try:
            version, lengths, *rest = marshal.loads(payload)
            if version != TERMS_FORMAT or len(lengths) != len(TEXT_FIELDS) or len(rest) != 6:
                return None
        except (ValueError, EOFError, TypeError):
            return None
        return cls(tuple(lengths), *rest)

    def lengths(self) -> tuple[int, ...]:
        """The token counts of the text fields (TEXT_FIELDS order) and of the pairs field."""
        return (*self.field_lengths, self.pair_length)

    def word_runs(self) -> dict[str, tuple[int, ...]]:
        """term -> its counts (body, then title, tags, summary if flagged), decoded."""
        found = line_fields("".join(self.word_groups))
        return {term: tuple(decode_numbers(codes)) for term, _, codes in found}

    def pair_runs(self) -> dict[str, tuple[int, ...]]:
        """term -> (count, position deltas…), decoded."""
        runs = {}
        for term, _, codes in line_fields("".join(self.pair_groups)):
            deltas = decode_numbers(codes)
            runs[term] = (len(deltas), *deltas)
        return runs

    def pair_positions(self) -> dict[str, list[int]]:
        """term -> positions (decoded from the pair lines; for tests and tools)."""
        found = {}
        for term, (_, *deltas) in self.pair_runs().items():
            positions, position = [], 0
            for delta in deltas:
                position += delta
                positions.append(position)
            found[term] = positions
        return found


class LineEnds:
    """The ends of the commonest posting lines by number, made once for all pages (and grown
    for longer ones): ``plain[n]`` ends the line of a word counted n times in the body only,
    and that of a pair occurring once, at position n (both ``<TAB><TAB>code``); ``chars[n]``
    is the length of n in decimal (line_size counts decimal digits)."""

    def __init__(self) -> None:
        self.plain: list[str] = []
        self.chars = array("I")

    def upto(self, largest: int) -> LineEnds:
        if len(self.plain) <= largest:
            grown = range(len(self.plain), largest + 1024)
            self.plain += [f"\t\t{number_code(number)}\n" for number in grown]
            self.chars.extend(map(len, map(str, grown)))
        return self


LINE_ENDS = LineEnds()


class FormsMemo(dict):
    """raw word -> word_forms(raw, lang) of one language, for mapping a text's words in C.

    Cheaper a word than word_forms' own cache (whose key is a tuple of both arguments); it
    forgets everything past MEMO_WORDS words, as that cache does.
    """

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def __missing__(self, raw: str) -> tuple[str, str]:
        if len(self) >= MEMO_WORDS:
            self.clear()
        forms = self[raw] = word_forms(raw, self.lang)
        return forms


MEMO_WORDS = 65536
_FORMS: dict[str, FormsMemo] = {}


def word_forms_of(text: str, lang: str) -> Forms:
    """(exact, folded) of every word of ``text``: split_words without the offsets."""
    memo = _FORMS.get(lang)
    if memo is None:
        memo = _FORMS[lang] = FormsMemo(lang)
    return list(map(memo.__getitem__, WORD.findall(normalize_text(text))))


def field_counts(forms: Forms) -> tuple[Counter[str], int]:
    """Term counts and token count of one field (a marked word gives two tokens)."""
    exact = [pair[0] for pair in forms]
    folded = [pair[1] for pair in forms if pair[1] != pair[0]]
    counts = Counter(exact)
    counts.update(folded)
    return counts, len(exact) + len(folded)


def pair_terms(segments: Sequence[Forms]) -> tuple[list[str], list[int]]:
    """Every pair term of the field segments and its position, as PairTokenizer numbers them
    (a segment's exact pairs, then those of its folded pairs that differ).

    The terms are made with map() rather than in a Python loop a position: a page has about
    a thousand of them, and the export analyses every page of both languages.
    """
    terms: list[str] = []
    positions: list[int] = []
    base = 0
    for forms in segments:
        if len(forms) > 1:
            exact, folded = zip(*forms, strict=True)
            exact_pairs = list(map(add, map(add, exact, repeat(PAIR_SEPARATOR)), exact[1:]))
            folded_pairs = list(map(add, map(add, folded, repeat(PAIR_SEPARATOR)), folded[1:]))
            where = range(base, base + len(forms) - 1)
            terms += exact_pairs
            positions += where
            marked = list(map(ne, exact_pairs, folded_pairs))
            terms += compress(folded_pairs, marked)
            positions += compress(where, marked)
        base += len(forms) + FIELD_GAP
    return terms, positions


def line_size(numbers_chars: int, terms: int, term_chars: int) -> int:
    """The estimated JSON size of posting lines (document numbers included: a term is
    written once for about two pages), from the length of their numbers in decimal, their
    number and the length of their terms (shard counts are chosen from these sums)."""
    return numbers_chars + 4 * terms + term_chars // 2


def grouped_lines(lines: dict[str, str]) -> tuple[str, ...]:
    """Posting lines by partition, from term -> the rest of its line (from the tab on).

    A term is made of letters, digits and spaces only (WORD), so it needs no JSON escaping.
    """
    groups: list[list[str]] = [[] for _ in range(PARTITIONS)]
    mask = PARTITIONS - 1
    for crc, term, rest in zip(partition_hashes(lines), lines, lines.values(), strict=True):
        groups[crc & mask].append(term + rest)
    return tuple(map("".join, groups))


def partition_hashes(terms: Iterable[str]) -> Iterator[int]:
    """crc32 of each term's UTF-8 (its partition is the hash mod PARTITIONS)."""
    return map(crc32, map(str.encode, terms))


def word_lines(counts: Sequence[Counter[str]]) -> tuple[tuple[str, ...], int]:
    """The word posting lines of a document and their estimated JSON size, from the counts
    of its fields in TEXT_FIELDS order (title, tags, summary, body): ``body count``, or
    ``!<TAB>body,title,tags,summary counts`` for a word of the title, tags or summary."""
    title, tags, summary, body = counts
    ends = LINE_ENDS.upto(max(body.values(), default=0))
    lines = dict(zip(body, map(ends.plain.__getitem__, body.values()), strict=True))
    numbers_chars = sum(map(ends.chars.__getitem__, body.values()))
    for term in title.keys() | tags.keys() | summary.keys():
        numbers = (body.get(term, 0), title.get(term, 0), tags.get(term, 0), summary.get(term, 0))
        numbers_chars += len(",".join(map(str, numbers))) - (
            ends.chars[numbers[0]] if term in body else 0
        )
        lines[term] = "\t!\t" + "".join(map(number_code, numbers)) + "\n"
    return grouped_lines(lines), line_size(numbers_chars, len(lines), sum(map(len, lines)))


def pair_lines(terms: list[str], positions: list[int]) -> tuple[tuple[str, ...], int]:
    """The pair posting lines of a document and their estimated JSON size, from pair_terms.

    Most pairs occur once in a page: their line is the term and LINE_ENDS.plain[position];
    only the terms that repeat have their positions gathered.
    """
    largest = max(positions, default=0)
    ends = LINE_ENDS.upto(largest)
    # Every term's line as if it occurred once (at its last position); repeated ones redone.
    lines = dict(zip(terms, map(ends.plain.__getitem__, positions), strict=True))
    distinct, term_chars = len(lines), sum(map(len, lines))
    numbers_chars = 2 * distinct + sum(map(ends.chars.__getitem__, positions))  # "1,p" each
    if distinct < len(terms):
        code = CODE.upto(largest)  # counts and position deltas are at most the positions
        counts = Counter(terms)
        repeated = {term: [] for term in compress(counts, map(lt, repeat(1), counts.values()))}
        for term, position in compress(
            zip(terms, positions, strict=True), map(repeated.__contains__, terms)
        ):
            repeated[term].append(position)
        for term, where in repeated.items():
            where.sort()
            deltas = [where[0], *map(sub, where[1:], where)]
            numbers_chars += len(",".join(map(str, [len(where), *deltas])))
            numbers_chars -= 2 + sum(map(ends.chars.__getitem__, where))  # counted as once
            lines[term] = f"\t{code[len(where)]}\t{''.join(map(code.__getitem__, deltas))}\n"
    return grouped_lines(lines), line_size(numbers_chars, distinct, term_chars)


def document_terms(document: SearchDocument, snippet: str, lang: str) -> DocumentTerms:
    """The terms of ``document`` in the index of ``lang`` (see SearchDocument.fields)."""
    texts = [getattr(document, name) for name in TEXT_FIELDS]
    forms = {name: word_forms_of(text, lang) for name, text in zip(TEXT_FIELDS, texts, strict=True)}
    counted = [field_counts(forms[name]) for name in TEXT_FIELDS]
    if any(FIELD_BREAK in text for text in texts):  # a field holds the separator: as Whoosh
        joined = FIELD_BREAK.join((document.title, document.tags, document.summary, document.body))
        segments = [word_forms_of(part, lang) for part in joined.split(FIELD_BREAK)]
    else:
        segments = [forms["title"], forms["tags"], forms["summary"], forms["body"]]
    terms, positions = pair_terms(segments)
    pair_groups, pair_size = pair_lines(terms, positions)
    word_groups, word_size = word_lines([counts for counts, _ in counted])
    lengths = tuple(length for _, length in counted)
    return DocumentTerms(
        lengths, word_groups, word_size, pair_groups, len(terms), pair_size, snippet
    )


class TermsCache:
    """DocumentTerms by page source, on disk (or only in memory without a cache folder)."""

    def __init__(self, cache_dir: Path | None) -> None:
        # Everything a document's terms depend on besides its page: the export's layout
        # includes it too, so a renderer upgrade (python-markdown, nh3) re-exports the index.
        self.version = hash_text(INDEX_VERSION, sys.version, code_version(), renderer_version())
        self.disk = DiskCache(cache_dir, "search-terms", self.version) if cache_dir else None

    @staticmethod
    def key(entry: Entry, lang: str, site: ContentSet) -> str:
        page = entry.version(lang)
        tag_names = [site.tags.get(tag, {}).get(lang, tag) for tag in page.tags]
        # The file's digest, not its body: a page from the content cache reads its body only
        # when asked, and a build asks only for the bodies of pages it analyses.
        return hash_text(lang, page.lang, page.digest, *tag_names)

    def terms(
        self,
        entry: Entry,
        lang: str,
        site: ContentSet,
        renderer: Renderer,
        snippet_of: Callable[[str, str], str],
        url_prefix: str = "",
    ) -> DocumentTerms:
        """The cached terms of ``entry`` in ``lang``, or freshly analysed (and stored); a body
        is rendered with ``url_prefix`` (see make_document)."""
        key = self.key(entry, lang, site)
        found = self.stored(key)
        if found is not None:
            return found
        document = make_document(entry, lang, site, renderer, url_prefix)
        with collection_paused():  # many small objects, all freed (no cycles) when it ends
            terms = document_terms(document, snippet_of(document.summary, document.body), lang)
        if self.disk is not None:
            self.disk.put(key, terms.dumps())
        return terms

    def stored(self, key: str) -> DocumentTerms | None:
        """The terms cached under ``key`` (see ``key``), if any and intact."""
        payload = self.disk.get(key) if self.disk is not None else None
        return DocumentTerms.loads(payload) if payload is not None else None
