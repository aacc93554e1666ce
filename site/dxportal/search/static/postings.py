"""Posting lists of the static search index: merged from documents, written as shards, patched.

A shard is a JSON object, term -> flat list of numbers, one run per document (documents
ascending, numbered by their delta from the previous one):

- words (``t/``): ``lead, body count`` and, when ``lead`` is odd, ``title, tags, summary
  counts``; ``lead`` is 2 × doc delta, plus 1 when the three counts follow;
- pairs (``q/``): ``doc delta, count, position deltas…``.

Documents give their runs as posting lines ``term<TAB>numbers`` without the doc delta
(search/terms.py). A full export merges every document's lines (Spill); an export that starts
from an earlier one replaces the runs of the documents that changed in the shards they touch
(patch_shards). Both write a shard with shard_text, so they write the same bytes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from zlib import crc32

from dxportal.atomic import replace_bytes
from dxportal.gc_pause import collection_paused
from dxportal.search.static.terms import PARTITIONS, partition_hashes

WORDS, PAIRS = "t", "q"
SHARD_BYTES = 4096
MAX_SHARDS = 16384
LINE = re.compile(r"([^\t\n]+)\t([^\n]*)")

Run = tuple[int, ...]  # the numbers of one document's run, without the doc delta
# term -> document -> (its run in the shard now or None, its run from now on or None)
Changes = dict[str, dict[int, tuple[Run | None, Run | None]]]


class PatchFailed(Exception):
    """The shards do not hold what the earlier export recorded: export in full instead."""


def shard_of(term: str, count: int) -> int:
    """The shard of ``term`` among ``count`` (search.js computes the same)."""
    return crc32(term.encode("utf-8")) % count


def shard_count(total_bytes: int) -> int:
    """Shards enough for about SHARD_BYTES each (a power of two, at most MAX_SHARDS)."""
    count = 1
    while count < MAX_SHARDS and total_bytes / count > SHARD_BYTES:
        count *= 2
    return count


def shard_text(items: Iterable[tuple[str, str]]) -> str:
    """A shard from (term, comma-joined numbers): compact JSON, terms sorted.

    A term is made of letters, digits and one space at most (analysis.WORD), so it needs no
    escaping.
    """
    return "{" + ",".join(f'"{term}":[{numbers}]' for term, numbers in sorted(items)) + "}"


def parse_lines(groups: Iterable[str]) -> dict[str, Run]:
    """term -> run, from a document's posting lines."""
    return {
        term: tuple(map(int, numbers.split(","))) for term, numbers in LINE.findall("".join(groups))
    }


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` unless the file already holds it; True if written.

    A later build starts from an earlier one, and a file left alone keeps its modification
    time (which the build record checks).
    """
    data = text.encode("utf-8")
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    replace_bytes(path, data)  # never changed in place: another build may share it (atomic.py)
    return True


def remove_other_files(folder: Path, keep: set[str]) -> None:
    for name in os.listdir(folder):
        if name not in keep:
            path = folder / name
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()


class Spill:
    """One kind of posting lines of every document, grouped by partition in temporary files.

    The pairs are most of the index; merging one partition at a time keeps the memory of a
    build small however many pages there are.
    """

    def __init__(self, folder: Path, kind: str) -> None:
        self.folder = folder
        self.kind = kind
        self.files: list = []

    def __enter__(self) -> Spill:
        self.folder.mkdir(parents=True, exist_ok=True)
        for partition in range(PARTITIONS):
            self.files.append(open(self.folder / str(partition), "w", encoding="utf-8"))  # noqa: SIM115
        return self

    def __exit__(self, *exc_info) -> None:
        for spill in self.files:
            spill.close()

    def add(self, number: int, groups: tuple[str, ...]) -> None:
        header = f"\0{number}\n"  # a block of lines of one document
        for spill, group in zip(self.files, groups, strict=True):
            if group:
                spill.write(header)
                spill.write(group)

    def postings(self, partitions: range) -> dict[str, list[str]]:
        """term -> the texts of its runs in the given partitions, to be joined with commas.

        While merging, the first item of each list is the last document seen (dropped at the
        end): one dictionary lookup a posting, which is most of a full export's time. A lead
        is taken from a list of number texts, not formatted a posting.
        """
        words = self.kind == WORDS
        merged: dict[str, list] = {}
        leads: list[str] = []
        for partition in partitions:
            text = (self.folder / str(partition)).read_text(encoding="utf-8")
            for block in text.split("\0"):
                if not block:
                    continue
                head, _, body = block.partition("\n")
                number = int(head)
                if len(leads) < 2 * number + 2:
                    leads = list(map(str, range(2 * number + 1024)))
                if words:
                    self.merge_words(merged, number, LINE.findall(body), leads)
                else:
                    self.merge_pairs(merged, number, LINE.findall(body), leads)
        for pieces in merged.values():
            del pieces[0]
        return merged

    @staticmethod
    def merge_words(merged: dict[str, list], number: int, lines: list, leads: list[str]) -> None:
        """Add one document's word lines: lead 2 × doc delta, plus 1 if three counts follow."""
        for term, numbers in lines:
            pieces = merged.get(term)
            if pieces is None:
                merged[term] = [number, leads[number * 2 + ("," in numbers)], numbers]
            else:
                pieces.append(leads[(number - pieces[0]) * 2 + ("," in numbers)])
                pieces.append(numbers)
                pieces[0] = number

    @staticmethod
    def merge_pairs(merged: dict[str, list], number: int, lines: list, leads: list[str]) -> None:
        """Add one document's pair lines: lead the doc delta."""
        for term, numbers in lines:
            pieces = merged.get(term)
            if pieces is None:
                merged[term] = [number, leads[number], numbers]
            else:
                pieces.append(leads[number - pieces[0]])
                pieces.append(numbers)
                pieces[0] = number

    def write_shards(self, folder: Path, count: int) -> None:
        """Write ``count`` shards in ``folder``, one partition at a time.

        The collector is paused meanwhile: it would walk the growing posting lists of a
        partition again and again, and they hold no cycles (they are freed as a batch ends).
        """
        folder.mkdir(parents=True, exist_ok=True)
        batches = [range(g, g + 1) for g in range(PARTITIONS)]
        if count < PARTITIONS:  # a shard gathers terms of several partitions: merge all at once
            batches = [range(PARTITIONS)]
        with collection_paused():
            for batch in batches:
                self.write_batch(folder, count, batch)
        remove_other_files(folder, {f"{number}.json" for number in range(count)})

    def write_batch(self, folder: Path, count: int, batch: range) -> None:
        """Write the shards whose terms are in the partitions of ``batch``."""
        shards: dict[int, list[tuple[str, str]]] = {}
        merged = self.postings(batch)
        for crc, term, pieces in zip(
            partition_hashes(merged), merged, merged.values(), strict=True
        ):
            shards.setdefault(crc % count, []).append((term, ",".join(pieces)))
        del merged
        numbers = range(count) if len(batch) > 1 else range(batch[0], count, PARTITIONS)
        for number in numbers:
            write_if_changed(folder / f"{number}.json", shard_text(shards.get(number, [])))


def diff_runs(number: int, before: dict[str, Run], after: dict[str, Run], into: Changes) -> None:
    """Add to ``into`` the runs of document ``number`` that differ between two versions."""
    for term in before.keys() | after.keys():
        old, new = before.get(term), after.get(term)
        if old != new:
            into.setdefault(term, {})[number] = (old, new)


def decode_runs(kind: str, flat: list[int]) -> dict[int, Run]:
    """document -> run, from a term's flat list."""
    runs: dict[int, Run] = {}
    doc = index = 0
    while index < len(flat):
        lead = flat[index]
        if kind == WORDS:
            doc += lead >> 1
            size = 4 if lead & 1 else 1
        else:
            doc += lead
            size = 1 + flat[index + 1]
        runs[doc] = tuple(flat[index + 1 : index + 1 + size])
        index += 1 + size
    return runs


def encode_runs(kind: str, runs: dict[int, Run]) -> str:
    """A term's flat list (comma-joined), from document -> run."""
    pieces, previous = [], 0
    for doc in sorted(runs):
        run = runs[doc]
        lead = (doc - previous) * 2 + (len(run) > 1) if kind == WORDS else doc - previous
        pieces.append(",".join(map(str, (lead, *run))))
        previous = doc
    return ",".join(pieces)


def patch_shards(folder: Path, kind: str, count: int, changes: Changes) -> list[Path]:
    """Apply ``changes`` to the ``count`` shards in ``folder``; return the files written.

    Raises PatchFailed when a shard does not hold a run the change expects there.
    """
    by_shard: dict[int, Changes] = {}
    for term, docs in changes.items():
        by_shard.setdefault(shard_of(term, count), {})[term] = docs
    written = []
    for number, terms in sorted(by_shard.items()):
        path = folder / f"{number}.json"
        try:
            shard = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise PatchFailed(f"{path}: {error}") from error
        items = {term: ",".join(map(str, flat)) for term, flat in shard.items()}
        for term, docs in terms.items():
            runs = decode_runs(kind, shard.get(term, []))
            for doc, (old, new) in docs.items():
                if runs.get(doc) != old:
                    raise PatchFailed(f"{path}: {term!r} of document {doc} is not as recorded")
                if new is None:
                    del runs[doc]
                else:
                    runs[doc] = new
            if runs:
                items[term] = encode_runs(kind, runs)
            else:
                items.pop(term, None)
        if write_if_changed(path, shard_text(items.items())):
            written.append(path)
    return written
