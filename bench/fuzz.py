"""Long fuzz run over decoding, extraction, normalisation, segmentation, shingling and rendering.

    python bench/fuzz.py [--inputs 100000] [--seed 1] [--data DIR]

Inputs: random bytes; random markup built from tags, entities, comments, CDATA, bidi and
zero-width characters, every Unicode category; our ingest fixtures and the real pages of
../shared/data/gne-html (when present) mutated by deletions, insertions and byte noise,
encoded in UTF-8, GB18030, Big5 or UTF-16; a few 10 MB pages. Properties: no exception but
our own input errors; blocks cover the text without gaps; offsets map inside the original;
spans of segments and tokens inside the text; normalising twice changes nothing; every 200th
document rendered as a report contains none of its hostile markup unescaped. Prints inputs
tried and failures (target: 0 in 100,000).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import tempfile
import time
import traceback
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from detector.errors import InputError  # noqa: E402
from detector.ingest.build import document_from_bytes  # noqa: E402
from detector.model import Document, PageResult  # noqa: E402
from detector.report.html import write_html_report  # noqa: E402
from detector.result import ScanResult, scan_dict  # noqa: E402
from detector.text.normalize import normalize  # noqa: E402
from detector.text.segment import paragraphs, sentences  # noqa: E402
from detector.text.tokens import shingle_hashes, tokenize  # noqa: E402

TAGS = [
    "p",
    "div",
    "nav",
    "footer",
    "header",
    "script",
    "style",
    "span",
    "a",
    "h1",
    "li",
    "table",
    "td",
    "br",
    "title",
]
CHUNKS = [
    "阿里巴巴B2B",
    "版权所有",
    "Copyright",
    "发布时间:2017-09-12",
    "&nbsp;",
    "&amp;",
    "&#20013;",
    "&#x4e2d;",
    "&#xD800;",
    "\u202e",
    "\u2066",
    "\u200b",
    "\ufeff",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "</script>",
    "<script>evil()</script>",
    "\r\n",
    "\n\n",
    "。",
    "，",
    "“",
    "”",
    " onerror=evil()",
    "javascript:evil()",
    "\x00",
    "<meta charset=gb2312>",
]
MARKERS = ("<script>evil()", " onerror=evil()")
ENCODINGS = ["utf-8", "gb18030", "big5", "utf-16", "utf-8-sig"]


def random_text(rng: random.Random, n: int) -> str:
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.4:
            out.append(chr(rng.randrange(0x4E00, 0x9FFF)))
        elif r < 0.7:
            out.append(chr(rng.randrange(0x20, 0x7F)))
        else:
            cp = rng.randrange(0, 0x110000)
            out.append(chr(cp))
    return "".join(out)


def random_markup(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 80)):
        r = rng.random()
        if r < 0.3:
            parts.append(random_text(rng, rng.randint(0, 40)))
        elif r < 0.55:
            parts.append(rng.choice(CHUNKS))
        elif r < 0.8:
            parts.append(f"<{rng.choice(TAGS)}>")
        else:
            parts.append(f"</{rng.choice(TAGS)}>")
    return "".join(parts)


def mutate(rng: random.Random, base: bytes) -> bytes:
    data = bytearray(base)
    for _ in range(rng.randint(1, 30)):
        i = rng.randrange(len(data) + 1)
        r = rng.random()
        if r < 0.4 and data:
            del data[i : i + rng.randint(1, 60)]
        elif r < 0.8:
            data[i:i] = rng.choice(CHUNKS).encode("utf-8", "surrogatepass")
        else:
            data[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 12)))
    return bytes(data)


def check(doc: Document) -> None:
    n = len(doc.text)
    pos = 0
    for b in doc.blocks:
        assert b.start == pos <= b.end <= n, "blocks leave a gap or overlap"
        pos = b.end
    assert pos == n, "blocks do not cover the text"
    if doc.origin is not None and doc.original is not None:
        for i in range(0, n, max(1, n // 64)):
            assert 0 <= doc.origin.to_original(i) <= len(doc.original), "offset maps outside the original"
    spans = [(b.start, b.end) for b in doc.blocks]
    for s, e in paragraphs(doc.text, spans) + sentences(doc.text, spans):
        assert 0 <= s < e <= n, "segment outside the text"
    t = tokenize(doc.text)
    assert all(0 <= s < e <= n for s, e in zip(t.starts.tolist(), t.ends.tolist(), strict=True)), (
        "token outside"
    )
    shingle_hashes(t.hashes, 5)
    once = normalize(doc.text[:20000]).text
    assert normalize(once).text == once, "normalising twice changed the text"


class _Injection(HTMLParser):
    """Finds what hostile page text could do in a report: handlers, scripts, javascript: links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.script_type: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on") and value and "evil" in value:
                self.problems.append(f"<{tag} {name}=...> from page text")
            if (
                name in ("href", "src", "action")
                and value
                and value.strip().lower().startswith("javascript:")
            ):
                self.problems.append(f"<{tag} {name}=javascript:...>")
        if tag == "script":
            self.script_type = dict(attrs).get("type") or "text/javascript"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.script_type = None

    def handle_data(self, data: str) -> None:
        if self.script_type is not None and self.script_type != "application/json" and "evil()" in data:
            self.problems.append("page text inside an executable <script>")


def render_check(doc: Document, out: Path) -> None:
    data = scan_dict(ScanResult(pages=(PageResult(document=doc, failure=None),)))
    index = write_html_report(data, out)
    for f in [index, *out.rglob("*.html")]:
        checker = _Injection()
        checker.feed(f.read_text(encoding="utf-8"))
        assert not checker.problems, f"{f.name}: {checker.problems[:3]}"
        assert out in f.resolve().parents or f.resolve() == index.resolve(), (
            "a report file escaped its folder"
        )


def run_chunk(job: tuple[int, int, int, str]) -> tuple[int, int, int, int, list[str]]:
    """Fuzz ``count`` inputs with its own seed: (tried, input errors, 10 MB pages, failures, reports)."""
    seed, count, big_pages, data_dir = job
    rng = random.Random(seed)
    seeds = [p.read_bytes() for p in sorted((ROOT / "tests" / "fixtures" / "ingest").glob("*.htm*"))]
    gne = Path(data_dir) / "gne-html"
    seeds += [p.read_bytes() for p in sorted(gne.rglob("*.html"))] if gne.exists() else []
    tried = failures = input_errors = big = 0
    first_failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(count):
            r = rng.random()
            kind = "html"
            if big < big_pages:
                big += 1
                data = ("<p>" + "十兆字节的页面内容。" * 350_000 + "</p>").encode()
            elif r < 0.15:
                data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 400)))
                kind = rng.choice(["html", "text"])
            elif r < 0.6:
                data = random_markup(rng).encode(rng.choice(ENCODINGS), errors="ignore")
            else:
                base = rng.choice(seeds)
                if len(base) > 30_000:  # a window of a large real page: cut markup is a mutation too
                    start = rng.randrange(len(base) - 30_000)
                    base = base[start : start + 30_000]
                data = mutate(rng, base)
            tried += 1
            try:
                doc = document_from_bytes(data, uri=f"f{i}.html", doc_id=f"f{i}", site="s", kind=kind)  # type: ignore[arg-type]
                check(doc)
                if i % 200 == 0:
                    render_check(doc, Path(tmp) / f"r{i}")
            except InputError:
                input_errors += 1
            except Exception:
                failures += 1
                if len(first_failures) < 5:
                    first_failures.append(f"seed {seed} input {i}: {traceback.format_exc(limit=3)}")
    return tried, input_errors, big, failures, first_failures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--inputs", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--data")
    args = ap.parse_args()
    data_dir = str(Path(args.data or os.environ.get("DETECTOR_EVAL_DATA") or ROOT.parent / "shared" / "data"))
    chunk = 2_000
    jobs = []
    left = args.inputs
    n = 0
    while left > 0:
        jobs.append((args.seed * 1_000_003 + n, min(chunk, left), 1 if n < 3 else 0, data_dir))
        left -= chunk
        n += 1
    t0 = time.perf_counter()
    tried = errors = big = failures = 0
    reports: list[str] = []
    with multiprocessing.Pool(args.workers) as pool:
        for k, (t, e, b, f, rep) in enumerate(pool.imap_unordered(run_chunk, jobs), 1):
            tried, errors, big, failures = tried + t, errors + e, big + b, failures + f
            reports.extend(rep)
            if k % 5 == 0:
                print(
                    f"  {tried} inputs, {failures} failures, {time.perf_counter() - t0:.0f} s",
                    file=sys.stderr,
                )
    elapsed = time.perf_counter() - t0
    print(f"inputs tried: {tried}  (our input errors: {errors}; 10 MB pages: {big})")
    print(f"failures:     {failures}")
    print(f"time:         {elapsed:.0f} s ({tried / elapsed:.0f} inputs/s, {args.workers} workers)")
    for f in reports[:5]:
        print(f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
