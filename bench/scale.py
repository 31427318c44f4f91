"""Scale: index size, peak memory and build time at 10k, 100k and 1M paragraphs; scan latency
against each; the same with a Redis index; Dask (LocalCluster, 2 workers) against in-process.

    python bench/scale.py [--sizes 10000,100000,1000000] [--redis-sizes 10000,100000]
                          [--pages 100] [--dask-pages 200] [--dask-paragraphs 100000]
                          [--datasketch-paragraphs 20000] [--keep DIR]

Paragraphs are main-text paragraphs of ~150 characters (not sentence windows), made from
../shared/data/cnews-1000 (or $DETECTOR_EVAL_DATA) read at run time: the articles' paragraphs
recombined, every fourth character replaced (bench/throughput.py's generator), 10 paragraphs per
document. Building runs `detector index` as a child process; its peak memory is the largest sum
of resident memory of it and its worker processes, sampled every 0.1 s. Scan latency is
`scanning.scan` of one page (an HTML page reposting 3-6 paragraphs of one source) in a process
that has the index open once, per page: median and p95. Redis is a redis-server started here on a
free loopback port (no persistence, default configuration); its size is the growth of the
server's INFO used_memory, also per indexed passage (texts included). Build speed is the corpus
file's size over the build time. Plain datasketch
(MinHash.update per shingle, an in-memory MinHashLSH) builds the first --datasketch-paragraphs
paragraphs in the same run, its time extrapolated linearly to each size. Prints a table.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import PAGE, data_dir, load_cnews, split_paragraphs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from detector.indexing import index_info  # noqa: E402

PARAS_PER_DOC = 10


def write_sources(articles: list[tuple[str, str]], path: Path, paragraphs: int, seed: int) -> list[list[str]]:
    """``paragraphs`` synthetic paragraphs in documents of 10; returns the first 2,000 documents."""
    rng = random.Random(seed)
    pool = [p for _, t in articles for p in split_paragraphs(t)]
    labels = sorted({label for label, _ in articles})
    alphabet = sorted({c for p in pool for c in p if "\u4e00" <= c <= "\u9fff"})
    kept: list[list[str]] = []
    with path.open("w", encoding="utf-8") as fh:
        for n in range(paragraphs // PARAS_PER_DOC):
            paras = []
            for p in rng.sample(pool, PARAS_PER_DOC):
                chars = list(p)
                for i in range(rng.randrange(4), len(chars), 4):
                    chars[i] = rng.choice(alphabet)
                paras.append("".join(chars))
            if len(kept) < 2000:
                kept.append(paras)
            record = {"id": f"doc-{n}", "category": labels[n % len(labels)], "text": "\n".join(paras)}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return kept


def write_pages(docs: list[list[str]], folder: Path, count: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        paras = rng.sample(docs[rng.randrange(len(docs))], rng.randint(3, 6))
        body = "".join(f"<p>{p}</p>" for p in paras)
        path = folder / f"page-{i:04d}.html"
        path.write_text(PAGE.format(title=f"新闻{i}", body=body), encoding="utf-8")
        out.append(path)
    return out


def tree_rss(pid: int) -> int:
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def run_peak(cmd: list[str]) -> tuple[float, float]:
    """Wall time and the peak summed resident memory (MB) of the process and its children."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.1)
    elapsed = time.perf_counter() - t0
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed ({proc.returncode}): {err.strip()[:500]}")
    return elapsed, peak / 1e6


def latency(index: str, pages: list[Path], topics: bool = True, reopen: bool = False) -> tuple[float, float]:
    """Median and p95 milliseconds of scanning one page, in a started child process that opened
    the index once (``retrieval.open_index``, passed to every scan; ``reopen``: each scan opens
    it by its path, as before); ``topics`` False leaves out judging the page's topic."""
    code = (
        "import json, sys, time\n"
        "from detector.config import Settings\n"
        "from detector import scanning\n"
        "from detector.retrieval import open_index\n"
        "path, topics, reopen, pages = sys.argv[1], sys.argv[2] == '1', sys.argv[3] == '1', sys.argv[4:]\n"
        "s = Settings()\n"
        "index = path if reopen else open_index(path, s)\n"
        "scanning.scan(pages[:1], index, s, judge_topics=topics)\n"
        "out = []\n"
        "for p in pages:\n"
        "    t = time.perf_counter(); r = scanning.scan([p], index, s, judge_topics=topics)\n"
        "    out.append(time.perf_counter() - t)\n"
        "    assert any(f.kind in ('repost', 'off-topic-repost') for f in r.pages[0].findings), p\n"
        "print(json.dumps(out))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code, index, "1" if topics else "0", "1" if reopen else "0", *map(str, pages)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if res.returncode != 0:
        sys.exit(f"bench: latency run failed: {res.stderr.strip()[-800:]}")
    times = sorted(json.loads(res.stdout))
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times) * 1000, p95 * 1000


_DATASKETCH = """
import json, sys, time
from datasketch import MinHash, MinHashLSH
path, limit, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
t0 = time.perf_counter()
lsh = MinHashLSH(threshold=0.5, num_perm=128)
done = 0
with open(path, encoding="utf-8") as fh:
    for line in fh:
        for para in json.loads(line)["text"].split(chr(10)):
            m = MinHash(num_perm=128)
            for j in range(max(1, len(para) - 4)):
                m.update(para[j : j + 5].encode("utf-8"))
            lsh.insert(str(done), m)
            done += 1
        if done >= limit:
            break
with open(out, "w") as fh:
    fh.write(f"{done} {time.perf_counter() - t0}")
"""


def datasketch_build(corpus: Path, limit: int) -> tuple[int, float, float]:
    """Plain datasketch on the first ``limit`` paragraphs of the corpus, the textbook way: one
    MinHash per paragraph, ``update`` per 5-character shingle, inserted into an in-memory
    MinHashLSH (threshold 0.5, 128 permutations). Paragraphs done, seconds, peak memory (MB)."""
    out = corpus.with_suffix(".datasketch.txt")
    _, peak = run_peak([sys.executable, "-c", _DATASKETCH, str(corpus), str(limit), str(out)])
    done, seconds = out.read_text().split()
    return int(done), float(seconds), peak


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Redis:
    def __init__(self, folder: Path):
        exe = shutil.which("redis-server")
        if exe is None:
            sys.exit("bench: redis-server not found (apt-get install redis-server)")
        self.port = free_port()
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.proc = subprocess.Popen(
            [exe, *args, "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        import redis

        self.client = redis.Redis(port=self.port, socket_timeout=None)  # FLUSHDB of GBs takes a while
        for _ in range(100):
            try:
                self.client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)

    def url(self, prefix: str) -> str:
        return f"redis://127.0.0.1:{self.port}/0?prefix={prefix}"

    def used_mb(self) -> float:
        return int(self.client.info("memory")["used_memory"]) / 1e6

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data")
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--redis-sizes", default="10000,100000")
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--dask-pages", type=int, default=200)
    ap.add_argument("--dask-paragraphs", type=int, default=100000, help="0: no Dask rows")
    ap.add_argument(
        "--datasketch-paragraphs",
        type=int,
        default=20000,
        help="paragraphs built with plain datasketch (in memory), extrapolated to each size",
    )
    ap.add_argument("--keep", help="keep the generated files in this folder")
    args = ap.parse_args()
    articles = load_cnews(data_dir(args.data))
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="detector-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    detector = [sys.executable, "-m", "detector"]
    # 0 means none (--redis-sizes 0: no Redis rows).
    sizes = [int(x) for x in args.sizes.split(",") if x and int(x) > 0]
    redis_sizes = {int(x) for x in args.redis_sizes.split(",") if x and int(x) > 0}
    rows: list[tuple[str, ...]] = []

    def emit(row: tuple[str, ...]) -> None:
        rows.append(row)
        print("  " + " | ".join(row), file=sys.stderr, flush=True)

    redis_server = Redis(work) if redis_sizes else None
    baseline: tuple[int, float, float] | None = None
    try:
        for n in sorted(set(sizes) | redis_sizes):
            corpus = work / f"sources-{n}.jsonl"
            docs = write_sources(articles, corpus, n, seed=1)
            if baseline is None and args.datasketch_paragraphs:
                baseline = datasketch_build(corpus, min(n, args.datasketch_paragraphs))
                done, secs, peak = baseline
                emit(
                    (
                        "datasketch MinHash.update + MinHashLSH (in memory)",
                        f"{done:,}",
                        f"{secs:.1f} s",
                        f"{peak:,.0f} MB",
                        "",
                        "",
                        "",
                    )
                )
            pages = write_pages(docs, work / f"pages-{n}", args.pages, seed=2)
            if n in sizes:
                idx = work / f"index-{n}.idx"
                for f in work.glob(f"index-{n}.idx*"):
                    f.unlink()
                t, peak = run_peak([*detector, "index", str(corpus), "--index", str(idx)])
                disk = sum(f.stat().st_size for f in work.glob(f"index-{n}.idx*")) / 1e6
                med, p95 = latency(str(idx), pages)
                emit(
                    (
                        "SQLite",
                        f"{n:,}",
                        f"{t:.1f} s ({corpus.stat().st_size / 1e6 / t:.2f} MB/s)",
                        f"{peak:,.0f} MB",
                        f"{disk:,.0f} MB",
                        f"{med:.1f}",
                        f"{p95:.1f}",
                    )
                )
                med, p95 = latency(str(idx), pages, topics=False)
                emit(("  the same scans, topics not judged", "", "", "", "", f"{med:.1f}", f"{p95:.1f}"))
                med, p95 = latency(str(idx), pages, reopen=True)
                emit(("  the same, each scan opening the index", "", "", "", "", f"{med:.1f}", f"{p95:.1f}"))
                if baseline is not None:
                    done, secs, _ = baseline
                    at_n = secs * n / done
                    emit(
                        (
                            "  datasketch at this size (time extrapolated)",
                            f"{n:,}",
                            f"{at_n:.0f} s",
                            "",
                            f"SQLite {at_n / t:.0f}x faster",
                            "",
                            "",
                        )
                    )
            if redis_server is not None and n in redis_sizes:
                url = redis_server.url(f"scale{n}")
                before = redis_server.used_mb()
                t, peak = run_peak([*detector, "index", str(corpus), "--index", url])
                size = redis_server.used_mb() - before
                passages = index_info(url)[1]["passages"]
                med, p95 = latency(url, pages)
                emit(
                    (
                        "Redis",
                        f"{n:,}",
                        f"{t:.1f} s ({corpus.stat().st_size / 1e6 / t:.2f} MB/s)",
                        f"{peak:,.0f} MB",
                        f"{size:,.0f} MB RAM, {size * 1e6 / max(1, passages):,.0f} B/passage",
                        f"{med:.1f}",
                        f"{p95:.1f}",
                    )
                )
                # Synchronous: an asynchronous flush freed the last size's memory in the server's
                # background thread while the next size was built and measured.
                redis_server.client.flushdb()
    finally:
        if redis_server is not None:
            redis_server.stop()

    # Dask against in-process: one batch of pages against a corpus given on the command line.
    n = args.dask_paragraphs
    if n == 0:
        _print_table(rows, work, args.keep)
        return
    corpus = work / f"sources-{n}.jsonl"
    if not corpus.exists():
        write_sources(articles, corpus, n, seed=1)
    docs = [
        json.loads(line)["text"].split("\n")
        for _, line in zip(range(2000), corpus.open(encoding="utf-8"), strict=False)
    ]
    batch = work / f"batch-{n}"
    write_pages(docs, batch, args.dask_pages, seed=3)
    engines: list[tuple[str, list[str]]] = [("in-process", ["--engine", "local"])]
    cluster_code = (
        "import sys, time\n"
        "from distributed import LocalCluster\n"
        "c = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=':0')\n"
        "print(c.scheduler_address, flush=True)\n"
        "sys.stdin.read()\n"
        "c.close()\n"
    )
    cluster = subprocess.Popen(
        [sys.executable, "-c", cluster_code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert cluster.stdout is not None
        address = cluster.stdout.readline().strip()
        engines.append(
            ("Dask LocalCluster, 2 workers (client memory)", ["--engine", "dask", "--scheduler", address])
        )
        outputs = []
        for name, flags in engines:
            out = work / f"batch-{name.split()[0]}.json"
            t, peak = run_peak(
                [*detector, "scan", str(batch), "--corpus", str(corpus), *flags, "--json", str(out)]
            )
            outputs.append(out.read_bytes())
            emit(
                (
                    f"scan --corpus, {name}",
                    f"{n:,}",
                    f"{t:.1f} s",
                    f"{peak:,.0f} MB",
                    f"{args.dask_pages} pages",
                    "",
                    "",
                )
            )
        same = all(o == outputs[0] for o in outputs)
        emit(("engines give identical JSON", "", "", "", "yes" if same else "NO", "", ""))
    finally:
        if cluster.stdin is not None:
            cluster.stdin.close()
        cluster.wait(timeout=60)

    _print_table(rows, work, args.keep)


def _print_table(rows: list[tuple[str, ...]], work: Path, keep: str | None) -> None:
    head = ("store / run", "paragraphs", "build or run", "peak memory", "size", "scan median ms", "p95 ms")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    print(" | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    print(f"\nfiles in {work}" if keep else "")
    if not keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
