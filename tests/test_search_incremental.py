"""The preview updates its search index page by page and ranks as a freshly built index does."""

from __future__ import annotations

import pytest
from test_search_ranking import QUERIES, every_hit, generated_pages
from whoosh import index as whoosh_index

from dxportal import create_app
from dxportal.search.documents import INDEX_VERSION as ANALYSIS_VERSION
from dxportal.search.preview import index as search_index

from conftest import SITE_YML, TAGS_YML, page_text


def write_files(root, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def content(tmp_path):
    root = tmp_path / "content"
    write_files(root, {
        "site.yml": SITE_YML,
        "tags.yml": TAGS_YML,
        "pages/about.vi.md": page_text("Giới thiệu", date=None),
        **generated_pages(60),
    })  # fmt: skip
    (root / "media").mkdir()
    return root


def engine_over(content, index_dir):
    app = create_app({
        "DXPORTAL_CONTENT_DIR": str(content),
        "DXPORTAL_SEARCH_INDEX_DIR": str(index_dir),
        "DXPORTAL_PREVIEW": True,
        "TESTING": True,
    })  # fmt: skip
    return app.extensions["dxportal.search"]


def rankings(engine) -> dict:
    return {
        (raw, section): every_hit(engine, raw, section)
        for raw in QUERIES
        for section in (None, "news")
    }


def deleted_documents(folder) -> int:
    ix = whoosh_index.open_dir(str(folder))
    return ix.doc_count_all() - ix.doc_count()


@pytest.fixture
def added(monkeypatch):
    """The keys of the documents written into an index, and no full builds allowed."""
    keys: list[str] = []
    original = search_index.add_entry

    def spy(writer, entry, lang, site, renderer):
        keys.append(f"{lang}:{entry.section}/{entry.slug}")
        return original(writer, entry, lang, site, renderer)

    monkeypatch.setattr(search_index, "add_entry", spy)
    return keys


def test_an_edit_reindexes_only_the_pages_that_changed(content, tmp_path, monkeypatch, added):
    removed = content / "news/tin-010.vi.md"  # with words no other page has, to look it up by
    removed.write_text(page_text("Kỳ lân", body="Kỳ lân bạch tượng."), encoding="utf-8")
    engine = engine_over(content, tmp_path / "index")
    assert engine.search("chuyen doi so", "vi").total
    assert [h.entry.slug for h in engine.search("ky lan bach tuong", "vi").hits] == ["tin-010"]
    assert len(added) == 2 * len(engine.store.get().entries)  # everything, both languages

    def no_full_build(*args, **kwargs):
        raise AssertionError("the whole index was rebuilt")

    monkeypatch.setattr(search_index, "build_index", no_full_build)
    added.clear()
    edited = content / "news/tin-005.vi.md"
    edited.write_text(page_text("Hợp tác xã", body="Hợp tác xã kiểu mới."), encoding="utf-8")
    removed.unlink()
    write_files(content, {"news/moi.vi.md": page_text("Tin mới", body="Hợp tác xã.")})

    found = engine.search("hop tac xa", "vi")
    assert sorted(h.entry.slug for h in found.hits) == ["moi", "tin-005"]
    # the English index holds the Vietnamese pages that have no translation
    assert sorted(added) == sorted(
        f"{lang}:news/{slug}" for lang in ("vi", "en") for slug in ("tin-005", "moi")
    )
    assert engine.search("ky lan bach tuong", "vi").total == 0  # the deleted page is gone
    assert deleted_documents(tmp_path / "index" / "vi") > 0  # not merged yet


def test_an_updated_index_ranks_as_a_fresh_one(content, tmp_path):
    engine = engine_over(content, tmp_path / "index")
    engine.search("chuyen doi so", "vi")
    edited = content / "news/tin-007.vi.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nChuyển đổi số.\n", encoding="utf-8")
    (content / "news/tin-012.vi.md").unlink()
    updated = rankings(engine)
    assert deleted_documents(tmp_path / "index" / "vi") > 0

    fresh = rankings(engine_over(content, tmp_path / "fresh"))
    for query, (hits, total) in fresh.items():
        got, got_total = updated[query]
        assert got_total == total, query
        assert [key for key, _ in got] == [key for key, _ in hits], query
        assert [score for _, score in got] == pytest.approx([s for _, s in hits], rel=1e-12)


def test_many_edits_merge_the_deleted_documents_away(content, tmp_path):
    engine = engine_over(content, tmp_path / "index")
    engine.search("chuyen doi so", "vi")
    for number in range(0, 60, 10):  # 6 of 76 pages: more than MAX_DELETED_SHARE
        path = content / f"news/tin-{number:03d}.vi.md"
        path.write_text(path.read_text(encoding="utf-8") + "\nĐổi mới.\n", encoding="utf-8")
    updated = rankings(engine)
    assert deleted_documents(tmp_path / "index" / "vi") == 0
    assert updated == rankings(engine_over(content, tmp_path / "fresh"))  # scores too


@pytest.mark.parametrize("version", ["0", ANALYSIS_VERSION])  # the second: with pair terms
def test_an_index_of_another_version_is_rebuilt(content, tmp_path, version):
    engine = engine_over(content, tmp_path / "index")
    engine.search("chuyen doi so", "vi")
    (tmp_path / "index" / search_index.VERSION_FILE).write_text(version + "\n", encoding="ascii")
    (content / "news/tin-001.vi.md").unlink()
    assert engine.search("chuyen doi so", "vi").total
    assert (tmp_path / "index" / search_index.VERSION_FILE).read_text().strip() == (
        search_index.INDEX_VERSION
    )
    assert deleted_documents(tmp_path / "index" / "vi") == 0


def test_field_lengths_out_of_step_mean_a_full_build(content, tmp_path):
    engine = engine_over(content, tmp_path / "index")
    engine.search("chuyen doi so", "vi")
    (tmp_path / "index" / "vi" / search_index.LENGTHS_FILE).write_text("{}", encoding="ascii")
    (content / "news/tin-001.vi.md").unlink()
    assert engine.search("chuyen doi so", "vi").total
    assert deleted_documents(tmp_path / "index" / "vi") == 0
    assert len(search_index.read_lengths(tmp_path / "index" / "vi")) == len(
        engine.store.get().entries
    )
