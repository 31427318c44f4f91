"""bench/feed_cpu.py end to end on the demo corpus: one row per stage of the signing workers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_feed_bench_prints_every_stage_and_the_whole_feed() -> None:
    corpus = ROOT / "corpus" / "sources" / "news.jsonl"
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "feed_cpu.py"), str(corpus), "--reps", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    rows = {line[:45].strip(): line[45:].split() for line in out.stdout.splitlines()[2:]}
    for stage in (
        "read and build documents",
        "tokenise (main_tokens_batch)",
        "MinHash (grouped_signatures)",
        "compress and digest",
        "sum of the stages above",
        "feed (all of it, as the workers run it)",
    ):
        median, best, per_byte = rows[stage]
        assert float(best) <= float(median) and float(per_byte) >= 0
