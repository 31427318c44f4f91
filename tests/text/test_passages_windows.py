"""Retrieval does not depend on where sentences end: over-long sentences are signed in
windows of bounded length, on the index side and on the query side."""

from __future__ import annotations

import itertools

from detector.config import Settings
from detector.text.passages import main_tokens, plan_passages

LEAD = (
    "北京时间4月12日，在和马刺的比赛中，安德鲁拜纳姆倒下的那一瞬间，整个天使城都揪心了。"
    "在比赛的剩余阶段，现场主持人谢莉尔米勒，也就是雷吉米勒的姐姐，都在忍不住一直试图打探拜纳姆的伤情。"
    "据消息，好在湖人方面最终确认拜纳姆并无大恙。这个消息，比刚刚加时击败国王还让湖人开心。"
    "当地时间周三，拜纳姆接受了核磁共振检查，检查结果表示拜纳姆的膝盖只是有些扭伤，并无大碍。"
)
S = Settings()


def ranges(text: str, query_windows: int) -> list[tuple[int, int]]:
    return plan_passages(
        main_tokens(text, [(0, len(text))]), S.chunk_tokens, S.min_passage_tokens, query_windows
    )


def test_a_passage_without_sentence_ends_is_indexed_in_chunks_of_bounded_length() -> None:
    no_ends = LEAD.replace("。", "，")
    chunks = ranges(no_ends, 0)
    assert len(chunks) >= 2
    assert max(b - a for a, b in chunks) <= 2 * S.chunk_tokens
    assert chunks[0][0] == 0 and chunks[-1][1] == len(main_tokens(no_ends, [(0, len(no_ends))]).tokens)


def test_a_passage_without_sentence_ends_is_queried_in_windows_of_bounded_length() -> None:
    no_ends = LEAD.replace("。", "，")
    windows = ranges(no_ends, S.query_windows)
    assert max(b - a for a, b in windows) <= 2 * S.chunk_tokens
    # consecutive windows overlap, so some window lines up with any source chunk
    starts = sorted({a for a, _ in windows})
    assert max(b - a for a, b in itertools.pairwise(starts)) <= S.chunk_tokens // 2


def test_sentences_of_ordinary_length_are_chunked_as_before() -> None:
    chunks = ranges(LEAD, 0)
    mt = main_tokens(LEAD, [(0, len(LEAD))])
    starts = set(mt.sentence_starts.tolist()) | {0}
    assert all(a in starts for a, _ in chunks)
