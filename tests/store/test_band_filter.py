"""The band filter beside an embedded index: lookups find the same entries with it, read fewer
blocks, and a filter that does not match the index (stale, damaged) is not used."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from detector import indexing
from detector.config import Settings
from detector.retrieval import open_index, source_keys
from detector.store import band_filter
from detector.store.sqlite_store import SqliteIndex
from tests.analysis.test_offtopic import SOURCES

SETTINGS = Settings()


def _write(path: Path, rows: list[tuple[str, str]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for doc_id, text in rows:
            fh.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")


def _rows() -> list[tuple[str, str]]:
    return [(f"{c}-{n}", t) for c, texts in SOURCES.items() for n, t in enumerate(texts)]


def _keys_of(index: SqliteIndex, doc_id: str) -> np.ndarray:
    doc = index.document_by_id(doc_id)
    assert doc is not None
    return source_keys(doc, index.params, SETTINGS)[0]


def _lookups(path: Path, queries: list[np.ndarray]) -> list[list[tuple[int, int]]]:
    index = open_index(path, SETTINGS)
    try:
        assert isinstance(index, SqliteIndex)
        return [sorted(index.candidates(q)) for q in queries]
    finally:
        index.close()


def _queries(path: Path) -> list[np.ndarray]:
    index = open_index(path, SETTINGS)
    try:
        assert isinstance(index, SqliteIndex)
        rng = np.random.default_rng(1)
        absent = rng.integers(-(2**63), 2**63 - 1, 2000, dtype=np.int64)
        known = [_keys_of(index, d) for d, _ in _rows()]
        return [*known, absent, np.concatenate([absent, known[0]])]
    finally:
        index.close()


def test_indexing_writes_a_filter_that_finds_the_same_entries(tmp_path: Path) -> None:
    _write(tmp_path / "s.jsonl", _rows())
    idx = tmp_path / "s.idx"
    indexing.index_corpus([str(tmp_path / "s.jsonl")], idx, SETTINGS)
    cache = band_filter.cache_path(idx)
    assert cache.exists()
    queries = _queries(idx)
    with_filter = _lookups(idx, queries)
    cache.unlink()
    assert with_filter == _lookups(idx, queries)
    assert all(with_filter[:-2]) and with_filter[-2] == []


def test_the_filter_passes_few_absent_keys(tmp_path: Path) -> None:
    _write(tmp_path / "s.jsonl", _rows())
    idx = tmp_path / "s.idx"
    indexing.index_corpus([str(tmp_path / "s.jsonl")], idx, SETTINGS)
    filt = band_filter.load(band_filter.cache_path(idx))
    assert filt is not None
    index = SqliteIndex.open(idx, None)
    try:
        present = np.concatenate([_keys_of(index, d) for d, _ in _rows()])
    finally:
        index.close()
    assert filt.maybe(present).all()  # never "absent" for a key that is there
    absent = np.random.default_rng(2).integers(-(2**63), 2**63 - 1, 100_000, dtype=np.int64)
    assert filt.maybe(absent).mean() < 0.15


def test_a_filter_of_an_earlier_state_is_not_used(tmp_path: Path) -> None:
    rows = _rows()
    _write(tmp_path / "a.jsonl", rows[:-1])
    idx = tmp_path / "s.idx"
    indexing.index_corpus([str(tmp_path / "a.jsonl")], idx, SETTINGS)
    old = tmp_path / "old.bands.npz"
    shutil.copy(band_filter.cache_path(idx), old)
    _write(tmp_path / "b.jsonl", rows[-1:])
    indexing.index_corpus([str(tmp_path / "b.jsonl")], idx, SETTINGS)
    shutil.copy(old, band_filter.cache_path(idx))  # the filter no longer knows the new document
    index = open_index(idx, SETTINGS)
    try:
        assert isinstance(index, SqliteIndex)
        new_pk = max(pk for _, pk in index.candidates(_keys_of(index, rows[-1][0])))
        assert index.document_by_id(rows[-1][0]) == index.documents([new_pk])[new_pk]
    finally:
        index.close()


def _encrypted(archive: bytes) -> bytes:
    """The zip with every member flagged as encrypted (zipfile then raises RuntimeError)."""
    data = bytearray(archive)
    for header, flags in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(header)
        while at >= 0:
            data[at + flags] |= 1
            at = data.find(header, at + 4)
    return bytes(data)


def test_a_damaged_filter_file_is_ignored(tmp_path: Path) -> None:
    _write(tmp_path / "s.jsonl", _rows())
    idx = tmp_path / "s.idx"
    indexing.index_corpus([str(tmp_path / "s.jsonl")], idx, SETTINGS)
    queries = _queries(idx)
    expected = _lookups(idx, queries)
    cache = band_filter.cache_path(idx)
    for damage in (b"PK\x03\x04 not a zip", b"", b"\x00" * 100, _encrypted(cache.read_bytes())):
        cache.write_bytes(damage)
        assert band_filter.load(cache) is None
        assert _lookups(idx, queries) == expected
    fmt, seq = np.array(band_filter.FORMAT), np.array(1)
    for arrays in (
        {"format": fmt, "runs": np.zeros((1, 2), np.int64), "seq": seq, "words": np.ones(4, np.uint64)},
        {"format": fmt, "runs": np.zeros((1, 3), np.int64), "seq": seq, "words": np.ones(4)},
        {"format": np.array("detector.topic/1"), "runs": np.zeros((1, 3), np.int64)},
    ):
        np.savez(cache, **arrays)  # type: ignore[arg-type]
        assert band_filter.load(cache) is None
        assert _lookups(idx, queries) == expected
