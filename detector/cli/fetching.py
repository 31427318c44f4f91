"""``detector scan`` with URLs: the fetching options, and the pages of a mixed command line.

URLs (``http://``, ``https://``) are fetched by detector.fetch; files, folders, JSONL, Parquet
and WARC files are read as before; the pages keep the order of the command line, with the
pages found by ``--crawl`` after them all.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from detector import __version__
from detector.errors import InputError
from detector.fetch.settings import FetchSettings
from detector.model import Document, InputFailure

if TYPE_CHECKING:
    from detector.fetch import CrawlProgress

F = TypeVar("F", bound=Callable[..., Any])
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

_D = FetchSettings(user_agent="")
FETCH_HELP = f"""Fetching: a PAGE that starts with http:// or https:// is fetched and scanned like a file; its
`url` is the final URL after redirects and `fetch` holds the status, final URL and content
type. --crawl also follows its links, the site's sitemap.xml and the sitemaps robots.txt
names, on the same host only, breadth first, up to --max-pages.

Politeness: robots.txt is obeyed for the user agent (detector/VERSION unless --user-agent);
one request at a time per host, --delay seconds apart (its Crawl-delay when longer); a 429 or
503 is retried up to {_D.max_retries} times after Retry-After (or 1, 2, 4 s), unless it asks for
more than {_D.max_retry_after:g} s.

Limits: {_D.request_timeout:g} s to connect and for each read, {_D.page_deadline:g} s for a whole
page (a trickling server is cut off), {_D.max_redirects} redirects (loops end), the page size limit on
the decoded body (gzip, deflate and br bombs are cut off there); non-HTML content types are
skipped; during a crawl a redirect to another host is not followed. A named URL that fails is a page error
(exit 2); crawled links that fail are listed in summary.fetch_errors. Ctrl-C stops the crawl
and scans what was fetched (JSON, report and WARC written), then exits 130."""


def fetch_options(f: F) -> F:
    options = [
        click.option("--crawl", is_flag=True, help="Follow links and sitemaps from the URLs (same host)."),
        click.option(
            "--max-pages",
            type=click.IntRange(min=1),
            default=_D.max_pages,
            show_default=True,
            help="With --crawl: page URLs requested at most.",
        ),
        click.option(
            "--delay",
            type=click.FloatRange(min=0),
            default=_D.delay,
            show_default=True,
            help="Seconds between requests to one host (robots.txt Crawl-delay when longer).",
        ),
        click.option(
            "--save-warc",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Keep every request and response in FILE (WARC 1.1, gzip); `detector scan FILE` rescans.",
        ),
        click.option(
            "--user-agent",
            default=f"detector/{__version__}",
            show_default=True,
            help="User-Agent sent, and matched against robots.txt.",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@dataclass(frozen=True)
class FetchArgs:
    crawl: bool
    max_pages: int
    delay: float
    save_warc: Path | None
    user_agent: str


@dataclass(frozen=True)
class Pages:
    items: list[Document | InputFailure]
    fetch_errors: list[tuple[str, str]]
    interrupted: bool


def is_url(arg: str) -> bool:
    return arg[:8].lower().startswith(("http://", "https://"))


def printable(s: str) -> str:
    """A URL or an error as it may reach a terminal: control characters escaped."""
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), s)


def read_pages(args: list[str], opts: FetchArgs, *, site: str | None, max_bytes: int) -> Pages | None:
    """The pages of a command line naming URLs (None when it names none: the scan reads the paths
    itself, as before). Raises InputError for a named path that does not exist, before fetching."""
    from detector.engine.inputs import iter_page_inputs
    from detector.fetch import fetch
    from detector.fetch.warc import WarcLog

    urls = [a for a in args if is_url(a)]
    if not urls:
        if opts.crawl or opts.save_warc is not None:
            raise click.UsageError("--crawl and --save-warc need a PAGE that is an http:// or https:// URL")
        return None
    for arg in args:
        if not is_url(arg) and not os.path.exists(arg):
            raise InputError(arg, "no such file or directory")
    if opts.save_warc is not None and opts.save_warc.is_dir():
        raise InputError(str(opts.save_warc), "is a folder; name a file to write")
    settings = FetchSettings(
        user_agent=opts.user_agent,
        delay=opts.delay,
        max_pages=opts.max_pages,
        max_page_bytes=max_bytes,
    )
    warc = WarcLog(opts.save_warc, f"detector/{__version__}") if opts.save_warc is not None else None
    bar = _FetchBar()
    try:
        run = fetch(urls, settings, crawl=opts.crawl, site=site, warc=warc, progress=bar.show)
    finally:
        bar.end()
        if warc is not None:
            warc.close()
    items: list[Document | InputFailure] = []
    seen: set[str] = set()
    paths: list[str] = []

    def flush() -> None:
        for item in iter_page_inputs(paths, site=site, max_bytes=max_bytes):
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
    errors = [(e.url, e.error) for e in run.fetch_errors]
    return Pages(items, errors, run.interrupted)


def report_fetch_errors(pages: Pages) -> None:
    for url, error in pages.fetch_errors:
        click.echo(f"detector: warning: {printable(url)}: {printable(error)}", err=True)
    if pages.interrupted:
        n = sum(1 for i in pages.items if isinstance(i, Document))
        click.echo(f"detector: interrupted: scanned the {n} page(s) fetched so far", err=True)


class _FetchBar:
    """One status line on stderr while fetching, when it is a terminal."""

    def __init__(self) -> None:
        self.live = sys.stderr.isatty()
        self.drawn = False

    def show(self, p: CrawlProgress) -> None:
        if self.live:
            line = f"\rfetching: {p.fetched} fetched, {p.queued} queued, {p.failed} failed "
            click.echo(line, nl=False, err=True)
            self.drawn = True

    def end(self) -> None:
        if self.drawn:
            click.echo("", err=True)
