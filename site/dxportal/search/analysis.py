"""The one text analysis used by the index, the query parser, the snippets and the JS client.

A word is a run of letters and digits in NFC text. Each word gives one position with up to two
forms: the exact form (lowercase, tone mark placed canonically) and the folded form (every mark
removed, ``đ`` → ``d``). A query word typed with marks is looked up by its exact form, one typed
without marks by its folded form, so ``chuyen`` finds "chuyển" while ``chuyển`` finds only it.

static/js/search.js implements the same steps; tests/search_vectors.json holds the cases both
must agree on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from whoosh.analysis import Token, Tokenizer

WORD = re.compile(r"[^\W_]+")
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
# Old-style placement puts the tone on the last vowel of a final "oa", "oe", "uy" (hoà, khoẻ,
# thuý); the canonical one puts it on the first (hòa, khỏe, thúy). After "q" the "u" belongs to
# the consonant, so "quý" keeps its mark on the "y".
_OLD_STYLE_SOURCE = {"o": "ae", "u": "y"}
_TONED = {
    unicodedata.normalize("NFC", base + mark): (base, mark) for base in "aey" for mark in TONE_MARKS
}
OLD_STYLE = re.compile(r"(?<![q])([ou])([" + "".join(_TONED) + r"])$")
FIELD_BREAK = "\u2029"  # separates title, summary and body in the pairs field
FIELD_GAP = 2  # positions skipped at a field break, so no pair spans two fields
PAIR_SEPARATOR = " "


def canonical_tone(word: str) -> str:
    """Move an old-style tone mark (hoà, thuý) to its canonical vowel (hòa, thúy)."""
    match = OLD_STYLE.search(word)
    if not match:
        return word
    first, toned = match.groups()
    base, mark = _TONED[toned]
    if base not in _OLD_STYLE_SOURCE[first]:
        return word
    moved = unicodedata.normalize("NFC", first + mark) + base
    return word[: match.start()] + moved


def fold(word: str) -> str:
    """Remove every mark; map đ to d (NFD alone leaves đ as it is)."""
    decomposed = unicodedata.normalize("NFD", word)
    bare = "".join(c for c in decomposed if unicodedata.category(c)[0] != "M")
    return bare.replace("đ", "d").replace("Đ", "D")


def stem_english(word: str) -> str:
    """A light English stemmer (Harman's S-stemmer): plurals to singular, nothing else."""
    if len(word) > 3 and word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    return word


def normalize_text(text: str) -> str:
    """NFC, so decomposed accents read as one letter."""
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class Word:
    """One word of a text: its exact and folded forms and where it is in the NFC text."""

    exact: str
    folded: str
    start: int
    end: int

    @property
    def marked(self) -> bool:
        return self.exact != self.folded

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.exact, self.folded) if self.marked else (self.exact,)

    @property
    def term(self) -> str:
        """The form a query looks up: exact if typed with marks, else folded."""
        return self.exact


@lru_cache(maxsize=65536)
def word_forms(raw: str, lang: str) -> tuple[str, str]:
    """(exact, folded) of one word as written; cached, as texts repeat their words."""
    exact = canonical_tone(unicodedata.normalize("NFC", raw.lower()))
    if lang == "en":
        exact = stem_english(exact)
    return exact, fold(exact)


def split_words(text: str, lang: str = "vi") -> list[Word]:
    """The words of ``text`` (normalised to NFC first; offsets are into the NFC text)."""
    text = normalize_text(text)
    return [Word(*word_forms(m.group(), lang), m.start(), m.end()) for m in WORD.finditer(text)]


def analyze(text: str, lang: str = "vi") -> list[list[str]]:
    """The forms at each position: [[exact, folded], [exact], ...]; the shared test vectors."""
    return [list(w.forms) for w in split_words(text, lang)]


def pair_term(first: str, second: str) -> str:
    return first + PAIR_SEPARATOR + second


def pair_forms(first: Word, second: Word) -> tuple[str, ...]:
    """The pair terms of two adjacent words: exact and folded (one if they are the same)."""
    exact = pair_term(first.exact, second.exact)
    folded = pair_term(first.folded, second.folded)
    return (exact, folded) if exact != folded else (exact,)


def iter_pairs(text: str, lang: str) -> Iterator[tuple[int, str]]:
    """(position, pair term) of adjacent words; fields split by FIELD_BREAK never pair up."""
    position = 0
    for segment in text.split(FIELD_BREAK):
        words = split_words(segment, lang)
        for offset, (first, second) in enumerate(zip(words, words[1:], strict=False)):
            for form in pair_forms(first, second):
                yield position + offset, form
        position += len(words) + FIELD_GAP


class LanguageTokenizer(Tokenizer):
    """A Whoosh tokenizer for one language: subclasses say which terms stand where."""

    def __init__(self, lang: str = "vi"):
        self.lang = lang

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.lang == self.lang

    def terms(self, value: str) -> Iterator[tuple[str, int, int, int]]:
        """(term, position, start char, end char) of every token of ``value``."""
        raise NotImplementedError

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):  # fmt: skip
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for form, position, start, end in self.terms(value) if tokenize else ():
            token.text = form
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = form
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


class WordTokenizer(LanguageTokenizer):
    """Whoosh tokenizer: every word at one position, exact form then folded form."""

    def terms(self, value: str) -> Iterator[tuple[str, int, int, int]]:
        for index, word in enumerate(split_words(value, self.lang)):
            for form in word.forms:
                yield form, index, word.start, word.end


class PairTokenizer(LanguageTokenizer):
    """Whoosh tokenizer for the pairs field: adjacent words as one term, at the first's place."""

    def terms(self, value: str) -> Iterator[tuple[str, int, int, int]]:
        for position, form in iter_pairs(value, self.lang):
            yield form, position, 0, 0
