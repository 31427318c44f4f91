"""Signing speed per core: text to band keys, the signing workers' job when indexing.

    python bench/signing.py [--data DIR] [--target-mb 10] [--baseline-mb 1] [--reps 3]

Builds bench/throughput.py's corpus (the cnews-1000 articles, then recombined synthetic
documents up to --target-mb of text) and reads it as `detector index` does, then signs it in
batches of `index_write_batch` documents, in this one process:

- `sources_keys`: tokens, sentences, passages, MinHash signatures (128 permutations) and each
  document's distinct band keys, the batched numpy path;
- `prepare_sources`: the same plus what the worker also makes for the writer (compressed text
  and digest);
- the one-document reference this path replaced (tests/text/reference.py, the code before
  issue 15), on the same text, and the keys of both compared;
- plain datasketch: `MinHash.update` per 5-character shingle (sha1), the textbook way, on the
  first --baseline-mb of the articles.

Rates are MB of UTF-8 text per second of this process's CPU time (one core; the machine may be
shared, and CPU time is what sharing disturbs least), best of --reps; wall time beside it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from throughput import data_dir, datasketch_baseline, load_cnews, write_corpus  # noqa: E402

from detector.config import Settings  # noqa: E402
from detector.ingest.partitions import iter_source_inputs  # noqa: E402
from detector.model import InputFailure, SourceDoc  # noqa: E402
from detector.retrieval import prepare_sources, signature_params, source_from_document, sources_keys  # noqa: E402
from detector.store.signatures import SignatureParams, band_keys  # noqa: E402
from detector.text.tokens import tokenize  # noqa: E402

Keys = list[tuple[np.ndarray, int]]


def reference_keys(sources: list[SourceDoc], params: SignatureParams, settings: Settings) -> Keys:
    """``sources_keys`` as it was before the batched path: one document at a time."""
    from detector.text.passages import main_tokens_reference
    from tests.text.reference import batch_passage_signatures_reference, tokenize_reference

    mts = [
        main_tokens_reference(s.text, s.content_spans(), tokenize_reference(s.text)) for s in sources
    ]
    out: Keys = []
    for ps in batch_passage_signatures_reference(mts, params, settings.passages()):
        if not ps.token_ranges:
            out.append((np.zeros(0, dtype=np.int64), 0))
            continue
        keys = band_keys(ps.signatures, params.bands, params.rows)
        out.append((np.unique(keys.ravel()), len(ps.token_ranges)))
    return out


def timed(fn: Callable[[], object], reps: int) -> tuple[float, float, object]:
    """Best CPU and wall seconds of ``reps`` runs, and the last result."""
    cpu, wall, result = [], [], None
    for _ in range(reps):
        c0, w0 = time.process_time(), time.perf_counter()
        result = fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return min(cpu), min(wall), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data")
    ap.add_argument("--target-mb", type=float, default=10.0)
    ap.add_argument("--baseline-mb", type=float, default=1.0)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--no-reference", action="store_true", help="skip the (slow) pre-issue-15 path")
    args = ap.parse_args()
    articles = load_cnews(data_dir(args.data))
    settings = Settings()
    params = signature_params(settings)
    with tempfile.TemporaryDirectory(prefix="detector-signing-") as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        write_corpus(articles, corpus, int(args.target_mb * 1e6), seed=1)
        sources = [
            source_from_document(item)
            for item in iter_source_inputs([str(corpus)], max_bytes=settings.max_page_bytes)
            if not isinstance(item, InputFailure)
        ]
    mb = sum(len(s.text.encode()) for s in sources) / 1e6
    batch = settings.index_write_batch
    batches = [sources[i : i + batch] for i in range(0, len(sources), batch)]
    tokenize("")  # the character tables, built or read once per process as the workers have them

    def keys_now() -> Keys:
        return [k for b in batches for k in sources_keys(b, params, settings)]

    def prepared() -> object:
        return [p for b in batches for p in prepare_sources(b, params, settings)]

    base_cpu, base_wall, base_bytes = datasketch_baseline(articles, int(args.baseline_mb * 1e6))
    base_rate = base_bytes / 1e6 / base_cpu
    rows = [("datasketch MinHash.update per shingle", base_bytes / 1e6, base_cpu, base_wall)]
    cpu, wall, now = timed(keys_now, args.reps)
    rows.append(("detector sources_keys (signing)", mb, cpu, wall))
    cpu, wall, _ = timed(prepared, args.reps)
    rows.append(("detector prepare_sources (+ compressed text, digest)", mb, cpu, wall))
    same = ""
    if not args.no_reference:
        cpu, wall, before = timed(
            lambda: [k for b in batches for k in reference_keys(b, params, settings)], 1
        )
        rows.append(("reference: one document at a time (before issue 15)", mb, cpu, wall))
        assert isinstance(now, list) and isinstance(before, list)
        equal = all(
            n1 == n2 and np.array_equal(k1, k2) for (k1, n1), (k2, n2) in zip(now, before, strict=True)
        )
        same = f"; band keys identical to the reference: {'yes' if equal else 'NO'}"

    width = max(len(r[0]) for r in rows)
    print(f"{len(sources)} documents, {mb:.1f} MB of text, batches of {batch}{same}")
    head = f"{'input':>8}  {'CPU':>7}  {'MB/s/core':>9}  {'wall':>7}  {'vs datasketch':>13}"
    print(f"{'what':<{width}}  {head}")
    for name, size, c, w in rows:
        rate = size / c
        cells = f"{size:>5.1f} MB  {c:>6.2f}s  {rate:>9.2f}  {w:>6.2f}s  {rate / base_rate:>12.1f}x"
        print(f"{name:<{width}}  {cells}")


if __name__ == "__main__":
    main()
