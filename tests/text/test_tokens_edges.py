"""The tokeniser gives what the reference tokeniser (tests/text/reference.py, the code before
issue 15) gives on the texts where a vectorised path is most likely to slip: nothing, one
character, only words, only CJK, words at the ends, invisible and control characters, astral
characters, and very long lines."""

from __future__ import annotations

import numpy as np
import pytest

from detector.text.tokens import tokenize
from tests.text.reference import tokenize_reference

EDGES = [
    "",
    "a",
    "中",
    "。",
    "\u200b",
    "a\u200bb",
    "\x00\x01\x1f\x7f",
    "Plain English text, with words: and 123 numbers.",
    "中文ABC混合123文本",
    "ABC中",
    "中ABC",
    "中 a 中 b",
    "😀中😀a😀",
    "\U00020000\U00020001abc",
    "ﬁne ŉ Ａｂｃ 數據",
    "中" * 100_000,
    "word " * 20_000,
    "x" * 100_000,
    ("中文" + "a" * 70 + "\n") * 500,
]


@pytest.mark.parametrize("text", EDGES, ids=range(len(EDGES)))
def test_tokens_of_edge_texts_equal_the_reference(text: str) -> None:
    a, b = tokenize(text), tokenize_reference(text)
    for name in ("starts", "ends", "hashes", "is_cjk"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name
