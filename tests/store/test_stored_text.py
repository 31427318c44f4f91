"""Stored texts read back exactly: mostly-CJK text as UTF-16, other text zlib-compressed, and a
stored text that does not fit its recorded length is refused."""

from __future__ import annotations

import zlib

import pytest

from detector.store.interface import compress_text
from detector.store.stored_text import UTF16_TAG, StoredTextError, inflate_text

CHINESE = "据内部调查，两千多名“中供”客户涉嫌欺诈。\n当时的阿里巴巴国际站仅是信息平台，CEO引咎辞职。"


@pytest.mark.parametrize(
    "text,utf16",
    [
        (CHINESE * 3, True),
        ("A plain English paragraph about machine tools and chucks. " * 4, False),
        (CHINESE + "\ud83d", False),  # a lone surrogate: UTF-16 could not keep it apart
        (CHINESE + "\ud83d\ude00", False),  # two lone surrogates that UTF-16 would join
        (CHINESE + "😀", False),  # beyond the BMP
        ("", False),
    ],
)
def test_texts_are_stored_in_the_cheapest_form_that_reads_back_exactly(text: str, utf16: bool) -> None:
    body = compress_text(text)
    assert body.startswith(UTF16_TAG) is utf16
    assert inflate_text(body, len(text)) == text


def test_a_utf16_body_that_does_not_fit_its_length_is_refused() -> None:
    body = compress_text(CHINESE * 3)
    for chars in (len(CHINESE * 3) - 1, len(CHINESE * 3) + 1):
        with pytest.raises(StoredTextError):
            inflate_text(body, chars)
    with pytest.raises(StoredTextError):
        inflate_text(body[:-1], len(CHINESE * 3))
    with pytest.raises(UnicodeDecodeError):  # half of a surrogate pair, crafted
        inflate_text(UTF16_TAG + "\ud83d".encode("utf-16-le", "surrogatepass"), 1)
    assert zlib.compress(b"x")[:1] != UTF16_TAG  # a zlib stream never starts with the tag
