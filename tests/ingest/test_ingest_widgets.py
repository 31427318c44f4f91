"""Boilerplate on real pages (issue 13, item 5): widgets, comment boxes, related lists, reprint and
date lines, next-story teasers and list pages are not main text."""

from __future__ import annotations

from pathlib import Path

import pytest

from detector.ingest.build import document_from_text
from detector.model import Document
from tests.conftest import CliRun, eval_data, findings, scan_json

from .invariants import check_document

ARTICLE = [
    "据应急管理部消防救援局官方微博消息，九月八日清晨在四川内江市威远县发生五点四级地震，震源深度十千米。",
    "当地消防救援部门报告，震中附近有明显震感，部分老旧房屋出现裂缝，目前暂无人员伤亡的报告，救援队已赶赴现场。",
    "记者通过电子邮件联系了当地政府，尚未收到回应。",
]
CHROME = [
    "微信扫一扫",
    "一键转发",
    "请先说点什么",
    "暂无评论",
    "您可能感兴趣的文章",
    "澎湃新闻报料：4009-20-4009 澎湃新闻，未经授权不得转载",
    "最后更新: 2019-09-07 15:14:21",
    "发表于2014-08-24 21:30| 1164次阅读| 来源CSDN| 0 条评论| 作者魏星",
    "阅读下一篇",
    "成都一小区发生火灾 消防员冒烟救出被困老人",
    "火灾发生在昨天夜里，消防员接警后迅速赶到现场，经过一个多小时的扑救，大火被扑灭，被困的老人被成功救出，没有人员伤亡。",
]
COMMENT = (
    "这篇报道写得很好，希望当地的救援工作一切顺利，"
    "也希望受灾的群众能够早日恢复正常的生活，大家一起加油努力吧。"
)


def doc_of(html: str) -> Document:
    doc = document_from_text(html, uri="p.html", doc_id="p.html", site="s", kind="html")
    check_document(doc)
    return doc


def main_text(doc: Document) -> str:
    return "\n".join(doc.text[s:e] for s, e in doc.main_spans())


def article_page() -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in ARTICLE)
    comments = "".join(f'<div class="item"><p>{COMMENT}{i}</p></div>' for i in range(12))
    return (
        '<html><head><meta charset="utf-8"><title>四川内江发生地震_新闻</title></head><body>'
        f'<h1>四川内江发生地震</h1><div class="info"><span>{CHROME[6]}</span></div>'
        f'<div class="content all-txt">{paragraphs}</div>'
        f"<p>{CHROME[5]}</p><p>{CHROME[7]}</p>"
        f'<div class="bdsharebuttonbox"><span>{CHROME[0]}</span><span>{CHROME[1]}</span></div>'
        f'<div class="box"><textarea placeholder="x"></textarea><p>{CHROME[2]}</p><p>{CHROME[3]}</p></div>'
        f'<div class="box2"><h3>{CHROME[4]}</h3><ul>'
        '<li><a href="/a">女警一天打100电话被停机 电信核实后恢复</a></li>'
        '<li><a href="/b">高校现天价热水 校方回应已调整</a></li></ul></div>'
        f'<div class="post_next_post_wrap"><div class="tip">{CHROME[8]}</div>'
        f'<h4><a href="/n">{CHROME[9]}</a></h4>'
        f"<p>{CHROME[10]}</p></div>"
        f'<div class="comment-list">{comments}</div>'
        "</body></html>"
    )


def test_widgets_comments_reprint_and_date_lines_and_teasers_are_not_main_text() -> None:
    text = main_text(doc_of(article_page()))
    for paragraph in ARTICLE:
        assert paragraph in text
    for chrome in CHROME:
        assert chrome not in text, chrome
    assert COMMENT not in text


def test_readers_comments_that_outweigh_a_short_article_do_not_take_its_last_paragraph() -> None:
    # the comment thread holds more prose than the article; the article's short last paragraph stays
    assert ARTICLE[2] in main_text(doc_of(article_page()))


def list_page(n: int, shared: list[str]) -> str:
    items = "".join(
        f'<li><a href="/s/{i}.html">{h}</a><span>09-0{n}</span></li>' for i, h in enumerate(shared)
    )
    own = "".join(
        f'<li><a href="/o/{n}{i}.html">第{n}页独有的新闻标题第{i}条内容</a></li>' for i in range(10)
    )
    return (
        f'<html><head><meta charset="utf-8"><title>新闻列表 第{n}页</title></head><body>'
        f'<div class="list"><ul>{items}{own}</ul></div></body></html>'
    )


SHARED = [f"这是一条在多个列表页上都出现的新闻标题，编号为第{i}条的重要新闻" for i in range(33)]


def test_a_list_page_keeps_its_headlines_out_of_the_main_text() -> None:
    doc = doc_of(list_page(1, SHARED))
    assert not any(h in main_text(doc) for h in SHARED)


def test_list_pages_sharing_headlines_give_no_finding_per_headline(cli: CliRun, tmp_path: Path) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    for n in (1, 2, 3):
        (folder / f"list{n}.html").write_text(list_page(n, SHARED), encoding="utf-8")
    data = scan_json(cli, str(folder))
    for page in data["pages"]:
        assert findings(page, "duplicate-passage") == [], page["uri"]


def test_the_163_list_pages_give_no_duplicate_findings(cli: CliRun) -> None:
    folder = eval_data() / "gne-html" / "test_list_page" / "163"
    if not folder.is_dir():
        pytest.skip("evaluation data (gne-html) not present")
    data = scan_json(cli, str(folder))
    assert sum(len(findings(p, "duplicate-passage")) for p in data["pages"]) == 0
