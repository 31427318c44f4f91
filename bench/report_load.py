"""How fast the HTML report renders and loads: a 1 MB page with hundreds of findings, 10,000 pages.

    python bench/report_load.py [--chars 1000000] [--findings 300] [--pages 10000] [--out DIR] [--runs 3]

Generates a scan dict (CONTRACT.md form, deterministic): one page of ``--chars`` characters of
Chinese text with ``--findings`` findings (reposts of many sources, each with several passages, and
repeated passages with three occurrences each, some inside copied passages), and ``--pages`` - 1
small pages for the index. Renders it with ``write_html_report``, then opens the big page report and
index.html in headless Chromium (/usr/bin/chromium through Playwright) and prints a table: render
time, file sizes, load time (navigation start to the end of the load event, median of ``--runs``),
the first frame painted after it, and the time of one interaction on each (next passage with the
side-by-side view; a search).
Aim: under 2 s to load each.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from detector.report.html import write_html_report  # noqa: E402
from detector.report.html_scan import page_filenames  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"  # noqa: E501


def _text(rng: random.Random, n: int) -> str:
    out: list[str] = []
    size = 0
    while size < n:
        para = "".join(rng.choice(HAN) for _ in range(rng.randint(60, 240))) + "。"
        para = "\u3000\u3000" + para + "\n\n"
        out.append(para)
        size += len(para)
    return "".join(out)[:n]


def big_scan(
    chars: int = 1_000_000, findings: int = 300, pages: int = 10_000, seed: int = 0
) -> dict[str, Any]:
    """A valid scan dict: one huge page with ``findings`` findings and ``pages`` - 1 small pages."""
    rng = random.Random(seed)
    text = _text(rng, chars)
    main = (10, len(text) - 10)
    sources: dict[str, Any] = {}
    found: list[dict[str, Any]] = []
    reposts = findings * 2 // 3
    step = (main[1] - main[0]) // max(1, reposts * 3)
    for i in range(reposts):
        sid = f"corpus/source-{i:04d}.txt"
        source_text = _text(rng, 3000)
        passages = []
        for j in range(3):
            start = main[0] + (i * 3 + j) * step
            length = min(step, rng.randint(80, 400))
            s0 = rng.randint(0, len(source_text) - length)
            passages.append(
                {"page": [start, start + length], "source": [s0, s0 + length], "similarity": 0.95}
            )
        ref = {
            "id": sid,
            "uri": sid,
            "url": f"https://news.example.cn/{i}.html",
            "title": f"来源文章 {i}",
            "category": "新闻",
        }
        sources[sid] = {**ref, "text": source_text}
        cov = round(sum(p["page"][1] - p["page"][0] for p in passages) / len(text), 4)
        found.append(
            {
                "kind": "repost",
                "severity": "low",
                "score": cov,
                "message": f"copied from source {i}",
                "fingerprint": f"r{i}",
                "source": ref,
                "coverage": cov,
                "source_coverage": 0.3,
                "passages": passages,
                "also_in": [],
            }
        )
    for i in range(findings - reposts):
        occurrences = []
        for _ in range(3):
            start = rng.randint(main[0], main[1] - 100)
            occurrences.append([start, start + rng.randint(20, 90)])
        found.append(
            {
                "kind": "duplicate-passage",
                "severity": "medium",
                "score": 0.5,
                "message": f"repeated passage {i}",
                "fingerprint": f"d{i}",
                "occurrences": sorted(occurrences),
                "also_in": [],
            }
        )
    big = {
        "uri": "mirror/huge/page.html",
        "url": "https://huge.example.cn/page.html",
        "site": "huge.example.cn",
        "site_name": "大页面",
        "title": "一兆字节的页面",
        "encoding": "utf-8",
        "text": text,
        "blocks": [
            {"start": 0, "end": main[0], "kind": "title"},
            {"start": main[0], "end": main[1], "kind": "main"},
            {"start": main[1], "end": len(text), "kind": "boilerplate"},
        ],
        "content": {"unique": 0.2, "shared": 0.3, "copied": 0.5},
        "findings": found,
    }
    all_pages = [big]
    severities = ["low", "medium", "high"]
    for i in range(1, pages):
        small = _text(rng, rng.randint(200, 600))
        page: dict[str, Any] = {
            "uri": f"mirror/site-{i % 37}/page-{i:05d}.html",
            "url": None,
            "site": f"site-{i % 37}.example.cn",
            "site_name": None,
            "title": f"页面 {i}",
            "encoding": "utf-8",
            "text": small,
            "blocks": [{"start": 0, "end": len(small), "kind": "main"}],
            "content": {"unique": round(rng.random(), 4), "shared": 0.1, "copied": 0.1},
            "findings": [],
        }
        if i % 3 == 0:
            sid = f"corpus/source-{i % max(1, reposts):04d}.txt"
            ref = {k: v for k, v in sources[sid].items() if k != "text"} if sid in sources else None
            if ref:
                page["findings"].append(
                    {
                        "kind": "repost",
                        "severity": severities[(i // 3) % 3],
                        "score": 0.5,
                        "message": "copied",
                        "fingerprint": f"p{i}",
                        "source": ref,
                        "coverage": round(rng.random(), 4),
                        "source_coverage": 0.1,
                        "passages": [{"page": [0, 50], "source": [0, 50], "similarity": 1.0}],
                        "also_in": [],
                    }
                )
        all_pages.append(page)
    kinds: dict[str, int] = {}
    sev: dict[str, int] = {}
    for p in all_pages:
        for f in p["findings"]:
            kinds[f["kind"]] = kinds.get(f["kind"], 0) + 1
            sev[f["severity"]] = sev.get(f["severity"], 0) + 1
    return {
        "schema": "detector.scan/1",
        "tool": {"name": "detector", "version": "bench"},
        "settings": {"bench": True},
        "index": None,
        "sources": sources,
        "pages": all_pages,
        "summary": {"pages": len(all_pages), "errors": 0, "findings": kinds, "severities": sev},
    }


def _load_ms(page: Any, path: Path) -> tuple[float, float]:
    """Navigation start to the end of the load event, and to the first frame painted after it."""
    page.goto(path.as_uri(), wait_until="load")
    load, frame = page.evaluate(
        "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => {"
        " const n = performance.getEntriesByType('navigation')[0];"
        " done([n.loadEventEnd - n.startTime, performance.now() - n.startTime]); })))"
    )
    return float(load), float(frame)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chars", type=int, default=1_000_000)
    parser.add_argument("--findings", type=int, default=300)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--out", type=Path, default=None, help="keep the report here (default: a temporary folder)"
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    scan = big_scan(args.chars, args.findings, args.pages)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        t0 = time.perf_counter()
        index = write_html_report(scan, out)
        render_s = time.perf_counter() - t0
        big = index.parent / "pages" / page_filenames([scan["pages"][0]["uri"]])[0]
        rows = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            for label, path in (("1 MB page report", big), ("index.html", index)):
                loads = [_load_ms(page, path) for _ in range(args.runs)]
                load = statistics.median(x[0] for x in loads)
                frame = statistics.median(x[1] for x in loads)
                t = time.perf_counter()
                if path == big:
                    page.keyboard.press("j")
                    page.keyboard.press("Enter")
                    page.wait_for_selector("#drawer:not(.hidden)")
                else:
                    page.fill("#q", "页面 99")
                    page.wait_for_function("document.getElementById('count').textContent.indexOf(' of ') > 0")
                    page.wait_for_timeout(200)  # the search input is debounced by 120 ms
                act_ms = (time.perf_counter() - t) * 1000
                size = path.stat().st_size / 1e6
                rows.append((label, size, load, frame, act_ms))
            browser.close()
        print(f"scan: {args.chars:,} chars, {args.findings} findings on the big page, {args.pages:,} pages")
        print(f"render (write_html_report, all {args.pages:,} files): {render_s:.2f} s")
        print(f"{'file':<18} {'MB':>7} {'load ms':>9} {'painted ms':>11} {'action ms':>10}")
        for label, size, load, frame, act in rows:
            print(f"{label:<18} {size:>7.2f} {load:>9.0f} {frame:>11.0f} {act:>10.0f}")
        if errors:
            print("page errors:", *errors, sep="\n  ")


if __name__ == "__main__":
    main()
