"""The limits and politeness of fetching, as named settings.

None of these was calibrated on detection data (they do not change findings); each was chosen
against what real sites and the RFCs need, as the comments say.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FetchSettings:
    user_agent: str
    # Seconds between two requests to one host (--delay); robots.txt Crawl-delay wins when longer.
    delay: float = 1.0
    # --crawl: at most this many page URLs are requested (robots.txt and sitemaps not counted).
    max_pages: int = 200
    # Bytes of a page after content decoding (the same limit as files: Settings.max_page_bytes).
    max_page_bytes: int = 20_000_000
    # Seconds for connecting and for each read; a live server answers in well under a second.
    request_timeout: float = 10.0
    # Seconds for one whole response: a server trickling a byte at a time cannot hold the crawl.
    # 30 s downloads 20 MB on a 5 Mbit/s link.
    page_deadline: float = 30.0
    # Redirects followed for one URL (Chrome follows 20; 5 is what RFC 9309 asks for robots.txt).
    max_redirects: int = 5
    # Retries of a 429 or 503 answer, waiting Retry-After or else 1, 2, 4 s times the delay.
    max_retries: int = 3
    # Retry-After longer than this is not waited for: the page fails (a polite crawler gives up).
    max_retry_after: float = 60.0
    # robots.txt beyond 500 KiB is ignored, as RFC 9309 allows (Google reads the same amount).
    max_robots_bytes: int = 512_000
    # Sitemaps fetched per host, nested indexes included; 50 MB each is the sitemaps.org maximum.
    max_sitemaps: int = 20
    max_sitemap_bytes: int = 50_000_000
    # Links kept from one page, and URLs waiting at once: a hostile page cannot fill memory.
    max_links_per_page: int = 5_000
    max_queue: int = 100_000
    # Links longer than this are skipped (browsers and servers refuse far shorter ones in practice).
    max_url_chars: int = 2_000
