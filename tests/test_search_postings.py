"""Posting lists of the static index: the layout round-trips, and a patch equals a rewrite."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dxportal.config import PROJECT_ROOT
from dxportal.search.static.postings import (
    BASE,
    DIGITS,
    PAIRS,
    POSITIONS,
    WORDS,
    PatchFailed,
    code_numbers,
    decode_numbers,
    decode_runs,
    encode_runs,
    join_pairs,
    patch_shards,
    read_shard,
    shard_text,
    split_pairs,
)

word_runs = st.dictionaries(
    st.integers(0, 5000),
    st.one_of(
        st.tuples(st.integers(0, 300)),
        st.tuples(*[st.integers(0, 30)] * 4),
    ),
)
pair_runs = st.dictionaries(
    st.integers(0, 5000),
    st.lists(st.integers(0, 900), min_size=1, max_size=6).map(lambda p: (len(p), *p)),
)


@settings(deadline=None)
@given(word_runs)
def test_word_runs_round_trip(runs):
    flat = json.loads(f"[{encode_runs(WORDS, runs)}]") if runs else []
    assert decode_runs(WORDS, flat) == runs


@settings(deadline=None)
@given(pair_runs)
def test_pair_runs_round_trip(runs):
    flat = json.loads(f"[{encode_runs(PAIRS, runs)}]") if runs else []
    assert decode_runs(PAIRS, flat) == runs


def write_shard(folder, runs_by_term: dict) -> None:
    items = [(term, encode_runs(WORDS, runs)) for term, runs in runs_by_term.items()]
    (folder / "0.json").write_text(shard_text(items), encoding="utf-8")


@settings(deadline=None, max_examples=50)  # a file per example: slow on a busy machine
@given(word_runs, word_runs)
def test_a_patch_writes_what_a_rewrite_writes(tmp_path_factory, before, after):
    folder = tmp_path_factory.mktemp("shard")
    write_shard(folder, {"số": before, "và": {7: (1,)}})
    changes = {"số": {d: (before.get(d), after.get(d)) for d in before.keys() | after.keys()}}
    patch_shards({WORDS: folder}, WORDS, {WORDS: 1}, changes)
    patched = (folder / "0.json").read_text("utf-8")
    write_shard(folder, {"số": after, "và": {7: (1,)}} if after else {"và": {7: (1,)}})
    assert patched == (folder / "0.json").read_text("utf-8")


@pytest.mark.parametrize("recorded", [(3,), None])
def test_a_shard_not_as_recorded_fails_the_patch(tmp_path, recorded):
    write_shard(tmp_path, {"a": {1: (5,)}})
    with pytest.raises(PatchFailed):
        patch_shards({WORDS: tmp_path}, WORDS, {WORDS: 1}, {"a": {1: (recorded, (4,))}})


@settings(deadline=None)
@given(st.lists(st.integers(0, 10**9), max_size=40))
def test_coded_numbers_round_trip_and_are_shorter(numbers):
    decimals = ",".join(map(str, numbers))
    code = code_numbers(decimals)
    assert decode_numbers(code) == numbers
    assert len(code) <= len(decimals) + (not numbers)
    assert '"' not in code and "\\" not in code


@pytest.mark.parametrize("code", ["$", "a~", "ab\u00e9"])
def test_a_damaged_code_is_an_error(code):
    with pytest.raises(ValueError):
        decode_numbers(code)


def test_search_js_reads_the_digits_python_writes():
    script = (PROJECT_ROOT / "site/dxportal/static/js/search.js").read_text("utf-8")
    found = re.search(r'var DIGITS = "(.*)";', script)
    assert found and json.loads(f'"{found.group(1)}"') == DIGITS
    assert f"d < {BASE}" in script and f"value * {BASE}" in script


@settings(deadline=None)
@given(pair_runs)
def test_pair_counts_and_positions_split_and_join(runs):
    flat = [int(n) for n in encode_runs(PAIRS, runs).split(",")] if runs else []
    leads, positions = split_pairs(flat)
    assert join_pairs(leads, positions) == flat
    assert len(positions) == sum(run[0] for run in runs.values())
    assert len(leads) == len(runs) + sum(run[0] > 1 for run in runs.values())


def write_pairs(folders, runs_by_term: dict, counts) -> None:
    texts = {PAIRS: [], POSITIONS: []}
    for term, runs in runs_by_term.items():
        leads, positions = split_pairs([int(n) for n in encode_runs(PAIRS, runs).split(",")])
        texts[PAIRS].append((term, ",".join(map(str, leads))))
        texts[POSITIONS].append((term, ",".join(map(str, positions))))
    for kind, items in texts.items():
        (folders[kind] / "0.json").write_text(shard_text(items), encoding="utf-8")


@settings(deadline=None, max_examples=40)
@given(pair_runs, pair_runs)
def test_a_pair_patch_writes_what_a_rewrite_writes(tmp_path_factory, before, after):
    root = tmp_path_factory.mktemp("pairs")
    folders = {kind: root / kind for kind in (PAIRS, POSITIONS)}
    for folder in folders.values():
        folder.mkdir()
    counts = {PAIRS: 1, POSITIONS: 1}
    other = {"so dien": {3: (2, 5, 9)}}
    write_pairs(folders, {"chuyen doi": before, **other} if before else other, counts)
    changes = {
        "chuyen doi": {d: (before.get(d), after.get(d)) for d in before.keys() | after.keys()}
    }
    patch_shards(folders, PAIRS, counts, changes)
    patched = {kind: read_shard(folder / "0.json") for kind, folder in folders.items()}
    write_pairs(folders, {"chuyen doi": after, **other} if after else other, counts)
    assert patched == {kind: read_shard(folder / "0.json") for kind, folder in folders.items()}


def test_pair_counts_that_do_not_fit_their_positions_fail_the_patch(tmp_path):
    folders = {kind: tmp_path / kind for kind in (PAIRS, POSITIONS)}
    for folder in folders.values():
        folder.mkdir()
    write_pairs(folders, {"a b": {1: (2, 4, 1)}}, {})
    (folders[POSITIONS] / "0.json").write_text(shard_text([("a b", "4")]), encoding="utf-8")
    with pytest.raises(PatchFailed):
        patch_shards(folders, PAIRS, {PAIRS: 1, POSITIONS: 1}, {"a b": {1: ((2, 4, 1), None)}})
