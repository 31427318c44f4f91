"""Text normalisation with a map back to original offsets.

Chinese pages mix full-width and half-width forms (，and ,), ideographic and no-break
spaces, compatibility ideographs and Latin letters in both widths. Two passages that a
reader sees as the same must normalise to the same string, and every character of the
normalised string must point back at the character of the original it came from, so that
a report can highlight exactly what was found.

Steps, per original character: NFKC, case folding, traditional to simplified Chinese
(one character to one character, OpenCC's dictionaries: see t2s.py), punctuation folding (full-width and
Chinese punctuation to one ASCII form), whitespace folding (any run of white space,
U+00A0 and U+3000 included, becomes one ASCII space; leading and trailing space dropped).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from detector.text.t2s import fold_t2s

# Bump when the output of normalize() or of the tokeniser changes: it is part of the index
# manifest, and an index built by another version is refused rather than misread.
# 2: traditional characters fold to simplified ones (t2s.py); a "." between CJK characters
#    ends a sentence and over-long sentences are signed in pieces (segment.py, passages.py).
NORMALIZER_VERSION = 2

# Punctuation that NFKC leaves alone but readers treat as the same mark.
_PUNCT_FOLD = {
    "。": ".",
    "、": ",",
    "“": '"',
    "”": '"',
    "„": '"',
    "‘": "'",
    "’": "'",
    "《": "<",
    "》": ">",
    "〈": "<",
    "〉": ">",
    "「": '"',
    "」": '"',
    "『": '"',
    "』": '"',
    "【": "[",
    "】": "]",
    "〔": "[",
    "〕": "]",
    "—": "-",
    "–": "-",
    "―": "-",
    "…": "...",
    "·": ".",
    "・": ".",
    "～": "~",
    "〜": "~",
}


@lru_cache(maxsize=65536)
def fold_char(ch: str) -> str:
    """The normalised form of one character: may be empty (format controls) or longer (ligatures)."""
    if ch.isspace() or ch in "\u00a0\u3000":
        return " "
    cat = unicodedata.category(ch)
    if cat == "Cf":  # zero-width and bidi controls carry no text
        return ""
    out = unicodedata.normalize("NFKC", ch).casefold()
    if len(out) == 1:
        out = fold_t2s(out)
        return _PUNCT_FOLD.get(out, out)
    return "".join(_PUNCT_FOLD.get(c, " " if c.isspace() else c) for c in out)


@dataclass(frozen=True)
class Normalized:
    """A normalised string and, for each of its characters, the original offset it came from.

    ``offsets`` has one entry more than ``text``: the last is the original's length, so
    a span ``[s, e)`` of ``text`` maps to ``[offsets[s], offsets[e - 1] + 1)`` of the original.
    """

    text: str
    offsets: tuple[int, ...]


def normalize(text: str) -> Normalized:
    """Normalise ``text`` (see the module docstring); idempotent: normalize(normalize(t).text) is the same."""
    folded = list(map(fold_char, text))
    if set(map(len, folded)) <= {1}:
        # Every character folds to one character (nearly every page): the folded text lines
        # up with the original, and only the space runs remain to be collapsed, run by run.
        return _collapse_spaces("".join(folded), len(text))
    return _normalize_folded(folded, len(text))


_WORDS = re.compile(r"[^ ]+")


def _collapse_spaces(aligned: str, size: int) -> Normalized:
    """``aligned``: one folded character per original character (spaces not yet collapsed)."""
    parts: list[str] = []
    offsets: list[int] = []
    end = -1
    for match in _WORDS.finditer(aligned):
        start = match.start()
        if end >= 0:  # a space run between two runs of text: one space, at the run's start
            parts.append(" ")
            offsets.append(end)
        parts.append(match.group())
        offsets.extend(range(start, match.end()))
        end = match.end()
    offsets.append(size)
    return Normalized("".join(parts), tuple(offsets))


def _normalize_folded(folded: list[str], size: int) -> Normalized:
    """The general case: some characters fold to none or to several."""
    out: list[str] = []
    offsets: list[int] = []
    pending_space = -1  # original offset of a space run not yet written
    for i, chars in enumerate(folded):
        for c in chars:
            if c == " ":
                if pending_space < 0:
                    pending_space = i
                continue
            if pending_space >= 0:
                if out:
                    out.append(" ")
                    offsets.append(pending_space)
                pending_space = -1
            out.append(c)
            offsets.append(i)
    offsets.append(size)
    return Normalized("".join(out), tuple(offsets))
