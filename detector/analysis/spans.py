"""Character masks over a text: what counts for coverage, and span arithmetic on them."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from detector.model import Span
from detector.text.tokens import codepoints

Mask = npt.NDArray[np.bool_]


def content_mask(text: str, spans: Iterable[Span]) -> Mask:
    """True for the non-white-space characters inside ``spans`` (what coverage counts)."""
    mask = np.zeros(len(text), dtype=np.bool_)
    for s, e in spans:
        mask[s:e] = True
    if len(text):
        cps = codepoints(text)
        space = (cps <= 0x20) | (cps == 0xA0) | (cps == 0x3000) | ((cps >= 0x2000) & (cps <= 0x200B))
        space |= (cps == 0x85) | (cps == 0xFEFF) | (cps == 0x2028) | (cps == 0x2029) | (cps == 0x202F)
        mask &= ~space
    return mask


def span_mask(length: int, spans: Iterable[Span]) -> Mask:
    mask = np.zeros(length, dtype=np.bool_)
    for s, e in spans:
        mask[s:e] = True
    return mask


def fraction(covered: Mask, of: Mask) -> float:
    total = int(of.sum())
    if total == 0:
        return 0.0
    return float((covered & of).sum()) / total
