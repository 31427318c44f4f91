"""MinHash signatures of the passages that ``detector.text.plan_batch`` plans, many documents at once.

A passage's signature is the element-wise minimum over its shingles, computed per *tile*
(an index chunk, or a sentence on the query side: see plan_batch.py) and then per passage, so
every shingle is hashed once per document and one vectorised MinHash pass signs a whole batch.
``source_band_keys`` is the signing worker's whole job for a batch of sources: text in, each
source's distinct band keys out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from detector.config import PassageShape
from detector.model import Span
from detector.store.signatures import SignatureParams, band_keys, grouped_signatures
from detector.text.main_batch import TokenBatch, main_tokens_batch
from detector.text.main_reference import MainTokens
from detector.text.plan_batch import PassageBatch, plan
from detector.text.tokens import minhash_input, shingle_hashes, shingle_hashes_batch

U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class PassageSignatures:
    """Signatures of the passages to index or query, with their token ranges."""

    token_ranges: list[tuple[int, int]]
    signatures: U32


def _shingle_values(batch: TokenBatch, signed: I64, k: int) -> tuple[U32, I64, I64]:
    """MinHash inputs of the shingles of the ``signed`` documents, end to end, with where each
    document's shingles start and how many it has (one for a document shorter than ``k``)."""
    if signed.shape[0] == 1:  # one page: its own shingles, nothing to gather
        d = int(signed[0])
        one = shingle_hashes(batch.tokens.hashes[batch.doc_tokens[d] : batch.doc_tokens[d + 1]], k)
        return minhash_input(one), np.zeros(1, dtype=np.int64), np.array([one.shape[0]], dtype=np.int64)
    t = np.diff(batch.doc_tokens)[signed]
    counts = np.maximum(t - k + 1, 1)
    offsets = np.cumsum(counts) - counts
    rolled = shingle_hashes_batch(batch.tokens.hashes, k)
    at = np.repeat(batch.doc_tokens[signed] - offsets, counts) + np.arange(int(counts.sum()))
    values = (
        rolled[np.minimum(at, max(rolled.shape[0] - 1, 0))] if rolled.size else np.zeros(at.shape, np.uint64)
    )
    for i in np.flatnonzero(t < k).tolist():  # shorter than a shingle: one shingle of all its tokens
        d = int(signed[i])
        own = batch.tokens.hashes[batch.doc_tokens[d] : batch.doc_tokens[d + 1]]
        values[offsets[i]] = shingle_hashes(own, k)[0]
    return minhash_input(values), offsets, counts


def sign_batch(batch: TokenBatch, params: SignatureParams, shape: PassageShape) -> tuple[PassageBatch, U32]:
    """The passages of every document of ``batch`` and their signatures, in document order."""
    planned = plan(batch, shape.chunk_tokens, shape.min_tokens, shape.query_windows)
    n_pass = planned.passage_tiles.shape[0]
    if n_pass == 0:
        return planned, np.zeros((0, params.num_perm), dtype=np.uint32)
    signed = np.flatnonzero(np.diff(planned.doc_passages) > 0)
    values, offsets, counts = _shingle_values(batch, signed, shape.shingle_size)
    slot = np.searchsorted(signed, planned.tile_doc)  # each tile's document among the signed ones
    local = planned.tile_starts - batch.doc_tokens[planned.tile_doc]
    tile_sigs = grouped_signatures(values, offsets[slot] + np.minimum(local, counts[slot]), params)
    if planned.single_tile:
        return planned, tile_sigs[planned.passage_tiles[:, 0]]
    # Minimum over arbitrary tile ranges in one reduceat: indices [f0, l0, f1, l1, ...], even
    # results are the ranges; a sentinel row lets the last range end at the last tile.
    tile_sigs = np.vstack([tile_sigs, np.full((1, params.num_perm), 0xFFFFFFFF, dtype=np.uint32)])
    return planned, np.minimum.reduceat(tile_sigs, planned.passage_tiles.ravel(), axis=0)[::2]


def batch_passage_signatures(
    mts: list[MainTokens],
    params: SignatureParams,
    shape: PassageShape,
) -> list[PassageSignatures]:
    """Passage signatures of many documents, with one vectorised MinHash pass over all of them."""
    plan, sigs = sign_batch(TokenBatch.of(mts), params, shape)
    out: list[PassageSignatures] = []
    for d in range(len(mts)):
        lo, hi = int(plan.doc_passages[d]), int(plan.doc_passages[d + 1])
        ranges = [(a, b) for a, b in plan.token_ranges[lo:hi].tolist()]
        out.append(PassageSignatures(ranges, sigs[lo:hi]))
    return out


def passage_signatures(
    mt: MainTokens,
    params: SignatureParams,
    shape: PassageShape,
) -> PassageSignatures:
    return batch_passage_signatures([mt], params, shape)[0]


def source_band_keys(
    docs: Sequence[tuple[str, Sequence[Span]]], params: SignatureParams, shape: PassageShape
) -> list[tuple[I64, int]]:
    """For each ``(text, content spans)``: the distinct band keys of all its passages (sorted)
    and how many passages it has."""
    plan, sigs = sign_batch(main_tokens_batch(docs), params, shape)
    keys = band_keys(sigs, params.bands, params.rows).ravel()
    bounds = (plan.doc_passages * params.bands).tolist()
    for d in range(len(docs)):  # sorting each document's slice in place: 40x faster than a lexsort
        keys[bounds[d] : bounds[d + 1]].sort()
    fresh = np.ones(keys.shape[0], dtype=np.bool_)
    fresh[1:] = keys[1:] != keys[:-1]
    firsts = np.array(bounds[:-1], dtype=np.int64)
    fresh[firsts[firsts < keys.shape[0]]] = True  # a document's first key is new to it
    at = np.concatenate(([0], np.cumsum(fresh)))[bounds].tolist()
    keys = keys[fresh]
    counts = np.diff(plan.doc_passages).tolist()
    return [(keys[at[d] : at[d + 1]], counts[d]) for d in range(len(docs))]
