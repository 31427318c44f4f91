"""The limits of one fetch, through the library against the live test server: deadlines,
size limits on decoded bodies, redirects and Retry-After."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import brotli
import pytest

from detector.config import FetchSettings
from detector.fetch.bodies import BoundedDecoder, TooLarge
from detector.fetch.crawl import fetch
from detector.fetch.sitemaps import parse_sitemap
from detector.model import Document, InputFailure
from tests.fetch.site import Site, gzip_bomb, send, serve, trickle

LIMIT = 200_000


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    with serve(s):
        s.routes["/robots.txt"] = lambda h: send(h, 404, b"", {"Content-Type": "text/plain"})
        yield s


def settings(**kw: object) -> FetchSettings:
    base: dict[str, object] = {"user_agent": "detector-test", "delay": 0.0, "max_page_bytes": LIMIT}
    base.update(kw)
    return FetchSettings(**base)  # type: ignore[arg-type]


def one(site: Site, path: str, **kw: object) -> Document | InputFailure | None:
    run = fetch([site.base + path], settings(**kw), crawl=False)
    return run.named[site.base + path]


def test_a_trickling_page_is_cut_off_at_the_page_deadline(site: Site) -> None:
    site.routes["/slow.html"] = lambda h: trickle(h, seconds=20)
    item = one(site, "/slow.html", page_deadline=0.5, request_timeout=5.0)
    assert isinstance(item, InputFailure)
    assert item.error == "no complete answer within the 0.5 s page deadline"


def test_a_page_over_the_size_limit_is_refused(site: Site) -> None:
    site.html("/big.html", b"<html><body><p>" + "大".encode() * LIMIT + b"</p></body></html>")
    item = one(site, "/big.html")
    assert isinstance(item, InputFailure) and item.error == f"larger than the {LIMIT}-byte limit"


def test_a_gzip_bomb_is_cut_off_at_the_limit(site: Site) -> None:
    site.routes["/bomb.html"] = lambda h: gzip_bomb(h, 10_000_000)
    item = one(site, "/bomb.html")
    assert isinstance(item, InputFailure) and item.error == f"larger than the {LIMIT}-byte limit"


@pytest.mark.parametrize(
    ("coding", "compress"),
    [("gzip", gzip.compress), ("deflate", zlib.compress), ("br", brotli.compress)],
)
def test_decoding_stops_one_step_past_the_limit_whatever_the_encoding(coding: str, compress: object) -> None:
    bomb = compress(b"\0" * 3_000_000)  # type: ignore[operator]
    decoder = BoundedDecoder(coding, LIMIT)
    with pytest.raises(TooLarge):
        decoder.feed(bomb)
    assert len(decoder.body) <= LIMIT + 128 * 1024  # one step (brotli may double it)


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
def test_compressed_pages_are_decoded(site: Site, coding: str) -> None:
    html = "<html><head><title>压缩</title></head><body><article><p>压缩传输的页面正文内容。</p></article>"
    raw = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}[coding](html.encode())
    site.routes["/z.html"] = lambda h: send(
        h, 200, raw, {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": coding}
    )
    item = one(site, "/z.html")
    assert isinstance(item, Document) and "压缩传输的页面正文内容" in item.text


def test_more_than_five_redirects_are_not_followed(site: Site) -> None:
    for n in range(10):
        site.redirect(f"/hop/{n}", f"/hop/{n + 1}")
    item = one(site, "/hop/0")
    assert isinstance(item, InputFailure) and item.error == "more than 5 redirects"
    assert site.paths().count("/hop/5") == 1 and "/hop/6" not in site.paths()


def test_a_named_url_follows_a_redirect_to_another_host(site: Site) -> None:
    site.redirect("/moved", f"http://localhost:{site.port}/home.html")
    site.html("/home.html", b"<html><body><article><p>Moved to another host name.</p></article></body>")
    item = one(site, "/moved")
    assert isinstance(item, Document) and item.url == f"http://localhost:{site.port}/home.html"
    assert item.site == "localhost"


def test_a_retry_after_longer_than_the_cap_is_not_waited_for(site: Site) -> None:
    site.routes["/later.html"] = lambda h: send(h, 503, b"", {"Retry-After": "3600"})
    item = one(site, "/later.html")
    assert isinstance(item, InputFailure)
    assert item.error == "HTTP 503: asked to wait 3600 s, longer than 60 s"
    assert site.paths().count("/later.html") == 1


def test_a_503_is_retried_a_few_times_then_fails(site: Site) -> None:
    site.routes["/down.html"] = lambda h: send(h, 503, b"", {"Retry-After": "0"})
    item = one(site, "/down.html", max_retries=2)
    assert isinstance(item, InputFailure) and item.error == "HTTP 503 Service Unavailable"
    assert site.paths().count("/down.html") == 3


def test_robots_txt_that_errors_with_5xx_means_the_site_is_not_fetched(site: Site) -> None:
    site.routes["/robots.txt"] = lambda h: send(h, 500, b"", {})
    site.html("/page.html", b"<html><body><p>x</p></body></html>")
    item = one(site, "/page.html", max_retries=0)
    assert isinstance(item, InputFailure) and "robots.txt unavailable (HTTP 500)" in item.error
    assert "/page.html" not in site.paths()


def test_a_sitemap_with_entities_is_refused_not_expanded() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol2;</loc></url></urlset>'
    )
    got = parse_sitemap(laughs, max_bytes=1_000_000)
    assert got.pages == () and got.error is not None


def test_a_sitemap_index_names_nested_sitemaps_and_gzip_sitemaps_are_read() -> None:
    index = (
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>http://a.example/s1.xml.gz</loc></sitemap></sitemapindex>"
    )
    assert parse_sitemap(index, max_bytes=10_000).sitemaps == ("http://a.example/s1.xml.gz",)
    urlset = b"<urlset><url><loc> http://a.example/p.html </loc></url></urlset>"
    assert parse_sitemap(gzip.compress(urlset), max_bytes=10_000).pages == ("http://a.example/p.html",)
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000 + b"</urlset>")
    assert "larger than" in (parse_sitemap(bomb, max_bytes=10_000).error or "")


def test_a_named_url_that_is_not_a_page_is_an_error(site: Site) -> None:
    site.html("/report.pdf", b"%PDF-1.4 not a page", "application/pdf")
    item = one(site, "/report.pdf")
    assert isinstance(item, InputFailure) and item.error == "not a page (application/pdf)"


def test_a_hostile_reason_phrase_never_reaches_the_terminal(site: Site) -> None:
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(404, "\x1b[2J\x1b]0;pwned\x07Gone")
        h.send_header("Content-Length", "0")
        h.end_headers()

    site.routes["/gone.html"] = route
    item = one(site, "/gone.html")
    assert isinstance(item, InputFailure) and item.error.startswith("HTTP 404 ")
    assert "\x1b" not in item.error and "\x07" not in item.error
