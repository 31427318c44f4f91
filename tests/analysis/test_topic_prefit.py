"""`detector index` fits the index's topic model beside its merge, so the first scan reads it."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import pytest

from detector import indexing, scanning
from detector.analysis import topic_cache, topic_prefit
from detector.analysis.offtopic import index_model
from detector.analysis.topic import TopicModel
from detector.config import Settings
from detector.store.sqlite_store import SqliteIndex
from tests.analysis.test_offtopic import GOSSIP, MACHINE_OWN, SOURCES, _html, index_sources

SETTINGS = Settings()


def _build(root: Path) -> Path:
    index = index_sources(root)
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


def _final_key(index: Path, settings: Settings) -> str:
    store = SqliteIndex.open(index, None)
    try:
        per_category = min(settings.topic_reference_per_category, settings.topic.reference_per_category)
        sample = store.sample_by_category(per_category, settings.topic_reference_total, texts=False)
    finally:
        store.close()
    return topic_cache.model_key([(c, d) for _, c, d in sample], settings.topic)


def _fit_early(index: Path, settings: Settings) -> topic_prefit.Prefit:
    """A prefit told that every category has its share and most parts are written: it
    fits the index as it is now; returns once its cache file is there."""
    cache = topic_cache.cache_path(index)
    cache.unlink()
    prefit = topic_prefit.start(index, settings)
    assert prefit is not None
    prefit.written([c for c, texts in SOURCES.items() for _ in texts], replaced=False)
    assert not cache.exists()  # not before most parts are written
    prefit.nearly_written()
    deadline = time.monotonic() + 120
    while not cache.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert cache.exists()
    return prefit


def test_a_model_fitted_early_is_kept_when_the_sample_did_not_change(tmp_path: Path) -> None:
    settings = SETTINGS.with_overrides(topic_reference_per_category=2)
    index = _build(tmp_path)
    prefit = _fit_early(index, settings)
    cache = topic_cache.cache_path(index)
    early = cache.stat()
    prefit.all_written()
    topic_prefit.finish(prefit)
    after = cache.stat()
    assert (after.st_ino, after.st_mtime_ns) == (early.st_ino, early.st_mtime_ns)  # not fitted again
    assert topic_cache.load(cache, _final_key(index, settings)) is not None


def test_a_model_fitted_early_is_fitted_again_when_the_sample_changed_since(tmp_path: Path) -> None:
    settings = SETTINGS.with_overrides(topic_reference_per_category=2)
    index = _build(tmp_path)
    prefit = _fit_early(index, settings)
    early_key = _final_key(index, settings)
    # A document of the sample goes (as a replaced one would): the sample is another one now.
    indexing.remove_documents([f"{next(iter(SOURCES))}-0"], index, settings)
    final_key = _final_key(index, settings)
    assert final_key != early_key
    prefit.all_written()
    topic_prefit.finish(prefit)
    _assert_cached_model_is_a_fresh_fit(index, settings, final_key)


def test_a_prefit_whose_writer_ends_without_finishing_fits_nothing(tmp_path: Path) -> None:
    index = _build(tmp_path)
    cache = topic_cache.cache_path(index)
    cache.unlink()
    prefit = topic_prefit.start(index, SETTINGS)
    assert prefit is not None
    prefit.close()  # as when the writer is killed: the child reads end-of-file
    prefit.proc.join(60)
    assert prefit.proc.exitcode == 0 and not cache.exists()


@pytest.mark.parametrize("late_category", [False, True])
def test_indexing_in_parts_leaves_the_final_samples_model_fitted_early_or_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, late_category: bool
) -> None:
    """Two signing workers, a part per line: the child fits once 60% of the parts are written
    (every category has its one document by then). A category first seen in the last part
    changes the sample after that fit: the cache still holds the final sample's model."""
    rows = [
        {"id": f"{category}-{n}", "category": category, "text": texts[n]}
        for n in range(3)
        for category, texts in SOURCES.items()
    ]
    if late_category:
        rows.append({"id": "late", "category": "体育", "text": SOURCES["娱乐"][0] + "比赛。"})
    src = tmp_path / "sources.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    monkeypatch.setattr(indexing, "LIMITS", dataclasses.replace(indexing.LIMITS, index_split_jsonl_bytes=0))
    settings = SETTINGS.with_overrides(index_workers=2, index_write_batch=1, topic_reference_per_category=1)
    index = tmp_path / "sources.idx"
    indexing.index_corpus([str(src)], index, settings)
    cached = _assert_cached_model_is_a_fresh_fit(index, settings, _final_key(index, settings))
    assert ("体育" in cached.categories) == late_category


def test_an_interrupted_index_run_shows_one_line_and_no_traceback_of_its_children(tmp_path: Path) -> None:
    """Ctrl-C reaches the writer and its children (one process group): the child that fits the
    topic model, alive from the start of the run, and the signing workers end without a
    traceback of their own, and the writer does not wait for them forever."""
    import os
    import signal
    import subprocess
    import sys

    from tests.robust.test_crash_safety import _corpus

    src = tmp_path / "src.jsonl"
    _corpus(src, 8000)  # ~2 s of indexing: interrupted while its parts are written
    index = tmp_path / "x.idx"
    proc = subprocess.Popen(
        [sys.executable, "-m", "detector", "index", str(src), "--index", str(index)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    while not index.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert "Traceback" not in err.decode() and "interrupted" in err.decode()


def _assert_cached_model_is_a_fresh_fit(index: Path, settings: Settings, key: str) -> TopicModel:
    """The model cached under ``key`` is the one ``index_model`` fits on the index now; returns it."""
    cache = topic_cache.cache_path(index)
    cached = topic_cache.load(cache, key)
    assert cached is not None
    cache.unlink()
    store = SqliteIndex.open(index, None)
    try:
        fitted = index_model(store, settings)
    finally:
        store.close()
    assert fitted is not None and fitted.categories == cached.categories
    assert (fitted.terms == cached.terms).all() and (fitted.prob == cached.prob).all()
    return cached
