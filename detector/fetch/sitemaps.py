"""Sitemaps (sitemaps.org): page URLs and nested sitemaps, read with defusedxml.

A sitemap is hostile input like any page: defusedxml refuses DTDs, entity expansion and external
references (the billion-laughs and XXE attacks), and the caller bounds the bytes. A gzip'd sitemap
(``sitemap.xml.gz``) is inflated with the same bound; a text sitemap is one URL a line.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from detector.fetch.bodies import BadEncoding, BoundedDecoder, TooLarge


@dataclass(frozen=True, slots=True)
class Sitemap:
    pages: tuple[str, ...]
    sitemaps: tuple[str, ...]  # a sitemap index names further sitemaps
    error: str | None = None


def parse_sitemap(data: bytes, *, max_bytes: int) -> Sitemap:
    if data[:2] == b"\x1f\x8b":
        try:
            decoder = BoundedDecoder("gzip", max_bytes)
            decoder.feed(data)
            data = decoder.finish()
        except TooLarge:
            return Sitemap((), (), f"larger than the {max_bytes}-byte limit when inflated")
        except BadEncoding as err:
            return Sitemap((), (), str(err))
    head = data.lstrip()[:1]
    if head != b"<":
        return _text_sitemap(data)
    try:
        root = fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as err:
        return Sitemap((), (), f"not a readable sitemap ({type(err).__name__})")
    pages: list[str] = []
    nested: list[str] = []
    kind = _local(root.tag)
    for entry in root:
        loc = next((c for c in entry if _local(c.tag) == "loc"), None)
        if loc is None or not (loc.text or "").strip():
            continue
        url = (loc.text or "").strip()
        if kind == "sitemapindex" and _local(entry.tag) == "sitemap":
            nested.append(url)
        elif kind == "urlset" and _local(entry.tag) == "url":
            pages.append(url)
    return Sitemap(tuple(pages), tuple(nested))


def _local(tag: str | object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _text_sitemap(data: bytes) -> Sitemap:
    text = data.decode("utf-8", "replace")
    urls = [line.strip() for line in text.splitlines() if line.strip().startswith(("http://", "https://"))]
    return Sitemap(tuple(urls), ())


__all__ = ["Sitemap", "parse_sitemap"]
