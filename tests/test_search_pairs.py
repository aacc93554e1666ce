"""Pairs scored from word positions (search/preview/pairs.py) score as a field of pair terms did.

The reference is an index written the way the preview wrote it before: a "pairs" field holding
every adjacent pair of words as a term (analysis.PairTokenizer), queried with Whoosh's own Term
and Phrase. Both indexes hold the same pages; every query must give the same pages, in the
same order, with the same scores (the same floats).
"""

from __future__ import annotations

import pytest
from test_search_ranking import QUERIES, search_app
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.fields import ID, STORED, TEXT, Schema

from dxportal.search.analysis import FIELD_BREAK, PairTokenizer, WordTokenizer, iter_pairs
from dxportal.search.documents import PAIRS_FIELD, make_document, ordered_entries
from dxportal.search.preview.fields import (
    LENGTH_TERM,
    PairLengthField,
    PositionedWordTokenizer,
    WordField,
)
from dxportal.search.preview.index import open_index
from dxportal.search.preview.pairs import PairPhrase, PairTerm
from dxportal.search.preview.query import build_query, parse_query

from conftest import page_text

MORE_QUERIES = [
    *QUERIES,
    "chuyển đổi số dịch vụ công",  # several loose pairs: an Or of pair terms
    '"đổi số" dịch vụ công hồ sơ',
    '"so dich vu"',  # across a title and a summary: never a pair
    "ban chi dao hoa giai",
    '"đổi mới hồ sơ trực tuyến"',
    "khong co tu nay",
]
FIELD_PAGES = {  # pairs must not run across title, tags, summary and body
    f"news/truong-{n}.vi.md": page_text(
        "Chuyển đổi số" if n % 2 else "Dịch vụ công chuyển",
        date=f"2022-02-{n + 1:02d}",
        body="Đổi mới hồ sơ trực tuyến. Số dịch vụ công." if n % 3 else "Sổ tay hoà giải.",
        summary="dịch vụ công đổi số" if n % 2 else "đổi số hồ sơ",
        tags="[ban-chi-dao]" if n % 4 else "[]",
    )
    for n in range(12)
}


def old_schema(lang: str) -> Schema:
    """The preview's schema before pairs were scored from positions (INDEX_VERSION 5)."""
    words = WordTokenizer(lang)
    return Schema(
        key=ID(stored=True, unique=True),
        section=ID(stored=True),
        slug=STORED,
        source_lang=STORED,
        date=STORED,
        title=TEXT(analyzer=words, phrase=False),
        summary=TEXT(analyzer=words, phrase=False),
        body=TEXT(analyzer=words, phrase=False),
        tags=TEXT(analyzer=words, phrase=False),
        pairs=TEXT(analyzer=PairTokenizer(lang), phrase=True),
    )


def as_pair_terms(query: wq.Query) -> wq.Query:
    """``query`` with each PairTerm and PairPhrase as the Term and Phrase they stand for."""

    def replace(q: wq.Query) -> wq.Query:
        if isinstance(q, PairTerm):
            return wq.Term(PAIRS_FIELD, q.text, boost=q.boost)
        if isinstance(q, PairPhrase):
            return wq.Phrase(PAIRS_FIELD, q.pairs)
        return q

    return query.accept(replace)


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    """(the preview's index folder, the reference index of pair terms) over the same pages."""
    root = tmp_path_factory.mktemp("pairs")
    app = search_app(root, FIELD_PAGES)
    engine = app.extensions["dxportal.search"]
    site = engine.store.get()
    engine.ensure_index(site)
    reference = root / "reference"
    reference.mkdir()
    ix = whoosh_index.create_in(str(reference), old_schema("vi"))
    with ix.writer() as writer:
        for entry in ordered_entries(site):
            fields = make_document(entry, "vi", site, engine.renderer).fields()
            writer.add_document(**{name: fields[name] for name in ix.schema.names()})
    return root / "index", ix


def ranked(searcher, query: wq.Query) -> list[tuple[str, float]]:
    return [(hit["key"], hit.score) for hit in searcher.search(query, limit=None)]


@pytest.mark.parametrize("raw", MORE_QUERIES)
def test_pairs_from_positions_score_as_pair_terms(indexes, raw):
    folder, reference = indexes
    query = build_query(parse_query(raw, "vi"))
    with open_index(folder, "vi").searcher() as new, reference.searcher() as old:
        expected = ranked(old, as_pair_terms(query))
        assert ranked(new, query) == expected  # the same floats, in the same order
        if raw != "khong co tu nay":
            assert expected


def test_the_pairs_and_their_statistics_match_the_pair_terms(indexes):
    folder, reference = indexes
    with open_index(folder, "vi").searcher() as new, reference.searcher() as old:
        pairs = [term.decode() for term in old.reader().lexicon(PAIRS_FIELD)]
        assert len(pairs) > 100
        for pair in pairs:
            assert PairTerm(pair).estimate_size(new.reader()) == old.doc_frequency(
                PAIRS_FIELD, pair
            ), pair
        assert new.field_length(PAIRS_FIELD) == old.field_length(PAIRS_FIELD)
        for doc in range(old.doc_count_all()):
            assert new.doc_field_length(doc, PAIRS_FIELD) == old.doc_field_length(doc, PAIRS_FIELD)


def test_the_index_holds_no_pair_terms(indexes):
    folder, _ = indexes
    with open_index(folder, "vi").searcher() as searcher:
        assert list(searcher.reader().lexicon(PAIRS_FIELD)) == [LENGTH_TERM.encode()]


@pytest.mark.parametrize(
    "text",
    ["một hai ba", f"chuyển đổi{FIELD_BREAK}số hoá", f"a{FIELD_BREAK}{FIELD_BREAK}b c", "Hoà Đà"],
)
def test_adjacent_word_positions_are_the_pairs(text):
    """Positions next to each other, exact with exact and folded with folded, give exactly
    the pair terms (and their positions) of the pairs field."""
    forms: dict[int, list[str]] = {}
    for form, position, _, _ in PositionedWordTokenizer("vi").terms(text):
        forms.setdefault(position, []).append(form)
    from_positions = set()
    for position, here in forms.items():
        after = forms.get(position + 1)
        if after:
            from_positions.add((position, f"{here[0]} {after[0]}"))  # exact forms
            from_positions.add((position, f"{here[-1]} {after[-1]}"))  # folded forms
    assert from_positions == set(iter_pairs(text, "vi"))


FIELD_TEXTS = [
    "",
    "Một",
    "Chuyển đổi số: chuyển đổi số, CHUYỂN ĐỔI SỐ và hoà giải ở Bến Tre (2026).",
    f"Tiêu đề{FIELD_BREAK}{FIELD_BREAK}Ban Chỉ đạo, Đà Nẵng{FIELD_BREAK}tóm tắt",
    " ".join(["số"] * 300 + ["đổi"] * 200 + ["số"]),  # counts and a gap past one byte
    " ".join(f"từ{n} số" for n in range(400)),  # many terms, gaps of two
]


@pytest.mark.parametrize("text", FIELD_TEXTS)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_fields_index_as_whoosh_indexes_through_the_analyzer(text, lang):
    words = WordField(lang)
    through_tokens = words.format.word_values(text, words.analyzer, mode="index")
    assert sorted(words.index(text)) == sorted(
        (form.encode(), freq, weight, value) for form, freq, weight, value in through_tokens
    )
    old_pairs = TEXT(analyzer=PairTokenizer(lang), phrase=True)
    length = sum(freq for _, freq, _, _ in old_pairs.index(text))  # Whoosh's field length
    assert [
        (term, freq, weight) for term, freq, weight, _ in PairLengthField(lang).index(text)
    ] == ([(LENGTH_TERM.encode(), length, float(length))] if length else [])
