"""Snippets: the passage of a text with the most query words, matches in <mark>, escaped."""

from __future__ import annotations

import re
import sys
from array import array
from bisect import bisect_left
from dataclasses import dataclass

from markupsafe import Markup, escape

from dxportal.search.analysis import WORD, Word, normalize_text, word_forms

SNIPPET_WORDS = 28
ELLIPSIS = "…"
SPACES = re.compile(r"\s+")


def query_sets(query_words: list[Word]) -> tuple[set[str], set[str]]:
    marked = {w.exact for w in query_words if w.marked}
    unmarked = {w.exact for w in query_words if not w.marked}
    return marked, unmarked


@dataclass(frozen=True)
class SnippetSource:
    """A text split into words once (as split_words splits it), for many snippets.

    ``words`` holds each word as written (interned: a text repeats its words), ``starts`` and
    ``ends`` its offsets in ``text`` (NFC).
    """

    text: str
    words: tuple[str, ...]
    distinct: frozenset[str]
    starts: array
    ends: array

    @classmethod
    def of(cls, text: str) -> SnippetSource:
        text = normalize_text(text)
        words, starts, ends = [], array("I"), array("I")
        for match in WORD.finditer(text):
            words.append(sys.intern(match.group()))
            starts.append(match.start())
            ends.append(match.end())
        return cls(text, tuple(words), frozenset(words), starts, ends)


def make_snippet(text: str | SnippetSource, query_words: list[Word], lang: str) -> Markup:
    """The best window of SNIPPET_WORDS words, each matching word in <mark>; HTML-escaped."""
    source = text if isinstance(text, SnippetSource) else SnippetSource.of(text)
    if not source.words:
        return Markup("")
    marked, unmarked = query_sets(query_words)
    matching = set()
    for raw in source.distinct:
        exact, folded = word_forms(raw, lang)
        if exact in marked or folded in unmarked:
            matching.add(raw)
    hits = [index for index, raw in enumerate(source.words) if raw in matching] if matching else []
    start = best_window(hits, len(source.words), SNIPPET_WORDS)
    end = min(start + SNIPPET_WORDS, len(source.words))
    shown = set(hits[bisect_left(hits, start) : bisect_left(hits, end)])
    body = source.text
    # Escaping runs of text at once gives the same HTML as escaping each word and gap.
    html = [ELLIPSIS if start > 0 else ""]
    run = source.starts[start]
    for index in sorted(shown):
        word_start, word_end = source.starts[index], source.ends[index]
        html.append(str(escape(SPACES.sub(" ", body[run:word_start]))))
        html.append(f"<mark>{escape(body[word_start:word_end])}</mark>")
        run = word_end
    cursor = source.ends[end - 1]
    html.append(str(escape(SPACES.sub(" ", body[run:cursor]))))
    html.append(ELLIPSIS if end < len(source.words) else escape(SPACES.sub(" ", body[cursor:])))
    return Markup("".join(str(part) for part in html).strip())


def best_window(hits: list[int], count: int, size: int) -> int:
    """Start of the first window of ``size`` of ``count`` words with the most of the ``hits``
    (sorted word numbers); 0 if there are none.

    Only a window that begins just after a hit left it and ends on a hit can count more than
    the one before it, so those starts (and 0) are the only candidates.
    """
    if count <= size:
        return 0
    best, best_count = 0, bisect_left(hits, size)
    for hit in hits:
        start = hit - size + 1
        if start <= 0:
            continue
        found = bisect_left(hits, start + size) - bisect_left(hits, start)
        if found > best_count:
            best, best_count = start, found
    return best
