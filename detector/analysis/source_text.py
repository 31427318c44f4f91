"""A candidate source prepared once for alignment: its main tokens, content mask and sorted seeds.

A scan aligns every page with its candidate sources; on a corpus whose sources share sentences
one source is a candidate of many pages, and tokenising it again for each was a fifth of the
scan (issue 15). ``retrieval.SourceLookup`` keeps these for the pages of one run.
"""

from __future__ import annotations

from dataclasses import dataclass

from detector.analysis.align import SeedTable, seed_table
from detector.analysis.spans import Mask, content_mask
from detector.model import SourceDoc
from detector.text.passages import MainTokens, main_tokens


@dataclass(frozen=True)
class SourceText:
    source: SourceDoc
    main: MainTokens  # tokens of the source's content spans
    content: Mask  # non-white-space characters of the content spans
    seeds: SeedTable | None  # None when the source has fewer tokens than a seed

    def __len__(self) -> int:
        """Tokens held: what a cache of these counts."""
        return len(self.main.tokens)


def prepare_source_text(source: SourceDoc, seed_tokens: int) -> SourceText:
    spans = source.content_spans()
    main = main_tokens(source.text, spans)
    hashes = main.tokens.hashes
    seeds = seed_table(hashes, seed_tokens) if hashes.shape[0] >= seed_tokens else None
    return SourceText(source, main, content_mask(source.text, spans), seeds)
