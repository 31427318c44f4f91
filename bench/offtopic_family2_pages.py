"""Off-topic benchmark, family 2: the pages of a generated site (own text, injected spam) and its
HTML in three layouts. See offtopic_family2_data.py; shares no code with family 1."""

# ruff: noqa: E501  (page templates read best one line each)
from __future__ import annotations

import html
import json
import random
from dataclasses import dataclass
from pathlib import Path

SUPPORT = ("宏远", "中诚", "金鼎", "汇通", "瑞丰")


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    text: str
    kind: str  # own | repost | original | injected
    label: str  # on-topic | off-topic
    source: str | None = None
    topic: str | None = None


@dataclass(frozen=True)
class Site:
    domain: str
    name: str
    trade: str
    layout: int
    encoding: str
    products: tuple[str, ...]
    pages: tuple[Page, ...]


SPAM = {
    "gambling": (
        "{x}官方网站欢迎您，注册即送彩金888元。",
        "真人荷官在线发牌，百家乐、龙虎斗、轮盘一应俱全。",
        "足球竞彩、时时彩、北京赛车玩法多样，赔率业内最高。",
        "首存即享百分之百优惠，每日返水无上限。",
        "提款秒到账，支持银行卡和支付宝充值。",
        "棋牌游戏、捕鱼达人、老虎机等上千款电子游艺任您畅玩。",
        "信誉第一的线上娱乐城，合作代理佣金高达百分之五十。",
        "扫码下载客户端，新用户首充再送体验金。",
    ),
    "pills": (
        "{x}正品专卖，男性增大延时效果显著。",
        "美国原装进口伟哥，无效全额退款，快递隐私包装。",
        "纯中药配方壮阳补肾，服用三天见效。",
        "减肥胶囊一个月瘦二十斤，不反弹不节食。",
        "提供各类处方药代购，无需处方直接发货。",
        "国外特效抗癌药代购，价格仅为医院的三分之一。",
        "货到付款，支持微信咨询，专业药师一对一指导。",
        "延时喷剂、催情水批发零售，量大从优。",
    ),
    "loans": (
        "{x}急用钱？无抵押无担保，身份证即可贷款。",
        "黑户白户均可下款，最快五分钟到账。",
        "信用卡套现、代还，手续费全网最低。",
        "不看征信不查负债，额度最高二十万元。",
        "网贷逾期也能借，秒批秒放款。",
        "学生贷款专享通道，零利息分期还款。",
        "添加客服微信，一对一审核放款。",
        "贷款中介收费透明，下款后再付服务费。",
    ),
    "certificates": (
        "{x}专业办理各类证件，毕业证、学位证、资格证均可办理。",
        "身份证、驾驶证、行驶证快速制作，可查可验。",
        "代开各地增值税发票，点数低，可先验票后付款。",
        "四六级成绩单、职称证书包过，不成功不收费。",
        "全国各地均可办理，顺丰包邮到付。",
        "刻章办证一条龙服务，诚信经营十年老店。",
        "联系QQ或微信，二十四小时在线接单。",
        "保证质量，假一赔十，欢迎新老客户来电咨询。",
    ),
}
SPAM_BRANDS = ("金沙", "威尼斯人", "皇冠", "永利", "博彩之家", "大发", "鸿运", "天下第一")


def spam_page(rng: random.Random) -> Page:
    kind = rng.choice(sorted(SPAM))
    lines = list(SPAM[kind])
    brand = rng.choice(SPAM_BRANDS)
    head = lines[0].format(x=brand)
    body = [head, *rng.sample(lines[1:], len(lines) - 1)]
    text = "".join(body + rng.sample(lines[1:], 3))
    return Page(
        f"info-{rng.randrange(1000, 9999)}.html", f"{brand}{kind}-{head[:10]}", text, "injected", "off-topic"
    )


def own_pages(rng: random.Random, name: str, place: str, parts: list[str]) -> list[Page]:
    year = rng.randint(1988, 2018)
    items = parts[:]
    rng.shuffle(items)
    main = items[0]
    about = (
        f"{name}始建于{year}年，坐落于{place}，注册资本{rng.randint(50, 5000)}万元，现有员工{rng.randint(20, 900)}人。"
        f"公司专注于{main}，主营{'、'.join(items[:6])}。"
        f"多年来，公司坚持“质量第一、信誉至上”的宗旨，业务覆盖全国{rng.randint(10, 30)}个省市。"
        f"我们拥有一支经验丰富的团队，可为客户提供{'、'.join(items[6:10]) or main}等全方位解决方案。"
    )
    products = (
        f"{name}主要业务："
        + "；".join(f"{i + 1}.{p}" for i, p in enumerate(items[:12]))
        + "。"
        + (f"欢迎各界朋友垂询{items[-1]}相关事宜。")
    )
    phone = f"0{rng.randint(310, 999)}-{rng.randint(2000000, 8999999)}"
    contact = (
        f"{name}，地址：{place}经济开发区{rng.choice(('创业路', '工业大道', '兴业街', '科技园'))}{rng.randint(1, 300)}号。"
        f"电话：{phone}，传真：{phone[:-1]}{rng.randint(0, 9)}。联系人：{rng.choice('王李张刘陈杨赵黄')}经理。"
        f"本公司长期承接{'、'.join(items[:3])}业务，欢迎来电洽谈。"
    )
    event = rng.choice(
        ("召开年度安全生产工作会议", "举办员工技能培训", "通过质量管理体系认证", "与客户签署战略合作协议")
    )
    news = (
        f"{rng.randint(2016, 2022)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日，{name}{event}。"
        f"会上，总经理回顾了公司在{'、'.join(items[:3])}方面取得的成绩，并对下一步{main}工作作出部署。"
        f"他强调，要不断提升{items[min(3, len(items) - 1)]}水平，为客户提供更优质的服务。"
    )
    return [
        Page("about.html", f"公司简介_{name}", about, "own", "on-topic"),
        Page("products.html", f"主营业务_{name}", products, "own", "on-topic"),
        Page("contact.html", f"联系我们_{name}", contact, "own", "on-topic"),
        Page("news-company.html", f"{name}{event}", news, "own", "on-topic"),
    ]


# --- HTML ------------------------------------------------------------------------------------

NAV = (
    ("网站首页", "index.html"),
    ("公司简介", "about.html"),
    ("主营业务", "products.html"),
    ("新闻中心", "news-company.html"),
    ("联系我们", "contact.html"),
)


def _paras(text: str) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p)


def render(site: Site, page: Page, rng: random.Random) -> str:
    e = html.escape
    charset = "gb2312" if site.encoding == "gb18030" else "utf-8"
    date = f"{rng.randint(2015, 2022)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    nav = "".join(f'<a href="/{h}">{e(label)}</a>' for label, h in NAV)
    head = (
        f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        f"<title>{e(page.title)}</title>"
    )
    canon = f'<link rel="canonical" href="http://{site.domain}/{page.slug}">'
    foot = f"Copyright © {e(site.name)} 版权所有 备案号：鲁ICP备{rng.randint(10000000, 99999999)}号"
    if site.layout == 0:
        side = "".join(f"<li>{e(p)}</li>" for p in site.products[:6])
        return (
            f'{head}{canon}</head><body><div class="top">欢迎访问{e(site.name)}官方网站</div>'
            f'<div class="nav">{nav}</div><div class="wrap"><div class="left"><h3>产品分类</h3><ul>{side}</ul>'
            f'</div><div class="right"><div class="pos">您的位置：首页 &gt; 新闻资讯 &gt; 正文</div>'
            f'<h2>{e(page.title)}</h2><div class="info">发布日期：{date} 浏览：{rng.randint(10, 999)}次</div>'
            f'<div class="content">{_paras(page.text)}</div></div></div><div class="footer">{foot}</div></body></html>'
        )
    if site.layout == 1:
        return (
            f'{head}{canon}</head><body><table width="980"><tr><td class="logo">{e(site.name)}</td></tr>'
            f'<tr><td class="menu">{nav}</td></tr><tr><td class="title"><b>{e(page.title)}</b></td></tr>'
            f'<tr><td class="date">时间：{date}</td></tr><tr><td class="body">{_paras(page.text)}</td></tr>'
            f'<tr><td class="copy">{foot} 技术支持：{e(rng.choice(SUPPORT))}网络</td></tr></table></body></html>'
        )
    keywords = ",".join([site.name, *site.products[:4]])
    return (
        f'{head}<meta name="keywords" content="{e(keywords)}">{canon}</head><body><header>'
        f'<div class="brand">{e(site.name)}</div><nav>{nav}</nav></header><main><section class="news-detail">'
        f'<h1>{e(page.title)}</h1><p class="meta">来源：本站 {date}</p>{_paras(page.text)}</section>'
        f"<aside><h4>联系我们</h4><p>联系电话：0{rng.randint(310, 999)}-{rng.randint(2000000, 8999999)}</p></aside></main>"
        f"<footer>{foot}</footer></body></html>"
    )


def write(
    sites: list[Site], corpus: list[dict[str, object]], out: Path, seed: int
) -> list[dict[str, object]]:
    """Write sites/<domain>/<page>.html and corpus.jsonl under ``out``; return the truth rows."""
    rng = random.Random(seed)
    truth: list[dict[str, object]] = []
    for site in sites:
        folder = out / "sites" / site.domain
        folder.mkdir(parents=True, exist_ok=True)
        for page in site.pages:
            raw = render(site, page, rng).encode(site.encoding, errors="xmlcharrefreplace")
            (folder / page.slug).write_bytes(raw)
            truth.append(
                {
                    "uri": f"sites/{site.domain}/{page.slug}",
                    "site": site.domain,
                    "trade": site.trade,
                    "kind": page.kind,
                    "label": page.label,
                    "source": page.source,
                    "topic": page.topic,
                }
            )
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as f:
        for row in corpus:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return truth
