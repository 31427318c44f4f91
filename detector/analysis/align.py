"""Alignment: the maximal copied passages between a page and one source, as spans on both sides.

Seed and extend (the shape of the best PAN text-alignment systems):
1. seeds: runs of ``seed_tokens`` tokens that occur in both texts (hash join, numpy);
2. runs: seeds on one diagonal (page i, source j, then i+1, j+1 ...) collapse into one run;
3. chains: runs merge into a passage when the next run follows within ``max_gap`` tokens
   on both sides, so light edits (a few characters changed per sentence) and dropped
   clauses do not split a passage; chains never cross a page block (paragraph), so passages
   reordered on the page align one by one, and a sentence repeated three times on the page
   aligns three times to the same source sentence;
4. filter: passages shorter than ``min_tokens`` (set phrases, dates) or whose token
   containment is below ``min_similarity`` (chance seeds) are dropped; where two passages
   overlap on the page the longer wins.
Spans are widened over the punctuation that touches them (“…。”), so coverage counts a
copied sentence whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from detector.config import AlignSettings
from detector.model import AlignedPassage, Span
from detector.text.tokens import Tokens, shingle_hashes

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class TokenAlignment:
    """A copied passage in token indices: page ``[p0, p1)``, source ``[s0, s1)``."""

    p0: int
    p1: int
    s0: int
    s1: int
    similarity: float


@dataclass
class _Chain:
    block: int
    p0: int
    p1: int
    s0: int
    s1: int
    covered_page: int
    covered_source: int
    last_s1: int


@dataclass(frozen=True)
class SeedTable:
    """The seeds of one side of an alignment, grouped by value for the hash join: computed once
    per source and reused for every page it is aligned with (``retrieval.SourceLookup``)."""

    seed_tokens: int
    shingles: npt.NDArray[np.uint64]  # shingle i holds tokens i .. i+seed_tokens-1
    order: I64  # stable argsort of ``shingles``: positions grouped by value, in order
    values: npt.NDArray[np.uint64]  # the distinct shingle values, ascending
    first: I64  # where each value's positions start in ``order``
    count: I64  # how many positions hold each value
    group: I64  # the value (index into ``values``) of each shingle


def seed_table(token_hashes: npt.NDArray[np.uint64], seed_tokens: int) -> SeedTable:
    sh = shingle_hashes(token_hashes, seed_tokens)
    order = np.argsort(sh, kind="stable").astype(np.int64)
    ordered = sh[order]
    new = np.ones(ordered.shape[0], dtype=np.bool_)
    new[1:] = ordered[1:] != ordered[:-1]
    first = np.flatnonzero(new).astype(np.int64)
    count = np.diff(np.append(first, ordered.shape[0])).astype(np.int64)
    group = np.empty(ordered.shape[0], dtype=np.int64)
    group[order] = np.cumsum(new) - 1
    return SeedTable(seed_tokens, sh, order, ordered[first], first, count, group)


def min_seeds(settings: AlignSettings) -> int:
    """The fewest page seed positions a passage can hold. A chain's page extent is at most
    ``seed_tokens`` per seed plus ``max_gap`` between consecutive ones, and a passage needs
    ``min_tokens``: with fewer seeds ``align_tokens`` finds nothing, so it need not look."""
    n, gap = settings.seed_tokens, settings.max_gap
    return max(1, -(-(settings.min_tokens + gap) // (n + gap)))


def _runs(
    page_hashes: npt.NDArray[np.uint64],
    source_hashes: npt.NDArray[np.uint64],
    settings: AlignSettings,
    self_pairs: bool = False,
    source_seeds: SeedTable | None = None,
    page_seeds: npt.NDArray[np.uint64] | None = None,
) -> tuple[I64, I64, I64]:
    """Diagonal runs of shared seeds: (page start, source start, length in seeds).

    With ``self_pairs`` the two sides are one text: only pairs with the source side at least
    one seed after the page side are kept (each repeat once, never a seed with itself).
    ``source_seeds``, when given, is ``seed_table(source_hashes, seed_tokens)`` made before, and
    ``page_seeds`` ``shingle_hashes(page_hashes, seed_tokens)``.
    """
    n = settings.seed_tokens
    empty = np.zeros(0, dtype=np.int64)
    if page_hashes.shape[0] < n or source_hashes.shape[0] < n:
        return empty, empty, empty
    table = source_seeds if source_seeds is not None else seed_table(source_hashes, n)
    if table.seed_tokens != n or table.shingles.shape[0] != source_hashes.shape[0] - n + 1:
        raise ValueError("source_seeds were made for other tokens or another seed size")
    ph = page_seeds if page_seeds is not None else shingle_hashes(page_hashes, n)
    if ph.shape[0] != page_hashes.shape[0] - n + 1:
        raise ValueError("page_seeds were made for other tokens or another seed size")
    order = table.order
    at = np.minimum(np.searchsorted(table.values, ph), table.values.shape[0] - 1)
    counts = np.where(table.values[at] == ph, table.count[at], 0)
    lo = table.first[at]
    counts[counts > settings.max_seed_occurrences] = 0
    # The cheap reject: too few shared seeds to make one passage (see min_seeds).
    if not self_pairs and int(np.count_nonzero(counts)) < min_seeds(settings):
        return empty, empty, empty
    total = int(counts.sum())
    if total == 0:
        return empty, empty, empty
    page_idx = np.repeat(np.arange(ph.shape[0], dtype=np.int64), counts)
    # Position of each pair within its page seed's match list.
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    src_idx = order[np.repeat(lo, counts) + offsets]
    diag = src_idx - page_idx
    if self_pairs:
        keep = diag >= n
        page_idx, src_idx, diag = page_idx[keep], src_idx[keep], diag[keep]
        total = int(page_idx.shape[0])
        if total == 0:
            return empty, empty, empty
    key = np.lexsort((page_idx, diag))
    page_idx, diag = page_idx[key], diag[key]
    new_run = np.ones(total, dtype=np.bool_)
    new_run[1:] = (diag[1:] != diag[:-1]) | (page_idx[1:] != page_idx[:-1] + 1)
    starts = np.flatnonzero(new_run)
    lengths = np.diff(np.append(starts, total))
    run_p = page_idx[starts]
    run_s = run_p + diag[starts]
    order2 = np.lexsort((run_s, run_p))
    return run_p[order2], run_s[order2], lengths[order2].astype(np.int64)


def align_tokens(
    page: Tokens,
    page_blocks: I64,
    source: Tokens,
    settings: AlignSettings,
    *,
    self_pairs: bool = False,
    source_seeds: SeedTable | None = None,
    page_seeds: npt.NDArray[np.uint64] | None = None,
) -> list[TokenAlignment]:
    """Copied passages between two token sequences; ``page_blocks[i]`` is the block of page token i.

    With ``self_pairs`` (``source`` is ``page``) it finds passages repeated inside one text.
    ``source_seeds`` (``seed_table`` of the source) and ``page_seeds`` (``shingle_hashes`` of the
    page's token hashes), made once, save making them again for each pair.
    """
    run_p, run_s, run_len = _runs(page.hashes, source.hashes, settings, self_pairs, source_seeds, page_seeds)
    if run_p.shape[0] == 0:
        return []
    n = settings.seed_tokens
    gap = settings.max_gap
    blocks = page_blocks.tolist()
    # next_break[i]: the first token after i in another block (or the end), so a run is cut at
    # block boundaries without walking it token by token.
    breaks = np.append(np.flatnonzero(np.diff(page_blocks)) + 1, len(blocks))
    next_break = breaks[np.searchsorted(breaks, np.arange(len(blocks)), side="right")].tolist()
    chains: list[_Chain] = []
    active: list[_Chain] = []
    for rp, rs, rl in zip(run_p.tolist(), run_s.tolist(), run_len.tolist(), strict=True):
        p_end = rp + rl - 1 + n
        # A run may cross a block boundary on the page: cut it there.
        pieces: list[tuple[int, int, int]] = []
        start = rp
        while start < p_end:
            stop = min(next_break[start], p_end)
            pieces.append((start, stop, rs + (start - rp)))
            start = stop
        for p0, p1, s0 in pieces:
            block = blocks[p0]
            s1 = s0 + (p1 - p0)
            best: _Chain | None = None
            for ch in active:
                if ch.block != block:
                    continue
                dp = p0 - ch.p1
                ds = s0 - ch.last_s1
                if not (-n <= dp <= gap and -n <= ds <= gap):
                    continue
                if self_pairs and max(ch.p1, p1) > min(ch.s0, s0):
                    continue  # the two places of a repeat would overlap
                if best is None or ch.p1 > best.p1:
                    best = ch
            if best is None:
                ch = _Chain(block, p0, p1, s0, s1, p1 - p0, s1 - s0, s1)
                chains.append(ch)
                active.append(ch)
            else:
                best.covered_page += max(0, p1 - max(p0, best.p1))
                best.covered_source += max(0, s1 - max(s0, best.last_s1))
                best.p1 = max(best.p1, p1)
                best.s0 = min(best.s0, s0)
                best.s1 = max(best.s1, s1)
                best.last_s1 = s1
        # Chains that can no longer grow leave the active list.
        active = [ch for ch in active if ch.p1 + gap >= rp]

    found: list[TokenAlignment] = []
    for ch in chains:
        plen, slen = ch.p1 - ch.p0, ch.s1 - ch.s0
        if plen < settings.min_tokens or slen < settings.min_tokens:
            continue
        sim = min(1.0, (ch.covered_page + ch.covered_source) / (plen + slen))
        if sim < settings.min_similarity:
            continue
        found.append(TokenAlignment(ch.p0, ch.p1, ch.s0, ch.s1, sim))
    return _drop_page_overlaps(found)


def _drop_page_overlaps(found: list[TokenAlignment]) -> list[TokenAlignment]:
    """Where passages overlap on the page, keep the longer (then the more similar)."""
    ranked = sorted(found, key=lambda a: (-(a.p1 - a.p0), -a.similarity, a.p0, a.s0))
    kept: list[TokenAlignment] = []
    for a in ranked:
        if all(a.p1 <= k.p0 or a.p0 >= k.p1 for k in kept):
            kept.append(a)
    return sorted(kept, key=lambda a: (a.p0, a.s0))


_OPENERS = set("“‘「『《〈（([{\"'")


def widen(text: str, start: int, end: int, lo: int, hi: int) -> Span:
    """Widen a token span over the punctuation touching it (not over white space), within [lo, hi)."""
    while end < hi and not text[end].isspace() and not text[end].isalnum():
        end += 1
    while start > lo and text[start - 1] in _OPENERS:
        start -= 1
    return start, end


def to_passages(
    alignments: list[TokenAlignment],
    page_text: str,
    page: Tokens,
    source_text: str,
    source: Tokens,
) -> list[AlignedPassage]:
    out: list[AlignedPassage] = []
    for a in alignments:
        ps, pe = int(page.starts[a.p0]), int(page.ends[a.p1 - 1])
        ss, se = int(source.starts[a.s0]), int(source.ends[a.s1 - 1])
        p_hi = int(page.starts[a.p1]) if a.p1 < len(page) else len(page_text)
        s_hi = int(source.starts[a.s1]) if a.s1 < len(source) else len(source_text)
        p_lo = int(page.ends[a.p0 - 1]) if a.p0 > 0 else 0
        s_lo = int(source.ends[a.s0 - 1]) if a.s0 > 0 else 0
        out.append(
            AlignedPassage(
                page=widen(page_text, ps, pe, p_lo, p_hi),
                source=widen(source_text, ss, se, s_lo, s_hi),
                similarity=round(a.similarity, 4),
            )
        )
    return out
