"""The static search index of the frozen site, under <build>/<lang>/search/data/.

meta.json      document count, shard counts, section ranges, the pairs field's statistics
t/<n>.json     word terms -> [doc delta, weight, doc delta, weight, …]
q/<n>.json     pair terms (adjacent words) -> [doc delta, count, position deltas…, doc delta, …]
n.json         the pairs field's length of every document (as Whoosh stores it, one byte)
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
import shutil
from collections import Counter
from collections.abc import Callable
from math import log
from pathlib import Path
from zlib import crc32

import flask_babel
from flask import Flask, g
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length, length_to_byte

from ..content import ContentSet, Entry
from ..labels import SECTION_TITLES
from ..parallel import run_jobs
from ..sections import LANGUAGES
from ..urls import entry_url
from .index import FIELD_BOOSTS, SEARCH_SECTIONS, ordered_entries
from .terms import DocumentTerms, TermsCache

FORMAT_VERSION = 2
SHARD_BYTES = 4096
MAX_SHARDS = 16384
SNIPPET_SOURCE_CHARS = 800
WEIGHT_SCALE = 100
DATA_DIR = "data"
PARALLEL_THRESHOLD = 200  # entries: below, forking costs more than it saves
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


def field_weights(
    documents: list[tuple[dict[str, int], int]], boost: float, scores: Scores
) -> None:
    """Add each posting's BM25F score in one field to ``scores`` (term -> {doc: score}).

    The numbers are Whoosh's own (BM25F with its B and K1, idf = log(N / (df + 1)) + 1, field
    lengths stored as one byte), so that static and server search rank alike.
    """
    count = len(documents)
    df: Counter[str] = Counter()
    total = 0
    for counts, length in documents:
        df.update(counts.keys())
        total += length
    avgfl = (total / count if count else 0) or 1
    idf = {term: log(count / (n + 1)) + 1 for term, n in df.items()}
    k1, b_value = BM25.K1, BM25.B
    for doc, (counts, length) in enumerate(documents):
        norm = k1 * ((1 - b_value) + b_value * stored_length(length) / avgfl)
        for term, tf in counts.items():
            into = scores.get(term)
            if into is None:
                into = scores[term] = {}
            into[doc] = into.get(doc, 0.0) + boost * idf[term] * ((tf * (k1 + 1)) / (tf + norm))


def word_postings(documents: list[DocumentTerms]) -> dict[str, list[int]]:
    """word term -> [doc delta, weight, …] (documents ascending), all text fields summed."""
    scores: Scores = {}
    for name, boost in FIELD_BOOSTS.items():
        field_weights([doc.fields[name] for doc in documents], boost, scores)
    encoded = {}
    for term, docs in scores.items():
        flat, previous = [], 0
        for doc in sorted(docs):
            flat += (doc - previous, to_weight(docs[doc]))
            previous = doc
        encoded[term] = flat
    return encoded


def pair_postings(documents: list[DocumentTerms]) -> dict[str, list[int]]:
    """pair term -> [doc delta, count, position deltas…, …] (documents ascending)."""
    merged: dict[str, list[int]] = {}  # the first item holds the last document, until the end
    for doc, terms in enumerate(documents):
        for term, encoded in terms.pairs.items():
            flat = merged.get(term)
            if flat is None:
                merged[term] = [doc, doc, *encoded]
            else:
                flat.append(doc - flat[0])
                flat += encoded
                flat[0] = doc
    for flat in merged.values():
        del flat[0]
    return merged


def write_shards(folder: Path, entries: dict[str, list[int]]) -> int:
    """Write the shards of ``entries`` in ``folder``; return their count."""
    count = shard_count(estimated_size(entries))
    shards: list[dict[str, list[int]]] = [{} for _ in range(count)]
    for term, value in entries.items():
        shards[crc32(term.encode("utf-8")) % count][term] = value
    folder.mkdir(parents=True, exist_ok=True)
    for number, shard in enumerate(shards):
        text = json.dumps(shard, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        write_if_changed(folder / f"{number}.json", text)
    remove_other_files(folder, {f"{number}.json" for number in range(count)})
    return count


def estimated_size(entries: dict[str, list[int]]) -> int:
    """About the bytes of ``entries`` as JSON (quotes, colon, comma; 2.5 bytes a number)."""
    chars = sum(map(len, entries))
    numbers = sum(map(len, entries.values()))
    return chars + 4 * len(entries) + numbers * 5 // 2


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


def document_record(app: Flask, entry: Entry, lang: str, terms: DocumentTerms) -> dict:
    page = entry.version(lang)
    return {
        "u": entry_url(entry, lang),
        "t": page.title,
        "s": str(SECTION_TITLES[entry.section]),
        "d": app.jinja_env.filters["long_date"](page.date),
        "i": page.date.isoformat() if page.date else "",
        "l": page.lang,
        "x": terms.snippet,
    }


def export_language(
    app: Flask, site: ContentSet, lang: str, folder: Path, cache: TermsCache
) -> dict:
    """Write ``folder`` (…/<lang>/search/data) for the documents of ``lang``."""
    renderer = app.extensions["dxportal.renderer"]
    entries = ordered_entries(site)
    documents = [cache.terms(entry, lang, site, renderer, snippet_source) for entry in entries]
    folder.mkdir(parents=True, exist_ok=True)
    counts = {
        "t": write_shards(folder / "t", word_postings(documents)),
        "q": write_shards(folder / "q", pair_postings(documents)),
    }
    pair_lengths = [stored_length(doc.pair_length) for doc in documents]
    write_if_changed(folder / "n.json", dumps(pair_lengths))
    sections: dict[str, list[int]] = {}
    (folder / "d").mkdir(exist_ok=True)
    for number, (entry, terms) in enumerate(zip(entries, documents, strict=True)):
        span = sections.setdefault(entry.section, [number, number])
        span[1] = number + 1
        record = document_record(app, entry, lang, terms)
        write_if_changed(folder / "d" / f"{number}.json", dumps(record))
    remove_other_files(folder / "d", {f"{number}.json" for number in range(len(documents))})
    total_pairs = sum(doc.pair_length for doc in documents)
    meta = {
        "version": FORMAT_VERSION,
        "lang": lang,
        "count": len(documents),
        "shards": counts,
        "scale": WEIGHT_SCALE,
        "sections": {name: sections[name] for name in SEARCH_SECTIONS if name in sections},
        "pairs": {
            "avgfl": (total_pairs / len(documents) if documents else 0) or 1,
            "k1": BM25.K1,
            "b": BM25.B,
        },
    }
    write_if_changed(folder / "meta.json", dumps(meta))
    remove_other_files(folder, {"t", "q", "d", "n.json", "meta.json"})
    return meta


def export_static_index(
    app: Flask, site: ContentSet, destination: Path, processes: int = 1
) -> None:
    """Write <destination>/<lang>/search/data/ for every language (the freeze calls this).

    Languages are written in up to ``processes`` processes. ``destination`` may hold an
    earlier build: files whose bytes are unchanged are left alone.
    """
    cache = TermsCache(app.extensions["dxportal.store"].cache_dir)
    base_url = app.config.get("FREEZER_BASE_URL") or app.config["DXPORTAL_BASE_URL"]

    def job(lang: str) -> Callable[[], None]:
        def export() -> None:
            with app.test_request_context("/", base_url=base_url):
                g.lang = lang
                flask_babel.refresh()
                folder = Path(destination) / lang / "search" / DATA_DIR
                if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                    folder.unlink()
                export_language(app, site, lang, folder, cache)

        return export

    if len(site.entries) < PARALLEL_THRESHOLD:
        processes = 1
    run_jobs([job(lang) for lang in LANGUAGES], processes)
