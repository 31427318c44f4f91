"""Page dates: each kind (meta, JSON-LD, text, URL, HTTP), Chinese date lines, several dates on
a page, none, bogus ones (CONTRACT.md, "Dates")."""

from __future__ import annotations

from datetime import date

import pytest

from detector.ingest.build import document_from_bytes, document_from_text
from detector.ingest.date_parse import parse_date
from detector.ingest.dates import date_line, page_date, url_date
from detector.model import Document

BODY = (
    "<p>山东庆云鑫恒兴机床附件制造厂近日参加了在济南举办的机床展览会，展出了多款新型防护罩和拖链产品，"
    "吸引了众多客户前来参观洽谈，现场签订了多份合作意向书。</p>"
    "<p>公司负责人表示，今后将继续加大研发投入，提升产品质量，为客户提供更好的服务，"
    "同时积极开拓海外市场，力争明年出口额翻一番。</p>"
)


def html_page(head: str = "", before: str = "", after: str = "", title: str = "机床展览会圆满结束") -> str:
    return (
        f"<html><head><title>{title} - 鑫恒兴</title>{head}</head><body>"
        f"<div class='article'><h1>{title}</h1>{before}{BODY}</div>{after}</body></html>"
    )


def doc(html: str, url: str | None = None) -> Document:
    return document_from_text(html, uri="page.html", doc_id="page.html", site="s", kind="html", url=url)


def dated(d: Document) -> tuple[str | None, str | None]:
    return d.published, d.published_from


def test_meta_article_published_time_is_read_with_its_time_zone() -> None:
    page = html_page(head='<meta property="article:published_time" content="2019-09-07T13:43:45+08:00">')
    assert dated(doc(page)) == ("2019-09-07T13:43:45+08:00", "meta")


@pytest.mark.parametrize(
    "tag",
    [
        '<meta name="pubdate" content="2017-09-12">',
        '<meta name="publishdate" content="2017-09-12">',
        '<meta name="PubDate" content="2017-09-12">',
        '<meta name="DC.date" content="2017-09-12">',
        '<meta itemprop="datePublished" content="2017-09-12">',
        '<meta name="og:time " content="2017年09月12日">',
    ],
)
def test_meta_names_of_a_publication_date_are_read(tag: str) -> None:
    assert dated(doc(html_page(head=tag))) == ("2017-09-12", "meta")


def test_json_ld_date_published_is_read_inside_a_graph() -> None:
    ld = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
        '{"@type": "WebSite", "name": "x"},'
        ' {"@type": "NewsArticle", "datePublished": "2018-03-08T23:16:24+08:00"}'
        "]}</script>"
    )
    assert dated(doc(html_page(head=ld))) == ("2018-03-08T23:16:24+08:00", "json-ld")


def test_json_ld_prefers_the_article_over_the_items_it_lists() -> None:
    ld = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2018-03-08",'
        ' "hasPart": [{"@type": "Article", "datePublished": "2011-01-01"}]}</script>'
    )
    assert doc(html_page(head=ld)).published == "2018-03-08"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("发布时间：2017-09-12 13:32", "2017-09-12T13:32:00"),
        ("日期:2017年9月12日", "2017-09-12"),
        ("2017/9/12", "2017-09-12"),
        ("发表于2014-08-24 21:30", "2014-08-24T21:30:00"),
        ("发布日期：２０１７年９月１２日　来源：本站", "2017-09-12"),
        ("二〇一七年九月十二日", "2017-09-12"),
        ("2019年9月26日 15:10 来源：新华社", "2019-09-26T15:10:00"),
        ("发布时间：18-03-08 23:16", "2018-03-08"),
    ],
)
def test_chinese_date_lines_are_read(line: str, expected: str) -> None:
    d = doc(html_page(before=f"<div class='info'>{line}</div>"))
    assert dated(d) == (expected, "text")
    # The date line stays boilerplate: it is not the article's text.
    line = line.split("　")[0]
    block = next(b for b in d.blocks if d.text[b.start : b.end].strip().startswith(line[:4]))
    assert block.kind == "boilerplate"


def test_the_article_date_wins_over_a_header_clock_a_comment_and_a_related_teaser() -> None:
    page = html_page(
        before="<div class='info'>发布时间：2017-09-12 13:32 来源：本站</div>",
        after=(
            "<div class='related'><h3>相关新闻</h3>"
            "<ul><li><a href='/a'>公司参加广交会</a> 2016-04-20</li></ul></div>"
            "<div class='comments'><p>网友评论</p><p>张三 2017-09-20 08:00</p><p>写得好！</p>"
            "<p>评论时间：2017-09-21</p></div>"
        ),
    ).replace("<body>", "<body><div class='top'>今天是2019年5月1日 星期三</div>")
    assert dated(doc(page)) == ("2017-09-12T13:32:00", "text")


def test_without_a_date_line_above_a_labelled_one_below_the_article_counts() -> None:
    page = html_page(after="<div class='bottom'>发布日期：2016-11-22</div>")
    assert dated(doc(page)) == ("2016-11-22", "text")


def test_an_unlabelled_date_below_the_article_is_not_its_date() -> None:
    page = html_page(after="<div class='comments'><p>张三 2017-09-20 08:00</p></div>")
    assert dated(doc(page)) == (None, None)


def test_an_update_date_is_not_the_publication_date() -> None:
    page = html_page(before="<div>更新时间：2020-01-01</div><div>发布时间：2017-09-12</div>")
    assert doc(page).published == "2017-09-12"


def test_meta_wins_over_the_date_line_and_the_url() -> None:
    page = html_page(
        head='<meta name="publishdate" content="2017-09-11">', before="<div>发布时间：2017-09-12</div>"
    )
    assert dated(doc(page, url="https://a.example/2017/0913/1.html")) == ("2017-09-11", "meta")


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example.com/2017/0912/a102317.html",
        "https://news.example.com/c/20170912/1.shtml",
        "https://news.example.com/c/2017-09-12/doc-1.shtml",
        "http://www.example.cn/2017-09/12/c_1125327450.htm",
        "https://example.com/2017/09/12/story/",
    ],
)
def test_url_dates_are_read_when_the_page_says_nothing(url: str) -> None:
    assert dated(doc(html_page(), url=url)) == ("2017-09-12", "url")


def test_numbers_in_urls_that_are_not_dates_are_not_read() -> None:
    assert url_date("https://example.com/news/120170912345.html") is None
    assert url_date("https://example.com/2017/1399/") is None


def test_the_http_last_modified_header_is_the_last_resort() -> None:
    data = html_page().encode("utf-8")
    d = document_from_bytes(
        data, uri="u", doc_id="u", site="s", kind="html", last_modified="Tue, 12 Sep 2017 05:32:00 GMT"
    )
    assert dated(d) == ("2017-09-12T05:32:00+00:00", "http")
    with_line = document_from_bytes(
        html_page(before="<div>发布时间：2017-09-10</div>").encode(), uri="u", doc_id="u", site="s",
        kind="html", last_modified="Tue, 12 Sep 2017 05:32:00 GMT",
    )  # fmt: skip
    assert dated(with_line) == ("2017-09-10", "text")


def test_a_page_without_any_date_has_none() -> None:
    assert dated(doc(html_page())) == (None, None)


@pytest.mark.parametrize(
    "bogus",
    ["2017-13-45", "2017-02-30", "2099-01-01", "1990-06-01", "0000-00-00", "not a date"],
)
def test_bogus_future_and_too_old_dates_are_ignored(bogus: str) -> None:
    page = html_page(
        head=f'<meta name="publishdate" content="{bogus}">', before=f"<div>发布时间：{bogus}</div>"
    )
    assert dated(doc(page)) == (None, None)


def test_a_bogus_meta_date_falls_through_to_the_date_line() -> None:
    page = html_page(
        head='<meta name="publishdate" content="2099-01-01">', before="<div>发布时间：2017-09-12</div>"
    )
    assert dated(doc(page)) == ("2017-09-12", "text")


def test_tomorrow_is_allowed_for_time_zones_but_not_later() -> None:
    today = date(2020, 5, 1)
    assert parse_date("2020-05-02", today=today) == "2020-05-02"
    assert parse_date("2020-05-03", today=today) is None


def test_a_text_page_reads_its_date_line() -> None:
    text = "公司参加机床展览会\n\n发布时间：2017-09-12\n\n" + BODY.replace("<p>", "").replace("</p>", "\n\n")
    d = document_from_text(text, uri="p.txt", doc_id="p.txt", site="s", kind="text")
    assert dated(d) == ("2017-09-12", "text")


def test_a_page_that_looks_like_a_url_is_never_fetched() -> None:
    # htmldate downloads a string that looks like a URL; we only ever give it a parsed tree.
    found = page_date("http://127.0.0.1:9/never", "http://127.0.0.1:9/never", (), url=None)
    assert found is None


def test_hostile_markup_gives_no_date_and_no_error() -> None:
    for page in ("<html>" + "<div>" * 5000, "<?xml version='1.0' encoding='gbk'?><html>x</html>", "\x00<p>",
                 '<script type="application/ld+json">' + "[" * 50_000 + "</script>"):  # fmt: skip
        assert page_date(page, "x", (), url=None) is None


def test_date_line_reads_blocks_of_extracted_text() -> None:
    d = doc(html_page(before="<div>发布时间：2017-09-12</div>"))
    assert date_line(d.text, d.blocks) == "2017-09-12"
