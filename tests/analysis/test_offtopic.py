"""Off-topic verdicts through the scan pipeline: sites, profiles, both off-topic kinds, the model cache."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from detector import indexing, scanning
from detector.analysis import topic_cache
from detector.analysis.topic_terms import TopicModel
from detector.config import Settings
from detector.model import PageResult
from detector.result import ScanResult
from detector.store.sqlite_store import SqliteIndex

SETTINGS = Settings()

# Sources with categories: three short articles per category, written for this test.
SOURCES = {
    "房产": [
        "据房地产交易中心统计，上月全市商品住宅成交面积环比上涨两成，新建住宅均价小幅上行。多家开发商加快推盘，"
        "城市新区和地铁沿线楼盘去化明显加快，九十平方米左右的刚需户型最受购房者欢迎。业内人士认为，公积金贷款"
        "额度提高和首套房贷款利率下调，是楼市成交回暖的主要原因；写字楼租赁市场则仍在消化库存。",
        "土地市场降温，本周三宗住宅用地均以底价成交，竞买企业数量明显减少。开发商拿地更加谨慎，楼盘开工面积同比"
        "下降。分析人士指出，住宅库存去化周期仍在十五个月以上，房企资金压力较大，楼市分化将持续。",
        "二手房交易需要经过签约、网签、贷款审批、缴税和过户几个环节。购房者应当核实房屋产权，了解房屋是否存在"
        "抵押和查封，并留意学区、物业费和公积金贷款额度。中介机构提醒，楼盘周边配套也会影响房屋的转手价格。",
    ],
    "制造": [
        "第十五届中国国际机床展览会在北京闭幕，国产数控系统和功能部件成为看点。多家机床企业展出五轴加工中心、"
        "数控车床和精密磨床，卡盘、刀架和导轨防护罩等机床附件企业也带来了新品，展会期间签约金额创新高。",
        "机床附件行业调查显示，卡盘和顶尖企业正在告别拼价格，转向提高精度和交货速度。山东、浙江的附件工厂"
        "加大数控加工设备投入，分度头和平口钳等产品的出口订单增长，工厂负责人表示精度是订单的关键。",
        "伺服刀架订单增长，国产功能部件加速替代进口。车床和加工中心厂家采购国产刀架、卡盘和排屑机的比例提高，"
        "机床附件企业扩充产能，新建的数控车间采用自动化生产线，产品精度达到进口同类水平。",
    ],
    "娱乐": [
        "国庆档电影预售开启，多部国产片同台竞技。一部喜剧片预售票房领先，导演和主演在多个城市举行路演，"
        "影迷在社交平台热议明星阵容。业内人士预计，今年国庆档票房有望刷新纪录，动画电影也表现不俗。",
        "慢综艺为何受欢迎：观众需要的是一段放松的时光。节目里明星嘉宾下地干活、做饭聊天，收视率持续走高，"
        "制作方表示，综艺节目不必依靠激烈的竞赛，真实的生活同样能打动观众，第二季已在筹备中。",
        "原创话剧在首都剧场首演后开启全国巡演，主演谈起排练经历时说，舞台表演让她重新认识了角色。演出结束后"
        "观众起立鼓掌，演员多次谢幕。剧团计划明年把这部话剧改编成电影，部分歌手也将加盟原声音乐。",
    ],
}

MACHINE_OWN = {
    "about.html": (
        "关于我们",
        "庆云恒兴机床附件制造厂位于山东庆云经济开发区，是专业生产机床附件的企业。工厂主要产品有三爪卡盘、四爪卡盘、"
        "回转顶尖、分度头、平口钳和机床工作灯，广泛用于数控车床、加工中心和磨床。工厂拥有数控车床、加工中心等设备，"
        "严格按照图纸加工定做，卡盘精度高，产品远销全国各地。",
    ),
    "products.html": (
        "产品中心",
        "三爪卡盘和四爪卡盘：采用优质合金钢，适用于车床和磨床装夹工件，精度高、夹紧力大。回转顶尖：高速旋转，"
        "跳动小，适用于数控车床。分度头和平口钳：用于铣床和加工中心，分度精确。机床工作灯：防水防油。"
        "各类机床附件均可按用户机床型号定做。",
    ),
    "news-tradefair.html": (
        "我厂参加中国国际机床展览会",
        "四月，中国国际机床展览会在北京开幕。庆云恒兴机床附件制造厂携三爪卡盘、回转顶尖、分度头和平口钳等机床附件"
        "参展，展位吸引了众多数控车床厂家和加工中心用户前来洽谈。展会期间工厂与多家机床制造企业签订了卡盘和顶尖"
        "的供货合同，新款精密卡盘受到客户好评。",
    ),
}
GOSSIP = (
    "明星八卦：综艺节目幕后",
    "一档综艺节目的幕后花絮在网上流传，几位明星嘉宾在录制间隙唱歌跳舞，歌手即兴表演引来现场观众欢呼。"
    "节目导演透露，下一季将邀请更多演员和偶像加盟，部分嘉宾还会参演同名电影，粉丝纷纷留言期待。",
)


def _html(title: str, body: str, *, site_name: str, url: str | None = None) -> str:
    canonical = f'<link rel="canonical" href="{url}">' if url else ""
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n") if p)
    nav = '<li><a href="/">首页</a></li><li><a href="/about.html">关于我们</a></li>'
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}-{site_name}</title>'
        f'{canonical}</head><body><header><div class="logo">{site_name}</div>'
        f"<nav><ul>{nav}</ul></nav></header>"
        f"<main><article><h1>{title}</h1>{paragraphs}</article></main>"
        f"<footer>版权所有 © {site_name}</footer></body></html>"
    )


def index_sources(root: Path) -> Path:
    """``SOURCES`` as ``root/sources.jsonl``, indexed into ``root/sources.idx``."""
    with (root / "sources.jsonl").open("w", encoding="utf-8") as fh:
        for category, texts in SOURCES.items():
            for n, text in enumerate(texts):
                row = {"id": f"{category}-{n}", "title": text[:12], "category": category, "text": text}
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    index = root / "sources.idx"
    indexing.index_corpus([str(root / "sources.jsonl")], index, SETTINGS)
    return index


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("offtopic")
    index_sources(root)

    machine = root / "sites" / "machine"
    machine.mkdir(parents=True)
    name = "庆云恒兴机床附件制造厂"
    for slug, (title, body) in MACHINE_OWN.items():
        (machine / slug).write_text(_html(title, body, site_name=name), encoding="utf-8")
    reposts = {
        "news-property.html": ("楼市观察：成交回暖", SOURCES["房产"][0]),  # off-topic repost
        "news-industry.html": ("行业资讯：机床附件调查", SOURCES["制造"][1]),  # on-topic repost
    }
    for slug, (title, body) in reposts.items():
        (machine / slug).write_text(_html(title, body, site_name=name), encoding="utf-8")
    (machine / "news-gossip.html").write_text(_html(*GOSSIP, site_name=name), encoding="utf-8")

    # A site whose pages lie in two folders but share the host of their canonical URL.
    for folder, slug, (title, body) in (
        ("estate-a", "news.html", ("楼市动态", SOURCES["房产"][1])),
        ("estate-b", "about.html", ("公司简介", ESTATE_ABOUT)),
        ("estate-b", "projects.html", ("在售楼盘", ESTATE_PROJECTS)),
    ):
        (root / "sites" / folder).mkdir(exist_ok=True)
        url = f"https://www.jindi.example.cn/{slug}"
        (root / "sites" / folder / slug).write_text(
            _html(title, body, site_name="金地置业", url=url), encoding="utf-8"
        )

    # A site of reposts only: no text of its own, no profile.
    (root / "sites" / "farm").mkdir()
    for n, text in enumerate(SOURCES["娱乐"][:2]):
        (root / "sites" / "farm" / f"p{n}.html").write_text(
            _html(f"资讯{n}", text, site_name="资讯网"), encoding="utf-8"
        )
    return root


ESTATE_ABOUT = (
    "金地置业房地产开发有限公司成立于二〇〇五年，主要从事商品住宅和写字楼开发、物业管理和房屋租赁。公司已开发住宅"
    "小区八个，总建筑面积一百二十万平方米，在售楼盘包括金地花园和金地商务中心，物业服务覆盖全部小区。"
)
ESTATE_PROJECTS = (
    "金地花园位于城市新区，规划住宅两千余套，户型面积九十至一百四十平方米，配套幼儿园、商业街和地下车库。"
    "金地商务中心为甲级写字楼，临近地铁站。楼盘均价每平方米一万二千元，支持公积金贷款和商业贷款购房。"
)


def _scan(workdir: Path, *paths: str) -> ScanResult:
    return scanning.scan([str(workdir / p) for p in paths], workdir / "sources.idx", SETTINGS)


def _page(result: ScanResult, suffix: str) -> PageResult:
    return next(r for r in result.pages if r.document is not None and r.document.uri.endswith(suffix))


def _kinds(page: PageResult) -> list[str]:
    return sorted(f.kind for f in page.findings)


@pytest.fixture(scope="module")
def scanned(workdir: Path) -> ScanResult:
    return _scan(workdir, "sites/machine", "sites/estate-a", "sites/estate-b", "sites/farm")


def test_a_repost_far_from_the_site_is_an_off_topic_repost(scanned: ScanResult) -> None:
    page = _page(scanned, "machine/news-property.html")
    assert _kinds(page) == ["off-topic-repost"]
    finding = page.findings[0]
    assert finding.severity == "high" and finding.source is not None and finding.source.id == "房产-0"
    assert finding.topic is not None and finding.topic.source_category == "房产"
    assert (finding.topic.similarity or 0) < (finding.topic.threshold or 0)
    assert any(t in ("卡盘", "机床", "附件", "顶尖") for t in finding.topic.site_terms)
    assert "similarity" in finding.message and "卡盘" in finding.message


def test_an_on_topic_repost_stays_a_repost(scanned: ScanResult) -> None:
    page = _page(scanned, "machine/news-industry.html")
    assert _kinds(page) == ["repost"]
    assert page.topic is not None and page.topic.verdict == "on-topic"
    assert page.topic.source_category == "制造"


def test_own_text_far_from_the_site_is_off_topic(scanned: ScanResult) -> None:
    page = _page(scanned, "machine/news-gossip.html")
    assert _kinds(page) == ["off-topic"]
    assert page.findings[0].severity == "medium"
    assert page.topic is not None and page.topic.source_category is None


def test_the_sites_own_pages_are_not_flagged(scanned: ScanResult) -> None:
    for slug in MACHINE_OWN:
        page = _page(scanned, f"machine/{slug}")
        assert page.topic is not None and page.topic.verdict == "on-topic", slug
        assert not any(f.kind.startswith("off-topic") for f in page.findings), slug


def test_pages_group_into_sites_by_canonical_host(scanned: ScanResult) -> None:
    news = _page(scanned, "estate-a/news.html")
    assert news.document is not None and news.document.site == "www.jindi.example.cn"
    # Its profile is the about and projects pages of the other folder: the repost is on-topic.
    assert news.topic is not None and news.topic.verdict == "on-topic", news.topic
    assert _kinds(news) == ["repost"]
    assert any(t in ("楼盘", "住宅", "金地", "物业") for t in news.topic.site_terms)


def test_a_site_without_text_of_its_own_gets_no_verdict(scanned: ScanResult) -> None:
    for n in range(2):
        page = _page(scanned, f"farm/p{n}.html")
        assert page.topic is not None and page.topic.verdict == "unknown"
        assert page.topic.reason and "site profile" in page.topic.reason
        assert _kinds(page) == ["repost"]


def test_a_site_profile_makes_a_verdict_possible(workdir: Path) -> None:
    result = scanning.scan(
        [str(workdir / "sites/farm")],
        workdir / "sources.idx",
        SETTINGS,
        site_profile="机床附件制造：三爪卡盘、四爪卡盘、回转顶尖、分度头、平口钳和机床工作灯",
    )
    for page in result.pages:
        assert page.topic is not None and page.topic.verdict == "off-topic"
        assert _kinds(page) == ["off-topic-repost"]


def test_the_model_is_cached_beside_the_index_and_reused(workdir: Path, scanned: ScanResult) -> None:
    path = topic_cache.cache_path(workdir / "sources.idx")
    assert path.exists()
    with np.load(path, allow_pickle=False) as data:
        assert str(data["format"]) == topic_cache.FORMAT
        assert list(data["categories"]) == ["制造", "娱乐", "房产"]
    again = _scan(workdir, "sites/machine", "sites/estate-a", "sites/estate-b", "sites/farm")
    assert [p.topic for p in again.pages] == [p.topic for p in scanned.pages]


def test_a_damaged_cache_is_ignored_and_replaced(workdir: Path, scanned: ScanResult) -> None:
    path = topic_cache.cache_path(workdir / "sources.idx")
    path.write_bytes(b"PK\x03\x04 not a zip at all")
    again = _scan(workdir, "sites/machine", "sites/estate-a", "sites/estate-b", "sites/farm")
    assert [p.topic for p in again.pages] == [p.topic for p in scanned.pages]
    with np.load(path, allow_pickle=False) as data:
        assert str(data["format"]) == topic_cache.FORMAT


def test_a_cache_with_inconsistent_arrays_is_not_trusted(workdir: Path) -> None:
    store = SqliteIndex.open(workdir / "sources.idx", None)
    try:
        model = pipeline_model(store)
    finally:
        store.close()
    path = workdir / "bad.topic.npz"
    topic_cache.save(path, "k", model)
    assert topic_cache.load(path, "k") is not None
    assert topic_cache.load(path, "other key") is None
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["prob"] = arrays["prob"][:-1]  # one row short
    np.savez(path, **arrays)
    assert topic_cache.load(path, "k") is None


def pipeline_model(store: SqliteIndex) -> TopicModel:
    from detector.analysis.offtopic import index_model

    model = index_model(store, SETTINGS)
    assert model is not None and model.labelled
    return model


def test_a_changed_index_refits_the_model(workdir: Path, tmp_path: Path) -> None:
    extra = tmp_path / "more.jsonl"
    row = {
        "id": "体育-0",
        "category": "体育",
        "text": "联赛第二十五轮，主队补时阶段绝杀对手，球员和教练在场边庆祝。",
    }
    extra.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    index = tmp_path / "copy.idx"
    indexing.index_corpus([str(workdir / "sources.jsonl")], index, SETTINGS)
    first = SqliteIndex.open(index, None)
    try:
        before = pipeline_model(first)
    finally:
        first.close()
    indexing.index_corpus([str(extra)], index, SETTINGS)
    second = SqliteIndex.open(index, None)
    try:
        after = pipeline_model(second)
    finally:
        second.close()
    assert before.categories == ("制造", "娱乐", "房产")
    assert after.categories == ("体育", "制造", "娱乐", "房产")
