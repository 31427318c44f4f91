"""Indexing and scanning throughput, end to end through the CLI (process start included).

    python bench/throughput.py [--data DIR] [--target-mb 25] [--pages 100] [--repeat 3] [--keep DIR]

Builds, from ../shared/data/cnews-1000 (or $DETECTOR_EVAL_DATA), the corpus itself and a
larger synthetic corpus (paragraphs of different articles recombined into new documents,
deterministic), indexes each with `detector index`, scans generated repost pages with
`detector scan`, and measures plain datasketch MinHash.update per shingle (128 permutations,
5-character shingles, the textbook way) on the cnews text in the same run. Prints a table.

Every timed command runs --repeat times (a fresh index each time); the table gives the median
and, beside it, the fastest and slowest run: on a shared 2-core machine one run of the same
command varies by a third.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def data_dir(arg: str | None) -> Path:
    return Path(arg or os.environ.get("DETECTOR_EVAL_DATA") or ROOT.parent / "shared" / "data")


def load_cnews(data: Path) -> list[tuple[str, str]]:
    path = data / "cnews-1000" / "cnews.subset1000.txt"
    if not path.exists():
        sys.exit(f"bench: {path} not found (set DETECTOR_EVAL_DATA)")
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            label, text = line.split("\t", 1)
            out.append((label, text))
    return out


def split_paragraphs(text: str) -> list[str]:
    """cnews bodies are one line: cut them into ~150-character paragraphs at sentence ends."""
    paras, cur = [], ""
    for piece in text.replace("。", "。\x00").split("\x00"):
        cur += piece
        if len(cur) >= 150:
            paras.append(cur)
            cur = ""
    if cur:
        paras.append(cur)
    return paras


def write_corpus(articles: list[tuple[str, str]], path: Path, target_bytes: int, seed: int) -> int:
    """The articles, then recombined documents until the file holds target_bytes of text."""
    rng = random.Random(seed)
    pool = [p for _, t in articles for p in split_paragraphs(t)]
    alphabet = sorted({c for p in pool for c in p if "\u4e00" <= c <= "\u9fff"})
    total = 0
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for label, text in articles:
            body = "\n".join(split_paragraphs(text))
            fh.write(
                json.dumps({"id": f"cnews-{n}", "category": label, "text": body}, ensure_ascii=False) + "\n"
            )
            total += len(body.encode())
            n += 1
        while total < target_bytes:
            # Recombined paragraphs with every fourth character replaced: text with the
            # statistics of news but no 5-character run shared with the originals or each other.
            paras = []
            for p in rng.sample(pool, 12):
                chars = list(p)
                for i in range(rng.randrange(4), len(chars), 4):
                    chars[i] = rng.choice(alphabet)
                paras.append("".join(chars))
            body = "\n".join(paras)
            fh.write(
                json.dumps({"id": f"synth-{n}", "category": "synthetic", "text": body}, ensure_ascii=False)
                + "\n"
            )
            total += len(body.encode())
            n += 1
    return total


PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title} - 某某机械有限公司</title></head>
<body><div class="nav"><a href="/">首页</a> | <a href="/about">公司简介</a> |
<a href="/news">公司新闻</a></div>
<h1>{title}</h1><div class="date">发布时间:2020-01-01</div>
<div class="content">{body}</div>
<div class="footer">Copyright 2020 某某机械有限公司 版权所有</div></body></html>"""


def write_pages(articles: list[tuple[str, str]], folder: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        _, text = articles[rng.randrange(len(articles))]
        paras = split_paragraphs(text)
        keep = paras[: max(1, int(len(paras) * rng.uniform(0.5, 1.0)))]  # cut short
        rng.shuffle(keep)
        body = "".join(f"<p>{p}</p>" for p in keep)
        (folder / f"page-{i:04d}.html").write_text(PAGE.format(title=f"新闻{i}", body=body), encoding="utf-8")


def run(cmd: list[str]) -> float:
    return run_measured(cmd)[0]


def repeated(times: int, cmd: list[str], fresh: Path | None = None) -> tuple[float, str]:
    """The median wall time of ``times`` runs of ``cmd``, and "fastest-slowest" for the table.
    ``fresh``: an index deleted (with its side files) before each run."""
    values = []
    for _ in range(times):
        if fresh is not None:
            for old in fresh.parent.glob(fresh.name + "*"):
                old.unlink()
        values.append(run(cmd))
    values.sort()
    return statistics.median(values), spread(values)


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f}" if len(values) > 1 else ""


def run_measured(cmd: list[str]) -> tuple[float, float]:
    """Wall time (process start included) and the child's own peak resident memory in MB."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"bench: {' '.join(cmd)} failed ({code}): {err.decode(errors='replace').strip()[:500]}")
    return elapsed, usage.ru_maxrss / 1024


_RESIDENT = """
import sys
from pathlib import Path
from detector.config import Settings
from detector.scanning import scan

def resident_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0

pages, index = sys.argv[1], sys.argv[2]
scan([pages], None, Settings())  # warm: imports, tables, the same pages analysed
without = resident_mb()
t0 = time.perf_counter()
scan([pages], Path(index), Settings())
print(without, resident_mb(), time.perf_counter() - t0)
"""


def resident_growth(pages: Path, index: Path) -> tuple[float, float, float]:
    """Resident memory (MB) of one process after scanning the pages without the index, then with
    it, and the seconds of that scan (the process started and warm: start-up excluded)."""
    out = subprocess.run(
        [sys.executable, "-c", "import time\n" + _RESIDENT, str(pages), str(index)],
        capture_output=True,
        text=True,
        check=True,
    )
    without, with_index, seconds = (float(x) for x in out.stdout.split())
    return without, with_index, seconds


def datasketch_baseline(articles: list[tuple[str, str]], limit_bytes: int) -> tuple[float, float, int]:
    """Plain datasketch: MinHash.update per 5-character shingle, sha1 of the shingle's bytes.
    Returns (CPU seconds, wall seconds, bytes hashed)."""
    from datasketch import MinHash

    done = 0
    c0, w0 = time.process_time(), time.perf_counter()
    for _, text in articles:
        m = MinHash(num_perm=128)
        for i in range(max(1, len(text) - 4)):
            m.update(text[i : i + 5].encode("utf-8"))
        done += len(text.encode())
        if done >= limit_bytes:
            break
    return time.process_time() - c0, time.perf_counter() - w0, done


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data")
    ap.add_argument("--target-mb", type=float, default=25.0)
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--baseline-mb", type=float, default=3.0, help="text measured with plain datasketch")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each timed command (median shown)")
    ap.add_argument("--keep", help="keep the generated files in this folder")
    args = ap.parse_args()
    articles = load_cnews(data_dir(args.data))
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="detector-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    detector = [sys.executable, "-m", "detector"]

    _, base_s, base_bytes = datasketch_baseline(articles, int(args.baseline_mb * 1e6))
    base_rate = base_bytes / 1e6 / base_s
    rows = [
        (
            "datasketch MinHash.update per shingle",
            f"{base_bytes / 1e6:.1f} MB",
            f"{base_s:.1f} s",
            f"{base_rate:.2f} MB/s",
            "1.0x",
            "",
        )
    ]

    write_pages(articles, work / "pages", args.pages, seed=2)
    _, rss_without = run_measured(
        [*detector, "scan", str(work / "pages"), "--json", str(work / "scan0.json")]
    )
    for name, target in (("cnews-1000", 0), (f"synthetic {args.target_mb:g} MB", int(args.target_mb * 1e6))):
        corpus = work / f"corpus-{target}.jsonl"
        size = write_corpus(articles, corpus, target, seed=1)
        idx = work / f"index-{target}.idx"
        t, index_spread = repeated(args.repeat, [*detector, "index", str(corpus), "--index", str(idx)], idx)
        rate = size / 1e6 / t
        rows.append(
            (
                f"detector index {name}",
                f"{size / 1e6:.1f} MB",
                f"{t:.2f} s",
                f"{rate:.2f} MB/s",
                f"{rate / base_rate:.1f}x",
                index_spread,
            )
        )
        info = subprocess.run(
            [*detector, "index", "--info", "--index", str(idx)], capture_output=True, text=True
        )
        passages = next(
            (ln.split(":")[1].strip() for ln in info.stdout.splitlines() if "passages" in ln), "?"
        )
        pages = str(work / "pages")
        t, scan_spread = repeated(
            args.repeat, [*detector, "scan", pages, "--index", str(idx), "--json", str(work / "scan.json")]
        )
        warm_runs = sorted(
            (resident_growth(work / "pages", idx) for _ in range(args.repeat)), key=lambda r: r[2]
        )
        rss_without, rss_with, warm = warm_runs[len(warm_runs) // 2]
        warm_spread = spread([r[2] for r in warm_runs])
        rows.append(
            (
                f"detector scan {args.pages} pages vs {name} ({passages} passages, "
                f"{idx.stat().st_size / 1e6:.0f} MB on disk)",
                f"{args.pages} pages",
                f"{t:.2f} s",
                f"{args.pages / t:.1f} pages/s",
                "",
                scan_spread,
            )
        )
        rows.append(
            (
                "  the same in a started process (scanning.scan)",
                f"{args.pages} pages",
                f"{warm:.2f} s",
                f"{args.pages / warm:.1f} pages/s",
                "",
                warm_spread,
            )
        )
        scan = json.loads((work / "scan.json").read_text(encoding="utf-8"))
        reposts = ("repost", "off-topic-repost")  # a repost of a source on another topic is still one
        found = sum(1 for p in scan["pages"] if any(f["kind"] in reposts for f in p["findings"]))
        rows.append(
            ("  pages with a repost finding (on or off topic)", f"{found}/{args.pages}", "", "", "", "")
        )
        paragraphs = sum(
            json.loads(line)["text"].count("\n") + 1
            for line in corpus.read_text(encoding="utf-8").splitlines()
        )
        growth = (rss_with - rss_without) * 1024 * 1024 / paragraphs
        rows.append(
            (
                f"  scan resident {rss_with:.0f} MB with the index, {rss_without:.0f} MB without; "
                f"{paragraphs} paragraphs indexed",
                "",
                "",
                f"{growth:.0f} B/paragraph",
                "",
                "",
            )
        )

    width = max(len(r[0]) for r in rows)
    print(
        f"{'what':<{width}}  {'input':>10}  {'time':>8}  {'rate':>14}  {'vs datasketch':>13}  "
        f"{'runs (s)':>10}"
    )
    for r in rows:
        print(f"{r[0]:<{width}}  {r[1]:>10}  {r[2]:>8}  {r[3]:>14}  {r[4]:>13}  {r[5]:>10}")
    print(f"time: the median of {args.repeat} run(s); runs: the fastest and slowest")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process (the datasketch baseline): {peak_mb:.0f} MB; files in {work}")


if __name__ == "__main__":
    main()
