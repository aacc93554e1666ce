"""The analyzer: every Vietnamese and Whoosh pitfall of PITFALLS.md is a case here."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from whoosh import query as wq

from dxportal.content.loader import load_content
from dxportal.search.analysis import analyze, canonical_tone, fold
from dxportal.search.preview.index import build_index, open_index
from dxportal.search.preview.query import loose_pair_terms, parse_query, phrase_pair_terms
from dxportal.search.static.postings import shard_of

from conftest import page_text

VECTORS = json.loads((Path(__file__).parent / "search_vectors.json").read_text("utf-8"))


@pytest.mark.parametrize("case", VECTORS["analyze"], ids=lambda c: c["why"])
def test_shared_vectors_analyze(case):
    assert analyze(case["text"], case["lang"]) == case["forms"]


@pytest.mark.parametrize("case", VECTORS["query"], ids=lambda c: repr(c["raw"])[:30])
def test_shared_vectors_parse_query(case):
    parsed = parse_query(case["raw"], case["lang"])
    assert parsed.text == case["text"]
    assert parsed.terms == case["terms"]
    assert [phrase_pair_terms(p) for p in parsed.phrases] == case["phrases"]
    assert loose_pair_terms(parsed) == case["loose"]


def test_shared_vectors_hash():
    # shard_of(term, 2**32) is the hash itself, which search.js computes too
    assert [shard_of(c["text"], 2**32) for c in VECTORS["hash"]] == [
        c["value"] for c in VECTORS["hash"]
    ]


def test_nfd_text_is_one_word_per_syllable():
    # Whoosh's default tokenizer splits NFD "chuyển" into "chuye" + "n".
    assert analyze(unicodedata.normalize("NFD", "chuyển")) == [["chuyển", "chuyen"]]


def test_fold_maps_d_with_stroke():
    assert unicodedata.normalize("NFD", "đ") == "đ"  # the pitfall: NFD leaves it
    assert fold("đăng ký") == "dang ky"
    assert fold("ĐỒNG") == "DONG"


@pytest.mark.parametrize(
    ("old", "new"),
    [("hoà", "hòa"), ("thuý", "thúy"), ("khoẻ", "khỏe"), ("uỷ", "ủy"), ("thuỷ", "thủy")],
)
def test_old_tone_placement_becomes_canonical(old, new):
    assert canonical_tone(old) == new
    assert canonical_tone(new) == new


@pytest.mark.parametrize("word", ["quý", "quà", "hoàng", "thuyền", "toán"])
def test_tone_stays_after_q_and_before_a_final_consonant(word):
    assert canonical_tone(word) == word


def test_short_words_and_function_words_are_kept():
    # StemmingAnalyzer would drop "ở" and "ý" (too short) and English stop words.
    assert analyze("ở ý và là") == [["ở", "o"], ["ý", "y"], ["và", "va"], ["là", "la"]]


def make_site(make_content, pages: dict[str, str]):
    files = {f"news/{slug}.vi.md": text for slug, text in pages.items()}
    return load_content(make_content(files))


def test_index_finds_short_words_unaccented_and_old_style(make_content, tmp_path):
    site = make_site(make_content, {
        "a": page_text("Ý kiến người dân ở xã", body="Hoà Bình, thuý, ủy ban."),
        "b": page_text("Đăng ký kinh doanh", body="Nội dung."),
    })  # fmt: skip
    folder = tmp_path / "index"
    build_index(site, folder)
    with open_index(folder, "vi").searcher() as searcher:

        def found(term: str) -> set[str]:
            return {hit["slug"] for hit in searcher.search(wq.Term("body", term))} | {
                hit["slug"] for hit in searcher.search(wq.Term("title", term))
            }

        assert found("ở") == {"a"}
        assert found("y") == {"a"}
        assert found("dang") == {"b"}
        assert found("hòa") == {"a"}
        assert found("thúy") == {"a"}
        assert found("ủy") == {"a"}


def test_rebuilding_while_a_reader_is_open_swaps_the_index(make_content, tmp_path):
    root = make_content({"news/a.vi.md": page_text("Tin một")})
    folder = tmp_path / "index"
    build_index(load_content(root), folder)
    with open_index(folder, "vi").searcher() as old:
        (root / "news/b.vi.md").write_text(page_text("Tin hai"), encoding="utf-8")
        build_index(load_content(root), folder)  # no LockError: built aside, swapped in
        assert len(old.search(wq.Term("title", "tin"))) == 1  # the old reader still works
    with open_index(folder, "vi").searcher() as new:
        assert len(new.search(wq.Term("title", "tin"))) == 2
