"""Paragraphs and sentences of a text, as character spans of the original.

Paragraphs are the non-blank lines of the given spans (blocks); sentences end at
。！？!?；; (full or half width, with closing quotes kept), at "." followed by white space
or the end (not between digits, so 1.98 stays whole), at "." between two CJK characters (a
spun page writes 。 as . without a space after it), and at line breaks. Spans are trimmed of
surrounding white space.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from detector.model import Span

_LINE = re.compile(r"[^\n]+")
# A sentence: anything up to and including a terminator (plus closing quotes/brackets), or to the end.
# CJK on either side of a half-width full stop (Han, kana, Hangul; the closing quotes and
# brackets a Chinese sentence ends with count on the left).
CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF))
_CJK = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in CJK_RANGES)
_SENTENCE = re.compile(
    r"""[^。！？!?；;\n]*?(?:[。！？!?；;]+|\.(?=\s|$)|(?<![0-9])\.(?=["'”’」』)）\]])"""
    rf"""|(?<=[{_CJK}”’」』）])\.(?=[{_CJK}“‘「『（]))[”’"'」』)）\]]*|[^。！？!?；;\n]+"""
)
TRIM_CHARS = _SPACE = " \t\r\f\v\u00a0\u3000\u200b\ufeff"  # stripped from both ends
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start] in _SPACE:
        start += 1
    while end > start and text[end - 1] in _SPACE:
        end -= 1
    return start, end


def paragraphs(text: str, spans: Iterable[Span]) -> list[Span]:
    """Non-blank lines inside ``spans``, trimmed."""
    out: list[Span] = []
    for s, e in spans:
        for m in _LINE.finditer(text, s, e):
            ts, te = _trim(text, m.start(), m.end())
            if te > ts:
                out.append((ts, te))
    return out


def sentences(text: str, spans: Iterable[Span]) -> list[Span]:
    """Sentences inside ``spans``, trimmed, in order; never crossing a line break."""
    out: list[Span] = []
    for s, e in paragraphs(text, spans):
        for m in _SENTENCE.finditer(text, s, e):
            ts, te = _trim(text, m.start(), m.end())
            if te > ts and _LETTER_OR_DIGIT.search(text, ts, te):
                out.append((ts, te))
            elif te > ts and out and out[-1][1] <= ts and out[-1][0] >= s:
                # Stray punctuation: attach to the sentence before it on the same line.
                out[-1] = (out[-1][0], te)
    return out
