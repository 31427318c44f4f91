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

from detector.model import Span
from detector.text.main_batch import TokenBatch
from detector.text.main_reference import MainTokens, main_tokens_reference
from detector.text.plan_batch import plan
from detector.text.tokens import Tokens, tokenize

__all__ = ["MainTokens", "main_tokens", "main_tokens_reference", "plan_passages"]


def main_tokens(text: str, spans: list[Span], tokens: Tokens | None = None) -> MainTokens:
    """Tokens inside ``spans`` with their sentence and paragraph structure (``tokens``: the
    text's ``tokenize``, when the caller has it already). One document at a time, as a page is
    scanned, the regular expressions are faster than numpy's per-call overhead (~290 against
    ~400 us for a 1,000-character page); many at once, ``main_tokens_batch`` is (and equal)."""
    return main_tokens_reference(text, spans, tokens if tokens is not None else tokenize(text))


def plan_passages(
    mt: MainTokens, chunk_tokens: int, min_tokens: int, query_windows: int
) -> list[tuple[int, int]]:
    """Token ranges of the passages of ``mt`` to sign: index chunks, and query windows when
    ``query_windows`` > 0 (plan_batch.py, for one document)."""
    planned = plan(TokenBatch.of([mt]), chunk_tokens, min_tokens, query_windows)
    return [(a, b) for a, b in planned.token_ranges.tolist()]
