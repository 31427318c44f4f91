"""MinHash signatures and LSH band keys, vectorised with numpy.

The permutations and the LSH band/row choice come from ``datasketch`` (its 2.0 default
``affine32`` scheme: input hashes pre-mixed with the 32-bit MurmurHash3 finaliser, then
``a * h + b`` modulo 2**32). Our signatures are bit-identical to
``datasketch.MinHash(num_perm, seed, hashfunc=identity).update_batch(values)`` and can be
wrapped as ``LeanMinHash`` (tests/index/test_signatures.py proves it), but are computed for
thousands of passages at once instead of one Python call per shingle.

``band_keys`` is the one function that turns signatures into LSH bucket keys, for every
store and engine (SQLite, Redis, Dask): two stores built with the same manifest agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from detector.config import LIMITS
from detector.text.tokens import fmix64

U32 = npt.NDArray[np.uint32]
SCHEME = "affine32"
_EMPTY = np.uint32(0xFFFFFFFF)
# Shingles per batch: ~8k keeps the (batch x num_perm) buffer in cache (see DESIGN.md).


@dataclass(frozen=True)
class SignatureParams:
    """Everything that changes a signature or a band key; recorded in the index manifest."""

    num_perm: int
    seed: int
    bands: int
    rows: int
    a: tuple[int, ...]
    b: tuple[int, ...]

    @staticmethod
    def from_datasketch(num_perm: int, seed: int, threshold: float) -> SignatureParams:
        from datasketch import MinHash, MinHashLSH

        if not 0.0 < threshold < 1.0:
            raise ValueError("lsh threshold must be between 0 and 1")
        # datasketch's own choice of (bands, rows) for the threshold, with equal weights on false
        # positives and negatives, read from an empty in-memory LSH (its public attributes b, r).
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=(0.5, 0.5))
        bands, rows = lsh.b, lsh.r
        perms = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
        return SignatureParams(
            num_perm=num_perm,
            seed=seed,
            bands=int(bands),
            rows=int(rows),
            a=tuple(int(x) for x in perms[0]),
            b=tuple(int(x) for x in perms[1]),
        )

    def arrays(self) -> tuple[U32, U32]:
        return np.array(self.a, dtype=np.uint32), np.array(self.b, dtype=np.uint32)


def fmix32(h: U32) -> U32:
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def grouped_signatures(values: U32, group_starts: npt.NDArray[np.int64], params: SignatureParams) -> U32:
    """One signature per group of ``values``: group ``g`` is ``values[group_starts[g]:group_starts[g+1]]``.

    An empty group gets the all-max "empty" signature, which callers must never index or query.
    Returns an array of shape ``(len(group_starts), num_perm)``.
    """
    a, b = params.arrays()
    groups = group_starts.shape[0]
    out = np.full((groups, params.num_perm), _EMPTY, dtype=np.uint32)
    n = values.shape[0]
    if n == 0 or groups == 0:
        return out
    mixed = fmix32(values.astype(np.uint32, copy=False))
    ends = np.append(group_starts[1:], n)
    # Permutations along the rows, shingles along the columns: numpy's reduceat over the
    # contiguous last axis is ~16x faster than over axis 0 of the transposed layout.
    buf = np.empty((params.num_perm, min(n, LIMITS.minhash_batch)), dtype=np.uint32)
    for lo in range(0, n, LIMITS.minhash_batch):
        hi = min(n, lo + LIMITS.minhash_batch)
        chunk = buf[:, : hi - lo]
        np.multiply(a[:, None], mixed[None, lo:hi], out=chunk)
        chunk += b[:, None]
        # Groups overlapping this batch, clipped to it.
        g_lo = int(np.searchsorted(ends, lo, side="right"))
        g_hi = int(np.searchsorted(group_starts, hi, side="left"))
        if g_hi <= g_lo:
            continue
        starts = np.clip(group_starts[g_lo:g_hi], lo, hi) - lo
        stops = np.clip(ends[g_lo:g_hi], lo, hi) - lo
        idx = np.flatnonzero(stops > starts)
        if idx.size == 0:
            continue
        mins = np.minimum.reduceat(chunk, starts[idx], axis=1).T
        rows = g_lo + idx
        out[rows] = np.minimum(out[rows], mins)
    return out


def band_keys(signatures: U32, bands: int, rows: int) -> npt.NDArray[np.int64]:
    """LSH bucket keys, shape ``(n, bands)``: a 64-bit hash of (band number, the band's rows).

    Signed 64-bit so SQLite stores them as INTEGER; the band number is mixed in so that equal
    rows in different bands are different buckets.
    """
    n = signatures.shape[0]
    if n == 0:
        return np.zeros((0, bands), dtype=np.int64)
    used = signatures[:, : bands * rows].astype(np.uint64).reshape(n, bands, rows)
    acc = np.zeros((n, bands), dtype=np.uint64)
    for r in range(rows):
        acc = fmix64(acc ^ used[:, :, r] ^ np.uint64(0x9E3779B97F4A7C15 * (r + 1) % (1 << 64)))
    acc = fmix64(acc ^ np.arange(1, bands + 1, dtype=np.uint64)[None, :] * np.uint64(0xD6E8FEB86659FD93))
    return acc.view(np.int64)
