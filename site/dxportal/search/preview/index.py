"""The Whoosh index: one per language in search_index/<lang>/.

A full build (build_index: the `dxportal index` command, or no usable index) writes every
language aside and swaps it in. Documents are added section by section (in SEARCH_SECTIONS
order), newest first, so in a fresh index each section is a contiguous range of document
numbers: the static export filters by those ranges.

The preview updates its index in place instead (update_index): each document stores a digest
of what it was made from, and only documents whose digest changed are deleted and added
again. Until segments are merged, deleted documents still count in Whoosh's statistics
(document count, document frequencies, field lengths), and a merge sums rounded field
lengths. The preview's ranking (ranking.py) computes those statistics from the documents in
the index instead, with the exact field lengths of each document kept in lengths.json
(Whoosh keeps a byte per document), so an updated index scores as a fresh one; once deleted
documents are more than MAX_DELETED_SHARE of the index, it is merged into one segment.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from functools import partial
from multiprocessing.sharedctypes import RawArray
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, STORED, Schema

from dxportal import atomic
from dxportal.content.model import ContentSet, Entry
from dxportal.messages import LANGUAGES
from dxportal.progress import Report
from dxportal.rendering import Renderer
from dxportal.search.documents import INDEX_VERSION as ANALYSIS_VERSION
from dxportal.search.documents import SCORED_FIELDS, make_document, ordered_entries
from dxportal.search.preview.codec import PortalCodec
from dxportal.search.preview.fields import PairLengthField, WordField
from dxportal.workers import fork_job, results_of

# The analysis shared with the static export, then this index's own format: "p" for pairs
# scored from word positions (pairs.py). An index of another version is rebuilt.
INDEX_VERSION = f"{ANALYSIS_VERSION}.p2"
FINGERPRINT_FILE = "FINGERPRINT"
VERSION_FILE = "VERSION"
DIGEST_FIELD = "digest"
LENGTHS_FILE = "lengths.json"  # key -> exact length of each scored field, per language
MAX_DELETED_SHARE = 0.05
WRITER_LIMIT_MB = 1024  # postings kept in memory before Whoosh sorts them through temporary files


def make_schema(lang: str) -> Schema:
    return Schema(
        key=ID(stored=True, unique=True),
        section=ID(stored=True),
        slug=STORED,
        source_lang=STORED,
        date=STORED,
        title=WordField(lang),
        summary=WordField(lang),
        body=WordField(lang),
        tags=WordField(lang),
        pairs=PairLengthField(lang),  # only each page's number of pairs: pairs.py
        digest=STORED,  # what the document was made from (update_index compares it)
    )


def content_fingerprint(site: ContentSet) -> str:
    """Changes whenever a page (or the index format) changes."""
    digest = hashlib.sha256(INDEX_VERSION.encode())
    for page in sorted(site.pages(), key=lambda p: str(p.source_path)):
        digest.update(f"{page.source_path}\0{page.digest}\0{page.draft}\n".encode())
    digest.update(repr(sorted(site.tags.items())).encode())
    return digest.hexdigest()


def document_digest(entry: Entry, lang: str, site: ContentSet) -> str:
    """Changes whenever the document of ``entry`` in ``lang`` would (without rendering it)."""
    page = entry.version(lang)
    tag_names = [site.tags.get(tag, {}).get(lang, tag) for tag in page.tags]
    parts = (INDEX_VERSION, entry.section, entry.slug, page.lang, page.digest, *tag_names)
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def add_entry(writer, entry: Entry, lang: str, site: ContentSet, renderer: Renderer) -> dict:
    """Add the document of ``entry``; return the exact length of each of its scored fields."""
    fields = make_document(entry, lang, site, renderer).fields()
    totals = writer.perdocwriter._fieldlengths  # Whoosh 2.7 adds each document's lengths here
    before = {name: totals.get(name, 0) for name in SCORED_FIELDS}
    writer.add_document(**fields, **{DIGEST_FIELD: document_digest(entry, lang, site)})
    return {name: totals.get(name, 0) - before[name] for name in SCORED_FIELDS}


def read_lengths(folder: Path) -> dict[str, dict[str, int]]:
    try:
        return json.loads((Path(folder) / LENGTHS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_lengths(folder: Path, lengths: dict[str, dict[str, int]]) -> None:
    write_atomically(Path(folder) / LENGTHS_FILE, json.dumps(lengths, sort_keys=True))


def write_language_index(site: ContentSet, lang: str, folder: Path, renderer: Renderer,
                         tick: Callable[[int], None] | None = None) -> None:  # fmt: skip
    """Create a fresh index of ``lang`` in the empty or missing ``folder``; ``tick(n)`` after
    every document added and with the number of documents once they are written."""
    folder.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(folder), make_schema(lang))
    writer = ix.writer(limitmb=WRITER_LIMIT_MB, codec=PortalCodec())
    lengths = {}
    try:
        for entry in ordered_entries(site):
            lengths[f"{entry.section}/{entry.slug}"] = add_entry(
                writer, entry, lang, site, renderer
            )
            if tick is not None:
                tick(1)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    write_lengths(folder, lengths)
    if tick is not None:
        tick(len(lengths))


class UpdateCount:
    """Progress of an update: the first language's changes stand for every language's."""

    def __init__(self, report: Report | None) -> None:
        self.report = report or (lambda stage, done, total: None)
        self.done = self.total = 0

    def planned(self, count: int) -> None:
        if not self.total and count:
            self.total = count * len(LANGUAGES)
            self.report("index", 0, self.total)

    def tick(self) -> None:
        self.done += 1
        self.total = max(self.total, self.done)
        self.report("index", self.done, self.total)

    def finish(self) -> None:
        if self.total:
            self.report("index", self.total, self.total)


def update_language_index(site: ContentSet, lang: str, folder: Path, renderer: Renderer,
                          count: UpdateCount | None = None) -> int:  # fmt: skip
    """Bring the index of ``lang`` in ``folder`` up to ``site`` in place; return how many
    documents were deleted or added."""
    count = count or UpdateCount(None)
    ix = whoosh_index.open_dir(str(folder))
    with ix.searcher() as searcher:
        indexed = {
            fields["key"]: fields.get(DIGEST_FIELD)
            for fields in searcher.reader().all_stored_fields()
        }
    wanted = {f"{e.section}/{e.slug}": e for e in ordered_entries(site)}
    gone = [key for key in indexed if key not in wanted]
    changed = [
        entry
        for key, entry in wanted.items()
        if indexed.get(key) != document_digest(entry, lang, site)
    ]
    count.planned(len(changed))
    if gone or changed:
        lengths = read_lengths(folder)
        writer = ix.writer(timeout=60.0, limitmb=WRITER_LIMIT_MB, codec=PortalCodec())
        try:
            for key in gone:
                writer.delete_by_term("key", key)
                lengths.pop(key, None)
            for entry in changed:
                key = f"{entry.section}/{entry.slug}"
                writer.delete_by_term("key", key)
                lengths[key] = add_entry(writer, entry, lang, site, renderer)
                count.tick()
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        write_lengths(folder, lengths)
    if ix.doc_count_all() - ix.doc_count() > MAX_DELETED_SHARE * max(1, ix.doc_count()):
        writer = ix.writer(timeout=60.0, limitmb=WRITER_LIMIT_MB, codec=PortalCodec())
        writer.commit(optimize=True)  # one segment, without the deleted documents
    return len(gone) + len(changed)


def index_is_current(folder: Path) -> bool:
    """Whether ``folder`` holds an index of every language in this INDEX_VERSION."""
    try:
        version = (Path(folder) / VERSION_FILE).read_text(encoding="ascii").strip()
    except OSError:
        return False
    return version == INDEX_VERSION and all(
        whoosh_index.exists_in(str(Path(folder) / lang)) for lang in LANGUAGES
    )


def update_index(site: ContentSet, destination: Path, renderer: Renderer | None = None,
                 progress: Report | None = None, processes: int = 1) -> str:  # fmt: skip
    """Update the index in ``destination`` to ``site`` document by document (a full build if
    there is none, or it is of another INDEX_VERSION); return its fingerprint."""
    renderer = renderer or Renderer()
    destination = Path(destination)
    if not index_is_current(destination):
        return build_index(site, destination, renderer, progress, processes)
    fingerprint = content_fingerprint(site)
    count = UpdateCount(progress)
    for lang in LANGUAGES:
        update_language_index(site, lang, destination / lang, renderer, count)
        ix = open_index(destination, lang)
        if live_field_lengths(ix, destination / lang) is None:  # lengths.json out of step
            return build_index(site, destination, renderer, progress, processes)
    write_atomically(destination / FINGERPRINT_FILE, fingerprint + "\n")
    count.finish()
    return fingerprint


def write_atomically(path: Path, text: str) -> None:
    atomic.write_text(path, text, encoding="ascii")


def build_index(site: ContentSet, destination: Path, renderer: Renderer | None = None,
                progress: Report | None = None, processes: int = 1) -> str:  # fmt: skip
    """Build every language's index beside ``destination`` and swap it in; return its fingerprint.

    With ``processes`` > 1 (and fork), each language is written by a forked process (the
    caller only waits). ``progress("index", done, total)`` counts each document twice: once
    added, once written. Readers keep the old files open until they reopen; a failed build
    leaves the old index.
    """
    renderer = renderer or Renderer()
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.new-", dir=destination.parent))
    fingerprint = content_fingerprint(site)
    try:
        write_languages(site, staging, renderer, progress, processes)
        (staging / FINGERPRINT_FILE).write_text(fingerprint + "\n", encoding="ascii")
        (staging / VERSION_FILE).write_text(INDEX_VERSION + "\n", encoding="ascii")
        previous = destination.with_name(f".{destination.name}.old-{os.getpid()}")
        shutil.rmtree(previous, ignore_errors=True)
        if destination.exists():
            destination.rename(previous)
        staging.rename(destination)
        shutil.rmtree(previous, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return fingerprint


def write_languages(site: ContentSet, staging: Path, renderer: Renderer,
                    progress: Report | None, processes: int) -> None:  # fmt: skip
    """Write each language's index into ``staging``: in forked processes (one a language) when
    ``processes`` > 1, else here, one after the other."""
    report = progress or (lambda stage, done, total: None)
    total = 2 * len(LANGUAGES) * len(ordered_entries(site))
    done = RawArray("q", len(LANGUAGES))  # each language's count, shared with forked writers
    report("index", 0, total)

    def counter(slot: int, here: bool) -> Callable[[int], None]:
        def tick(count: int) -> None:
            done[slot] += count
            if here:
                report("index", sum(done), total)

        return tick

    if processes < 2 or not hasattr(os, "fork"):
        for slot, lang in enumerate(LANGUAGES):
            write_language_index(site, lang, staging / lang, renderer, counter(slot, True))
        return
    children = [
        fork_job(
            partial(
                write_language_index, site, lang, staging / lang, renderer, counter(slot, False)
            )
        )  # fmt: skip
        for slot, lang in enumerate(LANGUAGES)
    ]
    results_of(children, lambda: report("index", sum(done), total))  # stopped if interrupted
    report("index", total, total)


def read_fingerprint(folder: Path) -> str | None:
    try:
        return (Path(folder) / FINGERPRINT_FILE).read_text(encoding="ascii").strip()
    except OSError:
        return None


def live_field_lengths(ix, folder: Path) -> dict[str, int] | None:
    """The total length of each scored field over the documents not deleted, if lengths.json
    accounts for exactly those; else None.

    Whoosh's own totals count deleted documents, and after a merge they add up the lengths
    it keeps per document (a byte each: rounded), not the lengths themselves."""
    lengths = read_lengths(folder)
    with ix.searcher() as searcher:
        live = [fields["key"] for fields in searcher.reader().all_stored_fields()]
    if len(live) != len(lengths) or any(key not in lengths for key in live):
        return None
    return {name: sum(lengths[key].get(name, 0) for key in live) for name in SCORED_FIELDS}


def open_index(folder: Path, lang: str):
    """Open one language's index for reading."""
    return whoosh_index.open_dir(str(Path(folder) / lang), readonly=True)
