#!/usr/bin/env python3
"""Self-check of the demo corpus: the facts listed in corpus/README.md.

Plain python3 standard library, no dependencies. Run from anywhere:

    python3 corpus/check_corpus.py [--seed PATH/TO/seed-page.txt]

Exits 0 when every check passes, 1 otherwise (one line per failure).
The seed comparison runs only when the seed file is found (default:
../shared/seeds/seed-page.txt next to the repository).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
PAGES = HERE / "pages"
DEFAULT_SEED = HERE.parent.parent / "shared" / "seeds" / "seed-page.txt"

SEED_PAGE = PAGES / "xinhengxing" / "news-alibaba-b2b.html"
PORTALS = [
    SOURCES / "portal-a" / "alibaba-b2b-18-years.html",
    SOURCES / "portal-b" / "alibaba-b2b-18-years.html",
]
XHX_OWN = [PAGES / "xinhengxing" / n for n in ("about.html", "products.html", "news-tradefair.html")]
OTHER_OWN = [
    PAGES / "lvyuan-property" / "about.html",
    PAGES / "lvyuan-property" / "projects.html",
    PAGES / "english-blog" / "about.html",
    PAGES / "english-blog" / "notes.md",
]
LVYUAN_REPOST = (PAGES / "lvyuan-property" / "news-market.html", "news-014")
ENGLISH_REPOST = (PAGES / "english-blog" / "index-post.html", "en-002")

DAISHAN = "戴珊是马云的学生,当年与丈夫追随马云创业,夫妻二人都是阿里巴巴十八罗汉成员"
DAISHAN_FULL = DAISHAN + ",阿里人更喜欢把这位大眼睛的合伙人称作MM。"
KEYS = ("id", "url", "title", "site", "category", "text")
CATEGORIES_ZH = {"科技", "财经", "房产", "家居", "教育", "体育", "娱乐", "游戏", "时政", "制造"}
VOID = {"meta", "link", "br", "hr", "img", "input", "wbr", "area", "base", "col", "source"}
WINDOW = 30  # characters: no own-page text of this length may occur in a source

failures: list[str] = []


def check(cond: bool, msg: str) -> None:
    if not cond:
        failures.append(msg)


class Page(HTMLParser):
    """Collects visible text, <p> texts (with their class path) and well-formedness problems."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []
        self.problems: list[str] = []
        self.paras: list[tuple[str, str]] = []  # (enclosing classes, text)
        self.text: list[str] = []
        self.meta_charset = False
        self.external: list[str] = []
        self._p: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and (a.get("charset", "").lower() == "utf-8"):
            self.meta_charset = True
        if tag == "script" or (tag == "link" and "stylesheet" in (a.get("rel") or "")) or "src" in a:
            self.external.append(tag)
        if tag in VOID:
            return
        self.stack.append((tag, a.get("class") or a.get("id") or ""))
        if tag == "p":
            self._p = []

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.problems.append(f"unexpected </{tag}> (open: {[t for t, _ in self.stack[-3:]]})")
            return
        self.stack.pop()
        if tag == "p" and self._p is not None:
            self.paras.append((" ".join(c for _, c in self.stack), "".join(self._p)))
            self._p = None

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] in ("style", "script"):
            return
        self.text.append(data)
        if self._p is not None:
            self._p.append(data)


def parse(path: Path) -> Page:
    raw = path.read_bytes()
    try:
        src = raw.decode("utf-8")
    except UnicodeDecodeError:
        check(False, f"{path}: not UTF-8")
        src = raw.decode("utf-8", "replace")
    p = Page()
    p.feed(src)
    p.close()
    check(not p.problems, f"{path}: not well-formed: {p.problems[:3]}")
    check(not p.stack, f"{path}: unclosed tags {p.stack}")
    check(p.meta_charset, f"{path}: no <meta charset=utf-8>")
    check(not p.external, f"{path}: external resources or scripts: {p.external}")
    check(src.lstrip().lower().startswith("<!doctype html>"), f"{path}: no doctype")
    return p


def norm(s: str) -> str:
    """NFKC, whitespace removed: the form used for substring comparisons."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def windows(s: str, k: int = WINDOW) -> set[str]:
    return {s[i : i + k] for i in range(len(s) - k + 1)}


def cjk(s: str) -> int:
    return sum("\u4e00" <= c <= "\u9fff" for c in s)


def load_jsonl(path: Path) -> list[dict]:
    docs = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            check(False, f"{path}:{n}: bad JSON: {e}")
            continue
        missing = [k for k in KEYS if not isinstance(d.get(k), str) or not d[k].strip()]
        check(not missing, f"{path}:{n}: missing or empty keys {missing}")
        docs.append(d)
    return docs


def seed_lines(seed: Path) -> list[str]:
    lines = seed.read_text(encoding="utf-8").split("\n")
    start = lines.index("发布时间:2017-09-12 13:32") + 1
    end = next(i for i, line in enumerate(lines) if line.startswith("公司简介 | 公司新闻"))
    return [line for line in lines[start:end] if line.strip("\xa0 ")]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=Path, default=DEFAULT_SEED)
    args = ap.parse_args()

    # --- the seed page and its two sources ---------------------------------------------------
    page = parse(SEED_PAGE)
    body = [t for cls, t in page.paras if "article" in cls.split()]
    check(len(body) == 39, f"{SEED_PAGE}: expected 39 article paragraphs, found {len(body)}")
    if args.seed.is_file():
        check(body == seed_lines(args.seed), f"{SEED_PAGE}: article paragraphs differ from {args.seed}")
    else:
        print(f"note: seed {args.seed} not found, page-vs-seed comparison skipped")
    page_text = "".join(page.text)
    check(
        page_text.count(DAISHAN) == 3,
        f"{SEED_PAGE}: 戴珊 sentence occurs {page_text.count(DAISHAN)} times, expected 3",
    )
    check("".join(body).count(DAISHAN) == 3, f"{SEED_PAGE}: 戴珊 sentence not 3 times in the article body")
    check(
        "为何着眼中小型B2B服务?" in page_text and "发布时间:2017-09-12 13:32" in page_text,
        f"{SEED_PAGE}: title/date",
    )
    check(
        'href="http://www.xhxjcfj.example.cn/news/2017/0912.html"' in SEED_PAGE.read_text("utf-8"),
        f"{SEED_PAGE}: canonical",
    )

    stripped = [t.strip("\xa0 ") for t in body]
    doubled = [t for t in stripped if t.count(DAISHAN) == 2]
    check(len(doubled) == 1, "seed page: expected one paragraph holding the 戴珊 sentence twice")
    page_chars = sum(len(norm(t)) for t in stripped)
    portal_texts = {}
    for portal in PORTALS:
        pp = parse(portal)
        paras = [t.strip("\u3000\xa0 \n") for _, t in pp.paras]
        text = "".join(pp.text)
        portal_texts[portal] = text
        for t in stripped:
            if t in doubled:
                continue
            check(t in paras, f"{portal}: seed paragraph missing verbatim: {t[:20]}…")
        check(
            text.count(DAISHAN) == 1,
            f"{portal}: 戴珊 sentence occurs {text.count(DAISHAN)} times, expected 1",
        )
        check(text.count(DAISHAN_FULL) == 1, f"{portal}: full 戴珊 sentence (…称作MM。) not exactly once")
        # coverage of the seed page's article by this source, sentence by sentence
        src = norm(text)
        covered = 0
        for t in stripped:
            for sent in re.findall(r"[^。?!]+[。?!]?", norm(t)):
                if sent in src:
                    covered += len(sent)
                elif sent[:-1] in src:  # the doubled short form ends in 。 where the source goes on
                    covered += len(sent) - 1
        cov = covered / page_chars
        check(cov >= 0.95, f"{portal}: covers only {cov:.1%} of the seed page's article")
        print(f"{portal.relative_to(HERE)}: covers {cov:.1%} of the seed page's article text")
    a, b = (norm(portal_texts[p]) for p in PORTALS)
    check(
        "重新学会做一家年轻的公司" in a and "重新学会做一家年轻的公司" not in b,
        "portal-b should drop the last closing paragraph",
    )

    # --- the JSONL sources -------------------------------------------------------------------------
    news = load_jsonl(SOURCES / "news.jsonl")
    eng = load_jsonl(SOURCES / "english.jsonl")
    check(40 <= len(news) <= 60, f"news.jsonl: {len(news)} documents, expected 40-60")
    check(8 <= len(eng) <= 10, f"english.jsonl: {len(eng)} documents, expected 8-10")
    ids = [d.get("id") for d in news + eng]
    check(len(ids) == len(set(ids)), "duplicate ids in the JSONL sources")
    for d in news:
        check(d.get("category") in CATEGORIES_ZH, f"{d.get('id')}: category {d.get('category')!r}")
        n = cjk(d.get("text", ""))
        check(400 <= n <= 1500, f"{d.get('id')}: {n} CJK characters, expected 400-1500")
    for d in eng:
        n = len(d.get("text", "").split())
        check(200 <= n <= 600, f"{d.get('id')}: {n} words, expected 200-600")
    cats = {c: sum(d["category"] == c for d in news) for c in sorted(CATEGORIES_ZH)}
    check(cats["制造"] >= 4 and cats["房产"] >= 4, f"categories: {cats}")

    # --- no shared long passages between sources (except portal-a/portal-b) ------------------------
    src_docs = {d["id"]: norm(d["title"] + d["text"]) for d in news + eng}
    src_docs["portal-a"] = a
    src_docs["portal-b"] = b
    seen: dict[str, str] = {}
    for did, text in src_docs.items():
        for w in windows(text):
            other = seen.setdefault(w, did)
            if other != did and {other, did} != {"portal-a", "portal-b"}:
                check(False, f"sources {other} and {did} share the passage {w!r}")
                break
    # the Alibaba/e-commerce news are not copies of the story: no 20-character passage in common
    story = windows(a, 20)
    for d in news:
        common = windows(src_docs[d["id"]], 20) & story
        check(not common, f"{d['id']} shares a passage with the B2B story: {sorted(common)[:1]}")

    # --- own pages of the sites: not in any source --------------------------------------------------
    all_sources = "\n".join(src_docs.values())
    for path in XHX_OWN + OTHER_OWN:
        text = path.read_text("utf-8") if path.suffix == ".md" else "".join(parse(path).text)
        hits = [w for w in windows(norm(text)) if w in all_sources]
        check(not hits, f"{path}: own text found in a source: {hits[:1]}")
        if path in XHX_OWN:
            check('href="http://www.xhxjcfj.example.cn/' in path.read_text("utf-8"), f"{path}: canonical")

    # --- the two other reposts ------------------------------------------------------------------------
    by_id = {d["id"]: d for d in news + eng}
    path, sid = LVYUAN_REPOST
    paras = [t for _, t in parse(path).paras]
    src_paras = by_id[sid]["text"].split("\n")
    check(all(p in paras for p in src_paras[:-1]), f"{path}: does not hold {sid}'s paragraphs")
    check(src_paras[-1] not in paras, f"{path}: {sid}'s last paragraph should be cut")
    check(by_id[sid]["title"] not in "".join(parse(path).text), f"{path}: title should be rewritten")

    path, sid = ENGLISH_REPOST
    paras = [t for _, t in parse(path).paras]
    src_paras = by_id[sid]["text"].split("\n")
    exact = sum(p in paras for p in src_paras)
    check(
        exact >= 2 and exact <= len(src_paras) - 3, f"{path}: expected some paragraphs edited ({exact} exact)"
    )
    post = " ".join(paras).split()
    kept = sum(1 for p in src_paras if sum(w in post for w in p.split()) / len(p.split()) > 0.9)
    check(kept == len(src_paras) - 1, f"{path}: expected all but one of {sid}'s paragraphs, found {kept}")

    notes = (PAGES / "english-blog" / "notes.md").read_text("utf-8")
    sents = [s.strip() for s in re.split(r"(?<=[.!?])\s+", notes) if len(s.split()) >= 20]
    twice = {s for s in sents if sents.count(s) == 2}
    check(len(twice) == 1, f"notes.md: expected one 20+ word sentence occurring twice, found {len(twice)}")

    for f in failures:
        print("FAIL:", f)
    print(
        f"{len(news)} Chinese + {len(eng)} English JSONL sources, 2 portal pages; "
        f"{'all checks passed' if not failures else f'{len(failures)} failure(s)'}"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
