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
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, STORED, TEXT, Schema

from dxportal import atomic
from dxportal.content.model import ContentSet, Entry
from dxportal.content.schema import LANGUAGES
from dxportal.rendering import Renderer
from dxportal.search.analysis import PairTokenizer, WordTokenizer
from dxportal.search.documents import (
    INDEX_VERSION,
    SCORED_FIELDS,
    make_document,
    ordered_entries,
)

FINGERPRINT_FILE = "FINGERPRINT"
VERSION_FILE = "VERSION"
DIGEST_FIELD = "digest"
LENGTHS_FILE = "lengths.json"  # key -> exact length of each scored field, per language
MAX_DELETED_SHARE = 0.05
WRITER_LIMIT_MB = 1024  # postings kept in memory before Whoosh sorts them through temporary files


def make_schema(lang: str) -> Schema:
    words = WordTokenizer(lang)
    return Schema(
        key=ID(stored=True, unique=True),
        section=ID(stored=True),
        slug=STORED,
        source_lang=STORED,
        date=STORED,
        title=TEXT(analyzer=words, phrase=False),
        summary=TEXT(analyzer=words, phrase=False),
        body=TEXT(analyzer=words, phrase=False),
        tags=TEXT(analyzer=words, phrase=False),
        pairs=TEXT(analyzer=PairTokenizer(lang), phrase=True),
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


def write_language_index(site: ContentSet, lang: str, folder: Path, renderer: Renderer) -> None:
    """Create a fresh index of ``lang`` in the empty or missing ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(folder), make_schema(lang))
    writer = ix.writer(limitmb=WRITER_LIMIT_MB)
    lengths = {}
    try:
        for entry in ordered_entries(site):
            lengths[f"{entry.section}/{entry.slug}"] = add_entry(
                writer, entry, lang, site, renderer
            )
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    write_lengths(folder, lengths)


def update_language_index(site: ContentSet, lang: str, folder: Path, renderer: Renderer) -> int:
    """Bring the index of ``lang`` in ``folder`` up to ``site`` in place; return how many
    documents were deleted or added."""
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
    if gone or changed:
        lengths = read_lengths(folder)
        writer = ix.writer(timeout=60.0, limitmb=WRITER_LIMIT_MB)
        try:
            for key in gone:
                writer.delete_by_term("key", key)
                lengths.pop(key, None)
            for entry in changed:
                key = f"{entry.section}/{entry.slug}"
                writer.delete_by_term("key", key)
                lengths[key] = add_entry(writer, entry, lang, site, renderer)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        write_lengths(folder, lengths)
    if ix.doc_count_all() - ix.doc_count() > MAX_DELETED_SHARE * max(1, ix.doc_count()):
        writer = ix.writer(timeout=60.0, limitmb=WRITER_LIMIT_MB)
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


def update_index(site: ContentSet, destination: Path, renderer: Renderer | None = None) -> str:
    """Update the index in ``destination`` to ``site`` document by document (a full build if
    there is none, or it is of another INDEX_VERSION); return its fingerprint."""
    renderer = renderer or Renderer()
    destination = Path(destination)
    if not index_is_current(destination):
        return build_index(site, destination, renderer)
    fingerprint = content_fingerprint(site)
    for lang in LANGUAGES:
        update_language_index(site, lang, destination / lang, renderer)
        ix = open_index(destination, lang)
        if live_field_lengths(ix, destination / lang) is None:  # lengths.json out of step
            return build_index(site, destination, renderer)
    write_atomically(destination / FINGERPRINT_FILE, fingerprint + "\n")
    return fingerprint


def write_atomically(path: Path, text: str) -> None:
    atomic.write_text(path, text, encoding="ascii")


def build_index(site: ContentSet, destination: Path, renderer: Renderer | None = None) -> str:
    """Build every language's index beside ``destination`` and swap it in; return its fingerprint.

    Readers keep the old files open until they reopen; a failed build leaves the old index.
    """
    renderer = renderer or Renderer()
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.new-", dir=destination.parent))
    fingerprint = content_fingerprint(site)
    try:
        for lang in LANGUAGES:
            write_language_index(site, lang, staging / lang, renderer)
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
