"""A generated corpus and batch of pages for the engine-equality tests (deterministic).

Sources: ~150 documents of 3-6 paragraphs in 5 categories, one id given twice (the later text
wins), some with URLs. Pages: two sites. ``news.example`` (JSONL, URLs) reposts 2-5 paragraphs
of one or two sources with a few characters edited and paragraphs shuffled, holds a page that
is itself in the corpus (same URL), two near-duplicate pages and a page with a sentence
repeated; ``factory`` (HTML files in a folder) has pages of its own text and one repost.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

CATEGORIES = ["财经", "科技", "体育", "教育", "房产"]
_ALPHABET = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你能而子那得自下经济发展"
    "企业市场产品技术公司管理服务行业政策投资合作创新质量生产销售客户平台数据网络学校学生教育比赛球队"
    "冠军房价楼盘城市项目资金银行利率科技芯片手机研发机床配件工厂设备订单出口展会"
)


def sentence(rng: random.Random) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(22, 38))) + "。"


def paragraph(rng: random.Random) -> str:
    return "".join(sentence(rng) for _ in range(rng.randint(2, 4)))


def edit(rng: random.Random, text: str, every: int = 40) -> str:
    chars = list(text)
    for i in range(rng.randrange(every), len(chars), every):
        if chars[i] != "。":
            chars[i] = rng.choice(_ALPHABET)
    return "".join(chars)


def write_corpus(folder: Path, n_sources: int = 150, seed: int = 7) -> tuple[Path, Path]:
    """Writes sources.jsonl, pages/news.jsonl and pages/factory/*.html; returns the sources
    file and the pages folder."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    sources: list[dict[str, str]] = []
    for i in range(n_sources):
        paras = [paragraph(rng) for _ in range(rng.randint(3, 6))]
        record = {
            "id": f"src-{i:03d}",
            "title": f"稿件{i}",
            "category": CATEGORIES[i % 5],
            "text": "\n".join(paras),
        }
        if i % 3 == 0:
            record["url"] = f"https://portal{i % 4}.example/a/{i}.html"
        sources.append(record)
    # One id twice: the later text wins in every engine and store.
    sources.append({**sources[5], "text": "\n".join(paragraph(rng) for _ in range(4))})
    src_file = folder / "sources.jsonl"
    src_file.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in sources), encoding="utf-8")

    live = {s["id"]: s for s in sources}
    pages_dir = folder / "pages"
    (pages_dir / "factory").mkdir(parents=True, exist_ok=True)
    news: list[dict[str, str]] = []
    ids = sorted(live)
    for j in range(14):
        picked = [live[ids[rng.randrange(len(ids))]] for _ in range(1 if j % 3 else 2)]
        paras: list[str] = []
        for src in picked:
            own = src["text"].split("\n")
            paras += [edit(rng, p) for p in rng.sample(own, min(len(own), rng.randint(2, 5)))]
        rng.shuffle(paras)
        paras.append(paragraph(rng))  # some text of its own
        news.append({"id": f"news-{j}", "url": f"https://news.example/n/{j}.html", "text": "\n".join(paras)})
    with_url = next(s for s in sources if "url" in s)
    news.append({"id": "self", "url": with_url["url"], "text": with_url["text"]})  # the page is the source
    twin = paragraph(rng) + "\n" + paragraph(rng) + "\n" + paragraph(rng)
    news.append({"id": "twin-a", "url": "https://news.example/twin-a.html", "text": twin})
    news.append({"id": "twin-b", "url": "https://news.example/twin-b.html", "text": edit(rng, twin, 90)})
    repeated = sentence(rng) + sentence(rng)
    news.append(
        {
            "id": "repeats",
            "url": "https://news.example/repeats.html",
            "text": paragraph(rng) + repeated + paragraph(rng) + "\n" + repeated + paragraph(rng),
        }
    )
    (pages_dir / "news.jsonl").write_text(
        "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in news), encoding="utf-8"
    )
    for k in range(5):
        body = [paragraph(rng) for _ in range(3)]
        if k == 2:
            body += live[ids[17]]["text"].split("\n")[:2]
        html = (
            "<!doctype html><html><head><meta charset='utf-8'>"
            "<title>公司新闻 - 鑫恒兴机床附件</title></head><body>"
            "<div class='nav'><a href='/'>首页</a> | <a href='/news'>公司新闻</a></div>"
            f"<h1>新闻{k}</h1><div class='content'>{''.join(f'<p>{p}</p>' for p in body)}</div>"
            "<div class='footer'>Copyright 2020 鑫恒兴机床附件制造厂 版权所有</div></body></html>"
        )
        (pages_dir / "factory" / f"news-{k}.html").write_text(html, encoding="utf-8")
    return src_file, pages_dir
