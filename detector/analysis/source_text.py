"""A candidate source prepared once for alignment: its content tokens, content mask and sorted seeds.

A scan aligns every page with its candidate sources; on a corpus whose sources share sentences
one source is a candidate of many pages, and tokenising it again for each was a fifth of the
scan (issue 15). ``retrieval.SourceLookup`` keeps these for the pages of one run.
"""

from __future__ import annotations

from dataclasses import dataclass

from detector.analysis.align import SeedTable, seed_table
from detector.analysis.spans import Mask, content_mask
from detector.model import SourceDoc, Span
from detector.text.main_reference import tokens_in_spans
from detector.text.tokens import Tokens, tokenize


@dataclass(frozen=True)
class SourceText:
    source: SourceDoc
    tokens: Tokens  # the tokens of the source's content spans, as ``main_tokens(...).tokens``
    content: Mask  # non-white-space characters of the content spans
    seeds: SeedTable | None  # None when the source has fewer tokens than a seed

    def __len__(self) -> int:
        """Tokens held: what a cache of these counts."""
        return len(self.tokens)


def content_tokens(text: str, spans: list[Span]) -> Tokens:
    """The tokens of ``text`` inside ``spans``: ``text.passages.main_tokens(text, spans).tokens``
    without the sentence and paragraph structure, which only the page side of an alignment uses
    (a test holds the two equal)."""
    return tokens_in_spans(tokenize(text), spans)


def prepare_source_text(source: SourceDoc, seed_tokens: int) -> SourceText:
    spans = source.content_spans()
    tokens = content_tokens(source.text, spans)
    seeds = seed_table(tokens.hashes, seed_tokens) if len(tokens) >= seed_tokens else None
    return SourceText(source, tokens, content_mask(source.text, spans), seeds)
