"""Text and Markdown pages: one block per line, chrome recognised by its words and its place."""

from __future__ import annotations

import pytest

from detector.ingest.build import build_document, document_from_bytes, document_from_text
from detector.model import Document

from .invariants import check_document
from .paths import FIXTURES, SEED_PAGE

SEED_TAIL = [
    ("boilerplate", "公司简介 | 公司新闻 | 行业新闻 | 产品介绍 | 产品展示 |"),
    ("boilerplate", "Copyright 2015-2016 山东庆云鑫恒兴机床附件制造厂 版权所有"),
    ("boilerplate", "网站地图 | "),
    ("boilerplate", "0"),
]


def lines(doc: Document) -> list[tuple[str, str]]:
    """Each block's first line (its content; the separators after it are blank)."""
    return [(b.kind, doc.text[b.start : b.end].split("\n")[0]) for b in doc.blocks]


def text_doc(text: str, kind: str = "text") -> Document:
    doc = document_from_text(text, uri="p.txt", doc_id="p.txt", site="s", kind=kind)  # type: ignore[arg-type]
    check_document(doc)
    return doc


def test_seed_like_page_with_crlf() -> None:
    data = (FIXTURES / "seed-like-crlf.txt").read_bytes()
    doc = document_from_bytes(data, uri="seed.txt", doc_id="seed.txt", site="s", kind="text")
    check_document(doc)
    assert lines(doc) == [
        ("boilerplate", "山东庆云鑫恒兴机床附件制造厂"),
        ("title", "为何着眼中小型B2B服务?"),
        ("boilerplate", "发布时间:2017-09-12 13:32"),
        ("main", "\xa0 \xa0 据内部调查,2009年~2010年,2326名“中供”客户涉嫌欺诈,"
                 "一种是收款后不发货,另外一种是发假货、次货,平台招致很多国外客户的投诉。"),
        ("main", "\xa0 \xa0 该事件中,“中供”核心管理层受到大面积波及。"
                 "CEO卫哲、COO李旭辉引咎辞职,100多名员工被辞退。"),
        ("main", "\xa0 \xa0 摔过的跟头"),
        ("main", "\xa0 \xa0 成长总会付出代价。但有意思的地方在于,阿里巴巴每次都能在危机中找到生机。"),
        *SEED_TAIL,
    ]  # fmt: skip
    assert doc.site_name == "山东庆云鑫恒兴机床附件制造厂"
    assert doc.title == "为何着眼中小型B2B服务?"
    assert "\r" not in doc.text and doc.original is not None and "\r\n" in doc.original
    assert doc.nav_labels[:5] == ("公司简介", "公司新闻", "行业新闻", "产品介绍", "产品展示")


@pytest.mark.skipif(not SEED_PAGE.exists(), reason="../shared/seeds/seed-page.txt is not here")
def test_the_seed_page() -> None:
    doc = document_from_bytes(
        SEED_PAGE.read_bytes(), uri="seed-page.txt", doc_id="seed", site="s", kind="text"
    )
    check_document(doc)
    labelled = lines(doc)
    assert labelled[:3] == [
        ("boilerplate", "山东庆云鑫恒兴机床附件制造厂"),
        ("title", "为何着眼中小型B2B服务?"),
        ("boilerplate", "发布时间:2017-09-12 13:32"),
    ]
    assert labelled[-4:] == SEED_TAIL
    article = labelled[3:-4]
    assert len(article) == 39
    assert all(kind == "main" and text.startswith("\xa0 \xa0 ") for kind, text in article)
    # The separators (blank lines and lines of a lone U+00A0) are never blocks of their own.
    assert all(text.strip() for _, text in labelled)


def test_markdown() -> None:
    doc = document_from_bytes(
        (FIXTURES / "article.md").read_bytes(), uri="a.md", doc_id="a.md", site="s", kind="markdown"
    )
    check_document(doc)
    assert lines(doc) == [
        ("boilerplate", "---"),
        ("boilerplate", "title: Front matter title"),
        ("boilerplate", "tags: [b2b]"),
        ("boilerplate", "---"),
        ("boilerplate", "[Home](/) | [Blog](/blog/) | [About](/about/)"),
        ("title", "# Why small B2B services matter"),
        ("boilerplate", "Posted on: 2017-09-12"),
        (
            "main",
            "Small manufacturers sell through directories, and the directories live on their fees, "
            "which is why the",
        ),
        ("main", "model keeps working year after year."),
        ("main", "## A second heading"),
        ("boilerplate", "```python"),
        ("boilerplate", 'print("code is not prose")'),
        ("boilerplate", "```"),
        (
            "main",
            "The second paragraph explains the history, with a [link](https://example.com) "
            "inside the sentence.",
        ),
        ("boilerplate", "Copyright 2017 Example Ltd. All rights reserved."),
    ]
    assert doc.title == "Why small B2B services matter"
    assert doc.site_name == "Example Ltd"


def test_plain_text_is_kept_whole() -> None:
    text = "\n\n  Hello world, this is a page.\n\nSecond line.  \n"
    doc = text_doc(text)
    assert doc.text == text
    assert doc.origin is not None and doc.origin.to_original(5) == 5


def test_first_line_is_the_title_when_it_is_not_an_organisation() -> None:
    doc = text_doc("机床防护罩的保养方法\n\n防护罩要定期清理铁屑，检查密封条是否老化。\n")
    assert lines(doc) == [
        ("title", "机床防护罩的保养方法"),
        ("main", "防护罩要定期清理铁屑，检查密封条是否老化。"),
    ]
    assert doc.site_name is None


def test_a_long_first_paragraph_is_not_a_title() -> None:
    doc = text_doc("防护罩要定期清理铁屑，检查密封条是否老化。\n短的一行\n")
    assert [k for k, _ in lines(doc)] == ["main", "main"]
    assert doc.title is None


def test_lone_carriage_returns_map_to_themselves() -> None:
    doc = text_doc("第一行标题\r第二行是正文，有标点。\r")
    assert doc.text == "第一行标题\n第二行是正文，有标点。\n"
    assert doc.origin is not None and doc.origin.to_original(5) == 5


def test_source_text_as_is_is_all_main() -> None:
    doc = build_document(
        "Copyright line that would be chrome\n\n正文第一段。\n第二段\n",
        uri="s.jsonl#1", doc_id="x", site="s", kind="text", url=None, title="给定标题", category="tech",
        encoding="utf-8", as_is=True,
    )  # fmt: skip
    check_document(doc)
    assert [k for k, _ in lines(doc)] == ["main", "main", "main"]
    assert (doc.title, doc.category, doc.site_name) == ("给定标题", "tech", None)


def test_blank_text_is_one_boilerplate_block() -> None:
    doc = text_doc(" \n\xa0\n\u3000\n")
    assert [(b.start, b.end, b.kind) for b in doc.blocks] == [(0, 6, "boilerplate")]
