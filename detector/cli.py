"""The command line: parse, call the pipeline, print, exit. No analysis lives here.

Exit codes (CONTRACT.md): 0 ok; 1 a finding at or above --fail-on; 2 usage or input error.
Every error a user can cause ends in one line on stderr, never a traceback.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from detector import __version__
from detector.config import Settings
from detector.errors import DetectorError
from detector.model import SEVERITIES, InputFailure, ScanResult, severity_rank

F = TypeVar("F", bound=Callable[..., Any])
SEVERITY_CHOICE = click.Choice(list(SEVERITIES))


def fail(message: str) -> NoReturn:
    click.echo(f"detector: error: {message}", err=True)
    sys.exit(2)


@contextmanager
def user_errors(index: object | None = None) -> Iterator[None]:
    """Turn the errors a user can cause into one line and exit code 2. ``index`` names the index
    in the message when SQLite finds it damaged part-way through a run."""
    try:
        yield
    except DetectorError as err:
        fail(str(err))
    except sqlite3.DatabaseError as err:
        where = ""
        if index is not None:
            try:
                where = f"{index_display(str(index))}: "  # never a password
            except DetectorError:
                where = "the index: "
        fail(f"{where}the index is corrupt or unreadable ({err}); `detector index --check` tells more")
    except OSError as err:
        where = f"{err.filename}: " if err.filename else ""
        fail(f"{where}{err.strerror or err}")
    except KeyboardInterrupt:
        click.echo("detector: interrupted", err=True)
        sys.exit(130)


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[str], None]]:
    """A counting progress bar on stderr when it is a terminal; silent otherwise."""
    if not sys.stderr.isatty():
        yield lambda _item: None
        return
    count = 0

    with click.progressbar(length=0, label=label, file=sys.stderr, show_pos=True, show_eta=False) as bar:

        def step(_item: str) -> None:
            nonlocal count
            count += 1
            bar.length = count
            bar.update(1)

        yield step


def write_atomically(path: Path, text: str) -> None:
    """Write a file whole or not at all: an earlier report survives a failed run."""
    if path.is_dir():
        raise DetectorError(f"{path}: is a folder; name a file to write")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_site_profile(value: str | None) -> str | None:
    """``--site-profile``: the text itself, or the path of a file that holds it."""
    if value is None:
        return None
    path = Path(value)
    if len(value) < 4096 and path.is_file():
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            fail(f"{value}: the site profile is not UTF-8 text")
    if not value.strip():
        fail("--site-profile is empty")
    return value


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="detector")
def main() -> None:
    """Find reposted, off-topic and duplicated content in scraped web pages.

    Index a corpus of source articles once, then scan pages, folders of pages or whole
    sites against it. Chinese first (GBK pages, full-width punctuation, no spaces between
    words); English works too.

    \b
    Typical use:
      detector index corpus/sources --index corpus.idx
      detector scan corpus/pages --index corpus.idx --json scan.json --report reports/demo

    Exit codes: 0 ok, 1 a finding at or above --fail-on, 2 usage or input error.
    """


INDEX_HELP = (
    "The index: a file (SQLite, created by `detector index`) or a shared index in Redis, "
    "redis://[:PASSWORD@]HOST:PORT/DB?prefix=NAME (rediss:// for TLS)."
)


def index_display(value: str) -> str:
    """The index as it may be printed: a Redis URL without its password."""
    from detector.store.location import parse_location

    return parse_location(value).display()


@main.command("index")
@click.argument("sources", nargs=-1, metavar="SOURCE...")
@click.option("--index", "index_path", required=True, metavar="INDEX", help=INDEX_HELP)
@click.option("--remove", is_flag=True, help="Treat the arguments as document ids and remove them.")
@click.option("--info", is_flag=True, help="Print the index manifest and counts.")
@click.option("--check", "check_", is_flag=True, help="Verify the index's integrity (exit 2 when unsound).")
def index_command(sources: tuple[str, ...], index_path: str, remove: bool, info: bool, check_: bool) -> None:
    """Add source documents to an index, or remove, describe or check it.

    SOURCE may be HTML, .txt or .md files, folders of them (walked recursively, hidden files
    skipped) or JSONL files with one document a line: {"id", "url", "title", "site",
    "category", "text"} (text required). A document whose id is already indexed is
    replaced; an unchanged one is skipped. The index is created when missing; each
    document is written whole or not at all, so an interrupted run loses nothing.

    \b
    Examples:
      detector index corpus/sources --index corpus.idx
      detector index --remove news-001 news-002 --index corpus.idx
      detector index --info --index corpus.idx
      detector index --check --index corpus.idx
      detector index corpus/sources --index 'redis://localhost:6379/0?prefix=news'
    """
    from detector import pipeline

    modes = sum([remove, info, check_])
    if modes > 1:
        fail("use only one of --remove, --info and --check")
    settings = Settings()
    with user_errors(index_path):
        shown = index_display(index_path)
        if info:
            manifest, counts = pipeline.index_info(index_path)
            click.echo(f"index: {shown}")
            for name, count in counts.items():
                click.echo(f"  {name}: {count}")
            click.echo("manifest:")
            for key, value in manifest.items():
                click.echo(f"  {key}: {value}")
            return
        if check_:
            with progress_bar("checking") as step:
                problems = pipeline.check_index(index_path, settings, step)
            if problems:
                for p in problems[:20]:
                    click.echo(f"detector: error: {shown}: {p}", err=True)
                sys.exit(2)
            click.echo(f"{shown}: sound")
            return
        if not sources:
            fail("name at least one SOURCE (or document ids with --remove)")
        if remove:
            removed = pipeline.remove_documents(list(sources), index_path, settings)
            missing = [s for s in sources if s not in removed]
            click.echo(f"removed {len(removed)} document(s)")
            for m in missing:
                click.echo(f"detector: warning: no document with id {m!r}", err=True)
            return
        with progress_bar("indexing") as step:
            summary = pipeline.index_corpus(list(sources), index_path, settings, step)
    for failure in summary.failures:
        click.echo(f"detector: error: {failure.uri}: {failure.error}", err=True)
    c = summary.counts
    click.echo(
        f"indexed: {summary.added} added, {summary.replaced} replaced, {summary.unchanged} unchanged; "
        f"index now holds {c['documents']} documents, {c['passages']} passages"
    )
    if summary.failures:
        sys.exit(2)


def _human_summary(result: ScanResult) -> None:
    for r in result.pages:
        if r.failure is not None:
            click.echo(f"{r.uri}: error: {r.failure.error}")
            continue
        if not r.findings:
            click.echo(f"{r.uri}: no findings")
            continue
        click.echo(f"{r.uri}:")
        for f in r.findings:
            click.echo(f"  {f.severity:<6} {f.kind:<17} {f.message}")
    n = sum(len(r.findings) for r in result.pages)
    errors = sum(1 for r in result.pages if r.failure is not None)
    click.echo(f"{len(result.pages)} page(s), {n} finding(s), {errors} error(s)")


@main.command("scan")
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
            click.echo(f"report: {index_html}", err=json_out == "-")
    if not result.pages:
        click.echo(
            f"detector: warning: no pages found in {' '.join(pages)} "
            "(folders are searched for *.html, *.htm, *.txt, *.md and *.jsonl)",
            err=True,
        )
    if json_out != "-":
        _human_summary(result)
    for failure in corpus_failures:
        click.echo(f"detector: error: {failure.uri}: {failure.error}", err=True)
    for r in result.pages:
        if r.failure is not None:
            click.echo(f"detector: error: {r.failure.uri}: {r.failure.error}", err=True)
    if corpus_failures or any(r.failure is not None for r in result.pages):
        sys.exit(2)
    if fail_on is not None:
        floor = SEVERITIES.index(fail_on)
        if any(severity_rank(f.severity) >= floor for r in result.pages for f in r.findings):
            sys.exit(1)


@main.command("report")
@click.argument(
    "scan_json", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="SCAN.json"
)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
def report_command(scan_json: Path, out_dir: Path) -> None:
    """Render the HTML report of a saved scan (`detector scan ... --json SCAN.json`).

    \b
    Example:
      detector report scan.json --out reports/demo
    """
    import json

    from detector.report.html import write_html_report

    with user_errors():
        try:
            data = json.loads(scan_json.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as err:
            fail(f"{scan_json}: not a scan JSON file ({err})")
        if not isinstance(data, dict) or data.get("schema") != "detector.scan/1":
            fail(f"{scan_json}: not a detector scan (schema is not detector.scan/1)")
        index_html = write_html_report(data, out_dir)
    click.echo(f"report: {index_html}")


from detector.cli_check import check_command  # noqa: E402

main.add_command(check_command)

from detector.cli_align import align_command  # noqa: E402

main.add_command(align_command)
