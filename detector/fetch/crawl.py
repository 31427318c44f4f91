"""Fetch the URLs named on the command line and, with ``crawl``, the pages they lead to.

Breadth first, on the hosts of the named URLs only: the named pages first, then their links, the
pages listed in the site's sitemaps (``/sitemap.xml`` and those robots.txt names), then the links
of those, until ``max_pages`` page URLs have been requested. Every request waits its turn at the
host (``HostClock``), obeys robots.txt, and is written to the WARC when one is kept.

Ctrl-C stops the crawl between two steps: what was fetched so far is returned with
``interrupted`` set, and a WARC record is never left half-written.
"""

from __future__ import annotations

import signal
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from types import FrameType

from detector.config import FetchSettings
from detector.fetch.client import Client, Exchange, mime_of
from detector.fetch.pages import is_page_type, page_item
from detector.fetch.progress import CrawlProgress
from detector.fetch.robots import Robots, robots_from_answer
from detector.fetch.schedule import HostClock, retry_wait
from detector.fetch.sitemaps import parse_sitemap
from detector.fetch.urls import host_of, normalise, origin_of, page_links, resolve
from detector.fetch.warc import WarcLog
from detector.ingest.inputs import url_host
from detector.model import Document, FetchError, InputFailure

Item = Document | InputFailure
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass
class FetchRun:
    """``named``: the page of each URL named on the command line (None: the same page as an
    earlier one); ``crawled``: the pages found by crawling, in fetch order."""

    named: dict[str, Item | None] = field(default_factory=dict)
    crawled: list[Item] = field(default_factory=list)
    fetch_errors: list[FetchError] = field(default_factory=list)
    interrupted: bool = False


@dataclass(frozen=True, slots=True)
class _Outcome:
    exchange: Exchange | None
    final_url: str
    error: str | None = None
    skipped: bool = False


class Crawler:
    def __init__(
        self,
        settings: FetchSettings,
        *,
        site: str | None = None,
        warc: WarcLog | None = None,
        progress: Callable[[CrawlProgress], None] | None = None,
    ) -> None:
        self.s = settings
        self.site = site
        self.warc = warc
        self.progress = progress or (lambda _p: None)
        self.clock = HostClock()
        self.robots: dict[str, Robots] = {}
        self.sitemaps_read: set[str] = set()
        self.client = Client(
            user_agent=settings.user_agent,
            timeout=settings.request_timeout,
            deadline=settings.page_deadline,
            max_bytes=settings.max_page_bytes,
        )
        self._stop = False  # Ctrl-C seen while a WARC record was being written
        self._writing = False

    # ---- the run --------------------------------------------------------------------------

    def run(self, urls: Sequence[str], *, crawl: bool) -> FetchRun:
        out = FetchRun()
        queue: deque[tuple[str, str | None]] = deque()  # (normalised URL, as named or None)
        seen: set[str] = set()
        for url in urls:
            norm = normalise(url)
            if norm is None:
                out.named[url] = InputFailure(url, self.site or url, "not an http or https URL with a host")
                continue
            if norm in seen:
                out.named.setdefault(url, None)
                continue
            seen.add(norm)
            queue.append((norm, url))
        finals: set[str] = set()
        hosts = {host_of(u) for u, _ in queue}
        requested = fetched = failed = 0
        try:
            with self._interruptible():
                while queue:
                    url, named = queue.popleft()
                    if named is None and requested >= self.s.max_pages:
                        break
                    requested += 1
                    outcome = self._page(url, same_host=host_of(url) if named is None else None)
                    item = self._item(outcome, uri=named or url, finals=finals, named=named is not None)
                    if named is not None:
                        out.named[named] = item
                        hosts.add(host_of(outcome.final_url))  # a site that moved: its sitemaps count
                    elif isinstance(item, InputFailure):
                        out.fetch_errors.append(FetchError(url, item.error))
                    elif item is not None:
                        out.crawled.append(item)
                    if isinstance(item, InputFailure):
                        failed += 1
                    elif item is not None:
                        fetched += 1
                    if crawl and isinstance(item, Document):
                        for link in self._next_urls(item, outcome.final_url, hosts, out):
                            if link not in seen and len(queue) < self.s.max_queue:
                                seen.add(link)
                                queue.append((link, None))
                    self.progress(CrawlProgress(fetched, len(queue), failed))
                    self._check_stop()
        except KeyboardInterrupt:
            out.interrupted = True
        finally:
            self.client.close()
        for url in urls:  # named URLs never reached (Ctrl-C) are errors as well
            if url not in out.named:
                site = self.site or url_host(url) or url
                out.named[url] = InputFailure(url, site, "not fetched (interrupted)")
        return out

    def _item(self, outcome: _Outcome, *, uri: str, finals: set[str], named: bool) -> Item | None:
        host = self.site or url_host(outcome.final_url) or outcome.final_url  # as a page's site
        if outcome.error is not None:
            return InputFailure(uri, host, outcome.error)
        if outcome.exchange is None:
            return None
        if outcome.skipped:
            # A link to an image or a PDF is passed over; a URL the user named is an error.
            return InputFailure(uri, host, outcome.exchange.skipped or "not a page") if named else None
        if outcome.final_url in finals:
            return None  # reached again through another URL or a redirect
        finals.add(outcome.final_url)
        return page_item(outcome.exchange, uri=uri, final_url=outcome.final_url, site=self.site)

    def _next_urls(self, doc: Document, final_url: str, hosts: set[str], out: FetchRun) -> Iterator[str]:
        mime = mime_of(doc.fetch.content_type if doc.fetch is not None else None)
        if doc.original is not None and mime != "text/plain":
            yield from page_links(
                doc.original, final_url, limit=self.s.max_links_per_page, max_chars=self.s.max_url_chars
            )
        origin = origin_of(final_url)
        if origin not in self.sitemaps_read and host_of(final_url) in hosts:
            self.sitemaps_read.add(origin)
            yield from self._sitemap_pages(origin, out)

    # ---- one page, one request -----------------------------------------------------------

    def _page(self, url: str, *, same_host: str | None) -> _Outcome:
        """Follow redirects (at most ``max_redirects``), checking robots.txt at every hop; during
        a crawl (``same_host``), a redirect to another host is not followed."""
        return self._follow(url, same_host=same_host, robots=True, wanted=is_page_type, max_bytes=None)

    def _follow(
        self,
        url: str,
        *,
        same_host: str | None,
        robots: bool,
        wanted: Callable[[str], bool] | None,
        max_bytes: int | None,
    ) -> _Outcome:
        hops = [url]
        current = url
        for _ in range(self.s.max_redirects + 1):
            if robots:
                rules = self._robots(current)
                if not rules.allows(current, self.s.user_agent):
                    return _Outcome(None, current, rules.note or "disallowed by robots.txt")
            ex = self._get(current, wanted=wanted, max_bytes=max_bytes)
            if ex.error is not None:
                return _Outcome(ex, current, ex.error)
            assert ex.status is not None
            if ex.status in _REDIRECTS:
                target = resolve(ex.header("location") or "", current)
                if target is None:
                    return _Outcome(ex, current, f"HTTP {ex.status} redirect to no http or https URL")
                if same_host is not None and host_of(target) != same_host:
                    return _Outcome(ex, current, f"redirect to another host not followed ({target})")
                if target in hops:
                    return _Outcome(ex, current, "redirect loop")
                hops.append(target)
                current = target
                continue
            if not 200 <= ex.status < 300:
                return _Outcome(ex, current, f"HTTP {ex.status} {ex.reason}".strip())
            if ex.skipped is not None:
                return _Outcome(ex, current, None, skipped=True)
            return _Outcome(ex, current)
        return _Outcome(None, current, f"more than {self.s.max_redirects} redirects")

    def _get(self, url: str, *, wanted: Callable[[str], bool] | None, max_bytes: int | None) -> Exchange:
        """One URL, politely: wait for the host, retry 429 and 503 as the server asks."""
        host = host_of(url)
        attempt = 0
        while True:
            self.clock.wait(host)
            ex = self.client.get(url, wanted=wanted, max_bytes=max_bytes)
            self._record(ex)
            self.clock.done(host, self._delay(host))
            if ex.status not in (429, 503) or attempt >= self.s.max_retries:
                return ex
            wait = retry_wait(ex.header("retry-after"), attempt, self.s.delay)
            if wait > self.s.max_retry_after:
                problem = f"asked to wait {wait:.0f} s, longer than {self.s.max_retry_after:g} s"
                return _with_error(ex, f"HTTP {ex.status}: {problem}")
            self.clock.hold(host, wait)
            attempt += 1

    def _delay(self, host: str) -> float:
        rules = next((r for origin, r in self.robots.items() if host_of(origin + "/") == host), None)
        crawl_delay = rules.crawl_delay(self.s.user_agent) if rules is not None else 0.0
        return max(self.s.delay, crawl_delay)

    # ---- robots.txt and sitemaps ---------------------------------------------------------

    def _robots(self, url: str) -> Robots:
        origin = origin_of(url)
        rules = self.robots.get(origin)
        if rules is None:
            got = self._follow(
                origin + "/robots.txt",
                same_host=None,
                robots=False,
                wanted=None,
                max_bytes=self.s.max_robots_bytes,
            )
            ex = got.exchange
            if ex is not None and got.error is not None and ex.status is not None and 200 <= ex.status < 300:
                rules = Robots(None)  # larger than RFC 9309 asks a crawler to read: no rules
            elif ex is None or ex.status is None:
                rules = robots_from_answer(None, None, got.error)
            else:
                rules = robots_from_answer(ex.status, ex.body if got.error is None else None, got.error)
            self.robots[origin] = rules
            host = host_of(origin + "/")
            self.clock.done(host, self._delay(host))  # robots.txt itself waits its Crawl-delay
        return rules

    def _sitemap_pages(self, origin: str, out: FetchRun) -> Iterator[str]:
        rules = self._robots(origin + "/")
        host = host_of(origin + "/")
        named = [u for u in (normalise(s) for s in rules.sitemaps()) if u and host_of(u) == host]
        todo = deque(dict.fromkeys([*named, origin + "/sitemap.xml"]))
        done: set[str] = set()
        while todo and len(done) < self.s.max_sitemaps:
            url = todo.popleft()
            if url in done:
                continue
            done.add(url)
            got = self._follow(
                url, same_host=host, robots=False, wanted=None, max_bytes=self.s.max_sitemap_bytes
            )
            if got.error is not None or got.exchange is None or got.exchange.body is None:
                if url in named and got.error is not None:
                    out.fetch_errors.append(FetchError(url, f"sitemap: {got.error}"))
                continue
            sitemap = parse_sitemap(got.exchange.body, max_bytes=self.s.max_sitemap_bytes)
            if sitemap.error is not None:
                out.fetch_errors.append(FetchError(url, f"sitemap: {sitemap.error}"))
            for nested in sitemap.sitemaps:
                norm = normalise(nested)
                if norm is not None and host_of(norm) == host:
                    todo.append(norm)
            for page in sitemap.pages:
                norm = normalise(page)
                if norm is not None and host_of(norm) == host and len(norm) <= self.s.max_url_chars:
                    yield norm

    # ---- the WARC and Ctrl-C -------------------------------------------------------------

    def _record(self, ex: Exchange) -> None:
        if self.warc is None:
            return
        self._writing = True
        try:
            self.warc.record(ex)
        finally:
            self._writing = False
        self._check_stop()

    def _check_stop(self) -> None:
        if self._stop:
            raise KeyboardInterrupt

    @contextmanager
    def _interruptible(self) -> Iterator[None]:
        """Ctrl-C raises KeyboardInterrupt at once, except while a WARC record is being written:
        then it is raised right after the record is complete."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def on_sigint(signum: int, frame: FrameType | None) -> None:
            self._stop = True
            if not self._writing:
                raise KeyboardInterrupt

        previous = signal.signal(signal.SIGINT, on_sigint)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)


def _with_error(ex: Exchange, error: str) -> Exchange:
    return replace(ex, error=error)


def fetch(
    urls: Sequence[str],
    settings: FetchSettings,
    *,
    crawl: bool,
    site: str | None = None,
    warc: WarcLog | None = None,
    progress: Callable[[CrawlProgress], None] | None = None,
) -> FetchRun:
    """Fetch (and with ``crawl``, crawl from) ``urls``; see the module docstring."""
    return Crawler(settings, site=site, warc=warc, progress=progress).run(urls, crawl=crawl)
