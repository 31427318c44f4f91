"""Politeness: when the next request to a host may start, and how long a 429 or 503 waits.

One request at a time per host, ``delay`` seconds apart (robots.txt Crawl-delay when longer);
a 429 or 503 holds the host for Retry-After (seconds or an HTTP date) or else an exponential
backoff of the delay, with a floor of one second.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime


class HostClock:
    def __init__(self, sleep: Callable[[float], None] = time.sleep) -> None:
        self.next_start: dict[str, float] = {}
        self.sleep = sleep

    def wait(self, host: str) -> None:
        """Sleep until a request to ``host`` may start."""
        left = self.next_start.get(host, 0.0) - time.monotonic()
        if left > 0:
            self.sleep(left)

    def done(self, host: str, delay: float) -> None:
        """A request to ``host`` has just ended: the next waits ``delay`` seconds."""
        after = time.monotonic() + delay
        self.next_start[host] = max(self.next_start.get(host, 0.0), after)

    def hold(self, host: str, seconds: float) -> None:
        """The host asked us to come back later."""
        self.next_start[host] = max(self.next_start.get(host, 0.0), time.monotonic() + seconds)


def retry_wait(retry_after: str | None, attempt: int, delay: float) -> float:
    """Seconds to wait before retry number ``attempt`` (0-based) of a 429 or 503 answer."""
    told = parse_retry_after(retry_after)
    if told is not None:
        return told
    return float(max(1.0, delay) * 2**attempt)


def parse_retry_after(value: str | None) -> float | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())
