"""When each part of `detector index` happens: the critical path of one run, end to end.

    python bench/index_timeline.py CORPUS.jsonl [--runs 3]

Runs `detector index CORPUS --index TMP` (process start included) with time marks on the
writer's and the children's steps: imports, opening the index, the signing workers' parts, the
writer taking each part, the topic model's fit (early, or at the end), the closing merge of band
runs, the band filter, closing. Prints, per step, the median over the runs of when it started
and ended (seconds after the process started) and how long the writer or a worker was busy.
On this shared 2-core machine a single run varies by +-30%: read the medians.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _child(corpus: str, index: str, log: str, t0: float) -> None:
    """Run the CLI with time marks, each an appended JSON line (the workers are other processes)."""
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)

    def mark(what: str, start: float, end: float) -> None:
        os.write(fd, (json.dumps([what, os.getpid(), start - t0, end - t0]) + "\n").encode())

    now = time.time()
    import importlib

    import detector.index_feed as index_feed
    import detector.indexing as indexing
    from detector.analysis import topic_prefit
    from detector.store import band_filter, sqlite_store

    mark("imports", now, time.time())
    try:  # absent from older versions, which this script also times
        merging: Any = importlib.import_module("detector.store.sqlite_merging").RunMerger
    except ImportError:
        merging = sqlite_store.SqliteIndex

    def timed(owner: Any, name: str, what: str) -> None:
        inner: Callable[..., Any] | None = getattr(owner, name, None)
        if inner is None:
            return

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.time()
            try:
                return inner(*args, **kwargs)
            finally:
                mark(what, start, time.time())

        setattr(owner, name, wrapper)

    timed(indexing, "create_or_open_store", "open the index")
    timed(indexing, "partitions", "cut the input in parts")
    timed(index_feed, "feed", "worker: read and sign a part")
    timed(indexing._Writer, "take", "writer: write a part")
    timed(topic_prefit, "_fit", "topic fit (child)")
    timed(merging, "merge" if merging is not sqlite_store.SqliteIndex else "_merge", "merge band runs")
    timed(band_filter, "from_keys", "band filter")
    timed(band_filter, "build", "band filter")
    timed(sqlite_store.SqliteIndex, "finish", "finish (merge, filter)")
    timed(topic_prefit, "finish", "wait for the topic fit")
    timed(sqlite_store.SqliteIndex, "close", "close an index (writer, topic child)")
    timed(indexing, "index_corpus", "index_corpus")
    from detector.cli import main

    sys.argv = ["detector", "index", corpus, "--index", index]
    with contextlib.suppress(SystemExit):
        main()
    mark("exit", time.time(), time.time())


def _run(corpus: str) -> dict[str, tuple[float, float, float, int]]:
    """Per step: (first start, last end, busy seconds, count) of one run."""
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "marks.jsonl")
        t0 = time.time()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        subprocess.run(
            [sys.executable, __file__, "--child", corpus, os.path.join(tmp, "x.idx"), log, repr(t0)],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        ended = time.time() - t0
        steps: dict[str, tuple[float, float, float, int]] = {}
        with open(log, encoding="utf-8") as fh:
            for line in fh:
                what, _, start, end = json.loads(line)
                s, e, busy, n = steps.get(what, (start, end, 0.0, 0))
                steps[what] = (min(s, start), max(e, end), busy + end - start, n + 1)
        steps["process ended"] = (ended, ended, 0.0, 1)
        return steps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        index, log, t0 = args.child[1:]
        _child(args.child[0], index, log, float(t0))
        return
    if not args.corpus:
        ap.error("name a JSONL corpus (bench/throughput.py --keep DIR writes DIR/corpus-25000000.jsonl)")
    runs = [_run(args.corpus) for _ in range(args.runs)]
    names = sorted(
        {n for r in runs for n in r}, key=lambda n: statistics.median(r[n][0] for r in runs if n in r)
    )
    title = f"step (median of {args.runs} runs)"
    print(f"{title:44} {'from':>7} {'to':>7} {'busy':>7} {'count':>5}")
    for name in names:
        rows = [r[name] for r in runs if name in r]
        start, end, busy = (statistics.median(x[i] for x in rows) for i in range(3))
        count = statistics.median(x[3] for x in rows)
        print(f"{name:44} {start:7.2f} {end:7.2f} {busy:7.2f} {count:5.0f}")


if __name__ == "__main__":
    main()
