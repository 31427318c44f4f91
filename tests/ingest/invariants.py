"""Checks every Document from ingest must pass: blocks tile the text, offsets point at what they say."""

from __future__ import annotations

import html
import re

from detector.model import Document

_ENTITY = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)")


def check_blocks(doc: Document) -> None:
    if not doc.text:
        assert doc.blocks == ()
        return
    assert doc.blocks, "a document with text has blocks"
    assert doc.blocks[0].start == 0
    assert doc.blocks[-1].end == len(doc.text)
    for before, after in zip(doc.blocks, doc.blocks[1:], strict=False):
        assert before.end == after.start, (before, after)
    for block in doc.blocks:
        assert block.start < block.end
        assert block.kind in {"title", "main", "boilerplate"}
        assert doc.text[block.start : block.end].strip() or not doc.text.strip(), (
            "every block holds some text"
        )


def check_offsets(doc: Document) -> None:
    """Each run copies the original exactly, or is one character standing for an entity at ``&``; text outside
    the runs is only inserted whitespace."""
    assert doc.original is not None and doc.origin is not None
    text, original, origin = doc.text, doc.original, doc.origin
    covered = [False] * len(text)
    previous_end = 0
    previous_orig = 0
    for t, o, n in zip(origin.text_starts, origin.orig_starts, origin.lengths, strict=True):
        assert n > 0 and t >= previous_end and o >= previous_orig, (t, o, n)
        previous_end, previous_orig = t + n, o
        if original[o : o + n] != text[t : t + n]:
            assert n == 1, (t, o, n, text[t : t + n], original[o : o + n])
            entity = _ENTITY.match(original, o)
            if text[t] == "\n" and original[o] == "\r":
                pass  # a lone CR read as a line break
            else:
                assert entity is not None, (t, o, original[o : o + 20])
                assert text[t] in html.unescape(entity.group()), (text[t], entity.group())
        for i in range(t, t + n):
            covered[i] = True
    for i, char in enumerate(text):
        if not covered[i]:
            assert char in " \n", (i, char, text[max(0, i - 10) : i + 10])
    for i in range(len(text)):
        assert 0 <= origin.to_original(i) <= len(original)


def check_document(doc: Document) -> None:
    check_blocks(doc)
    check_offsets(doc)
