"""Passages of a document's main text, and their MinHash signatures.

The index holds chunks: consecutive sentences of one paragraph merged until they hold at
least ``chunk_tokens`` tokens (a short paragraph is one chunk), so that a copied sentence
inside a long original paragraph is still found (Jaccard against the whole paragraph would
be diluted) while the band table stays at one row set per chunk. A page queries its chunks
and every window of 1..``query_windows`` sentences of a paragraph, so some window lines up
with a source chunk however the page cut, merged or reordered its paragraphs; reads are cheap,
writes are not. A passage's signature is the element-wise minimum of its sentences'
signatures, so every shingle is hashed once per document.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from detector.model import Span
from detector.text.segment import paragraphs, sentences
from detector.text.tokens import Tokens, tokenize


@dataclass(frozen=True)
class MainTokens:
    """The tokens of a document's main text only (boilerplate and title left out)."""

    tokens: Tokens
    sentence_starts: npt.NDArray[np.int64]  # token index where each sentence starts
    sentence_paragraph: npt.NDArray[np.int64]  # paragraph number of each sentence


def main_tokens(text: str, spans: list[Span], tokens: Tokens | None = None) -> MainTokens:
    """Tokens inside ``spans`` with their sentence and paragraph structure (vectorised: one
    searchsorted per array, not one per sentence)."""
    all_tokens = tokens if tokens is not None else tokenize(text)
    n = len(all_tokens)
    if spans and n:
        span_arr = np.array(spans, dtype=np.int64)
        lo = np.searchsorted(all_tokens.starts, span_arr[:, 0], side="left")
        hi = np.searchsorted(all_tokens.ends, span_arr[:, 1], side="right")
        delta = np.zeros(n + 1, dtype=np.int64)
        np.add.at(delta, lo, 1)
        np.add.at(delta, np.maximum(hi, lo), -1)
        idx = np.flatnonzero(np.cumsum(delta[:n]) > 0)
    else:
        idx = np.zeros(0, dtype=np.int64)
    toks = Tokens(
        all_tokens.starts[idx], all_tokens.ends[idx], all_tokens.hashes[idx], all_tokens.is_cjk[idx]
    )
    sents = sentences(text, spans)
    empty = np.zeros(0, dtype=np.int64)
    if not sents or not len(toks):
        return MainTokens(toks, empty, empty)
    sent_arr = np.array(sents, dtype=np.int64)
    para_starts = np.array([p for p, _ in paragraphs(text, spans)], dtype=np.int64)
    s_lo = np.searchsorted(toks.starts, sent_arr[:, 0], side="left")
    s_hi = np.searchsorted(toks.ends, sent_arr[:, 1], side="right")
    para = np.searchsorted(para_starts, sent_arr[:, 0], side="right") - 1
    keep = s_hi > s_lo
    s_lo, para = s_lo[keep], para[keep]
    if s_lo.size:
        first = np.ones(s_lo.size, dtype=np.bool_)
        first[1:] = s_lo[1:] > s_lo[:-1]
        s_lo, para = s_lo[first], para[first]
    return MainTokens(toks, s_lo.astype(np.int64), para.astype(np.int64))


@dataclass(frozen=True)
class PassagePlan:
    """The passages of one document as ranges of its sentences (atoms)."""

    sent_starts: npt.NDArray[np.int64]  # token index of each sentence (the first starts at 0)
    atom_ranges: list[tuple[int, int]]  # [first sentence, last sentence) of each passage
    token_ranges: list[tuple[int, int]]


def plan_passages(
    mt: MainTokens, chunk_tokens: int, min_tokens: int, query_windows: int
) -> PassagePlan | None:
    """The passages of ``mt`` to sign: index chunks, and query windows when ``query_windows`` > 0."""
    t = len(mt.tokens)
    if t < min_tokens or mt.sentence_starts.size == 0:
        return None
    sent_starts = mt.sentence_starts.copy()
    sent_starts[0] = 0  # tokens before the first sentence belong to it
    n_sent = int(sent_starts.shape[0])
    sent_ends = np.append(sent_starts[1:], t)
    starts_l, ends_l = sent_starts.tolist(), sent_ends.tolist()
    paras = mt.sentence_paragraph.tolist()

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
