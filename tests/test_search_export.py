"""The static search index is computed without Whoosh, yet holds exactly Whoosh's numbers.

Whoosh is the oracle: an index built with the same tokenizers gives the term counts, field
lengths and BM25F scores the export must reproduce. The export also reuses its cache, updates
an earlier export in place and runs its languages in parallel without changing a byte.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import flask
import flask_babel
import pytest
from build_support import build, count_conversions, upgrade_renderer
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.util.numeric import _length_byte_cache

from dxportal import create_app, workers
from dxportal.search.analysis import FIELD_BREAK, PairTokenizer, WordTokenizer, fold, iter_pairs
from dxportal.search.documents import (
    FIELD_BOOSTS,
    PAIRS_FIELD,
    SearchDocument,
    make_document,
    ordered_entries,
)
from dxportal.search.preview.index import open_index, write_language_index
from dxportal.search.preview.pairs import PairTerm
from dxportal.search.static import export, postings, terms
from dxportal.search.static.export import export_static_index
from dxportal.search.static.terms import document_terms

from conftest import EMBEDDED_CONTENT, page_text, tree_digest

NODE = shutil.which("node")
JS_DIR = Path(__file__).parent / "js"
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")
VIETNAMESE = "chuyển đổi số Bến Tre hoà hòa thuý quý đăng ký ĐẤT ĐAI ở ý các tỉnh 2025 e-Gov"


def whoosh_counts(text: str, lang: str) -> tuple[dict[str, int], int]:
    counts: dict[str, int] = defaultdict(int)
    length = 0
    for token in WordTokenizer(lang)(text):
        counts[token.text] += 1
        length += 1
    return dict(counts), length


def whoosh_pairs(text: str, lang: str) -> tuple[dict[str, list[int]], int]:
    positions: dict[str, list[int]] = defaultdict(list)
    length = 0
    for token in PairTokenizer(lang)(text, positions=True):
        positions[token.text].append(token.pos)
        length += 1
    return dict(positions), length


def make_search_document(title: str, tags: str, summary: str, body: str) -> SearchDocument:
    return SearchDocument("news/x", "news", "x", "vi", "", title, summary, body, tags)


def check_terms_match_whoosh(document: SearchDocument, lang: str) -> None:
    found = document_terms(document, "", lang)
    expected = [whoosh_counts(getattr(document, name), lang) for name in FIELD_BOOSTS]
    assert found.field_lengths == tuple(length for _, length in expected)
    expected_pairs, expected_length = whoosh_pairs(document.fields()[PAIRS_FIELD], lang)
    assert found.pair_positions() == expected_pairs
    title, tags, summary, body = (counts for counts, _ in expected)
    heading = title.keys() | tags.keys() | summary.keys()  # their words carry four counts
    assert found.word_runs() == {
        term: (body.get(term, 0), *((title.get(term, 0), tags.get(term, 0),
                                     summary.get(term, 0)) if term in heading else ()))
        for term in body.keys() | heading
    }  # fmt: skip
    assert found.pair_length == expected_length


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize(
    "fields",
    [
        ("Chuyển đổi số", "ban chỉ đạo, chuyển đổi số", "Tóm tắt ngắn.", VIETNAMESE),
        ("", "", "", ""),
        ("Một", "", "", "hai"),  # a field break between every field: no pair spans two
        ("Steering committees", "plans", "Meetings and reports", "The committee's plans."),
        ("Tiêu đề" + FIELD_BREAK + "lạ", "", "tóm" + FIELD_BREAK + "tắt", "thân bài"),
    ],
)
def test_document_terms_are_what_whoosh_indexes(fields, lang):
    check_terms_match_whoosh(make_search_document(*fields), lang)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=VIETNAMESE + " .,\u2029\u0301\u0300", max_size=60),
                min_size=4, max_size=4), st.sampled_from(["vi", "en"]))  # fmt: skip
def test_document_terms_match_whoosh_on_any_text(fields, lang):
    check_terms_match_whoosh(make_search_document(*fields), lang)


# --- the exported numbers are Whoosh's ------------------------------------------------------


def test_search_js_decodes_lengths_with_whoosh_table():
    vectors = json.loads((Path(__file__).parent / "search_vectors.json").read_text("utf-8"))
    assert vectors["lengths"] == list(_length_byte_cache)  # node checks search.js against it


def whoosh_weights(searcher, fields: dict[str, float],
                   pair_terms: list[str] | None = None) -> dict[str, dict[int, int]]:  # fmt: skip
    """term -> {doc: weight} from a Whoosh index: its BM25F per field, boosted and summed
    (of ``pair_terms`` in the pairs field, if given)."""
    reader = searcher.reader()
    model = searcher.weighting
    scores: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for name, boost in fields.items():
        avgfl = searcher.avg_field_length(name) or 1
        for term in pair_terms or reader.field_terms(name):
            if pair_terms:  # the preview holds no pair terms: PairTerm, from word positions
                idf = PairTerm(term).scorer(searcher, model).idf
                matcher = PairTerm(term).matcher(searcher, searcher.context())
            else:
                idf = searcher.idf(name, term)
                matcher = reader.postings(name, term)
            while matcher.is_active():
                doc, tf = matcher.id(), matcher.weight()
                length = searcher.doc_field_length(doc, name, 1) or 1
                norm = model.K1 * ((1 - model.B) + model.B * length / avgfl)
                scores[term][doc] += boost * idf * ((tf * (model.K1 + 1)) / (tf + norm))
                matcher.next()
    return {t: {d: export.to_weight(s) for d, s in docs.items()} for t, docs in scores.items()}


def client_weights(data: Path) -> dict[str, dict[str, dict[int, int]]]:
    """{"t": words, "q": pairs}: term -> {doc: weight}, as search.js computes them."""
    run = subprocess.run([NODE, str(JS_DIR / "dump_weights.js"), str(data)],
                         capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
    found = json.loads(run.stdout)
    return {
        kind: {term: {int(doc): w for doc, w in docs.items()} for term, docs in terms.items()}
        for kind, terms in found.items()
    }


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("export")
    app = create_app({
        "DXPORTAL_CONTENT_DIR": str(EMBEDDED_CONTENT),
        "DXPORTAL_CACHE_DIR": str(tmp / "cache"),
        "DXPORTAL_SEARCH_INDEX_DIR": str(tmp / "search_index"),
    })  # fmt: skip
    site = app.extensions["dxportal.store"].get()
    export_static_index(app, site, tmp / "build")
    renderer = app.extensions["dxportal.renderer"]
    for lang in ("vi", "en"):
        write_language_index(site, lang, tmp / "whoosh" / lang, renderer)
        pairs = {  # every pair term a query can look up (query.pair_query_term): both
            term  # words exact and marked, or both folded (the pairs field held both forms)
            for entry in ordered_entries(site)
            for _, term in iter_pairs(
                make_document(entry, lang, site, renderer).fields()[PAIRS_FIELD], lang
            )
            if len({fold(word) == word for word in term.split(" ")}) == 1
        }
        (tmp / f"pairs-{lang}.json").write_text(json.dumps(sorted(pairs)), "utf-8")
    return tmp


@needs_node
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_client_computes_whoosh_bm25f_scores(exported, lang):
    data = exported / "build" / lang / "search" / "data"
    with open_index(exported / "whoosh", lang).searcher() as searcher:
        words = whoosh_weights(searcher, FIELD_BOOSTS)
        pair_terms = json.loads((exported / f"pairs-{lang}.json").read_text("utf-8"))
        pairs = whoosh_weights(searcher, {PAIRS_FIELD: 1.0}, pair_terms)
    found = client_weights(data)
    assert found["t"] == words
    assert sorted(pairs) == pair_terms and len(pairs) > 100  # each found in some page
    assert {term: found["q"].get(term) for term in pairs} == pairs
    assert "chuyen" in found["t"] or lang == "en"


# --- reuse: the cache and an earlier export --------------------------------------------------


def corpus(make_content) -> Path:
    files = {
        f"news/bai-{n}.vi.md": page_text(f"Bài {n} chuyển đổi số", date=f"2021-03-{n:02d}",
                                         body=f"Nội dung bài {n}: đăng ký dịch vụ công.")
        for n in range(1, 6)
    }  # fmt: skip
    files["news/bai-1.en.md"] = page_text("Article one", date="2021-03-01", body="Services.")
    return make_content(files)


def export_to(root: Path, destination: Path, cache_dir: Path, processes: int = 1) -> Path:
    app = create_app({
        "DXPORTAL_CONTENT_DIR": str(root),
        "DXPORTAL_CACHE_DIR": str(cache_dir),
        "DXPORTAL_NOW": "2026-01-01T00:00",
    })  # fmt: skip
    export_static_index(app, app.extensions["dxportal.store"].get(), destination, processes)
    return destination


def test_a_second_export_reads_the_cache_instead_of_the_pages(tmp_path, make_content, monkeypatch):
    root = corpus(make_content)
    first = tree_digest(export_to(root, tmp_path / "one", tmp_path / "cache"))

    def fail(*args):
        raise AssertionError("analysed again")

    monkeypatch.setattr(terms, "make_document", fail)
    assert tree_digest(export_to(root, tmp_path / "two", tmp_path / "cache")) == first


def test_an_edited_page_is_analysed_again(tmp_path, make_content):
    root = corpus(make_content)
    export_to(root, tmp_path / "one", tmp_path / "cache")
    (root / "news/bai-2.vi.md").write_text(
        page_text("Bài 2 đã sửa", date="2021-03-02", body="Hoàn toàn mới."), encoding="utf-8"
    )
    edited = tree_digest(export_to(root, tmp_path / "two", tmp_path / "cache"))
    assert edited == tree_digest(export_to(root, tmp_path / "clean", tmp_path / "fresh"))


def test_a_corrupt_terms_cache_does_not_change_the_export(tmp_path, make_content):
    root = corpus(make_content)
    expected = tree_digest(export_to(root, tmp_path / "one", tmp_path / "cache"))
    entries = [p for p in (tmp_path / "cache" / "search-terms").rglob("*") if p.is_file()]
    assert entries
    for number, entry in enumerate(entries):
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2] if number % 2 else b"garbage")
    assert tree_digest(export_to(root, tmp_path / "two", tmp_path / "cache")) == expected


def test_exporting_over_an_earlier_export_equals_a_fresh_one(tmp_path, make_content, monkeypatch):
    monkeypatch.setattr(export, "GROUP", 2)
    root = corpus(make_content)
    site = export_to(root, tmp_path / "site", tmp_path / "cache")
    unchanged = site / "vi/search/data/d/0.json"  # bai-5 and bai-4, the newest: still 0 and 1
    before = unchanged.stat().st_mtime_ns
    (root / "news/bai-3.vi.md").unlink()  # one document fewer: its file must go
    (root / "news/bai-2.vi.md").write_text(
        page_text("Bài 2", date="2021-03-02", body="Khác hẳn."), encoding="utf-8"
    )
    export_to(root, site, tmp_path / "cache")
    assert tree_digest(site) == tree_digest(export_to(root, tmp_path / "clean", tmp_path / "fresh"))
    meta = json.loads((site / "vi/search/data/meta.json").read_text("utf-8"))
    assert len(list((site / "vi/search/data/d").iterdir())) == (meta["count"] + 1) // 2
    assert unchanged.stat().st_mtime_ns == before


def test_two_processes_export_the_same_files_as_one(tmp_path, make_content, monkeypatch):
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    root = corpus(make_content)
    one = export_to(root, tmp_path / "one", tmp_path / "c1", processes=1)
    two = export_to(root, tmp_path / "two", tmp_path / "c2", processes=2)
    assert tree_digest(one) == tree_digest(two)


def test_a_build_under_a_sub_path_converts_each_body_once(tmp_path, make_content, monkeypatch):
    """The index reads the bodies the pages' freeze rendered (with the site's sub-path in
    their links) instead of converting them again, and its words do not depend on the path."""
    root = corpus(make_content)
    converted = count_conversions(monkeypatch)
    builds = {
        base_url: build(root, tmp_path / str(number), tmp_path / f"cache-{number}",
                        DXPORTAL_BASE_URL=base_url, DXPORTAL_WORKERS=1)
        for number, base_url in enumerate(["https://so.example/cong-thong-tin/",
                                           "https://so.example/"])
    }  # fmt: skip
    assert converted and len(converted) == 2 * len(set(converted))  # once in each build
    under_path, at_root = (
        {lang: {kind: tree_digest(folder / lang / "search/data" / kind) for kind in "tqp"}
         for lang in ("vi", "en")} for folder in builds.values()
    )  # fmt: skip
    assert under_path == at_root


def test_a_renderer_upgrade_exports_the_index_again(tmp_path, make_content, monkeypatch):
    """The index's text comes from the rendered HTML: a python-markdown (or nh3) upgrade that
    renders the same Markdown differently must not leave the index of the old text behind,
    although no page changed."""
    root = corpus(make_content)
    site = export_to(root, tmp_path / "site", tmp_path / "cache")
    before = tree_digest(site)
    upgrade_renderer(monkeypatch, "đăng ký", "ghi danh")  # the words change
    export_to(root, site, tmp_path / "cache")
    clean = tree_digest(export_to(root, tmp_path / "clean", tmp_path / "fresh"))
    assert clean != before
    assert tree_digest(site) == clean


def refuse(monkeypatch, *names: str) -> None:
    """Make the named LanguageExport methods fail the test if called."""
    for name in names:

        def fail(*args, name=name):
            raise AssertionError(f"{name} called")

        monkeypatch.setattr(export.LanguageExport, name, fail)


def test_an_unchanged_export_is_not_redone(tmp_path, make_content, monkeypatch):
    root = corpus(make_content)
    site = export_to(root, tmp_path / "site", tmp_path / "cache")
    expected = tree_digest(site)
    with monkeypatch.context() as patched:
        refuse(patched, "full", "patch")
        export_to(root, site, tmp_path / "cache")
    assert tree_digest(site) == expected


def edit(root: Path, change: str, counter: int) -> None:
    """One edit a communicator makes to an existing article (its address and date kept)."""
    path = root / "news/bai-2.vi.md"
    if change == "body":
        text = page_text("Bài 2 chuyển đổi số", date="2021-03-02",
                         body=f"Sửa lỗi {counter}: đăng ký dịch vụ công trực tuyến.")  # fmt: skip
    elif change == "title":
        text = page_text(f"Bài 2 đã đổi tên {counter}", date="2021-03-02", body="Nội dung bài 2.")
    elif change == "english added":
        path = root / "news/bai-2.en.md"
        text = page_text(f"Article two {counter}", date="2021-03-02", body="Online services.")
    else:  # every word gone but one
        text = page_text("Hai", date="2021-03-02", body=f"Hai {counter}.")
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("change", ["body", "title", "english added", "words removed"])
def test_an_edit_rewrites_only_its_terms_and_equals_a_clean_export(
    tmp_path, make_content, monkeypatch, change
):
    """Builds alternate between two folders (the build and the spare): each export starts
    from the one before the last, patches the documents changed since, and writes the same
    bytes as a clean export."""
    monkeypatch.setattr(export, "shard_count", lambda size: 32)  # most shards stay untouched
    root = corpus(make_content)
    folders = [tmp_path / "a", tmp_path / "b"]
    for folder in folders:
        export_to(root, folder, tmp_path / "cache")
    for counter in range(3):
        edit(root, change, counter)
        folder = folders[counter % 2]
        untouched = {p: p.stat().st_mtime_ns for p in (folder / "vi/search/data/t").iterdir()}
        with monkeypatch.context() as patched:
            refuse(patched, "full")
            export_to(root, folder, tmp_path / "cache")
        clean = export_to(root, tmp_path / f"clean-{counter}", tmp_path / f"fresh-{counter}")
        assert tree_digest(folder) == tree_digest(clean)
        rewritten = [p for p, mtime in untouched.items() if p.stat().st_mtime_ns != mtime]
        assert len(rewritten) < len(untouched)


@pytest.mark.parametrize(
    "change", ["order changed", "terms no longer cached", "many edited", "more shards"]
)
def test_an_export_that_cannot_patch_starts_anew(tmp_path, make_content, monkeypatch, change):
    root = corpus(make_content)
    site = export_to(root, tmp_path / "site", tmp_path / "cache")
    if change == "more shards":  # the edit takes the index over a size limit
        monkeypatch.setattr(export, "shard_count", lambda size: 1 if size < 10_000 else 4)
        site = export_to(root, tmp_path / "site", tmp_path / "cache")
        long_body = " ".join(f"từ{number}" for number in range(2000))
        for lang in ("vi", "en"):  # the English index holds the body of English pages only
            (root / f"news/bai-2.{lang}.md").write_text(
                page_text("Bài 2", date="2021-03-02", body=long_body), encoding="utf-8"
            )
    elif change == "order changed":  # a new date moves the article: every number after it moves
        (root / "news/bai-2.vi.md").write_text(
            page_text("Bài 2", date="2021-03-09", body="Khác hẳn."), encoding="utf-8"
        )
    elif change == "terms no longer cached":
        edit(root, "body", 1)
        shutil.rmtree(tmp_path / "cache" / "search-terms")
    else:
        for number in range(1, 6):
            (root / f"news/bai-{number}.vi.md").write_text(
                page_text(f"Bài {number}", date=f"2021-03-{number:02d}", body="Mới."),
                encoding="utf-8",
            )
    with monkeypatch.context() as patched:
        if change != "terms no longer cached":
            patched.setattr(export, "patch_shards", None)  # never reached
        export_to(root, site, tmp_path / "cache")
    assert tree_digest(site) == tree_digest(export_to(root, tmp_path / "clean", tmp_path / "fresh"))


@pytest.mark.parametrize("change", ["content", "file changed by hand", "file added by hand"])
def test_an_export_is_redone_when_anything_changed(tmp_path, make_content, change):
    root = corpus(make_content)
    site = export_to(root, tmp_path / "site", tmp_path / "cache")
    data = site / "vi/search/data"
    if change == "content":
        (root / "news/bai-2.vi.md").write_text(
            page_text("Bài 2", date="2021-03-02", body="Khác hẳn."), encoding="utf-8"
        )
    elif change == "file changed by hand":
        (data / "d/0.json").write_text("{}", encoding="utf-8")
    else:
        (data / "t" / "extra.json").write_text("{}", encoding="utf-8")
    export_to(root, site, tmp_path / "cache")
    assert tree_digest(site) == tree_digest(export_to(root, tmp_path / "clean", tmp_path / "fresh"))


@pytest.mark.parametrize("damage", ["garbage", "cut short", "wrong shape"])
def test_a_damaged_export_history_only_means_a_full_export(
    tmp_path, make_content, monkeypatch, damage
):
    root = corpus(make_content)
    site = export_to(root, tmp_path / "site", tmp_path / "cache")
    edit(root, "body", 1)
    entries = [p for p in (tmp_path / "cache" / "search-exports").rglob("*") if p.is_file()]
    assert entries
    for entry in entries:  # damaged inside, behind an intact checksum (see DiskCache)
        payload = entry.read_bytes()[32:]
        if damage == "garbage":
            payload = b"garbage"
        elif damage == "cut short":
            payload = payload[: len(payload) // 2]
        else:
            payload = marshal.dumps([("layout", [], 1, 2)])
        entry.write_bytes(hashlib.sha256(payload).digest() + payload)
    with monkeypatch.context() as patched:
        refuse(patched, "patch")
        export_to(root, site, tmp_path / "cache")
    assert tree_digest(site) == tree_digest(export_to(root, tmp_path / "clean", tmp_path / "fresh"))


def export_vietnamese(root: Path, folder: Path, cache_dir: Path, shared: bool) -> Path:
    """One language's full export in this process, its merge shared or not."""
    app = create_app({
        "DXPORTAL_CONTENT_DIR": str(root),
        "DXPORTAL_CACHE_DIR": str(cache_dir),
        "DXPORTAL_NOW": "2026-01-01T00:00",
    })  # fmt: skip
    site = app.extensions["dxportal.store"].get()
    with app.test_request_context("/"):
        flask.g.lang = "vi"
        flask_babel.refresh()
        language = export.LanguageExport(app, site, "vi", folder, terms.TermsCache(cache_dir))
        language.shared = shared
        language.full()
    return folder


def test_a_merge_shared_with_a_forked_process_writes_the_same_files(
    tmp_path, make_content, monkeypatch
):
    monkeypatch.setattr(postings, "SHARD_BYTES", 1)  # enough shards for a batch a partition
    forks = []
    fork_job = postings.fork_job
    monkeypatch.setattr(postings, "fork_job", lambda job: forks.append(1) or fork_job(job))
    root = corpus(make_content)
    alone = export_vietnamese(root, tmp_path / "alone", tmp_path / "c1", shared=False)
    assert not forks
    shared = export_vietnamese(root, tmp_path / "shared", tmp_path / "c2", shared=True)
    assert forks == [1]
    assert len(list((shared / "q").iterdir())) >= terms.PARTITIONS
    assert tree_digest(alone) == tree_digest(shared)


def test_a_failed_half_of_a_shared_merge_fails_the_export(tmp_path, make_content, monkeypatch):
    monkeypatch.setattr(postings, "SHARD_BYTES", 1)
    parent = os.getpid()
    write_batch = postings.Spill.write_batch

    def fail_in_the_child(self, *args):
        if os.getpid() != parent:
            raise OSError("disk full")
        return write_batch(self, *args)

    monkeypatch.setattr(postings.Spill, "write_batch", fail_in_the_child)
    with pytest.raises(workers.JobFailed, match="disk full"):
        export_vietnamese(corpus(make_content), tmp_path / "out", tmp_path / "cache", shared=True)


def test_two_processes_sharing_the_vietnamese_export_write_the_same_files(
    tmp_path, make_content, monkeypatch
):
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(postings, "SHARD_BYTES", 1)
    root = corpus(make_content)
    one = export_to(root, tmp_path / "one", tmp_path / "c1", processes=1)
    two = export_to(root, tmp_path / "two", tmp_path / "c2", processes=2)
    assert tree_digest(one) == tree_digest(two)
