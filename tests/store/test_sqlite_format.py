"""The embedded index's packed band table (detector.index/2): lookups find exactly what was
written through writes, merges and removals, and an index of the first format is refused with
one line saying how to rebuild it."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from detector.config import LIMITS, Settings
from detector.model import SourceDoc
from detector.retrieval import settings_manifest, signature_params
from detector.store import band_runs, sqlite_schema
from detector.store.interface import PreparedDoc
from detector.store.sqlite_store import SqliteIndex
from tests.conftest import CliRun

SETTINGS = Settings()


def _store(path: Path) -> SqliteIndex:
    params = signature_params(SETTINGS)
    return SqliteIndex.create_or_open(path, settings_manifest(SETTINGS, params), params)


def _doc(doc_id: str) -> SourceDoc:
    text = f"文档{doc_id}的正文。"
    return SourceDoc(doc_id, None, None, None, None, None, text, ((0, len(text)),))


def _write(store: SqliteIndex, keys_by_id: dict[str, np.ndarray]) -> None:
    store.write([PreparedDoc(_doc(i), k.astype(np.int64), 1) for i, k in keys_by_id.items()], {})


def _pairs(store: SqliteIndex, keys: np.ndarray) -> set[tuple[int, str]]:
    ids = dict(store.conn.execute("SELECT pk, id FROM documents").fetchall())
    return {(k, ids[pk]) for k, pk in store.candidates(keys)}


@pytest.mark.parametrize("read_whole", [LIMITS.sqlite_merge_whole_entries, 60_000, 0])
def test_lookups_find_every_entry_across_runs_and_after_merging_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_whole: int
) -> None:
    """Merged with every run read whole, some whole and some a slice at a time, or all in slices."""
    limits = dataclasses.replace(LIMITS, sqlite_merge_whole_entries=read_whole)
    monkeypatch.setattr(band_runs, "LIMITS", limits)
    rng = np.random.default_rng(5)
    store = _store(tmp_path / "a.idx")
    written: dict[str, np.ndarray] = {}
    for batch in range(12):  # twelve runs, merged into one by finish()
        keys = {f"d{batch}-{i}": np.unique(rng.integers(-(2**63), 2**63 - 1, 700)) for i in range(40)}
        _write(store, keys)
        written.update(keys)
    shared = np.array([7, -7], dtype=np.int64)  # keys several documents share
    _write(store, {"s1": shared, "s2": shared})
    written.update({"s1": shared, "s2": shared})
    every = np.concatenate(list(written.values()))
    expected = {(int(k), doc_id) for doc_id, keys in written.items() for k in keys.tolist()}
    assert _pairs(store, every) == expected
    store.finish()
    runs = band_runs.read_runs(store.conn)
    assert len(runs) < LIMITS.sqlite_merge_fan_in
    assert _pairs(store, every) == expected
    assert _pairs(store, np.array([8, 9], dtype=np.int64)) == set()
    assert store.structural_problems() == []
    store.close()


def test_removed_and_replaced_documents_are_never_returned_and_merges_drop_them(tmp_path: Path) -> None:
    store = _store(tmp_path / "a.idx")
    _write(store, {"a": np.array([1, 2, 3]), "b": np.array([2, 3, 4])})
    _write(store, {"c": np.array([3, 5])})
    assert store.remove({"a": None}) == ["a"]
    _write(store, {"b": np.array([6])})  # replaced: its old keys 2, 3, 4 are gone
    assert _pairs(store, np.arange(0, 10)) == {(3, "c"), (5, "c"), (6, "b")}
    store.finish()
    (entries,) = store.conn.execute("SELECT sum(entries) FROM runs").fetchone()
    assert entries == 3  # the merge left out the entries of documents that are gone
    assert _pairs(store, np.arange(0, 10)) == {(3, "c"), (5, "c"), (6, "b")}
    assert store.structural_problems() == []
    store.close()


def test_a_damaged_block_is_one_line_naming_the_index(cli: CliRun, tmp_path: Path) -> None:
    idx = tmp_path / "a.idx"
    store = _store(idx)
    _write(store, {"a": np.arange(1, 600)})
    store.close()
    with sqlite3.connect(idx) as conn:
        conn.execute("UPDATE blocks SET docs = x'0102'")
    page = tmp_path / "p.txt"
    page.write_text("文档a的正文。" * 20, encoding="utf-8")
    r = cli("scan", str(page), "--index", str(idx))
    assert r.exit_code == 2 and str(idx) in r.stderr and "band" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    check = cli("index", "--check", "--index", str(idx))
    assert check.exit_code == 2 and "damaged" in check.stderr


def _format_1_index(path: Path) -> None:
    """An index as detector.index/1 wrote it: one `bands` row per band key and document."""
    params = signature_params(SETTINGS)
    manifest = json.loads(settings_manifest(SETTINGS, params).to_json())
    with sqlite3.connect(path) as conn:
        conn.executescript(sqlite_schema._SCHEMA_1)
        conn.execute(
            "INSERT INTO manifest VALUES ('manifest', ?)",
            (json.dumps({**manifest, "format": "detector.index/1"}),),
        )
        conn.execute(
            "INSERT INTO manifest VALUES ('permutations', ?)", (json.dumps([list(params.a), list(params.b)]),)
        )
    conn.close()


@pytest.mark.parametrize("command", ["scan", "index", "info"])
def test_an_index_of_the_first_format_is_refused_with_how_to_rebuild_it(
    cli: CliRun, tmp_path: Path, command: str
) -> None:
    idx = tmp_path / "old.idx"
    _format_1_index(idx)
    before = idx.read_bytes()
    src = tmp_path / "s.jsonl"
    src.write_text(
        json.dumps({"id": "a", "text": "一段足够长的文字。" * 20}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    args = {
        "scan": ("scan", str(src), "--index", str(idx)),
        "index": ("index", str(src), "--index", str(idx)),
        "info": ("index", "--info", "--index", str(idx)),
    }[command]
    r = cli(*args)
    assert r.exit_code == 2
    (line,) = r.stderr.strip().splitlines()
    assert str(idx) in line and "detector.index/1" in line and "rebuild" in line and "detector index" in line
    assert idx.read_bytes() == before


def test_a_manifest_of_another_format_is_refused_with_how_to_rebuild_it(cli: CliRun, tmp_path: Path) -> None:
    idx = tmp_path / "a.idx"
    _store(idx).close()
    with sqlite3.connect(idx) as conn:
        (raw,) = conn.execute("SELECT value FROM manifest WHERE key = 'manifest'").fetchone()
        conn.execute(
            "UPDATE manifest SET value = ? WHERE key = 'manifest'",
            (json.dumps({**json.loads(raw), "format": "detector.index/1"}),),
        )
    conn.close()
    r = cli("index", "--info", "--index", str(idx))
    assert r.exit_code == 2 and "detector.index/1" in r.stderr and "rebuild" in r.stderr


def test_the_topic_sample_is_the_first_documents_of_each_category_in_index_order(tmp_path: Path) -> None:
    store = _store(tmp_path / "a.idx")
    for n in range(30):
        text = f"第{n}篇。"
        doc = SourceDoc(f"d{n}", None, None, None, "abc"[n % 3] if n % 7 else None, None, text, ())
        store.write([PreparedDoc(doc, np.array([n + 1], dtype=np.int64), 1)], {})
    by_window = (
        "SELECT category, digest FROM (SELECT category, digest, row_number() OVER"
        " (PARTITION BY category ORDER BY pk) AS n FROM documents WHERE category IS NOT NULL"
        " AND category != '') WHERE n <= ? ORDER BY category, n LIMIT ?"
    )
    for per_category, total in ((4, 100), (4, 10), (100, 7), (1, 1)):
        expected = [(str(c), str(d)) for c, d in store.conn.execute(by_window, (per_category, total))]
        got = store.sample_by_category(per_category, total)
        assert [(c, d) for _, c, d in got] == expected
        assert all(text.startswith("第") for text, _, _ in got)
    store.close()
