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


def grouped_signatures(
    values: U32,
    group_starts: npt.NDArray[np.int64],
    params: SignatureParams,
    batch: int = LIMITS.minhash_batch,
) -> U32:
    """One signature per group of ``values``: group ``g`` is ``values[group_starts[g]:group_starts[g+1]]``
    (``group_starts`` never decreases).

    An empty group gets the all-max "empty" signature, which callers must never index or query.
    Returns an array of shape ``(len(group_starts), num_perm)``.
    """
    groups = group_starts.shape[0]
    out = np.full((groups, params.num_perm), _EMPTY, dtype=np.uint32)
    n = values.shape[0]
    if n == 0 or groups == 0:
        return out
    mixed = fmix32(values.astype(np.uint32, copy=False))
    bounds = np.minimum(group_starts, n)  # a group reaching past the values ends with them
    ends = np.append(bounds[1:], n)
    full = np.flatnonzero(ends > bounds)
    if not full.size:
        return out
    starts, stops = bounds[full], ends[full]
    # A group longer than a batch is cut in pieces of one batch, whose minima are merged at the end.
    pieces = -(-(stops - starts) // batch)
    split = bool((pieces > 1).any())
    if split:
        first_piece = np.cumsum(pieces) - pieces
        owner = np.repeat(np.arange(pieces.shape[0]), pieces)
        starts = starts[owner] + batch * (np.arange(owner.shape[0]) - first_piece[owner])
        stops = np.minimum(starts + batch, stops[owner])
    # Batches of whole pieces, planned at once (planning each batch in the loop cost as much
    # as its arithmetic): batch k begins with the first piece starting at or after k * batch.
    cuts = np.unique(np.searchsorted(starts, np.arange(int(starts[0]), int(stops[-1]), batch)))
    cuts = np.append(cuts[cuts < starts.shape[0]], starts.shape[0])
    lows, highs = starts[cuts[:-1]], stops[cuts[1:] - 1]
    at = starts - np.repeat(lows, np.diff(cuts))  # each piece's start in its batch
    # Permutations along the rows, shingles along the columns: numpy's reduceat over the
    # contiguous last axis is ~16x faster than over axis 0 of the transposed layout.
    buf = np.empty((params.num_perm, int((highs - lows).max())), dtype=np.uint32)
    minima = np.empty((params.num_perm, starts.shape[0]), dtype=np.uint32)
    a, b = (x[:, None] for x in params.arrays())
    plan = zip(cuts[:-1].tolist(), cuts[1:].tolist(), lows.tolist(), highs.tolist(), strict=True)
    for p0, p1, lo, hi in plan:
        chunk = buf[:, : hi - lo]
        np.multiply(a, mixed[None, lo:hi], out=chunk)
        chunk += b
        np.minimum.reduceat(chunk, at[p0:p1], axis=1, out=minima[:, p0:p1])
    if split:
        minima = np.minimum.reduceat(minima, first_piece, axis=1)
    out[full] = minima.T
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
