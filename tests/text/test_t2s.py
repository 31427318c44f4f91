"""Traditional characters fold to simplified ones, one character to one character."""

from __future__ import annotations

from detector.text.normalize import normalize
from detector.text.t2s import t2s_table
from detector.text.tokens import tokenize

SIMPLIFIED = "阿里巴巴的B2B业务已经走过十八年，从中国供应商到国际站，数据显示这个台湾与香港的读者也很关注。"
TRADITIONAL = "阿里巴巴的B2B業務已經走過十八年，從中國供應商到國際站，數據顯示這個臺灣與香港的讀者也很關注。"


def test_traditional_and_simplified_text_tokenise_to_the_same_hashes() -> None:
    a, b = tokenize(SIMPLIFIED), tokenize(TRADITIONAL)
    assert a.hashes.tolist() == b.hashes.tolist()
    assert a.starts.tolist() == b.starts.tolist()  # one character to one character


def test_normalised_traditional_text_equals_simplified_and_keeps_offsets() -> None:
    n = normalize(TRADITIONAL)
    assert n.text == normalize(SIMPLIFIED).text
    assert n.offsets[:-1] == tuple(range(len(TRADITIONAL)))


def test_folding_is_idempotent_and_one_character_to_one() -> None:
    table = t2s_table()
    assert len(table) > 4000
    assert all(len(v) == 1 and ord(v) not in table for v in table.values())
    assert table[ord("們")] == "们" and table[ord("裡")] == "里" and table[ord("臺")] == "台"
