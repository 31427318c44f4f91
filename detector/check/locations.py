"""Text offsets -> lines and columns of the file the user edits (CONTRACT.md, ``location``).

A finding's span indexes the extracted ``Document.text``; ``Document.origin`` maps it back into
``Document.original`` (the decoded file), where lines end at ``\\n``, ``\\r\\n`` or ``\\r``. Lines and
columns are 1-based and columns count code points (SARIF's ``unicodeCodePoints``). The end is exclusive,
as in SARIF: ``end_line``/``end_column`` name the position just after the last character, so a passage
that ends a line ends at that line's length + 1.

A JSONL line's page text came from a JSON string, not from the file's characters one to one: its findings
point at the whole line (from column 1 of line N to column 1 of line N + 1).
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from dataclasses import dataclass

from detector.model import Document, Finding, Location, Span

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_JSONL_URI = re.compile(r"^(?P<path>.+\.jsonl)#(?P<line>\d+)$", re.IGNORECASE)
_ENTITY = re.compile(r"&(?:#[0-9]{1,8};?|#[xX][0-9a-fA-F]{1,8};?|[A-Za-z][A-Za-z0-9]{1,31};?)")


@dataclass(frozen=True)
class SourceLines:
    """Line starts of one original file, for offset -> (line, column)."""

    starts: tuple[int, ...]

    @staticmethod
    def of(original: str) -> SourceLines:
        return SourceLines((0, *(m.end() for m in _LINE_BREAK.finditer(original))))

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


class Locator:
    """Locates spans of one document; built once per page (line starts are computed once)."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.original = doc.original if doc.original is not None else doc.text
        self.lines = SourceLines.of(self.original)
        m = _JSONL_URI.match(doc.uri)
        self.jsonl_line = int(m.group("line")) if m else None

    def _to_original(self, offset: int) -> int:
        origin = self.doc.origin
        if origin is None or self.doc.original is None:
            return min(offset, len(self.original))
        return origin.to_original(offset)

    def _end_in_original(self, last: int) -> int:
        """The exclusive end, in the original, of the text character at ``last``."""
        pos = self._to_original(last)
        if pos >= len(self.original):
            return len(self.original)
        origin = self.doc.origin
        if origin is None or self.original[pos] != "&":
            return pos + 1
        i = bisect_right(origin.text_starts, last) - 1
        if i < 0 or origin.lengths[i] != 1 or last >= origin.text_starts[i] + 1:
            return pos + 1  # inside a longer run: copied one to one
        # A run of one character at a "&": an entity (``&amp;``, ``&#20013;``) when one stands there and
        # means this character; the location then ends after the entity.
        m = _ENTITY.match(self.original, pos)
        if m and html.unescape(m.group()) == self.doc.text[last]:
            return m.end()
        return pos + 1

    def locate(self, span: Span) -> Location:
        if self.jsonl_line is not None:
            return Location(self.jsonl_line, 1, self.jsonl_line + 1, 1)
        text = self.doc.text
        start, end = max(0, span[0]), min(len(text), span[1])
        # Leading and trailing whitespace is not part of what the user sees as the passage.
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end <= start:
            pos = self._to_original(min(start, max(0, len(text) - 1))) if text else 0
            line, col = self.lines.position(pos)
            return Location(line, col, line, col)
        first = self._to_original(start)
        last = max(first + 1, self._end_in_original(end - 1))
        line, column = self.lines.position(first)
        end_line, end_column = self.lines.position(last)
        return Location(line, column, end_line, end_column)


def finding_spans(doc: Document, finding: Finding) -> list[Span]:
    """The places of a finding on its page, first one first: occurrences of a duplicate, passages of a
    repost; the main text (or, without main blocks, all text) for page-level kinds."""
    if finding.occurrences:
        return list(finding.occurrences)
    if finding.passages:
        return [p.page for p in finding.passages]
    main = doc.main_spans()
    if main:
        return [(main[0][0], main[-1][1])]
    return [(0, len(doc.text))]


def locate_finding(locator: Locator, finding: Finding) -> Location:
    return locator.locate(finding_spans(locator.doc, finding)[0])
