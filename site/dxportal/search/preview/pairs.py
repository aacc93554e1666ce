"""Word pairs scored from the positions of the word fields, not from a field of pair terms.

The shared scoring (query.py, and static/js/search.js from the static export) adds the score
of each pair of adjacent query words, as if the index held a "pairs" field: every adjacent
pair of a page's words (title, tags, summary, body; never across two fields) as one term, in
its exact and its folded form. Written out, those terms were 80% of the preview's index and
of the time spent writing it. Here the index keeps only what scoring needs of that field:

- each page's *length* in it (the number of pair terms it would hold), as the weight of one
  term, LENGTH_TERM, so that Whoosh keeps the lengths and their total as for any field;
- the words' positions in the word fields (CompactPositions), from which a pair's postings
  are found at query time: the pages holding both words in one field, where the second
  stands right after the first. A pair typed with marks on both words is looked up in the
  words' exact forms, any other in their folded forms (query.pair_query_term), which is
  what the pair term matched.

``PairTerm`` then scores a pair as a Term of the pairs field would: the same counts, the same
document frequency (``estimate_size`` and idf count deleted pages as Whoosh does) and Whoosh's
own scorer. A pair's postings are computed once per segment reader (cached while it is open).
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from dataclasses import dataclass
from itertools import accumulate
from math import log

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import ListMatcher, NullMatcher
from whoosh.matching.wrappers import FilterMatcher, WrappingMatcher

from dxportal.search.analysis import PAIR_SEPARATOR
from dxportal.search.documents import PAIRS_FIELD, TEXT_FIELDS
from dxportal.search.preview.codec import read_varints
from dxportal.search.preview.fields import LENGTH_TERM

CACHED_PAIRS = 256  # pairs whose postings each open segment keeps

# segment reader -> pair -> its PairPostings
_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
Occurrences = dict[int, dict[str, list[int]]]


def decode_positions(value: bytes) -> list[int]:
    """CompactPositions' positions (a count, then gaps): one C call when every gap is < 128."""
    gaps = list(value) if value.isascii() else read_varints(value)
    return list(accumulate(gaps[1:]))


def term_postings(reader, fieldname: str, term: str) -> dict[int, bytes]:
    """Document -> encoded positions of ``term`` in ``fieldname`` of a segment reader, deleted
    documents included."""
    if (fieldname, term) not in reader:
        return {}
    matcher = reader.postings(fieldname, term)
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child  # deleted documents too: Whoosh's statistics count them
    found: dict[int, bytes] = {}
    if type(matcher) is W3LeafMatcher:
        while matcher.is_active():  # a block at a time
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._values is None:
                matcher._read_values()
            start = matcher._i
            found.update(zip(matcher._ids[start:], matcher._values[start:], strict=True))
            matcher._i = matcher._blocklength - 1
            matcher.next()
        return found
    while matcher.is_active():
        found[matcher.id()] = matcher.value()
        matcher.next()
    return found


@dataclass
class PairPostings:
    """A pair in one segment: where it stands in each document (deleted ones too), and its
    documents not deleted (sorted) with its count in each (the weight of a pair term)."""

    where: Occurrences
    ids: list[int]
    weights: list[float]


def pair_postings(reader, pair: str) -> PairPostings:
    """The postings of ``pair`` ("first second") in a segment reader (kept while it is open:
    a reader's deleted documents do not change)."""
    by_pair = _cache.setdefault(reader, OrderedDict())
    found = by_pair.get(pair)
    if found is not None:
        by_pair.move_to_end(pair)
        return found
    first, second = pair.split(PAIR_SEPARATOR)
    where: Occurrences = {}
    for fieldname in TEXT_FIELDS:
        firsts = term_postings(reader, fieldname, first)
        seconds = term_postings(reader, fieldname, second) if firsts else {}
        for doc in firsts.keys() & seconds.keys():
            after = set(decode_positions(seconds[doc]))
            starts = [p for p in decode_positions(firsts[doc]) if p + 1 in after]
            if starts:
                where.setdefault(doc, {})[fieldname] = starts
    deleted = reader.deleted_docs_set if reader.has_deletions() else ()
    ids = [doc for doc in sorted(where) if doc not in deleted]
    weights = [float(sum(map(len, where[doc].values()))) for doc in ids]
    found = by_pair[pair] = PairPostings(where, ids, weights)
    while len(by_pair) > CACHED_PAIRS:
        by_pair.popitem(last=False)
    return found


def leaf_postings(reader, pair: str) -> list[tuple[PairPostings, int]]:
    """(postings, offset) of ``pair`` in each segment of ``reader``."""
    if reader.is_atomic():
        return [(pair_postings(reader, pair), 0)]
    return [(pair_postings(leaf, pair), offset) for leaf, offset in reader.leaf_readers()]


class PairMatcher(ListMatcher):
    """A ListMatcher whose block length bounds come from its documents' field lengths."""

    def __init__(self, ids, weights, scorer, lengths: tuple[int, int]) -> None:
        super().__init__(ids, weights, scorer=scorer)
        self._lengths = lengths

    def copy(self) -> PairMatcher:
        copied = PairMatcher(self._ids, self._weights, self._scorer, self._lengths)
        copied._i = self._i
        return copied

    def block_min_length(self) -> int:
        return self._lengths[0]

    def block_max_length(self) -> int:
        return self._lengths[1]


class PairTerm(wq.Term):
    """A term of the pairs field ("first second"), matched and scored from word positions."""

    def __init__(self, pair: str, boost: float = 1.0) -> None:
        super().__init__(PAIRS_FIELD, pair, boost=boost)

    def estimate_size(self, ixreader) -> int:
        """Whoosh's document frequency of the term: deleted documents included."""
        return sum(len(found.where) for found, _ in leaf_postings(ixreader, self.text))

    def matcher(self, searcher, context=None):
        found = leaf_postings(searcher.reader(), self.text)
        if not any(postings.where for postings, _ in found):
            return NullMatcher()  # as a Term not in the segment
        if len(found) == 1 and not found[0][1]:
            ids, weights = found[0][0].ids, found[0][0].weights
        else:
            ids = [offset + doc for postings, offset in found for doc in postings.ids]
            weights = [weight for postings, _ in found for weight in postings.weights]
        weighting = context.weighting if context is not None else searcher.weighting
        if weighting is None:
            return ListMatcher(ids, weights)
        scorer = self.scorer(searcher, weighting)
        lengths = [scorer.dfl(doc) for doc in ids] or [0]
        if ids:
            scorer._maxquality = scorer._score(max(weights), min(lengths))
        matcher = PairMatcher(ids, weights, scorer, (min(lengths), max(lengths)))
        if self.boost != 1.0:
            return WrappingMatcher(matcher, boost=self.boost)
        return matcher

    def scorer(self, searcher, weighting):
        """The weighting's scorer of the pairs field, with this pair's statistics: a scorer
        of LENGTH_TERM (in every document with a pair) has the field's B, K1, lengths and
        average, and then this pair's idf."""
        parent = searcher.get_parent()
        scorer = weighting.scorer(searcher, PAIRS_FIELD, LENGTH_TERM)
        everywhere = leaf_postings(parent.reader(), self.text)
        df_all = sum(len(postings.where) for postings, _ in everywhere)
        idf_of = getattr(weighting, "pair_idf", None)
        if idf_of is not None:
            df_live = sum(len(postings.ids) for postings, _ in everywhere)
            scorer.idf = idf_of(parent, PAIRS_FIELD, df_all, df_live)
        else:  # WeightingModel.idf
            scorer.idf = log(parent.doc_count_all() / (df_all + 1)) + 1
        return scorer


class PairPhrase(wq.Query):
    """Documents where ``pairs`` follow each other in one field (a quoted phrase's pairs,
    as Whoosh's Phrase over the pairs field matched them); a filter: it scores nothing."""

    def __init__(self, pairs: list[str]) -> None:
        self.pairs = list(pairs)
        self.boost = 1.0

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.pairs == self.pairs

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(self.pairs)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.pairs!r})"

    def is_leaf(self) -> bool:
        return True

    def estimate_size(self, ixreader) -> int:
        return min(PairTerm(pair).estimate_size(ixreader) for pair in self.pairs)

    def matcher(self, searcher, context=None):
        per_pair = [leaf_postings(searcher.reader(), pair) for pair in self.pairs]
        ids = []
        for segment, (first, offset) in enumerate(per_pair[0]):
            rest = [found[segment][0].where for found in per_pair[1:]]
            for doc in first.ids:  # not deleted
                if all(doc in where for where in rest) and phrase_in(doc, first.where, rest):
                    ids.append(offset + doc)
        return ListMatcher(ids) if ids else NullMatcher()


def phrase_in(doc: int, first: Occurrences, rest: list[Occurrences]) -> bool:
    """Whether, in one field of ``doc``, each pair of ``rest`` starts one word after the
    previous pair."""
    for fieldname, starts in first[doc].items():
        later = [set(found[doc].get(fieldname, ())) for found in rest]
        if any(all(p + 1 + k in s for k, s in enumerate(later)) for p in starts):
            return True
    return False
