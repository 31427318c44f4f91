"""``detector index``: add, replace, remove, describe or check the documents of an index."""

from __future__ import annotations

import sys

import click

from detector.cli.common import (
    INDEX_HELP,
    error,
    fail,
    index_display,
    progress_bar,
    safe_line,
    user_errors,
    warning,
)
from detector.config import Settings


@click.command("index")
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
            click.echo(safe_line(f"index: {shown}"))
            for name, count in counts.items():
                click.echo(safe_line(f"  {name}: {count}"))
            click.echo("manifest:")
            for key, value in manifest.items():
                click.echo(safe_line(f"  {key}: {value}"))
            return
        if check_:
            with progress_bar("checking") as step:
                problems = pipeline.check_index(index_path, settings, step)
            if problems:
                for p in problems[:20]:
                    error(f"{shown}: {p}")
                sys.exit(2)
            click.echo(safe_line(f"{shown}: sound"))
            return
        if not sources:
            fail("name at least one SOURCE (or document ids with --remove)")
        if remove:
            removed = pipeline.remove_documents(list(sources), index_path, settings)
            missing = [s for s in sources if s not in removed]
            click.echo(f"removed {len(removed)} document(s)")
            for m in missing:
                warning(f"no document with id {m!r}")
            return
        with progress_bar("indexing") as step:
            summary = pipeline.index_corpus(list(sources), index_path, settings, step)
    for failure in summary.failures:
        error(f"{failure.uri}: {failure.error}")
    c = summary.counts
    click.echo(
        f"indexed: {summary.added} added, {summary.replaced} replaced, {summary.unchanged} unchanged; "
        f"index now holds {c['documents']} documents, {c['passages']} passages"
    )
    if summary.failures:
        sys.exit(2)
