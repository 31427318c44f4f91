"""Which passages of many documents to sign, planned with numpy over a whole ``TokenBatch``.

The rules are ``passages.py``'s (chunks of whole sentences of one paragraph holding at least
``chunk_tokens`` tokens, over-long sentences cut in pieces, a short tail chunk merged into the
chunk before it, query windows of 1..``query_windows`` sentences); tests/text/
test_batch_equivalence.py checks the result against the one-document loop they were first
written as. The one sequential step, where each chunk starts once the one before it is full,
follows all paragraphs' chains at once, one chunk per round.

Passages are ranges of *tiles*, consecutive token ranges covering each signed document: the
index chunks themselves when passages do not overlap (index side: one tile per passage, so
one MinHash group per passage), else the document's sentences (query side: a passage is the
minimum over the tiles it spans).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from detector.text.main_batch import TokenBatch
from detector.text.plan_one import PassagePlan, plan_one

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class PassageBatch:
    """The passages of a batch of documents. Tiles cover each signed document's tokens in order."""

    tile_starts: I64  # token index (into the batch's tokens) where each tile starts
    tile_doc: I64  # document of each tile
    passage_tiles: I64  # shape (passages, 2): [first, last) tile of each passage
    token_ranges: I64  # shape (passages, 2): [start, end) token range in its document
    doc_passages: I64  # one more entry than documents: where each document's passages start
    single_tile: bool  # every passage is one tile


def _runs(keys: I64, doc: I64) -> tuple[npt.NDArray[np.bool_], I64]:
    """Where each run of equal (doc, key) starts, and for each element the end of its run."""
    n = keys.shape[0]
    first = np.ones(n, dtype=np.bool_)
    first[1:] = (keys[1:] != keys[:-1]) | (doc[1:] != doc[:-1])
    starts = np.flatnonzero(first)
    run_end = np.append(starts[1:], n)
    return first, np.repeat(run_end, np.diff(np.append(starts, n)))


def _atoms(batch: TokenBatch, ok: npt.NDArray[np.bool_], chunk_tokens: int) -> tuple[I64, I64, I64, I64]:
    """Sentences of the documents in ``ok`` (the first starting at token 0), every one longer than
    ``2 * chunk_tokens`` cut in pieces of ``chunk_tokens // 2`` (a short tail joins the piece
    before it): their token starts and ends, paragraphs and documents."""
    n_sent = np.diff(batch.doc_sentences)
    sent_doc = np.repeat(np.arange(n_sent.shape[0]), n_sent)
    sel = ok[sent_doc]
    starts = batch.sentence_starts[sel].copy()
    paras, docs = batch.sentence_paragraph[sel], sent_doc[sel]
    if not starts.size:
        return starts, starts, starts, starts
    first = np.ones(starts.shape[0], dtype=np.bool_)
    first[1:] = docs[1:] != docs[:-1]
    starts[first] = batch.doc_tokens[docs[first]]  # tokens before the first sentence belong to it
    last = np.append(first[1:], True)
    ends = np.where(last, batch.doc_tokens[docs + 1], np.append(starts[1:], 0))
    piece = max(1, chunk_tokens // 2)
    length = ends - starts
    cuts = np.where(length > 2 * chunk_tokens, -(-length // piece), 1)
    tail = ends - (starts + (cuts - 1) * piece)
    cuts -= (cuts > 1) & (tail < piece // 2)
    offset = np.arange(int(cuts.sum())) - np.repeat(np.cumsum(cuts) - cuts, cuts)
    a_starts = np.repeat(starts, cuts) + offset * piece
    a_docs = np.repeat(docs, cuts)
    a_last = np.append(a_docs[1:] != a_docs[:-1], True)
    a_ends = np.where(a_last, batch.doc_tokens[a_docs + 1], np.append(a_starts[1:], 0))
    return a_starts, a_ends, np.repeat(paras, cuts), a_docs


def _chunk_starts(
    a_starts: I64, a_ends: I64, run_first: npt.NDArray[np.bool_], run_end: I64, size: int
) -> I64:
    """Atoms where a chunk starts: each paragraph's first, then the atom after the one that
    brings the chunk to ``size`` tokens, all paragraphs at once, one chunk per round."""
    marks = run_first.copy()
    frontier = np.flatnonzero(run_first)
    while frontier.size:
        # The chunk from atom i takes atoms until its tokens reach `size`.
        nxt = np.maximum(np.searchsorted(a_ends, a_starts[frontier] + size, side="left") + 1, frontier + 1)
        frontier = nxt[nxt < run_end[frontier]]
        marks[frontier] = True
    return np.flatnonzero(marks)


def plan_batch(batch: TokenBatch, chunk_tokens: int, min_tokens: int, query_windows: int) -> PassageBatch:
    """The passages of every document of ``batch`` (see the module docstring)."""
    n_docs = len(batch)
    t = np.diff(batch.doc_tokens)
    ok = (t >= min_tokens) & (np.diff(batch.doc_sentences) > 0)
    a_starts, a_ends, a_paras, a_docs = _atoms(batch, ok, chunk_tokens)
    if not a_starts.size:
        none = np.zeros((0, 2), dtype=np.int64)
        return PassageBatch(a_starts, a_docs, none, none, np.zeros(n_docs + 1, dtype=np.int64), True)
    n_atoms = a_starts.shape[0]
    run_first, run_end = _runs(a_paras, a_docs)
    # Chunks of one paragraph; a short last chunk joins the one before it in the paragraph.
    cs = _chunk_starts(a_starts, a_ends, run_first, run_end, chunk_tokens)
    ce = np.minimum(np.append(cs[1:], n_atoms), run_end[cs])
    merged = run_first[cs] | (a_ends[ce - 1] - a_starts[cs] >= chunk_tokens)
    cs = cs[merged]
    ce = np.minimum(np.append(cs[1:], n_atoms), run_end[cs])
    if query_windows:
        # Every window of 1..query_windows sentences of a paragraph, with the chunks, in order.
        w = np.arange(1, query_windows + 1)
        lo = np.repeat(np.arange(n_atoms), query_windows)
        hi = lo + np.tile(w, n_atoms)
        inside = hi <= run_end[lo]
        span = n_atoms + 1
        key = np.unique(np.concatenate((cs * span + ce, lo[inside] * span + hi[inside])))
        p_lo, p_hi = key // span, key % span
    else:
        p_lo, p_hi = cs, ce
    keep = a_ends[p_hi - 1] - a_starts[p_lo] >= min_tokens
    p_lo, p_hi = p_lo[keep], p_hi[keep]
    p_doc = a_docs[p_lo]
    doc_passages = np.searchsorted(p_doc, np.arange(n_docs + 1))
    signed = np.zeros(n_docs, dtype=np.bool_)
    signed[p_doc] = True
    base = batch.doc_tokens[p_doc]
    token_ranges = np.stack((a_starts[p_lo] - base, a_ends[p_hi - 1] - base), axis=1)
    if query_windows:
        tiles = np.flatnonzero(signed[a_docs])
        tile_of_atom = np.cumsum(signed[a_docs]) - 1
        passage_tiles = np.stack((tile_of_atom[p_lo], tile_of_atom[p_hi - 1] + 1), axis=1)
        return PassageBatch(a_starts[tiles], a_docs[tiles], passage_tiles, token_ranges, doc_passages, False)
    # Index side: the chunks (kept or not) of signed documents are the tiles.
    tiled = signed[a_docs[cs]]
    tile_of_chunk = np.cumsum(tiled) - 1
    chunk_of_passage = np.flatnonzero(keep)
    first_tile = tile_of_chunk[chunk_of_passage]
    passage_tiles = np.stack((first_tile, first_tile + 1), axis=1)
    cs = cs[tiled]
    return PassageBatch(a_starts[cs], a_docs[cs], passage_tiles, token_ranges, doc_passages, True)


def plan(batch: TokenBatch, chunk_tokens: int, min_tokens: int, query_windows: int) -> PassageBatch:
    """``plan_batch`` for a batch, the loop of ``plan_one`` for a single document (a page being
    scanned: 60 us in the loop against ~300 us of numpy calls; in batches of 500, numpy takes
    under 3 us a document) and for sentences out of order (only from main spans out of order,
    which the loop defines and numpy does not follow)."""
    starts, bounds = batch.sentence_starts, batch.doc_sentences
    back = np.flatnonzero(starts[1:] <= starts[:-1]) + 1  # a sentence not after the one before it
    in_order = np.isin(back, bounds).all()  # ... unless it is a document's first
    if len(batch) != 1 and in_order:
        return plan_batch(batch, chunk_tokens, min_tokens, query_windows)
    plans = [
        plan_one(batch.main_tokens(d), chunk_tokens, min_tokens, query_windows) for d in range(len(batch))
    ]
    return _from_plans(batch, plans)


def _from_plans(batch: TokenBatch, plans: list[PassagePlan | None]) -> PassageBatch:
    """A ``PassageBatch`` of per-document plans, a document's sentences as its tiles."""
    tiles, docs, ranges, tokens, counts = [], [], [], [], []
    tiled = 0
    for d, one in enumerate(plans):
        counts.append(0 if one is None else len(one.atom_ranges))
        if one is None:
            continue
        tiles.append(one.sent_starts + batch.doc_tokens[d])
        docs.append(np.full(one.sent_starts.shape[0], d, dtype=np.int64))
        ranges.append(np.array(one.atom_ranges, dtype=np.int64).reshape(-1, 2) + tiled)
        tokens.append(np.array(one.token_ranges, dtype=np.int64).reshape(-1, 2))
        tiled += one.sent_starts.shape[0]
    none = np.zeros((0, 2), dtype=np.int64)
    return PassageBatch(
        np.concatenate([*tiles, none[:, 0]]),
        np.concatenate([*docs, none[:, 0]]),
        np.concatenate([*ranges, none]),
        np.concatenate([*tokens, none]),
        np.concatenate(([0], np.cumsum(counts, dtype=np.int64))),
        False,
    )
