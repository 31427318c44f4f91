"""MinHash signatures of the passages that ``detector.text.passages`` plans, many documents at once.

A passage's signature is the element-wise minimum of its sentences' signatures, so every
shingle is hashed once per document; one vectorised MinHash pass signs a whole batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from detector.config import PassageShape
from detector.store.signatures import SignatureParams, grouped_signatures
from detector.text.passages import MainTokens, PassagePlan, plan_passages
from detector.text.tokens import minhash_input, shingle_hashes


@dataclass(frozen=True)
class PassageSignatures:
    """Signatures of the passages to index or query, with their token ranges."""

    token_ranges: list[tuple[int, int]]
    signatures: npt.NDArray[np.uint32]


def batch_passage_signatures(
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
        plan = plan_passages(mt, shape.chunk_tokens, shape.min_tokens, shape.query_windows)
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


def passage_signatures(
    mt: MainTokens,
    params: SignatureParams,
    shape: PassageShape,
) -> PassageSignatures:
    return batch_passage_signatures([mt], params, shape)[0]
