"""Visitor queries: parsed without ever failing, then turned into a Whoosh query.

Every word is required (in any text field). Quoted words must also be adjacent, in order, in
one field. Adjacent unquoted words add the score of their pair term, so pages where they
stand together rank above pages where they are scattered. static/js/search.js scores the
same way from the exported weights. The preview's index holds no pair terms: a PairTerm finds
a pair's pages and counts from the positions of its two words (pairs.py).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from whoosh import query as wq

from dxportal.search.analysis import Word, pair_forms, split_words
from dxportal.search.documents import FIELD_BOOSTS, TEXT_FIELDS
from dxportal.search.preview.pairs import PairPhrase, PairTerm
from dxportal.search.preview.ranking import FieldsOr

MAX_QUERY_CHARS = 200
MAX_WORDS = 12


@dataclass
class ParsedQuery:
    """The words a query requires, its quoted phrases and the adjacent unquoted pairs."""

    text: str
    words: list[Word] = field(default_factory=list)
    phrases: list[list[Word]] = field(default_factory=list)
    loose_pairs: list[tuple[Word, Word]] = field(default_factory=list)

    @property
    def terms(self) -> list[str]:
        """The distinct word terms, in query order."""
        return list(dict.fromkeys(w.term for w in self.words))

    @property
    def is_empty(self) -> bool:
        return not self.words


def clean_query(raw: str | None) -> str:
    """NFC, control and format characters removed, spaces collapsed, length capped."""
    text = unicodedata.normalize("NFC", raw or "")
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in text)
    return " ".join(text.split())[:MAX_QUERY_CHARS]


def parse_query(raw: str | None, lang: str) -> ParsedQuery:
    """Split on double quotes: odd segments are phrases (an unclosed quote runs to the end)."""
    text = clean_query(raw)
    parsed = ParsedQuery(text)
    for index, segment in enumerate(text.replace("“", '"').replace("”", '"').split('"')):
        room = MAX_WORDS - len(parsed.words)
        words = split_words(segment, lang)[:room]
        if not words:
            continue
        parsed.words.extend(words)
        if index % 2 == 1 and len(words) > 1:
            parsed.phrases.append(words)
        elif index % 2 == 0:
            parsed.loose_pairs.extend(zip(words, words[1:], strict=False))
    return parsed


def pair_query_term(first: Word, second: Word) -> str:
    """The pair term a query looks up: exact if both words carry marks, folded otherwise."""
    forms = pair_forms(first, second)
    if first.marked and second.marked:
        return forms[0]
    return forms[-1]


def phrase_pair_terms(phrase: list[Word]) -> list[str]:
    return [pair_query_term(a, b) for a, b in zip(phrase, phrase[1:], strict=False)]


def word_query(term: str, union: type[wq.Or] = wq.Or) -> wq.Query:
    return union([wq.Term(name, term, boost=FIELD_BOOSTS[name]) for name in TEXT_FIELDS])


def build_query(parsed: ParsedQuery) -> wq.Query:
    """Whoosh query: words AND phrase pairs (scored), phrase order (filter), loose pairs (bonus)."""
    scored, phrase_filter = build_search(parsed, wq.Or)
    if phrase_filter is None:
        return scored
    return wq.Require(scored, phrase_filter)


def build_search(
    parsed: ParsedQuery, union: type[wq.Or] = FieldsOr
) -> tuple[wq.Query, wq.Query | None]:
    """The scored query and the phrase-order filter (or None): the same hits and scores as
    build_query's ``Require(scored, filter)``, as a filter scores nothing.

    Each word is a ``union`` of its fields: FieldsOr (ranking.py) gives Whoosh's scores while
    scoring only documents that match the whole query; ``wq.Or`` is Whoosh's own form. The
    filter is kept apart because Whoosh 2.7's RequireMatcher breaks a top-N search: its
    skip_to_quality asks its intersection for the next document while both sides are still on
    the same one (AssertionError in IntersectionMatcher._find_next).
    """
    required: list[wq.Query] = [word_query(term, union) for term in parsed.terms]
    phrase_pairs: list[str] = []
    filters: list[wq.Query] = []
    for phrase in parsed.phrases:
        pairs = phrase_pair_terms(phrase)
        phrase_pairs.extend(pairs)
        if len(pairs) > 1:
            filters.append(PairPhrase(pairs))
    required.extend(PairTerm(p) for p in dict.fromkeys(phrase_pairs))
    scored: wq.Query = wq.And(required)
    bonus = [p for p in loose_pair_terms(parsed) if p not in phrase_pairs]
    if bonus:
        scored = wq.AndMaybe(scored, union([PairTerm(p) for p in bonus]))
    return scored, wq.And(filters) if filters else None


def loose_pair_terms(parsed: ParsedQuery) -> list[str]:
    return list(dict.fromkeys(pair_query_term(a, b) for a, b in parsed.loose_pairs))
