"""Text normalisation with a map back to original offsets.

Chinese pages mix full-width and half-width forms (，and ,), ideographic and no-break
spaces, compatibility ideographs and Latin letters in both widths. Two passages that a
reader sees as the same must normalise to the same string, and every character of the
normalised string must point back at the character of the original it came from, so that
a report can highlight exactly what was found.

Steps, per original character: NFKC, case folding, punctuation folding (full-width and
Chinese punctuation to one ASCII form), whitespace folding (any run of white space,
U+00A0 and U+3000 included, becomes one ASCII space; leading and trailing space dropped).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Bump when the output of normalize() or of the tokeniser changes: it is part of the index
# manifest, and an index built by another version is refused rather than misread.
NORMALIZER_VERSION = 1

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
    out: list[str] = []
    offsets: list[int] = []
    pending_space = -1  # original offset of a space run not yet written
    for i, ch in enumerate(text):
        folded = fold_char(ch)
        for c in folded:
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
    offsets.append(len(text))
    return Normalized("".join(out), tuple(offsets))
