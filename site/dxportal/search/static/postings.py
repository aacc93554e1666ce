"""Posting lists of the static search index: merged from documents, written as shards, patched.

A shard is a JSON object, term -> its flat list of numbers written as one string of base-45
digits (number_code: a number below 45 is one character, below 2,025 two; about half the bytes
of JSON numbers and commas), one run per document (documents ascending, numbered by their delta
from the previous one):

- words (``t/``): ``lead, body count`` and, when ``lead`` is odd, ``title, tags, summary
  counts``; ``lead`` is 2 × doc delta, plus 1 when the three counts follow;
- pairs (``q/``): ``lead`` and, when ``lead`` is odd, the count: ``lead`` is 2 × doc delta,
  plus 1 when the pair occurs more than once in the document (its count is then written);
- pair positions (``p/``, sharded apart): per document in the order of ``q/``, its count of
  position deltas (the first from 0). Only a quoted phrase of three words or more reads them
  (search.js), so the shards every other query reads hold about 40% of the pairs' bytes.

A patch (patch_shards, Run, decode_runs) works on decimal runs: a pair's run is ``count,
position deltas…`` and a term's list ``doc delta, count, position deltas…``; split_pairs and
join_pairs convert between that and the two files.

Documents give their runs already coded, as posting lines without the doc delta (terms.py's
line_fields). A full export merges every document's lines (Spill), coding only
the leads; an export that starts from an earlier one replaces the runs of the documents that
changed in the shards they touch (patch_shards). Both write a shard with coded_shard_text, so
they write the same bytes.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from operator import itemgetter
from pathlib import Path
from zlib import crc32

from dxportal.atomic import replace_bytes
from dxportal.gc_pause import collection_paused
from dxportal.search.static.codes import BASE, CODE, DIGITS, code_numbers, decode_numbers
from dxportal.search.static.terms import PARTITIONS, line_fields, partition_hashes
from dxportal.workers import fork_job, results_of

__all__ = ["BASE", "DIGITS", "code_numbers", "decode_numbers"]  # tests and tools read them here

WORDS, PAIRS, POSITIONS = "t", "q", "p"
# A shard holds about SHARD_BYTES of posting lines (as terms.line_size estimates them in
# decimal; about half that once coded), and a kind has at most MAX_SHARDS (export.py caps some
# kinds lower): at 5,000 articles the index of both languages is about 5,300 files (a free
# host takes 20,000 in all), and a first query at 2,000 articles downloads about 30 KB gzipped
# at the median (docs/benchmarks.md).
SHARD_BYTES = 16384
MAX_SHARDS = 1024

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


def split_pairs(flat: list[int]) -> tuple[list[int], list[int]]:
    """A pair term's list ``doc delta, count, positions…`` as its q/ and p/ numbers."""
    leads: list[int] = []
    positions: list[int] = []
    index = 0
    while index < len(flat):
        delta, count = flat[index], flat[index + 1]
        if count > 1:
            leads += (2 * delta + 1, count)
        else:
            leads.append(2 * delta)
        positions += flat[index + 2 : index + 2 + count]
        index += 2 + count
    return leads, positions


def join_pairs(leads: list[int], positions: list[int]) -> list[int]:
    """The inverse of split_pairs; ValueError if the two do not fit together."""
    flat: list[int] = []
    index = taken = 0
    while index < len(leads):
        lead = leads[index]
        count = leads[index + 1] if lead & 1 else 1
        index += 2 if lead & 1 else 1
        flat += (lead >> 1, count, *positions[taken : taken + count])
        taken += count
    if taken != len(positions) or index != len(leads):
        raise ValueError("pair counts and positions do not match")
    return flat


def shard_text(items: Iterable[tuple[str, str]]) -> str:
    """A shard from (term, comma-joined numbers): see coded_shard_text."""
    return coded_shard_text([(term, code_numbers(numbers)) for term, numbers in items])


def coded_shard_text(items: list[tuple[str, str]]) -> str:
    """A shard from (term, its numbers' code): compact JSON, terms sorted.

    A term is made of letters, digits and one space at most (analysis.WORD), and DIGITS holds
    neither a quote nor a backslash, so neither needs escaping.
    """
    if not items:
        return "{}"
    items.sort(key=itemgetter(0))  # terms are unique: by term alone is cheaper, the same order
    return '{"' + '","'.join(map('":"'.join, items)) + '"}'


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` unless the file already holds it; True if written.

    A later build starts from an earlier one, and a file left alone keeps its modification
    time (which the build record checks).
    """
    data = text.encode("utf-8")
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:  # a new file (a cold build writes only those): no second look
        replace_bytes(path, data, exists=False)
        return True
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
        """term -> the codes of its runs in the given partitions, in document order: words,
        lead and counts, to be joined; pairs, lead and count then positions, to be joined
        apart (items 0, 2, 4… make q/, items 1, 3, 5… p/).

        A document's lines are coded already (terms.py), so only the leads (doc deltas) are
        coded here, taken from a table. While merging, the first item of each list is the
        last document seen (dropped at the end): one dictionary lookup a posting, which is
        most of a full export's time.
        """
        merge = self.merge_words if self.kind == WORDS else self.merge_pairs
        merged: dict[str, list] = {}
        for partition in partitions:
            text = (self.folder / str(partition)).read_text(encoding="utf-8")
            for block in text.split("\0"):
                if not block:
                    continue
                head, _, body = block.partition("\n")
                number = int(head)
                leads = CODE.upto(2 * number + 1)
                merge(merged, number, line_fields(body), leads)
        for pieces in merged.values():
            del pieces[0]
        return merged

    @staticmethod
    def merge_words(merged: dict[str, list], number: int, lines: Iterable, leads: list) -> None:
        """Add one document's word lines: lead 2 × doc delta, plus 1 if three counts follow
        (the line's flag)."""
        for term, flag, codes in lines:
            pieces = merged.get(term)
            if pieces is None:
                merged[term] = [number, leads[number * 2 + (flag != "")], codes]
            else:
                pieces += (leads[(number - pieces[0]) * 2 + (flag != "")], codes)
                pieces[0] = number

    @staticmethod
    def merge_pairs(merged: dict[str, list], number: int, lines: Iterable, leads: list) -> None:
        """Add one document's pair lines: q/ takes lead 2 × doc delta, plus 1 and the count
        if the pair occurs more than once; p/ the positions."""
        for term, count, positions in lines:
            pieces = merged.get(term)
            if pieces is None:
                merged[term] = [number, leads[number * 2 + (count != "")] + count, positions]
            else:
                pieces += (leads[(number - pieces[0]) * 2 + (count != "")] + count, positions)
                pieces[0] = number

    @property
    def kinds(self) -> list[str]:
        """The kinds of shard this spill's lines make (words: t; pairs: q and p)."""
        return [WORDS] if self.kind == WORDS else [PAIRS, POSITIONS]

    def one_batch_each(self, counts: dict[str, int]) -> bool:
        """Whether each partition makes shards of its own (see write_shards)."""
        return min(counts[kind] for kind in self.kinds) >= PARTITIONS

    def write_shards(self, folders: dict[str, Path], counts: dict[str, int]) -> None:
        """Write the shards of each kind in ``folders`` (words: t; pairs: q and p), as many
        as ``counts`` says, one partition at a time.

        The collector is paused meanwhile: it would walk the growing posting lists of a
        partition again and again, and they hold no cycles (they are freed as a batch ends).
        """
        kinds = self.make_folders(folders)
        batches = [range(g, g + 1) for g in range(PARTITIONS)]
        if not self.one_batch_each(counts):  # a shard gathers terms of several
            batches = [range(PARTITIONS)]  # partitions: merge all at once
        with collection_paused():
            for batch in batches:
                self.write_batch(folders, counts, kinds, batch)
        self.remove_other_shards(folders, counts)

    def make_folders(self, folders: dict[str, Path]) -> list[str]:
        """Make the folders of this spill's kinds of shard; return the kinds."""
        for kind in self.kinds:
            folders[kind].mkdir(parents=True, exist_ok=True)
        return self.kinds

    def remove_other_shards(self, folders: dict[str, Path], counts: dict[str, int]) -> None:
        """Remove the files of an earlier export beyond this one's shard counts."""
        for kind in self.kinds:
            remove_other_files(folders[kind], {f"{n}.json" for n in range(counts[kind])})

    def write_batch(
        self, folders: dict[str, Path], counts: dict[str, int], kinds: list[str], batch: range
    ) -> None:
        """Write the shards whose terms are in the partitions of ``batch``."""
        shards = {kind: [[] for _ in range(counts[kind])] for kind in kinds}
        merged = self.postings(batch)
        hashes = partition_hashes(merged)
        if self.kind == WORDS:
            count, words = counts[WORDS], shards[WORDS]
            for crc, term, pieces in zip(hashes, merged, merged.values(), strict=True):
                words[crc % count].append((term, "".join(pieces)))
        else:
            (leads, lead_count), (places, place_count) = ((shards[k], counts[k]) for k in kinds)
            for crc, term, pieces in zip(hashes, merged, merged.values(), strict=True):
                leads[crc % lead_count].append((term, "".join(pieces[::2])))
                places[crc % place_count].append((term, "".join(pieces[1::2])))
        del merged
        for kind in kinds:
            count = counts[kind]
            numbers = range(count) if len(batch) > 1 else range(batch[0], count, PARTITIONS)
            for number in numbers:
                text = coded_shard_text(shards[kind][number])
                write_if_changed(folders[kind] / f"{number}.json", text)


def write_shards_shared(
    spills: list[Spill], folders: dict[str, Path], counts: dict[str, int]
) -> None:
    """write_shards of every spill, their partitions shared between this process and a forked
    one (the other core is idle by then: the other language's export is done), weighted by
    their spilled bytes. The same files as write_shards: each partition writes its own shards.

    Raises JobFailed if the forked process failed.
    """
    if not all(spill.one_batch_each(counts) for spill in spills):
        for spill in spills:
            spill.write_shards(folders, counts)
        return
    batches = [
        ((spill.folder / str(g)).stat().st_size, number, g)
        for number, spill in enumerate(spills)
        for g in range(PARTITIONS)
    ]
    shares: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], [])
    loads = [0, 0]
    for size, number, g in sorted(batches, reverse=True):  # the largest first, to the lighter
        lighter = loads.index(min(loads))
        shares[lighter].append((number, g))
        loads[lighter] += size
    for spill in spills:
        spill.make_folders(folders)

    def write(share: list[tuple[int, int]]) -> None:
        with collection_paused():
            for number, g in share:
                spills[number].write_batch(folders, counts, spills[number].kinds, range(g, g + 1))

    child = fork_job(lambda: write(shares[1]))
    try:
        write(shares[0])
    finally:
        results_of([child])  # reaped even if this half failed; JobFailed if that one did
    for spill in spills:
        spill.remove_other_shards(folders, counts)


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


def read_shard(path: Path) -> dict[str, list[int]]:
    """term -> numbers of one shard file; PatchFailed if it cannot be read."""
    try:
        return {t: decode_numbers(c) for t, c in json.loads(path.read_text("utf-8")).items()}
    except (OSError, ValueError, TypeError, AttributeError) as error:
        raise PatchFailed(f"{path}: {error}") from error


def patch_shards(
    folders: dict[str, Path], kind: str, counts: dict[str, int], changes: Changes
) -> list[Path]:
    """Apply ``changes`` to the shards of ``kind`` (words: t; pairs: q and p, in ``folders``,
    as many as ``counts`` says); return the files written.

    Raises PatchFailed when a shard does not hold a run the change expects there.
    """
    kinds = [WORDS] if kind == WORDS else [PAIRS, POSITIONS]
    shards: dict[tuple[str, int], dict[str, list[int]]] = {}
    for term in changes:
        for k in kinds:
            key = (k, shard_of(term, counts[k]))
            if key not in shards:
                shards[key] = read_shard(folders[k] / f"{key[1]}.json")
    for term, docs in changes.items():
        found = [shards[k, shard_of(term, counts[k])].get(term, []) for k in kinds]
        try:
            runs = decode_runs(kind, join_pairs(*found) if kind == PAIRS else found[0])
        except (ValueError, IndexError) as error:
            raise PatchFailed(f"{term!r}: {error}") from error
        for doc, (old, new) in docs.items():
            if runs.get(doc) != old:
                raise PatchFailed(f"{term!r} of document {doc} is not as recorded")
            if new is None:
                del runs[doc]
            else:
                runs[doc] = new
        flat = [int(n) for n in encode_runs(kind, runs).split(",")] if runs else []
        parts = split_pairs(flat) if kind == PAIRS else (flat,)
        for k, numbers in zip(kinds, parts, strict=True):
            shard = shards[k, shard_of(term, counts[k])]
            if runs:
                shard[term] = numbers
            else:
                shard.pop(term, None)
    written = []
    for (k, number), shard in sorted(shards.items()):
        path = folders[k] / f"{number}.json"
        items = [(term, ",".join(map(str, numbers))) for term, numbers in shard.items()]
        if write_if_changed(path, shard_text(items)):
            written.append(path)
    return written
