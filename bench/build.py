#!/usr/bin/env python3
"""Build-speed benchmark: dxportal (cold, the build after it, one edit, nothing new) against
its Markdown floor, Hugo and Pelican.

Usage: python bench/build.py [--sizes 1000 5000] [--runs 3] [--work /tmp/dxportal-bench]
                             [--no-peers] [--python PYTHON]

For each size it generates the synthetic corpus (../shared/bench/gen_corpus.py, or
$DXPORTAL_BENCH_CORPUS), lays out the same Vietnamese articles for Hugo and Pelican, and times
whole processes (start-up included), several runs each:

- floor: the CPU seconds python-markdown alone (the project's extensions and settings,
  rendering.Renderer) takes to convert every body of the corpus, divided by the cores a build
  uses (build.pipeline.build_workers): no build that renders every body can be faster;
- cold: `dxportal build` with no cache and no earlier build;
- second: the build right after the cold one, nothing changed (it starts from the copy of hard
  links the cold build left);
- edit: one article's text edited, a fresh process, the earlier builds and the caches present;
- same: a rebuild with nothing new (say hourly from cron);
- hugo: `hugo` (Debian package; always rebuilds everything), minimal layouts;
- pelican: `pelican` (PyPI, in a throwaway venv under /tmp), default theme;
- preview: an article page of `dxportal serve` through the test client (median of many
  requests), then the first request after an edit of that page on disk (which must show it).
  The store learns of edits as under `dxportal serve`, from watchdog's observer
  (dxportal/watching.py: inotify on Linux, polling where there is no native observer); the
  script says which it used.
- watch: `dxportal build --watch` on the same output, from a save to build/ updated (the
  timing is bench/watch.py's), then the output's files and bytes (bench/footprint.py).

Prints the median wall-clock time of each, ratios to the floor and to Pelican, and the peak
resident memory (the largest process; the freezing workers share most of their pages with the
parent by fork). Hugo is installed with apt-get if missing (as root); Pelican into
/tmp/dxportal-bench-pelican.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from footprint import measure, print_footprint

PROJECT = Path(__file__).resolve().parents[1]
# ../shared/ beside the project (a checkout in a folder of worktrees: two levels up).
DEFAULT_GENERATOR = next(
    (p for p in (PROJECT.parent, PROJECT.parent.parent)
     if (p / "shared" / "bench" / "gen_corpus.py").is_file()),
    PROJECT.parent,
) / "shared" / "bench" / "gen_corpus.py"  # fmt: skip
PELICAN_VENV = Path("/tmp/dxportal-bench-pelican")
PELICAN_VERSION = "4.12.0"

HUGO_CONFIG = """\
baseURL = "http://example.org/"
languageCode = "vi"
title = "Bench"
disableKinds = ["RSS"]
[taxonomies]
tag = "tags"
"""
HUGO_LAYOUTS = {
    "_default/baseof.html": (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
        '</head><body><nav><a href="/">Home</a></nav><main>{{ block "main" . }}{{ end }}'
        "</main></body></html>\n"
    ),
    "_default/single.html": (
        '{{ define "main" }}<article><h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }}'
        '</p><p>{{ range .Params.tags }}<a href="/tags/{{ . | urlize }}/">{{ . }}</a> '
        "{{ end }}</p>{{ .Content }}</article>{{ end }}\n"
    ),
    "_default/list.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Paginator.Pages }}<li>'
        '<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Summary }}</li>{{ end }}</ul>'
        "{{ end }}\n"
    ),
    "index.html": (
        '{{ define "main" }}<ul>{{ range first 10 .Site.RegularPages }}<li><a href="'
        '{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n'
    ),
}
PELICAN_CONFIG = """\
AUTHOR = "Bench"
SITENAME = "Bench"
SITEURL = ""
PATH = "content"
TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_LANG = "vi"
DEFAULT_PAGINATION = 10
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
RELATIVE_URLS = True
"""


# --- the corpus --------------------------------------------------------------------------


def prepare_corpus(size: int, folder: Path, generator: Path) -> Path:
    """Generate ``size`` articles in ``folder`` (once) with site.yml, tags.yml and peer sites."""
    stamp = folder / ".complete"
    if stamp.is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    subprocess.run(
        [sys.executable, str(generator), str(size), str(folder), "--peers"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    content = folder / "content"
    write_site_settings(PROJECT / "content" / "site.yml", content / "site.yml")
    write_tags(content)
    hugo = folder / "peers" / "hugo"
    (hugo / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        path = hugo / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (folder / "peers" / "pelican" / "pelicanconf.py").write_text(PELICAN_CONFIG, encoding="utf-8")
    stamp.touch()
    return folder


def write_site_settings(source: Path, target: Path) -> None:
    """The project's site.yml without navigation to static pages (the corpus has none)."""
    kept, skipping = [], False
    for line in source.read_text(encoding="utf-8").splitlines():
        if re.match(r"\s*- page:", line):
            skipping = True
            continue
        if skipping and re.match(r"\s{4,}", line):
            continue
        skipping = False
        kept.append(line)
    target.write_text("\n".join(kept) + "\n", encoding="utf-8")


def write_tags(content: Path) -> None:
    """tags.yml naming every tag the articles use (the loader refuses unknown tags)."""
    used: set[str] = set()
    for path in (content / "news").glob("*.md"):
        head = path.read_text(encoding="utf-8").split("\n---", 1)[0]
        match = re.search(r"^tags: \[(.*)\]$", head, re.M)
        if match:
            used.update(t.strip() for t in match.group(1).split(",") if t.strip())
    lines = []
    for tag in sorted(used):
        name = tag.replace("-", " ")
        lines += [f"{tag}:", f'  vi: "{name}"', f'  en: "{name} (en)"']
    (content / "tags.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def edit_one_article(content: Path, counter: int) -> None:
    """Change a sentence in the middle of one article's body (front matter untouched).

    The sentence differs from any an earlier run left (it carries the time), so every timed
    edit is a real one even when the corpus was kept from an earlier run.
    """
    path = sorted((content / "news").glob("*.vi.md"))[len(list((content / "news").glob("*"))) // 4]
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\n<!-- bench edit \d+ -->\n.*\Z", "", text, flags=re.S)
    stamp = time.time_ns()
    path.write_text(
        text + f"\n<!-- bench edit {counter} -->\nSửa lỗi chính tả lần {counter}, {stamp}.\n",
        encoding="utf-8",
    )


# --- running and measuring ---------------------------------------------------------------

PREVIEW_SCRIPT = """
import os, re, statistics, sys, time
from pathlib import Path
from dxportal import create_app
news = sorted((Path(os.environ["DXPORTAL_CONTENT_DIR"]) / "news").glob("*.vi.md"))
path = news[len(news) // 2]
url = "/vi/news/" + path.name.split(".")[0] + "/"
app = create_app({"DXPORTAL_PREVIEW": True})
client = app.test_client()
assert client.get(url).status_code == 200  # loads the content
store = app.extensions["dxportal.store"]
print("changes seen by:", "polling" if store.watch.polling else "watchdog", file=sys.stderr)
times = []
for _ in range(int(sys.argv[1])):
    start = time.perf_counter()
    assert client.get(url).status_code == 200
    times.append(time.perf_counter() - start)
text = path.read_text(encoding="utf-8")
try:  # an edit saved in place: the next request shows it
    path.write_text(text.replace("title: ", "title: Sửa ", 1), encoding="utf-8")
    start = time.perf_counter()
    response = client.get(url)
    edited = time.perf_counter() - start
    assert re.search("<h1[^>]*>Sửa ", response.get_data(as_text=True))
finally:
    path.write_text(text, encoding="utf-8")
print(statistics.median(times) * 1000, edited * 1000)
"""

FLOOR_SCRIPT = """
import sys, time
from pathlib import Path
from dxportal import create_app
from dxportal.build.pipeline import build_workers
from dxportal.rendering import Renderer
bodies = []
for path in sorted(Path(sys.argv[1]).rglob("*.md")):
    text = path.read_text(encoding="utf-8")
    if text.startswith("---\\n"):
        text = text.split("\\n---\\n", 1)[1]
    bodies.append((text, "en" if path.name.endswith(".en.md") else "vi"))
renderer = Renderer()
start = time.process_time()
for body, lang in bodies:
    md = renderer._markdown(lang)
    md.reset()
    md.convert(body)
cpu = time.process_time() - start
print(cpu, build_workers(create_app({"DXPORTAL_CONTENT_DIR": sys.argv[1]})), len(bodies))
"""


def run_timed(
    command: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, int, float]:
    """Run ``command``; return wall-clock seconds, peak RSS in MB (largest process), CPU seconds.

    CPU time (user + system, workers included) suffers less than wall-clock time when other
    work shares the machine. The file system is synced first, as benchmark tools do before a
    timed run, so that writing back an earlier run's files (140 MB for a cold build at 1,000
    articles) is not charged to this one.
    """
    os.sync()
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.stderr.write(output.decode("utf-8", "replace")[-3000:])
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}")
    return elapsed, usage.ru_maxrss // 1024, usage.ru_utime + usage.ru_stime


class Bench:
    def __init__(self, python: str, runs: int) -> None:
        self.python = python
        self.runs = runs
        self.results: dict[tuple[int, str], list[tuple[float, int, float]]] = {}
        self.preview: dict[int, float] = {}
        self.preview_edit: dict[int, float] = {}
        self.outputs: dict[int, dict] = {}
        self.floor_cores = 0

    def record(self, size: int, name: str, measurement: tuple[float, int, float]) -> None:
        self.results.setdefault((size, name), []).append(measurement)
        wall, memory, cpu = measurement
        load = os.getloadavg()[0]
        print(
            f"  {size:>5} {name:<8} {wall:7.2f} s wall {cpu:7.2f} s CPU {memory:5d} MB"
            f"  (load {load:.1f})",
            flush=True,
        )

    def median(self, size: int, name: str, index: int = 0) -> float | None:
        runs = self.results.get((size, name))
        return statistics.median(run[index] for run in runs) if runs else None

    def peak(self, size: int, name: str) -> int | None:
        runs = self.results.get((size, name))
        return max(run[1] for run in runs) if runs else None

    def dxportal(self, folder: Path, cache: Path, output: Path) -> tuple[float, int, float]:
        env = dict(
            os.environ,
            DXPORTAL_CONTENT_DIR=str(folder / "content"),
            DXPORTAL_CACHE_DIR=str(cache),
            DXPORTAL_NOW="2030-01-01T00:00",
            PYTHONPATH=str(PROJECT / "site"),
        )
        # As Python runs by default: compiled modules are kept (__pycache__), not compiled
        # again by every build, whatever the shell running the benchmark sets.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        command = [self.python, str(PROJECT / "freeze.py"), "--output", str(output)]
        return run_timed(command, PROJECT, env)

    def run_watch(self, size: int, folder: Path) -> None:
        """`dxportal build --watch` on the same output: from a save to build/ updated, one
        edit a run (bench/watch.py, which imports this module: loaded here)."""
        import watch

        for latency, _own, cpu in watch.watch_edits(self.python, folder, 2 * self.runs, "out"):
            self.record(size, "watch", (latency, 0, cpu))
        self.outputs[size] = measure(folder / "out")

    def run_dxportal(self, size: int, folder: Path) -> None:
        cache, output = folder / "cache", folder / "out"
        legacy_spare = folder / ".out.spare"  # where builds before 2026-11-26 kept it
        for _ in range(self.runs):
            for path in (cache, output, legacy_spare):
                shutil.rmtree(path, ignore_errors=True)
            self.record(size, "cold", self.dxportal(folder, cache, output))
            self.record(size, "second", self.dxportal(folder, cache, output))
        for counter in range(self.runs):
            edit_one_article(folder / "content", counter)
            self.record(size, "edit", self.dxportal(folder, cache, output))
        for _ in range(self.runs):
            self.record(size, "same", self.dxportal(folder, cache, output))
        edit_one_article(folder / "content", 0)  # leave it as the first edit left it

    def run_floor(self, size: int, folder: Path) -> None:
        """The Markdown floor: CPU seconds of python-markdown over every body, per core used."""
        env = dict(os.environ, PYTHONPATH=str(PROJECT / "site"))
        command = [self.python, "-c", FLOOR_SCRIPT, str(folder / "content")]
        out = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(f"the Markdown floor failed: {out.stderr[-2000:]}")
        cpu, cores, bodies = out.stdout.split()[-3:]
        self.floor_cores = int(cores)
        floor = float(cpu) / int(cores)
        self.results.setdefault((size, "floor"), []).append((floor, 0, float(cpu)))
        print(
            f"  {size:>5} floor    {floor:7.2f} s ({float(cpu):.2f} s CPU for {bodies} bodies"
            f" on {cores} cores)",
            flush=True,
        )

    def run_preview(self, size: int, folder: Path, requests: int = 60) -> None:
        """Median time of an article page in preview, in ms (one process, caches warm), and of
        the first request after an edit of it."""
        env = dict(
            os.environ,
            DXPORTAL_CONTENT_DIR=str(folder / "content"),
            DXPORTAL_CACHE_DIR=str(folder / "cache"),
            DXPORTAL_NOW="2030-01-01T00:00",
            PYTHONPATH=str(PROJECT / "site"),
        )
        command = [self.python, "-c", PREVIEW_SCRIPT, str(requests)]
        out = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(f"preview failed: {out.stderr[-2000:]}")
        page, edited = (float(word) for word in out.stdout.split()[-2:])
        self.preview[size], self.preview_edit[size] = page, edited
        seen = [line for line in out.stderr.splitlines() if line.startswith("changes seen by")]
        print(
            f"  {size:>5} preview  {page:7.1f} ms median page, {edited:.0f} ms the first"
            f" after an edit ({seen[-1] if seen else 'changes seen by: ?'})",
            flush=True,
        )

    def run_hugo(self, size: int, folder: Path) -> None:
        site = folder / "peers" / "hugo"
        for _ in range(self.runs):
            shutil.rmtree(site / "public", ignore_errors=True)
            shutil.rmtree(site / "resources", ignore_errors=True)
            self.record(size, "hugo", run_timed(["hugo", "--quiet"], site))

    def run_pelican(self, size: int, folder: Path) -> None:
        site = folder / "peers" / "pelican"
        pelican = str(PELICAN_VENV / "bin" / "pelican")
        for _ in range(self.runs):
            shutil.rmtree(site / "output", ignore_errors=True)
            command = [pelican, "content", "-s", "pelicanconf.py", "-o", "output", "-q"]
            self.record(size, "pelican", run_timed(command, site))


def ensure_hugo() -> bool:
    if shutil.which("hugo"):
        return True
    if os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "hugo"], check=False)
    return bool(shutil.which("hugo"))


def ensure_pelican() -> bool:
    pelican = PELICAN_VENV / "bin" / "pelican"
    if not pelican.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PELICAN_VENV)], check=True)
        subprocess.run(
            [
                str(PELICAN_VENV / "bin" / "pip"),
                "install",
                "-q",
                f"pelican=={PELICAN_VERSION}",
                "markdown",
            ],
            check=False,
        )
    return pelican.exists()


def tool_version(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, check=False).stdout
    except OSError:
        return "?"
    return out.strip().splitlines()[0] if out.strip() else "?"


def print_table(bench: Bench, sizes: list[int]) -> None:
    def cell(size: int, name: str) -> str:
        wall, cpu = bench.median(size, name), bench.median(size, name, 2)
        return f"{wall:.2f} s ({cpu:.1f} s CPU)" if wall is not None else "–"

    def ratio(size: int, name: str, peer: str, index: int = 0) -> str:
        a, b = bench.median(size, name, index), bench.median(size, peer, index)
        return f"{a / b:.2f}×" if a and b else "–"

    print()
    print(
        f"{dt.date.today()} · {platform.node()} · {os.cpu_count()} cores · "
        f"{platform.processor() or platform.machine()} · Python {platform.python_version()}"
    )
    print(f"hugo: {tool_version(['hugo', 'version'])}")
    print(f"pelican: {tool_version([str(PELICAN_VENV / 'bin' / 'pelican'), '--version'])}")
    print(
        f"medians of {bench.runs} runs (wall clock, and CPU time user+system in brackets); "
        f"peak RSS of the largest process; load average now {os.getloadavg()[0]:.1f}"
    )
    print()
    print("| | " + " | ".join(f"{s:,} articles" for s in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    rows = [
        ("Hugo (always rebuilds everything)", "hugo"),
        ("Pelican", "pelican"),
        (f"Markdown floor (CPU ÷ {bench.floor_cores} cores)", "floor"),
        ("dxportal cold (empty caches)", "cold"),
        ("dxportal second build (after the cold one, nothing changed)", "second"),
        ("dxportal one article edited (a fresh process)", "edit"),
        ("dxportal --watch, one article edited", "watch"),  # bench/watch.py fills it
        ("dxportal rebuild with nothing new", "same"),
    ]
    for label, name in rows:
        print(f"| {label} | " + " | ".join(cell(s, name) for s in sizes) + " |")
    for label, name, peer, index in [
        ("cold / Markdown floor (target ≤ 2×)", "cold", "floor", 0),
        ("cold / Markdown floor, CPU seconds (what load does not change)", "cold", "floor", 2),
        ("cold / Pelican", "cold", "pelican", 0),
        ("cold / Hugo", "cold", "hugo", 0),
        ("second build / nothing new (target ≤ 1×)", "second", "same", 0),
    ]:
        print(f"| {label} | " + " | ".join(ratio(s, name, peer, index) for s in sizes) + " |")
    peaks = []
    for s in sizes:
        values = [bench.peak(s, n) for n in ("cold", "second", "edit", "same")]
        values = [v for v in values if v is not None]
        peaks.append(f"{max(values)} MB" if values else "–")
    print("| dxportal peak memory | " + " | ".join(peaks) + " |")
    outputs = []
    for s in sizes:
        found = bench.outputs.get(s)
        outputs.append(f"{found['files']:,} / {found['bytes'] / 1e6:.1f} MB" if found else "–")
    print("| dxportal output, files / bytes (bench/footprint.py) | " + " | ".join(outputs) + " |")
    previews = [f"{bench.preview[s]:.0f} ms" if s in bench.preview else "–" for s in sizes]
    print("| dxportal preview, article page (median) | " + " | ".join(previews) + " |")
    edits = [f"{bench.preview_edit[s]:.0f} ms" if s in bench.preview_edit else "–" for s in sizes]
    print("| dxportal preview, the page after an edit | " + " | ".join(edits) + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/dxportal-bench"))
    parser.add_argument("--no-peers", action="store_true", help="time dxportal only")
    parser.add_argument("--python", default=sys.executable, help="Python with dxportal's deps")
    parser.add_argument(
        "--generator",
        type=Path,
        default=Path(os.environ.get("DXPORTAL_BENCH_CORPUS", DEFAULT_GENERATOR)),
    )
    args = parser.parse_args(argv)
    bench = Bench(args.python, args.runs)
    peers = not args.no_peers
    has_hugo = peers and ensure_hugo()
    has_pelican = peers and ensure_pelican()
    for size in args.sizes:
        folder = prepare_corpus(size, args.work / str(size), args.generator)
        # Interleave the generators so that a noisy neighbour hurts them alike.
        if has_hugo:
            bench.run_hugo(size, folder)
        bench.run_floor(size, folder)
        bench.run_dxportal(size, folder)
        bench.run_watch(size, folder)
        bench.run_preview(size, folder)
        if has_pelican:
            bench.run_pelican(size, folder)
    print_table(bench, args.sizes)
    for size in args.sizes:  # the last build of each size, beside Hugo's (bench/footprint.py)
        print_footprint(args.work / str(size) / "out", args.work / str(size) / "peers/hugo/public")
    return 0


if __name__ == "__main__":
    sys.exit(main())
