"""The pages of a command line that names URLs: fetched pages, files, folders, JSONL, Parquet
and WARC files, in the order named, with the pages found by crawling after them all.

``read_pages`` returns None when no URL is named: the scan then reads its paths as before.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from detector.config import FetchSettings
from detector.errors import ConfigError, InputError
from detector.fetch.progress import CrawlProgress
from detector.model import Document, FetchError, InputFailure
from detector.version import __version__

DEFAULTS = FetchSettings(user_agent=f"detector/{__version__}")


@dataclass(frozen=True)
class FetchOptions:
    """What ``scan --crawl --max-pages --delay --save-warc --user-agent`` ask for."""

    crawl: bool = False
    max_pages: int = DEFAULTS.max_pages
    delay: float = DEFAULTS.delay
    save_warc: Path | None = None
    user_agent: str = DEFAULTS.user_agent
    progress: Callable[[CrawlProgress], None] | None = None


@dataclass(frozen=True)
class FetchedPages:
    items: list[Document | InputFailure]
    fetch_errors: tuple[FetchError, ...]
    interrupted: bool


def is_url(arg: str) -> bool:
    return arg[:8].lower().startswith(("http://", "https://"))


def read_pages(
    args: Sequence[str],
    opts: FetchOptions,
    *,
    site: str | None,
    max_bytes: int,
    site_per_folder: bool = False,
) -> FetchedPages | None:
    """Raises InputError for a named path that does not exist, and ConfigError for fetching
    options without a URL, before anything is fetched."""
    urls = [a for a in args if is_url(a)]
    if not urls:
        if opts.crawl or opts.save_warc is not None:
            raise ConfigError("--crawl and --save-warc need a PAGE that is an http:// or https:// URL")
        return None
    # Imported only when a URL is named: httpx and what it pulls in (rich, pygments, trio) take
    # 0.3 s to import, a fifth of scanning 100 local pages.
    from detector.fetch.crawl import fetch
    from detector.fetch.warc import WarcLog
    from detector.ingest.partitions import iter_page_inputs

    for arg in args:
        if not is_url(arg) and not os.path.exists(arg):
            raise InputError(arg, "no such file or directory")
    if opts.save_warc is not None and opts.save_warc.is_dir():
        raise InputError(str(opts.save_warc), "is a folder; name a file to write")
    settings = FetchSettings(
        user_agent=opts.user_agent, delay=opts.delay, max_pages=opts.max_pages, max_page_bytes=max_bytes
    )
    warc = WarcLog(opts.save_warc, f"detector/{__version__}") if opts.save_warc is not None else None
    try:
        run = fetch(urls, settings, crawl=opts.crawl, site=site, warc=warc, progress=opts.progress)
    finally:
        if warc is not None:
            warc.close()
    items: list[Document | InputFailure] = []
    seen: set[str] = set()
    paths: list[str] = []

    def flush() -> None:
        read = iter_page_inputs(paths, site=site, max_bytes=max_bytes, site_per_folder=site_per_folder)
        for item in read:
            if item.uri not in seen:  # the same file named twice is read once, as before
                seen.add(item.uri)
                items.append(item)
        paths.clear()

    for arg in args:
        if not is_url(arg):
            paths.append(arg)
            continue
        flush()
        page = run.named.get(arg)
        if page is not None and page.uri not in seen:
            seen.add(page.uri)
            items.append(page)
    flush()
    items.extend(p for p in run.crawled if p.uri not in seen)
    return FetchedPages(items, tuple(run.fetch_errors), run.interrupted)
