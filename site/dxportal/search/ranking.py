"""Ranking for the preview: Whoosh's BM25F scores, computed only for the documents that match.

Whoosh scores an ``Or`` of up to 5,000 documents by reading every posting of every field into
an array (ArrayUnionMatcher), and its top-N collector re-plans the matcher tree every ten
documents and skips by block quality, which is not exact for these queries (an array union
reports the largest of its fields' maximum scores as its maximum, not their sum). Here:

- ``FieldsOr`` is the Or of one word over its fields. Where Whoosh would use the array union,
  it matches lazily instead and adds the fields' scores in the same order, starting from 0.0,
  so every score is the same float, but only documents the whole query matches are scored.
- ``FieldLengthBM25F`` is BM25F reading field lengths from a list loaded once per searcher
  instead of from the index file for each posting: the same numbers go into the same formula.
  After an incremental update it also leaves deleted documents out of the statistics.
- ``collect_hits`` walks the matcher once, filtered, and returns every hit with its score.
"""

from __future__ import annotations

from math import log

from whoosh import query as wq
from whoosh.matching import mcore
from whoosh.scoring import BM25F, BM25FScorer, WeightScorer
from whoosh.searching import Searcher

ARRAY_UNION_DOC_LIMIT = 5000  # Or uses the array union up to this many documents (Whoosh 2.7)


class FieldsOr(wq.Or):
    """``wq.Or`` with the same scores, matched lazily where Whoosh would preload all postings."""

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
        return LazySumMatcher([q.matcher(searcher, context) for q in subs], self.boost)


class LazySumMatcher(mcore.Matcher):
    """The union of its sub-matchers, scored as ArrayUnionMatcher scores: 0.0 plus each
    matching sub-matcher's score times the boost, in sub-matcher order."""

    def __init__(self, submatchers: list, boost: float = 1.0):
        self._submatchers = submatchers
        self._boost = boost
        self._live = [m for m in submatchers if m.is_active()]  # in order, active only
        self._id = min(m.id() for m in self._live) if self._live else None

    def _moved(self) -> None:
        live = self._live = [m for m in self._live if m.is_active()]
        self._id = min(m.id() for m in live) if live else None

    def copy(self) -> LazySumMatcher:
        return LazySumMatcher([m.copy() for m in self._submatchers], self._boost)

    def children(self):
        return iter(self._submatchers)

    def supports(self, astype) -> bool:
        return False  # like the array union: no positions or values

    def supports_block_quality(self) -> bool:
        return False  # the collector here does not skip by quality

    def max_quality(self) -> float:
        """An upper bound of the score: the sum of the sub-matchers' (not their largest)."""
        total = 0.0
        for matcher in self._live:
            total += matcher.max_quality() * self._boost
        return total

    def is_active(self) -> bool:
        return self._id is not None

    def id(self) -> int:
        return self._id

    def next(self) -> bool:
        current = self._id
        if current is None:
            raise mcore.ReadTooFar
        for matcher in self._live:
            if matcher.id() == current:
                matcher.next()
        self._moved()
        return False

    def skip_to(self, target: int) -> bool:
        if self._id is None:
            raise mcore.ReadTooFar
        if target > self._id:
            for matcher in self._live:
                if matcher.id() < target:
                    matcher.skip_to(target)
            self._moved()
        return False

    def all_ids(self):
        while self.is_active():
            yield self._id
            self.next()

    def score(self) -> float:
        total = 0.0
        current = self._id
        for matcher in self._live:
            if matcher.id() == current:
                total += matcher.score() * self._boost
        return total


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
