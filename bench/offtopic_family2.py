"""Off-topic benchmark, family 2 (held out: never tuned on), end to end through the CLI.

    python bench/offtopic_family2.py [--data DIR] [--seeds 11 12 13] [--sites-per-trade 5]
                                     [--keep DIR] [--errors]

Each draw (seed) generates sites with bench/offtopic_family2_data.py (independent of family
1: other trades, templates, titles, spinning; see its docstring), indexes its corpus with
``detector index`` and scans every site with ``detector scan sites/* --index``. Scoring:

- reposts: a repost page is found when a ``repost`` or ``off-topic-repost`` finding names its
  source with coverage >= 0.5; a finding naming any other source with coverage >= 0.2 (on any
  page: own, original and injected pages included) is a false positive;
- off-topic: every page is labelled (own pages on-topic, injected pages off-topic, reposts
  and originals by the trade's table); flagged = an ``off-topic-repost`` or ``off-topic``
  finding. A verdict ``unknown`` is not flagged.

Printed: per draw and trade, off-topic precision, recall and F1; per draw the totals and
repost figures; the mean over draws. Exit 1 when the issue's gates fail (mean off-topic F1
< 0.93, a draw < 0.90, or repost F1 < 0.98).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import offtopic_family2_data as gen  # noqa: E402

ROOT = HERE.parent


class Counts:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def add(self, predicted: bool, actual: bool) -> None:
        self.tp += predicted and actual
        self.fp += predicted and not actual
        self.fn += actual and not predicted

    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def f(self) -> float:
        p, r = self.p(), self.r()
        return 2 * p * r / (p + r) if p + r else 0.0


def cli(args: list[str], cwd: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "detector", *args], cwd=cwd, env=env, capture_output=True, text=True
    )
    if done.returncode not in (0, 1):
        sys.exit(f"family2: detector {args[0]} failed ({done.returncode}): {done.stderr.strip()[-600:]}")
    return time.perf_counter() - t0


def judge(scan: dict, truth: list[dict]) -> tuple[Counts, dict[str, Counts], list[str]]:
    by_uri = {p["uri"]: p for p in scan["pages"]}
    reposts, per_trade, notes = Counts(), {}, []
    for row in truth:
        page = by_uri[row["uri"]]
        hits = [f for f in page["findings"] if f["kind"] in ("repost", "off-topic-repost")]
        found = any(f["source"]["id"] == row["source"] and f["coverage"] >= 0.5 for f in hits)
        for f in hits:
            if f["source"]["id"] != row["source"] and f["coverage"] >= 0.2:
                reposts.fp += 1
                notes.append(f"repost FP {row['uri']} ({row['kind']}): {f['source']['id']} {f['coverage']}")
        if row["kind"] == "repost":
            reposts.tp += found
            reposts.fn += not found
            if not found:
                notes.append(f"repost FN {row['uri']}: {row['source']}")
        flagged = any(f["kind"] in ("off-topic", "off-topic-repost") for f in page["findings"])
        off = row["label"] == "off-topic"
        per_trade.setdefault(row["trade"], Counts()).add(flagged, off)
        if flagged != off:
            t = page.get("topic") or {}
            notes.append(
                f"off-topic {'FP' if flagged else 'FN'} {row['uri']}: {row['trade']} {row['kind']} "
                f"{row['topic'] or ''} sim {t.get('similarity')} thr {t.get('threshold')} "
                f"{t.get('verdict')} {t.get('signal') or ''} {t.get('reason') or ''}"
                f" page {'/'.join(t.get('page_terms', [])[:5])} site {'/'.join(t.get('site_terms', [])[:5])}"
            )
    return reposts, per_trade, notes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data")
    ap.add_argument("--seeds", type=int, nargs="+", default=[11, 12, 13])
    ap.add_argument("--sites-per-trade", type=int, default=5)
    ap.add_argument("--keep", type=Path)
    ap.add_argument("--errors", action="store_true", help="list every misjudged page")
    args = ap.parse_args()
    data = gen.data_dir(args.data)
    if not (data / "cnews-1000").is_dir():
        print(f"evaluation data not found under {data} (set DETECTOR_EVAL_DATA)", file=sys.stderr)
        return 2
    work = args.keep or Path(tempfile.mkdtemp(prefix="detector-family2-"))
    draws = []
    for seed in args.seeds:
        folder = work / f"draw-{seed}"
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        sites, corpus = gen.generate(data, seed, args.sites_per_trade)
        truth = gen.write(sites, corpus, folder, seed)
        cli(["index", "corpus.jsonl", "--index", "f2.idx"], folder)
        dirs = sorted(f"sites/{s.domain}" for s in sites)
        secs = cli(["scan", *dirs, "--index", "f2.idx", "--json", "scan.json"], folder)
        scan = json.loads((folder / "scan.json").read_text(encoding="utf-8"))
        reposts, per_trade, notes = judge(scan, truth)
        total = Counts()
        for c in per_trade.values():
            total.tp, total.fp, total.fn = total.tp + c.tp, total.fp + c.fp, total.fn + c.fn
        draws.append((seed, len(sites), len(truth), reposts, per_trade, total, secs))
        if args.errors:
            print(f"-- draw {seed}: misjudged pages")
            for line in notes:
                print(f"   {line}")
    print(f"files in {work}")
    print(f"{'draw':>5} {'trade':16} {'off P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}")
    for seed, _, _, _, per_trade, _, _ in draws:
        for key in (t.key for t in gen.TABLE):
            c = per_trade.get(key, Counts())
            print(f"{seed:5d} {key:16} {c.p():6.3f} {c.r():6.3f} {c.f():6.3f} {c.tp:4d} {c.fp:4d} {c.fn:4d}")
    print(
        f"\n{'draw':>5} {'sites':>5} {'pages':>5}  {'repost P':>8} {'R':>6} {'F1':>6}  "
        f"{'off P':>6} {'R':>6} {'F1':>6}  {'scan s':>6}"
    )
    for seed, n_sites, n_pages, rp, _, total, secs in draws:
        print(
            f"{seed:5d} {n_sites:5d} {n_pages:5d}  {rp.p():8.3f} {rp.r():6.3f} {rp.f():6.3f}  "
            f"{total.p():6.3f} {total.r():6.3f} {total.f():6.3f}  {secs:6.1f}"
        )
    k = len(draws)
    mean = [
        sum(fn(d) for d in draws) / k
        for fn in (
            lambda d: d[3].p(),
            lambda d: d[3].r(),
            lambda d: d[3].f(),
            lambda d: d[5].p(),
            lambda d: d[5].r(),
            lambda d: d[5].f(),
        )
    ]
    print(
        f"{'mean':>5} {'':5} {'':5}  {mean[0]:8.3f} {mean[1]:6.3f} {mean[2]:6.3f}  "
        f"{mean[3]:6.3f} {mean[4]:6.3f} {mean[5]:6.3f}"
    )
    ok = mean[5] >= 0.93 and all(d[5].f() >= 0.90 for d in draws) and all(d[3].f() >= 0.98 for d in draws)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
