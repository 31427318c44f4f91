"""The main tokens of many documents at once, with their sentences and paragraphs.

Signing a corpus used to cost ~1.8 ms of numpy and regex calls per document, most of it
per-call overhead on small arrays. Here a whole batch is one text (documents joined by a line
break, which ends every token, sentence and paragraph), tokenised and segmented in one pass of
each step, and the results are cut back per document only at the end. Every result equals
the one-document reference (``main_reference.main_tokens_reference``), which a document whose main
spans are not in order (overlapping, unsorted or out of range, never made by our extractor)
still goes through.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from detector.model import Span
from detector.text.charclass import char_flags
from detector.text.main_reference import MainTokens, main_tokens_reference
from detector.text.segment_np import segment
from detector.text.tokens import Tokens, codepoints, tokenize, tokenize_codepoints

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class TokenBatch:
    """Main tokens of many documents end to end. Token ``i`` of document ``d`` is token
    ``doc_tokens[d] + i``; its offsets less ``doc_bases[d]`` are into the document's own text
    (made so only when a document's tokens are asked for: signing never needs them). Sentence
    starts are indices into all tokens; paragraph numbers are unique across documents."""

    tokens: Tokens
    doc_tokens: I64  # one more entry than documents
    sentence_starts: I64
    sentence_paragraph: I64
    doc_sentences: I64  # one more entry than documents
    doc_paragraphs: I64  # number of the first paragraph of each document (local numbering)
    doc_bases: I64  # where each document's offsets start

    def __len__(self) -> int:
        return int(self.doc_tokens.shape[0]) - 1

    def main_tokens(self, d: int) -> MainTokens:
        lo, hi = int(self.doc_tokens[d]), int(self.doc_tokens[d + 1])
        a, b = int(self.doc_sentences[d]), int(self.doc_sentences[d + 1])
        t, base = self.tokens, self.doc_bases[d]
        return MainTokens(
            Tokens(t.starts[lo:hi] - base, t.ends[lo:hi] - base, t.hashes[lo:hi], t.is_cjk[lo:hi]),
            self.sentence_starts[a:b] - lo,
            self.sentence_paragraph[a:b] - self.doc_paragraphs[d],
        )

    @staticmethod
    def of(mts: Sequence[MainTokens]) -> TokenBatch:
        """A batch of documents tokenised one by one (their paragraph numbers made unique)."""
        if len(mts) == 1:  # a page being scanned: nothing to join
            m = mts[0]
            ends = np.array([0, len(m.tokens)], dtype=np.int64)
            sents = np.array([0, m.sentence_starts.shape[0]], dtype=np.int64)
            zero = np.zeros(1, dtype=np.int64)
            return TokenBatch(m.tokens, ends, m.sentence_starts, m.sentence_paragraph, sents, zero, zero)
        sizes = np.array([len(m.tokens) for m in mts], dtype=np.int64)
        doc_tokens = np.concatenate(([0], np.cumsum(sizes)))
        n_sent = np.array([m.sentence_starts.shape[0] for m in mts], dtype=np.int64)
        paras = [int(m.sentence_paragraph.max()) + 1 if m.sentence_paragraph.size else 0 for m in mts]
        para_base = np.concatenate(([0], np.cumsum(paras, dtype=np.int64)))[:-1]
        return TokenBatch(
            _concat_tokens([m.tokens for m in mts]),
            doc_tokens,
            np.concatenate([m.sentence_starts + doc_tokens[i] for i, m in enumerate(mts)] + [_EMPTY]),
            np.concatenate([m.sentence_paragraph + para_base[i] for i, m in enumerate(mts)] + [_EMPTY]),
            np.concatenate(([0], np.cumsum(n_sent))),
            para_base,
            np.zeros(len(mts), dtype=np.int64),
        )


_EMPTY = np.zeros(0, dtype=np.int64)


def _concat_tokens(parts: Sequence[Tokens]) -> Tokens:
    return Tokens(
        np.concatenate([t.starts for t in parts] + [_EMPTY]),
        np.concatenate([t.ends for t in parts] + [_EMPTY]),
        np.concatenate([t.hashes for t in parts] + [np.zeros(0, dtype=np.uint64)]),
        np.concatenate([t.is_cjk for t in parts] + [np.zeros(0, dtype=np.bool_)]),
    )


def _regular(text: str, spans: Sequence[Span]) -> bool:
    """Spans in order, not overlapping, inside the text: what the batched path assumes."""
    last = 0
    for s, e in spans:
        if s < last or e < s:
            return False
        last = e
    return last <= len(text)


def main_tokens_batch(docs: Sequence[tuple[str, Sequence[Span]]]) -> TokenBatch:
    """``main_tokens`` of every ``(text, main spans)``."""
    regular = [i for i, (t, sp) in enumerate(docs) if _regular(t, sp)]
    if len(regular) == len(docs):
        return _batch(docs)
    batch = _batch([docs[i] for i in regular])
    fast = {i: batch.main_tokens(j) for j, i in enumerate(regular)}
    return TokenBatch.of(
        [
            fast[i] if i in fast else main_tokens_reference(t, list(sp), tokenize(t))
            for i, (t, sp) in enumerate(docs)
        ]
    )


def _batch(docs: Sequence[tuple[str, Sequence[Span]]]) -> TokenBatch:
    lengths = np.array([len(t) for t, _ in docs], dtype=np.int64)
    bases = np.concatenate(([0], np.cumsum(lengths + 1)))[:-1]
    cps = codepoints("\n".join(t for t, _ in docs))
    every = tokenize_codepoints(cps)
    span_counts = np.array([len(sp) for _, sp in docs], dtype=np.int64)
    spans = np.array([x for _, sp in docs for x in sp], dtype=np.int64).reshape(-1, 2)
    spans += np.repeat(bases, span_counts)[:, None]
    # Tokens wholly inside a span.
    n = len(every)
    lo = np.searchsorted(every.starts, spans[:, 0], side="left")
    hi = np.searchsorted(every.ends, spans[:, 1], side="right")
    if int(np.maximum(hi - lo, 0).sum()) == n:  # spans never overlap: all tokens are inside one
        toks = every
    else:
        delta = np.zeros(n + 1, dtype=np.int64)
        np.add.at(delta, lo, 1)
        np.add.at(delta, np.maximum(hi, lo), -1)
        idx = np.flatnonzero(np.cumsum(delta[:n]) > 0)
        toks = Tokens(every.starts[idx], every.ends[idx], every.hashes[idx], every.is_cjk[idx])
    seg = segment(char_flags(cps), spans[:, 0], spans[:, 1])
    # Sentences as token ranges; one without tokens, or starting where the one before it does, goes.
    s_lo = np.searchsorted(toks.starts, seg.sent_starts, side="left")
    s_hi = np.searchsorted(toks.ends, seg.sent_ends, side="right")
    keep = s_hi > s_lo
    s_lo, para, s_char = s_lo[keep], seg.sent_para[keep], seg.sent_starts[keep]
    if s_lo.size:
        first = np.ones(s_lo.size, dtype=np.bool_)
        first[1:] = s_lo[1:] > s_lo[:-1]
        s_lo, para, s_char = s_lo[first], para[first], s_char[first]
    return TokenBatch(
        toks,
        np.searchsorted(toks.starts, np.append(bases, cps.shape[0] + 1)),
        s_lo.astype(np.int64),
        para.astype(np.int64),
        np.searchsorted(s_char, np.append(bases, cps.shape[0] + 1)),
        np.searchsorted(seg.para_starts, bases),
        bases,
    )
