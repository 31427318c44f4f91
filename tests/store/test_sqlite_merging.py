"""The writer of an embedded index keeps the band runs it wrote in memory for the merge that
ends its run, and makes the band filter from what that merge wrote: the index and the filter
are the ones a merge that reads everything back writes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from detector.store import band_filter, sqlite_merging
from detector.store.sqlite_store import SqliteIndex
from tests.store.test_sqlite_format import _pairs, _store, _write


def _build(path: Path) -> tuple[SqliteIndex, dict[str, np.ndarray]]:
    """Twelve runs with a removed and a replaced document among them, not yet merged."""
    rng = np.random.default_rng(8)
    store = _store(path)
    written: dict[str, np.ndarray] = {}
    for batch in range(12):
        keys = {f"d{batch}-{i}": np.unique(rng.integers(-(2**63), 2**63 - 1, 300)) for i in range(20)}
        _write(store, keys)
        written.update(keys)
    assert store.remove({"d3-4": None}) == ["d3-4"]
    del written["d3-4"]
    written["d5-1"] = np.array([11, -11], dtype=np.int64)
    _write(store, {"d5-1": written["d5-1"]})
    return store, written


def _table(path: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], bytes]:
    store = SqliteIndex.open(path, None)
    try:
        blocks = store.conn.execute("SELECT keys, docs FROM blocks ORDER BY block").fetchall()
        runs = store.conn.execute("SELECT bits, entries FROM runs").fetchall()
    finally:
        store.close()
    filt = band_filter.load(band_filter.cache_path(path))
    assert filt is not None
    return blocks, runs, filt.words.tobytes()


def test_a_merge_of_runs_held_in_memory_writes_what_a_merge_reading_them_back_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held, _ = _build(tmp_path / "held.idx")
    assert len(held._merger.held) == 13  # every run it wrote
    held.finish()
    held.close()
    nothing = dataclasses.replace(sqlite_merging.LIMITS, sqlite_merge_whole_entries=0)
    monkeypatch.setattr(sqlite_merging, "LIMITS", nothing)
    read, _ = _build(tmp_path / "read.idx")
    assert read._merger.held == {}
    read.finish()
    read.close()
    assert _table(tmp_path / "held.idx") == _table(tmp_path / "read.idx")


def test_the_filter_made_from_the_merged_keys_is_the_one_read_from_the_table(tmp_path: Path) -> None:
    store, written = _build(tmp_path / "a.idx")
    store.finish()
    saved = band_filter.load(band_filter.cache_path(tmp_path / "a.idx"))
    store.conn.execute("BEGIN")
    read = band_filter.build(store.conn)
    store.conn.execute("COMMIT")
    assert saved is not None and read is not None
    assert saved.state == read.state and np.array_equal(saved.words, read.words)
    every = np.concatenate(list(written.values()))
    expected = {(int(k), doc_id) for doc_id, keys in written.items() for k in keys.tolist()}
    assert _pairs(store, every) == expected
    store.close()


def test_a_writer_forgets_the_runs_it_holds_once_another_connection_wrote(tmp_path: Path) -> None:
    """Another writer may have merged them away (SQLite's data_version tells)."""
    store, written = _build(tmp_path / "a.idx")
    other = SqliteIndex.open(tmp_path / "a.idx", None, writable=True)
    _write(other, {"other": np.array([21, 22], dtype=np.int64)})
    other._merger.merge(other._merger.runs())  # every run, its own and the first writer's
    other.close()
    written["other"] = np.array([21, 22], dtype=np.int64)
    written["last"] = np.array([31], dtype=np.int64)
    _write(store, {"last": written["last"]})
    assert [entries for _, _, entries in store._merger.held] == [1]  # only the run written since
    store.finish()
    assert store.structural_problems() == []
    every = np.concatenate(list(written.values()))
    expected = {(int(k), doc_id) for doc_id, keys in written.items() for k in keys.tolist()}
    assert _pairs(store, every) == expected
    store.close()
