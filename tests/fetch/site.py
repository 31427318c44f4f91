"""A small live site on 127.0.0.1 for the fetching tests: a real threaded HTTP server (stdlib),
started by the tests, that records every request it answers."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Route = Callable[[BaseHTTPRequestHandler], None]

STORY = (
    "庆云县鑫恒兴机床附件制造厂专业生产机床防护罩、拖链和导轨防护板，产品远销全国二十多个省市。"
    "工厂坚持质量第一、信誉至上的经营理念，欢迎新老客户来电咨询洽谈业务合作。"
)
SHARED = (
    "本厂生产的钢制伸缩式导轨防护罩采用优质冷轧钢板制作，"
    "具有防切屑、防冷却液和防撞击的性能，使用寿命长。"
)


def page(title: str, body: str, links: tuple[str, ...] = (), head: str = "") -> bytes:
    anchors = "".join(f'<li><a href="{href}">链接{n}</a></li>' for n, href in enumerate(links))
    return (
        f"<!doctype html><html><head><title>{title}</title>{head}</head><body>"
        f"<nav><ul>{anchors}</ul></nav><article><h1>{title}</h1>{body}</article>"
        "<footer>版权所有 鑫恒兴</footer></body></html>"
    ).encode()


def paragraphs(*texts: str) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


@dataclass
class Site:
    port: int = 0
    routes: dict[str, Route] = field(default_factory=dict)
    log: list[tuple[float, str, str]] = field(default_factory=list)  # (time, path, user agent)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def paths(self) -> list[str]:
        with self.lock:
            return [p for _, p, _ in self.log]

    def times(self, path: str) -> list[float]:
        with self.lock:
            return [t for t, p, _ in self.log if p == path]

    # ---- route helpers ---------------------------------------------------------------------

    def html(self, path: str, body: bytes, ctype: str = "text/html; charset=utf-8") -> None:
        self.routes[path] = lambda h: send(h, 200, body, {"Content-Type": ctype})

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        headers = {"Location": location, "Content-Type": "text/html"}
        self.routes[path] = lambda h: send(h, status, b"moved", headers)


def send(h: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]) -> None:
    h.send_response(status)
    for k, v in headers.items():
        h.send_header(k, v)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def trickle(h: BaseHTTPRequestHandler, seconds: float = 20.0) -> None:
    """Headers, then one byte every 0.1 s for up to ``seconds`` (or until the client leaves)."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.end_headers()
    h.wfile.write(b"<html><body><p>")
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            h.wfile.write("慢".encode())
            h.wfile.flush()
            time.sleep(0.1)
    except OSError:
        return


def gzip_bomb(h: BaseHTTPRequestHandler, inflated: int) -> None:
    body = _bomb(inflated)
    send(h, 200, body, {"Content-Type": "text/html", "Content-Encoding": "gzip"})


_BOMBS: dict[int, bytes] = {}


def _bomb(inflated: int) -> bytes:
    if inflated not in _BOMBS:
        _BOMBS[inflated] = gzip.compress(b"<html><body>" + b" " * inflated, compresslevel=9)
    return _BOMBS[inflated]


@contextmanager
def serve(site: Site) -> Iterator[Site]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms ACK wait

        def do_GET(self) -> None:
            path = self.path
            with site.lock:
                site.log.append((time.monotonic(), path, self.headers.get("User-Agent", "")))
            route = site.routes.get(path)
            if route is None:
                send(self, 404, b"<html><body>not here</body></html>", {"Content-Type": "text/html"})
            else:
                route(self)

        def log_message(self, format: str, *args: object) -> None:
            return

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            return  # a client that leaves mid-answer (a refused page) is expected here

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    site.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
