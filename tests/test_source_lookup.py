"""Candidate lookup during a scan (retrieval.SourceLookup): ranking, and sources prepared once per run."""

from __future__ import annotations

import dataclasses
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from detector import retrieval
from detector.analysis.reuse import SourceReuse, page_signatures
from detector.config import LIMITS, Settings
from detector.ingest.partitions import iter_page_inputs
from detector.model import Document
from detector.retrieval import SourceLookup, open_index, prepare_page, rank_candidates
from detector.store.passage_signatures import passage_signatures
from tests.conftest import CORPUS, ROOT


def reference_rank(keys: np.ndarray, hits: list[tuple[int, int]], limit: int) -> list[int]:
    """The ranking as first written: passages per document through dictionaries."""
    key_passages: dict[int, list[int]] = {}
    for row, row_keys in enumerate(keys):
        for k in row_keys.tolist():
            key_passages.setdefault(k, []).append(row)
    per_doc: dict[int, set[int]] = {}
    for key, pk in hits:
        per_doc.setdefault(pk, set()).update(key_passages.get(key, ()))
    return sorted(per_doc, key=lambda pk: (-len(per_doc[pk]), pk))[:limit]


def test_candidates_rank_by_passages_sharing_a_key_then_document_number() -> None:
    rng = random.Random(15)
    for _ in range(300):
        passages, bands = rng.randrange(1, 12), rng.choice([1, 5, 25])
        keys = np.array(
            [[rng.randrange(-50, 50) for _ in range(bands)] for _ in range(passages)], dtype=np.int64
        )
        # Hits carry keys of the page (several documents each, repeated) and keys it never asked for.
        hits = [
            (
                int(rng.choice(keys.ravel())) if rng.random() < 0.9 else 1000 + rng.randrange(5),
                rng.randrange(40),
            )
            for _ in range(rng.randrange(1, 60))
        ]
        limit = rng.choice([1, 3, 30])
        assert rank_candidates(keys, hits, limit) == reference_rank(keys, hits, limit)


def _demo_pages() -> list[Document]:
    return [
        d
        for d in iter_page_inputs([str(CORPUS / "pages")], site=None, max_bytes=10**7)
        if isinstance(d, Document)
    ]


def _run(lookup: SourceLookup, pages: list[Document]) -> list[list[SourceReuse]]:
    return [lookup.reuses(doc, prepare_page(doc)) for doc in pages]


def _same(a: list[list[SourceReuse]], b: list[list[SourceReuse]]) -> bool:
    def key(r: SourceReuse) -> tuple[object, ...]:
        return (r.source.id, r.passages, r.coverage, r.source_coverage, r.copied_tokens, r.covered.tobytes())

    return [[key(r) for r in page] for page in a] == [[key(r) for r in page] for page in b]


def test_a_source_is_read_and_prepared_once_for_all_pages_of_a_run(demo_index: Path) -> None:
    settings = Settings()
    pages = _demo_pages()
    store = open_index(demo_index, settings)
    try:
        asked: list[int] = []
        read = store.documents

        def counting(pks):  # type: ignore[no-untyped-def]
            pks = list(pks)
            asked.extend(pks)
            return read(pks)

        store.documents = counting  # type: ignore[method-assign]
        lookup = SourceLookup(store, settings)
        first = _run(lookup, pages)
        assert sum(len(r) for r in first) >= 3
        assert len(asked) == len(set(asked))  # no source read twice in the run
        once = len(asked)
        again = _run(lookup, pages)
        assert len(asked) == once  # the second pass reads nothing
        assert _same(first, again)
        fresh = [SourceLookup(store, settings).reuses(doc, prepare_page(doc)) for doc in pages]
        assert _same(first, fresh)
    finally:
        store.close()


def test_pages_looked_up_together_find_what_each_finds_alone(demo_index: Path) -> None:
    """``look_up`` signs a batch of pages and asks the store once; each page then gets the
    sources it gets when looked up alone, a page without passages (empty) included."""
    settings = Settings()
    docs = _demo_pages()
    empty = dataclasses.replace(docs[0], text="", blocks=())
    docs = [*docs, empty]
    store = open_index(demo_index, settings)
    try:
        asked: list[int] = []
        query = store.candidates

        def counting(keys):  # type: ignore[no-untyped-def]
            asked.append(len(keys))
            return query(keys)

        alone = _run(SourceLookup(store, settings), docs)
        store.candidates = counting  # type: ignore[method-assign]
        lookup = SourceLookup(store, settings)
        pages = [prepare_page(doc) for doc in docs]
        lookup.look_up(pages)
        assert len(asked) == 1  # one query for the batch
        for page in pages:  # each page's hits are those of its own keys, as asked alone
            ahead = lookup._looked_up[id(page)][1]
            if ahead is None:
                assert page.text == ""
                continue
            keys, hits = ahead
            assert sorted(map(tuple, hits.tolist())) == sorted(query(keys))
        together = [lookup.reuses(doc, page) for doc, page in zip(docs, pages, strict=True)]
        assert sum(len(r) for r in together) >= 3 and together[-1] == []
        assert _same(together, alone)
        assert lookup._looked_up == {}  # each page's hits are taken once
    finally:
        store.close()


def test_the_source_cache_stays_within_its_token_limit(
    demo_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings()
    pages = _demo_pages()
    store = open_index(demo_index, settings)
    try:
        unbounded = _run(SourceLookup(store, settings), pages)
        limit = 1500
        monkeypatch.setattr(retrieval, "LIMITS", dataclasses.replace(LIMITS, scan_cache_tokens=limit))
        lookup = SourceLookup(store, settings)
        bounded = []
        evicted = False
        for doc in pages:
            bounded.append(lookup.reuses(doc, prepare_page(doc)))
            assert lookup.cached_tokens == sum(len(s) + 1 for s in lookup.cache.values()) <= limit
            evicted |= len(lookup.cache) < len({r.source.id for page in bounded for r in page})
        assert evicted
        assert _same(bounded, unbounded)
    finally:
        store.close()


def test_scanning_files_does_not_import_the_http_client(tmp_path: Path) -> None:
    """httpx and what it pulls in take a fifth of a 100-page scan to import; files need none of it."""
    page = CORPUS / "pages" / "xinhengxing" / "news-alibaba-b2b.html"
    code = (
        "import sys, detector\n"
        f"detector.scan([{str(page)!r}])\n"
        "print(sorted(m for m in ('httpx', 'httpcore', 'rich') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert out.stdout.strip() == "[]", out.stderr


def test_a_pages_passage_signatures_are_made_once_and_equal_signing_it_alone() -> None:
    """The index lookup and the site's duplicate search share them: a batch signs each page as alone."""
    settings = Settings()
    params = retrieval.signature_params(settings)
    shape = settings.passages(query=True)
    pages = [prepare_page(doc) for doc in _demo_pages()]
    first = page_signatures(pages[:3], params, shape)
    batch = page_signatures(pages, params, shape)
    assert all(a is b for a, b in zip(first, batch, strict=False))  # made once
    assert sum(bool(ps.token_ranges) for ps in batch) >= 5
    for page, ps in zip(pages, batch, strict=True):
        alone = passage_signatures(page.main, params, shape)
        assert ps.token_ranges == alone.token_ranges
        assert np.array_equal(ps.signatures, alone.signatures)
