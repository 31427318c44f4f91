"""The one-document, loop-by-loop implementations the batched text path replaced, kept as the
definition it is tested against (tests/text/test_batch_equivalence.py): the tokeniser, the
passage plan and the passage signatures as they were before issue 15."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from detector.config import PassageShape
from detector.store.passage_signatures import PassageSignatures
from detector.store.signatures import SignatureParams, grouped_signatures
from detector.text.main_reference import MainTokens
from detector.text.tokens import (
    _CJK_SALT,
    _LEN_SALT,
    _R_POWERS,
    _WORD_PREFIX,
    CJK,
    INVISIBLE,
    WORD,
    Tokens,
    _classify_astral,
    _tables,
    codepoints,
    fmix64,
    minhash_input,
    shingle_hashes,
)


def tokenize_reference(text: str) -> Tokens:
    """All tokens of ``text``, in order. Invisible format characters (zero-width space, bidi
    controls) are skipped as if absent, as normalize() drops them: "ab\u200bc" is one word."""
    classes, _ = _tables()
    cps = codepoints(text)
    low = np.where(cps < 0x10000, cps, 0)
    invisible = (classes[low] == INVISIBLE) & (cps < 0x10000)
    for i in np.flatnonzero(cps >= 0x10000).tolist():
        invisible[i] = _classify_astral(int(cps[i]))[0] == INVISIBLE
    if not invisible.any():
        return _tokenize_codepoints_reference(cps)
    keep = np.flatnonzero(~invisible)
    t = _tokenize_codepoints_reference(cps[keep])
    return Tokens(keep[t.starts], keep[t.ends - 1] + 1, t.hashes, t.is_cjk)


def _tokenize_codepoints_reference(cps: npt.NDArray[np.uint32]) -> Tokens:
    classes, folded = _tables()
    n = cps.shape[0]
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Tokens(empty, empty.copy(), np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.bool_))
    bmp = cps < 0x10000
    low = np.where(bmp, cps, 0)
    cls = classes[low]
    fold = np.where(bmp, folded[low], cps).astype(np.uint64)
    astral = np.flatnonzero(~bmp)
    if astral.size:  # rare: look the few distinct characters up one by one
        cls = cls.copy()
        for i in astral.tolist():
            c, f = _classify_astral(int(cps[i]))
            cls[i] = c
            fold[i] = f
    is_cjk_char = cls == CJK
    is_word_char = cls == WORD
    # Word runs: maximal runs of WORD characters.
    prev_word = np.concatenate(([False], is_word_char[:-1]))
    next_word = np.concatenate((is_word_char[1:], [False]))
    run_starts = np.flatnonzero(is_word_char & ~prev_word)
    run_ends = np.flatnonzero(is_word_char & ~next_word) + 1
    # Polynomial hash of each run over its first _WORD_PREFIX characters, plus its length:
    # sum f[m] * R**(m - s), computed only over the word characters (few in Chinese text).
    if run_starts.size:
        word_pos = np.flatnonzero(is_word_char)
        run_of = np.searchsorted(run_starts, word_pos, side="right") - 1
        offset = word_pos - run_starts[run_of]
        inside = offset < _WORD_PREFIX
        weight = _R_POWERS[np.minimum(offset, _WORD_PREFIX - 1)]
        terms = np.where(inside, fold[word_pos] * weight, np.uint64(0))
        run_vals = np.add.reduceat(terms, np.searchsorted(word_pos, run_starts), dtype=np.uint64)
        run_hash = fmix64(run_vals ^ ((run_ends - run_starts).astype(np.uint64) * _LEN_SALT))
    else:
        run_hash = np.zeros(0, dtype=np.uint64)
    cjk_pos = np.flatnonzero(is_cjk_char)
    cjk_hash = fmix64(fold[cjk_pos] ^ _CJK_SALT)

    starts = np.concatenate((cjk_pos, run_starts)).astype(np.int64)
    order = np.argsort(starts, kind="stable")
    ends = np.concatenate((cjk_pos + 1, run_ends)).astype(np.int64)
    hashes = np.concatenate((cjk_hash, run_hash))
    kinds = np.concatenate((np.ones(cjk_pos.size, dtype=np.bool_), np.zeros(run_starts.size, dtype=np.bool_)))
    # utf-32 units are code points, which is what Python string indices count.
    return Tokens(starts[order], ends[order], hashes[order], kinds[order])


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


def plan_passages_reference(
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


def batch_passage_signatures_reference(
    mts: list[MainTokens],
    params: SignatureParams,
    shape: PassageShape,
) -> list[PassageSignatures]:
    """Passage signatures of many documents, with one vectorised MinHash pass over all of them."""
    plans: list[tuple[PassagePlan, int] | None] = []
    shingle_parts: list[npt.NDArray[np.uint32]] = []
    group_parts: list[npt.NDArray[np.int64]] = []
    offset = atoms = 0
    for mt in mts:
        plan = plan_passages_reference(mt, shape.chunk_tokens, shape.min_tokens, shape.query_windows)
        if plan is None:
            plans.append(None)
            continue
        sh = minhash_input(shingle_hashes(mt.tokens.hashes, shape.shingle_size))
        shingle_parts.append(sh)
        group_parts.append(offset + np.minimum(plan.sent_starts, sh.shape[0]))
        plans.append((plan, atoms))
        offset += int(sh.shape[0])
        atoms += int(plan.sent_starts.shape[0])
    empty = PassageSignatures([], np.zeros((0, params.num_perm), dtype=np.uint32))
    if not shingle_parts:
        return [empty for _ in mts]
    atom_sigs = grouped_signatures(np.concatenate(shingle_parts), np.concatenate(group_parts), params)
    # Minimum over arbitrary atom ranges in one reduceat: indices [f0, l0, f1, l1, ...], even
    # results are the ranges; a sentinel row lets the last range end at the last atom.
    atom_sigs = np.vstack([atom_sigs, np.full((1, params.num_perm), 0xFFFFFFFF, dtype=np.uint32)])
    pairs = [(item[1] + a, item[1] + b) for item in plans if item is not None for a, b in item[0].atom_ranges]
    flat = np.array(pairs, dtype=np.int64).ravel()
    sigs = np.minimum.reduceat(atom_sigs, flat, axis=0)[::2]
    out: list[PassageSignatures] = []
    at = 0
    for item in plans:
        if item is None:
            out.append(empty)
            continue
        n = len(item[0].atom_ranges)
        out.append(PassageSignatures(item[0].token_ranges, sigs[at : at + n]))
        at += n
    return out
