"""Generated company sites for the site-level tests and bench/site.py (our own text, deterministic).

A site of N pages has:
- a template: a slogan line and a contact line on every page; on even pages inside <header>/<footer>
  markup, on odd pages in plain <div>s with no hint (so it must be learned);
- spun paragraphs: each of a few paragraphs repeated on a handful of pages, lightly edited on some;
- two near-identical pages (the last two);
- unique pages: paragraphs of random text that no other page shares;
- optionally one page that copies a source article (returned so a test can index it).
Unique text is drawn character by character from a pool of common hanzi, so no two unique
paragraphs share a run of six characters by chance.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

POOL = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
    "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性"
    "好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第"
    "向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管"
    "特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处"
)
SLOGAN = "欢迎访问华东精工机械有限公司网站，本公司专业生产各类精密机床附件，质量可靠，服务周到。"
CONTACT = "联系电话：0512-66668888　传真：0512-66668889　地址：江苏省苏州市工业园区精工路18号"
SPUN = [
    "我公司新建的热处理车间已经全面投产，配备了多台真空淬火炉和回火炉，可以满足各类卡盘零件的热处理要求，产品硬度更加均匀稳定。",
    "为了提高产品精度，公司引进了五轴联动加工中心和三坐标测量机，所有出厂产品都要经过严格的尺寸检测，确保每一件都符合国家标准。",
    "公司坚持以客户为中心的经营理念，为客户提供售前咨询、方案设计、安装调试和售后维修的一站式服务，赢得了国内外客户的广泛好评。",
    "今年上半年，公司产品远销东南亚、中东和南美等地区，出口额同比增长百分之三十，海外市场已经成为公司新的增长点。",
    "公司每年投入销售收入的百分之五用于新产品研发，先后获得二十多项国家专利，其中液压动力卡盘技术达到国内先进水平。",
]


@dataclass(frozen=True)
class GeneratedSite:
    folder: Path
    pages: list[str]  # file names, in order
    spun_pages: dict[int, list[int]]  # spun paragraph -> pages that carry it
    near_duplicates: tuple[int, int]
    unique_pages: list[int]
    copied_page: int | None
    source_text: str | None


def _random_paragraph(rng: random.Random, length: int) -> str:
    out: list[str] = []
    while len(out) < length:
        run = rng.randint(8, 18)
        out.extend(rng.choice(POOL) for _ in range(run))
        out.append(rng.choice("，，。"))
    out[-1] = "。"
    return "".join(out)


def _edit(rng: random.Random, text: str, changes: int) -> str:
    chars = list(text)
    for _ in range(changes):
        i = rng.randrange(len(chars))
        if "\u4e00" <= chars[i] <= "\u9fff":
            chars[i] = rng.choice(POOL)
    return "".join(chars)


def _page(title: str, paragraphs: list[str], marked: bool) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    if marked:
        nav = "<nav><a href='/'>首页</a> <a href='/news/'>新闻</a></nav>"
        head = f"<header><div class='slogan'>{SLOGAN}</div>{nav}</header>"
        foot = f"<footer><p>{CONTACT}</p></footer>"
    else:
        head = f"<div class='top'><p>{SLOGAN}</p></div>"
        foot = f"<div class='bottom'><p>{CONTACT}</p></div>"
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body>{head}"
        f"<div class='article'><h1>{title}</h1>{body}</div>{foot}</body></html>"
    )


def generate_site(folder: Path, pages: int = 50, seed: int = 1, with_copy: bool = True) -> GeneratedSite:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    bodies: list[list[str]] = [[_random_paragraph(rng, rng.randint(80, 160))] for _ in range(pages)]
    spun_pages: dict[int, list[int]] = {}
    candidates = list(range(pages - 2))
    rng.shuffle(candidates)
    per = max(2, min(4, (pages - 2) // (2 * len(SPUN))))
    for k, text in enumerate(SPUN):
        chosen = sorted(candidates[k * per : (k + 1) * per])
        spun_pages[k] = chosen
        for j, p in enumerate(chosen):
            bodies[p].insert(rng.randrange(len(bodies[p]) + 1), _edit(rng, text, 2) if j % 2 else text)
    a, b = pages - 2, pages - 1
    base = [_random_paragraph(rng, 150) for _ in range(4)]
    bodies[a] = base
    bodies[b] = [_edit(rng, p, 2) for p in base]
    used = {p for ps in spun_pages.values() for p in ps} | {a, b}
    unique = [p for p in range(pages) if p not in used]
    copied_page = None
    source_text = None
    if with_copy and unique:
        copied_page = unique.pop(0)
        source_text = "\n".join(_random_paragraph(rng, 120) for _ in range(3))
        bodies[copied_page] = source_text.split("\n")[:2] + bodies[copied_page]
    names = []
    for i in range(pages):
        name = f"page-{i:05d}.html"
        (folder / name).write_text(_page(f"公司新闻第{i}期", bodies[i], marked=i % 2 == 0), encoding="utf-8")
        names.append(name)
    return GeneratedSite(folder, names, spun_pages, (a, b), unique, copied_page, source_text)
