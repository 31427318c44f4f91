"""Per-character flags for paragraphs and sentences, looked up for whole texts at once.

``segment.py`` defines paragraphs and sentences with regular expressions, one document and
one match at a time; ``segment_np.py`` computes the same spans for many documents in a few
numpy passes from these flags. A flag is one bit of a ``uint16`` per code point: a table for
the Basic Multilingual Plane, built once per process (~15 ms, numpy's ``isalnum`` and
``isspace`` over all 65,536 code points), and the same functions on the few astral
characters (emoji, rare Han) a text holds.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

from detector.text.segment import CJK_RANGES, TRIM_CHARS

U16 = npt.NDArray[np.uint16]

TERM = 1 << 0  # ends a sentence: 。！？!?；;
DOT = 1 << 1  # the half-width full stop, which ends one only in some contexts
CLOSE = 1 << 2  # closing quotes and brackets, kept with the sentence they end
SPACE = 1 << 3  # white space as the regex's \s (str.isspace)
DIGIT = 1 << 4  # ASCII digits, as the regex's [0-9]
CJK_BEFORE = 1 << 5  # CJK, or a closing mark, before a "." that ends a sentence
CJK_AFTER = 1 << 6  # CJK, or an opening mark, after such a "."
TRIM = 1 << 7  # stripped from both ends of paragraphs and sentences
ALNUM = 1 << 8  # letters and digits, as the regex's [^\W_] (str.isalnum)
NEWLINE = 1 << 9

TERM_CHARS = "。！？!?；;"
CLOSE_CHARS = "”’\"'」』)）]"
CJK_BEFORE_EXTRA = "”’」』）"
CJK_AFTER_EXTRA = "“‘「『（"


def _unicode_flags(cps: npt.NDArray[np.uint32]) -> U16:
    """The flags that come from the Unicode database, for any code points."""
    chars = cps.view("<U1")
    out = np.where(np.char.isalnum(chars), ALNUM, 0).astype(np.uint16)
    out |= np.where(np.char.isspace(chars), SPACE, 0).astype(np.uint16)
    return out


@lru_cache(maxsize=1)
def bmp_table() -> U16:
    """Flags of every BMP code point."""
    cps = np.arange(0x10000, dtype=np.uint32)
    table = _unicode_flags(cps)
    marks = (
        (TERM_CHARS, TERM),
        (".", DOT),
        (CLOSE_CHARS, CLOSE),
        ("0123456789", DIGIT),
        (CJK_BEFORE_EXTRA, CJK_BEFORE),
        (CJK_AFTER_EXTRA, CJK_AFTER),
        (TRIM_CHARS, TRIM),
        ("\n", NEWLINE),
    )
    for chars, flag in marks:
        table[[ord(c) for c in chars]] |= flag
    for lo, hi in CJK_RANGES:
        table[lo : hi + 1] |= CJK_BEFORE | CJK_AFTER
    table.flags.writeable = False
    return table


def char_flags(cps: npt.NDArray[np.uint32]) -> U16:
    """The flags of each code point of a text (``cps``: its UTF-32 code units)."""
    table = bmp_table()
    if not cps.size or int(cps.max()) < 0x10000:  # the usual text: one look-up, no mask
        return table[cps]
    astral = cps >= 0x10000
    out = table[np.where(astral, 0, cps)]
    if astral.any():  # emoji and rare Han: only Unicode-database flags apply out there
        where = np.flatnonzero(astral)
        out[where] = _unicode_flags(np.ascontiguousarray(cps[where]))
    return out
