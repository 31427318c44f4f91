"""Alignment with sources and pages prepared once (issue 15): the same passages as aligning
from scratch, and the shared-seed reject never drops a passage."""

from __future__ import annotations

import random

import numpy as np
import pytest

from detector.analysis import align as align_module
from detector.analysis.align import align_tokens, min_seeds, seed_table
from detector.analysis.source_text import content_tokens, prepare_source_text
from detector.config import AlignSettings
from detector.ingest.partitions import iter_page_inputs
from detector.model import Document, SourceDoc
from detector.retrieval import source_from_document
from detector.text.passages import main_tokens
from detector.text.tokens import Tokens, shingle_hashes
from tests.conftest import CORPUS

I64 = np.int64


def _tokens(values: list[int]) -> Tokens:
    n = len(values)
    pos = np.arange(n, dtype=I64)
    return Tokens(pos, pos + 1, np.array(values, dtype=np.uint64), np.ones(n, dtype=np.bool_))


def _planted_pair(rng: random.Random) -> tuple[Tokens, np.ndarray, Tokens]:
    """A page and a source over a small vocabulary with copied runs of 1-40 tokens planted,
    some edited, some repeated: near and under every threshold of the aligner."""
    vocab = rng.choice([30, 200, 5000])
    source = [rng.randrange(vocab) for _ in range(rng.randrange(0, 400))]
    page: list[int] = []
    while len(page) < 300:
        if source and rng.random() < 0.4:
            at = rng.randrange(len(source))
            run = source[at : at + rng.randrange(1, 41)]
            if rng.random() < 0.3:
                run = [t if rng.random() > 0.1 else rng.randrange(vocab) for t in run]
            page.extend(run)
        else:
            page.extend(rng.randrange(vocab) for _ in range(rng.randrange(1, 30)))
    blocks = np.cumsum([rng.random() < 0.03 for _ in page]).astype(I64)
    return _tokens(page), blocks, _tokens(source)


def test_prepared_seeds_find_the_same_passages_as_aligning_from_scratch() -> None:
    rng = random.Random(15)
    settings = AlignSettings()
    k = settings.seed_tokens
    compared = 0
    for _ in range(300):
        page, blocks, source = _planted_pair(rng)
        plain = align_tokens(page, blocks, source, settings)
        seeds = seed_table(source.hashes, k) if len(source) >= k else None
        page_seeds = shingle_hashes(page.hashes, k) if len(page) >= k else None
        prepared = align_tokens(page, blocks, source, settings, source_seeds=seeds, page_seeds=page_seeds)
        assert prepared == plain
        compared += bool(plain)
    assert compared > 50  # the planted copies do align


def test_too_few_shared_seeds_for_a_passage_is_rejected_without_losing_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(16)
    pairs = [_planted_pair(rng) for _ in range(300)]
    for settings in (AlignSettings(), AlignSettings(min_tokens=8, max_gap=4), AlignSettings(max_gap=0)):
        with_reject = [align_tokens(p, b, s, settings) for p, b, s in pairs]
        with monkeypatch.context() as m:
            m.setattr(align_module, "min_seeds", lambda _settings: 1)
            without = [align_tokens(p, b, s, settings) for p, b, s in pairs]
        assert with_reject == without
    assert min_seeds(AlignSettings()) == 2


def test_a_single_shared_seed_aligns_nothing() -> None:
    page = _tokens([1, 2, 3, 4, 5, 6, *range(100, 130)])
    source = _tokens([*range(200, 230), 1, 2, 3, 4, 5, 6])
    assert align_tokens(page, np.zeros(len(page), dtype=I64), source, AlignSettings()) == []


def test_seeds_made_for_other_tokens_are_refused() -> None:
    page = _tokens(list(range(40)))
    source = _tokens(list(range(40)))
    other = seed_table(np.arange(30, dtype=np.uint64), 6)
    with pytest.raises(ValueError, match="source_seeds"):
        align_tokens(page, np.zeros(40, dtype=I64), source, AlignSettings(), source_seeds=other)


def _demo_documents() -> list[Document]:
    docs = []
    for item in iter_page_inputs(
        [str(CORPUS / "sources"), str(CORPUS / "pages")], site=None, max_bytes=10**7
    ):
        assert isinstance(item, Document)
        docs.append(item)
    return docs


def test_source_content_tokens_are_the_main_tokens_of_its_content_spans() -> None:
    docs = _demo_documents()
    assert len(docs) > 10
    cases: list[SourceDoc] = [source_from_document(d) for d in docs]
    cases.append(SourceDoc(id="empty", uri=None, url=None, title=None, category=None, site=None, text=""))
    cases.append(
        SourceDoc(id="spaces", uri=None, url=None, title=None, category=None, site=None, text=" \n ")
    )
    for src in cases:
        spans = src.content_spans()
        expected = main_tokens(src.text, spans).tokens
        got = content_tokens(src.text, spans)
        for a, b in zip(
            (got.starts, got.ends, got.hashes, got.is_cjk),
            (expected.starts, expected.ends, expected.hashes, expected.is_cjk),
            strict=True,
        ):
            assert a.dtype == b.dtype and np.array_equal(a, b), src.id
        prepared = prepare_source_text(src, 6)
        assert len(prepared) == len(expected)
        assert (prepared.seeds is None) == (len(expected) < 6)
