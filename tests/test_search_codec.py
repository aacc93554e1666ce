"""The index's on-disk format (search/preview/codec.py) holds exactly what Whoosh's own does:
every term's documents, weights and positions, and so the same scores, before and after a
merge of segments."""

from __future__ import annotations

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID, TEXT, Schema
from whoosh.query import Term
from whoosh.scoring import BM25F

from dxportal.search.preview.codec import (
    INLINE_LIMIT,
    CompactPositions,
    PortalCodec,
    PortalTermInfo,
    decode_postings,
    encode_postings,
)

DOCS = [
    ("a", "chuyển đổi số chuyển đổi", "kế hoạch chuyển đổi số của tỉnh " * 3),
    ("b", "dịch vụ công", "dịch vụ công trực tuyến mức độ bốn"),
    ("c", "đăng ký", " ".join(f"từ{n}" for n in range(300)) + " chuyển đổi"),
]


def make(folder, codec, compact: bool):
    body = TEXT(phrase=True)
    if compact:
        body.format = CompactPositions(field_boost=body.format.field_boost)
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), Schema(key=ID(stored=True), title=TEXT, body=body))
    for start in (0, 2):  # two segments
        writer = ix.writer(codec=codec)
        for key, title, text in DOCS[start : start + 2]:
            writer.add_document(key=key, title=title, body=text)
        writer.commit(merge=False)
    return ix


def postings(ix) -> dict:
    """Every term's (document, weight, positions) and the BM25F score of each of its hits."""
    found = {}
    with ix.searcher(weighting=BM25F()) as searcher:
        reader = searcher.reader()
        for field in ("title", "body"):
            for term in list(reader.field_terms(field)):
                matcher = reader.postings(field, term)
                items = []
                while matcher.is_active():
                    positions = matcher.value_as("positions") if field == "body" else None
                    items.append((matcher.id(), matcher.weight(), positions))
                    matcher.next()
                scores = sorted(
                    (hit.docnum, hit.score)
                    for hit in searcher.search(Term(field, term), limit=None)
                )
                stats = (reader.frequency(field, term), reader.doc_frequency(field, term))
                info = reader.term_info(field, term)
                header = (
                    *(info.weight(), info.doc_frequency(), info.max_weight()),
                    *(info.min_id(), info.max_id(), info.min_length(), info.max_length()),
                )
                found[field, term] = (items, scores, stats, header)
    return found


@pytest.mark.parametrize("inline", [1, 2, INLINE_LIMIT])  # in blocks, both, all inlined
def test_the_compact_format_holds_what_whoosh_holds(tmp_path, inline):
    stock = make(tmp_path / "stock", W3Codec(), compact=False)
    ours = make(tmp_path / "ours", PortalCodec(inlinelimit=inline), compact=True)
    assert postings(ours) == postings(stock)
    for ix in (stock, ours):  # merged into one segment: still the same
        codec = PortalCodec(inlinelimit=inline) if ix is ours else W3Codec()
        ix.writer(codec=codec).commit(optimize=True)
    assert postings(ours) == postings(stock)


def test_short_posting_lists_are_inlined():
    info = PortalTermInfo()
    info.set_inlined((3, 9), (1, 2), (b"\x01\x04", b"\x02\x00\x05"))
    info._weight, info._df = 3.0, 2
    back = PortalTermInfo.from_bytes(info.to_bytes())
    assert back.inlined_postings() == info.inlined_postings() and back.doc_frequency() == 2
    floats = ((1, 2), (0.5, 2.25), (b"", b""))
    assert decode_postings(encode_postings(*floats)) == floats


def test_positions_round_trip():
    fmt = CompactPositions()
    for positions in ([0], [1, 2, 3], [5, 300, 100_000]):
        value = fmt.encode(positions)
        assert fmt.decode_positions(value) == positions
        assert fmt.decode_frequency(value) == len(positions)
