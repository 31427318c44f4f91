"""Fetching pages over HTTP and crawling a site politely (CONTRACT.md, "Fetching").

``fetch()`` turns URLs into the same Documents (or InputFailures) that files and WARC records
give, so a fetched page is scanned exactly like a file.
"""

from detector.fetch.crawl import CrawlProgress, FetchError, FetchRun, fetch
from detector.fetch.settings import FetchSettings
from detector.fetch.urls import is_fetchable

__all__ = ["CrawlProgress", "FetchError", "FetchRun", "FetchSettings", "fetch", "is_fetchable"]
