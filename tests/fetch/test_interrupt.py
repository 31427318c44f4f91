"""Ctrl-C during a crawl: what was fetched is scanned and written, the WARC is whole, exit 130."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from tests.conftest import ROOT
from tests.fetch.site import STORY, Site, page, paragraphs, send, serve


def slow_page(n: int) -> object:
    def route(h: BaseHTTPRequestHandler) -> None:
        time.sleep(0.1)
        links = tuple(f"/p/{m}.html" for m in range(n + 1, n + 4))
        body = page(f"第{n}页", paragraphs(f"第{n}页的正文。{STORY}"), links)
        send(h, 200, body, {"Content-Type": "text/html"})

    return route


def test_ctrl_c_writes_what_was_scanned_closes_the_warc_and_exits_130(tmp_path: Path) -> None:
    from warcio.archiveiterator import ArchiveIterator

    site = Site()
    with serve(site):
        for n in range(200):
            site.routes[f"/p/{n}.html"] = slow_page(n)  # type: ignore[assignment]
        out, warc = tmp_path / "scan.json", tmp_path / "crawl.warc.gz"
        args = ["scan", site.base + "/p/0.html", "--crawl", "--delay", "0", "--json", str(out)]
        proc = subprocess.Popen(
            [sys.executable, "-m", "detector", *args, "--save-warc", str(warc)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while len([p for p in site.paths() if p.startswith("/p/")]) < 4 and time.monotonic() < deadline:
                time.sleep(0.05)
            proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    fetched = [p for p in data["pages"] if "error" not in p]
    assert 3 <= len(fetched) < 200
    with open(warc, "rb") as f:
        kinds = [r.rec_type for r in ArchiveIterator(f)]  # reads to the end: every record whole
    assert kinds[0] == "warcinfo" and kinds.count("response") >= len(fetched)
