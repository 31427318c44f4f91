"""The main tokens of one document, loop by loop: the definition of ``main_tokens``.

``main_batch.py`` computes the same for many documents at once (and is tested against this);
this one-document form, on segment.py's regular expressions, is what it falls back to for main
spans that are not in order.
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


def tokens_in_spans(all_tokens: Tokens, spans: list[Span]) -> Tokens:
    """The tokens lying wholly inside any of ``spans`` (character offsets), in text order."""
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
    return Tokens(
        all_tokens.starts[idx], all_tokens.ends[idx], all_tokens.hashes[idx], all_tokens.is_cjk[idx]
    )


def main_tokens_reference(text: str, spans: list[Span], tokens: Tokens | None = None) -> MainTokens:
    """``main_tokens`` one document at a time, with segment.py's regular expressions: the
    definition the batched path (main_batch.py) is tested against, and what it falls back to
    for spans out of order."""
    toks = tokens_in_spans(tokens if tokens is not None else tokenize(text), spans)
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
