"""Snippets: the passage of a text with the most query words, matches in <mark>, escaped."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from .analysis import Word, normalize_text, split_words

SNIPPET_WORDS = 28
ELLIPSIS = "…"
SPACES = re.compile(r"\s+")


def word_matches(word: Word, marked: set[str], unmarked: set[str]) -> bool:
    """A query word with marks matches its exact form; one without marks, any folded form."""
    return word.exact in marked or word.folded in unmarked


def query_sets(query_words: list[Word]) -> tuple[set[str], set[str]]:
    marked = {w.exact for w in query_words if w.marked}
    unmarked = {w.exact for w in query_words if not w.marked}
    return marked, unmarked


def make_snippet(text: str, query_words: list[Word], lang: str) -> Markup:
    """The best window of SNIPPET_WORDS words, each matching word in <mark>; HTML-escaped."""
    text = normalize_text(text)
    words = split_words(text, lang)
    if not words:
        return Markup("")
    marked, unmarked = query_sets(query_words)
    hits = [word_matches(w, marked, unmarked) for w in words]
    start = best_window(hits, SNIPPET_WORDS)
    shown = words[start : start + SNIPPET_WORDS]
    end = start + len(shown)
    html = [ELLIPSIS if start > 0 else ""]
    cursor = shown[0].start
    for word, hit in zip(shown, hits[start:end], strict=True):
        html.append(escape(SPACES.sub(" ", text[cursor : word.start])))
        piece = escape(text[word.start : word.end])
        html.append(Markup("<mark>%s</mark>") % piece if hit else piece)
        cursor = word.end
    html.append(ELLIPSIS if end < len(words) else escape(SPACES.sub(" ", text[cursor:])))
    return Markup("".join(str(part) for part in html).strip())


def best_window(hits: list[bool], size: int) -> int:
    """Start of the first window of ``size`` words with the most hits (0 if none match)."""
    if len(hits) <= size:
        return 0
    best = 0
    best_count = count = sum(hits[:size])
    for start in range(1, len(hits) - size + 1):
        count += hits[start + size - 1] - hits[start - 1]
        if count > best_count:
            best, best_count = start, count
    return best
