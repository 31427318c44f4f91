"""Stored document text read back from an index, with bounds taken from what the index recorded.

An index is a file a user may download or a CI cache may restore (CONTRACT.md, "Hostile input"): its
compressed text is inflated no further than the recorded length allows (a zlib bomb stops there), and its
main-text spans must lie inside the text. Both stores (SQLite rows, Redis hashes) read through here.
"""

from __future__ import annotations

import zlib

from detector import safe_json
from detector.config import LIMITS

# A stored text that starts with this byte is UTF-16 (little-endian) without compression; a zlib
# stream never starts with it (its first byte names the deflate method, 8, in the low bits).
UTF16_TAG = b"\x01"


class StoredTextError(ValueError):
    """Stored text that does not fit its recorded length (a zlib bomb, a forged length)."""


def inflate_text(body: object, chars: object) -> str:
    """The stored text, inflated no further than ``chars`` code points can take (4 bytes each in UTF-8):
    a zlib bomb stops there instead of filling memory. Raises ValueError when it does not fit."""
    if type(chars) is not int or not 0 <= chars < LIMITS.stored_max_chars:
        raise StoredTextError(f"the recorded length {chars!r} is not a length")
    if not isinstance(body, bytes):
        raise StoredTextError("the stored text is not bytes")
    if body[:1] == UTF16_TAG:
        if len(body) != 1 + 2 * chars:
            raise StoredTextError(f"the stored text is not {chars} characters long, as recorded")
        text = body[1:].decode("utf-16-le")
        if len(text) != chars:
            raise StoredTextError(f"the stored text has {len(text)} characters, not the recorded {chars}")
        return text
    inflater = zlib.decompressobj()
    raw = inflater.decompress(body, 4 * chars + 1)
    if not inflater.eof or inflater.unconsumed_tail or len(raw) > 4 * chars:
        raise StoredTextError(f"the stored text inflates beyond its recorded {chars} characters")
    text = raw.decode("utf-8", "surrogatepass")
    if len(text) != chars:
        raise StoredTextError(f"the stored text has {len(text)} characters, not the recorded {chars}")
    return text


def read_spans(main: object, chars: int) -> tuple[tuple[int, int], ...]:
    """The stored main-text spans: a JSON list of [start, end) pairs inside the text."""
    data = safe_json.loads(str(main))
    if not isinstance(data, list):
        raise ValueError("the main spans are not a list")
    spans: list[tuple[int, int]] = []
    for item in data:
        if not (isinstance(item, list) and len(item) == 2 and all(type(x) is int for x in item)):
            raise ValueError("a main span is not a pair of integers")
        if not 0 <= item[0] <= item[1] <= chars:
            raise ValueError(f"main span {item} lies outside the text")
        spans.append((item[0], item[1]))
    return tuple(spans)


