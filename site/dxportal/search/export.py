"""The static search index of the frozen site, under <build>/<lang>/search/data/.

meta.json      document count, shard counts, section ranges, the pairs field's statistics
t/<n>.json     word terms -> [doc delta, weight, doc delta, weight, …]
q/<n>.json     pair terms (adjacent words) -> [doc delta, count, position deltas…, doc delta, …]
n.json         the pairs field's length of every document: one byte each (Whoosh's), in hex
d/<doc>.json   one document: address, title, section, date, text for the snippet

A word weight is the Whoosh BM25F score of the term in the document, summed over the fields
with their boosts, times 100: the client adds weights as Whoosh adds scores. A pair's score
is computed by the client with the same formula from its count, n.json and meta.json, so that
the pairs, the bulk of the index, are stored once and need no scoring here. Terms go to shard
crc32(UTF-8 of the term) mod n, n a power of two chosen so that a shard holds about
SHARD_BYTES: a query downloads meta.json, one shard per term, n.json when it has two words or
more, and the documents it shows.

The numbers come from search/terms.py (each document analysed once, then cached), not from a
Whoosh index: building one cost minutes at a few thousand pages.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from array import array
from collections import Counter
from collections.abc import Callable
from math import log
from pathlib import Path
from zlib import crc32

import flask_babel
from flask import Flask, g
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length, length_to_byte

from ..cache import DiskCache, code_version, hash_text
from ..content import ContentSet, Entry
from ..labels import SECTION_TITLES
from ..parallel import run_jobs
from ..sections import LANGUAGES
from ..urls import entry_url
from .index import FIELD_BOOSTS, SEARCH_SECTIONS, ordered_entries
from .terms import PARTITIONS, DocumentTerms, FieldTerms, TermsCache

FORMAT_VERSION = 2
SHARD_BYTES = 4096
MAX_SHARDS = 16384
SNIPPET_SOURCE_CHARS = 800
WEIGHT_SCALE = 100
DATA_DIR = "data"
PARALLEL_THRESHOLD = 200  # entries: below, forking costs more than it saves
PAIR_LINE = re.compile(r"([^\t\n]+)\t([^\n]*)")
BM25 = BM25F()  # the model Whoosh scores with (searching.Searcher's default)

Scores = dict[str, dict[int, float]]


def shard_of(term: str, count: int) -> int:
    """The shard of ``term`` among ``count`` (search.js computes the same)."""
    return crc32(term.encode("utf-8")) % count


def shard_count(total_bytes: int) -> int:
    count = 1
    while count < MAX_SHARDS and total_bytes / count > SHARD_BYTES:
        count *= 2
    return count


def to_weight(score: float) -> int:
    return max(1, round(score * WEIGHT_SCALE))


def stored_length(length: int) -> int:
    """A field length as Whoosh keeps it (one byte, approximate above 8), at least 1."""
    return byte_to_length(length_to_byte(length)) or 1


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def word_postings(words: list[tuple[FieldTerms, ...]]) -> dict[str, array]:
    """word term -> array [doc delta, weight, …] (documents ascending), fields summed.

    ``words`` holds each document's fields in FIELD_BOOSTS order. The weights are Whoosh's
    BM25F scores (its B and K1, idf = log(N / (df + 1)) + 1 per field, field lengths stored as
    one byte), boosted and summed per field as Whoosh sums the scores of an Or query.
    """
    count = len(words)
    k1, b_value = BM25.K1, BM25.B
    fields = []
    for index, boost in enumerate(FIELD_BOOSTS.values()):
        df: Counter[str] = Counter()
        total = 0
        for doc in words:
            field = doc[index]
            if field.terms:
                df.update(field.terms.split("\n"))
            total += field.length
        avgfl = (total / count if count else 0) or 1
        idf = {term: boost * (log(count / (n + 1)) + 1) for term, n in df.items()}
        fields.append((idf, avgfl))
    postings: dict[str, array] = {}
    for number, doc in enumerate(words):
        scores: dict[str, float] = {}
        for field, (idf, avgfl) in zip(doc, fields, strict=True):
            norm = k1 * ((1 - b_value) + b_value * stored_length(field.length) / avgfl)
            for term, tf in field.items():
                score = idf[term] * ((tf * (k1 + 1)) / (tf + norm))
                scores[term] = scores.get(term, 0.0) + score
        for term, score in scores.items():
            weight = round(score * WEIGHT_SCALE) or 1  # to_weight, inlined: scores are positive
            found = postings.get(term)
            if found is None:
                postings[term] = array("i", (number, number, weight))
            else:
                found[0], previous = number, found[0]
                found.append(number - previous)
                found.append(weight)
    for found in postings.values():
        del found[0]  # the last document seen, kept first while merging
    return postings


def write_shards(folder: Path, entries: dict[str, array]) -> int:
    """Write the word shards of ``entries`` in ``folder``; return their count."""
    chars = sum(map(len, entries)) + 4 * len(entries)
    count = shard_count(chars + sum(map(len, entries.values())) * 5 // 2)
    shards: list[dict[str, list[int]]] = [{} for _ in range(count)]
    for term, value in entries.items():
        shards[shard_of(term, count)][term] = value.tolist()
    folder.mkdir(parents=True, exist_ok=True)
    for number, shard in enumerate(shards):
        text = json.dumps(shard, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        write_if_changed(folder / f"{number}.json", text)
    remove_other_files(folder, {f"{number}.json" for number in range(count)})
    return count


class PairSpill:
    """The pair lines of every document, grouped by partition in temporary files.

    The pairs are most of the index; merging them one partition at a time keeps the memory
    of a build small however many pages there are.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: list = []
        self.size = 0

    def __enter__(self) -> PairSpill:
        for partition in range(PARTITIONS):
            self.files.append(open(self.folder / str(partition), "w", encoding="utf-8"))  # noqa: SIM115
        return self

    def __exit__(self, *exc_info) -> None:
        for spill in self.files:
            spill.close()

    def add(self, number: int, terms: DocumentTerms) -> None:
        header = f"\0{number}\n"  # a block of lines (term TAB numbers) of one document
        for spill, group in zip(self.files, terms.pair_groups, strict=True):
            if group:
                spill.write(header)
                spill.write(group)
        self.size += terms.pair_size

    def postings(self, partitions: range) -> dict[str, list]:
        """pair term -> pieces "doc delta,count,position deltas…" of the given partitions.

        While merging, the first item of each list is the last document seen (dropped at the
        end): one dictionary lookup a posting, which is most of the export's time.
        """
        merged: dict[str, list] = {}
        for partition in partitions:
            text = (self.folder / str(partition)).read_text(encoding="utf-8")
            for block in text.split("\0"):
                if not block:
                    continue
                head, _, body = block.partition("\n")
                number = int(head)
                for term, encoded in PAIR_LINE.findall(body):
                    pieces = merged.get(term)
                    if pieces is None:
                        merged[term] = [number, f"{number},{encoded}"]
                    else:
                        pieces.append(f"{number - pieces[0]},{encoded}")
                        pieces[0] = number
        for pieces in merged.values():
            del pieces[0]
        return merged

    def write_shards(self, folder: Path) -> int:
        """Write the pair shards in ``folder``, one partition at a time; return their count."""
        count = shard_count(self.size)
        folder.mkdir(parents=True, exist_ok=True)
        batches = [range(g, g + 1) for g in range(PARTITIONS)]
        if count < PARTITIONS:  # a shard gathers terms of several partitions: merge all at once
            batches = [range(PARTITIONS)]
        for batch in batches:
            shards: dict[int, list[str]] = {}
            for term, pieces in self.postings(batch).items():
                shard = shard_of(term, count)
                shards.setdefault(shard, []).append(f'"{term}":[{",".join(pieces)}]')
            numbers = range(count) if len(batch) > 1 else range(batch[0], count, PARTITIONS)
            for number in numbers:
                text = "{" + ",".join(sorted(shards.get(number, []))) + "}"
                write_if_changed(folder / f"{number}.json", text)
        remove_other_files(folder, {f"{number}.json" for number in range(count)})
        return count


def write_if_changed(path: Path, text: str) -> None:
    """Write ``text`` unless the file already holds it (a later build starts from an earlier)."""
    data = text.encode("utf-8")
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return
    except OSError:
        pass
    path.write_bytes(data)


def remove_other_files(folder: Path, keep: set[str]) -> None:
    for name in os.listdir(folder):
        if name not in keep:
            path = folder / name
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()


def snippet_source(summary: str, body: str) -> str:
    text = " ".join(filter(None, (summary, body)))
    if len(text) <= SNIPPET_SOURCE_CHARS:
        return text
    cut = text.rfind(" ", 0, SNIPPET_SOURCE_CHARS)
    return text[: cut if cut > 0 else SNIPPET_SOURCE_CHARS]


def document_record(app: Flask, entry: Entry, lang: str, snippet: str) -> dict:
    page = entry.version(lang)
    return {
        "u": entry_url(entry, lang),
        "t": page.title,
        "s": str(SECTION_TITLES[entry.section]),
        "d": app.jinja_env.filters["long_date"](page.date),
        "i": page.date.isoformat() if page.date else "",
        "l": page.lang,
        "x": snippet,
    }


def export_language(
    app: Flask, site: ContentSet, lang: str, folder: Path, cache: TermsCache
) -> dict:
    """Write ``folder`` (…/<lang>/search/data) for the documents of ``lang``.

    One pass over the documents writes their records, keeps their (compact) word terms and
    spills their pairs; the word and pair shards follow.
    """
    renderer = app.extensions["dxportal.renderer"]
    entries = ordered_entries(site)
    (folder / "d").mkdir(parents=True, exist_ok=True)
    words: list[tuple[FieldTerms, ...]] = []
    length_bytes = bytearray()
    total_pairs = 0
    sections: dict[str, list[int]] = {}
    with tempfile.TemporaryDirectory(prefix="dxportal-pairs-") as work:
        with PairSpill(Path(work)) as spill:
            for number, entry in enumerate(entries):
                terms = cache.terms(entry, lang, site, renderer, snippet_source)
                words.append(tuple(terms.fields[name] for name in FIELD_BOOSTS))
                spill.add(number, terms)
                length_bytes.append(length_to_byte(terms.pair_length))
                total_pairs += terms.pair_length
                span = sections.setdefault(entry.section, [number, number])
                span[1] = number + 1
                record = document_record(app, entry, lang, terms.snippet)
                write_if_changed(folder / "d" / f"{number}.json", dumps(record))
        counts = {"t": write_shards(folder / "t", word_postings(words))}
        counts["q"] = spill.write_shards(folder / "q")
    remove_other_files(folder / "d", {f"{number}.json" for number in range(len(entries))})
    write_if_changed(folder / "n.json", dumps(length_bytes.hex()))
    meta = {
        "version": FORMAT_VERSION,
        "lang": lang,
        "count": len(entries),
        "shards": counts,
        "scale": WEIGHT_SCALE,
        "sections": {name: sections[name] for name in SEARCH_SECTIONS if name in sections},
        "pairs": {
            "avgfl": (total_pairs / len(entries) if entries else 0) or 1,
            "k1": BM25.K1,
            "b": BM25.B,
        },
    }
    write_if_changed(folder / "meta.json", dumps(meta))
    remove_other_files(folder, {"t", "q", "d", "n.json", "meta.json"})
    return meta


def export_fingerprint(app: Flask, site: ContentSet, lang: str, cache: TermsCache) -> str:
    """Changes whenever anything the export of ``lang`` writes could change."""
    parts = [str(FORMAT_VERSION), code_version(), lang]
    for entry in ordered_entries(site):
        parts.append(cache.key(entry, lang, site))
        parts.append(dumps(document_record(app, entry, lang, "")))
    return hash_text(*parts)


def folder_state(folder: Path) -> list[list]:
    """[path, size, modification time] of every file under ``folder``, sorted."""
    state = []
    for parent, _dirs, files in os.walk(folder):
        for name in files:
            path = os.path.join(parent, name)
            st = os.stat(path)
            state.append([os.path.relpath(path, folder), st.st_size, st.st_mtime_ns])
    return sorted(state)


def recent_exports(exports: DiskCache | None, lang: str) -> list[list]:
    """[fingerprint, folder_state] of the last exports of ``lang`` (none if unreadable)."""
    payload = exports.get(lang) if exports is not None else None
    try:
        found = json.loads(payload) if payload else []
    except ValueError:
        return []
    return found if isinstance(found, list) else []


def export_static_index(
    app: Flask, site: ContentSet, destination: Path, processes: int = 1
) -> None:
    """Write <destination>/<lang>/search/data/ for every language (the freeze calls this).

    Languages are written in up to ``processes`` processes. ``destination`` may hold an
    earlier build: files whose bytes are unchanged are left alone, and a language whose
    inputs are those of the export found there, with its files as that export left them, is
    not exported again (a rebuild with nothing new, say hourly from cron, costs little).
    """
    cache_dir = app.extensions["dxportal.store"].cache_dir
    cache = TermsCache(cache_dir)
    exports = DiskCache(cache_dir, "search-exports", code_version()) if cache_dir else None
    base_url = app.config.get("FREEZER_BASE_URL") or app.config["DXPORTAL_BASE_URL"]

    def job(lang: str) -> Callable[[], None]:
        def export() -> None:
            with app.test_request_context("/", base_url=base_url):
                g.lang = lang
                flask_babel.refresh()
                folder = Path(destination) / lang / "search" / DATA_DIR
                if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                    folder.unlink()
                fingerprint = export_fingerprint(app, site, lang, cache)
                known = recent_exports(exports, lang)
                if folder.is_dir() and [fingerprint, folder_state(folder)] in known:
                    return
                export_language(app, site, lang, folder, cache)
                if exports is not None:  # the last two: the build and the spare alternate
                    latest = [[fingerprint, folder_state(folder)], *known][:2]
                    exports.put(lang, dumps(latest).encode("utf-8"))

        return export

    if len(site.entries) < PARALLEL_THRESHOLD:
        processes = 1
    run_jobs([job(lang) for lang in LANGUAGES], processes)
