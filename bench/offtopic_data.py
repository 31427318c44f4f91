"""Labelled off-topic benchmark: generated company sites that repost news articles.

Data (read, never copied): ``$DETECTOR_EVAL_DATA`` (default ``<repo>/../shared/data``)
  cnews-1000/cnews.subset1000.txt   1,000 Chinese news articles, ``label<TAB>title+body``, 10 topics
  company-scope-zh/Sample/<cat>/    business scopes of companies, by industry (category.txt names them)

Each generated site is one company of an industry. Its own pages (about, products, business
scope: about 200 characters each, and in half the sites a trade-fair news page) are written
from business scopes of that industry; its news pages repost articles cut short (300-1,200
characters at a sentence end) under a rewritten title, whose topic clearly fits the
industry (on-topic) or clearly does not (off-topic). Ambiguous pairs are never generated.

What fits what (``INDUSTRIES``, the issue's table): real estate fits 房产 and 家居; education
教育; finance 财经; culture and sports 体育 and 娱乐; information technology 科技 and 游戏;
manufacturing fits none. Every other topic is clearly off-topic, except 时政 (fits everyone
loosely) and 科技 for manufacturing: those pairs are never generated.

Companies: company-scope-zh's industry categories hold strays (a leather maker filed under IT,
a clothing shop under culture, a furniture maker under manufacturing). A company is drawn for
an industry when its scope mentions the industry (``scope_pattern``) and names no subject of
a topic the table calls off-topic for it (``SUBJECTS``), so that the table's verdicts hold
for its site. ``--loose`` drops the second condition (for comparison).

Splits: articles and companies are split in two halves once, with a fixed permutation; the
calibration seed draws from half 0 and the held-out seed from half 1, so held-out sites
share neither articles nor company scopes with calibration. Calibration sees
``CALIBRATION_INDUSTRIES``; the held-out set adds culture and sports.

    python bench/offtopic_data.py --calibrate            # topic analysis alone, table on stdout
    python bench/offtopic_data.py --out DIR --seed 2     # write sites/ (HTML) and corpus.jsonl
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from detector.analysis.topic import (  # noqa: E402
    SiteInfo,
    SitePage,
    TopicModel,
    TopicSettings,
    fit,
    judge_site,
)

TOPICS = ("体育", "娱乐", "家居", "房产", "教育", "时尚", "时政", "游戏", "科技", "财经")


@dataclass(frozen=True)
class Industry:
    key: str
    category: str  # company-scope-zh category code
    scope_pattern: str  # a company of this industry mentions one of these
    fits: frozenset[str]  # cnews topics that clearly fit
    ambiguous: frozenset[str]  # neither clearly fitting nor clearly not: never generated
    suffixes: tuple[str, ...]  # company name endings
    fair: str  # what its trade fair is called


def _industry(key: str, cat: str, pattern: str, fits: str, amb: str, suffixes: str, fair: str) -> Industry:
    return Industry(
        key, cat, pattern, frozenset(fits.split()), frozenset(amb.split()), tuple(suffixes.split()), fair
    )


INDUSTRIES: dict[str, Industry] = {
    i.key: i
    for i in (
        _industry(
            "manufacturing",
            "C000007",
            "生产|制造|加工|机械|设备|制品|机电|五金|金属|仪器|仪表",
            "",
            "时政 科技",
            "机床附件制造厂 机械制造有限公司 精密机械有限公司 五金制品厂",
            "国际机床及机械工业展览会",
        ),
        _industry(
            "real-estate",
            "C000015",
            "房地产|物业|房屋|置业|楼盘|租赁|装饰|装修",
            "房产 家居",
            "时政",
            "房地产开发有限公司 置业有限公司 物业管理有限公司",
            "房地产交易博览会",
        ),
        _industry(
            "education",
            "C000018",
            "教育|培训|学校|辅导|教学|课程|留学|考试|幼儿",
            "教育",
            "时政",
            "教育科技有限公司 培训学校 教育咨询有限公司",
            "教育装备展示会",
        ),
        _industry(
            "finance",
            "C000014",
            "投资|金融|资产|保险|担保|理财|融资|基金|证券|贷款|财务|记账",
            "财经",
            "时政",
            "投资管理有限公司 资产管理有限公司 融资担保有限公司",
            "金融博览会",
        ),
        _industry(
            "it",
            "C000013",
            "计算机|软件|网络|信息技术|互联网|电子|通信|通讯|游戏|数据",
            "科技 游戏",
            "时政",
            "信息技术有限公司 网络科技有限公司 软件有限公司",
            "软件和信息服务交易博览会",
        ),
        _industry(
            "culture-sports",
            "C000020",
            "体育|健身|运动|赛事|球|娱乐|影视|电影|演出|文艺|表演|演艺|音像|戏剧|音乐|艺术",
            "体育 娱乐",
            "时政",
            "文化传媒有限公司 体育文化发展有限公司 文化艺术有限公司",
            "文化产业博览交易会",
        ),
    )
}
# The subjects of the news topics, as a business scope names them. A company is drawn for an
# industry only when its scope names no subject of a topic that the table calls clearly
# off-topic for that industry: company-scope-zh files a clothing shop under culture, a
# smart-home installer under IT and a furniture maker under manufacturing, and for those
# companies the table's verdict would be wrong. This chooses companies, not pairs: every site
# gets reposts of every kind the table allows.
SUBJECTS = {
    "房产": "房地产|楼盘|住宅|置业",
    "家居": "家具|家居|装修|装潢|建材|卫浴|地板|灯具|床上用品",
    "教育": "教育|学校|留学|招生|教学",
    "财经": "金融|证券|基金|理财|股权|保险|担保|贷款",
    "体育": "体育|健身|赛事",
    "娱乐": "影视|电影|演出|娱乐|演艺|文艺",
    "科技": "计算机|软件|电子|通讯|通信|数码|互联网|手机|电脑|摄影|摄像",
    "游戏": "游戏|动漫|网游",
    "时尚": "服装|服饰|化妆品|美容|珠宝|首饰|鞋帽|箱包",
}


def unfit_topics(industry: Industry) -> list[str]:
    return sorted(set(TOPICS) - industry.fits - industry.ambiguous)


CALIBRATION_INDUSTRIES = ("manufacturing", "real-estate", "education", "finance", "it")
HELD_OUT_INDUSTRIES = tuple(INDUSTRIES)  # culture-sports is never calibrated on
SEED_A, SEED_B = 1, 2

_CITIES = [
    "庆云",
    "德州",
    "临沂",
    "潍坊",
    "温州",
    "台州",
    "东莞",
    "佛山",
    "苏州",
    "无锡",
    "常州",
    "宁波",
    "泉州",
    "合肥",
    "郑州",
    "长沙",
    "成都",
    "昆明",
    "沈阳",
    "大连",
]
_BRAND = "鑫恒兴华达宏盛利通泰源德信博联创金瑞祥丰安正新永嘉佳"
_NAV = ("首页", "关于我们", "产品中心", "经营范围", "新闻动态", "联系我们")
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")


@dataclass(frozen=True)
class Article:
    id: str
    topic: str
    text: str


@dataclass(frozen=True)
class GenPage:
    slug: str
    title: str
    text: str  # main text
    kind: str  # "own" | "repost"
    label: str  # "on-topic" | "off-topic"
    source: Article | None = None


@dataclass(frozen=True)
class GenSite:
    domain: str
    name: str
    industry: str
    encoding: str  # "utf-8" | "gbk"
    pages: tuple[GenPage, ...]


def data_dir(given: str | None = None) -> Path:
    return Path(given or os.environ.get("DETECTOR_EVAL_DATA") or REPO.parent / "shared" / "data")


def load_articles(data: Path) -> list[Article]:
    path = data / "cnews-1000" / "cnews.subset1000.txt"
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        label, _, text = line.partition("\t")
        if label in TOPICS and text.strip():
            out.append(Article(f"cnews-{n:04d}", label, " ".join(text.split())))
    return out


def load_scopes(data: Path, industry: Industry, strict: bool = True) -> list[str]:
    folder = data / "company-scope-zh" / "Sample" / industry.category
    pattern = re.compile(industry.scope_pattern)
    subjects = [SUBJECTS[t] for t in unfit_topics(industry) if t in SUBJECTS]
    exclude = re.compile("|".join(subjects)) if strict and subjects else None
    out = []
    for f in sorted(folder.glob("*.txt"), key=lambda p: int(p.stem) if p.stem.isdigit() else 0):
        text = f.read_text(encoding="utf-8", errors="replace")
        text = re.sub(r"[\ufffd〓*^]+", "", " ".join(text.split())).strip(" 。")
        if len(text) >= 8 and pattern.search(text) and not (exclude and exclude.search(text)):
            out.append(text)
    return out


def _half(items: Sequence[str] | Sequence[Article], split: int) -> list[int]:
    """Indices of one half of ``items`` under a permutation fixed once for all seeds."""
    order = list(range(len(items)))
    random.Random(20240601).shuffle(order)
    return sorted(order[split::2])


def _clauses(scopes: Iterable[str]) -> list[str]:
    out = []
    for s in scopes:
        for c in re.split(r"[、，,；;。：:（）()\s]+", s):
            c = c.strip()
            if 2 <= len(c) <= 14 and not re.search(r"依法|批准|许可|经营项目|法律|法规|审批", c):
                out.append(c)
    return list(dict.fromkeys(out))


def _fill(rng: random.Random, head: str, pool: list[str], target: int) -> str:
    """``head`` followed by scope sentences from ``pool`` until about ``target`` characters."""
    text = head
    for s in rng.sample(pool, len(pool)):
        if len(text) >= target:
            break
        text += s + "。"
    return text[: target + 60]


def _own_pages(rng: random.Random, ind: Industry, name: str, city: str, scopes: list[str]) -> list[GenPage]:
    year = rng.randint(1992, 2016)
    clauses = _clauses(scopes)
    products = "、".join(clauses[:8])
    about = _fill(
        rng,
        f"{name}成立于{year}年，位于{city}，是一家专业从事{clauses[0] if clauses else ind.key}的企业。"
        f"公司主要经营{products}。",
        scopes,
        200,
    )
    product_text = _fill(rng, f"{name}的主要产品与服务：{'；'.join(clauses[:14])}。", scopes[::-1], 200)
    scope_text = _fill(rng, "经营范围：", scopes, 200)
    pages = [
        GenPage("about.html", f"关于我们-{name}", about, "own", "on-topic"),
        GenPage("products.html", f"产品中心-{name}", product_text, "own", "on-topic"),
        GenPage("scope.html", f"经营范围-{name}", scope_text, "own", "on-topic"),
    ]
    if rng.random() < 0.5:
        shown = "、".join(rng.sample(clauses, min(4, len(clauses))))
        news = (
            f"{rng.randint(2015, 2020)}年{rng.randint(3, 11)}月，第{rng.randint(5, 30)}届中国{city}{ind.fair}"
            f"隆重开幕。{name}携{shown}等亮相展会，吸引了众多客户前来洽谈。"
            f"公司负责人介绍，本次参展重点展示了{clauses[-1] if clauses else ''}方面的最新成果。"
        )
        pages.append(GenPage("news-fair.html", f"{name}亮相{ind.fair}", news, "own", "on-topic"))
    return pages


def _cut(rng: random.Random, text: str) -> str:
    """The article cut short at a sentence end, 300 to 1,200 characters when it is long enough."""
    target = rng.randint(300, 1200)
    if len(text) <= target:
        return text
    out = ""
    for s in _SENTENCE_END.split(text):
        if len(out) >= target:
            break
        out += s
    return out


def _rewrite_title(rng: random.Random, text: str) -> str:
    head = re.split(r"[\s（(【「]", text[:40], maxsplit=1)[0][: rng.randint(12, 22)]
    return rng.choice(("{}", "【行业资讯】{}", "{}（转载）", "关注：{}", "{}-新闻动态")).format(head)


def generate(
    data: Path,
    seed: int,
    split: int,
    industries: Sequence[str],
    sites_per_industry: int = 6,
    companies: tuple[int, int] = (6, 10),
    strict: bool = True,
) -> list[GenSite]:
    """Sites of ``industries``; articles and companies from half ``split`` of the data."""
    rng = random.Random(seed)
    articles = load_articles(data)
    by_topic: dict[str, list[Article]] = {t: [] for t in TOPICS}
    for i in _half(articles, split):
        by_topic[articles[i].topic].append(articles[i])
    sites: list[GenSite] = []
    for key in industries:
        ind = INDUSTRIES[key]
        all_scopes = load_scopes(data, ind, strict)
        scopes = [all_scopes[i] for i in _half(all_scopes, split)]
        fitting = sorted(ind.fits)
        unfit = unfit_topics(ind)
        for s in range(sites_per_industry):
            city = rng.choice(_CITIES)
            name = f"{city}{''.join(rng.sample(_BRAND, 2))}{rng.choice(ind.suffixes)}"
            company = rng.sample(scopes, min(len(scopes), rng.randint(*companies)))
            pages = _own_pages(rng, ind, name, city, company)
            n_on = rng.randint(2, 4) if fitting else 0
            picks = [(rng.choice(fitting), "on-topic") for _ in range(n_on)]
            picks += [(rng.choice(unfit), "off-topic") for _ in range(rng.randint(2, 4))]
            rng.shuffle(picks)
            for j, (topic, label) in enumerate(picks, start=1):
                art = rng.choice(by_topic[topic])
                body = _cut(rng, art.text)
                pages.append(GenPage(f"news-{j}.html", _rewrite_title(rng, body), body, "repost", label, art))
            letters = "".join(rng.choice("abcdefghjkmnpqrstwxyz") for _ in range(6))
            sites.append(
                GenSite(f"www.{letters}{s}.com.cn", name, key, rng.choice(("utf-8", "gbk")), tuple(pages))
            )
    return sites


# --- writing the sites as HTML and the articles as an index corpus --------------------------


def render_page(site: GenSite, page: GenPage) -> str:
    nav = "".join(f'<li><a href="/{slug}">{label}</a></li>' for label, slug in _nav_links(site))
    charset = "gbk" if site.encoding == "gbk" else "utf-8"
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in _paragraphs(page.text))
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="{charset}">'
        f"<title>{html.escape(page.title)}</title>"
        f'<link rel="canonical" href="https://{site.domain}/{page.slug}"></head>\n<body>'
        f'<header><div class="logo">{html.escape(site.name)}</div><nav><ul>{nav}</ul></nav></header>\n'
        f"<main><article><h1>{html.escape(page.title)}</h1>"
        f'<div class="content">{paras}</div></article></main>\n'
        f"<footer>版权所有 © {html.escape(site.name)} 地址：{html.escape(site.name[:2])}市工业园区 "
        f'<a href="/sitemap.html">网站地图</a></footer></body></html>\n'
    )


def _nav_links(site: GenSite) -> list[tuple[str, str]]:
    slugs = ("index.html", "about.html", "products.html", "scope.html", "news-1.html", "contact.html")
    return list(zip(_NAV, slugs, strict=True))


def _paragraphs(text: str) -> list[str]:
    sentences = [s for s in _SENTENCE_END.split(text) if s]
    out, cur = [], ""
    for s in sentences:
        cur += s
        if len(cur) >= 150:
            out.append(cur)
            cur = ""
    return [*out, cur] if cur else out


def write_sites(sites: Sequence[GenSite], out: Path) -> None:
    """One folder per site (named after its domain), one HTML file per page, plus truth.jsonl."""
    with (out / "truth.jsonl").open("w", encoding="utf-8") as truth:
        for site in sites:
            folder = out / "sites" / site.domain
            folder.mkdir(parents=True, exist_ok=True)
            for page in site.pages:
                data = render_page(site, page).encode(site.encoding, errors="xmlcharrefreplace")
                (folder / page.slug).write_bytes(data)
                row = {
                    "uri": f"sites/{site.domain}/{page.slug}",
                    "url": f"https://{site.domain}/{page.slug}",
                    "site": site.domain,
                    "industry": site.industry,
                    "kind": page.kind,
                    "label": page.label,
                    "source": page.source.id if page.source else None,
                    "topic": page.source.topic if page.source else None,
                }
                truth.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_corpus(data: Path, out: Path) -> Path:
    """Every article as one JSONL line for ``detector index`` (id, title, category, text)."""
    path = out / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for a in load_articles(data):
            row = {
                "id": a.id,
                "url": None,
                "title": a.text[:20],
                "site": None,
                "category": a.topic,
                "text": a.text,
            }
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


# --- calibration of the topic analysis alone (no pipeline) ----------------------------------


@dataclass(frozen=True)
class Judged:
    industry: str
    kind: str
    label: str
    lexical: float | None  # None: verdict unknown
    agreement: float | None  # category agreement; None without a labelled model
    reliability: float  # the share's factor for the model's sample size

    def similarity(self, share: float) -> float | None:
        if self.lexical is None:
            return None
        if self.agreement is None:
            return self.lexical
        s = share * self.reliability
        return float(self.lexical ** (1.0 - s) * self.agreement**s)


def site_input(site: GenSite) -> tuple[SiteInfo, list[SitePage]]:
    """What the pipeline would hand judge_site, with the reposts' copied text known exactly."""
    info = SiteInfo(site=site.domain, site_name=site.name, nav_labels=_NAV)
    pages = [
        SitePage(
            uri=f"{site.domain}/{p.slug}",
            title=p.title,
            main_text="" if p.kind == "repost" else p.text,
            full_main_text=p.text,
            is_repost=p.kind == "repost",
        )
        for p in site.pages
    ]
    return info, pages


REFERENCES = {
    "labelled": "model: the corpus with categories (the index's sources)",
    "unlabelled": "model: the corpus without categories (IDF only)",
    "none": "no model: IDF from each site's own texts",
}


def judge_all(
    sites: Sequence[GenSite], articles: Sequence[Article], settings: TopicSettings, mode: str
) -> list[Judged]:
    """Every page's lexical similarity and category agreement, as the pipeline computes them
    for a run scanning ``sites`` against an index of ``articles``."""
    model: TopicModel | None = None
    if mode != "none":
        # As the pipeline samples the index: the first sources of each category.
        taken: dict[str, int] = {}
        sample = []
        for a in articles:
            if taken.get(a.topic, 0) < settings.reference_per_category:
                taken[a.topic] = taken.get(a.topic, 0) + 1
                sample.append(a)
        cats = [a.topic if mode == "labelled" else None for a in sample]
        model = fit([a.text for a in sample], cats, settings)
    lexical_only = replace(settings, category_share=0.0)
    category_only = replace(settings, category_share=1.0, category_texts_half=0.0)
    reliability = 0.0
    if model is not None and model.labelled:
        n = float(np.median(model.category_docs))
        reliability = n / (n + settings.category_texts_half)
    out = []
    for site in sites:
        info, pages = site_input(site)
        source_cats: dict[str, str | None] = {
            f"{site.domain}/{p.slug}": p.source.topic for p in site.pages if p.source
        }
        lex = judge_site(info, pages, lexical_only, source_cats, model)
        cat = judge_site(info, pages, category_only, source_cats, model) if mode == "labelled" else None
        for gp, sp in zip(site.pages, pages, strict=True):
            known = lex[sp.uri].verdict != "unknown"
            out.append(
                Judged(
                    site.industry,
                    gp.kind,
                    gp.label,
                    lex[sp.uri].similarity if known else None,
                    cat[sp.uri].similarity if known and cat is not None else None,
                    reliability,
                )
            )
    return out


def scores(judged: Sequence[Judged], share: float, threshold: float) -> tuple[float, float, float, int, int]:
    """Precision, recall, F1 of off-topic detection, positives and negatives; unknown is not flagged."""
    tp = fp = fn = 0
    for j in judged:
        sim = j.similarity(share)
        flagged = sim is not None and sim < threshold
        off = j.label == "off-topic"
        tp += flagged and off
        fp += flagged and not off
        fn += off and not flagged
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f, tp + fn, len(judged) - tp - fn


SHARES = (0.0, 0.25, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1.0)


def best_setting(
    judged: Sequence[Judged], shares: Sequence[float]
) -> tuple[float, float, float, float, float]:
    """(share, threshold, F1, plateau low, plateau high): for each share the middle of the widest
    run of thresholds reaching that share's best F1 on a 0.0025 grid; the share with the best
    F1 (ties: the wider plateau)."""
    grid = [round(0.0025 * k, 4) for k in range(1, 161)]
    best: tuple[float, float, float, float, float] | None = None
    for share in shares:
        f1 = [round(scores(judged, share, t)[2], 3) for t in grid]
        top = max(f1)
        runs: list[list[float]] = []
        for k, (t, f) in enumerate(zip(grid, f1, strict=True)):
            if f == top and runs and k > 0 and f1[k - 1] == top:
                runs[-1].append(t)
            elif f == top:
                runs.append([t])
        widest = max(runs, key=len)
        cand = (share, widest[len(widest) // 2], top, widest[0], widest[-1])
        if best is None or (top, len(widest)) > (best[2], round((best[4] - best[3]) / 0.0025) + 1):
            best = cand
    assert best is not None
    return best


def calibrate(
    data: Path, settings: TopicSettings, sites_per_industry: int, modes: Sequence[str], strict: bool
) -> int:
    """Print, per model mode, P/R/F1 of off-topic detection on seed A and held-out seed B."""
    articles = load_articles(data)
    sets = {
        f"A seed {SEED_A} calibration": generate(
            data, SEED_A, 0, CALIBRATION_INDUSTRIES, sites_per_industry, strict=strict
        ),
        f"B seed {SEED_B} held out": generate(
            data, SEED_B, 1, HELD_OUT_INDUSTRIES, sites_per_industry, strict=strict
        ),
    }
    print(f"settings: {settings}")
    status = 0
    for mode in modes:
        print(f"\n== {REFERENCES[mode]}")
        judged = {}
        for name, sites in sets.items():
            start = time.perf_counter()
            judged[name] = judge_all(sites, articles, settings, mode)
            secs = time.perf_counter() - start
            print(f"{name}: {len(sites)} sites, {len(judged[name])} pages, {secs:.2f} s with the model fit")
        cal_name, held_name = list(sets)
        shares = SHARES if mode == "labelled" else (0.0,)
        share, chosen, f1, lo, hi = best_setting(judged[cal_name], shares)
        used_share = settings.category_share if mode == "labelled" else 0.0
        used = {"labelled": settings.threshold, "unlabelled": settings.threshold_unlabelled}.get(
            mode, settings.threshold_site_only
        )
        print(
            f"best F1 on A {f1:.3f} at share {share}, threshold {chosen} (plateau {lo}-{hi}); "
            f"the settings use share {used_share}, threshold {used}"
        )
        head = f"{'set':26} {'share':>5} {'cut':>7} {'P':>6} {'R':>6} {'F1':>6}"
        print(f"{head} {'off':>5} {'other':>5} {'unknown':>7}")
        for name, js in judged.items():
            unknown = sum(j.lexical is None for j in js)
            for sh, t in sorted({(share, chosen), (used_share, used)}):
                p, r, f, n_off, n_on = scores(js, sh, t)
                row = f"{name:26} {sh:5.2f} {t:7.4f} {p:6.3f} {r:6.3f} {f:6.3f}"
                print(f"{row} {n_off:5d} {n_on:5d} {unknown:7d}")
        print(
            "held-out B by industry with the settings (P R F1; own pages flagged; on-topic reposts flagged):"
        )
        for key in HELD_OUT_INDUSTRIES:
            js = [j for j in judged[held_name] if j.industry == key]
            p, r, f, _, _ = scores(js, used_share, used)
            flagged = [j for j in js if (j.similarity(used_share) or 1.0) < used]
            own = sum(j.kind == "own" for j in flagged)
            on = sum(j.kind == "repost" and j.label == "on-topic" for j in flagged)
            seen = "" if key in CALIBRATION_INDUSTRIES else "  (never calibrated on)"
            print(f"  {key:16} {p:6.3f} {r:6.3f} {f:6.3f}  {own:3d} {on:3d}{seen}")
        if mode == "labelled" and scores(judged[held_name], used_share, used)[2] < 0.95:
            status = 1
    return status


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", help="evaluation data folder (default $DETECTOR_EVAL_DATA or ../shared/data)")
    ap.add_argument("--calibrate", action="store_true", help="calibrate the topic analysis and print a table")
    ap.add_argument("--out", type=Path, help="write sites/, truth.jsonl and corpus.jsonl here")
    ap.add_argument("--seed", type=int, default=SEED_B, help="seed of the sites written with --out")
    ap.add_argument("--split", type=int, choices=(0, 1), default=1, help="half of the data to draw from")
    ap.add_argument("--sites-per-industry", type=int, default=6)
    ap.add_argument("--mode", action="append", choices=tuple(REFERENCES), help="model modes to calibrate")
    ap.add_argument("--loose", action="store_true", help="draw companies without the SUBJECTS filter")
    ap.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="override a TopicSettings field"
    )
    args = ap.parse_args(argv)
    data = data_dir(args.data)
    if not (data / "cnews-1000").is_dir() or not (data / "company-scope-zh").is_dir():
        print(f"evaluation data not found under {data} (set DETECTOR_EVAL_DATA)", file=sys.stderr)
        return 2
    settings = TopicSettings()
    for item in args.set:
        name, _, value = item.partition("=")
        current = getattr(settings, name)
        settings = replace(settings, **{name: type(current)(value)})
    if args.calibrate:
        return calibrate(
            data, settings, args.sites_per_industry, args.mode or tuple(REFERENCES), not args.loose
        )
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        industries = HELD_OUT_INDUSTRIES if args.split == 1 else CALIBRATION_INDUSTRIES
        sites = generate(
            data, args.seed, args.split, industries, args.sites_per_industry, strict=not args.loose
        )
        write_sites(sites, args.out)
        write_corpus(data, args.out)
        print(f"{len(sites)} sites, {sum(len(s.pages) for s in sites)} pages written to {args.out}")
        return 0
    ap.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
