"""``detector scan`` with URLs: the fetching options, their help, the progress line and the
warnings for crawled links that failed. The fetching itself is detector.fetch."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from detector.fetch.inputs import DEFAULTS, FetchOptions
from detector.fetch.progress import CrawlProgress
from detector.result import ScanResult

F = TypeVar("F", bound=Callable[..., Any])
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

_D = DEFAULTS
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
            default=DEFAULTS.user_agent,
            show_default=True,
            help="User-Agent sent, and matched against robots.txt.",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def fetch_args(
    crawl: bool, max_pages: int, delay: float, save_warc: Path | None, user_agent: str
) -> FetchOptions:
    """The options, with a progress line on stderr while fetching when it is a terminal."""
    return FetchOptions(crawl, max_pages, delay, save_warc, user_agent, _FetchBar().show)


def printable(s: str) -> str:
    """A URL or an error as it may reach a terminal: control characters escaped."""
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), s)


def report_fetch_errors(result: ScanResult) -> None:
    for e in result.fetch_errors or ():
        click.echo(f"detector: warning: {printable(e.url)}: {printable(e.error)}", err=True)
    if result.interrupted:
        n = sum(1 for r in result.pages if r.document is not None)
        click.echo(f"detector: interrupted: scanned the {n} page(s) fetched so far", err=True)


class _FetchBar:
    """One status line on stderr while fetching, when it is a terminal; ended by the next line."""

    def __init__(self) -> None:
        self.live = sys.stderr.isatty()

    def show(self, p: CrawlProgress) -> None:
        if self.live:
            end = "\n" if p.queued == 0 else ""
            line = f"\rfetching: {p.fetched} fetched, {p.queued} queued, {p.failed} failed "
            click.echo(line + end, nl=False, err=True)
