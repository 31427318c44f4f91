"""`detector index` fits the index's topic model beside its merge, so the first scan reads it."""

from __future__ import annotations

import json
from pathlib import Path

from detector import indexing, scanning
from detector.analysis import topic_cache, topic_prefit
from detector.analysis.offtopic import index_model
from detector.config import Settings
from detector.store.sqlite_store import SqliteIndex
from tests.analysis.test_offtopic import GOSSIP, MACHINE_OWN, SOURCES, _html

SETTINGS = Settings()


def _build(root: Path) -> Path:
    with (root / "sources.jsonl").open("w", encoding="utf-8") as fh:
        for category, texts in SOURCES.items():
            for n, text in enumerate(texts):
                row = {"id": f"{category}-{n}", "title": text[:12], "category": category, "text": text}
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    index = root / "sources.idx"
    indexing.index_corpus([str(root / "sources.jsonl")], index, SETTINGS)
    site = root / "site"
    site.mkdir()
    for slug, (title, body) in {**MACHINE_OWN, "gossip.html": GOSSIP}.items():
        (site / slug).write_text(_html(title, body, site_name="庆云恒兴机床附件制造厂"), encoding="utf-8")
    (site / "estate.html").write_text(_html("楼市", SOURCES["房产"][0], site_name="庆云恒兴机床附件制造厂"))
    return index


def test_indexing_leaves_the_model_the_first_scan_would_fit(tmp_path: Path) -> None:
    index = _build(tmp_path)
    cache = topic_cache.cache_path(index)
    assert cache.exists()  # written by `index`, before any scan
    store = SqliteIndex.open(index, None)
    try:
        sample = store.sample_by_category(
            min(SETTINGS.topic_reference_per_category, SETTINGS.topic.reference_per_category),
            SETTINGS.topic_reference_total,
            texts=False,
        )
        key = topic_cache.model_key([(c, d) for _, c, d in sample], SETTINGS.topic)
        cached = topic_cache.load(cache, key)
        assert cached is not None
        cache.unlink()
        fitted = index_model(store, SETTINGS)  # what a scan fits without the file
    finally:
        store.close()
    assert fitted is not None
    assert fitted.categories == cached.categories
    assert (fitted.terms == cached.terms).all() and (fitted.prob == cached.prob).all()


def test_the_first_scan_finds_the_same_with_the_prefitted_model(tmp_path: Path) -> None:
    index = _build(tmp_path)
    first = scanning.scan([str(tmp_path / "site")], index, SETTINGS)
    topic_cache.cache_path(index).unlink()
    refitted = scanning.scan([str(tmp_path / "site")], index, SETTINGS)
    assert first.to_json() == refitted.to_json()
    assert any(p.topic is not None and p.topic.verdict == "off-topic" for p in first.pages)


def test_a_redis_index_is_left_to_its_first_scan() -> None:
    assert topic_prefit.start("redis://127.0.0.1:1/0", SETTINGS) is None
    topic_prefit.finish(None)
