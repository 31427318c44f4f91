"""Passages of a document's main text, and their MinHash signatures.

Retrieval indexes and queries two levels of passages, both partitions of the main text:
- chunks: consecutive sentences of one paragraph merged until they hold at least
  ``chunk_tokens`` tokens, so that a copied sentence inside a long original paragraph is
  still found (Jaccard against the whole paragraph would be diluted);
- paragraphs, when a paragraph holds more than one chunk.
Each level's signature is the element-wise minimum of its sentences' signatures, so every
shingle is hashed once per document, not once per level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from detector.index.signatures import SignatureParams, grouped_signatures
from detector.model import Span
from detector.text.segment import paragraphs, sentences
from detector.text.tokens import Tokens, minhash_input, shingle_hashes, tokenize


@dataclass(frozen=True)
class MainTokens:
    """The tokens of a document's main text only (boilerplate and title left out)."""

    tokens: Tokens
    sentence_starts: npt.NDArray[np.int64]  # token index where each sentence starts
    sentence_paragraph: npt.NDArray[np.int64]  # paragraph number of each sentence


def main_tokens(text: str, spans: list[Span], tokens: Tokens | None = None) -> MainTokens:
    """Tokens inside ``spans`` with their sentence and paragraph structure."""
    all_tokens = tokens if tokens is not None else tokenize(text)
    keep = np.zeros(len(all_tokens), dtype=np.bool_)
    for s, e in spans:
        lo, hi = all_tokens.index_range(s, e)
        keep[lo:hi] = True
    idx = np.flatnonzero(keep)
    toks = Tokens(
        all_tokens.starts[idx], all_tokens.ends[idx], all_tokens.hashes[idx], all_tokens.is_cjk[idx]
    )
    sent_starts: list[int] = []
    sent_para: list[int] = []
    for p, (ps, pe) in enumerate(paragraphs(text, spans)):
        for ss, se in sentences(text, [(ps, pe)]):
            lo, hi = toks.index_range(ss, se)
            if hi > lo and (not sent_starts or lo > sent_starts[-1]):
                sent_starts.append(lo)
                sent_para.append(p)
    return MainTokens(toks, np.array(sent_starts, dtype=np.int64), np.array(sent_para, dtype=np.int64))


@dataclass(frozen=True)
class PassageSignatures:
    """Signatures of the passages to index or query, with their token ranges."""

    token_ranges: list[tuple[int, int]]
    signatures: npt.NDArray[np.uint32]


def passage_signatures(
    mt: MainTokens, params: SignatureParams, shingle_size: int, chunk_tokens: int, min_tokens: int
) -> PassageSignatures:
    t = len(mt.tokens)
    empty = PassageSignatures([], np.zeros((0, params.num_perm), dtype=np.uint32))
    if t < min_tokens or mt.sentence_starts.size == 0:
        return empty
    shingles = minhash_input(shingle_hashes(mt.tokens.hashes, shingle_size))
    n_sh = shingles.shape[0]
    sent_starts = mt.sentence_starts.copy()
    sent_starts[0] = 0  # tokens before the first sentence belong to it
    sent_ends = np.append(sent_starts[1:], t)
    atom_groups = np.minimum(sent_starts, n_sh)
    atom_sigs = grouped_signatures(shingles, atom_groups, params)

    # Chunks: merge sentences of one paragraph until each holds chunk_tokens tokens.
    chunk_first: list[int] = []
    chunk_para: list[int] = []
    acc = 0
    for i in range(sent_starts.shape[0]):
        para = int(mt.sentence_paragraph[i])
        if not chunk_first or chunk_para[-1] != para or acc >= chunk_tokens:
            chunk_first.append(i)
            chunk_para.append(para)
            acc = 0
        acc += int(sent_ends[i] - sent_starts[i])
    # A short tail chunk joins the chunk before it in the same paragraph.
    merged_first: list[int] = []
    merged_para: list[int] = []
    for j, first in enumerate(chunk_first):
        last = chunk_first[j + 1] if j + 1 < len(chunk_first) else sent_starts.shape[0]
        size = int(sent_ends[last - 1] - sent_starts[first])
        if merged_first and merged_para[-1] == chunk_para[j] and size < chunk_tokens:
            continue
        merged_first.append(first)
        merged_para.append(chunk_para[j])

    ranges: list[tuple[int, int]] = []
    sig_parts: list[npt.NDArray[np.uint32]] = []

    def add_level(firsts: list[int]) -> None:
        if not firsts:
            return
        sigs = np.minimum.reduceat(atom_sigs, np.array(firsts, dtype=np.int64), axis=0)
        for j, first in enumerate(firsts):
            last = firsts[j + 1] if j + 1 < len(firsts) else sent_starts.shape[0]
            lo, hi = int(sent_starts[first]), int(sent_ends[last - 1])
            if hi - lo >= min_tokens:
                ranges.append((lo, hi))
                sig_parts.append(sigs[j : j + 1])

    add_level(merged_first)
    # Paragraphs made of several chunks (a one-chunk paragraph is that chunk already).
    para_of_sentence = mt.sentence_paragraph
    para_firsts = [0, *np.flatnonzero(para_of_sentence[1:] != para_of_sentence[:-1]) + 1]
    chunk_ranges = set(ranges)
    before = len(ranges)
    add_level([int(f) for f in para_firsts])
    keep = [i for i in range(before, len(ranges)) if ranges[i] not in chunk_ranges]
    ranges = ranges[:before] + [ranges[i] for i in keep]
    sig_parts = sig_parts[:before] + [sig_parts[i] for i in keep]
    if not ranges:
        return empty
    return PassageSignatures(ranges, np.concatenate(sig_parts, axis=0))
