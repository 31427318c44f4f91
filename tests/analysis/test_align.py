"""The aligner: copied passages between two texts as spans on both sides."""

import numpy as np

from detector.analysis.align import align_tokens, to_passages
from detector.config import AlignSettings
from detector.text.tokens import tokenize

SOURCE = (
    "阿里巴巴“参谋长”曾鸣教授曾总结,1999年到2001年,是阿里的尝试期,“只知道互联网对贸易有帮助,但是怎么做一点儿不清楚”。"
    "到2002年,才初步摸到感觉,开始知道客户需要什么样的产品,怎么开始收费,以何种方式去扩张。\n"
    "还有一次是2008年金融危机。2007年,阿里巴巴B2B公司在香港上市。次年,美国次贷危机蔓延,中国进出口贸易进入寒冬。\n"
    "2016年,零售通走向前台。这是阿里巴巴针对线下600万零售小店推出的一站式进货平台。"
)


def align(page: str, source: str, settings: AlignSettings | None = None):  # type: ignore[no-untyped-def]
    pt, st = tokenize(page), tokenize(source)
    line = np.cumsum([c == "\n" for c in page])
    blocks = line[pt.starts].astype(np.int64) if len(pt) else np.zeros(0, dtype=np.int64)
    found = align_tokens(pt, blocks, st, settings or AlignSettings())
    return to_passages(found, page, pt, source, st)


def test_reordered_paragraphs_align_one_by_one_with_exact_spans() -> None:
    paras = SOURCE.split("\n")
    page = "\n".join([paras[2], paras[0], paras[1]])
    passages = align(page, SOURCE)
    assert len(passages) == 3
    for p in passages:
        assert page[p.page[0] : p.page[1]] == SOURCE[p.source[0] : p.source[1]]
        assert p.similarity == 1.0
    # Whole paragraphs, closing punctuation included.
    assert {page[p.page[0] : p.page[1]] for p in passages} == set(paras)


def test_light_edits_keep_one_passage() -> None:
    paras = SOURCE.split("\n")
    edited = paras[0].replace("曾鸣教授", "曾鸣老师").replace("一点儿", "一点")
    passages = align(edited, SOURCE)
    assert len(passages) == 1
    p = passages[0]
    assert p.page == (0, len(edited))
    assert 0.8 < p.similarity < 1.0


def test_part_of_a_longer_paragraph_is_found() -> None:
    page = "我们转载一段话:2007年,阿里巴巴B2B公司在香港上市。次年,美国次贷危机蔓延,中国进出口贸易进入寒冬。"
    passages = align(page, SOURCE)
    assert len(passages) == 1
    s, e = passages[0].source
    assert SOURCE[s:e] == "2007年,阿里巴巴B2B公司在香港上市。次年,美国次贷危机蔓延,中国进出口贸易进入寒冬。"


def test_shared_set_phrases_are_not_copied_passages() -> None:
    page = "我们公司生产机床附件。2007年,阿里巴巴上市。中国进出口贸易进入寒冬,我们坚持做好产品。"
    assert align(page, SOURCE) == []


def test_a_sentence_repeated_on_the_page_aligns_each_time() -> None:
    sentence = "这是阿里巴巴针对线下600万零售小店推出的一站式进货平台。"
    page = f"{sentence}\n其他内容,与来源无关的一句话。\n{sentence}"
    passages = align(page, SOURCE)
    assert len(passages) == 2
    assert passages[0].source == passages[1].source


def test_english_text_aligns_on_words() -> None:
    source = (
        "The committee met on Tuesday to discuss the new budget proposal for the coming fiscal year. "
        "Members raised concerns about rising maintenance costs and the delayed bridge repairs downtown."
    )
    page = (
        "Local news. Members raised concerns about rising maintenance costs and the delayed bridge "
        "repairs downtown, and the committee met on Tuesday to discuss the new budget proposal."
    )
    passages = align(page, source, AlignSettings(seed_tokens=4, min_tokens=8))
    assert len(passages) == 2
