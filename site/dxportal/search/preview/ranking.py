"""Ranking for the preview: exactly Whoosh's BM25F scores and order, computed faster.

Whoosh scores an ``Or`` of up to 5,000 documents by reading every posting of every field into
an array (ArrayUnionMatcher) through a chain of Python calls per posting, and its top-N
collector re-plans the matcher tree every ten documents and skips by block quality, which is
not exact for these queries (an array union reports the largest of its fields' maximum scores
as its maximum, not their sum). Here:

- ``FieldsOr`` is the Or of one word over its fields. Where Whoosh would use the array union,
  it adds up each document's field scores the same way (0.0, then each field in order) but
  reads the postings a block at a time (or the list inlined in the term dictionary) and
  scores them with the scorer's own formula, without a chain of matcher calls per posting,
  and then moves by bisection: every score is the same float, computed several times faster.
- ``FieldLengthBM25F`` is BM25F reading field lengths from a list loaded once per searcher
  instead of from the index file for each posting: the same numbers go into the same formula.
  After an incremental update it also leaves deleted documents out of the statistics.
- ``collect_hits`` walks the matcher once, filtered, and returns every hit with its score.
"""

from __future__ import annotations

from bisect import bisect_left
from math import log

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import mcore
from whoosh.matching.mcore import ListMatcher
from whoosh.matching.wrappers import WrappingMatcher
from whoosh.scoring import BM25F, BM25FScorer, WeightLengthScorer, WeightScorer
from whoosh.searching import Searcher

ARRAY_UNION_DOC_LIMIT = 5000  # Or uses the array union up to this many documents (Whoosh 2.7)


class FieldsOr(wq.Or):
    """``wq.Or`` with the same scores, summed faster where Whoosh would use its array union."""

    def _matcher(self, subs, searcher, context):
        needs_current = context.needs_current if context else True
        if (
            self.matcher_type != self.AUTO_MATCHER
            or context is None
            or context.weighting is None
            or len(subs) >= self.TOO_MANY_CLAUSES
            or needs_current
            or self.scale
            or len(subs) == 2
            or searcher.doc_count_all() > ARRAY_UNION_DOC_LIMIT
        ):
            return super()._matcher(subs, searcher, context)
        return SummedMatcher([q.matcher(searcher, context) for q in subs], self.boost)


def posting_scores(matcher) -> list[tuple[int, float]]:
    """(document, score) of every posting ``matcher`` (a sub-matcher of an Or) gives, each
    score what ``matcher.score()`` gives on that document.

    A term's matcher in this index (Whoosh 2.7's W3LeafMatcher, possibly in a boosting
    WrappingMatcher) is read a block at a time, with its scorer's own formula; any other
    is walked with next().
    """
    leaf, boost = matcher, None
    if type(matcher) is WrappingMatcher:
        leaf, boost = matcher.child, matcher.boost
    if isinstance(leaf, ListMatcher):  # inlined in the term dictionary (codec.py), or a pair
        listed = listed_scores(leaf)
        if listed is not None:
            return listed if boost is None else [(doc, score * boost) for doc, score in listed]
    scorer = getattr(leaf, "scorer", None)
    if type(leaf) is not W3LeafMatcher or type(scorer).score is not WeightLengthScorer.score:
        found = []
        while matcher.is_active():
            found.append((matcher.id(), matcher.score()))
            matcher.next()
        return found
    formula, length = scorer._score, scorer.dfl
    found = []
    while leaf.is_active():
        if leaf._ids is None:
            leaf._read_ids()
        if leaf._weights is None:
            leaf._read_weights()
        ids, weights = leaf._ids, leaf._weights
        for index in range(leaf._i, leaf._blocklength):
            doc = ids[index]
            score = formula(weights[index], length(doc))  # WeightLengthScorer.score
            found.append((doc, score if boost is None else score * boost))
        leaf._i = leaf._blocklength - 1
        leaf.next()
    return found


def listed_scores(leaf: ListMatcher) -> list[tuple[int, float]] | None:
    """(document, score) of every posting left in ``leaf``, with its scorer's own formula, or
    None when its scorer is not a WeightLengthScorer."""
    scorer = leaf._scorer
    if type(scorer).score is not WeightLengthScorer.score or leaf._all_weights:
        return None
    formula, length = scorer._score, scorer.dfl
    ids, weights = leaf._ids, leaf._weights
    found = [
        (ids[index], formula(weights[index] if weights else 1.0, length(ids[index])))
        for index in range(leaf._i, len(ids))
    ]
    leaf._i = len(ids)
    return found


class SummedMatcher(mcore.Matcher):
    """The union of its sub-matchers with each document's score added up beforehand, as
    ArrayUnionMatcher adds it: 0.0 plus each sub-matcher's score times the boost, in
    sub-matcher order; then moved through with bisection."""

    def __init__(self, submatchers: list, boost: float = 1.0, _ids=None, _scores=None):
        if _ids is None:
            totals: dict[int, float] = {}
            for matcher in submatchers:
                for doc, score in posting_scores(matcher):
                    totals[doc] = totals.get(doc, 0.0) + score * boost
            _ids = sorted(totals)
            _scores = [totals[doc] for doc in _ids]
        self._ids, self._scores, self._i = _ids, _scores, 0

    def copy(self) -> SummedMatcher:
        copied = SummedMatcher([], _ids=self._ids, _scores=self._scores)
        copied._i = self._i
        return copied

    def supports(self, astype) -> bool:
        return False  # like the array union: no positions or values

    def supports_block_quality(self) -> bool:
        return False  # the collector here does not skip by quality

    def max_quality(self) -> float:
        return max(self._scores[self._i :], default=0.0)

    def is_active(self) -> bool:
        return self._i < len(self._ids)

    def id(self) -> int:
        return self._ids[self._i]

    def next(self) -> bool:
        if self._i >= len(self._ids):
            raise mcore.ReadTooFar
        self._i += 1
        return False

    def skip_to(self, target: int) -> bool:
        if self._i >= len(self._ids):
            raise mcore.ReadTooFar
        self._i = bisect_left(self._ids, target, self._i)
        return False

    def all_ids(self):
        while self.is_active():
            yield self.id()
            self.next()

    def score(self) -> float:
        return self._scores[self._i]


class FieldLengthBM25F(BM25F):
    """BM25F (the same B, K1 and formula) with each field's lengths loaded once.

    Given ``live_lengths`` (the exact total length of each field over the documents not
    deleted), the average field lengths and (when some are deleted) the idf count only those
    documents, as a freshly built index does: Whoosh counts deleted documents until their
    segment is merged, and a merged segment sums rounded lengths.
    """

    def __init__(self, live_lengths: dict[str, int] | None = None, B: float = 0.75,
                 K1: float = 1.2, **kwargs):  # fmt: skip
        super().__init__(B=B, K1=K1, **kwargs)
        self._lengths: dict[tuple[int, str], list[int]] = {}
        self._live_lengths = live_lengths
        self._live_df: dict[tuple[str, str], int] = {}

    def lengths(self, searcher: Searcher, fieldname: str) -> list[int]:
        """What ``searcher.doc_field_length(doc, fieldname, 1)`` gives for every document."""
        key = (id(searcher.reader()), fieldname)
        found = self._lengths.get(key)
        if found is None:
            count = searcher.reader().doc_count_all()
            found = [searcher.doc_field_length(doc, fieldname, 1) for doc in range(count)]
            self._lengths[key] = found
        return found

    def live_doc_frequency(self, searcher: Searcher, fieldname: str, text: str) -> int:
        key = (fieldname, text)
        if key not in self._live_df:
            reader = searcher.reader()
            count = 0
            if (fieldname, text) in reader:
                for _ in reader.postings(fieldname, text).all_ids():  # deleted ones left out
                    count += 1
            self._live_df[key] = count
        return self._live_df[key]

    def pair_idf(self, searcher, fieldname: str, df_all: int, df_live: int) -> float:
        """The idf ``scorer`` gives a term of ``fieldname`` found in ``df_all`` documents,
        ``df_live`` of them not deleted (pairs.PairTerm: a term not in the index)."""
        parent = searcher.get_parent()
        count = parent.doc_count()
        if (
            self._live_lengths is not None
            and fieldname in self._live_lengths
            and count != parent.doc_count_all()
        ):
            return log(count / (df_live + 1)) + 1
        return log(parent.doc_count_all() / (df_all + 1)) + 1  # WeightingModel.idf

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return WeightScorer.for_(searcher, fieldname, text)
        B = self._field_B.get(fieldname, self.B)
        scorer = BM25FScorer(searcher, fieldname, text, B, self.K1, qf=qf)
        if hasattr(scorer, "dfl"):
            scorer.dfl = self.lengths(searcher, fieldname).__getitem__
        if self._live_lengths is not None and fieldname in self._live_lengths:
            # Searcher.avg_field_length and WeightingModel.idf, over the documents kept
            parent = searcher.get_parent()
            count = parent.doc_count()
            scorer.avgfl = self._live_lengths[fieldname] / (count or 1) or 1
            if count != parent.doc_count_all():
                df = self.live_doc_frequency(parent, fieldname, text)
                scorer.idf = log(count / (df + 1)) + 1
        return scorer


def collect_hits(searcher: Searcher, query: wq.Query, allowed: set[int] | None = None):
    """Every (score, document number) ``query`` matches, only those in ``allowed`` if given,
    in document order, each with the score Whoosh gives it.

    With ``allowed``, the matcher is taken straight to each allowed document. An AndMaybe is
    matched as its two halves, its optional half's score added as AndMaybeMatcher.score adds
    it: Whoosh 2.7's AndMaybeMatcher.skip_to moves the optional half to the target rather than
    to where the required half lands, and so would lose the bonus of the document it lands on.
    """
    required, optional = (query.a, query.b) if isinstance(query, wq.AndMaybe) else (query, None)
    candidates = allowed
    hits: list[tuple[float, int]] = []
    context = searcher.context()
    for leaf, offset in searcher.leaf_searchers():
        main = required.matcher(leaf, context)
        extra = optional.matcher(leaf, context) if optional is not None else None
        if candidates is None:
            local = None
        else:
            end = offset + leaf.doc_count_all()
            local = sorted(doc - offset for doc in candidates if offset <= doc < end)
        for doc in walk(main, local):
            score = main.score()
            if extra is not None and extra.is_active():
                if extra.id() < doc:
                    extra.skip_to(doc)
                if extra.is_active() and extra.id() == doc:
                    score = score + extra.score()
            hits.append((score, offset + doc))
    return hits


def walk(matcher, targets: list[int] | None):
    """Move ``matcher`` to each of ``targets`` (sorted) it matches, or to every document it
    matches if None; yield each document while the matcher is on it."""
    if targets is None:
        while matcher.is_active():
            yield matcher.id()
            matcher.next()
        return
    for target in targets:
        if not matcher.is_active():
            return
        if matcher.id() < target:
            matcher.skip_to(target)
            if not matcher.is_active():
                return
        if matcher.id() == target:
            yield target
