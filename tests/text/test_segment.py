"""Sentence ends: half-width punctuation between CJK characters ends a sentence too."""

from __future__ import annotations

from detector.text.segment import sentences


def cut(text: str) -> list[str]:
    return [text[s:e] for s, e in sentences(text, [(0, len(text))])]


def test_half_width_full_stop_between_cjk_characters_ends_a_sentence() -> None:
    text = "北京时间4月12日,在和马刺的比赛中,拜纳姆倒下了.整个天使城都揪心了!好在他并无大恙;比赛继续."
    assert cut(text) == [
        "北京时间4月12日,在和马刺的比赛中,拜纳姆倒下了.",
        "整个天使城都揪心了!",
        "好在他并无大恙;",
        "比赛继续.",
    ]


def test_full_stop_after_a_closing_quote_before_cjk_ends_a_sentence() -> None:
    assert cut("他说”好”.然后走了") == ["他说”好”.", "然后走了"]


def test_decimals_and_dotted_names_stay_whole() -> None:
    assert cut("身高1.98米的他加入Alibaba.com团队.下一句") == ["身高1.98米的他加入Alibaba.com团队.", "下一句"]
    assert cut("版本3.5发布") == ["版本3.5发布"]
