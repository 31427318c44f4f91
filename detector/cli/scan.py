"""``detector scan``: pages against an index or a corpus; the text summary, JSON and report."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import click

from detector.cli.common import (
    INDEX_HELP,
    SEVERITY_CHOICE,
    error,
    fail,
    index_display,
    progress_bar,
    read_site_profile,
    safe_line,
    user_errors,
    warning,
    write_atomically,
)
from detector.cli.fetching import FETCH_HELP, fetch_args, fetch_options, report_fetch_errors
from detector.engine import ENGINES
from detector.model import SEVERITIES, severity_rank
from detector.result import ScanResult, dumps

NOT_CHECKED_NOTE = (
    "detector: note: reposts were not checked (no --index or --corpus); to find them, index the "
    "source articles with `detector index SOURCE... --index INDEX` and scan with --index INDEX, "
    "or name them with --corpus SOURCE"
)


def _human_summary(result: ScanResult) -> None:
    from detector.decisions import decision_tag, stale_line

    for r in result.pages:
        if r.failure is not None:
            click.echo(safe_line(f"{r.uri}: error: {r.failure.error}"))
            continue
        if not r.findings:
            click.echo(safe_line(f"{r.uri}: no findings"))
            continue
        click.echo(safe_line(f"{r.uri}:"))
        for f in r.findings:
            click.echo(safe_line(f"  {f.severity:<6} {f.kind:<17} {f.message}{decision_tag(f)}"))
    n = sum(1 for r in result.pages for f in r.findings if not f.dismissed)
    errors = sum(1 for r in result.pages if r.failure is not None)
    dismissed = result.decisions.dismissed if result.decisions is not None else 0
    extra = f" ({dismissed} more dismissed)" if dismissed else ""
    click.echo(f"{len(result.pages)} page(s), {n} finding(s){extra}, {errors} error(s)")
    stale = stale_line(result.decisions)
    if stale is not None:
        click.echo(safe_line(stale))


@click.command("scan")
@click.argument("pages", nargs=-1, required=True, metavar="PAGE...")
@click.option("--index", "index_path", metavar="INDEX", help=INDEX_HELP)
@click.option(
    "--corpus",
    "corpus_paths",
    multiple=True,
    metavar="SOURCE",
    help="Scan against these sources (as `detector index` reads them) without an index; repeatable.",
)
@click.option(
    "--engine",
    type=click.Choice(list(ENGINES)),
    default="local",
    show_default=True,
    help="With --corpus: run in this process, or as a Dask computation (a join on LSH band keys).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="With --engine dask: join this Dask scheduler (default: a local cluster sized to the machine).",
)
@click.option(
    "--json", "json_out", metavar="FILE|-", help="Write the scan JSON to FILE, or to stdout with '-'."
)
@click.option(
    "--report", "report_dir", type=click.Path(file_okay=False, path_type=Path), help="Write an HTML report."
)
@click.option("--fail-on", type=SEVERITY_CHOICE, help="Exit 1 when a finding reaches this severity.")
@click.option(
    "--decisions",
    "decisions_path",
    type=click.Path(path_type=Path),  # a folder is refused by read_decisions, in one line
    help="Review decisions (decisions.json exported from a report): dismissed findings count nowhere, "
    "allowed ones are info.",
)
@click.option(
    "--site",
    help="Treat every page as part of this site [default: the host of the page's URL, else from its "
    "folder: a first-level subfolder named like a host (crawl/www.a.example/...) is that site, "
    "otherwise the folder named is one site].",
)
@click.option(
    "--site-per-folder",
    is_flag=True,
    help="Every first-level subfolder of a folder named is a site of its own (pages without a URL).",
)
@click.option(
    "--site-profile",
    metavar="TEXT_OR_FILE",
    help="What the site is about, in a few words or a file: judged against even when the site has few pages.",
)
@fetch_options
def scan_command(
    pages: tuple[str, ...],
    index_path: str | None,
    corpus_paths: tuple[str, ...],
    engine: str,
    scheduler: str | None,
    json_out: str | None,
    report_dir: Path | None,
    fail_on: str | None,
    decisions_path: Path | None,
    site: str | None,
    site_per_folder: bool,
    site_profile: str | None,
    crawl: bool,
    max_pages: int,
    delay: float,
    save_warc: Path | None,
    user_agent: str,
) -> None:
    """Scan pages for reposts, off-topic content and duplicated passages.

    PAGE may be HTML, text or Markdown files, folders of them (recursive), JSONL files
    with one page a line: {"id", "url", "html"} or {"id", "url", "text"}, WARC files, or
    http:// and https:// URLs. Pages that cannot be read are reported with their error and
    the run goes on (exit 2 at the end).

    Findings: repost (a source the page copies, with the passages on both sides and
    coverage; needs --index or --corpus), off-topic-repost and off-topic (copied or own
    text far from what the page's site is about), duplicate-passage (a sentence or
    paragraph repeated in the page or on other pages of the site) and duplicate-page.
    Pages group into sites by --site, else the host of their URL, else by folder: scanning
    `crawl/` whose subfolders are named like hosts (crawl/www.a.example/..., as wget and
    HTTrack write) makes a site of each, any other folder named is one site, and
    --site-per-folder makes every first-level subfolder a site. A file named on its own
    belongs to its folder's site.

    \b
    Examples:
      detector scan site/ --index corpus.idx
      detector scan sites/ --site-per-folder --index corpus.idx --report reports/sites
      detector scan page.html --index corpus.idx --json - | jq .summary
      detector scan pages.jsonl --index corpus.idx --json scan.json --fail-on high
      detector scan crawl.warc.gz --corpus sources.parquet --engine dask --json scan.json
      detector scan site/ --index corpus.idx --decisions decisions.json --fail-on medium
      detector scan https://www.example.cn/ --crawl --index corpus.idx --save-warc crawl.warc.gz
    """
    from detector import api
    from detector.decisions import read_decisions

    if corpus_paths and index_path is not None:
        fail("use --index or --corpus, not both")
    if engine != "local" and not corpus_paths:
        fail("--engine needs --corpus (an index is queried in process)")
    if scheduler is not None and engine != "dask":
        fail("--scheduler needs --engine dask")
    if site is not None and site_per_folder:
        fail("use --site or --site-per-folder, not both")
    with user_errors(index_path):
        profile = read_site_profile(site_profile)
        decisions = read_decisions(decisions_path) if decisions_path is not None else None
        if index_path is not None:
            index_display(index_path)  # a malformed URL is a usage error before anything is read
        with progress_bar("scanning") as step:
            result = api.scan(
                pages,
                index=index_path,
                corpus=corpus_paths,
                engine=engine,
                scheduler=scheduler,
                site=site,
                site_per_folder=site_per_folder,
                site_profile=profile,
                progress=step,
                fetching=fetch_args(crawl, max_pages, delay, save_warc, user_agent),
            )
        if decisions is not None:
            result = result.with_decisions(decisions)
        data = result.to_dict()  # once: the JSON and the report are made from it
        if json_out == "-":
            click.echo(dumps(data), nl=False)
        elif json_out:
            write_atomically(Path(json_out), dumps(data))
        index_html: Path | None = None
        if report_dir is not None:
            from detector.report.html import write_html_report

            index_html = write_html_report(data, report_dir, decisions=decisions)
    report_fetch_errors(result)
    if not result.pages and result.fetch_errors is None:
        warning(
            f"no pages found in {' '.join(pages)} "
            "(folders are searched for *.html, *.htm, *.txt, *.md and *.jsonl)"
        )
    if json_out != "-":
        _human_summary(result)
    if index_path is None and not corpus_paths and result.pages:
        click.echo(NOT_CHECKED_NOTE, err=True)
    for failure in result.corpus_failures:
        error(f"{failure.uri}: {failure.error}")
    for r in result.pages:
        if r.failure is not None:
            error(f"{r.failure.uri}: {r.failure.error}")
    if index_html is not None:  # last, so that it does not scroll away above the findings
        click.echo(safe_line(f"report: {index_html}"), err=json_out == "-")
    if result.interrupted:
        sys.exit(130)
    if not result.pages or result.corpus_failures or any(r.failure is not None for r in result.pages):
        sys.exit(2)
    if fail_on is not None:
        floor = SEVERITIES.index(fail_on)
        found = (f for r in result.pages for f in r.findings if not f.dismissed)
        if any(severity_rank(f.severity) >= floor for f in found):
            sys.exit(1)


scan_command.help = inspect.cleandoc(scan_command.help or "") + "\n\n" + FETCH_HELP
