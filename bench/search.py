"""Search benchmark on the synthetic corpus of ../shared/bench (prints figures, asserts nothing).

    PYTHONPATH=site python bench/search.py [--n 2000 5000] [--gen ../shared/bench/gen_corpus.py]
    PYTHONPATH=site python bench/search.py --preview-index --n 2000 5000 [--runs 3] \
        [--corpora /tmp/whoosh-corpus]
    PYTHONPATH=site python bench/search.py --export --n 1000 5000 [--runs 3] \
        [--corpora /tmp/export-corpus]

The second form measures the preview's Whoosh index alone (issue #19): the median of full
builds (wall, and CPU with the forked writers), its size, the update after one edited page and
the query latency; run it with PYTHONPATH pointing at another checkout's site/ to measure that
code (before/after, side by side). With --corpora, the corpus of N articles is generated once
into DIR/N and copied from there for each run (generating 5,000 articles takes minutes).

The third form measures the static export alone (issue #17), in one process, both languages
one after the other, each figure the median CPU seconds of ``--runs`` fresh processes (a
process's memos start empty, as a build's do): the analysis of every document (terms.py,
bodies read from the Markdown cache as the build's export reads them after the freeze), a
full export with every document's terms cached (the merging into shards and the writing),
and a full export with an empty terms cache (what a cold build does).

Index build time and size, the time to update the index after one page is edited (what the
preview does), query latency medians (the preview's search engine, and Whoosh scoring every
hit as before), recall of queries typed without marks against a plain scan of the text, and
the bytes a first query downloads from the static index (meta.json, n.json, the shards of its
terms, the groups of records of the first page's documents). Times are medians of several
runs, with the CPU time of the process beside the wall time: on a shared machine the wall time
varies with the load.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import inspect
import json
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import yaml

from dxportal import create_app
from dxportal.config import PROJECT_ROOT
from dxportal.content.loader import load_content
from dxportal.search.analysis import split_words
from dxportal.search.documents import make_document, ordered_entries
from dxportal.search.preview.index import build_index, open_index, update_index
from dxportal.search.preview.query import (
    build_query,
    loose_pair_terms,
    parse_query,
    phrase_pair_terms,
)
from dxportal.search.static.export import export_static_index
from dxportal.search.static.postings import shard_of

AND_QUERIES = [
    "dang ky",
    "chuyen doi",
    "dịch vụ",
    "ho so truc tuyen",
    "ban chi dao",
    "người dân",
    "giay phep",
    "thu tuc hanh chinh",
    "doanh nghiep",
    "bao hiem",
]
PHRASE_QUERIES = [
    '"chuyển đổi số"',
    '"chuyen doi so"',
    '"dịch vụ công"',
    '"ho so"',
    '"thủ tục hành chính"',
    '"dang ky"',
]
RECALL_QUERIES = ["dang ky", "dat dai", "do", "duong", "chuyen doi so", "dich vu cong"]
# ../shared/ beside the project (a checkout in a folder of worktrees: two levels up).
DEFAULT_GEN = next(
    (p for p in (PROJECT_ROOT.parent, PROJECT_ROOT.parent.parent)
     if (p / "shared" / "bench" / "gen_corpus.py").is_file()),
    PROJECT_ROOT.parent,
) / "shared" / "bench" / "gen_corpus.py"  # fmt: skip


def make_corpus(gen: Path, n: int, out: Path) -> Path:
    subprocess.run([sys.executable, str(gen), str(n), str(out)], check=True)
    spec = importlib.util.spec_from_file_location("gen_corpus", gen)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    content = out / "content"
    shutil.copy(PROJECT_ROOT / "content" / "site.yml", content / "site.yml")
    (content / "pages").mkdir(exist_ok=True)
    for path in (PROJECT_ROOT / "content" / "pages").glob("about.*.md"):
        shutil.copy(path, content / "pages" / path.name)
    (content / "media").mkdir(exist_ok=True)
    tags = yaml.safe_load((PROJECT_ROOT / "content" / "tags.yml").read_text(encoding="utf-8"))
    tags.update({module.tag_slug(t): {"vi": t, "en": t} for t in module.TAG_POOL})
    (content / "tags.yml").write_text(json.dumps(tags, ensure_ascii=False), encoding="utf-8")
    return content


def timed(function, *args) -> tuple[float, float]:
    """(wall, CPU) seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    function(*args)
    return time.perf_counter() - wall, time.process_time() - cpu


def median_ms(function, raw: str, runs: int = 7) -> tuple[float, float, float, float]:
    """Milliseconds of ``function(raw)``: the first call (wall, CPU), then the median wall
    and CPU time of ``runs`` more."""
    first = timed(function, raw)
    times = [timed(function, raw) for _ in range(runs)]
    return (
        first[0] * 1000,
        statistics.median(t[0] for t in times) * 1000,
        statistics.median(t[1] for t in times) * 1000,
        first[1] * 1000,
    )


def report_latency(label: str, function) -> None:
    for kind, queries in (("AND", AND_QUERIES), ("phrase", PHRASE_QUERIES)):
        medians = [median_ms(function, q) for q in queries]
        firsts, walls, cpus, first_cpus = ([m[i] for m in medians] for i in range(4))
        print(
            f"{label}, {kind} queries: median {statistics.median(walls):.1f} ms "
            f"(CPU {statistics.median(cpus):.1f} ms; max of medians {max(walls):.1f} ms; "
            f"first run {statistics.median(firsts):.1f} ms, "
            f"CPU median {statistics.median(first_cpus):.1f} / max {max(first_cpus):.1f} ms)"
        )


def edit_one_page(content: Path) -> Path:
    """Append a paragraph to one Vietnamese article, as an editor would."""
    path = sorted((content / "news").glob("*.vi.md"))[len(AND_QUERIES)]
    path.write_text(path.read_text(encoding="utf-8") + "\nĐoạn mới: hợp tác xã.\n", "utf-8")
    return path


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def scan_truth(texts: dict[str, str], raw: str, phrase: bool) -> set[str]:
    """Documents that hold the query words (in order, side by side, for a phrase), found by a
    plain scan: a word typed with marks compares exact forms, one typed without, folded forms."""
    wanted = parse_query(raw, "vi").words
    found = set()
    for key, text in texts.items():
        words = split_words(text)
        seen = [[w.exact if q.marked else w.folded for w in words] for q in wanted]
        if phrase:
            starts = range(len(words) - len(wanted) + 1)
            ok = any(all(seen[i][s + i] == q.term for i, q in enumerate(wanted)) for s in starts)
        else:
            ok = all(q.term in seen[i] for i, q in enumerate(wanted))
        if ok:
            found.add(key)
    return found


def query_bytes(data: Path, raw: str, docs: list[int]) -> tuple[int, int]:
    """Bytes of the files a first query downloads: as stored, and gzip-compressed."""
    meta = json.loads((data / "meta.json").read_text())
    counts = meta["shards"]
    parsed = parse_query(raw, "vi")
    files = {data / "meta.json", data / "n.json"}
    files |= {data / "t" / f"{shard_of(t, counts['t'])}.json" for t in parsed.terms}
    pairs = [t for p in parsed.phrases for t in phrase_pair_terms(p)] + loose_pair_terms(parsed)
    files |= {data / "q" / f"{shard_of(t, counts['q'])}.json" for t in pairs}
    phrases = [phrase_pair_terms(p) for p in parsed.phrases]
    long = [t for terms in phrases if len(terms) > 1 for t in terms]  # their positions are read
    files |= {data / "p" / f"{shard_of(t, counts['p'])}.json" for t in long}
    files |= {data / "d" / f"{d // meta['group']}.json" for d in docs}
    return sum(f.stat().st_size for f in files), sum(
        len(gzip.compress(f.read_bytes())) for f in files
    )


BROWSER_PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>bench</title>
<link rel="icon" href="data:,"></head><body>
<input id="search-q" type="search"><select id="search-section"><option value=""></option></select>
<div id="search-results" data-index="/vi/search/data/" data-lang="vi" data-msg-empty="empty"
 data-msg-none="none" data-msg-one="one" data-msg-many="{num} results" data-msg-page="{number}"
 data-msg-pages="pages" data-msg-previous="prev" data-msg-next="next" data-msg-loading="..."
 data-msg-error="error"></div><script src="/static/js/search.js"></script></body></html>"""


def measure_in_browser(root: Path, queries: list[str]) -> None:
    """Bytes each first query downloads in headless Chromium, and the time to results when
    typing a second query on the loaded page."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("browser: playwright is not installed, skipped")
        return
    (root / "static" / "js").mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_ROOT / "site/dxportal/static/js/search.js", root / "static/js/search.js")
    (root / "vi" / "search" / "index.html").write_text(BROWSER_PAGE, encoding="utf-8")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                               "127.0.0.1"], cwd=root, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(1)
    args = ["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND, "
            "EXCLUDE localhost, EXCLUDE 127.0.0.1"]  # fmt: skip
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=args)
            downloads, typing = [], []
            for raw in queries:
                page = browser.new_page()
                sizes: list[int] = []
                page.on("requestfinished", lambda r, sizes=sizes: sizes.append(
                    r.sizes()["responseBodySize"]) if "/data/" in r.url else None)  # fmt: skip
                page.goto(f"http://127.0.0.1:{port}/vi/search/?q={raw}")
                page.wait_for_selector(".search-count")
                page.wait_for_load_state("networkidle")
                downloads.append(sum(sizes))
                page.fill("#search-q", raw + " so")
                page.wait_for_function("!location.search || location.search.includes('+so')")
                page.wait_for_function("!document.getElementById('search-results')"
                                       ".hasAttribute('aria-busy')")  # fmt: skip
                typing.append(int(page.get_attribute("#search-results", "data-took")))
                page.close()
            browser.close()
        print(
            f"browser (Chromium): first query downloads median "
            f"{statistics.median(downloads) / 1000:.1f} kB (max {max(downloads) / 1000:.1f} kB)"
            f" of index data; results after typing a second query: median "
            f"{statistics.median(typing):.0f} ms in the page, after a 40 ms typing pause"
        )
    finally:
        server.terminate()
        server.wait()


def cpu_with_children() -> float:
    """CPU seconds of this process and of its waited-for children (forked index writers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def full_index(site, folder: Path, renderer) -> tuple[float, float]:
    """(wall, CPU with children) of a full build_index, with every process it may use."""
    parameters = inspect.signature(build_index).parameters
    extra = {"processes": 2} if "processes" in parameters else {}
    wall, cpu = time.perf_counter(), cpu_with_children()
    build_index(site, folder, renderer, **extra)
    return time.perf_counter() - wall, cpu_with_children() - cpu


def reused_corpus(gen: Path, n: int, corpora: Path | None, work: Path) -> Path:
    """The content folder of a corpus of ``n`` articles in ``work``: copied from
    ``corpora``/n (generated there first if missing), or generated in ``work``."""
    if corpora is None:
        return make_corpus(gen, n, work / "corpus")
    kept = corpora / str(n)
    if not (kept / "content").is_dir():
        make_corpus(gen, n, kept)
    shutil.copytree(kept / "content", work / "corpus" / "content")
    return work / "corpus" / "content"


def preview_index_only(n: int, gen: Path, runs: int, corpora: Path | None = None) -> None:
    """The preview's Whoosh index alone: full build (median of ``runs``), size, update after
    one edit, query latency (the figures of issue #19, before and after)."""
    work = Path(tempfile.mkdtemp(prefix="dxportal-bench-"))
    try:
        content = reused_corpus(gen, n, corpora, work)
        app = create_app({
            "DXPORTAL_CONTENT_DIR": str(content),
            "DXPORTAL_SEARCH_INDEX_DIR": str(work / "search_index"),
            "DXPORTAL_CACHE_DIR": str(work / "cache"),
        })  # fmt: skip
        site = load_content(content)
        renderer = app.extensions["dxportal.renderer"]
        for entry in ordered_entries(site):  # Markdown rendered once, as the preview has it
            for lang in ("vi", "en"):
                make_document(entry, lang, site, renderer)
        print(f"corpus: {len(site.entries)} entries, {sum(1 for _ in site.pages())} pages")
        figures = [full_index(site, work / "search_index", renderer) for _ in range(runs)]
        for wall, cpu in figures:
            print(f"  full index: {wall:.1f} s (CPU {cpu:.1f} s with its processes)")
        print(
            f"whoosh index: full build median {statistics.median(f[0] for f in figures):.1f} s"
            f" (CPU {statistics.median(f[1] for f in figures):.1f} s), "
            f"{folder_size(work / 'search_index') / 1e6:.1f} MB (vi + en)"
        )
        engine = app.extensions["dxportal.search"]
        engine.ensure_index(engine.store.get())
        report_latency(
            "preview search (count, rank, first page with snippets)",
            lambda raw: engine.search(raw, "vi"),
        )
        updates = []
        for _ in range(3):
            edit_one_page(content)
            edited = load_content(content)
            updates.append(timed(update_index, edited, work / "search_index", renderer))
        print(
            f"whoosh index: update after one edited page, median "
            f"{statistics.median(u[0] for u in updates):.2f} s "
            f"(CPU {statistics.median(u[1] for u in updates):.2f} s)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


EXPORT_RUN = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    import flask_babel
    from flask import g
    from dxportal import create_app
    from dxportal.content.loader import load_content
    from dxportal.search.documents import ordered_entries
    from dxportal.search.static.export import LanguageExport, snippet_source
    from dxportal.search.static.terms import TermsCache

    content, cache, out, what = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
    app = create_app({"DXPORTAL_CONTENT_DIR": str(content), "DXPORTAL_CACHE_DIR": str(cache)})
    site = load_content(content)
    renderer = app.extensions["dxportal.renderer"]
    start = time.process_time()
    for lang in ("vi", "en"):
        if what == "analysis":  # every document's terms, no cache
            terms = TermsCache(None)
            for entry in ordered_entries(site):
                terms.terms(entry, lang, site, renderer, snippet_source)
            continue
        with app.test_request_context("/", base_url="http://localhost/"):
            g.lang = lang
            flask_babel.refresh()
            folder = out / lang / "search" / "data"
            LanguageExport(app, site, lang, folder, TermsCache(cache)).full()
    print(json.dumps(time.process_time() - start))
""")


def export_run(content: Path, cache: Path, out: Path, what: str) -> float:
    """CPU seconds of one measurement of export_only, in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", EXPORT_RUN, str(content), str(cache), str(out), what],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(done.stdout.splitlines()[-1])


def export_only(n: int, gen: Path, runs: int, corpora: Path | None = None) -> None:
    """The static export alone: analysis, sharding and writing, cold (issue #17)."""
    work = Path(tempfile.mkdtemp(prefix="dxportal-bench-"))
    try:
        content = reused_corpus(gen, n, corpora, work)
        cache = work / "cache"
        app = create_app({"DXPORTAL_CONTENT_DIR": str(content), "DXPORTAL_CACHE_DIR": str(cache)})
        site = load_content(content)
        renderer = app.extensions["dxportal.renderer"]
        for entry in ordered_entries(site):  # the Markdown cache, as the freeze leaves it
            for lang in ("vi", "en"):
                make_document(entry, lang, site, renderer)
        print(f"corpus: {len(site.entries)} entries, {sum(1 for _ in site.pages())} pages")
        figures: dict[str, list[float]] = {"analysis": [], "cached": [], "cold": []}
        for _ in range(runs):
            figures["analysis"].append(export_run(content, cache, work / "out", "analysis"))
            shutil.rmtree(cache / "search-terms", ignore_errors=True)
            shutil.rmtree(work / "out", ignore_errors=True)
            figures["cold"].append(export_run(content, cache, work / "out", "cold"))
            shutil.rmtree(work / "out")
            figures["cached"].append(export_run(content, cache, work / "out", "cached"))
        labels = {
            "analysis": "analysis of every document (terms.py)",
            "cached": "full export, terms cached (merge, shards, writing)",
            "cold": "full export, empty terms cache (a cold build's)",
        }
        for name, label in labels.items():
            values = ", ".join(f"{v:.2f}" for v in figures[name])
            print(f"static export, vi + en, one process: {label}: median CPU "
                  f"{statistics.median(figures[name]):.2f} s ({values})")  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[2000])
    parser.add_argument("--gen", type=Path, default=DEFAULT_GEN)
    parser.add_argument(
        "--preview-index",
        action="store_true",
        help="only the preview's Whoosh index: build, size, update, latency",
    )
    parser.add_argument("--runs", type=int, default=3, help="full index builds (median)")
    parser.add_argument(
        "--export",
        action="store_true",
        help="only the static export: analysis, shards, a cold export (CPU, median of runs)",
    )
    parser.add_argument("--corpora", type=Path, help="keep and reuse each corpus in DIR/N")
    args = parser.parse_args()
    if args.preview_index:
        for n in args.n:
            preview_index_only(n, args.gen, args.runs, args.corpora)
        return
    if args.export:
        for n in args.n:
            export_only(n, args.gen, args.runs, args.corpora)
        return
    for n in args.n:
        full_benchmark(n, args.gen)


def full_benchmark(n: int, gen: Path) -> None:
    args = argparse.Namespace(n=n, gen=gen)
    work = Path(tempfile.mkdtemp(prefix="dxportal-bench-"))
    try:
        content = make_corpus(args.gen, args.n, work / "corpus")
        app = create_app(
            {
                "DXPORTAL_CONTENT_DIR": str(content),
                "DXPORTAL_SEARCH_INDEX_DIR": str(work / "search_index"),
                "DXPORTAL_CACHE_DIR": str(work / "cache"),
            }
        )
        site = load_content(content)
        renderer = app.extensions["dxportal.renderer"]
        print(f"corpus: {len(site.entries)} entries, {sum(1 for _ in site.pages())} pages")

        wall, cpu = timed(build_index, site, work / "search_index", renderer)
        print(
            f"whoosh index: built in {wall:.1f} s (CPU {cpu:.1f} s), "
            f"{folder_size(work / 'search_index') / 1e6:.1f} MB (vi + en)"
        )

        timings = []
        for folder in ("static", "static-warm", "static-warm"):  # cold; cache; nothing new
            start = time.perf_counter()
            export_static_index(app, site, work / folder, processes=2)
            timings.append(time.perf_counter() - start)
        data = work / "static" / "vi" / "search" / "data"
        print(
            f"static export (2 processes): {timings[0]:.1f} s with an empty cache, "
            f"{timings[1]:.1f} s with the cache, {timings[2]:.1f} s again with nothing new; "
            f"vi {folder_size(data) / 1e6:.1f} MB in {sum(1 for _ in data.rglob('*.json'))} files"
        )
        js = (PROJECT_ROOT / "site/dxportal/static/js/search.js").read_bytes()
        print(f"search.js: {len(js)} bytes, {len(gzip.compress(js))} gzipped (not minified)")

        texts = {}
        for entry in ordered_entries(site):
            doc = make_document(entry, "vi", site, renderer)
            texts[doc.key] = " ".join((doc.title, doc.tags, doc.summary, doc.body))
        engine = app.extensions["dxportal.search"]
        engine.ensure_index(engine.store.get())
        report_latency(
            "preview search (count, rank, first page with snippets)",
            lambda raw: engine.search(raw, "vi"),
        )
        with open_index(work / "search_index", "vi").searcher() as searcher:
            report_latency(
                "whoosh scoring every hit (the measure before the preview engine)",
                lambda raw: len(searcher.search(build_query(parse_query(raw, "vi")), limit=None)),
            )
            for raw in RECALL_QUERIES + PHRASE_QUERIES:
                phrase = raw.startswith('"')
                truth = scan_truth(texts, raw, phrase)
                hits = searcher.search(build_query(parse_query(raw, "vi")), limit=None)
                got = {h["key"] for h in hits}
                recall = len(got & truth) / len(truth) if truth else 1.0
                top = [h.docnum for h in hits[:10]]
                print(
                    f"  {raw!r:26} truth {len(truth):5}  found {len(got):5}  "
                    f"recall {recall:6.1%}  exact {got == truth}  "
                    "static first query {:.1f} kB ({:.1f} kB gzipped)".format(
                        *(size / 1000 for size in query_bytes(data, raw, top))
                    )
                )
            sizes = [
                query_bytes(
                    data,
                    q,
                    [
                        h.docnum
                        for h in searcher.search(build_query(parse_query(q, "vi")), limit=None)[:10]
                    ],
                )
                for q in AND_QUERIES
            ]
            raw_sizes, gzipped = [size[0] for size in sizes], [size[1] for size in sizes]
            print(
                f"static first query, AND queries: median {statistics.median(raw_sizes) / 1000:.1f}"
                f" kB (max {max(raw_sizes) / 1000:.1f} kB); gzipped median "
                f"{statistics.median(gzipped) / 1000:.1f} kB (max {max(gzipped) / 1000:.1f} kB); "
                "plus search.js"
            )
        measure_in_browser(work / "static", AND_QUERIES)
        # last: it edits the corpus
        edited = edit_one_page(content)
        site = load_content(content)
        wall, cpu = timed(update_index, site, work / "search_index", renderer)
        print(
            f"whoosh index: updated after editing {edited.name} in {wall:.2f} s "
            f"(CPU {cpu:.2f} s; the preview did a full build before)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
