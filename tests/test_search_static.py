"""Search on the frozen site: the exported index, the JS client, agreement with Whoosh."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from dxportal import create_app
from dxportal.build.pipeline import freeze_site
from dxportal.config import PROJECT_ROOT
from dxportal.search.preview.query import loose_pair_terms, parse_query, phrase_pair_terms
from dxportal.search.static.postings import shard_of

from conftest import EMBEDDED_CONTENT, parse

NODE = shutil.which("node")
JS_DIR = Path(__file__).parent / "js"
SEARCH_JS = PROJECT_ROOT / "site/dxportal/static/js/search.js"
QUERIES = {
    "vi": ["chuyen doi so", '"chuyển đổi số"', "ban chi dao", "dang ky", "Bến Tre", "hoà",
           "kế hoạch", '"ban chi dao" hop', "so", "doanh nghiep", "khong co tu nay"],
    "en": ["digital transformation", "steering committees", '"steering committee"', "Ben Tre",
           "plan", "resolution"],
}  # fmt: skip
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")


def make_app(base_url: str, tmp: Path):
    return create_app({
        "DXPORTAL_CONTENT_DIR": str(EMBEDDED_CONTENT),
        "DXPORTAL_BASE_URL": base_url,
        "FREEZER_BASE_URL": base_url,
        "DXPORTAL_SEARCH_INDEX_DIR": str(tmp / "search_index"),
    })  # fmt: skip


@pytest.fixture(scope="module")
def frozen(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("static-search")
    app = make_app("http://localhost/", tmp)
    freeze_site(app, tmp / "build")
    return app, tmp / "build"


def data_dir(build: Path, lang: str) -> Path:
    return build / lang / "search" / "data"


def test_search_page_is_frozen_with_form_container_and_fallback(frozen):
    _, build = frozen
    for lang in ("vi", "en"):
        page = parse((build / lang / "search" / "index.html").read_text("utf-8"))
        assert page.select_one("form#search-form input[name=q]")
        box = page.select_one("#search-results")
        assert box["data-index"] == f"/{lang}/search/data/"
        assert (build / lang / "search/data/meta.json").is_file()
        # Without JavaScript: a plain list of links to the sections, all of them frozen.
        links = [a["href"] for a in box.select(".search-sections a")]
        assert links and all((build / link.lstrip("/") / "index.html").is_file() for link in links)
        script = page.select_one("script[src]")
        src = script["src"].split("?")[0]
        assert not script.string and (build / src.lstrip("/")).is_file()
        assert not page.select("[onclick], [oninput], [onsubmit], script:not([src])")


def test_export_files_and_document_records(frozen):
    _, build = frozen
    meta = json.loads((data_dir(build, "vi") / "meta.json").read_text("utf-8"))
    groups = [json.loads(p.read_text("utf-8")) for p in (data_dir(build, "vi") / "d").glob("*")]
    assert len(groups) == -(-meta["count"] // meta["group"])  # records packed, in full groups
    assert sorted(map(len, groups))[1:] == [meta["group"]] * (len(groups) - 1)
    records = [record for group in groups for record in group]
    assert meta["count"] == len(records) == len({r["u"] for r in records})
    assert meta["sections"]["news"][0] == 0
    steering = next(r for r in records if r["u"].endswith("lan-thu-nhat/"))
    assert steering["t"].startswith("Họp Ban Chỉ đạo") and steering["i"] == "2021-03-03"
    assert (build / steering["u"].lstrip("/") / "index.html").is_file()


def test_sub_path_build_points_the_client_and_results_at_the_sub_path(tmp_path):
    app = make_app("https://example.org/portal/", tmp_path)
    freeze_site(app, tmp_path / "build")
    page = parse((tmp_path / "build/vi/search/index.html").read_text("utf-8"))
    assert page.select_one("#search-results")["data-index"] == "/portal/vi/search/data/"
    record = json.loads((tmp_path / "build/vi/search/data/d/0.json").read_text("utf-8"))[0]
    assert record["u"].startswith("/portal/vi/")


def query_files(build: Path, lang: str, raw: str, shown: list[int]) -> list[Path]:
    """The files search.js fetches for ``raw``: meta, n.json, a shard per term, the documents
    shown."""
    folder = data_dir(build, lang)
    meta = json.loads((folder / "meta.json").read_text("utf-8"))
    counts = meta["shards"]
    parsed = parse_query(raw, lang)
    pairs = [t for p in parsed.phrases for t in phrase_pair_terms(p)] + loose_pair_terms(parsed)
    files = {folder / "meta.json", folder / "n.json"}
    files |= {folder / "t" / f"{shard_of(t, counts['t'])}.json" for t in parsed.terms}
    files |= {folder / "q" / f"{shard_of(t, counts['q'])}.json" for t in pairs}
    files |= {folder / "d" / f"{doc // meta['group']}.json" for doc in shown}
    return sorted(files)


def test_a_query_downloads_only_what_it_needs(frozen):
    _, build = frozen
    needed = query_files(build, "vi", "chuyen doi so", list(range(10)))
    everything = [p for p in data_dir(build, "vi").rglob("*.json")]
    assert sum(p.stat().st_size for p in needed) < 60_000
    assert len(needed) < len(everything) / 2


def test_client_is_small():
    assert len(gzip.compress(SEARCH_JS.read_bytes())) < 10_000


@needs_node
def test_node_runs_the_js_tests_on_the_shared_vectors():
    run = subprocess.run([NODE, "--test", str(JS_DIR)], capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "# fail 0" in run.stdout


@needs_node
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_frozen_search_ranks_like_whoosh(frozen, lang):
    app, build = frozen
    run = subprocess.run(
        [NODE, str(JS_DIR / "run_queries.js"), str(data_dir(build, lang)), lang, *QUERIES[lang]],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    from_js = json.loads(run.stdout)
    engine = app.extensions["dxportal.search"]
    with app.test_request_context("/"):
        from dxportal.web.urls import entry_url

        for raw in QUERIES[lang]:
            results = engine.search(raw, lang)
            from_whoosh = [entry_url(hit.entry, lang) for hit in results.hits]
            assert from_js[raw][:10] == from_whoosh, raw
            assert len(from_js[raw]) == results.total, raw


def test_an_untranslated_page_is_found_in_english_by_its_title_not_its_body(frozen):
    """The English index holds a Vietnamese page shown in English by its title, tags and
    summary, not by its body (search/documents.py says why); preview and frozen site agree."""
    app, build = frozen
    engine = app.extensions["dxportal.search"]
    slug = "ban-chi-dao-hop-hang-quy-thong-tin-hang-thang"  # no English version
    queries = ["hàng quý", "quy chế hoạt động"]  # in its title; in its body only
    with app.test_request_context("/"):
        found = {
            (raw, lang): [hit.entry.slug for hit in engine.search(raw, lang).hits]
            for raw in queries
            for lang in ("vi", "en")
        }
    assert slug in found["hàng quý", "en"] and slug in found["hàng quý", "vi"]
    assert slug in found["quy chế hoạt động", "vi"]
    assert slug not in found["quy chế hoạt động", "en"]
    if NODE is not None:
        run = subprocess.run(
            [NODE, str(JS_DIR / "run_queries.js"), str(data_dir(build, "en")), "en", *queries],
            capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        from_js = json.loads(run.stdout)
        assert any(slug in url for url in from_js["hàng quý"])
        assert not any(slug in url for url in from_js["quy chế hoạt động"])
