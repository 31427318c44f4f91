"""Crawl speed and memory: a generated 500-page site served on 127.0.0.1, crawled with --delay 0.

    python bench/crawl.py [--pages 500] [--runs 1]

The site (a stdlib threaded HTTP server in this process, pages held in memory) has a home page,
a robots.txt with a Sitemap line, a sitemap listing every page, and pages that link to the next
few, each a few paragraphs of Chinese text. Two figures:

- fetch: detector.fetch.fetch() in a child process (HTTP, robots.txt, sitemap, link extraction,
  decoding and page extraction, no analysis): pages/s and the child's peak resident memory;
- scan: `detector scan URL --crawl --delay 0 --max-pages N --json OUT` in a child process, the
  whole scan (fetching plus analysis), process start included.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = [
    *("机床", "防护罩", "拖链", "导轨", "钢板", "工厂", "客户", "质量", "信誉", "产品", "订单", "生产"),
    *("加工", "设备", "技术", "服务", "市场", "价格", "合作", "发展", "经济", "开发区", "企业", "管理"),
    *("创新", "标准", "检测", "安装", "维修", "配件"),
]


def make_site(pages: int, seed: int = 7) -> dict[str, bytes]:
    rng = random.Random(seed)
    site: dict[str, bytes] = {}
    for n in range(pages):
        paras = "".join(
            "<p>" + "，".join("".join(rng.choices(WORDS, k=6)) for _ in range(5)) + "。</p>" for _ in range(6)
        )
        targets = [(n + k) % pages for k in (1, 2, 7, 31)]
        links = "".join(f'<a href="/p/{t}.html">第{t}页</a>' for t in targets)
        site[f"/p/{n}.html"] = (
            f"<html><head><title>第{n}页</title></head><body><nav><a href='/'>首页</a>{links}</nav>"
            f"<article><h1>第{n}页</h1>{paras}</article><footer>版权所有</footer></body></html>"
        ).encode()
    site["/"] = b"<html><body><a href='/p/0.html'>start</a></body></html>"
    return site


def serve(site: dict[str, bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms ACK wait

        def do_GET(self) -> None:
            body = site.get(self.path)
            ctype = "text/html; charset=utf-8"
            if self.path == "/robots.txt":
                body, ctype = f"User-agent: *\nSitemap: {base}/sitemap.xml\n".encode(), "text/plain"
            elif self.path == "/sitemap.xml":
                locs = "".join(f"<url><loc>{base}{p}</loc></url>" for p in site)
                body, ctype = f"<urlset>{locs}</urlset>".encode(), "application/xml"
            status = 200 if body is not None else 404
            body = body or b"not found"
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


FETCH_CHILD = """
import resource, sys, time
from detector.fetch.crawl import fetch
from detector.config import FetchSettings
url, pages = sys.argv[1], int(sys.argv[2])
t0 = time.perf_counter()
run = fetch([url], FetchSettings(user_agent="detector-bench", delay=0.0, max_pages=pages), crawl=True)
took = time.perf_counter() - t0
n = 1 + len(run.crawled)
print(n, len(run.fetch_errors), took, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=500)
    args = ap.parse_args()
    server = serve(make_site(args.pages))
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", FETCH_CHILD, url, str(args.pages)], capture_output=True, text=True, env=env
    )
    if out.returncode != 0:
        sys.exit(out.stderr)
    n, errors, took, rss = out.stdout.split()
    rows = [("fetch (library)", int(n), int(errors), float(took), int(rss) / 1024)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with_json = Path(os.environ.get("TMPDIR", "/tmp")) / f"detector-crawl-bench-{os.getpid()}.json"
    t0 = time.perf_counter()
    limit = ["--max-pages", str(args.pages)]
    command = ["scan", url, "--crawl", "--delay", "0", *limit, "--json", str(with_json)]
    proc = subprocess.run(
        [sys.executable, "-m", "detector", *command],
        capture_output=True,
        text=True,
        env=env,
    )
    took_scan = time.perf_counter() - t0
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    if proc.returncode not in (0, 1):
        sys.exit(proc.stderr)
    data = json.loads(with_json.read_text(encoding="utf-8"))
    with_json.unlink()
    summary = data["summary"]
    errors_n = len(summary["fetch_errors"])
    rows.append(("scan --crawl (CLI)", summary["pages"], errors_n, took_scan, peak / 1024))
    server.shutdown()
    print(f"{'what':<20} {'pages':>6} {'errors':>6} {'seconds':>8} {'pages/s':>8} {'peak RSS MiB':>13}")
    for what, pages, errs, secs, mib in rows:
        print(f"{what:<20} {pages:>6} {errs:>6} {secs:>8.2f} {pages / secs:>8.1f} {mib:>13.0f}")


if __name__ == "__main__":
    main()
