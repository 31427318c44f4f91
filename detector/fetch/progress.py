"""What a crawl reports after each page, for a progress line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CrawlProgress:
    fetched: int
    queued: int
    failed: int
