"""HTML extraction: text, blocks, title, site name, metadata and offsets back into the file."""

from __future__ import annotations

import pytest

from detector.ingest.build import document_from_bytes, document_from_text
from detector.model import Document

from .invariants import check_document
from .paths import FIXTURES


def html_doc(page: str, *, uri: str = "page.html") -> Document:
    doc = document_from_text(page, uri=uri, doc_id=uri, site="s", kind="html")
    check_document(doc)
    return doc


def fixture_doc(name: str) -> Document:
    data = (FIXTURES / name).read_bytes()
    doc = document_from_bytes(data, uri=name, doc_id=name, site="s", kind="html")
    check_document(doc)
    return doc


def labelled(doc: Document) -> list[tuple[str, str]]:
    return [(b.kind, doc.text[b.start : b.end].strip(" \n")) for b in doc.blocks]


def kinds_of(doc: Document) -> dict[str, str]:
    return {text: kind for kind, text in labelled(doc)}


class TestCompanyPage:
    """A small company site's news page: header, nav, sidebar, contact box, breadcrumb, byline, footer."""

    doc = fixture_doc("company-news.html")

    def test_title_block_and_title(self) -> None:
        assert [t for k, t in labelled(self.doc) if k == "title"] == ["为何着眼中小型B2B服务?"]
        assert self.doc.title == "为何着眼中小型B2B服务?"

    def test_article_paragraphs_are_main(self) -> None:
        assert [t for k, t in labelled(self.doc) if k == "main"] == [
            "\xa0\xa0据内部调查，2009年~2010年，2326名“中供”客户涉嫌欺诈，一种是收款后不发货，另外一种是发假货、次货，"
            "平台招致很多国外客户的投诉。",
            "\xa0\xa0该事件中，“中供”核心管理层受到大面积波及。CEO卫哲、COO李旭辉引咎辞职，100多名员工被辞退。",
            "\xa0\xa0回顾那段过往，很多“中供”老人情感复杂。",
            "摔过的跟头",
            "\xa0\xa0成长总会付出代价。但有意思的地方在于，阿里巴巴每次都能在危机中找到生机。",
            "\xa0\xa02016年，零售通走向前台。这是阿里巴巴针对线下600万零售小店推出的一站式进货平台。",
        ]

    @pytest.mark.parametrize(
        "chrome",
        [
            "全国服务热线：0534-3748888",
            "网站首页",
            "产品分类",
            "机床防护罩",
            "联系人：刘经理",
            "电话：0534-3748888",
            "地址：山东省德州市庆云县工业园",
            "当前位置：首页 > 公司新闻 > 正文",
            "发布时间：2017-09-12 13:32\xa0\xa0来源：本站\xa0\xa0点击次数：128",
            "上一篇：机床防护罩的保养方法",
            "下一篇：拖链的选型要点",
            "公司简介 | 公司新闻 | 行业新闻 | 产品介绍 | 产品展示 |",
            "Copyright 2015-2016 山东庆云鑫恒兴机床附件制造厂 版权所有 鲁ICP备12345678号",
            "网站地图 | 技术支持：某某网络",
        ],
    )
    def test_site_chrome_is_boilerplate(self, chrome: str) -> None:
        assert kinds_of(self.doc)[chrome] == "boilerplate"

    def test_metadata(self) -> None:
        doc = self.doc
        assert doc.site_name == "山东庆云鑫恒兴机床附件制造厂"
        assert doc.url == "http://www.xhxjcfj.com/news/2017/0912/44.html"
        assert doc.keywords == ("机床附件", "机床防护罩", "导轨防护罩", "拖链")
        assert doc.description == "山东庆云鑫恒兴机床附件制造厂专业生产机床防护罩、拖链等机床附件。"
        assert doc.nav_labels == ("网站首页", "公司简介", "公司新闻", "产品展示", "联系我们")
        assert doc.encoding == "utf-8"

    def test_script_and_style_never_reach_the_text(self) -> None:
        for trap in ("脚本里的字", "写出来的字", "样式里的字", "trap"):
            assert trap not in self.doc.text


HOSTILE_MARKERS = (
    "SCRIPT-TEXT-1|SCRIPT-TEXT-2|SCRIPT-TEXT-3|written|STYLE-TEXT|META-TEXT|ONLOAD-TEXT|COMMENT-TEXT|"
    "commented out|NOSCRIPT-TEXT|TEMPLATE-TEXT|SVG-TITLE-TEXT|SVG-TEXT|IFRAME-ATTR-TEXT|IFRAME-TEXT|"
    "HIDDEN-TEXT|HIDDEN-ATTR-TEXT|OPTION-TEXT|TEXTAREA-TEXT|ONCLICK-TEXT|HREF-TEXT|ONERROR-TEXT|alert|CDATA-TEXT"
)


class TestHostilePage:
    doc = fixture_doc("hostile.html")

    @pytest.mark.parametrize("marker", HOSTILE_MARKERS.split("|"))
    def test_hidden_and_active_content_never_reaches_the_text(self, marker: str) -> None:
        assert marker not in self.doc.text

    def test_visible_text_survives_the_tricks(self) -> None:
        main = [t for k, t in labelled(self.doc) if k == "main"]
        assert main == [
            "Visible paragraph one, with a link and an image inside it.",
            "Script in the middle does not break the sentence, right?",
            "Malformed tag soup, with an unclosed bold that goes on and on.",
            "Character bomb \ufffd and \ufffd and \ufffd stay harmless.",
            "Last visible paragraph before an unclosed script, which should not leak.",
        ]
        assert self.doc.title == "Hostile page" and self.doc.site_name == "Evil Corp"

    def test_deep_nesting_and_huge_lines_stay_fast_and_valid(self) -> None:
        page = "<div>" * 5000 + "<p>deep text, still a sentence.</p>" + "</div>" * 5000
        page += "<p>" + "长" * 200_000 + "。</p>" + "<span>x</span>" * 20000
        doc = html_doc(page)
        assert "deep text, still a sentence." in doc.text
        assert doc.text.count("长") == 200_000


class TestOffsets:
    doc = fixture_doc("entities.html")

    def test_entities_decode(self) -> None:
        assert [t for k, t in labelled(self.doc) if k == "main"][:2] == [
            "\xa0\xa0Fish & chips, 5 < 6 > 4, \"quoted\" 'single'.",
            "中中文文字字，AT&T and &unknown; stay, ½ done.",
        ]

    def test_every_main_character_maps_to_its_place_in_the_file(self) -> None:
        doc = self.doc
        assert doc.original is not None and doc.origin is not None
        for block in doc.blocks:
            if block.kind != "main":
                continue
            for i in range(block.start, block.end):
                char, pos = doc.text[i], doc.origin.to_original(i)
                if char in " \n" and doc.original[pos] != char:
                    continue  # an inserted separator or collapsed space maps to the next run
                source = doc.original[pos]
                assert source == char or source == "&", (i, char, doc.original[pos : pos + 10])

    def test_an_entity_maps_to_its_ampersand(self) -> None:
        doc = self.doc
        assert doc.original is not None and doc.origin is not None
        i = doc.text.index("中中文")
        pos = doc.origin.to_original(i + 1)
        assert doc.original[pos : pos + 8] == "&#20013;"
        i = doc.text.index("½")
        assert doc.original[doc.origin.to_original(i) :].startswith("&frac12 done")

    def test_a_plain_block_is_an_exact_slice_of_the_file(self) -> None:
        doc = self.doc
        assert doc.original is not None and doc.origin is not None
        block = next(b for b in doc.blocks if doc.text[b.start :].startswith("first item"))
        text = doc.text[block.start : block.end].rstrip()
        start, end = (
            doc.origin.to_original(block.start),
            doc.origin.to_original(block.start + len(text) - 1) + 1,
        )
        assert doc.original[start:end] == text == "first item"

    def test_whitespace_and_breaks(self) -> None:
        text = self.doc.text
        assert "Plain paragraph without any entity, broken over two lines with extra spaces." in text
        assert "中文跨行" in text  # a line break between Chinese characters is no space
        assert "first item\nsecond – item" in text
        assert "line one\nline two\n\nnew paragraph" in text
        assert "  code line 1\n  code <line> 2" in text
        assert "\n\n\n" not in text

    def test_crlf_files_map_exactly(self) -> None:
        page = "<p>first\r\nline</p>\r\n<p>second</p>\r\n"
        doc = html_doc(page)
        assert doc.text == "first line\n\nsecond"
        assert doc.original == page


class TestTitle:
    def test_heading_that_resembles_the_title_wins_over_the_logo_heading(self) -> None:
        doc = html_doc(
            "<title>机床防护罩的保养方法_公司新闻_山东鑫恒兴</title><h1>山东鑫恒兴</h1>"
            "<div class='content'><h2>机床防护罩的保养方法</h2>"
            "<p>防护罩要定期清理铁屑，检查密封条是否老化，发现破损及时更换。</p></div>"
        )
        assert [t for k, t in labelled(doc) if k == "title"] == ["机床防护罩的保养方法"]
        assert doc.site_name == "山东鑫恒兴"

    def test_title_without_matching_heading_is_the_stripped_title(self) -> None:
        doc = html_doc(
            "<title>产品介绍 - 某某机械厂</title>"
            "<p>本厂生产各类机床附件，质量可靠，价格合理，欢迎来电咨询。</p>"
        )
        assert doc.title == "产品介绍" and doc.site_name == "某某机械厂"
        assert [k for k, _ in labelled(doc)] == ["main"]

    def test_heading_right_before_the_byline_when_the_title_names_the_section(self) -> None:
        doc = html_doc(
            "<title>新闻动态--中国某某学会</title><div class='tit'>2019年学术年会在重庆成功举行</div>"
            "<div>发布时间：2019-05-18 来源：中国某某学会</div>"
            "<p>5月10日至12日，2019年学术年会在重庆举行，来自全国的三百多位专家学者参加了会议。</p>"
        )
        assert doc.title == "2019年学术年会在重庆成功举行"
        assert labelled(doc)[0] == ("title", "2019年学术年会在重庆成功举行")


class TestUrl:
    @pytest.mark.parametrize(
        ("head", "url"),
        [
            ('<link rel="canonical" href="https://a.example/x.html"><meta property="og:url" content="https://b.example/">',
             "https://a.example/x.html"),
            ('<meta property="og:url" content="https://b.example/y">', "https://b.example/y"),
            ('<base href="http://c.example/dir/"><link rel="canonical" href="z.html">', "http://c.example/dir/z.html"),
            ('<base href="http://c.example/dir/">', "http://c.example/dir/"),
            ('<link rel="canonical" href="/relative/only.html">', None),
            ('<link rel="canonical" href="javascript:alert(1)">', None),
        ],
    )  # fmt: skip
    def test_url_from_canonical_og_url_or_base(self, head: str, url: str | None) -> None:
        assert html_doc(f"<html><head>{head}</head><body><p>正文内容在这里。</p></body></html>").url == url

    def test_a_given_url_wins(self) -> None:
        page = '<link rel="canonical" href="https://a.example/x.html"><p>正文内容在这里。</p>'
        doc = document_from_text(
            page, uri="p", doc_id="p", site="s", kind="html", url="https://given.example/"
        )
        assert doc.url == "https://given.example/"


def test_link_lists_are_boilerplate_by_link_density() -> None:
    doc = html_doc(
        "<div><a href='/1'>热门文章一</a> <a href='/2'>热门文章二</a> <a href='/3'>热门文章三</a></div>"
        "<div><p>这是一段真正的正文，句子完整，标点齐全，内容和页面主题有关，而且足够长。</p></div>"
    )
    assert labelled(doc) == [
        ("boilerplate", "热门文章一 热门文章二 热门文章三"),
        ("main", "这是一段真正的正文，句子完整，标点齐全，内容和页面主题有关，而且足够长。"),
    ]


def test_adjacent_links_read_as_separate_words() -> None:
    doc = html_doc("<div class='menu'><a href='/'>首页</a><a href='/a'>关于我们</a></div><p>正文。</p>")
    assert doc.text.startswith("首页 关于我们")
    assert doc.nav_labels == ("首页", "关于我们")


def test_marker_on_the_container_of_the_article_is_ignored() -> None:
    doc = html_doc(
        "<div class='layout-with-sidebar'><div class='post'>"
        "<p>第一段正文，讲述公司的发展历史，从小作坊到现代化工厂，用了整整二十年。</p>"
        "<p>第二段正文，介绍主要产品和服务对象，以及今后的发展方向和计划。</p></div>"
        "<div class='sidebar'><p>侧栏里的一句介绍文字，并不属于文章本身的内容。</p></div></div>"
    )
    assert [k for k, _ in labelled(doc)] == ["main", "main", "boilerplate"]


def test_keywords_split_on_chinese_separators_and_spaces() -> None:
    doc = html_doc(
        "<meta name='keywords' content='卡盘，顶尖、分度头;平口钳 机床附件,machine tools'><p>正文。</p>"
    )
    assert doc.keywords == ("卡盘", "顶尖", "分度头", "平口钳", "机床附件", "machine tools")


def test_text_in_an_unclosed_head_starts_the_body() -> None:
    doc = html_doc(
        "<html><head><title>T</title><meta charset=utf-8>\n  正文直接开始，没有body标签。<p>第二段。</p>"
    )
    assert doc.text == "正文直接开始，没有body标签。\n\n第二段。"


def test_og_site_name_wins() -> None:
    doc = html_doc(
        "<meta property='og:site_name' content='鑫恒兴'><title>标题 - 别的名字</title><p>正文。</p>"
    )
    assert doc.site_name == "鑫恒兴"


@pytest.mark.parametrize(
    "page",
    [
        "",
        "<html></html>",
        "<script>only()</script>",
        "<p>&nbsp;</p>",
        "<!-- x -->",
        "<p",
        "&",
        "<![if x]>",
        "</p></div>",
    ],
)
def test_degenerate_pages_give_empty_or_valid_documents(page: str) -> None:
    doc = html_doc(page)
    assert doc.text.strip() in {"", "<p", "&"}
