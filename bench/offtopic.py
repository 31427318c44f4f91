"""Off-topic benchmark, end to end through the CLI (issue 4).

    python bench/offtopic.py [--data DIR] [--sites-per-industry 6] [--keep DIR] [--loose] [--errors]

Generates labelled company sites with bench/offtopic_data.py (industries, own pages from
business scopes, news pages reposting cnews-1000 articles that fit the industry or clearly do
not; UTF-8 and GBK; rewritten titles; articles cut short), indexes the 1,000 articles with
``detector index``, scans each set's sites with ``detector scan sites/* --json`` (pages are
grouped into sites by the host of their canonical URL) and scores the JSON:

- repost detection: a repost page is found when a ``repost`` or ``off-topic-repost`` finding
  names its source with coverage >= 0.5; every finding naming another source with coverage
  >= 0.2 is a false positive (on any page, own pages included);
- off-topic detection: over every page with a clear label (reposts and the site's own pages),
  flagged = an ``off-topic-repost`` or ``off-topic`` finding on it.

Two sets: calibration seed A (the industries the thresholds were chosen on) and held-out seed
B (other articles and companies, plus an industry calibration never saw). pages/s counts the
scan command's wall time, process start included.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import offtopic_data as od  # noqa: E402

REPOST_KINDS = ("repost", "off-topic-repost")
OFF_KINDS = ("off-topic-repost", "off-topic")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def run(cmd: list[str], cwd: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"bench: {' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()[-800:]}")
    return elapsed


def score(scan: dict[str, object], truth: list[dict[str, object]]) -> tuple[Score, Score, list[str]]:
    pages = {str(p["uri"]): p for p in scan["pages"]}  # type: ignore[attr-defined]
    reposts, off = Score(), Score()
    errors: list[str] = []
    for row in truth:
        page = pages.get(str(row["uri"]))
        if page is None:
            sys.exit(f"bench: {row['uri']} missing from the scan")
        findings = page["findings"]
        found = False
        for f in findings:
            if f["kind"] not in REPOST_KINDS:
                continue
            if f["source"]["id"] == row["source"] and f["coverage"] >= 0.5:
                found = True
            elif f["source"]["id"] != row["source"] and f["coverage"] >= 0.2:
                reposts.fp += 1
                errors.append(f"repost FP {row['uri']}: {f['source']['id']} coverage {f['coverage']}")
        if row["kind"] == "repost":
            if found:
                reposts.tp += 1
            else:
                reposts.fn += 1
                best = max(
                    (
                        f["coverage"]
                        for f in findings
                        if f["kind"] in REPOST_KINDS and f["source"]["id"] == row["source"]
                    ),
                    default=0.0,
                )
                errors.append(f"repost FN {row['uri']}: {row['source']} best coverage {best}")
        flagged = any(f["kind"] in OFF_KINDS for f in findings)
        is_off = row["label"] == "off-topic"
        off.tp += flagged and is_off
        off.fp += flagged and not is_off
        off.fn += is_off and not flagged
        if flagged != is_off:
            topic = page.get("topic") or {}
            errors.append(
                f"off-topic {'FP' if flagged else 'FN'} {row['uri']}: {row['industry']} {row['kind']} "
                f"{row['topic'] or ''} similarity {topic.get('similarity')} ({topic.get('verdict')})"
            )
    return reposts, off, errors


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", help="evaluation data (default $DETECTOR_EVAL_DATA or ../shared/data)")
    ap.add_argument("--sites-per-industry", type=int, default=6)
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it")
    ap.add_argument("--loose", action="store_true", help="draw companies without the SUBJECTS filter")
    ap.add_argument("--errors", action="store_true", help="list every misjudged page")
    args = ap.parse_args()
    data = od.data_dir(args.data)
    if not (data / "cnews-1000").is_dir() or not (data / "company-scope-zh").is_dir():
        print(f"evaluation data not found under {data} (set DETECTOR_EVAL_DATA)", file=sys.stderr)
        return 2
    work = args.keep or Path(tempfile.mkdtemp(prefix="detector-offtopic-"))
    work.mkdir(parents=True, exist_ok=True)
    detector = [sys.executable, "-m", "detector"]

    corpus = od.write_corpus(data, work)
    index = work / "cnews.idx"
    for leftover in work.glob("cnews.idx*"):
        leftover.unlink()
    t_index = run([*detector, "index", str(corpus), "--index", str(index)], work)

    sets = {
        f"A seed {od.SEED_A} (calibration)": (od.SEED_A, 0, od.CALIBRATION_INDUSTRIES),
        f"B seed {od.SEED_B} (held out)": (od.SEED_B, 1, od.HELD_OUT_INDUSTRIES),
    }
    rows = []
    status = 0
    for name, (seed, split, industries) in sets.items():
        folder = work / f"seed-{seed}"
        folder.mkdir(exist_ok=True)
        sites = od.generate(data, seed, split, industries, args.sites_per_industry, strict=not args.loose)
        od.write_sites(sites, folder)
        truth = [
            json.loads(line) for line in (folder / "truth.jsonl").read_text(encoding="utf-8").splitlines()
        ]
        site_dirs = sorted(f"sites/{p.name}" for p in (folder / "sites").iterdir())
        out = folder / "scan.json"
        secs = run([*detector, "scan", *site_dirs, "--index", str(index), "--json", str(out)], folder)
        scan = json.loads(out.read_text(encoding="utf-8"))
        reposts, off, errors = score(scan, truth)
        kinds = Counter(r["industry"] for r in truth)
        rows.append((name, len(sites), len(truth), reposts, off, len(truth) / secs, ", ".join(sorted(kinds))))
        if args.errors:
            print(f"-- {name}: misjudged pages")
            for line in errors:
                print(f"   {line}")
        if seed == od.SEED_B and (reposts.prf()[2] < 0.95 or off.prf()[2] < 0.95):
            status = 1

    print(f"index: {corpus.name} (1,000 cnews articles) in {t_index:.1f} s; files in {work}")
    print(
        f"{'set':26} {'sites':>5} {'pages':>5}  {'repost P':>8} {'R':>6} {'F1':>6}  "
        f"{'off-topic P':>11} {'R':>6} {'F1':>6}  {'pages/s':>7}"
    )
    for name, n_sites, n_pages, reposts, off, rate, _ in rows:
        rp, rr, rf = reposts.prf()
        op, orr, of = off.prf()
        print(
            f"{name:26} {n_sites:5d} {n_pages:5d}  {rp:8.3f} {rr:6.3f} {rf:6.3f}  "
            f"{op:11.3f} {orr:6.3f} {of:6.3f}  {rate:7.1f}"
        )
    for name, *_, industries in rows:
        print(f"{name}: industries {industries}")
    return status


if __name__ == "__main__":
    sys.exit(main())
