"""Segmentation of a text by overlapping spans: every character once, in order, nothing nested."""

from __future__ import annotations

import time

from hypothesis import given
from hypothesis import strategies as st

from detector.report.segments import Block, Highlight, clamp, mark_up, normalise_blocks, segment


def test_overlapping_spans_cut_into_flat_segments_with_all_covering_labels() -> None:
    segments = segment(10, [(2, 6), (4, 8), None, (5, 5)])
    assert [(s.start, s.end, s.labels) for s in segments] == [
        (0, 2, ()),
        (2, 4, (0,)),
        (4, 6, (0, 1)),
        (6, 8, (1,)),
        (8, 10, ()),
    ]


def test_empty_text_has_no_segments() -> None:
    assert segment(0, [(0, 0)]) == []


def test_clamp_drops_malformed_and_empty_spans_and_clips_to_the_text() -> None:
    assert clamp([3, 99], 10) == (3, 10)
    assert clamp([-5, 2], 10) == (0, 2)
    assert clamp([5, 5], 10) is None
    assert clamp([6, 2], 10) is None
    assert clamp("ab", 10) is None
    assert clamp(None, 10) is None
    assert clamp([1], 10) is None


def test_blocks_are_repaired_to_tile_the_text() -> None:
    raw = [
        {"start": 5, "end": 9, "kind": "title"},
        {"start": 7, "end": 12, "kind": "boilerplate"},  # overlaps the title: cut
        {"start": 14, "end": 99, "kind": "weird"},  # unknown kind, past the end
        "not a block",
    ]
    blocks = normalise_blocks(raw, 20)  # type: ignore[arg-type]
    assert blocks == [
        Block(0, 5, "main"),
        Block(5, 9, "title"),
        Block(9, 12, "boilerplate"),
        Block(12, 14, "main"),
        Block(14, 20, "main"),
    ]
    assert normalise_blocks(None, 3) == [Block(0, 3, "main")]
    assert normalise_blocks([], 0) == []


def test_a_repeated_sentence_inside_a_copied_passage_gets_both_marks_its_number_and_is_picked_first() -> None:
    text = "title\n\nAAA BBB AAA.\n\nfooter\n\n"
    blocks = normalise_blocks(
        [{"start": 0, "end": 7, "kind": "title"}, {"start": 7, "end": 21, "kind": "main"}], len(text)
    )
    highlights = [
        Highlight(7, 19, "p0", ("c",), "s0"),
        Highlight(7, 10, "o1", ("r",), None, "1"),
        Highlight(15, 18, "o2", ("r",), None, "2"),
    ]
    marked = mark_up(text, blocks, highlights)
    assert "".join(p.text for b in marked for p in b.pieces) == text
    main = marked[1].pieces
    assert [(p.text, p.kind, p.classes, p.ids, p.numbers) for p in main if p.kind == "mark"] == [
        ("AAA", "mark", "c r s0", "o1 p0", "1"),
        (" BBB ", "mark", "c s0", "p0", ""),
        ("AAA", "mark", "c r s0", "o2 p0", "2"),
        (".", "mark", "c s0", "p0", ""),
    ]
    assert main[-1].kind == "edge" and main[-1].text == "\n\n"  # block-ending blank lines are hidden
    assert marked[0].pieces[-1] == marked[0].pieces[-1].__class__("\n\n", "edge")


def test_line_breaks_inside_a_highlight_are_not_painted_and_focus_goes_to_the_first_mark() -> None:
    text = "one\n \n two"
    marked = mark_up(text, normalise_blocks(None, len(text)), [Highlight(0, len(text), "p0", ("c",), "s1")])
    pieces = marked[0].pieces
    assert [(p.text, p.kind, p.focus) for p in pieces] == [
        ("one", "mark", True),
        ("\n \n ", "plain", False),
        ("two", "mark", False),
    ]


def test_passages_of_two_sources_overlapping_keep_the_first_colour_and_are_flagged() -> None:
    text = "abcdef"
    highlights = [Highlight(0, 4, "p0", ("c",), "s0"), Highlight(2, 6, "p1", ("c",), "s1")]
    pieces = mark_up(text, normalise_blocks(None, 6), highlights)[0].pieces
    assert [p.classes for p in pieces] == ["c s0", "c s0 m", "c s1"]


spans = st.lists(st.tuples(st.integers(-3, 60), st.integers(-3, 60)), max_size=12)


@given(st.text(max_size=50), spans, spans)
def test_marked_pieces_always_give_back_the_text(
    text: str, hl: list[tuple[int, int]], bl: list[tuple[int, int]]
) -> None:
    blocks = normalise_blocks([{"start": s, "end": e, "kind": "main"} for s, e in bl], len(text))
    assert "".join(text[b.start : b.end] for b in blocks) == text
    highlights = [Highlight(*c, f"p{i}") for i, span in enumerate(hl) if (c := clamp(span, len(text)))]
    marked = mark_up(text, blocks, highlights)
    assert "".join(p.text for b in marked for p in b.pieces) == text
    for b in marked:
        for p in b.pieces:
            assert p.text
            if p.kind == "mark":
                assert p.ids


@given(st.integers(0, 40), spans)
def test_segments_tile_the_range_and_carry_exactly_the_covering_spans(
    length: int, raw: list[tuple[int, int]]
) -> None:
    given_spans = [clamp(s, length) for s in raw]
    segments = segment(length, given_spans)
    assert [s.start for s in segments[1:]] == [s.end for s in segments[:-1]]
    if length:
        assert segments[0].start == 0 and segments[-1].end == length
    for seg in segments:
        expected = tuple(i for i, s in enumerate(given_spans) if s and s[0] <= seg.start and seg.end <= s[1])
        assert seg.labels == expected


def test_long_runs_of_whitespace_stay_linear() -> None:
    text = "a" + " " * 300_000 + "b" + "\u3000" * 300_000 + "\n" + " " * 300_000
    started = time.perf_counter()
    marked = mark_up(text, normalise_blocks(None, len(text)), [Highlight(0, len(text) - 5, "p0", ("c",))])
    assert time.perf_counter() - started < 2.0  # a backtracking regex took minutes here
    assert "".join(p.text for b in marked for p in b.pieces) == text
