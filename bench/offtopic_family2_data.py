"""Off-topic benchmark, family 2: a second, independent generator of labelled company sites.

Written apart from bench/offtopic_data.py (family 1) and sharing no code with it, so that a
setting tuned on family 1 is measured on sites it was not tuned on. It differs on purpose:

- industries: eight of company-scope-zh's eighteen that family 1 never draws (construction,
  logistics, agriculture, mining, research services, catering, health, utilities) and four it
  does, with other companies and other page texts (culture-sports, real estate, IT, finance);
- what fits what (``TABLE``): for each industry, the cnews topics a reader would call on-topic
  and the ones that are ambiguous (never generated); every other topic is off-topic;
- page templates: three layouts (div with sidebar, old table layout, HTML5 with aside and
  meta keywords), each with its own boilerplate, bylines and footers;
- pages: about, products or services, contact and a company news page of own text; reposts of
  indexed articles cut from anywhere in the article, paragraphs reordered, spun with synonyms,
  half-width punctuation, under a THUCNews headline of the same class; one original news page
  not in the index; in some sites an injected page of own text on gambling, pills, loans or
  fake certificates (a hacked site), which is off-topic everywhere;
- the index: labelled cnews articles, cnews articles without a category, and unlabelled news
  round-ups made of THUCNews headlines, as distractors.

Data is read from ``$DETECTOR_EVAL_DATA`` (default ``<repo>/../shared/data``), never copied.
Every draw (seed) splits the articles anew into indexed, indexed-unlabelled and original.
"""

from __future__ import annotations

import html
import json
import os
import random
import re
from dataclasses import dataclass
from pathlib import Path

TOPICS = ("体育", "娱乐", "家居", "房产", "教育", "时尚", "时政", "游戏", "科技", "财经")
# THUCNews headline classes by cnews topic (家居 and 时尚 have none: their own first clause).
TITLE_CLASS = {"财经": 0, "房产": 1, "教育": 3, "科技": 4, "时政": 6, "体育": 7, "游戏": 8, "娱乐": 9}


@dataclass(frozen=True)
class Trade:
    key: str
    category: str  # company-scope-zh folder
    pattern: str  # the scope must mention one of these
    on: tuple[str, ...]  # cnews topics a reader calls on-topic for such a site
    ambiguous: tuple[str, ...]  # never generated
    forms: tuple[str, ...]  # trade + legal form of the company name

    @property
    def off(self) -> tuple[str, ...]:
        return tuple(t for t in TOPICS if t not in self.on and t not in self.ambiguous)


TABLE = (
    Trade("construction", "C000002", "建筑|工程|施工|幕墙|土建|市政|钢结构", ("房产", "家居"),
          ("时政", "财经", "科技"), ("建筑工程有限公司", "建设集团有限公司", "装饰工程有限公司")),
    Trade("logistics", "C000004", "运输|货运|物流|仓储|快递|搬运|装卸|配送", (),
          ("时政", "财经", "科技"), ("物流有限公司", "货运代理有限公司", "运输有限公司")),
    Trade("agriculture", "C000005", "种植|养殖|苗木|花卉|蔬菜|果树|农业|林木|水产|畜", (),
          ("时政", "财经", "科技", "家居"), ("农业科技有限公司", "种植专业合作社", "生态农业有限公司")),
    Trade("mining", "C000006", "开采|矿|煤|采掘|选矿|石料|砂石", (),
          ("时政", "财经", "科技"), ("矿业有限公司", "煤业有限公司", "石料厂")),
    Trade("research", "C000009", "技术开发|研发|检测|测绘|实验|科技|研究", ("科技",),
          ("时政", "财经", "游戏", "教育", "家居"), ("检测技术有限公司", "科技研究院", "测绘技术有限公司")),
    Trade("catering", "C000012", "餐饮|酒店|住宿|宾馆|饭店|膳食|客房|小吃", (),
          ("时政", "财经", "时尚", "娱乐", "家居"), ("餐饮管理有限公司", "大酒店", "饮食有限公司")),
    Trade("health", "C000017", "医|诊|护理|康复|保健|卫生|科室|门诊", (),
          ("时政", "教育", "时尚", "科技"), ("医院", "门诊部", "康复中心")),
    Trade("utilities", "C000001", "电力|发电|供电|热力|燃气|供水|水处理|电气|电缆|供热", (),
          ("时政", "财经", "科技"), ("电力工程有限公司", "燃气有限公司", "水务有限公司")),
    Trade("culture-sports", "C000020", "体育|健身|运动|赛事|影视|电影|演出|文艺|音乐|娱乐|球", ("体育", "娱乐"),
          ("时政", "时尚", "游戏", "教育", "科技"), ("文化传播有限公司", "体育发展有限公司", "影视传媒有限公司")),
    Trade("real-estate", "C000015", "房地产|物业|房屋|置业|楼盘|租赁", ("房产", "家居"),
          ("时政", "财经"), ("置业有限公司", "房地产开发有限公司", "物业服务有限公司")),
    Trade("it", "C000013", "计算机|软件|网络|信息技术|互联网|电子|通信|数据|游戏", ("科技", "游戏"),
          ("时政", "财经", "教育"), ("网络科技有限公司", "软件技术有限公司", "信息技术有限公司")),
    Trade("finance", "C000014", "投资|金融|资产|保险|担保|理财|融资|基金|证券|贷款", ("财经",),
          ("时政", "房产", "科技"), ("投资有限公司", "资产管理有限公司", "融资租赁有限公司")),
)
TRADES = {t.key: t for t in TABLE}

# How a business scope names the subject of a topic: a company whose scope names a subject of
# a topic that is off-topic for its trade is not drawn (the table's verdict would be wrong for it).
SUBJECT = {
    "体育": "体育|健身|运动|赛事|球类|球馆|羽毛球|篮球|足球",
    "娱乐": "影视|电影|演出|娱乐|演艺|文艺|音乐|明星|歌舞",
    "家居": "家具|家居|装修|装饰|建材|卫浴|地板|灯具|家纺|厨具|窗帘|门窗",
    "房产": "房地产|楼盘|住宅|物业|置业|房屋",
    "教育": "教育|培训|学校|招生|辅导|留学|幼儿|课程",
    "时尚": "服装|服饰|化妆品|美容|美发|珠宝|首饰|鞋|箱包|美甲|时装",
    "游戏": "游戏|动漫|网游|电竞|玩具",
    "科技": "计算机|软件|电子|通讯|通信|数码|互联网|手机|电脑|网络",
    "财经": "金融|证券|基金|理财|股|保险|担保|贷款|投资|资产",
}

PLACES = ("山东庆云", "河北沧州", "江苏昆山", "浙江义乌", "安徽芜湖", "江西赣州", "湖北襄阳", "湖南株洲",
          "广东中山", "广西柳州", "四川绵阳", "贵州遵义", "陕西宝鸡", "甘肃天水", "辽宁鞍山", "吉林通化",
          "河南洛阳", "山西大同", "福建晋江", "云南曲靖")
BRANDS = ("鑫恒兴", "永顺达", "宏远", "中诚", "金鼎", "汇通", "瑞丰", "天和", "盛世", "博远", "华睿", "东方红",
          "九州", "万隆", "嘉禾", "新纪元", "百川", "润泽", "恒通", "锦程")

# Synonyms a spinner swaps in (our own list).
SPIN = {
    "表示": "指出", "目前": "当前", "已经": "已", "认为": "觉得", "但是": "不过", "因为": "由于",
    "非常": "十分", "进行": "开展", "同时": "与此同时", "如果": "假如", "可能": "或许", "开始": "着手",
    "今年": "本年度", "记者": "笔者", "希望": "期望", "重要": "关键", "主要": "首要", "增加": "增长",
    "显示": "表明", "需要": "须要", "一直": "始终", "已经是": "早已是", "所以": "因此", "很多": "许多",
    "最后": "最终", "发现": "察觉", "继续": "持续", "获得": "取得", "其中": "当中", "甚至": "乃至",
}
HALF = {"，": ",", "。": ".", "：": ":", "；": ";", "！": "!", "？": "?", "（": "(", "）": ")", "“": '"', "”": '"'}
_SENT = re.compile(r"(?<=[。！？])")


@dataclass(frozen=True)
class Article:
    id: str
    topic: str
    text: str


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


def data_dir(given: str | None = None) -> Path:
    here = Path(__file__).resolve().parent.parent
    return Path(given or os.environ.get("DETECTOR_EVAL_DATA") or here.parent / "shared" / "data")


def read_articles(data: Path) -> list[Article]:
    lines = (data / "cnews-1000" / "cnews.subset1000.txt").read_text(encoding="utf-8").splitlines()
    out = []
    for n, line in enumerate(lines, start=1):
        topic, _, text = line.partition("\t")
        text = re.sub(r"\s+", "", text)
        if topic in TOPICS and len(text) >= 200:
            out.append(Article(f"a{n:04d}", topic, text))
    return _distinct(out)


def _distinct(arts: list[Article]) -> list[Article]:
    """The articles less near-copies of an earlier one (cnews holds the same product promotion
    or game notice under two ids): a repost of either would count as a wrong source."""
    seen: dict[str, int] = {}
    out = []
    for k, a in enumerate(arts):
        grams = {a.text[i : i + 12] for i in range(0, max(1, len(a.text) - 12), 3)}
        hits: dict[int, int] = {}
        for g in grams:
            if g in seen:
                hits[seen[g]] = hits.get(seen[g], 0) + 1
        if hits and max(hits.values()) >= 0.1 * len(grams):
            continue
        for g in grams:
            seen.setdefault(g, k)
        out.append(a)
    return out


def read_titles(data: Path) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for name in ("dev.txt", "test.txt"):
        for line in (data / "thucnews-titles" / name).read_text(encoding="utf-8").splitlines():
            title, _, cls = line.rpartition("\t")
            if cls.isdigit() and title.strip():
                out.setdefault(int(cls), []).append(title.strip())
    return out


def read_companies(data: Path, trade: Trade) -> list[list[str]]:
    """Scopes of the trade's companies as clause lists, strays and mixed companies left out."""
    want = re.compile(trade.pattern)
    avoid = re.compile("|".join(SUBJECT[t] for t in trade.off if t in SUBJECT))
    out = []
    folder = data / "company-scope-zh" / "Sample" / trade.category
    for f in sorted(folder.glob("*.txt")):
        text = re.sub(r"[\ufffd〓*^]|\s", "", f.read_text(encoding="utf-8", errors="replace"))
        if not want.search(text) or avoid.search(text):
            continue
        parts = [p for p in re.split(r"[、，,；;。：:（）()/]", text) if 2 <= len(p) <= 16]
        parts = [p for p in parts if not re.search(r"依法|批准|许可|审批|法规|经营项目|除外|凭", p)]
        if len(parts) >= 3:
            out.append(list(dict.fromkeys(parts)))
    return out


def _spin(rng: random.Random, text: str, rate: float) -> str:
    for word, other in SPIN.items():
        if word in text and rng.random() < rate:
            text = text.replace(word, other, 1 + rng.randrange(3))
    if rng.random() < 0.5:
        text = "".join(HALF.get(c, c) for c in text)
    return text


def _repost_text(rng: random.Random, art: Article) -> str:
    """A window of the article's sentences (not always from its start), paragraphs reordered, spun."""
    sents = [s for s in _SENT.split(art.text) if s]
    want = rng.randint(350, 1100)
    start = rng.randrange(max(1, len(sents) // 3)) if rng.random() < 0.6 else 0
    window: list[str] = []
    for s in sents[start:]:
        if sum(map(len, window)) >= want:
            break
        window.append(s)
    paras = [window[i : i + 3] for i in range(0, len(window), 3)]
    if len(paras) > 2 and rng.random() < 0.5:
        head, rest = paras[0], paras[1:]
        rng.shuffle(rest)
        paras = [head, *rest]
    return "\n".join(_spin(rng, "".join(p), 0.5) for p in paras)


def _news_title(rng: random.Random, titles: dict[int, list[str]], art: Article) -> str:
    cls = TITLE_CLASS.get(art.topic)
    if cls is not None and titles.get(cls):
        return rng.choice(titles[cls])
    return re.split(r"[，。！？,]", art.text, maxsplit=1)[0][:24]


SPAM = {
    "gambling": (
        "{x}官方网站欢迎您，注册即送彩金888元。", "真人荷官在线发牌，百家乐、龙虎斗、轮盘一应俱全。",
        "足球竞彩、时时彩、北京赛车玩法多样，赔率业内最高。", "首存即享百分之百优惠，每日返水无上限。",
        "提款秒到账，支持银行卡和支付宝充值。", "棋牌游戏、捕鱼达人、老虎机等上千款电子游艺任您畅玩。",
        "信誉第一的线上娱乐城，合作代理佣金高达百分之五十。", "扫码下载客户端，新用户首充再送体验金。",
    ),
    "pills": (
        "{x}正品专卖，男性增大延时效果显著。", "美国原装进口伟哥，无效全额退款，快递隐私包装。",
        "纯中药配方壮阳补肾，服用三天见效。", "减肥胶囊一个月瘦二十斤，不反弹不节食。",
        "提供各类处方药代购，无需处方直接发货。", "国外特效抗癌药代购，价格仅为医院的三分之一。",
        "货到付款，支持微信咨询，专业药师一对一指导。", "延时喷剂、催情水批发零售，量大从优。",
    ),
    "loans": (
        "{x}急用钱？无抵押无担保，身份证即可贷款。", "黑户白户均可下款，最快五分钟到账。",
        "信用卡套现、代还，手续费全网最低。", "不看征信不查负债，额度最高二十万元。",
        "网贷逾期也能借，秒批秒放款。", "学生贷款专享通道，零利息分期还款。",
        "添加客服微信，一对一审核放款。", "贷款中介收费透明，下款后再付服务费。",
    ),
    "certificates": (
        "{x}专业办理各类证件，毕业证、学位证、资格证均可办理。", "身份证、驾驶证、行驶证快速制作，可查可验。",
        "代开各地增值税发票，点数低，可先验票后付款。", "四六级成绩单、职称证书包过，不成功不收费。",
        "全国各地均可办理，顺丰包邮到付。", "刻章办证一条龙服务，诚信经营十年老店。",
        "联系QQ或微信，二十四小时在线接单。", "保证质量，假一赔十，欢迎新老客户来电咨询。",
    ),
}
SPAM_BRANDS = ("金沙", "威尼斯人", "皇冠", "永利", "博彩之家", "大发", "鸿运", "天下第一")


def _spam_page(rng: random.Random) -> Page:
    kind = rng.choice(sorted(SPAM))
    lines = list(SPAM[kind])
    brand = rng.choice(SPAM_BRANDS)
    head = lines[0].format(x=brand)
    body = [head, *rng.sample(lines[1:], len(lines) - 1)]
    text = "".join(body + rng.sample(lines[1:], 3))
    return Page(f"info-{rng.randrange(1000, 9999)}.html", f"{brand}{kind}-{head[:10]}", text, "injected", "off-topic")


def _own_pages(rng: random.Random, name: str, place: str, parts: list[str], trade: Trade) -> list[Page]:
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
    products = f"{name}主要业务：" + "；".join(f"{i + 1}.{p}" for i, p in enumerate(items[:12])) + "。" + (
        f"欢迎各界朋友垂询{items[-1]}相关事宜。"
    )
    phone = f"0{rng.randint(310, 999)}-{rng.randint(2000000, 8999999)}"
    contact = (
        f"{name}，地址：{place}经济开发区{rng.choice(('创业路', '工业大道', '兴业街', '科技园'))}{rng.randint(1, 300)}号。"
        f"电话：{phone}，传真：{phone[:-1]}{rng.randint(0, 9)}。联系人：{rng.choice('王李张刘陈杨赵黄')}经理。"
        f"本公司长期承接{'、'.join(items[:3])}业务，欢迎来电洽谈。"
    )
    event = rng.choice(("召开年度安全生产工作会议", "举办员工技能培训", "通过质量管理体系认证", "与客户签署战略合作协议"))
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


def generate(data: Path, seed: int, sites_per_trade: int = 5) -> tuple[list[Site], list[dict[str, object]]]:
    """Sites and the index corpus (rows for ``detector index``) of one draw."""
    rng = random.Random(seed * 7919 + 17)
    arts = read_articles(data)
    rng.shuffle(arts)
    n = len(arts)
    labelled, unlabelled, originals = arts[: int(n * 0.65)], arts[int(n * 0.65) : int(n * 0.85)], arts[int(n * 0.85) :]
    titles = read_titles(data)
    corpus: list[dict[str, object]] = [
        {"id": a.id, "title": None, "category": a.topic, "text": a.text} for a in labelled
    ]
    corpus += [{"id": a.id, "title": None, "category": None, "text": a.text} for a in unlabelled]
    for k in range(400):  # round-ups of headlines: unlabelled distractors
        cls = rng.randrange(10)
        text = "。".join(rng.sample(titles[cls], 25)) + "。"
        corpus.append({"id": f"roundup-{k:03d}", "title": None, "category": None, "text": text})
    pool = {"labelled": labelled, "unlabelled": unlabelled, "original": originals}
    sites: list[Site] = []
    used_domains: set[str] = set()
    for trade in TABLE:
        companies = read_companies(data, trade)
        for s in range(sites_per_trade):
            parts = rng.choice(companies) + rng.choice(companies)[:3]
            parts = list(dict.fromkeys(parts))
            place = rng.choice(PLACES)
            name = f"{place}{rng.choice(BRANDS)}{rng.choice(trade.forms)}"
            pages = _own_pages(rng, name, place, parts, trade)
            picks = [(t, "on-topic") for t in rng.choices(trade.on, k=rng.randint(2, 3))] if trade.on else []
            picks += [(t, "off-topic") for t in rng.choices(trade.off, k=rng.randint(2, 4))]
            rng.shuffle(picks)
            for j, (topic, label) in enumerate(picks):
                src = pool["unlabelled" if rng.random() < 0.25 else "labelled"]
                cands = [a for a in src if a.topic == topic] or [a for a in labelled if a.topic == topic]
                art = rng.choice(cands)
                pages.append(Page(f"show-{j + 1}.html", _news_title(rng, titles, art),
                                  _repost_text(rng, art), "repost", label, art.id, topic))
            topic, label = rng.choice([*((t, "on-topic") for t in trade.on), *((t, "off-topic") for t in trade.off)])
            cands = [a for a in originals if a.topic == topic]
            if cands:
                art = rng.choice(cands)
                pages.append(Page("original.html", _news_title(rng, titles, art),
                                  _repost_text(rng, art), "original", label, None, topic))
            if rng.random() < 0.4:
                pages.append(_spam_page(rng))
            domain = f"www.{trade.key.replace('-', '')}{seed}{s}{rng.randrange(100, 999)}.cn"
            while domain in used_domains:
                domain += "x"
            used_domains.add(domain)
            sites.append(Site(domain, name, trade.key, rng.randrange(3), rng.choice(("utf-8", "gb18030")),
                              tuple(parts[:8]), tuple(pages)))
    return sites, corpus


# --- HTML ------------------------------------------------------------------------------------

NAV = (("网站首页", "index.html"), ("公司简介", "about.html"), ("主营业务", "products.html"),
       ("新闻中心", "news-company.html"), ("联系我们", "contact.html"))


def _paras(text: str) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p)


def render(site: Site, page: Page, rng: random.Random) -> str:
    e = html.escape
    charset = "gb2312" if site.encoding == "gb18030" else "utf-8"
    date = f"{rng.randint(2015, 2022)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    nav = "".join(f'<a href="/{h}">{e(label)}</a>' for label, h in NAV)
    head = (f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f"<title>{e(page.title)}</title>")
    canon = f'<link rel="canonical" href="http://{site.domain}/{page.slug}">'
    foot = f"Copyright © {e(site.name)} 版权所有 备案号：鲁ICP备{rng.randint(10000000, 99999999)}号"
    if site.layout == 0:
        side = "".join(f"<li>{e(p)}</li>" for p in site.products[:6])
        return (
            f"{head}{canon}</head><body><div class=\"top\">欢迎访问{e(site.name)}官方网站</div>"
            f'<div class="nav">{nav}</div><div class="wrap"><div class="left"><h3>产品分类</h3><ul>{side}</ul>'
            f'</div><div class="right"><div class="pos">您的位置：首页 &gt; 新闻资讯 &gt; 正文</div>'
            f"<h2>{e(page.title)}</h2><div class=\"info\">发布日期：{date} 浏览：{rng.randint(10, 999)}次</div>"
            f'<div class="content">{_paras(page.text)}</div></div></div><div class="footer">{foot}</div></body></html>'
        )
    if site.layout == 1:
        return (
            f"{head}{canon}</head><body><table width=\"980\"><tr><td class=\"logo\">{e(site.name)}</td></tr>"
            f'<tr><td class="menu">{nav}</td></tr><tr><td class="title"><b>{e(page.title)}</b></td></tr>'
            f'<tr><td class="date">时间：{date}</td></tr><tr><td class="body">{_paras(page.text)}</td></tr>'
            f'<tr><td class="copy">{foot} 技术支持：{e(rng.choice(BRANDS))}网络</td></tr></table></body></html>'
        )
    keywords = ",".join([site.name, *site.products[:4]])
    return (
        f'{head}<meta name="keywords" content="{e(keywords)}">{canon}</head><body><header>'
        f"<div class=\"brand\">{e(site.name)}</div><nav>{nav}</nav></header><main><section class=\"news-detail\">"
        f"<h1>{e(page.title)}</h1><p class=\"meta\">来源：本站 {date}</p>{_paras(page.text)}</section>"
        f'<aside><h4>联系我们</h4><p>联系电话：0{rng.randint(310, 999)}-{rng.randint(2000000, 8999999)}</p></aside></main>'
        f"<footer>{foot}</footer></body></html>"
    )


def write(sites: list[Site], corpus: list[dict[str, object]], out: Path, seed: int) -> list[dict[str, object]]:
    """Write sites/<domain>/<page>.html and corpus.jsonl under ``out``; return the truth rows."""
    rng = random.Random(seed)
    truth: list[dict[str, object]] = []
    for site in sites:
        folder = out / "sites" / site.domain
        folder.mkdir(parents=True, exist_ok=True)
        for page in site.pages:
            raw = render(site, page, rng).encode(site.encoding, errors="xmlcharrefreplace")
            (folder / page.slug).write_bytes(raw)
            truth.append({"uri": f"sites/{site.domain}/{page.slug}", "site": site.domain, "trade": site.trade,
                          "kind": page.kind, "label": page.label, "source": page.source, "topic": page.topic})
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as f:
        for row in corpus:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return truth
