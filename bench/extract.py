"""Main-text extraction against two independent extractors (issue 13, item 5).

    python bench/extract.py [--data DIR] [--show PAGE] [--json FILE]

The pages in ``gne-html`` have no gold extraction, so our main text (the ``main`` blocks of
``detector``'s Document; title and boilerplate left out) is compared with trafilatura's
(``trafilatura.extract``, defaults, no comments) and with GNE's (``GeneralNewsExtractor``,
the extractor these pages were collected for), all three run on the same decoded text.

Character-level F1: white space removed, the two texts aligned with difflib's
SequenceMatcher (no junk heuristic); matched characters / our length is the precision,
/ the reference length the recall. ``both`` is the text trafilatura and GNE agree on (their
alignment) and ``lost`` the share of it that our main text misses: the gate is that no page
loses article text that both other extractors keep (lost <= 0.05, or under 20 characters, on
every page, except the pages in REVIEWED, where what both keep was read and is not the
article's text).

Needs the ``test`` extra (trafilatura, lxml_html_clean, gne).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from difflib import SequenceMatcher
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from detector.ingest.build import document_from_text  # noqa: E402
from detector.ingest.decode import decode_bytes  # noqa: E402

LOST_GATE = 0.05
LOST_MIN_CHARS = 20
LOW_F1 = 0.8
# Pages whose "lost" text was read by hand: both other extractors keep text that is not the article's.
REVIEWED = {
    "tests/163/5.html": "the 延伸·推荐 box: the title and lead of another story",
    "tests/stcn/1.html": "breadcrumb, byline, the 声明 disclaimer and the WeChat promotion",
}


def squeeze(text: str) -> str:
    return "".join(text.split())


def matched(a: str, b: str) -> int:
    if not a or not b:
        return 0
    return sum(m.size for m in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())


def common(a: str, b: str) -> str:
    """The characters of ``a`` that ``b`` also holds, in order (their alignment)."""
    if not a or not b:
        return ""
    sm = SequenceMatcher(None, a, b, autojunk=False)
    return "".join(a[m.a : m.a + m.size] for m in sm.get_matching_blocks())


def f1(ours: str, ref: str) -> float:
    if not ours and not ref:
        return 1.0
    m = matched(ours, ref)
    if m == 0:
        return 0.0
    p, r = m / len(ours), m / len(ref)
    return 2 * p * r / (p + r)


def ours_of(html: str, uri: str) -> str:
    doc = document_from_text(html, uri=uri, doc_id=uri, site="bench", kind="html")
    return "\n".join(doc.text[s:e] for s, e in doc.main_spans())


def trafilatura_of(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, include_comments=False) or ""


def gne_of(html: str) -> str:
    from gne import GeneralNewsExtractor

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = GeneralNewsExtractor().extract(html)
    except Exception:  # GNE raises on odd pages: count them as empty
        return ""
    return str(out.get("content") or "")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--data", default=os.environ.get("DETECTOR_EVAL_DATA") or str(REPO.parent / "shared" / "data")
    )
    ap.add_argument("--show", help="print the three texts of the page whose path ends with this")
    ap.add_argument("--json", help="write the per-page figures here")
    args = ap.parse_args()
    root = Path(args.data) / "gne-html"
    if not root.is_dir():
        sys.exit(f"bench/extract.py: {root} not found (the evaluation data)")
    pages = sorted(p for p in root.rglob("*") if p.suffix in (".html", ".htm"))
    rows = []
    start = time.perf_counter()
    for path in pages:
        name = str(path.relative_to(root))
        html, _ = decode_bytes(path.read_bytes(), where=name, is_html=True)
        ours, traf, gne = ours_of(html, name), trafilatura_of(html), gne_of(html)
        if args.show and name.endswith(args.show):
            for label, t in (("OURS", ours), ("TRAFILATURA", traf), ("GNE", gne)):
                print(f"===== {label} ({len(squeeze(t))} chars)\n{t}\n")
        o, t, g = squeeze(ours), squeeze(traf), squeeze(gne)
        both = common(t, g)
        lost_chars = len(both) - matched(both, o)
        lost = lost_chars / len(both) if both else 0.0
        rows.append(
            {"page": name, "ours": len(o), "traf": len(t), "gne": len(g), "f1_traf": f1(o, t),
             "f1_gne": f1(o, g), "both": len(both), "lost": lost, "lost_chars": lost_chars}
        )  # fmt: skip
    secs = time.perf_counter() - start
    head = f"{'page':34s} {'ours':>6s} {'traf':>6s} {'gne':>6s}  {'F1 traf':>7s} {'F1 gne':>7s}"
    print(f"{head}  {'both':>6s} {'lost':>6s}")
    for r in rows:
        flag = " <" if r["f1_traf"] < LOW_F1 and r["f1_gne"] < LOW_F1 else ""
        if r["lost"] > LOST_GATE and r["lost_chars"] >= LOST_MIN_CHARS:
            flag += " reviewed" if r["page"] in REVIEWED else " LOST"
        print(
            f"{r['page']:34s} {r['ours']:6d} {r['traf']:6d} {r['gne']:6d}"
            f"  {r['f1_traf']:7.3f} {r['f1_gne']:7.3f}  {r['both']:6d} {r['lost']:6.3f}{flag}"
        )
    n = len(rows)
    mean_t = sum(r["f1_traf"] for r in rows) / n
    mean_g = sum(r["f1_gne"] for r in rows) / n
    mean = sum((r["f1_traf"] + r["f1_gne"]) / 2 for r in rows) / n
    articles = [r for r in rows if not r["page"].startswith("test_list_page/")]
    art_t = sum(r["f1_traf"] for r in articles) / len(articles)
    art_g = sum(r["f1_gne"] for r in articles) / len(articles)
    low_t = [r["page"] for r in rows if r["f1_traf"] < LOW_F1]
    low_g = [r["page"] for r in rows if r["f1_gne"] < LOW_F1]
    low_both = [r["page"] for r in rows if r["f1_traf"] < LOW_F1 and r["f1_gne"] < LOW_F1]
    lost_all = [r["page"] for r in rows if r["lost"] > LOST_GATE and r["lost_chars"] >= LOST_MIN_CHARS]
    lost = [p for p in lost_all if p not in REVIEWED]
    print(f"\n{n} pages in {secs:.1f} s")
    print(f"mean F1 vs trafilatura {mean_t:.3f}; vs GNE {mean_g:.3f}; mean of both {mean:.3f}")
    print(f"article pages only ({len(articles)}): mean F1 vs trafilatura {art_t:.3f}; vs GNE {art_g:.3f}")
    print(f"below {LOW_F1} vs trafilatura ({len(low_t)}): {', '.join(low_t)}")
    print(f"below {LOW_F1} vs GNE ({len(low_g)}): {', '.join(low_g)}")
    print(f"below {LOW_F1} vs both (<) ({len(low_both)}): {', '.join(low_both)}")
    for page in [p for p in lost_all if p in REVIEWED]:
        print(f"reviewed: {page}: {REVIEWED[page]}")
    gate = f"gate: pages losing more than {LOST_GATE:.0%} of the article text both keep"
    print(f"{gate}: {len(lost)} {', '.join(lost)}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    if lost:
        sys.exit(1)


if __name__ == "__main__":
    main()
