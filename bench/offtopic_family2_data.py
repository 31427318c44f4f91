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

import os
import random
import re
from dataclasses import dataclass
from pathlib import Path

from offtopic_family2_pages import NAV, Page, Site, own_pages, spam_page, write

__all__ = ["NAV", "TABLE", "Page", "Site", "data_dir", "generate", "write"]

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
    Trade(
        "construction",
        "C000002",
        "建筑|工程|施工|幕墙|土建|市政|钢结构",
        ("房产", "家居"),
        ("时政", "财经", "科技"),
        ("建筑工程有限公司", "建设集团有限公司", "装饰工程有限公司"),
    ),
    Trade(
        "logistics",
        "C000004",
        "运输|货运|物流|仓储|快递|搬运|装卸|配送",
        (),
        ("时政", "财经", "科技"),
        ("物流有限公司", "货运代理有限公司", "运输有限公司"),
    ),
    Trade(
        "agriculture",
        "C000005",
        "种植|养殖|苗木|花卉|蔬菜|果树|农业|林木|水产|畜",
        (),
        ("时政", "财经", "科技", "家居"),
        ("农业科技有限公司", "种植专业合作社", "生态农业有限公司"),
    ),
    Trade(
        "mining",
        "C000006",
        "开采|矿|煤|采掘|选矿|石料|砂石",
        (),
        ("时政", "财经", "科技"),
        ("矿业有限公司", "煤业有限公司", "石料厂"),
    ),
    Trade(
        "research",
        "C000009",
        "技术开发|研发|检测|测绘|实验|科技|研究",
        ("科技",),
        ("时政", "财经", "游戏", "教育", "家居"),
        ("检测技术有限公司", "科技研究院", "测绘技术有限公司"),
    ),
    Trade(
        "catering",
        "C000012",
        "餐饮|酒店|住宿|宾馆|饭店|膳食|客房|小吃",
        (),
        ("时政", "财经", "时尚", "娱乐", "家居"),
        ("餐饮管理有限公司", "大酒店", "饮食有限公司"),
    ),
    Trade(
        "health",
        "C000017",
        "医|诊|护理|康复|保健|卫生|科室|门诊",
        (),
        ("时政", "教育", "时尚", "科技"),
        ("医院", "门诊部", "康复中心"),
    ),
    Trade(
        "utilities",
        "C000001",
        "电力|发电|供电|热力|燃气|供水|水处理|电气|电缆|供热",
        (),
        ("时政", "财经", "科技"),
        ("电力工程有限公司", "燃气有限公司", "水务有限公司"),
    ),
    Trade(
        "culture-sports",
        "C000020",
        "体育|健身|运动|赛事|影视|电影|演出|文艺|音乐|娱乐|球",
        ("体育", "娱乐"),
        ("时政", "时尚", "游戏", "教育", "科技"),
        ("文化传播有限公司", "体育发展有限公司", "影视传媒有限公司"),
    ),
    Trade(
        "real-estate",
        "C000015",
        "房地产|物业|房屋|置业|楼盘|租赁",
        ("房产", "家居"),
        ("时政", "财经"),
        ("置业有限公司", "房地产开发有限公司", "物业服务有限公司"),
    ),
    Trade(
        "it",
        "C000013",
        "计算机|软件|网络|信息技术|互联网|电子|通信|数据|游戏",
        ("科技", "游戏"),
        ("时政", "财经", "教育"),
        ("网络科技有限公司", "软件技术有限公司", "信息技术有限公司"),
    ),
    Trade(
        "finance",
        "C000014",
        "投资|金融|资产|保险|担保|理财|融资|基金|证券|贷款",
        ("财经",),
        ("时政", "房产", "科技"),
        ("投资有限公司", "资产管理有限公司", "融资租赁有限公司"),
    ),
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

PLACES = (
    "山东庆云",
    "河北沧州",
    "江苏昆山",
    "浙江义乌",
    "安徽芜湖",
    "江西赣州",
    "湖北襄阳",
    "湖南株洲",
    "广东中山",
    "广西柳州",
    "四川绵阳",
    "贵州遵义",
    "陕西宝鸡",
    "甘肃天水",
    "辽宁鞍山",
    "吉林通化",
    "河南洛阳",
    "山西大同",
    "福建晋江",
    "云南曲靖",
)
BRANDS = (
    "鑫恒兴",
    "永顺达",
    "宏远",
    "中诚",
    "金鼎",
    "汇通",
    "瑞丰",
    "天和",
    "盛世",
    "博远",
    "华睿",
    "东方红",
    "九州",
    "万隆",
    "嘉禾",
    "新纪元",
    "百川",
    "润泽",
    "恒通",
    "锦程",
)

# Synonyms a spinner swaps in (our own list).
SPIN = {
    "表示": "指出",
    "目前": "当前",
    "已经": "已",
    "认为": "觉得",
    "但是": "不过",
    "因为": "由于",
    "非常": "十分",
    "进行": "开展",
    "同时": "与此同时",
    "如果": "假如",
    "可能": "或许",
    "开始": "着手",
    "今年": "本年度",
    "记者": "笔者",
    "希望": "期望",
    "重要": "关键",
    "主要": "首要",
    "增加": "增长",
    "显示": "表明",
    "需要": "须要",
    "一直": "始终",
    "已经是": "早已是",
    "所以": "因此",
    "很多": "许多",
    "最后": "最终",
    "发现": "察觉",
    "继续": "持续",
    "获得": "取得",
    "其中": "当中",
    "甚至": "乃至",
}
HALF = {
    "，": ",",
    "。": ".",
    "：": ":",
    "；": ";",
    "！": "!",
    "？": "?",
    "（": "(",
    "）": ")",
    "“": '"',
    "”": '"',
}
_SENT = re.compile(r"(?<=[。！？])")


@dataclass(frozen=True)
class Article:
    id: str
    topic: str
    text: str


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


def generate(data: Path, seed: int, sites_per_trade: int = 5) -> tuple[list[Site], list[dict[str, object]]]:
    """Sites and the index corpus (rows for ``detector index``) of one draw."""
    rng = random.Random(seed * 7919 + 17)
    arts = read_articles(data)
    rng.shuffle(arts)
    n = len(arts)
    labelled, unlabelled, originals = (
        arts[: int(n * 0.65)],
        arts[int(n * 0.65) : int(n * 0.85)],
        arts[int(n * 0.85) :],
    )
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
            pages = own_pages(rng, name, place, parts)
            picks = [(t, "on-topic") for t in rng.choices(trade.on, k=rng.randint(2, 3))] if trade.on else []
            picks += [(t, "off-topic") for t in rng.choices(trade.off, k=rng.randint(2, 4))]
            rng.shuffle(picks)
            for j, (topic, label) in enumerate(picks):
                src = pool["unlabelled" if rng.random() < 0.25 else "labelled"]
                cands = [a for a in src if a.topic == topic] or [a for a in labelled if a.topic == topic]
                art = rng.choice(cands)
                pages.append(
                    Page(
                        f"show-{j + 1}.html",
                        _news_title(rng, titles, art),
                        _repost_text(rng, art),
                        "repost",
                        label,
                        art.id,
                        topic,
                    )
                )
            topic, label = rng.choice(
                [*((t, "on-topic") for t in trade.on), *((t, "off-topic") for t in trade.off)]
            )
            cands = [a for a in originals if a.topic == topic]
            if cands:
                art = rng.choice(cands)
                pages.append(
                    Page(
                        "original.html",
                        _news_title(rng, titles, art),
                        _repost_text(rng, art),
                        "original",
                        label,
                        None,
                        topic,
                    )
                )
            if rng.random() < 0.4:
                pages.append(spam_page(rng))
            domain = f"www.{trade.key.replace('-', '')}{seed}{s}{rng.randrange(100, 999)}.cn"
            while domain in used_domains:
                domain += "x"
            used_domains.add(domain)
            sites.append(
                Site(
                    domain,
                    name,
                    trade.key,
                    rng.randrange(3),
                    rng.choice(("utf-8", "gb18030")),
                    tuple(parts[:8]),
                    tuple(pages),
                )
            )
    return sites, corpus
