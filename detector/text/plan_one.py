"""Which passages of one document to sign, in a loop over its sentences.

The rules (see passages.py): chunks of whole sentences of one paragraph holding at least
``chunk_tokens`` tokens, over-long sentences cut in pieces, a short tail chunk merged into the
chunk before it, and on the query side every window of 1..``query_windows`` sentences.
``plan_batch.py`` applies the same rules to many documents at once with numpy (and is tested
against this loop); for one page, this loop is faster than numpy's per-call overhead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from detector.text.main_reference import MainTokens


@dataclass(frozen=True)
class PassagePlan:
    """The passages of one document as ranges of its sentences (atoms)."""

    sent_starts: npt.NDArray[np.int64]  # token index of each sentence (the first starts at 0)
    atom_ranges: list[tuple[int, int]]  # [first sentence, last sentence) of each passage
    token_ranges: list[tuple[int, int]]


def _bounded_sentences(
    mt: MainTokens, t: int, chunk_tokens: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Sentence starts (the first at token 0) and paragraph numbers, with every sentence longer
    than ``2 * chunk_tokens`` tokens cut into pieces of ``chunk_tokens // 2`` (a short tail joins
    the piece before it). A passage that never ends a sentence (commas only, or punctuation a
    spinner changed) is then signed and queried in windows of bounded length, so retrieval does
    not depend on where sentences happen to end: a page window of two or three pieces overlaps
    a source chunk by at least 0.6 in Jaccard however the two texts are cut."""
    starts = mt.sentence_starts.copy()
    starts[0] = 0  # tokens before the first sentence belong to it
    paras = mt.sentence_paragraph
    ends = np.append(starts[1:], t)
    piece = max(1, chunk_tokens // 2)
    long = np.flatnonzero(ends - starts > 2 * chunk_tokens)
    if not long.size:
        return starts, paras
    out_s: list[int] = []
    out_p: list[int] = []
    long_set = set(long.tolist())
    for i, (a, b, para) in enumerate(zip(starts.tolist(), ends.tolist(), paras.tolist(), strict=True)):
        cuts = list(range(a, b, piece)) if i in long_set else [a]
        if len(cuts) > 1 and b - cuts[-1] < piece // 2:
            cuts.pop()
        out_s.extend(cuts)
        out_p.extend([para] * len(cuts))
    return np.array(out_s, dtype=np.int64), np.array(out_p, dtype=np.int64)


def plan_one(
    mt: MainTokens, chunk_tokens: int, min_tokens: int, query_windows: int
) -> PassagePlan | None:
    """The passages of ``mt`` to sign: index chunks, and query windows when ``query_windows`` > 0."""
    t = len(mt.tokens)
    if t < min_tokens or mt.sentence_starts.size == 0:
        return None
    sent_starts, sent_paras = _bounded_sentences(mt, t, chunk_tokens)
    n_sent = int(sent_starts.shape[0])
    sent_ends = np.append(sent_starts[1:], t)
    starts_l, ends_l = sent_starts.tolist(), sent_ends.tolist()
    paras = sent_paras.tolist()

    # Chunks: merge sentences of one paragraph until each holds chunk_tokens tokens; a short
    # tail chunk joins the chunk before it in the same paragraph.
    chunks: list[list[int]] = []  # [first, last, paragraph]
    acc = 0
    for i in range(n_sent):
        if not chunks or chunks[-1][2] != paras[i] or acc >= chunk_tokens:
            chunks.append([i, i + 1, paras[i]])
            acc = 0
        else:
            chunks[-1][1] = i + 1
        acc += ends_l[i] - starts_l[i]
    merged: list[list[int]] = []
    for c in chunks:
        size = ends_l[c[1] - 1] - starts_l[c[0]]
        if merged and merged[-1][2] == c[2] and size < chunk_tokens:
            merged[-1][1] = c[1]
        else:
            merged.append(c)
    atom_ranges = [(c[0], c[1]) for c in merged]
    # Paragraphs made of several chunks (a one-chunk paragraph is that chunk already).
    if query_windows:
        # The query side also tries every window of 1..query_windows sentences of a paragraph,
        # so that some window lines up with a source chunk whatever the page cut or kept.
        for i in range(n_sent):
            for w in range(1, query_windows + 1):
                j = i + w
                if j > n_sent or paras[j - 1] != paras[i]:
                    break
                atom_ranges.append((i, j))
        atom_ranges = sorted(set(atom_ranges))
    kept = [(a, b) for a, b in atom_ranges if ends_l[b - 1] - starts_l[a] >= min_tokens]
    if not kept:
        return None
    return PassagePlan(sent_starts, kept, [(starts_l[a], ends_l[b - 1]) for a, b in kept])
