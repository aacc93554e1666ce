"""The fields of the preview's index: words with their positions, and the pairs' lengths.

Whoosh indexes a field by running its analyzer, one Token object per word and form through a
chain of generators, and then groups them by term. Each field here computes the same
``(term, frequency, weight, value)`` tuples straight from the words (analysis.split_words,
each text split once and kept for the next field that needs it: the pairs field reads the
same texts again, joined):

- ``WordField``: each form of each word with its positions (CompactPositions), positions
  skipping FIELD_GAP at a FIELD_BREAK as ``iter_pairs`` does, so that two words stand next to
  each other exactly where the pairs field had a pair (pairs.py reads them);
- ``PairLengthField``: the pairs field without its terms: each page's number of pair terms as
  the weight of one term, LENGTH_TERM, so that Whoosh keeps each page's length in the field
  and their total, as it did when the field held every pair.

Their class names are pickled into the index's schema: part of the format (INDEX_VERSION).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from whoosh.fields import TEXT
from whoosh.system import pack_uint

from dxportal.search.analysis import FIELD_BREAK, FIELD_GAP, Word, WordTokenizer, split_words
from dxportal.search.preview.codec import CompactPositions

LENGTH_TERM = "#"  # the one term of the pairs field (a word term never holds "#")


@lru_cache(maxsize=16)
def cached_words(text: str, lang: str) -> tuple[Word, ...]:
    """split_words of a text the last few fields indexed (the pairs field repeats them)."""
    return tuple(split_words(text, lang))


def segment_words(value: str, lang: str) -> Iterator[tuple[int, int, tuple[Word, ...]]]:
    """(first position, first character, words) of each part of ``value`` between two
    FIELD_BREAKs, positions skipping FIELD_GAP at each break (as analysis.iter_pairs)."""
    position = start = 0
    for segment in value.split(FIELD_BREAK):
        words = cached_words(segment, lang)
        yield position, start, words
        position += len(words) + FIELD_GAP
        start += len(segment) + len(FIELD_BREAK)


class PositionedWordTokenizer(WordTokenizer):
    """WordTokenizer with WordField's positions (Whoosh's own way to the same postings)."""

    def terms(self, value: str):
        for position, start, words in segment_words(value, self.lang):
            for index, word in enumerate(words):
                for form in word.forms:
                    yield form, position + index, start + word.start, start + word.end


class WordField(TEXT):
    """A text field of words with their positions, indexed without Token objects."""

    def __init__(self, lang: str) -> None:
        super().__init__(analyzer=PositionedWordTokenizer(lang), phrase=True)
        self.format = CompactPositions(field_boost=self.format.field_boost)
        self.lang = lang

    def index(self, value, **kwargs):
        """What Positions.word_values gives through the analyzer (tests compare them)."""
        if not isinstance(value, str):
            return super().index(value, **kwargs)
        positions: dict[str, list[int]] = {}
        for first, _, words in segment_words(value, self.lang):
            for index, word in enumerate(words, first):
                for form in word.forms:
                    found = positions.get(form)
                    if found is None:
                        positions[form] = [index]
                    else:
                        found.append(index)
        boost, encode = self.format.field_boost, self.format.encode
        return [
            (form.encode("utf-8"), len(found), float(len(found)) * boost, encode(found))
            for form, found in positions.items()
        ]


def pair_count(value: str, lang: str) -> int:
    """How many pair terms analysis.iter_pairs gives for ``value``: each pair of adjacent
    words once, twice when either carries marks (an exact and a folded form)."""
    count = 0
    for _, _, words in segment_words(value, lang):
        marked = [word.marked for word in words]
        count += len(marked) - 1 + sum(a or b for a, b in zip(marked, marked[1:], strict=False))
        count += not marked  # an empty part: no pair (len - 1 was -1)
    return count


class PairLengthField(TEXT):
    """The pairs field: only each page's number of pair terms (LENGTH_TERM's weight)."""

    def __init__(self, lang: str) -> None:
        super().__init__(analyzer=WordTokenizer(lang), phrase=False)
        self.lang = lang

    def index(self, value, **kwargs):
        count = pair_count(value, self.lang)
        if not count:
            return []
        weight = count * self.format.field_boost
        return [(LENGTH_TERM.encode(), count, weight, pack_uint(count))]  # as Frequency
