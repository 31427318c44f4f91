"""The quick paths that read a JSONL source (its lines, blocks, date line, stored forms) give
what the loops they replaced gave, on any text: these references are those loops."""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Sequence
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from detector.config import LIMITS, DateSettings
from detector.ingest.build import build_document
from detector.ingest.date_parse import (
    YMD,
    YMD_CN,
    YMD_SHORT,
    fold,
    from_match,
    parse_date,
    plausible,
    short_year,
)
from detector.ingest.dates import _label_of, _Line, _lines
from detector.ingest.layout import blocks_from_starts
from detector.ingest.plain import extract_plain
from detector.model import Block, BlockKind
from detector.retrieval import source_from_document
from detector.store.interface import compress_text, stored_forms, text_digest
from detector.store.stored_text import UTF16_TAG, inflate_text

# White space of every kind str.strip() knows (\x1c-\x1f, \x85, \xa0, \u2028, \u3000 ...),
# line breaks, dates, digits, CJK, Latin, control characters and a lone surrogate.
SPACES = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000"
PIECES = [*SPACES, "\x00", "\x07", "\u200b", "\ud800", "a", "Z", "7", "中", "文", "。", "发布时间：",
          "2017-09-12 13:32", "２０１７年９月１２日", "二〇一七年九月十二日", "18-03-08", "更新于",
          "x" * 200, "中" * 90, " 中" * 50]  # fmt: skip
TEXT = st.lists(st.sampled_from(PIECES), max_size=60).map("".join) | st.text(max_size=300)


def _line_starts_reference(text: str) -> list[int]:
    starts = []
    pos = 0
    for raw in text.split("\n"):
        if raw.strip():
            starts.append(pos)
        pos += len(raw) + 1
    return starts


def _blocks_reference(starts: list[int], kinds: list[BlockKind], total: int) -> tuple[Block, ...]:
    if not starts:
        return (Block(0, total, "boilerplate"),) if total else ()
    blocks: list[Block] = []
    for i, (start, kind) in enumerate(zip(starts, kinds, strict=True)):
        begin = 0 if i == 0 else start
        end = starts[i + 1] if i + 1 < len(starts) else total
        if end > begin:
            blocks.append(Block(begin, end, kind))
    return tuple(blocks)


def _lines_reference(text: str, blocks: Sequence[Block], today: date, settings: DateSettings) -> list[_Line]:
    out: list[_Line] = []
    for i, b in enumerate(blocks):
        raw = text[b.start : b.end]
        if b.kind == "title" or len("".join(raw.split())) > settings.max_line_chars:
            continue
        folded = " ".join(fold(raw).split())
        candidates: list[tuple[int, int, str]] = []
        for m in YMD.finditer(folded):
            value = from_match(m)
            if value is not None:
                candidates.append((m.start(), m.end(), value))
        for m in YMD_CN.finditer(folded):
            value = parse_date(m[0], today=today, settings=settings)
            if value is not None:
                candidates.append((m.start(), m.end(), value))
        for m in YMD_SHORT.finditer(folded):
            if not candidates and _label_of(folded, m.start()) == "published":
                short = short_year(m, today)
                if short is not None:
                    candidates.append((m.start(), m.end(), short))
        for start, end, value in sorted(candidates):
            if not plausible(date.fromisoformat(value[:10]), today, settings):
                continue
            label = _label_of(folded, start)
            if label == "other":
                continue
            bare = not any(c.isalnum() for c in folded[:start] + folded[end:])
            out.append(_Line(i, value, label == "published", bare))
            break
    return out


@settings(max_examples=300)
@given(TEXT)
def test_a_sources_blocks_start_at_its_lines_that_are_not_blank(text: str) -> None:
    layout = extract_plain(text, as_is=True).layout
    starts = _line_starts_reference(layout.text)
    assert layout.blocks == _blocks_reference(starts, ["main"] * len(starts), len(layout.text))


@settings(max_examples=300)
@given(TEXT, st.lists(st.sampled_from(["main", "title", "boilerplate"]), max_size=60))
def test_blocks_cover_the_text_as_before(text: str, kinds: list[BlockKind]) -> None:
    starts = _line_starts_reference(text)
    kinds = (kinds + ["main"] * len(starts))[: len(starts)]
    assert blocks_from_starts(starts, kinds, len(text)) == _blocks_reference(starts, kinds, len(text))


@settings(max_examples=300)
@given(TEXT, st.sampled_from([0, 1, 5, 80]))
def test_the_date_lines_are_the_same(text: str, most: int) -> None:
    blocks = extract_plain(text, as_is=True).layout.blocks
    today, conf = date(2026, 12, 7), DateSettings(max_line_chars=most)
    assert _lines(text, blocks, today, conf) == _lines_reference(text, blocks, today, conf)


def _spaced_date_line(visible: int) -> str:
    """A date line of ``visible`` characters that are not white space, spread over many more."""
    return "发布时间：2017-09-12 " + " ".join("中" * (visible - 15)) + " " * 300


def test_a_date_line_of_exactly_the_longest_length_is_read_however_many_spaces_it_holds() -> None:
    most = DateSettings().max_line_chars
    today = date(2026, 12, 7)
    for visible, found in ((most, True), (most + 1, False)):
        text = "标题\n" + _spaced_date_line(visible) + "\n正文。"
        blocks = extract_plain(text, as_is=True).layout.blocks
        assert bool(_lines(text, blocks, today, DateSettings())) is found
        assert _lines(text, blocks, today, DateSettings()) == _lines_reference(
            text, blocks, today, DateSettings()
        )


def test_edge_texts_read_as_sources_as_before() -> None:
    for text in ["", "a", "中", "\n", " \n\xa0\n", "\x1c中\x1d", "a\r\nb\rc", "x" * 100_000,
                 "发布时间：2017-09-12\n" + "正文。" * 5000, "Plain English.\n\nSecond line.\n"]:  # fmt: skip
        layout = extract_plain(text, as_is=True).layout
        starts = _line_starts_reference(layout.text)
        assert layout.blocks == _blocks_reference(starts, ["main"] * len(starts), len(layout.text))
        today = date(2026, 12, 7)
        assert _lines(layout.text, layout.blocks, today, DateSettings()) == _lines_reference(
            layout.text, layout.blocks, today, DateSettings()
        )


def test_a_source_keeps_its_main_spans_and_date() -> None:
    text = "标题\n\n发布时间：2017-09-12 13:32\n正文第一段。\n \n正文第二段。"
    doc = build_document(text, uri="u", doc_id="d", site="s", kind="text", url=None, title=None,
                         category=None, encoding="utf-8", as_is=True)  # fmt: skip
    source = source_from_document(doc)
    assert source.main_spans == ((0, 4), (4, 26), (26, 35), (35, 41))
    assert source.published == "2017-09-12T13:32:00"


def _compress_reference(text: str) -> bytes:
    utf8 = text.encode("utf-8", "surrogatepass")
    if (
        text
        and len(utf8) >= LIMITS.stored_utf16_min_utf8_ratio * len(text)
        and not re.search("[\ud800-\udfff]", text)
    ):
        raw = text.encode("utf-16-le")
        if len(raw) == 2 * len(text):
            return UTF16_TAG + raw
    return zlib.compress(utf8, 6)


@settings(max_examples=300)
@given(TEXT | st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF)) | st.text())
def test_stored_forms_equal_the_stored_text_and_digest(text: str) -> None:
    body, digest = stored_forms(text)
    assert body == compress_text(text) == _compress_reference(text)
    assert digest == text_digest(text) == hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    assert inflate_text(body, len(text)) == text
