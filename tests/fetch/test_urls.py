"""URL normal forms and the links of a page that a crawl follows."""

from __future__ import annotations

from detector.fetch.urls import normalise, page_links


def test_urls_are_normalised_before_deduplication() -> None:
    assert normalise("HTTP://WWW.Example.CN:80/a/./b/../c.html#top") == "http://www.example.cn/a/c.html"
    assert normalise("https://example.cn") == "https://example.cn/"
    assert normalise("https://example.cn:8443/x?b=1&a=2") == "https://example.cn:8443/x?b=1&a=2"
    assert normalise("http://example.cn/新闻 1.html") == "http://example.cn/%E6%96%B0%E9%97%BB%201.html"
    assert normalise("http://example.cn/a%2fb") == "http://example.cn/a%2Fb"
    assert normalise("http://user:pw@example.cn/") == "http://example.cn/"
    assert normalise("http://例子.中国/") == "http://xn--fsqu00a.xn--fiqs8s/"


def test_only_http_and_https_are_fetchable() -> None:
    for url in ("javascript:alert(1)", "mailto:a@b.cn", "file:///etc/passwd", "ftp://a.cn/", "data:,x", "http://"):
        assert normalise(url) is None


def test_links_resolve_against_base_href_and_stay_on_the_host() -> None:
    html = (
        '<base href="/news/"><a href="a.html">1</a><a href="a.html#x">2</a><a href="/b.html">3</a>'
        '<a href="javascript:void(0)">4</a><a href="mailto:x@y.cn">5</a><a href="#top">6</a>'
        '<a href="http://other.example/c.html">7</a><a href="//other.example/d">8</a>'
        '<a href="file:///etc/passwd">9</a><a rel="nofollow" href="/login">10</a>'
        '<a href="HTTP://SITE.EXAMPLE/e.html">11</a>'
    )
    assert page_links(html, "http://site.example/x/y.html", limit=100, max_chars=2000) == [
        "http://site.example/news/a.html",
        "http://site.example/b.html",
        "http://site.example/e.html",
    ]


def test_a_base_href_that_is_not_http_is_ignored() -> None:
    html = '<base href="javascript:alert(1)//"><a href="a.html">1</a>'
    assert page_links(html, "http://site.example/x/y.html", limit=100, max_chars=2000) == [
        "http://site.example/x/a.html"
    ]


def test_a_page_with_very_many_links_gives_at_most_the_limit() -> None:
    html = "".join(f'<a href="/p{n}.html">x</a>' for n in range(10_000))
    assert len(page_links(html, "http://s.example/", limit=500, max_chars=2000)) == 500
