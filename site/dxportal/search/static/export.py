"""The static search index of the frozen site, under <build>/<lang>/search/data/.

meta.json      document count, shard counts, documents per group, section ranges, BM25F
               parameters and average field lengths
t/<n>.json     word terms -> per document: its counts in the body (and title, tags, summary)
q/<n>.json     pair terms (adjacent words) -> per document: its count
p/<n>.json     pair terms -> per document: positions (read for quoted phrases of 3+ words)
n.json         every document's field lengths: one byte each (Whoosh's), in hex, per field
d/<g>.json     the records of documents g × GROUP to g × GROUP + GROUP - 1, a list: address,
               title, section, date, text for the snippet

Documents are packed GROUP to a file, and shards sized by SHARD_BYTES (postings.py), so that
5,000 articles in two languages make some 5,000 index files rather than 50,000: a free host
counts files (Cloudflare Pages takes 20,000 per site). GROUP stays small because a query's
results are scattered: the ten of a result page come from up to ten groups.

The client computes Whoosh's BM25F scores from the counts, n.json and meta.json, as Whoosh
scores them (see postings.py for the layout of t/ and q/). A shard holds counts, never
scores: a score depends on every document (idf, average lengths), a count only on its own,
so an edited page changes only the shards of its own terms, and a build after an edit
rewrites those (patch_language) instead of the whole index. Terms go to shard
crc32(UTF-8 of the term) mod n, n a power of two chosen so that a shard holds about
SHARD_BYTES: a query downloads meta.json, n.json, one shard per term and the documents it
shows.

The counts come from search/terms.py (each document analysed once, then cached), not from a
Whoosh index: building one cost minutes at a few thousand pages.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import replace
from functools import cached_property
from pathlib import Path

import flask_babel
from flask import Flask, g
from whoosh.scoring import BM25F
from whoosh.util.numeric import length_to_byte

from dxportal.cache import DiskCache, code_version, hash_text
from dxportal.content.model import ContentSet, Entry
from dxportal.messages import LANGUAGES
from dxportal.search.documents import (
    FIELD_BOOSTS,
    PAIRS_FIELD,
    SEARCH_SECTIONS,
    TEXT_FIELDS,
    ordered_entries,
)
from dxportal.search.static.postings import (
    PAIRS,
    POSITIONS,
    WORDS,
    Changes,
    PatchFailed,
    Spill,
    diff_runs,
    patch_shards,
    remove_other_files,
    shard_count,
    write_if_changed,
    write_shards_shared,
)
from dxportal.search.static.state import DocumentState, ExportHistory, ExportState, FileTable
from dxportal.search.static.terms import DocumentTerms, TermsCache
from dxportal.web.labels import SECTION_TITLES
from dxportal.web.urls import entry_url, url_prefix
from dxportal.workers import BackgroundJobs, Gate, worth_forking

FORMAT_VERSION = 4
GROUP = 4  # documents a file in d/
# Fewer shards than postings.MAX_SHARDS: the words' shards are smaller (and each word of a
# query costs one); p/ is read for quoted phrases of 3+ words only: fewer, larger files.
MAX_WORD_SHARDS = 512
MAX_POSITION_SHARDS = 256
# The text a record keeps for the snippet (28 words chosen around the query's words): most of
# a record's bytes, and a first query fetches the groups of its ten results.
SNIPPET_SOURCE_CHARS = 400
WEIGHT_SCALE = 100
DATA_DIR = "data"
PATCH_SHARE = 20  # an export patches up to 1/PATCH_SHARE of the documents, else starts anew
BM25 = BM25F()  # the model Whoosh scores with (searching.Searcher's default)
LENGTH_FIELDS = (*TEXT_FIELDS, PAIRS_FIELD)  # the order of DocumentState.lengths


def to_weight(score: float) -> int:
    """A score as the client ranks it: times WEIGHT_SCALE, rounded, at least 1."""
    return max(1, round(score * WEIGHT_SCALE))


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def snippet_source(summary: str, body: str) -> str:
    text = " ".join(filter(None, (summary, body)))
    if len(text) <= SNIPPET_SOURCE_CHARS:
        return text
    cut = text.rfind(" ", 0, SNIPPET_SOURCE_CHARS)
    return text[: cut if cut > 0 else SNIPPET_SOURCE_CHARS]


class RecordWriter:
    """The records (d/<doc>.json) of one language's documents, in a request context of it.

    Addresses and section names are made once per section (the long_date filter formats
    each date once): making one costs more than the rest of a record, and every build makes
    the records of all documents to see which changed.
    """

    SLUG = "dxportal-slug"  # a slug in an address template (no other part of one has it)

    def __init__(self, app: Flask, lang: str) -> None:
        self.lang = lang
        self.long_date = app.jinja_env.filters["long_date"]
        self.sections: dict[str, tuple[str, str]] = {}

    def section(self, entry: Entry) -> tuple[str, str]:
        """(address template, section name) of the entry's section."""
        found = self.sections.get(entry.section)
        if found is None:
            template = replace(entry.version(self.lang), slug=self.SLUG)
            found = (entry_url(template, self.lang), str(SECTION_TITLES[entry.section]))
            self.sections[entry.section] = found
        return found

    def record(self, entry: Entry, snippet: str) -> dict:
        page = entry.version(self.lang)
        address, section = self.section(entry)
        return {
            "u": address.replace(self.SLUG, entry.slug),
            "t": page.title,
            "s": section,
            "d": self.long_date(page.date),
            "i": page.date.isoformat() if page.date else "",
            "l": page.lang,
            "x": snippet,
        }


def document_state(key: str, terms_key: str, terms: DocumentTerms) -> DocumentState:
    return DocumentState(key, terms_key, terms.word_size, terms.pair_size, terms.lengths())


class LanguageExport:
    """The export of one language's documents into ``folder`` (…/<lang>/search/data)."""

    def __init__(
        self, app: Flask, site: ContentSet, lang: str, folder: Path, cache: TermsCache
    ) -> None:
        self.site, self.lang, self.folder, self.cache = site, lang, folder, cache
        self.shared = False  # a full export merges in two processes (write_shards_shared)
        self.entries = ordered_entries(site)
        self.renderer = app.extensions["dxportal.renderer"]
        self.url_prefix = url_prefix()  # the pages' own: their bodies are in the cache so
        self.records = RecordWriter(app, lang)
        self.terms_keys = [cache.key(entry, lang, site) for entry in self.entries]
        self.layout = hash_text(
            str(FORMAT_VERSION), cache.version, lang,
            *(f"{entry.section}/{entry.slug}" for entry in self.entries),
        )  # fmt: skip

    @cached_property
    def bare_records(self) -> list[dict]:
        """Each document's record without its snippet (made from what terms_key covers);
        made when first needed: help_analyse needs none."""
        return [self.records.record(entry, "") for entry in self.entries]

    @cached_property
    def keys(self) -> list[str]:
        """What each document's part of the index is made from: its terms and its record."""
        records = map(dumps, self.bare_records)
        return [hash_text(t, r) for t, r in zip(self.terms_keys, records, strict=True)]

    def terms(self, number: int) -> DocumentTerms:
        return self.cache.terms(
            self.entries[number], self.lang, self.site, self.renderer, snippet_source,
            self.url_prefix,
        )  # fmt: skip

    def help_analyse(self) -> None:
        """Analyse this language's documents into the terms cache, from the last backwards,
        until one is cached already: run by a language's process once its own export is done,
        while this language's process analyses them from the first (and reads those done
        here from the cache). A build with nothing new finds the last document cached."""
        for number in range(len(self.entries) - 1, -1, -1):
            if self.cache.stored(self.terms_keys[number]) is not None:
                return
            self.terms(number)

    def record(self, number: int, terms: DocumentTerms) -> str:
        return dumps({**self.bare_records[number], "x": terms.snippet})

    def write_group(self, group: int, records: list[str]) -> Path | None:
        """Write d/<group>.json from its records (JSON texts); the path if written."""
        path = self.folder / "d" / f"{group}.json"
        return path if write_if_changed(path, "[" + ",".join(records) + "]") else None

    def patch_groups(self, fresh: dict[int, DocumentTerms]) -> list[Path]:
        """Replace the records of the ``fresh`` documents in the groups that hold them."""
        written = []
        for group in sorted({number // GROUP for number in fresh}):
            path = self.folder / "d" / f"{group}.json"
            try:
                records = [dumps(r) for r in json.loads(path.read_text(encoding="utf-8"))]
            except (OSError, ValueError) as error:
                raise PatchFailed(f"{path}: {error}") from error
            first = group * GROUP
            if len(records) != min(GROUP, len(self.keys) - first):
                raise PatchFailed(f"{path}: {len(records)} records, not as recorded")
            for number in range(first, first + len(records)):
                if number in fresh:
                    records[number - first] = self.record(number, fresh[number])
            if self.write_group(group, records):
                written.append(path)
        return written

    def export(self, known: list[ExportState], gate: Gate | None = None) -> ExportState:
        """Bring the folder up to date, from the export that left it so if there is one;
        wait at ``gate`` (see start_static_index) before writing everything anew."""
        base = ExportHistory.matching(known, self.folder)
        if base is not None and base.layout == self.layout:
            if [doc.key for doc in base.documents] == self.keys:
                return base  # a rebuild with nothing new
            try:
                patched = self.patch(base)
            except PatchFailed:
                patched = None
            if patched is not None:
                return patched
        if gate is not None:
            gate.wait()
        return self.full()

    def full(self) -> ExportState:
        """Write every file: one pass over the documents writes their records and spills their
        posting lines, which are then merged into shards one partition at a time."""
        folder = self.folder
        (folder / "d").mkdir(parents=True, exist_ok=True)
        documents: list[DocumentState] = []
        records: list[str] = []
        with tempfile.TemporaryDirectory(prefix="dxportal-postings-") as work:
            words, pairs = Spill(Path(work) / WORDS, WORDS), Spill(Path(work) / PAIRS, PAIRS)
            with words, pairs:
                for number, key in enumerate(self.keys):
                    terms = self.terms(number)
                    words.add(number, terms.word_groups)
                    pairs.add(number, terms.pair_groups)
                    records.append(self.record(number, terms))
                    if len(records) == GROUP or number == len(self.keys) - 1:
                        self.write_group(number // GROUP, records)
                        records = []
                    documents.append(document_state(key, self.terms_keys[number], terms))
            counts = shard_counts(documents)
            folders = {kind: folder / kind for kind in counts}
            if self.shared:
                write_shards_shared([words, pairs], folders, counts)
            else:
                words.write_shards(folders, counts)
                pairs.write_shards(folders, counts)
        groups = -(-len(documents) // GROUP)
        remove_other_files(folder / "d", {f"{group}.json" for group in range(groups)})
        self.write_summary(documents, counts)
        remove_other_files(folder, {*counts, "d", "n.json", "meta.json"})
        return ExportState(self.layout, documents, FileTable.scan(folder))

    def patch(self, base: ExportState) -> ExportState | None:
        """Replace the documents that changed since ``base`` (the export the folder holds).

        None when too many changed or the shard counts change (a full export is as cheap
        then); PatchFailed when the files are not as ``base`` recorded.
        """
        changed = [n for n, doc in enumerate(base.documents) if doc.key != self.keys[n]]
        if len(changed) > max(1, len(self.keys) // PATCH_SHARE):
            return None
        documents = list(base.documents)
        changes: dict[str, Changes] = {WORDS: {}, PAIRS: {}}
        written = []
        fresh: dict[int, DocumentTerms] = {}
        for number in changed:
            old = self.cache.stored(base.documents[number].terms_key)
            if old is None:
                return None  # the earlier terms are no longer cached
            new = fresh[number] = self.terms(number)
            diff_runs(number, old.word_runs(), new.word_runs(), changes[WORDS])
            diff_runs(number, old.pair_runs(), new.pair_runs(), changes[PAIRS])
            documents[number] = document_state(self.keys[number], self.terms_keys[number], new)
        counts = shard_counts(documents)
        if counts != shard_counts(base.documents):
            return None
        folders = {kind: self.folder / kind for kind in counts}
        for kind in (WORDS, PAIRS):
            written += patch_shards(folders, kind, counts, changes[kind])
        written += self.patch_groups(fresh)
        written += self.write_summary(documents, counts)
        return ExportState(self.layout, documents, base.files.refreshed(self.folder, written))

    def write_summary(self, documents: list[DocumentState], counts: dict[str, int]) -> list[Path]:
        """Write n.json and meta.json (from the documents' states); return those written."""
        lengths = {
            name: bytes(length_to_byte(doc.lengths[index]) for doc in documents).hex()
            for index, name in enumerate(LENGTH_FIELDS)
        }
        total = len(documents)

        def average(index: int) -> float:
            return (sum(doc.lengths[index] for doc in documents) / total if total else 0) or 1

        sections: dict[str, list[int]] = {}
        for number, entry in enumerate(self.entries):
            span = sections.setdefault(entry.section, [number, number])
            span[1] = number + 1
        meta = {
            "version": FORMAT_VERSION,
            "lang": self.lang,
            "count": total,
            "shards": counts,
            "group": GROUP,
            "scale": WEIGHT_SCALE,
            "sections": {name: sections[name] for name in SEARCH_SECTIONS if name in sections},
            "bm25": {"k1": BM25.K1, "b": BM25.B},
            "fields": [
                {"name": name, "boost": boost, "avgfl": average(index)}
                for index, (name, boost) in enumerate(FIELD_BOOSTS.items())
            ],
            "pairs": {"avgfl": average(len(TEXT_FIELDS))},
        }
        written = []
        for name, value in (("n.json", lengths), ("meta.json", meta)):
            if write_if_changed(self.folder / name, dumps(value)):
                written.append(self.folder / name)
        return written


def shard_counts(documents: list[DocumentState]) -> dict[str, int]:
    return {
        WORDS: min(MAX_WORD_SHARDS, shard_count(sum(doc.word_size for doc in documents))),
        PAIRS: shard_count(sum(doc.pair_size for doc in documents) * 2 // 5),
        POSITIONS: min(
            MAX_POSITION_SHARDS, shard_count(sum(doc.pair_size for doc in documents) * 3 // 5)
        ),
    }


def export_static_index(
    app: Flask, site: ContentSet, destination: Path, processes: int = 1
) -> None:
    """Write <destination>/<lang>/search/data/ for every language.

    Languages are written in up to ``processes`` processes. ``destination`` may hold an
    earlier build: if its index is as an earlier export left it, only the documents that
    changed since are written again (a rebuild with nothing new writes nothing); otherwise
    every file is computed, and only those whose bytes changed are written.
    """
    start_static_index(app, site, destination, processes).finish()


def start_static_index(
    app: Flask, site: ContentSet, destination: Path, processes: int = 1
) -> BackgroundJobs:
    """export_static_index in forked processes that run while the caller freezes the pages
    (the freeze calls this); their ``finish()`` waits for them.

    Whatever the pages' freeze does, it leaves <lang>/search/data/ alone. A language whose
    index can be patched (a few documents changed) is patched at once; one that must be
    written anew waits for ``finish()``: it renders what the freeze renders (in a cold build,
    every page), and would only compete with it for the cores.
    """
    cache_dir = app.extensions["dxportal.store"].cache_dir
    cache = TermsCache(cache_dir)
    exports = DiskCache(cache_dir, "search-exports", code_version()) if cache_dir else None
    base_url = app.config.get("FREEZER_BASE_URL") or app.config["DXPORTAL_BASE_URL"]
    gate = Gate()

    def job(lang: str) -> Callable[[], None]:
        def export() -> None:
            with app.test_request_context("/", base_url=base_url):
                g.lang = lang
                flask_babel.refresh()
                folder = Path(destination) / lang / "search" / DATA_DIR
                if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                    folder.unlink()
                history = ExportHistory(exports, lang)
                known = history.load()
                language = LanguageExport(app, site, lang, folder, cache)
                language.shared = shared and lang == LANGUAGES[0]
                state = language.export(known, gate)
                history.save(state, [s for s in known if s is not state])
                if shared and lang != LANGUAGES[0]:
                    g.lang = LANGUAGES[0]
                    flask_babel.refresh()
                    other = Path(destination) / LANGUAGES[0] / "search" / DATA_DIR
                    LanguageExport(app, site, LANGUAGES[0], other, cache).help_analyse()

        return export

    if not worth_forking(len(site.entries) * len(LANGUAGES), processes):  # pages to index
        processes = 1
    # One process a language: they share the Vietnamese export, which has three to four times
    # the English one's work (most pages are not translated; docs/benchmarks.md). The English
    # process, done, analyses Vietnamese documents from the last; the Vietnamese one merges
    # its partitions in two processes (write_shards_shared), the English one having ended.
    shared = processes >= len(LANGUAGES)
    return BackgroundJobs([job(lang) for lang in LANGUAGES], processes, gate)
