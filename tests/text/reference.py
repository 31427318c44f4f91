"""The one-document, loop-by-loop implementations the batched text path replaced, kept as the
definition it is tested against (tests/text/test_batch_equivalence.py): the tokeniser, the
passage plan (now ``plan_one``, which serves single pages) and the passage signatures as they
were before issue 15."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from detector.config import PassageShape
from detector.store.passage_signatures import PassageSignatures
from detector.store.signatures import SignatureParams, grouped_signatures
from detector.text.main_reference import MainTokens
from detector.text.plan_one import PassagePlan
from detector.text.plan_one import plan_one as plan_passages_reference
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
