"""``detector scan``: pages against an index or a corpus; the text summary, JSON and report."""

from __future__ import annotations

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
from detector.config import Settings
from detector.model import SEVERITIES, InputFailure, ScanResult, severity_rank


def _human_summary(result: ScanResult) -> None:
    for r in result.pages:
        if r.failure is not None:
            click.echo(safe_line(f"{r.uri}: error: {r.failure.error}"))
            continue
        if not r.findings:
            click.echo(safe_line(f"{r.uri}: no findings"))
            continue
        click.echo(safe_line(f"{r.uri}:"))
        for f in r.findings:
            click.echo(safe_line(f"  {f.severity:<6} {f.kind:<17} {f.message}"))
    n = sum(len(r.findings) for r in result.pages)
    errors = sum(1 for r in result.pages if r.failure is not None)
    click.echo(f"{len(result.pages)} page(s), {n} finding(s), {errors} error(s)")


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
    type=click.Choice(["local", "dask"]),
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
@click.option("--site", help="Treat every page as part of this site (default: host of the URL, else folder).")
@click.option(
    "--site-profile",
    metavar="TEXT_OR_FILE",
    help="What the site is about, in a few words or a file: judged against even when the site has few pages.",
)
def scan_command(
    pages: tuple[str, ...],
    index_path: str | None,
    corpus_paths: tuple[str, ...],
    engine: str,
    scheduler: str | None,
    json_out: str | None,
    report_dir: Path | None,
    fail_on: str | None,
    site: str | None,
    site_profile: str | None,
) -> None:
    """Scan pages for reposts, off-topic content and duplicated passages.

    PAGE may be HTML, text or Markdown files, folders of them (recursive), or JSONL files
    with one page a line: {"id", "url", "html"} or {"id", "url", "text"}. Pages that cannot
    be read are reported with their error and the run goes on (exit 2 at the end).

    Findings: repost (a source the page copies, with the passages on both sides and
    coverage; needs --index or --corpus), off-topic-repost and off-topic (copied or own
    text far from what the page's site is about), duplicate-passage (a sentence or
    paragraph repeated in the page or on other pages of the site) and duplicate-page.
    Pages group into sites by --site, else the host of their URL, else the folder named.

    \b
    Examples:
      detector scan site/ --index corpus.idx
      detector scan page.html --index corpus.idx --json - | jq .summary
      detector scan pages.jsonl --index corpus.idx --json scan.json --fail-on high
      detector scan crawl.warc.gz --corpus sources.parquet --engine dask --json scan.json
    """
    from detector import pipeline
    from detector.report.json_out import dumps, scan_dict

    if corpus_paths and index_path is not None:
        fail("use --index or --corpus, not both")
    if engine != "local" and not corpus_paths:
        fail("--engine needs --corpus (an index is queried in process)")
    if scheduler is not None and engine != "dask":
        fail("--scheduler needs --engine dask")
    settings = Settings()
    corpus_failures: list[InputFailure] = []
    with user_errors(index_path):
        profile = read_site_profile(site_profile)
        if index_path is not None:
            index_display(index_path)  # a malformed URL is a usage error before anything is read
        with progress_bar("scanning") as step:
            if corpus_paths:
                from detector.engine import open_corpus

                with open_corpus(list(corpus_paths), settings, engine=engine, scheduler=scheduler) as corpus:
                    result = pipeline.scan(
                        list(pages),
                        None,
                        settings,
                        site=site,
                        site_profile=profile,
                        progress=step,
                        corpus=corpus,
                    )
                    corpus_failures = list(corpus.failures)
            else:
                result = pipeline.scan(
                    list(pages), index_path, settings, site=site, site_profile=profile, progress=step
                )
        data = scan_dict(result)
        if json_out == "-":
            click.echo(dumps(data), nl=False)
        elif json_out:
            write_atomically(Path(json_out), dumps(data))
        if report_dir is not None:
            from detector.report.html import write_html_report

            index_html = write_html_report(data, report_dir)
            click.echo(safe_line(f"report: {index_html}"), err=json_out == "-")
    if not result.pages:
        warning(
            f"no pages found in {' '.join(pages)} "
            "(folders are searched for *.html, *.htm, *.txt, *.md and *.jsonl)"
        )
    if json_out != "-":
        _human_summary(result)
    for failure in corpus_failures:
        error(f"{failure.uri}: {failure.error}")
    for r in result.pages:
        if r.failure is not None:
            error(f"{r.failure.uri}: {r.failure.error}")
    if corpus_failures or any(r.failure is not None for r in result.pages):
        sys.exit(2)
    if fail_on is not None:
        floor = SEVERITIES.index(fail_on)
        if any(severity_rank(f.severity) >= floor for r in result.pages for f in r.findings):
            sys.exit(1)
