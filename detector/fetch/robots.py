"""robots.txt rules per origin, parsed by Protego (the parser Scrapy uses: wildcards, Allow and
Disallow precedence by rule length, Crawl-delay and Sitemap lines, RFC 9309).

What an answer means follows RFC 9309: a 4xx means there are no rules (everything allowed);
a 5xx or no answer at all means the site is to be treated as disallowed, as the RFC asks
(with no answer, the page's error is why: it would not have answered either).
"""

from __future__ import annotations

from dataclasses import dataclass

from protego import Protego


@dataclass(frozen=True)
class Robots:
    rules: Protego | None
    disallow_all: bool = False
    note: str | None = None  # why everything is disallowed

    def allows(self, url: str, user_agent: str) -> bool:
        if self.disallow_all:
            return False
        return self.rules is None or bool(self.rules.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float:
        if self.rules is None:
            return 0.0
        delay = self.rules.crawl_delay(user_agent)
        return float(delay) if delay is not None else 0.0

    def sitemaps(self) -> list[str]:
        return [] if self.rules is None else list(self.rules.sitemaps)


def robots_from_answer(status: int | None, body: bytes | None, problem: str | None) -> Robots:
    """The rules for an origin from what ``/robots.txt`` answered (after redirects)."""
    if status is not None and 200 <= status < 300 and body is not None:
        return Robots(Protego.parse(body.decode("utf-8", "replace")))
    if status is not None and 400 <= status < 500:
        return Robots(None)
    if status is None:  # the host did not answer at all: the page would fail the same way
        return Robots(None, disallow_all=True, note=problem or "no answer")
    note = f"robots.txt unavailable (HTTP {status}): the site is not fetched"
    return Robots(None, disallow_all=True, note=note)
