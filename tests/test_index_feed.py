"""`detector index` with its signing workers reading the input in parts: the same index as one
process reading everything, and the writer still decides each document in input order."""

from __future__ import annotations

import dataclasses
import json
import random
import sqlite3
from pathlib import Path

import numpy as np
import pytest

import detector.index_feed as index_feed
import detector.indexing as indexing
from detector.config import Settings
from detector.index_feed import Unsigned, feed
from detector.indexing import check_index, index_corpus
from detector.ingest.partitions import partitions
from detector.model import no_progress
from detector.retrieval import settings_manifest
from detector.store import create_or_open_store, params_cache
from detector.store.interface import text_digest
from detector.store.sqlite_store import SqliteIndex

POOL = "机床附件卡盘顶尖分度头平口钳回转工作台液压夹具数控车床铣床磨床钻床刀架主轴导轨丝杠轴承齿轮"


def _text(rng: random.Random) -> str:
    return "\n".join("".join(rng.choice(POOL) for _ in range(rng.randint(40, 90))) + "。" for _ in range(3))


def _corpus(path: Path) -> None:
    """Documents with an id given twice (in different parts), a line that is not JSON, a line
    that starts with a byte-order mark in the middle of the file, and blank lines."""
    rng = random.Random(3)
    lines = [json.dumps({"id": f"d{i}", "text": _text(rng)}, ensure_ascii=False) for i in range(30)]
    lines[17] = json.dumps({"id": "d2", "text": _text(rng)}, ensure_ascii=False)  # d2 again, later
    lines[9] = "not json"
    lines[12] = "\ufeff" + lines[12]
    lines[20] = ""
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _contents(idx: Path) -> tuple[list[tuple[object, ...]], list[tuple[int, str]]]:
    """The documents' rows and every band entry as (key, document id), sorted."""
    with sqlite3.connect(idx) as conn:
        docs = conn.execute(
            "SELECT id, digest, chars, passages, bands, main FROM documents ORDER BY id"
        ).fetchall()
        ids = dict(conn.execute("SELECT pk, id FROM documents").fetchall())
        entries: list[tuple[int, str]] = []
        for kb, db in conn.execute("SELECT keys, docs FROM blocks"):
            keys = np.frombuffer(kb, "<i8").tolist()
            entries += [(k, ids[d]) for k, d in zip(keys, np.frombuffer(db, "<i4").tolist(), strict=True)]
    return docs, sorted(entries)


def test_workers_reading_parts_build_the_index_one_process_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "src.jsonl"
    _corpus(src)
    whole = indexing.LIMITS
    built = {}
    parts = dataclasses.replace(whole, index_split_jsonl_bytes=0)
    # d2 twice: the later copy replaces the earlier one and is counted so, whatever the parts.
    for name, workers, limits, replaced in (
        ("whole file", 1, whole, 1),
        ("parts, one process", 1, parts, 1),
        ("parts, two workers", 2, parts, 1),
    ):
        monkeypatch.setattr(indexing, "LIMITS", limits)
        idx = tmp_path / f"{len(built)}.idx"
        summary = index_corpus([str(src)], idx, Settings(index_workers=workers, index_write_batch=4))
        assert (summary.added, summary.replaced, summary.unchanged) == (26, replaced, 0), name
        # A byte-order mark inside a file (line 13, the first of a part) is not JSON either way.
        assert [f.uri for f in summary.failures] == [f"{src}#10", f"{src}#13"], name
        assert check_index(idx, Settings()) == [], name
        built[name] = _contents(idx)
    first = built["whole file"]
    assert all(got == first for got in built.values())
    assert len(first[0]) == 26 and len(first[1]) > 26


def test_an_id_unchanged_when_its_part_was_read_but_replaced_since_is_signed_by_the_writer(
    tmp_path: Path,
) -> None:
    """Parts are read ahead of the writer: a later copy of an id that equals what the index held
    when its part was read, after an earlier part replaced it, is signed and stored."""
    rng = random.Random(5)
    old, new, other = _text(rng), _text(rng), _text(rng)
    src = tmp_path / "first.jsonl"
    src.write_text(json.dumps({"id": "a", "text": old}, ensure_ascii=False) + "\n", encoding="utf-8")
    idx = tmp_path / "x.idx"
    settings = Settings(index_write_batch=2)
    index_corpus([str(src)], idx, settings)
    again = tmp_path / "again.jsonl"
    again.write_text(
        "".join(
            json.dumps(r, ensure_ascii=False) + "\n"
            for r in ({"id": "a", "text": new}, {"id": "b", "text": other}, {"id": "a", "text": old})
        ),
        encoding="utf-8",
    )
    params = params_cache.signature_params(settings.num_perm, settings.seed, settings.lsh_threshold)
    store = create_or_open_store(idx, settings_manifest(settings, params), params)
    try:
        parts = partitions([str(again)], split_bytes=0, lines_per_part=2)
        fed = [feed(p, params, settings, lambda ids: [store.digest_of(i) for i in ids]) for p in parts]
        assert isinstance(fed[1].items[0], Unsigned)  # the old text: not signed when read
        writer = indexing._Writer(store, params, settings, no_progress)
        for part in fed:
            writer.take(part)
        store.finish()
    finally:
        store.close()
    assert (writer.added, writer.replaced, writer.unchanged) == (1, 2, 0)
    assert check_index(idx, settings) == []
    reader = SqliteIndex.open(idx, None)
    try:
        assert reader.digest_of("a") == text_digest(old)
        doc = reader.document_by_id("a")
        assert doc is not None and doc.text == old
    finally:
        reader.close()


def test_parts_of_any_size_reach_the_workers_in_batches_and_build_the_same_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Parquet row group, and a folder above index_part_bytes, are read by the writer and
    handed to the workers index_write_batch documents at a time."""
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    rng = random.Random(8)
    folder = tmp_path / "pages"
    folder.mkdir()
    for i in range(7):
        (folder / f"p{i}.txt").write_text(_text(rng), encoding="utf-8")
    rows = [{"id": f"r{i}", "text": _text(rng)} for i in range(10)]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "rows.parquet")
    inputs = [str(folder), str(tmp_path / "rows.parquet")]
    settings = Settings(index_write_batch=3)
    monkeypatch.setattr(index_feed, "LIMITS", dataclasses.replace(index_feed.LIMITS, index_part_bytes=0))
    batches = list(index_feed.jobs(partitions(inputs), settings))
    assert [len(b) for b in batches if isinstance(b, list)] == [3, 3, 1, 3, 3, 3, 1]
    built = []
    for workers in (1, 2):
        idx = tmp_path / f"{workers}.idx"
        summary = index_corpus(inputs, idx, settings.with_overrides(index_workers=workers))
        assert (summary.added, summary.failures) == (17, ())
        assert check_index(idx, settings) == []
        built.append(_contents(idx))
    assert built[0] == built[1]


def test_a_part_sent_from_a_worker_arrives_with_the_same_documents_keys_and_run(tmp_path: Path) -> None:
    """A part crosses to the writer as columns, texts made again from their stored form: every
    field arrives as it was, for CJK text (stored as UTF-16), Latin text (zlib), a text with a
    character beyond the BMP, and a document signed without a stored form."""
    import pickle

    from detector.store.interface import PreparedDoc

    rng = random.Random(11)
    src = tmp_path / "src.jsonl"
    rows = [
        {"id": "cjk", "title": "标题", "category": "机床", "site": "s", "text": _text(rng)},
        {"id": "latin", "url": "https://example.com/x", "text": "Machine tools and lathes. " * 40},
        {"id": "astral", "published": "2024-01-02", "text": _text(rng) + "\U0001f600"},
        {"id": "empty", "text": ""},
    ]
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    src.write_text(lines + "not json\n", encoding="utf-8")
    settings = Settings()
    params = params_cache.signature_params(settings.num_perm, settings.seed, settings.lsh_threshold)
    (part,) = partitions([str(src)])
    fed = feed(part, params, settings, lambda ids: [None] * len(ids))
    first = fed.items[0]
    assert isinstance(first, PreparedDoc)
    # Both stored forms are among them (UTF-16 after its tag byte, and zlib).
    assert {x.body[:1] == b"\x01" for x in fed.items if isinstance(x, PreparedDoc)} == {True, False}
    bare = PreparedDoc(first.doc, first.keys, first.passages)  # no stored form: the text is sent
    fed = index_feed.FedPart([*fed.items, bare], index_feed.run_order([*fed.items, bare]))
    back = pickle.loads(pickle.dumps(fed))
    assert len(back.items) == len(fed.items) == 6
    for sent, got in zip(fed.items, back.items, strict=True):
        assert type(got) is type(sent)
        if isinstance(sent, PreparedDoc):
            assert isinstance(got, PreparedDoc)
            assert got.doc == sent.doc and got.doc.text == sent.doc.text
            assert got.keys.dtype == sent.keys.dtype and np.array_equal(got.keys, sent.keys)
            assert (got.passages, got.body, got.digest) == (sent.passages, sent.body, sent.digest)
        else:
            assert got == sent
    for a, b in zip(fed.run(), back.run(), strict=True):
        assert np.array_equal(a, b)
    keys, owners = back.run()
    assert np.all(keys.view(np.uint64)[1:] >= keys.view(np.uint64)[:-1]) and keys.shape[0] > 0
    signed = {i for i, x in enumerate(back.items) if isinstance(x, PreparedDoc) and x.keys.size}
    assert set(owners.tolist()) == signed
