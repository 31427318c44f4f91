"""Flat segmentation of a text by overlapping spans, for highlighting without nesting.

A copied passage may also be a repeated sentence, and both may cross a block boundary. HTML cannot
nest overlapping elements, so the report cuts the text at every span boundary and gives each piece
(a ``Segment``) the set of spans that cover it; one element per piece, nothing nested, every
character exactly once and in order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Segment:
    """``text[start:end]`` and the indices (ascending) of the input spans that cover all of it."""

    start: int
    end: int
    labels: tuple[int, ...]


def clamp(span: Any, length: int) -> Span | None:
    """``span`` as ``(start, end)`` inside ``[0, length]``, or None when it is malformed or empty."""
    try:
        start, end = int(span[0]), int(span[1])
    except (TypeError, ValueError, IndexError, KeyError):
        return None
    start, end = max(0, min(start, length)), max(0, min(end, length))
    return (start, end) if start < end else None


def segment(length: int, spans: Sequence[Span | None]) -> list[Segment]:
    """Cut ``[0, length)`` at every boundary of ``spans``; None and empty spans are ignored.

    The result covers ``[0, length)`` without gaps or overlaps (unlabelled pieces included), so
    joining ``text[s.start:s.end]`` gives back the text. A sweep over sorted boundaries: linear in
    the number of segments times the spans active in each.
    """
    opens: dict[int, list[int]] = {}
    closes: dict[int, list[int]] = {}
    for i, span in enumerate(spans):
        if span is None:
            continue
        start, end = max(0, span[0]), min(length, span[1])
        if start >= end:
            continue
        opens.setdefault(start, []).append(i)
        closes.setdefault(end, []).append(i)
    cuts = sorted({0, length, *opens, *closes})
    active: set[int] = set()
    out: list[Segment] = []
    for here, nxt in pairwise(cuts):
        active.difference_update(closes.get(here, ()))
        active.update(opens.get(here, ()))
        out.append(Segment(here, nxt, tuple(sorted(active))))
    return out


@dataclass(frozen=True, slots=True)
class Block:
    start: int
    end: int
    kind: str


BLOCK_KINDS = ("title", "main", "boilerplate")


def normalise_blocks(blocks: Iterable[Mapping[str, Any]] | None, length: int) -> list[Block]:
    """Blocks that tile ``[0, length)`` exactly, whatever the input holds.

    The contract promises blocks in order without gaps; a report must not lose text when they are
    absent, overlapping, out of range or of an unknown kind: gaps become ``main``, overlaps are cut
    off the later block, unknown kinds read as ``main``.
    """
    spans: list[Block] = []
    for block in blocks or ():
        if not isinstance(block, Mapping):
            continue
        span = clamp((block.get("start"), block.get("end")), length)
        if span is None:
            continue
        kind = block.get("kind")
        spans.append(Block(span[0], span[1], kind if kind in BLOCK_KINDS else "main"))
    spans.sort(key=lambda b: (b.start, b.end))
    out: list[Block] = []
    pos = 0
    for item in spans:
        start = max(item.start, pos)
        if start >= item.end:
            continue
        if start > pos:
            out.append(Block(pos, start, "main"))
        out.append(Block(start, item.end, item.kind))
        pos = item.end
    if pos < length:
        out.append(Block(pos, length, "main"))
    return out


@dataclass(frozen=True, slots=True)
class Highlight:
    """A span to mark: ``id`` names it to the script, ``number`` is shown where it starts.

    ``colour`` is the class that colours it (one per source); a piece under highlights of several
    colours keeps the first and gets the class ``m``.
    """

    start: int
    end: int
    id: str
    classes: tuple[str, ...] = ()
    colour: str | None = None
    number: str = ""


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of text inside one block: ``mark`` (highlighted), ``plain``, or ``edge``.

    ``edge`` is the whitespace that ends a block; the report hides it, since blocks are separate
    boxes already. Line breaks inside a highlight are ``plain`` so that blank lines and indentation
    are not painted.
    """

    text: str
    kind: str
    classes: str = ""
    ids: str = ""
    numbers: str = ""
    focus: bool = False


@dataclass(frozen=True, slots=True)
class MarkedBlock:
    kind: str
    chars: int
    pieces: tuple[Piece, ...]


def _breaks(chunk: str) -> list[tuple[str, bool]]:
    """``chunk`` cut into runs, each flagged when it is whitespace holding a line break.

    Written out rather than as a regular expression split: a pattern like "spaces, line break,
    spaces" backtracks quadratically over a long run of spaces without a line break (a hostile
    page can hold a megabyte of them).
    """
    out: list[tuple[str, bool]] = []
    pos = 0
    newline = chunk.find("\n")
    while newline != -1:
        start = newline
        while start > pos and chunk[start - 1].isspace():
            start -= 1
        end = newline + 1
        while end < len(chunk) and chunk[end].isspace():
            end += 1
        if start > pos:
            out.append((chunk[pos:start], False))
        out.append((chunk[start:end], True))
        pos = end
        newline = chunk.find("\n", pos)
    if pos < len(chunk):
        out.append((chunk[pos:], False))
    return out


def _edge_from(text: str, block: Block) -> int:
    """Where the whitespace that ends ``block`` starts, if it holds a line break; else its end."""
    start = block.start + len(text[block.start : block.end].rstrip())
    return start if "\n" in text[start : block.end] else block.end


def _merge(highlights: Sequence[Highlight]) -> tuple[str, str]:
    classes: list[str] = []
    colours: list[str] = []
    for h in highlights:
        classes.extend(c for c in h.classes if c not in classes)
        if h.colour is not None and h.colour not in colours:
            colours.append(h.colour)
    if colours:
        classes.append(colours[0])
    if len(colours) > 1:
        classes.append("m")
    innermost = sorted(highlights, key=lambda h: h.end - h.start)  # a click selects the most specific first
    return " ".join(classes), " ".join(h.id for h in innermost)


def mark_up(text: str, blocks: Sequence[Block], highlights: Sequence[Highlight]) -> list[MarkedBlock]:
    """The pieces of each block; joined in order they give back ``text`` exactly.

    ``blocks`` must tile the text (``normalise_blocks``). The number and keyboard focus of a
    highlight go to its first marked piece.
    """
    spans: list[Span | None] = [(b.start, b.end) for b in blocks]
    spans += [(h.start, h.end) for h in highlights]
    per_block: list[list[Segment]] = [[] for _ in blocks]
    for seg in segment(len(text), spans):
        per_block[seg.labels[0]].append(seg)  # blocks tile the text: each segment lies in one
    out: list[MarkedBlock] = []
    offset = len(blocks)
    pending: set[int] = set()  # highlights started whose number and focus are not placed yet
    for block, segments in zip(blocks, per_block, strict=True):
        edge_from = _edge_from(text, block)
        pieces: list[Piece] = []
        for seg in segments:
            cut = min(max(edge_from, seg.start), seg.end)
            labels = [i - offset for i in seg.labels[1:]]
            pending.update(i for i in labels if highlights[i].start == seg.start)
            if seg.start < cut:
                pieces.extend(_pieces(text[seg.start : cut], labels, highlights, pending))
            if cut < seg.end:
                pieces.append(Piece(text[cut : seg.end], "edge"))
        out.append(MarkedBlock(block.kind, block.end - block.start, tuple(pieces)))
    return out


def _pieces(chunk: str, labels: list[int], highlights: Sequence[Highlight], pending: set[int]) -> list[Piece]:
    if not labels:
        return [Piece(chunk, "plain")]
    classes, ids = _merge([highlights[i] for i in labels])
    out: list[Piece] = []
    for part, is_break in _breaks(chunk):
        if is_break:
            out.append(Piece(part, "plain"))
            continue
        here = sorted(pending.intersection(labels))
        numbers = ",".join(highlights[i].number for i in here if highlights[i].number)
        pending.difference_update(here)
        out.append(Piece(part, "mark", classes, ids, numbers, bool(here)))
    return out


def group_letter(group: int) -> str:
    """A, B, ..., Z, AA, AB, ... for the 0-based ``group``."""
    out = ""
    group += 1
    while group:
        group, rest = divmod(group - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def occurrence_label(group: int, groups: int, number: int) -> str:
    """The badge of an occurrence: its number, prefixed by its repeat group's letter when the
    page has several groups (A1, A2, B1, ...), so that the groups read apart."""
    return f"{group_letter(group)}{number}" if groups > 1 else str(number)
