"""Assembling extracted segments into ``text``, gap-free ``blocks`` and an ``OffsetMap``.

Both extractors (HTML and plain text) describe their output as segments: pieces of text that either copy a
stretch of the original one to one, stand for one entity (a single character pointing at the ``&``), or were
inserted (separators, a collapsed run of whitespace). Inserted text is left out of the runs, so it maps to the
start of the next run, as ``OffsetMap`` documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from detector.model import Block, BlockKind, OffsetMap

INSERTED = -1


@dataclass(slots=True)
class Piece:
    text: str
    orig: int  # offset of text[0] in the original, or INSERTED
    exact: bool = True  # False for an entity: one character standing for a longer stretch


@dataclass(slots=True)
class Segment:
    """One block of text in the making: its pieces, the separator before it, and its kind once known."""

    pieces: list[Piece] = field(default_factory=list)
    sep: str = "\n"
    kind: BlockKind = "main"

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)


@dataclass(frozen=True, slots=True)
class Layout:
    text: str
    blocks: tuple[Block, ...]
    origin: OffsetMap


class RunBuilder:
    """Collects runs of an OffsetMap, merging neighbours that continue each other exactly."""

    def __init__(self) -> None:
        self.text_starts: list[int] = []
        self.orig_starts: list[int] = []
        self.lengths: list[int] = []
        self._mergeable = False

    def add(self, text_pos: int, orig_pos: int, length: int, exact: bool) -> None:
        if length <= 0:
            return
        if (
            exact
            and self._mergeable
            and self.text_starts[-1] + self.lengths[-1] == text_pos
            and self.orig_starts[-1] + self.lengths[-1] == orig_pos
        ):
            self.lengths[-1] += length
            return
        if not exact:
            # An entity: each produced character is a run of length one at the entity's start.
            for i in range(length):
                self.text_starts.append(text_pos + i)
                self.orig_starts.append(orig_pos)
                self.lengths.append(1)
            self._mergeable = False
            return
        self.text_starts.append(text_pos)
        self.orig_starts.append(orig_pos)
        self.lengths.append(length)
        self._mergeable = True

    def build(self) -> OffsetMap:
        return OffsetMap(tuple(self.text_starts), tuple(self.orig_starts), tuple(self.lengths))


def assemble(segments: Sequence[Segment]) -> Layout:
    """Join segments with their separators; each separator belongs to the block before it."""
    parts: list[str] = []
    runs = RunBuilder()
    starts: list[int] = []
    kinds: list[BlockKind] = []
    pos = 0
    for i, seg in enumerate(segments):
        if i > 0 and seg.sep:
            parts.append(seg.sep)
            pos += len(seg.sep)
        starts.append(pos)
        kinds.append(seg.kind)
        for piece in seg.pieces:
            if piece.orig != INSERTED:
                runs.add(pos, piece.orig, len(piece.text), piece.exact)
            parts.append(piece.text)
            pos += len(piece.text)
    text = "".join(parts)
    blocks = blocks_from_starts(starts, kinds, len(text))
    return Layout(text, blocks, runs.build())


def blocks_from_starts(starts: list[int], kinds: list[BlockKind], total: int) -> tuple[Block, ...]:
    """Blocks from their content starts: each runs to the next one's start, the first from 0, the last to
    the end, so the blocks cover the text without gaps. Neighbours of one kind are not merged."""
    if not starts:
        # Blank text (spaces, U+00A0 lines): one boilerplate block, so the blocks still cover it.
        return (Block(0, total, "boilerplate"),) if total else ()
    begins = [0, *starts[1:]]
    ends = [*starts[1:], total]
    return tuple([Block(b, e, k) for b, e, k in zip(begins, ends, kinds, strict=True) if e > b])
