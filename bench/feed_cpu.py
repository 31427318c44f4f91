"""CPU of the signing workers per stage: what `detector index` spends per byte of input in
`detector/index_feed.py: feed`, which runs in the worker processes.

    python bench/feed_cpu.py CORPUS.jsonl [--reps 3]

CORPUS is a JSONL file of sources, e.g. the one `python bench/throughput.py --keep DIR` keeps
(DIR/corpus-25000000.jsonl). Its parts are cut as `detector index` cuts them, then, in this one
process, every part goes through the stages of `feed` one after the other (each stage timed
apart; the steps of `sign_batch` and `source_band_keys` are called one by one as those
functions call them), and finally through `feed` itself, whose total is the figure that counts.
CPU seconds of this process (the machine may be shared; CPU time is what sharing disturbs
least): the median and the best of --reps runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from detector.config import LIMITS, Settings  # noqa: E402
from detector.index_feed import Job, feed, jobs, run_order  # noqa: E402
from detector.ingest.partitions import Part, read_part  # noqa: E402
from detector.model import InputFailure, SourceDoc  # noqa: E402
from detector.retrieval import source_from_document  # noqa: E402
from detector.store import params_cache  # noqa: E402
from detector.store.interface import PreparedDoc, compress_text, text_digest  # noqa: E402
from detector.store.passage_signatures import _shingle_values  # noqa: E402
from detector.store.signatures import band_keys, grouped_signatures  # noqa: E402
from detector.text.main_batch import main_tokens_batch  # noqa: E402
from detector.text.plan_batch import plan  # noqa: E402

T = TypeVar("T")

try:  # what prepare_sources calls; a commit before it had compress_text and text_digest only
    from detector.store.interface import stored_forms
except ImportError:

    def stored_forms(text: str) -> tuple[bytes, str]:
        return compress_text(text), text_digest(text)


class Clock:
    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)

    def time(self, stage: str, f: Callable[[], T]) -> T:
        t0 = time.process_time()
        out = f()
        self.spent[stage] += time.process_time() - t0
        return out


def staged(job: Any, params: Any, settings: Settings, clock: Clock) -> None:
    """``feed`` of one job (nothing stored yet), stage by stage."""
    assert isinstance(job, Part)
    items = clock.time(
        "read and build documents",
        lambda: [x for _, x in read_part(job, sources=True, site=None, max_bytes=settings.max_page_bytes)],
    )
    docs: list[SourceDoc] = clock.time(
        "source_from_document",
        lambda: [source_from_document(x) for x in items if not isinstance(x, InputFailure)],
    )
    shape = settings.passages()
    batch = clock.time(
        "tokenise (main_tokens_batch)", lambda: main_tokens_batch([(d.text, d.content_spans()) for d in docs])
    )
    planned = clock.time(
        "plan passages", lambda: plan(batch, shape.chunk_tokens, shape.min_tokens, shape.query_windows)
    )
    signed = np.flatnonzero(np.diff(planned.doc_passages) > 0)
    values, offsets, counts = clock.time(
        "shingle values", lambda: _shingle_values(batch, signed, shape.shingle_size)
    )

    def sign() -> Any:
        slot = np.searchsorted(signed, planned.tile_doc)
        local = planned.tile_starts - batch.doc_tokens[planned.tile_doc]
        sigs = grouped_signatures(values, offsets[slot] + np.minimum(local, counts[slot]), params)
        assert planned.single_tile
        return sigs[planned.passage_tiles[:, 0]]

    sigs = clock.time("MinHash (grouped_signatures)", sign)
    keys = clock.time("band keys", lambda: band_keys(sigs, params.bands, params.rows).ravel())

    def per_doc() -> list[Any]:  # as source_band_keys does
        bounds = (planned.doc_passages * params.bands).tolist()
        for d in range(len(docs)):
            keys[bounds[d] : bounds[d + 1]].sort()
        fresh = np.ones(keys.shape[0], dtype=np.bool_)
        fresh[1:] = keys[1:] != keys[:-1]
        firsts = np.array(bounds[:-1], dtype=np.int64)
        fresh[firsts[firsts < keys.shape[0]]] = True
        at = np.concatenate(([0], np.cumsum(fresh)))[bounds].tolist()
        kept = keys[fresh]
        return [kept[at[d] : at[d + 1]] for d in range(len(docs))]

    distinct = clock.time("per-document key sort and dedupe", per_doc)
    clock.time("compress and digest", lambda: [stored_forms(d.text) for d in docs])
    made = [PreparedDoc(d, k, 1, b"", "") for d, k in zip(docs, distinct, strict=True)]
    clock.time("run_order (argsort of the part's keys)", lambda: run_order(made))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    settings = Settings()
    params = params_cache.signature_params(settings.num_perm, settings.seed, settings.lsh_threshold)
    from detector.ingest.partitions import partitions

    parts = partitions(
        [args.corpus], split_bytes=LIMITS.index_split_jsonl_bytes, lines_per_part=settings.index_write_batch
    )
    todo = list(jobs(parts, settings))
    size = Path(args.corpus).stat().st_size
    runs: list[dict[str, float]] = []
    for _ in range(args.reps):
        clock = Clock()
        for job in todo:
            staged(job, params, settings, clock)

        def fed(job: Job) -> Callable[[], object]:
            return lambda: feed(job, params, settings, lambda ids: [None] * len(ids))

        for job in todo:
            clock.time("feed (all of it, as the workers run it)", fed(job))
        runs.append(dict(clock.spent))
    print(f"{args.corpus}: {size / 1e6:.1f} MB, {len(todo)} parts; CPU seconds of {args.reps} runs")
    print(f"{'stage':<45} {'median':>7} {'best':>7} {'ns/byte':>8}")
    total = "sum of the stages above"
    for r in runs:
        r[total] = sum(v for k, v in r.items() if not k.startswith("feed"))
    stages = [k for k in runs[0] if k != total and not k.startswith("feed")]
    stages += [total] + [k for k in runs[0] if k.startswith("feed")]
    for stage in stages:
        values = [r[stage] for r in runs]
        med = statistics.median(values)
        print(f"{stage:<45} {med:7.3f} {min(values):7.3f} {med / size * 1e9:8.1f}")


if __name__ == "__main__":
    main()
