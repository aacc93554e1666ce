"""The preview's fast search returns exactly what scoring every hit returns.

The engine scores only up to the end of the requested page and counts the rest without scoring;
these tests compare every page it shows (order, scores, counts, section filter) with a plain
Whoosh search that scores all hits, on a generated corpus with many ties.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from flask import Flask
from whoosh import query as wq

from dxportal import create_app
from dxportal.search.preview.engine import PAGE_SIZE
from dxportal.search.preview.index import open_index
from dxportal.search.preview.query import build_query, parse_query

from conftest import SITE_YML, TAGS_YML, page_text

TEXT = (
    "chuyển đổi số dịch vụ công hồ sơ trực tuyến đăng ký doanh nghiệp người dân "
    "thủ tục hành chính chuyến đi đợi sớm dịch vụ công đổi mới sổ tay hoà giải"
)
SYLLABLES = TEXT.split()
QUERIES = [
    "chuyen doi so",
    "chuyển đổi",
    "so",
    '"chuyen doi so"',
    '"chuyển đổi số" dịch vụ',
    '"dich vu cong"',
    '"dich vu" "ho so"',
    "ho so truc tuyen",
    "dang ky doanh nghiep",
    "doi",
    "hoà giải",
]


def generated_pages(count: int) -> dict[str, str]:
    """News and pages from a small vocabulary: many shared words, phrases and exact ties."""
    rng = random.Random(3)
    files = {}
    for number in range(count):
        words = [rng.choice(SYLLABLES) for _ in range(rng.randint(3, 60))]
        if number % 5 == 0:
            words[rng.randrange(len(words)) :] = ["chuyển", "đổi", "số"]
        body = " ".join(words).capitalize() + "."
        title = " ".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 5))).capitalize()
        if number % 7 == 0:  # identical texts: equal scores, ranked in page order
            title, body = "Tin mới", "Chuyển đổi số, dịch vụ công."
        day = f"2021-{1 + number % 12:02d}-{1 + number % 28:02d}"
        files[f"news/tin-{number:03d}.vi.md"] = page_text(title, date=day, body=body)
        if number % 4 == 0:
            files[f"pages/trang-{number:03d}.vi.md"] = page_text(title, date=None, body=body)
    return files


def search_app(root: Path, extra: dict[str, str] | None = None) -> Flask:
    """An app over 90 generated articles (and ``extra`` files), content and index in ``root``."""
    files = {
        "site.yml": SITE_YML,
        "tags.yml": TAGS_YML,
        "pages/about.vi.md": page_text("Giới thiệu", date=None),
        **generated_pages(90),
        **(extra or {}),
    }
    for relative, text in files.items():
        path = root / "content" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "content" / "media").mkdir()
    return create_app({
        "DXPORTAL_CONTENT_DIR": str(root / "content"),
        "DXPORTAL_SEARCH_INDEX_DIR": str(root / "index"),
        "TESTING": True,
    })  # fmt: skip


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    return search_app(tmp_path_factory.mktemp("ranking")).extensions["dxportal.search"]


def every_hit(engine, raw: str, section: str | None) -> tuple[list[tuple[str, float]], int]:
    """All hits the engine shows, page after page, and the count it reports."""
    first = engine.search(raw, "vi", section, 1)
    hits = []
    for number in range(1, first.page_count + 1):
        results = engine.search(raw, "vi", section, number)
        assert results.page == number and results.total == first.total
        assert len(results.hits) == min(PAGE_SIZE, first.total - (number - 1) * PAGE_SIZE)
        hits += [(f"{h.entry.section}/{h.entry.slug}", h.score) for h in results.hits]
    return hits, first.total


def scored_everything(engine, raw: str, section: str | None) -> list[tuple[str, float]]:
    """The reference: every hit scored and sorted by Whoosh (best first, then page order)."""
    query = build_query(parse_query(raw, "vi"))
    with open_index(engine.folder, "vi").searcher() as searcher:
        found = searcher.search(
            query, limit=None, filter=wq.Term("section", section) if section else None
        )
        return [(hit["key"], hit.score) for hit in found]


@pytest.mark.parametrize("section", [None, "news", "pages"])
@pytest.mark.parametrize("raw", QUERIES)
def test_every_page_shows_the_fully_scored_ranking(engine, raw, section):
    hits, total = every_hit(engine, raw, section)
    expected = scored_everything(engine, raw, section)
    assert hits == expected
    assert total == len(expected)


def test_the_corpus_has_ties_phrases_and_several_pages(engine):
    ranking = scored_everything(engine, "chuyen doi so", None)
    scores = [score for _, score in ranking]
    assert len(ranking) > 3 * PAGE_SIZE and len(set(scores)) < len(scores)
    assert 0 < len(scored_everything(engine, '"chuyen doi so"', "news")) < len(ranking)


def test_a_page_past_the_last_shows_the_last(engine):
    last = engine.search("chuyen doi so", "vi", None, 1).page_count
    past = engine.search("chuyen doi so", "vi", None, last + 5)
    assert past.page == last
    assert [h.entry.slug for h in past.hits] == [
        h.entry.slug for h in engine.search("chuyen doi so", "vi", None, last).hits
    ]


def test_equal_scores_keep_page_order_newest_first(engine):
    site = engine.store.get()
    hits, _ = every_hit(engine, "dich vu cong", "news")
    groups: dict[float, list[str]] = {}
    for key, score in hits:
        groups.setdefault(score, []).append(key)
    ties = [keys for keys in groups.values() if len(keys) > 2]
    assert ties
    for keys in ties:
        dates = [site.entry(*key.split("/")).version("vi").date for key in keys]
        assert dates == sorted(dates, reverse=True)


def test_snippet_window_is_the_first_with_the_most_matches():
    from dxportal.search.preview.snippets import best_window

    rng = random.Random(5)
    for _ in range(300):
        count, size = rng.randint(0, 80), rng.randint(1, 30)
        hits = sorted(rng.sample(range(count), rng.randint(0, count)))
        flags = [index in hits for index in range(count)]
        windows = [sum(flags[start : start + size]) for start in range(max(1, count - size + 1))]
        assert best_window(hits, count, size) == windows.index(max(windows))


def test_snippet_marks_every_matching_word_of_the_window(engine):
    results = engine.search("dich vu", "vi", "news", 1)
    for hit in results.hits:
        marked = [m.lower() for m in re.findall(r"<mark>(.*?)</mark>", str(hit.snippet))]
        assert marked and set(marked) <= {"dịch", "vụ"}
