"""The test site: a company site with robots.txt, a sitemap, GBK, redirects, errors and traps."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from tests.fetch.site import SHARED, STORY, Site, page, paragraphs, send, serve

GBK_TEXT = "山东庆云鑫恒兴机床附件制造厂位于庆云县经济开发区，主营机床防护罩与钢铝拖链。镕喆"


def build_site(site: Site) -> None:
    b = site.base
    site.routes["/robots.txt"] = lambda h: send(
        h,
        200,
        (
            "User-agent: *\nDisallow: /private/\nCrawl-delay: 0.05\n"
            f"Sitemap: {b}/sitemap.xml\n"
        ).encode(),
        {"Content-Type": "text/plain"},
    )
    sitemap = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{b}/news/3.html</loc></url>"
        f"<url><loc>{b}/private/secret.html</loc></url>"
        "<url><loc>http://127.0.0.2:9/elsewhere.html</loc></url>"
        "</urlset>"
    ).encode()
    site.html("/sitemap.xml", sitemap, "application/xml")
    links = (
        "/news/1.html",
        "/news/1.html#comments",
        "news/2.html",
        "/gbk.html",
        "/redirect/1",
        "/loop/a",
        "/missing.html",
        "/busy.html",
        "/logo.png",
        "/base/page.html",
        "/hostile.html",
        "/offhost",
        f"http://127.0.0.2:{site.port}/other-host.html",
        "javascript:alert(1)",
        "mailto:boss@example.cn",
        "file:///etc/passwd",
        "/private/hidden.html",
    )
    site.html("/", page("鑫恒兴首页", paragraphs(STORY, SHARED), links))
    for n in (1, 2, 3, 4):
        site.html(
            f"/news/{n}.html",
            page(
                f"新闻{n}",
                paragraphs(f"第{n}条新闻：{STORY}", SHARED, f"编号{n}的内容各不相同。" * n),
                ("/",),
            ),
        )
    site.html("/news/final.html", page("跳转终点", paragraphs("经过两次跳转后到达的页面内容。" + STORY)))
    site.html("/private/hidden.html", page("内部", paragraphs("不应被抓取的内部页面。")))
    site.html("/private/secret.html", page("内部", paragraphs("不应被抓取的内部页面。")))
    site.html(
        "/gbk.html",
        (
            "<html><head><title>关于我们</title></head><body><article><p>"
            + GBK_TEXT
            + "</p></article></body></html>"
        ).encode("gbk"),
        "text/html; charset=gbk",
    )
    site.redirect("/redirect/1", "/redirect/2")
    site.redirect("/redirect/2", f"{b}/news/final.html", 301)
    site.redirect("/loop/a", "/loop/b")
    site.redirect("/loop/b", "/loop/a")
    site.redirect("/offhost", f"http://127.0.0.2:{site.port}/landing.html")
    site.html("/logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png")
    site.html(
        "/base/page.html",
        page("基准", paragraphs("这一页用基准地址解析相对链接。"), ("4.html",), head='<base href="/news/">'),
    )
    busy = {"n": 0}

    def busy_route(h: BaseHTTPRequestHandler) -> None:
        busy["n"] += 1
        if busy["n"] == 1:
            send(h, 429, b"slow down", {"Retry-After": "1", "Content-Type": "text/plain"})
        else:
            body = page("繁忙", paragraphs("服务器繁忙之后终于返回的页面。"))
            send(h, 200, body, {"Content-Type": "text/html"})

    site.routes["/busy.html"] = busy_route
    hostile = (
        "<html><head><title>\x1b[31mRED\x1b[0m 恶意</title><base href=\"javascript:alert(1)//\">"
        '<meta http-equiv="refresh" content="0;url=http://127.0.0.2/">'
        "<script>fetch('http://127.0.0.2/steal')</script></head><body>"
        '<img src="http://127.0.0.2/pixel.gif" onerror="alert(1)">'
        '<a href="/private/hidden.html">x</a><a href="JAVASCRIPT:alert(2)">y</a>'
        '<a href="/news/\x07bell.html">z</a><a href="//127.0.0.2/protocol-relative">w</a>'
        + "<a href='/news/1.html'>again</a>" * 2000
        + "<article><p>"
        + "恶意页面的正文，<script>alert('x')</script>内容照常扫描。" * 3
        + "</p></article></body></html>"
    ).encode()
    site.html("/hostile.html", hostile)


@pytest.fixture
def live_site() -> Iterator[Site]:
    site = Site()
    with serve(site):
        build_site(site)
        yield site
