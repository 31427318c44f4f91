"""URLs: which can be fetched, their normal form (for deduplication), and the links of a page.

Only ``http`` and ``https`` are fetched. Links resolve against the page's ``<base href>`` (when it
is itself http or https) and else the final URL after redirects; fragments are dropped, and
``javascript:``, ``mailto:``, ``file:``, ``data:`` and every other scheme are never followed.
"""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

_SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left as they are when re-quoting a path or query: the reserved ones and '%'.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = "/?:@!$&'()*+,;=-._~%"
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")


def is_fetchable(url: str) -> bool:
    """An absolute http or https URL with a host."""
    try:
        parts = urlsplit(url.strip())
        return parts.scheme.lower() in _SCHEMES and bool(parts.hostname)
    except ValueError:
        return False


def normalise(url: str) -> str | None:
    """The normal form used to tell URLs apart, or None when the URL cannot be fetched.

    Scheme and host lowercased, default port and fragment dropped, an empty path made ``/``,
    dot segments resolved, characters outside URL syntax (spaces, controls, non-ASCII)
    percent-encoded and percent escapes uppercased; the query keeps its order.
    """
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    if scheme not in _SCHEMES or not host:
        return None
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host.lower()
    except UnicodeError:
        return None
    if ":" in host:
        host = f"[{host}]"  # IPv6
    netloc = host if port is None or port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
    path = parts.path or "/"
    trailing = path.endswith("/")
    path = posixpath.normpath(path)
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    if trailing and not path.endswith("/"):
        path += "/"
    path = _upper_escapes(quote(path, safe=_PATH_SAFE))
    query = _upper_escapes(quote(parts.query, safe=_QUERY_SAFE))
    return urlunsplit((scheme, netloc, path, query, ""))


def _upper_escapes(s: str) -> str:
    return _PERCENT.sub(lambda m: m.group(0).upper(), s)


def host_of(url: str) -> str:
    """``host[:port]`` as in the normal form: the unit of politeness and of 'same site'."""
    return urlsplit(url).netloc.lower()


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def resolve(link: str, base: str) -> str | None:
    """A link as found in a page, made absolute against ``base`` and normalised; None when it
    is not to be followed (another scheme, unparseable)."""
    link = link.strip()
    if not link or link.startswith("#"):
        return None
    try:
        absolute = urljoin(base, link)
    except ValueError:
        return None
    return normalise(absolute)


class _LinkParser(HTMLParser):
    """``<a href>`` and ``<area href>`` in document order, and the first ``<base href>``."""

    def __init__(self, limit: int) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.links: list[str] = []
        self.limit = limit

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "base" and self.base is None:
            self.base = next((v for k, v in attrs if k == "href" and v), None) or ""
        elif tag in ("a", "area") and len(self.links) < self.limit:
            rel = next((v for k, v in attrs if k == "rel" and v), "") or ""
            if "nofollow" in rel.lower().split():
                return
            href = next((v for k, v in attrs if k == "href" and v), None)
            if href:
                self.links.append(href)


def page_links(html: str, final_url: str, *, limit: int, max_chars: int) -> list[str]:
    """The page's links on the same host as ``final_url``: absolute, normalised, deduplicated, in
    document order, at most ``limit``. ``rel="nofollow"`` links are not followed."""
    parser = _LinkParser(limit)
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # html.parser gives up on some broken markup
        pass
    base = final_url
    if parser.base:
        declared = urljoin(final_url, parser.base.strip())
        if is_fetchable(declared):
            base = declared
    host = host_of(final_url)
    seen: set[str] = set()
    out: list[str] = []
    for href in parser.links:
        if len(href) > max_chars:
            continue
        url = resolve(href, base)
        if url is None or url in seen or host_of(url) != host or len(url) > max_chars:
            continue
        seen.add(url)
        out.append(url)
    return out
