"""The sentence-level strategy (analysis/align_pan.py) and its English words (text/english.py)."""

from __future__ import annotations

import dataclasses

import pytest

from detector.analysis.align_pan import align_texts, sentences
from detector.config import PanSettings
from detector.text.english import STOPWORDS, stem

SOURCE = (
    "The committee met on Tuesday to discuss the new budget proposal for the coming fiscal year. "
    "Members raised concerns about rising maintenance costs and the delayed bridge repairs downtown. "
    "The mayor promised a detailed report on the repair schedule before the next public meeting. "
    "Several residents asked whether the library would keep its weekend opening hours next year. "
    "In other business, the council approved a grant for the youth football league and the chess club. "
    "Tickets for the spring concert will be sold at the town hall from the first of April onwards."
)
FILLER = (
    "Gardening tips for early spring start with clearing the beds of old leaves and weeds. "
    "Sow peas and broad beans directly outdoors once the soil has warmed a little. "
    "Protect young seedlings from slugs with copper tape or a ring of crushed eggshells. "
)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("caresses", "caress"),
        ("ponies", "poni"),
        ("agreed", "agre"),
        ("hopping", "hop"),
        ("filing", "file"),
        ("happy", "happi"),
        ("relational", "relat"),
        ("generalizations", "gener"),
        ("oscillators", "oscil"),
        ("connections", "connect"),
        ("adjustment", "adjust"),
        ("controll", "control"),
        ("sky", "sky"),
        ("at", "at"),
        ("2013", "2013"),
        ("café", "café"),
    ],
)
def test_porter_stems(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_inflections_share_a_stem_and_stopwords_are_function_words() -> None:
    assert stem("connected") == stem("connecting") == stem("connection") == stem("connects")
    assert {"the", "and", "of", "would"} <= STOPWORDS
    assert not {"budget", "bridge", "library"} & STOPWORDS


def test_sentences_split_at_terminators_not_at_line_breaks() -> None:
    text = (
        "First sentence runs\nover a line break. Second one is here! Third? Yes, this one is.\n\n"
        "New paragraph now"
    )
    got = sentences(text, PanSettings())
    spans = [text[s:e] for s, e in got.spans]
    # "Third?" has one term and joins the next sentence; a blank line ends a sentence.
    assert spans == [
        "First sentence runs\nover a line break.",
        "Second one is here!",
        "Third? Yes, this one is.",
        "New paragraph now",
    ]
    assert got.counts.shape[0] == 4


def test_chinese_sentences_and_bigram_terms() -> None:
    text = "阿里巴巴在香港上市。次年,美国次贷危机蔓延!"
    got = sentences(text, PanSettings())
    assert [text[s:e] for s, e in got.spans] == ["阿里巴巴在香港上市。", "次年,美国次贷危机蔓延!"]
    # Bigrams inside runs of CJK characters: 8 in the first sentence (9 characters), 8 in the second
    # (2 + 8 characters, cut by the comma: 1 + 7).
    assert int(got.counts[0].sum()) == 8
    assert int(got.counts[1].sum()) == 8


def test_a_shuffled_and_reworded_copy_is_one_passage_with_its_spans() -> None:
    copied = (
        "Members voiced concerns about maintenance costs that keep rising and the bridge repairs "
        "downtown that were delayed. The committee met on a Tuesday to debate the new budget proposal "
        "for the fiscal year ahead. A detailed report on the repair schedule was promised by the mayor "
        "before the next public meeting."
    )
    page = FILLER + copied + " " + FILLER
    passages = align_texts(page, SOURCE)
    assert len(passages) == 1
    p = passages[0]
    assert page[p.page[0] : p.page[1]] == copied
    assert SOURCE[p.source[0] : p.source[1]].startswith("The committee met on Tuesday")
    assert SOURCE[p.source[0] : p.source[1]].endswith("before the next public meeting.")
    assert 0.34 < p.similarity <= 1.0


def test_a_verbatim_copy_is_reported_word_exact() -> None:
    copied = SOURCE[SOURCE.index("Members raised") : SOURCE.index(" In other business")]
    page = FILLER + copied.replace(" the ", "\nthe ") + " " + FILLER
    passages = align_texts(page, SOURCE)
    assert len(passages) == 1
    p = passages[0]
    assert SOURCE[p.source[0] : p.source[1]] == copied
    assert page[p.page[0] : p.page[1]].split() == copied.split()
    assert p.similarity == 1.0


def test_unrelated_texts_and_short_shared_phrases_give_nothing() -> None:
    assert align_texts(FILLER, SOURCE) == []
    page = FILLER + "The committee met on Tuesday. " + FILLER
    assert align_texts(page, SOURCE) == []
    assert align_texts("", SOURCE) == []
    assert align_texts("Short.", "Short.") == []


def test_a_reworded_chinese_copy_is_found() -> None:
    source = (
        "2007年,阿里巴巴B2B公司在香港上市,融资规模创下当时中国互联网企业之最。"
        "次年,美国次贷危机蔓延,中国进出口贸易进入寒冬,大量外贸企业订单锐减。"
        "阿里巴巴随即推出出口通,降低中小企业的入门门槛,帮助它们渡过难关。"
        "这一举措让平台的付费会员数量在危机中不降反升。"
    )
    page = (
        "本厂专业生产机床附件,产品远销海外。"
        "2007年阿里巴巴B2B公司在香港成功上市,融资规模创下了当时中国互联网企业之最。"
        "第二年美国次贷危机蔓延,中国的进出口贸易进入寒冬,很多外贸企业订单锐减。"
        "阿里巴巴随后推出出口通,降低了中小企业的入门门槛,帮助这些企业渡过难关。"
        "欢迎来电咨询。"
    )
    passages = align_texts(page, source)
    assert len(passages) == 1
    s, e = passages[0].page
    assert page[s:e].startswith("2007年阿里巴巴") and page[s:e].endswith("渡过难关。")


def test_settings_are_frozen_and_named() -> None:
    cfg = PanSettings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.seed_cosine = 0.1  # type: ignore[misc]
    names = {f.name for f in dataclasses.fields(cfg)}
    assert {"seed_cosine", "seed_dice", "min_passage_cosine", "max_gap", "summary_gap"} <= names
