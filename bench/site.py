"""Site-level scan speed and memory: generated sites of 1,000 and 10,000 pages.

    python bench/site.py [--sizes 1000 10000] [--keep DIR]

Each site comes from bench/sitegen.py (template lines, spun paragraphs, two near-duplicate
pages, unique pages). The scan runs through the CLI without an index (`detector scan SITE
--json OUT`), process start included; peak memory is the child's maximum resident set.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sitegen import generate_site


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--keep")
    args = ap.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="detector-site-"))
    rows = []
    for n in args.sizes:
        folder = work / f"site-{n}"
        site = generate_site(folder, pages=n, seed=3, with_copy=False)
        out = work / f"scan-{n}.json"
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "detector", "scan", str(folder), "--json", str(out)],
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0:
            sys.exit(f"bench: scan failed: {proc.stderr[-500:]}")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        data = json.loads(out.read_text(encoding="utf-8"))
        kinds: dict[str, int] = {}
        for p in data["pages"]:
            for f in p["findings"]:
                kinds[f["kind"]] = kinds.get(f["kind"], 0) + 1
        expected = sum(len(v) for v in site.spun_pages.values())
        rows.append((n, elapsed, n / elapsed, max(peak, before) / 1024, kinds, expected))
    print(
        f"{'pages':>6}  {'time':>8}  {'pages/s':>8}  {'peak RSS':>9}  findings (expected duplicate-passage)"
    )
    for n, t, rate, mb, kinds, expected in rows:
        print(f"{n:>6}  {t:>7.1f}s  {rate:>8.1f}  {mb:>7.0f}MB  {kinds} ({expected})")


if __name__ == "__main__":
    main()
