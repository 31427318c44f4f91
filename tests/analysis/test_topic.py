"""Topic analysis: site profiles, leave-one-out, verdicts and terms, on small texts of our own."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from detector.analysis.topic import SiteInfo, SitePage, TopicSettings, fit, judge_site
from detector.analysis.topic_terms import analyze, complete_word, decode, term_ids
from detector.analysis.topic_verdicts import mostly_latin, script_letters

SETTINGS = TopicSettings()

# A machine-tool accessories maker: three own pages of about 200 characters each.
MACHINE_SITE = SiteInfo(
    site="www.hxjcfj.example.cn",
    site_name="庆云恒兴机床附件制造厂",
    nav_labels=("首页", "关于我们", "产品中心", "展会新闻", "联系我们"),
)
MACHINE_PAGES = {
    "about": (
        "关于我们",
        "庆云恒兴机床附件制造厂位于山东庆云经济开发区，是专业生产机床附件的企业。工厂主要产品有机床防护罩、"
        "钢板防护罩、风琴式防护罩、拖链、工作灯、排屑机和导轨刮屑板，广泛用于数控机床、加工中心和龙门铣床。"
        "工厂拥有数控折弯机、激光切割机等加工设备，严格按照图纸加工定做，产品远销全国各地。",
    ),
    "products": (
        "产品中心",
        "钢板防护罩：采用优质冷轧钢板焊接，适用于数控机床和加工中心导轨防护。风琴式防护罩：耐油耐切削液，"
        "伸缩灵活。塑料拖链和钢制拖链：保护机床电缆和油管。机床工作灯：防水防油，适用于车床铣床磨床。"
        "排屑机：链板式和螺旋式，清除机床加工产生的铁屑。导轨刮屑板和丝杠防护套按机床型号定做。",
    ),
    "fair": (
        "我厂参加中国国际机床展览会",
        "四月，第十五届中国国际机床展览会在北京开幕。庆云恒兴机床附件制造厂携钢板防护罩、风琴式防护罩、"
        "拖链和排屑机等机床附件参展，展位吸引了众多数控机床厂家和加工中心用户前来洽谈。展会期间工厂与多家"
        "机床制造企业签订了防护罩和拖链的供货合同，新款导轨防护罩受到客户好评。",
    ),
}
ALIBABA = (
    "回顾阿里巴巴B2B的十八年",
    "1999年，马云和十八位创始人在杭州的一套公寓里创办了阿里巴巴，最初只是帮助中小企业发布供求信息的网站。"
    "2002年，阿里巴巴提出全年赚一元钱的目标，直销团队在温州、台州挨家挨户拜访外贸企业，推销中国供应商会员。"
    "2003年非典期间，员工居家隔离办公，电子商务的价值反而凸显，网站浏览量和会员数快速增长。同年淘宝网上线，"
    "次年支付宝出现。2007年，阿里巴巴B2B公司在香港上市；2008年金融危机后，公司推出援冬计划，降低会员费用，"
    "客户数从两万多增加到十二万。2011年的欺诈事件让CEO和COO引咎辞职，公司重新强调对客户负责的价值观。",
)

# The same site under a name that says nothing about its trade (no profile from the name, and
# no page names it): its verdicts rest on its pages' text alone.
UNNAMED_SITE = replace(MACHINE_SITE, site_name="恒兴")

# A real-estate developer and a property-news repost.
ESTATE_SITE = SiteInfo(
    site="www.jdzy.example.cn", site_name="金地置业房地产开发有限公司", nav_labels=("首页", "楼盘")
)
ESTATE_PAGES = {
    "about": (
        "公司简介",
        "金地置业房地产开发有限公司成立于二〇〇五年，主要从事房地产开发经营、商品住宅和写字楼开发、物业管理和"
        "房屋租赁。公司已开发住宅小区八个，总建筑面积一百二十万平方米，在售楼盘包括金地花园和金地商务中心。",
    ),
    "projects": (
        "在售楼盘",
        "金地花园位于城市新区，规划住宅两千余套，户型面积九十至一百四十平方米，配套幼儿园、商业街和地下车库。"
        "金地商务中心为甲级写字楼，临近地铁站。楼盘均价每平方米一万二千元，支持公积金贷款和商业贷款购房。",
    ),
    "service": (
        "物业服务",
        "公司下属物业管理公司为业主提供房屋维修、绿化保洁、安保巡逻和停车管理服务。业主可通过客服中心办理"
        "房屋租赁登记、装修申请和物业费缴纳。公司坚持品质开发，为购房者建设宜居的住宅社区。",
    ),
}
PROPERTY_NEWS = (
    "楼市成交回暖 开发商推盘加快",
    "据房地产交易中心统计，上月全市商品住宅成交面积环比上涨两成，新建住宅均价小幅上行。多家开发商加快推盘，"
    "城市新区和地铁沿线楼盘去化明显加快，九十平方米左右的刚需户型最受购房者欢迎。业内人士认为，公积金贷款"
    "额度提高和首套房贷款利率下调，是楼市成交回暖的主要原因；写字楼租赁市场则仍在消化库存。",
)


def _page(uri: str, title: str, text: str, *, repost: bool = False) -> SitePage:
    return SitePage(
        uri=uri, title=title, main_text="" if repost else text, full_main_text=text, is_repost=repost
    )


def _site_pages(pages: dict[str, tuple[str, str]], repost: tuple[str, str] | None) -> list[SitePage]:
    out = [_page(f"{name}.html", title, text) for name, (title, text) in pages.items()]
    if repost is not None:
        out.append(_page("news.html", repost[0], repost[1], repost=True))
    return out


def test_repost_of_alibaba_history_is_off_topic_on_a_machine_tool_site() -> None:
    topics = judge_site(MACHINE_SITE, _site_pages(MACHINE_PAGES, ALIBABA), SETTINGS, {})
    topic = topics["news.html"]
    assert topic.verdict == "off-topic"
    assert topic.similarity is not None and topic.threshold is not None
    assert topic.similarity < topic.threshold
    assert any("机床" in t or "防护" in t for t in topic.site_terms)
    assert any("阿里" in t or "巴巴" in t for t in topic.page_terms)


def test_the_sites_own_pages_are_on_topic() -> None:
    topics = judge_site(MACHINE_SITE, _site_pages(MACHINE_PAGES, ALIBABA), SETTINGS, {})
    for name in MACHINE_PAGES:
        assert topics[f"{name}.html"].verdict == "on-topic", name


def test_property_news_on_a_developers_site_is_on_topic() -> None:
    topics = judge_site(ESTATE_SITE, _site_pages(ESTATE_PAGES, PROPERTY_NEWS), SETTINGS, {})
    assert topics["news.html"].verdict == "on-topic"
    off = judge_site(ESTATE_SITE, _site_pages(ESTATE_PAGES, ALIBABA), SETTINGS, {})["news.html"]
    assert off.verdict == "off-topic"


def test_a_site_with_too_little_text_of_its_own_is_unknown() -> None:
    pages = [_page("about.html", "关于我们", "本厂生产机床附件。"), _page("news.html", *ALIBABA, repost=True)]
    topics = judge_site(UNNAMED_SITE, pages, SETTINGS, {"news.html": "科技"})
    for topic in topics.values():
        assert topic.verdict == "unknown"
        assert topic.reason and "profile" in topic.reason
        assert topic.similarity is None
    assert topics["news.html"].source_category == "科技"


def test_a_one_line_user_profile_suffices() -> None:
    info = replace(
        MACHINE_SITE, user_profile="机床附件制造：钢板防护罩、风琴式防护罩、拖链、排屑机、机床工作灯"
    )
    pages = [_page("news.html", *ALIBABA, repost=True), _page("fair.html", *MACHINE_PAGES["fair"])]
    pages[1] = replace(pages[1], is_repost=True, main_text="")  # no own text at all
    topics = judge_site(info, pages, SETTINGS, {})
    assert topics["news.html"].verdict == "off-topic"
    assert topics["fair.html"].verdict == "on-topic"


def test_a_page_that_is_the_only_text_of_its_site_cannot_profile_itself() -> None:
    text = MACHINE_PAGES["about"][1] + MACHINE_PAGES["products"][1]  # ~250 letters: enough for a profile
    pages = [_page("about.html", "关于我们", text), _page("news.html", *ALIBABA, repost=True)]
    topics = judge_site(UNNAMED_SITE, pages, SETTINGS, {})
    assert topics["about.html"].verdict == "unknown"  # without itself the site says almost nothing
    assert topics["news.html"].verdict == "off-topic"  # judged against the about page


def test_leaving_a_page_out_equals_judging_it_against_the_other_pages() -> None:
    pages = _site_pages(MACHINE_PAGES, ALIBABA)
    together = judge_site(UNNAMED_SITE, pages, SETTINGS, {})["about.html"]
    # The same page, excluded from the profile by hand: same texts, same IDF, same profile.
    excluded = [replace(p, is_repost=True, main_text="") if p.uri == "about.html" else p for p in pages]
    alone = judge_site(UNNAMED_SITE, excluded, SETTINGS, {})["about.html"]
    assert together.similarity == pytest.approx(alone.similarity, abs=1e-12)
    assert together.site_terms == alone.site_terms


def test_copied_text_never_enters_the_profile() -> None:
    # A page that is not a repost but carries a copied passage: only its own text profiles.
    pages = _site_pages(MACHINE_PAGES, None)
    mixed = _page("mixed.html", "行业动态", ALIBABA[1] + MACHINE_PAGES["fair"][1])
    news = _page("news.html", *ALIBABA, repost=True)
    own_only = replace(mixed, main_text=MACHINE_PAGES["fair"][1])
    with_copy = judge_site(MACHINE_SITE, [*pages, own_only, news], SETTINGS, {})["news.html"]
    assert not any("阿里" in t or "马云" in t for t in with_copy.site_terms)
    # Had the copied passage counted as the site's own text, the repost would look on-topic.
    leaked = judge_site(MACHINE_SITE, [*pages, mixed, news], SETTINGS, {})["news.html"]
    assert (with_copy.similarity or 0) < (leaked.similarity or 0)


def test_same_input_gives_the_same_output() -> None:
    pages = _site_pages(MACHINE_PAGES, ALIBABA)
    first = judge_site(MACHINE_SITE, pages, SETTINGS, {"news.html": "科技"})
    second = judge_site(MACHINE_SITE, list(pages), SETTINGS, {"news.html": "科技"})
    assert first == second
    assert list(first) == [p.uri for p in pages]


def test_terms_are_readable_words() -> None:
    topics = judge_site(MACHINE_SITE, _site_pages(MACHINE_PAGES, ALIBABA), SETTINGS, {})
    for topic in topics.values():
        assert 0 < len(topic.site_terms) <= SETTINGS.top_terms
        assert 0 < len(topic.page_terms) <= SETTINGS.top_terms
        for term in (*topic.site_terms, *topic.page_terms):
            assert re.fullmatch(r"[\u4e00-\u9fff]{2,4}|[a-z][a-z0-9.'-]*", term), term
            assert not re.fullmatch(r"[一二三四五六七八九十百千万两几余第种个次届年]+", term), term
        assert len(set(topic.site_terms)) == len(topic.site_terms)
        assert not any("有限" in t or "公司" in t for t in topic.site_terms)  # formula words


def test_a_fragment_is_completed_to_its_word() -> None:
    text = "十八罗汉之一。十八罗汉成员。他是十八罗汉的老大。"
    assert complete_word("八罗", text) == "十八罗汉"
    assert complete_word("罗汉", text) == "十八罗汉"
    assert complete_word("成员", text) == "成员"  # seen once: nothing to tell
    phrase = "第十五届中国国际机床展览会开幕。第十五届中国国际机床展览会闭幕。"
    assert complete_word("国国", phrase) == ""  # a piece of a long repeated name


def test_the_analyzer_keeps_latin_words_whole_and_skips_function_and_formula_words() -> None:
    terms = analyze("阿里巴巴的B2B业务，Alibaba.com 和 CEO 2011；销售机床附件")
    assert "b2b" in terms and "alibaba.com" in terms and "ceo" in terms
    assert "2011" not in terms
    assert not any("的" in t or "和" in t for t in terms)
    assert "阿里巴" in terms and "巴巴" in terms
    assert "机床" in terms and not any("销" in t for t in terms)


def test_term_ids_decode_back_to_their_text() -> None:
    latin: dict[int, str] = {}
    ids = term_ids("机床附件 Lathe chucks", 1, 3, latin)
    assert {decode(int(i), latin) for i in ids} >= {"机", "机床", "机床附", "lathe", "chucks"}
    assert all(decode(int(i), latin) for i in ids)


def _labelled_model() -> Any:
    texts = [
        PROPERTY_NEWS[1],
        ESTATE_PAGES["projects"][1],
        "楼市成交量回升，开发商加快推盘，刚需楼盘去化加快，购房者看房积极，住宅均价小幅上涨。",
        ALIBABA[1],
        "电子商务平台的用户增长，淘宝和支付宝的交易额创新高，互联网公司加快布局。",
        "阿里巴巴发布财报，电子商务业务收入增长，云计算和支付宝用户数增加。",
    ]
    return fit(texts, ["房产", "房产", "房产", "科技", "科技", "科技"], SETTINGS)


def test_a_labelled_model_judges_a_repost_with_its_category() -> None:
    model = _labelled_model()
    assert model.labelled and model.categories == ("房产", "科技")
    assert list(model.category_docs) == [3, 3]
    pages = _site_pages(ESTATE_PAGES, PROPERTY_NEWS)
    topics = judge_site(ESTATE_SITE, pages, SETTINGS, {"news.html": "房产"}, model)
    assert (
        SETTINGS.threshold_unlabelled < topics["news.html"].threshold < SETTINGS.threshold
    )  # the blend of both
    assert topics["news.html"].source_category == "房产"
    assert topics["news.html"].verdict == "on-topic"
    off = judge_site(ESTATE_SITE, _site_pages(ESTATE_PAGES, ALIBABA), SETTINGS, {"news.html": "科技"}, model)
    assert off["news.html"].verdict == "off-topic"
    # The category weighs in: the same repost said to be of the site's category scores higher.
    said_estate = judge_site(
        ESTATE_SITE, _site_pages(ESTATE_PAGES, ALIBABA), SETTINGS, {"news.html": "房产"}, model
    )
    assert (said_estate["news.html"].similarity or 0) > (off["news.html"].similarity or 0)
    texts = [PROPERTY_NEWS[1], ALIBABA[1]]
    plain = judge_site(
        ESTATE_SITE, pages, SETTINGS, {"news.html": "房产"}, fit(texts, [None, None], SETTINGS)
    )
    assert plain["news.html"].threshold == SETTINGS.threshold_unlabelled
    alone = judge_site(ESTATE_SITE, pages, SETTINGS, {"news.html": "房产"})
    assert alone["news.html"].threshold == SETTINGS.threshold_site_only


def test_a_page_without_a_known_source_is_judged_by_its_own_category() -> None:
    model = _labelled_model()
    pages = [*_site_pages(ESTATE_PAGES, None), _page("ecommerce.html", *ALIBABA)]
    topics = judge_site(ESTATE_SITE, pages, SETTINGS, {}, model)
    assert topics["ecommerce.html"].verdict == "off-topic"
    assert topics["ecommerce.html"].source_category is None
    for name in ESTATE_PAGES:
        assert topics[f"{name}.html"].verdict == "on-topic", name


def test_a_page_with_almost_no_text_is_unknown() -> None:
    pages = [*_site_pages(MACHINE_PAGES, None), _page("contact.html", "联系", "电话")]
    topic = judge_site(MACHINE_SITE, pages, SETTINGS, {})["contact.html"]
    assert topic.verdict == "unknown" and topic.reason and "too little text" in topic.reason


def test_no_pages_and_no_terms_are_handled() -> None:
    assert judge_site(MACHINE_SITE, [], SETTINGS, {}) == {}
    blank = SiteInfo(site="x")
    topics = judge_site(blank, [_page("a.html", "", "……"), _page("b.html", "", "！！")], SETTINGS, {})
    assert {t.verdict for t in topics.values()} == {"unknown"}


@pytest.mark.parametrize(
    "change",
    [
        {"threshold": 1.5},
        {"min_profile_chars": -1},
        {"cjk_ngram_min": 3, "cjk_ngram_max": 2},
        {"category_power": 0},
        {"category_share": 1.5},
        {"category_ngram_min": 4},
    ],
)
def test_settings_are_validated(change: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        replace(SETTINGS, **change)


def test_a_site_of_a_thousand_pages_gets_a_topic_for_every_page() -> None:
    # Its speed is measured by bench/site.py, not asserted here.
    texts = [text for _, text in MACHINE_PAGES.values()] + [ALIBABA[1], PROPERTY_NEWS[1]]
    pages = []
    for i in range(1000):
        a, b = texts[i % len(texts)], texts[(i * 7 + 3) % len(texts)]
        body = a[i % 50 :] + b[: 100 + i % 90]
        pages.append(_page(f"p{i}.html", f"第{i}页", body, repost=i % 3 == 0))
    topics = judge_site(MACHINE_SITE, pages, SETTINGS, {})
    assert len(topics) == 1000


def _script_letters_by_loop(text: str) -> tuple[int, int]:
    cjk = other = 0
    for c in text:
        if c.isalpha():
            if "\u3040" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7af":
                cjk += 1
            else:
                other += 1
    return cjk, other


def test_script_letters_count_as_a_loop_over_letters_would() -> None:
    # Kana, Han and Hangul letters against other letters; symbols inside those blocks (䷀, ・)
    # and astral Han are not CJK letters of the blocks; digits and marks are no letters.
    rng = random.Random(7)
    pools = [
        range(0x20, 0x250),
        range(0x3000, 0x3100),
        range(0x4DC0, 0x4E20),
        range(0x9FE0, 0xA010),
        range(0xABF0, 0xAC10),
        range(0xD7A0, 0xD7C0),
        range(0x1F600, 0x1F610),
        range(0x20000, 0x20010),
    ]
    for _ in range(2000):
        text = "".join(chr(rng.choice(rng.choice(pools))) for _ in range(rng.randrange(0, 40)))
        cjk, other = _script_letters_by_loop(text)
        assert script_letters(text) == (cjk, other), text
        assert mostly_latin(text) == (cjk + other > 0 and cjk < 0.3 * (cjk + other)), text


def test_a_topic_cache_file_rewritten_is_read_again(tmp_path: Path) -> None:
    # Models read are kept in the process by file identity: the same file is read once, a
    # rewritten one (another model under the same key) is read anew.
    from detector.analysis import topic_cache
    from detector.analysis.topic_terms import TopicModel

    path = tmp_path / "x.idx.topic.npz"
    model = TopicModel(3, (), np.array([1, 2, 3], dtype=np.int64), np.array([1.0, 2.0, 3.0]))
    topic_cache.save(path, "k", model)
    first = topic_cache.load(path, "k")
    assert first is not None and topic_cache.load(path, "k") is first
    assert not first.terms.flags.writeable
    topic_cache.save(path, "k", TopicModel(4, (), np.array([5, 6], dtype=np.int64), np.array([1.0, 1.0])))
    second = topic_cache.load(path, "k")
    assert second is not None and second.n_docs == 4 and second.terms.tolist() == [5, 6]
