"""Realistic scan dicts (CONTRACT.md form) built by hand until the real pipeline exists.

The seed page (``data/seed-page.txt``, a machine-tool factory's "company news" page carrying an
Alibaba feature) is scanned against a source made by reordering its paragraphs (one reworded, one
left out, the doubled sentence only once, two more paragraphs at the end): an off-topic repost with
the three occurrences of the 戴珊 sentence as a duplicate passage, shared with a second page of the
site. Around it: a clean page of the same site, an English page with a partial repost and an
unknown topic, an unreadable page and a hostile page.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "contract" / "scan.schema.json"  # the project's copy
DUP_SENTENCE = "戴珊是马云的学生,当年与丈夫追随马云创业,夫妻二人都是阿里巴巴十八罗汉成员"
SITE = "www.qyxhx.com"
SEED_URI = "mirror/www.qyxhx.com/news/2017/0912-b2b.html"
COPY_URI = "mirror/www.qyxhx.com/news/2017/0915-b2b-copy.html"
PRODUCT_URI = "mirror/www.qyxhx.com/products/chuck.html"
EN_URI = "blog/2024/near-duplicates.html"
ERROR_URI = "mirror/broken/gbk-garbage.html"
ALIBABA_ID = "corpus/news/alibaba-b2b-18-years.txt"
EN_ID = "corpus/en/minhash-explained.md"

XSS = '<script>window.__pwned=1;alert("x")</script>'
HOSTILE_URI = '../../../etc/passwd"><img src=x onerror="window.__pwned=1">\u202e.html'
HOSTILE_STRINGS = {
    "uri": HOSTILE_URI,
    "url": "javascript:window.__pwned=1",
    "site": '<img src=x onerror="window.__pwned=1">',
    "site_name": "Evil \u202egnp.exe",
    "title": XSS + "\u202eTitle</title><script>window.__pwned=1</script>",
    "message": "copied <b onmouseover=window.__pwned=1>bold</b> " + XSS,
    "source_title": '<img src=x onerror="window.__pwned=1"></textarea>' + XSS,
    "source_url": "javascript:alert(1)",
    "category": "</style><script>window.__pwned=1</script>",
    "term": '"><svg onload=window.__pwned=1>',
    "error": XSS,
    "settings": "</script><!--<script>window.__pwned=1</script>",
}


def _nonspace(text: str, spans: list[tuple[int, int]]) -> int:
    covered = set()
    for s, e in spans:
        covered.update(i for i in range(s, e) if not text[i].isspace())
    return len(covered)


def _ns(text: str) -> int:
    return sum(1 for c in text if not c.isspace())


def _fp(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the non-blank lines of ``text[start:end]``, stripped of (non-breaking) spaces."""
    spans = []
    pos = start
    for line in text[start:end].split("\n"):
        stripped = line.strip()
        if stripped:
            s = pos + line.index(stripped)
            spans.append((s, s + len(stripped)))
        pos += len(line) + 1
    return spans


def align(page: str, main: tuple[int, int], source: str, near: dict[str, str]) -> list[dict[str, Any]]:
    """Copied passages: page paragraphs (or their sentences) found in ``source``, neighbours merged."""
    found: list[tuple[tuple[int, int], tuple[int, int], float]] = []
    for s, e in paragraphs(page, *main):
        para = page[s:e]
        at = source.find(near.get(para, para))
        if at >= 0:
            found.append(((s, e), (at, at + len(near.get(para, para))), 0.8824 if para in near else 1.0))
            continue
        for m in re.finditer(r"[^。]+。?", para):
            sentence = m.group().rstrip("。")
            at = source.find(sentence)
            if at >= 0 and len(sentence) >= 10:
                found.append(((s + m.start(), s + m.start() + len(sentence)), (at, at + len(sentence)), 1.0))
    merged: list[list[Any]] = []
    for p, q, sim in found:
        if merged:
            (ps, pe), (qs, qe), psim = merged[-1]
            if not page[pe : p[0]].strip() and q[0] >= qe and not source[qe : q[0]].strip():
                merged[-1] = [(ps, p[1]), (qs, q[1]), min(psim, sim)]
                continue
        merged.append([p, q, sim])
    return [{"page": list(p), "source": list(q), "similarity": sim} for p, q, sim in merged]


@cache
def seed_text() -> str:
    return (DATA / "seed-page.txt").read_text(encoding="utf-8")


def seed_blocks(text: str, title_line: str) -> tuple[list[dict[str, Any]], tuple[int, int]]:
    t0 = text.index(title_line)
    t1 = t0 + len(title_line) + 1
    m0 = text.index("\n\n", t1) + 2
    m1 = text.index("公司简介 |")
    blocks = [
        {"start": 0, "end": t0, "kind": "boilerplate"},
        {"start": t0, "end": t1, "kind": "title"},
        {"start": t1, "end": m0, "kind": "boilerplate"},
        {"start": m0, "end": m1, "kind": "main"},
        {"start": m1, "end": len(text), "kind": "boilerplate"},
    ]
    return blocks, (m0, m1)


LEFT_OUT = "杨猛说,有过疯狂,有过迷茫,才是真正的18年"
REWORDED = ("回顾那段过往,很多“中供”老人情感复杂。", "回顾那段过往,许多“中供”老人心情复杂。")


@cache
def alibaba_source_text() -> str:
    text = seed_text()
    _, main = seed_blocks(text, "为何着眼中小型B2B服务?")
    paras = [text[s:e] for s, e in paragraphs(text, *main)]
    paras = [p for p in paras if not p.startswith(LEFT_OUT) and not p.startswith(DUP_SENTENCE + "。")]
    paras = [REWORDED[1] if p == REWORDED[0] else p for p in paras]
    k = 4  # the page moved the "black list" opening to the top: the source tells it later
    reordered = paras[k:14] + paras[:k] + paras[14:]
    reordered += [
        "阿里巴巴B2B的十八年,是中国中小企业走向互联网的十八年。",
        "(本文来源:钱江晚报,记者 张冬晓)",
    ]
    return "阿里巴巴B2B十八年:摔过的跟头与练出的肌肉\n\n" + "\n\n".join(reordered) + "\n"


def _repost(text: str, main: tuple[int, int], kind: str, severity: str) -> dict[str, Any]:
    source = alibaba_source_text()
    passages = align(text, main, source, {REWORDED[0]: REWORDED[1]})
    coverage = _nonspace(text, [tuple(p["page"]) for p in passages]) / _ns(text[main[0] : main[1]])
    source_cov = _nonspace(source, [tuple(p["source"]) for p in passages]) / _ns(source)
    finding: dict[str, Any] = {
        "kind": kind,
        "severity": severity,
        "score": round(coverage, 4),
        "message": f"{round(coverage * 100)}% of the main text is copied from 阿里巴巴B2B十八年 (钱江晚报), "
        "an article about e-commerce history far from this site's machine-tool topic.",
        "fingerprint": _fp(kind, ALIBABA_ID),
        "source": {
            "id": ALIBABA_ID,
            "uri": "corpus/news/alibaba-b2b-18-years.txt",
            "url": "https://zjnews.example.cn/system/2017/09/10/alibaba-b2b.shtml",
            "title": "阿里巴巴B2B十八年:摔过的跟头与练出的肌肉",
            "category": "互联网/电子商务",
        },
        "coverage": round(coverage, 4),
        "source_coverage": round(source_cov, 4),
        "passages": passages,
        "also_in": [
            {
                "id": "corpus/news/sina-alibaba-b2b.txt",
                "uri": "corpus/news/sina-alibaba-b2b.txt",
                "title": "阿里B2B十八年(新浪转载)",
                "url": None,
                "category": "互联网/电子商务",
            }
        ],
    }
    if kind == "off-topic-repost":
        finding["topic"] = {
            "similarity": 0.0412,
            "threshold": 0.12,
            "site_terms": ["机床附件", "卡盘", "顶尖", "庆云", "制造厂", "分度头"],
            "page_terms": ["阿里巴巴", "马云", "中供", "B2B", "淘宝", "电子商务"],
            "source_category": "互联网/电子商务",
        }
    return finding


def _dup_occurrences(text: str) -> list[list[int]]:
    spans = []
    for m in re.finditer(re.escape(DUP_SENTENCE), text):
        end = m.end()
        rest = text[end:]
        # the first stands inside a longer sentence: its longest form counts as is
        tail = re.match(r"[^。\n]*。", rest)
        spans.append([m.start(), end + (tail.end() if tail else 0)])
    return spans


def seed_page() -> dict[str, Any]:
    text = seed_text()
    blocks, _ = seed_blocks(text, "为何着眼中小型B2B服务?")
    return {
        "uri": SEED_URI,
        "url": "http://www.qyxhx.com/news/2017/0912-b2b.html",
        "site": SITE,
        "site_name": "山东庆云鑫恒兴机床附件制造厂",
        "title": "为何着眼中小型B2B服务?",
        "encoding": "gb18030",
        "text": text,
        "blocks": blocks,
        "content": {"unique": 0.0213, "shared": 0.9787, "copied": 0.9552},
        "findings": [],
    }


def copy_page() -> dict[str, Any]:
    text = seed_text().replace("为何着眼中小型B2B服务?", "阿里巴巴十八年:中小企业B2B之路", 1)
    text = text.replace("发布时间:2017-09-12 13:32", "发布时间:2017-09-15 08:10", 1)
    blocks, _ = seed_blocks(text, "阿里巴巴十八年:中小企业B2B之路")
    return {
        "uri": COPY_URI,
        "url": "http://www.qyxhx.com/news/2017/0915-b2b-copy.html",
        "site": SITE,
        "site_name": "山东庆云鑫恒兴机床附件制造厂",
        "title": "阿里巴巴十八年:中小企业B2B之路",
        "encoding": "gb18030",
        "text": text,
        "blocks": blocks,
        "content": {"unique": 0.0, "shared": 1.0, "copied": 0.9552},
        "findings": [],
    }


PRODUCT_TEXT = (
    "山东庆云鑫恒兴机床附件制造厂\n\n"
    "三爪自定心卡盘\n\n"
    "本厂生产的三爪自定心卡盘采用优质合金钢制造,卡爪经高频淬火,精度高、夹紧力大、使用寿命长。"
    "适用于车床、铣床、磨床及各类数控机床。\n\n"
    "规格:K11-125、K11-160、K11-200、K11-250。可按客户图纸定制分度头、顶尖、平口钳等机床附件。\n\n"
    "联系电话:0534-3721888  地址:山东省庆云县工业园区\n"
    "Copyright 2015-2016 山东庆云鑫恒兴机床附件制造厂 版权所有\n"
)


def product_page() -> dict[str, Any]:
    text = PRODUCT_TEXT
    t0 = text.index("三爪自定心卡盘\n")
    m0 = text.index("本厂")
    m1 = text.index("联系电话")
    return {
        "uri": PRODUCT_URI,
        "url": "http://www.qyxhx.com/products/chuck.html",
        "site": SITE,
        "site_name": "山东庆云鑫恒兴机床附件制造厂",
        "title": "三爪自定心卡盘",
        "encoding": "gb18030",
        "text": text,
        "blocks": [
            {"start": 0, "end": t0, "kind": "boilerplate"},
            {"start": t0, "end": m0, "kind": "title"},
            {"start": m0, "end": m1, "kind": "main"},
            {"start": m1, "end": len(text), "kind": "boilerplate"},
        ],
        "topic": {
            "similarity": 0.6115,
            "threshold": 0.12,
            "site_terms": ["卡盘", "机床附件"],
            "page_terms": ["卡盘", "淬火"],
        },
        "content": {"unique": 1.0, "shared": 0.0, "copied": 0.0},
        "findings": [],
    }


EN_SOURCE = (
    "MinHash, explained\n\n"
    "MinHash estimates the Jaccard similarity of two sets without comparing them element by element. "
    "Each set is hashed with many independent hash functions, and only the minimum value of each is kept.\n\n"
    "The probability that two sets share the same minimum for one hash function equals their Jaccard "
    "similarity, so the fraction of equal minima across all functions is an unbiased estimate.\n\n"
    "Locality-sensitive hashing then groups the signature into bands: two documents become candidates "
    "when all rows of at least one band agree.\n\n"
    "Verification matters: an LSH query returns keys without scores, so every candidate must be checked.\n"
)


def english_page() -> dict[str, Any]:
    own = (
        "Near-duplicate detection for our docs site\n\n"
        "We wanted to find pages in our documentation that were pasted from elsewhere. "
        "We tried shingles, MinHash and a few heuristics; this post is a short write-up of what worked, "
        "what did not, and what we would do differently next time on a larger site.\n\n"
    )
    copied = EN_SOURCE.split("\n\n")[2] + "\n\n" + EN_SOURCE.split("\n\n")[3]
    text = own + copied + "\n\nThat is all for today. Comments are welcome.\n\nHome | About | RSS\n"
    t1 = own.index("\n\n") + 2
    m1 = text.index("Home |")
    p0 = text.index(copied[:40])
    s0 = EN_SOURCE.index(copied[:40])
    passage = {"page": [p0, p0 + len(copied)], "source": [s0, s0 + len(copied)], "similarity": 0.9733}
    coverage = round(_ns(copied) / _ns(text[t1:m1]), 4)
    return {
        "uri": EN_URI,
        "url": "https://example.org/blog/2024/near-duplicates?utm_source=feed&ref=a",
        "site": "example.org",
        "site_name": "Example Engineering Blog",
        "title": "Near-duplicate detection for our docs site",
        "encoding": "utf-8",
        "text": text,
        "blocks": [
            {"start": 0, "end": t1, "kind": "title"},
            {"start": t1, "end": m1, "kind": "main"},
            {"start": m1, "end": len(text), "kind": "boilerplate"},
        ],
        "topic": {
            "verdict": "unknown",
            "reason": "site example.org has 1 page with 180 characters of own text; "
            "a profile needs 500 (pass --site-profile to give one)",
        },
        "findings": [
            {
                "kind": "repost",
                "severity": "medium" if coverage < 0.5 else "high",
                "score": coverage,
                "message": f"{round(coverage * 100)}% of the main text is copied from “MinHash, explained”.",
                "fingerprint": _fp("repost", EN_ID),
                "source": {
                    "id": EN_ID,
                    "uri": EN_ID,
                    "url": "https://docs.example.com/minhash",
                    "title": "MinHash, explained",
                    "category": "engineering",
                },
                "coverage": coverage,
                "source_coverage": round(_ns(copied) / _ns(EN_SOURCE), 4),
                "passages": [passage],
                "also_in": [],
            }
        ],
    }


def error_page() -> dict[str, Any]:
    return {
        "uri": ERROR_URI,
        "url": None,
        "site": "mirror",
        "site_name": None,
        "title": None,
        "encoding": None,
        "text": "",
        "blocks": [],
        "error": "mirror/broken/gbk-garbage.html: cannot decode the bytes (0x81 0xff at offset 12) "
        "as gb18030 or utf-8",
        "findings": [],
    }


def hostile_page() -> dict[str, Any]:
    h = HOSTILE_STRINGS
    text = (
        h["title"] + "\n\n"
        'Click <a href="javascript:window.__pwned=1">here</a> or <img src=x onerror="window.__pwned=1">.\n'
        "</textarea></script><!-- <script>window.__pwned=1</script> --></style>\n"
        "Bidi: abc\u202edcba\u202c and \u2066isolate\u2069 and \u200fRLM; control: \x07bell \x1besc.\n"
        '<iframe src="https://evil.example/"></iframe><link rel=stylesheet href="https://evil.example/x.css">\n'
        "Repeated: " + XSS + " Repeated: " + XSS + "\n"
        "&lt;script&gt; &amp; &#x3C;script&#x3E; {{ 7*7 }} {% raw %} ${7*7}\n"
    )
    t1 = len(h["title"]) + 2
    occ = [m.span() for m in re.finditer(re.escape(XSS), text)][1:]
    sid = '<src id="1">'
    return {
        "uri": h["uri"],
        "url": h["url"],
        "site": h["site"],
        "site_name": h["site_name"],
        "title": h["title"],
        "encoding": "<meta charset=x>",
        "text": text,
        "blocks": [{"start": 0, "end": t1, "kind": "title"}, {"start": t1, "end": len(text), "kind": "main"}],
        "topic": {"verdict": "unknown", "reason": h["message"]},
        "findings": [
            {
                "kind": "repost",
                "severity": "low",
                "score": 0.1,
                "message": h["message"],
                "fingerprint": "<fp>" + XSS,
                "source": {
                    "id": sid,
                    "uri": h["uri"],
                    "url": h["source_url"],
                    "title": h["source_title"],
                    "category": h["category"],
                },
                "coverage": 0.1,
                "source_coverage": 0.2,
                "passages": [{"page": list(occ[0]), "source": [0, len(XSS)], "similarity": 1.0}],
                "also_in": [{"id": "x", "uri": h["uri"], "title": h["source_title"]}],
            },
            {
                "kind": "off-topic",
                "severity": "medium",
                "score": 0.9,
                "message": h["message"],
                "fingerprint": "fp2",
                "topic": {
                    "similarity": 0.01,
                    "threshold": 0.12,
                    "site_terms": [h["term"], "\u202eabc"],
                    "page_terms": [h["term"], XSS],
                    "source_category": h["category"],
                },
            },
            {
                "kind": "duplicate-passage",
                "severity": "medium",
                "score": 0.5,
                "message": h["message"],
                "fingerprint": "fp3",
                "occurrences": [list(s) for s in occ] + [[occ[0][0], occ[0][0] + 12]],
                "also_in": [
                    {"uri": h["uri"], "occurrences": [[0, 5]]},
                    {"uri": "javascript:alert(1)", "occurrences": []},
                ],
            },
            {
                "kind": "duplicate-page",
                "severity": "medium",
                "score": 0.9,
                "message": h["message"],
                "fingerprint": "fp4",
                "other": {"uri": "javascript:window.__pwned=1"},
                "similarity": 0.9,
            },
        ],
    }


def _hostile_source() -> dict[str, Any]:
    h = HOSTILE_STRINGS
    return {
        "id": '<src id="1">',
        "uri": h["uri"],
        "url": h["source_url"],
        "title": h["source_title"],
        "category": h["category"],
        "text": XSS + "\n</textarea>\u202e and more source text " + XSS,
    }


def _summary(pages: list[dict[str, Any]], sites: dict[str, Any] | None = None) -> dict[str, Any]:
    kinds: dict[str, int] = {}
    sev: dict[str, int] = {}
    for p in pages:
        for f in p["findings"]:
            kinds[f["kind"]] = kinds.get(f["kind"], 0) + 1
            sev[f["severity"]] = sev.get(f["severity"], 0) + 1
    out: dict[str, Any] = {
        "pages": len(pages),
        "errors": sum(1 for p in pages if "error" in p),
        "findings": kinds,
        "severities": sev,
    }
    if sites is not None:
        out["sites"] = sites
    return out


def demo_scan() -> dict[str, Any]:
    """The full fixture run: seven pages, three sources, every kind of finding."""
    seed, dup, product = seed_page(), copy_page(), product_page()
    for page, other in ((seed, dup), (dup, seed)):
        main = next((b["start"], b["end"]) for b in page["blocks"] if b["kind"] == "main")
        page["findings"].append(_repost(page["text"], main, "off-topic-repost", "high"))
        occurrences = _dup_occurrences(page["text"])
        page["findings"].append(
            {
                "kind": "duplicate-passage",
                "severity": "medium",
                "score": 0.6667,
                "message": f"The sentence “{DUP_SENTENCE[:12]}…” stands {len(occurrences)} times on this "
                "page and again on another page of the site.",
                "fingerprint": _fp("duplicate-passage", DUP_SENTENCE),
                "occurrences": occurrences,
                "also_in": [{"uri": other["uri"], "occurrences": _dup_occurrences(other["text"])}],
            }
        )
        page["findings"].append(
            {
                "kind": "duplicate-page",
                "severity": "medium",
                "score": 0.9912,
                "message": "Most of the main text is the same as another page of this site.",
                "fingerprint": _fp("duplicate-page", *sorted([page["uri"], other["uri"]])),
                "other": {"uri": other["uri"]},
                "similarity": 0.9912,
            }
        )
    pages = [seed, dup, product, english_page(), error_page(), hostile_page()]
    sources = {
        ALIBABA_ID: {**seed["findings"][0]["source"], "text": alibaba_source_text()},
        EN_ID: {
            "id": EN_ID,
            "uri": EN_ID,
            "url": "https://docs.example.com/minhash",
            "title": "MinHash, explained",
            "category": "engineering",
            "text": EN_SOURCE,
        },
        '<src id="1">': _hostile_source(),
    }
    sites = {
        SITE: {"pages": 3, "unique": 0.3404, "shared": 0.6596, "copied": 0.6368, "duplicate_pages": 2},
        "example.org": {"pages": 1, "unique": 0.5812, "shared": 0.0, "copied": 0.4188},
    }
    return {
        "schema": "detector.scan/1",
        "tool": {"name": "detector", "version": "0.1.0"},
        "settings": {
            "shingle_size": 5,
            "num_perm": 128,
            "lsh_threshold": 0.5,
            "topic_threshold": 0.12,
            "fail_on": None,
            "note": HOSTILE_STRINGS["settings"],
        },
        "index": {
            "path": "reports/demo.sqlite",
            "documents": 3,
            "normaliser": "nfkc-1",
            "shingle_size": 5,
            "num_perm": 128,
            "seed": 1,
            "created": "2024-05-01T10:00:00Z",
        },
        "sources": sources,
        "pages": pages,
        "summary": _summary(pages, sites),
    }


def minimal_scan(pages: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    pages = pages or []
    return {
        "schema": "detector.scan/1",
        "tool": {"name": "detector", "version": "0"},
        "settings": {},
        "index": None,
        "sources": {},
        "pages": pages,
        "summary": _summary(pages),
    }


def bare_page(uri: str, text: str = "", **extra: Any) -> dict[str, Any]:
    return {
        "uri": uri,
        "url": None,
        "site": "s",
        "site_name": None,
        "title": None,
        "encoding": None,
        "text": text,
        "blocks": [],
        "findings": [],
        **extra,
    }


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def fresh(scan: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(scan)
