"""Off-topic verdicts that the issue names case by case: a lone page of a named company, a one-line
profile, a page beside the company's about page, the demo, docs folders, scripts, injected pages."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from detector import scanning
from detector.analysis.topic_name import legal_core, names_business, trade_profile, trade_words
from detector.analysis.topic_terms import decode, term_ids
from detector.analysis.topic_words import dictionary_ids, place_ids, unwanted_ids
from detector.config import Settings
from detector.model import PageResult
from detector.result import ScanResult
from tests.conftest import ROOT, CliRun, eval_data

SETTINGS = Settings()
COMPANY = "山东庆云鑫恒兴机床附件制造厂"
PROFILE = "机床附件制造:钢板防护罩、风琴式防护罩、拖链、排屑机、机床工作灯"
# A text dump of a news page on the company's site: its first line names the company, its body
# is the history of Alibaba's B2B business (written for this test).
ALIBABA_PAGE = (
    f"{COMPANY}\n\n为何着眼中小型B2B服务?\n发布时间:2017-09-12 13:32\n\n"
    "1999年，马云和十八位创始人在杭州的一套公寓里创办了阿里巴巴，最初只是帮助中小企业发布供求信息的网站。\n"
    "2002年，阿里巴巴提出全年赚一元钱的目标，直销团队在温州、台州挨家挨户拜访外贸企业，推销中国供应商会员。\n"
    "2003年非典期间，员工居家隔离办公，电子商务的价值反而凸显，网站浏览量和会员数快速增长。同年淘宝网上线。\n"
    "2011年，两千多名中供客户涉嫌欺诈，CEO和COO引咎辞职，公司重新强调对客户负责的价值观。\n"
)
ABOUT_PAGE = (
    f"{COMPANY}\n\n关于我们\n\n"
    f"{COMPANY}位于山东庆云经济开发区，专业生产钢板防护罩、风琴式防护罩、拖链、排屑机和机床工作灯，"
    "产品用于数控机床和加工中心，按图纸加工定做。\n"
)
GAMBLING = (
    "真人荷官在线发牌，百家乐、龙虎斗、轮盘一应俱全，注册即送彩金八百八十八元。足球竞彩、时时彩玩法多样，"
    "赔率业内最高。首存即享百分之百优惠，每日返水无上限，提款秒到账，支持银行卡充值。"
)


def _only(result: ScanResult, suffix: str) -> PageResult:
    return next(r for r in result.pages if r.document is not None and r.document.uri.endswith(suffix))


def _kinds(page: PageResult) -> set[str]:
    return {f.kind for f in page.findings}


needs_dictionary = pytest.mark.skipif(dictionary_ids() is None, reason="jieba's dictionary is not installed")


@needs_dictionary
def test_the_trade_is_read_from_a_company_name() -> None:
    assert legal_core(COMPANY) == "山东庆云鑫恒兴机床附件制造"
    assert trade_words(COMPANY) == ("机床", "附件", "制造")
    assert trade_profile(COMPANY, 2) == "机床附件制造"
    assert trade_profile("新闻动态", 2) == ""  # no legal form: not a company name
    assert trade_profile("Acme Tools Ltd", 2) == ""


def test_a_page_names_the_business_by_its_name_less_form_or_place() -> None:
    assert names_business(COMPANY, f"{COMPANY}位于庆云。")
    assert names_business(COMPANY, "鑫恒兴机床附件制造创办于1998年。")  # place left out
    assert not names_business(COMPANY, "机床附件行业的新闻。")
    assert not names_business(None, "任何文字")


@needs_dictionary
def test_terms_are_dictionary_words_not_fragments() -> None:
    settings = SETTINGS.topic
    ids = term_ids("精密机床附件和钢板防护罩", 1, 3, None, dictionary_ids(settings.dictionary_min_freq))
    terms = {decode(int(i)) for i in ids}
    assert {"机床", "附件", "钢板", "防护罩"} <= terms
    assert not terms & {"密机", "床附", "密", "机"}


@needs_dictionary
def test_place_names_are_no_terms() -> None:
    ids = term_ids("辽宁鞍山的机床厂", 1, 3, None, None, place_ids())
    terms = {decode(int(i)) for i in ids}
    assert "辽宁" not in terms and "鞍山" not in terms
    assert "机床" in terms


@needs_dictionary
def test_numerals_and_the_fragments_of_dropped_words_are_no_terms() -> None:
    words = dictionary_ids(SETTINGS.topic.dictionary_min_freq)
    ids = term_ids("杭州市的三百台机床附件", 1, 3, None, words, unwanted_ids(True, True))
    terms = {decode(int(i)) for i in ids}
    assert not terms & {"杭州", "州市", "三百", "百台"}
    assert {"机床", "附件"} <= terms
    # Over n-grams (no dictionary), only the words themselves go.
    plain = term_ids("杭州市的三百台机床附件", 1, 3, None, None, unwanted_ids(True, True))
    ngrams = {decode(int(i)) for i in plain}
    assert "杭州" not in ngrams and "三百" not in ngrams and "州市" in ngrams


@needs_dictionary
def test_a_lone_page_of_a_named_company_is_off_topic(tmp_path: Path) -> None:
    page = tmp_path / "seed.txt"
    page.write_text(ALIBABA_PAGE, encoding="utf-8")
    result = scanning.scan([str(page)], None, SETTINGS)
    only = result.pages[0]
    assert only.topic is not None and only.topic.verdict == "off-topic", only.topic
    assert "off-topic" in _kinds(only)
    assert "机床附件" in "".join(only.topic.site_terms)


@needs_dictionary
def test_a_one_line_profile_makes_the_page_off_topic(tmp_path: Path) -> None:
    page = tmp_path / "seed.txt"
    page.write_text(ALIBABA_PAGE, encoding="utf-8")
    result = scanning.scan([str(page)], None, SETTINGS, site_profile=PROFILE)
    only = result.pages[0]
    assert only.topic is not None and only.topic.verdict == "off-topic"
    assert {"机床", "防护罩"} <= set(only.topic.site_terms)
    assert not set(only.topic.site_terms) & set(only.topic.page_terms)


@needs_dictionary
def test_beside_the_about_page_the_page_is_off_topic_and_the_about_page_is_not(tmp_path: Path) -> None:
    (tmp_path / "seed.txt").write_text(ALIBABA_PAGE, encoding="utf-8")
    (tmp_path / "about.txt").write_text(ABOUT_PAGE, encoding="utf-8")
    result = scanning.scan([str(tmp_path)], None, SETTINGS, site=COMPANY)
    seed, about = _only(result, "seed.txt"), _only(result, "about.txt")
    assert seed.topic is not None and seed.topic.verdict == "off-topic"
    assert about.topic is not None and about.topic.verdict == "on-topic"
    assert "off-topic" not in _kinds(about)


@needs_dictionary
def test_an_injected_page_of_own_text_on_a_company_site_is_off_topic(tmp_path: Path) -> None:
    (tmp_path / "about.txt").write_text(ABOUT_PAGE, encoding="utf-8")
    (tmp_path / "info.txt").write_text(f"{COMPANY}\n\n注册送彩金\n\n{GAMBLING}\n", encoding="utf-8")
    result = scanning.scan([str(tmp_path)], None, SETTINGS, site=COMPANY)
    injected = _only(result, "info.txt")
    assert injected.topic is not None and injected.topic.verdict == "off-topic"
    assert "off-topic" in _kinds(injected)


@needs_dictionary
def test_the_shared_seed_page_alone_gets_an_off_topic_finding(tmp_path: Path) -> None:
    seed = eval_data().parent / "seeds" / "seed-page.txt"
    if not seed.is_file():
        pytest.skip(f"{seed} is absent")
    alone = scanning.scan([str(seed)], None, SETTINGS).pages[0]
    assert "off-topic" in _kinds(alone), alone.topic
    with_profile = scanning.scan([str(seed)], None, SETTINGS, site_profile=PROFILE).pages[0]
    assert with_profile.topic is not None and with_profile.topic.verdict == "off-topic"


@needs_dictionary
def test_the_demo_seed_page_is_off_topic_by_a_margin_and_the_demo_pages_are_not(
    cli: CliRun, demo_index: Path
) -> None:
    result = cli("scan", "corpus/pages", "--index", str(demo_index), "--json", "-")
    data = json.loads(result.output)
    pages = {p["uri"]: p for p in data["pages"]}
    seed = pages["corpus/pages/xinhengxing/news-alibaba-b2b.html"]
    topic = seed["topic"]
    assert topic["verdict"] == "off-topic"
    # The issue asks for at most half the threshold; measured 0.0174 against 0.0400 (0.43).
    assert topic["similarity"] <= 0.5 * topic["threshold"], topic
    assert "signal" in topic
    assert "off-topic-repost" in {f["kind"] for f in seed["findings"]}
    for uri, page in pages.items():
        if uri != "corpus/pages/xinhengxing/news-alibaba-b2b.html":
            assert (page.get("topic") or {}).get("verdict") != "off-topic", (uri, page.get("topic"))


def _docs(root: Path) -> Path:
    docs = root / "docs"
    docs.mkdir()
    texts = {
        "install.md": "# Installing\n\nInstall the package with pip, then run the command line tool "
        "against a folder of pages. The tool writes a JSON report and an HTML report for people to read.\n",
        "config.md": "# Configuration\n\nThe configuration file sets the index path, the severity that fails "
        "a build and the paths to include or exclude from the check.\n",
        "usage.md": "# Usage\n\nScan pages against an index of sources to find copied passages; duplicated "
        "sentences are reported per page with their offsets.\n",
        "about-zh.md": "# 机床附件\n\n山东庆云鑫恒兴机床附件制造厂专业生产钢板防护罩、"
        "风琴式防护罩、拖链和排屑机，产品广泛用于数控机床和加工中心，远销全国各地。\n",
    }
    for name, text in texts.items():
        (docs / name).write_text(text, encoding="utf-8")
    return docs


def test_check_without_a_profile_gives_no_off_topic_finding(cli: CliRun, tmp_path: Path) -> None:
    docs = _docs(tmp_path)
    result = cli("check", str(docs), "--format", "json")
    assert result.exit_code == 0, result.output
    assert "off-topic" not in result.output


def test_a_chinese_page_in_an_english_site_is_unknown(tmp_path: Path) -> None:
    docs = _docs(tmp_path)
    result = scanning.scan([str(docs)], None, SETTINGS)
    zh = _only(result, "about-zh.md")
    assert zh.topic is not None and zh.topic.verdict == "unknown"
    assert "script" in (zh.topic.reason or "")
    assert not {"off-topic", "off-topic-repost"} & _kinds(zh)


def test_the_topic_json_says_which_signal_decided(tmp_path: Path) -> None:
    (tmp_path / "seed.txt").write_text(ALIBABA_PAGE, encoding="utf-8")
    (tmp_path / "about.txt").write_text(ABOUT_PAGE, encoding="utf-8")
    result = scanning.scan([str(tmp_path)], None, SETTINGS, site=COMPANY)
    about = _only(result, "about.txt")
    assert about.topic is not None and about.topic.signal == "the page names the business"
    seed = _only(result, "seed.txt")
    assert seed.topic is not None and seed.topic.signal in ("words", "words and categories")
    assert np.isfinite(seed.topic.similarity or 0.0)
    assert str(ROOT)  # the repository root is where the CLI tests run


@needs_dictionary
def test_the_report_topic_box_says_what_decided(cli: CliRun, demo_index: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = cli("scan", "corpus/pages/xinhengxing", "--index", str(demo_index), "--report", str(out))
    assert result.exit_code in (0, 1), result.output
    pages = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    assert "decided by" in pages
    assert "the page names the business" in pages
    assert "words and categories" in pages
