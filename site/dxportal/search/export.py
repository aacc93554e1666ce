"""The static search index of the frozen site, under <build>/<lang>/search/data/.

meta.json           document count, shard counts, section ranges
t/<n>.json          word terms -> [doc, weight, doc delta, weight, ...]
p/<n>.json          pair terms (adjacent words) -> the same layout
q/<n>.json          pair terms -> [count, position deltas..., count, ...] (quoted phrases only)
d/<doc>.json        one document: address, title, section, date, text for the snippet

A weight is the Whoosh BM25F score of the term in the document, summed over the fields with
their boosts, times 100: the client adds weights exactly as Whoosh adds scores. Terms go to
shard fnv1a(term) mod n, n a power of two chosen so that a shard holds about SHARD_BYTES, so
a query downloads meta.json, one shard per term and the documents it shows.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

import flask_babel
from flask import Flask, g

from ..content import ContentSet
from ..labels import SECTION_TITLES
from ..sections import LANGUAGES
from ..urls import entry_url
from .index import (
    FIELD_BOOSTS,
    PAIRS_FIELD,
    SEARCH_SECTIONS,
    make_document,
    open_index,
    write_language_index,
)

FORMAT_VERSION = 1
SHARD_BYTES = 4096
MAX_SHARDS = 16384
SNIPPET_SOURCE_CHARS = 800
WEIGHT_SCALE = 100
DATA_DIR = "data"


def fnv1a(text: str) -> int:
    """32-bit FNV-1a over code points (search.js computes the same)."""
    value = 0x811C9DC5
    for char in text:
        value = ((value ^ ord(char)) * 0x01000193) & 0xFFFFFFFF
    return value


def shard_count(total_bytes: int) -> int:
    count = 1
    while count < MAX_SHARDS and total_bytes / count > SHARD_BYTES:
        count *= 2
    return count


def to_weight(score: float) -> int:
    return max(1, round(score * WEIGHT_SCALE))


def encode_postings(postings: dict[int, int]) -> list[int]:
    flat, previous = [], 0
    for doc in sorted(postings):
        flat += [doc - previous, postings[doc]]
        previous = doc
    return flat


def encode_positions(positions: dict[int, list[int]]) -> list[int]:
    flat: list[int] = []
    for doc in sorted(positions):
        previous = 0
        flat.append(len(positions[doc]))
        for position in positions[doc]:
            flat.append(position - previous)
            previous = position
    return flat


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_shards(folder: Path, entries: dict[str, list[int]], count: int) -> None:
    shards: dict[int, dict[str, list[int]]] = defaultdict(dict)
    for term, value in entries.items():
        shards[fnv1a(term) % count][term] = value
    folder.mkdir(parents=True)
    for number in range(count):
        (folder / f"{number}.json").write_text(dumps(shards.get(number, {})), encoding="utf-8")


def collect_weights(searcher, fields: dict[str, float], with_positions: bool = False):
    """term -> {doc: weight}, and for pairs term -> {doc: [positions]}.

    The score of each posting is Whoosh's own BM25F (same idf, same stored field lengths,
    same B and K1), computed here in one pass instead of through a scorer per term.
    """
    reader = searcher.reader()
    weighting = searcher.weighting
    count = reader.doc_count_all()
    scores: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    positions: dict[str, dict[int, list[int]]] = defaultdict(dict)
    for name, boost in fields.items():
        avgfl = searcher.avg_field_length(name) or 1
        lengths = [searcher.doc_field_length(doc, name, 1) or 1 for doc in range(count)]
        b_value = weighting._field_B.get(name, weighting.B)
        k1 = weighting.K1
        norms = [k1 * ((1 - b_value) + b_value * length / avgfl) for length in lengths]
        for term in reader.field_terms(name):
            matcher = reader.postings(name, term)
            idf = searcher.idf(name, term)
            into = scores[term]
            where = positions[term] if with_positions else None
            while matcher.is_active():
                doc, tf = matcher.id(), matcher.weight()
                into[doc] += boost * idf * ((tf * (k1 + 1)) / (tf + norms[doc]))
                if where is not None:
                    where[doc] = list(matcher.value_as("positions"))
                matcher.next()
    weights = {t: {d: to_weight(s) for d, s in docs.items()} for t, docs in scores.items()}
    return weights, positions


def snippet_source(summary: str, body: str) -> str:
    text = " ".join(filter(None, (summary, body)))
    if len(text) <= SNIPPET_SOURCE_CHARS:
        return text
    cut = text.rfind(" ", 0, SNIPPET_SOURCE_CHARS)
    return text[: cut if cut > 0 else SNIPPET_SOURCE_CHARS]


def export_language(app: Flask, site: ContentSet, lang: str, folder: Path, work: Path) -> dict:
    """Write ``folder`` (…/<lang>/search/data) from the index of ``lang`` in ``work``."""
    renderer = app.extensions["dxportal.renderer"]
    long_date = app.jinja_env.filters["long_date"]
    with open_index(work, lang).searcher() as searcher:
        words, _ = collect_weights(searcher, FIELD_BOOSTS)
        pairs, pair_positions = collect_weights(searcher, {PAIRS_FIELD: 1.0}, True)
        stored = list(searcher.reader().all_stored_fields())
    word_entries = {t: encode_postings(d) for t, d in words.items()}
    pair_entries = {t: encode_postings(d) for t, d in pairs.items()}
    position_entries = {t: encode_positions(d) for t, d in pair_positions.items()}
    counts = {
        "t": shard_count(len(dumps(word_entries))),
        "p": shard_count(len(dumps(pair_entries))),
        "q": shard_count(len(dumps(position_entries))),
    }
    for kind, entries in (("t", word_entries), ("p", pair_entries), ("q", position_entries)):
        write_shards(folder / kind, entries, counts[kind])
    sections: dict[str, list[int]] = {}
    (folder / "d").mkdir()
    for number, fields in enumerate(stored):
        entry = site.entry(fields["section"], fields["slug"])
        page = entry.version(lang)
        document = make_document(entry, lang, site, renderer)
        span = sections.setdefault(fields["section"], [number, number])
        span[1] = number + 1
        record = {
            "u": entry_url(entry, lang),
            "t": page.title,
            "s": str(SECTION_TITLES[entry.section]),
            "d": long_date(page.date),
            "i": page.date.isoformat() if page.date else "",
            "l": page.lang,
            "x": snippet_source(document.summary, document.body),
        }
        (folder / "d" / f"{number}.json").write_text(dumps(record), encoding="utf-8")
    meta = {
        "version": FORMAT_VERSION,
        "lang": lang,
        "count": len(stored),
        "shards": counts,
        "scale": WEIGHT_SCALE,
        "sections": {name: sections[name] for name in SEARCH_SECTIONS if name in sections},
    }
    (folder / "meta.json").write_text(dumps(meta), encoding="utf-8")
    return meta


def export_static_index(
    app: Flask, site: ContentSet, destination: Path, index_dir: Path | None = None
) -> None:
    """Write <destination>/<lang>/search/data/ for every language (the freeze calls this).

    ``index_dir`` is a search index of exactly ``site``; without it one is built aside.
    """
    work = Path(tempfile.mkdtemp(prefix="dxportal-search-"))
    if index_dir is None:
        for lang in LANGUAGES:
            write_language_index(site, lang, work / lang, app.extensions["dxportal.renderer"])
        index_dir = work
    base_url = app.config.get("FREEZER_BASE_URL") or app.config["DXPORTAL_BASE_URL"]
    try:
        with app.test_request_context("/", base_url=base_url):
            for lang in LANGUAGES:
                g.lang = lang
                flask_babel.refresh()
                folder = Path(destination) / lang / "search" / DATA_DIR
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir(parents=True)
                export_language(app, site, lang, folder, Path(index_dir))
    finally:
        shutil.rmtree(work, ignore_errors=True)
