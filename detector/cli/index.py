"""``detector index``: add, replace, remove, describe or check the documents of an index."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

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
from detector.errors import DetectorError

# SQLite writes these beside the index file while it is open.
_SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass
class _FirstRun:
    fresh: bool  # the index file did not exist before this run
    keep: bool = False  # documents were indexed: input errors then leave the index (and exit 2)


@contextmanager
def _no_index_left_on_failure(index_path: str) -> Iterator[_FirstRun]:
    """A failed first run (exit 2 before any document was indexed) leaves no index file behind
    (CONTRACT.md): the file this run created is removed. An index that was there before is left
    alone: every write to it is whole documents, so it is never damaged."""
    from detector.store.location import FileLocation, parse_location

    try:
        loc = parse_location(index_path)
    except DetectorError:  # reported by the command itself, as a usage error
        loc = None
    path = loc.path if isinstance(loc, FileLocation) else None
    run = _FirstRun(fresh=path is not None and not path.exists())

    def remove() -> None:
        if run.fresh and not run.keep and path is not None:
            for name in (str(path), *(f"{path}{side}" for side in _SIDE_FILES)):
                Path(name).unlink(missing_ok=True)

    try:
        yield run
    except SystemExit as done:
        if done.code == 2:
            remove()
        raise
    except Exception:  # an internal error: the top level reports it
        remove()
        raise


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
    replaced; an unchanged one is skipped. The index is created when missing (a first run
    that indexes nothing leaves no file behind); each document is written whole or not at
    all, so an interrupted run loses nothing.

    \b
    Examples:
      detector index corpus/sources --index corpus.idx
      detector index --remove news-001 news-002 --index corpus.idx
      detector index --info --index corpus.idx
      detector index --check --index corpus.idx
      detector index corpus/sources --index 'redis://localhost:6379/0?prefix=news'
    """
    from detector import indexing

    modes = sum([remove, info, check_])
    if modes > 1:
        fail("use only one of --remove, --info and --check")
    settings = Settings()
    if not (info or check_ or remove):
        with _no_index_left_on_failure(index_path) as run:
            _add(sources, index_path, run)
        return
    with user_errors(index_path):
        shown = index_display(index_path)
        if info:
            manifest, counts = indexing.index_info(index_path)
            click.echo(safe_line(f"index: {shown}"))
            for name, count in counts.items():
                click.echo(safe_line(f"  {name}: {count}"))
            click.echo("manifest:")
            for key, value in manifest.items():
                click.echo(safe_line(f"  {key}: {value}"))
            return
        if check_:
            with progress_bar("checking") as step:
                problems = indexing.check_index(index_path, settings, step)
            if problems:
                for p in problems[:20]:
                    error(f"{shown}: {p}")
                sys.exit(2)
            click.echo(safe_line(f"{shown}: sound"))
            return
        if not sources:
            fail("name at least one document id with --remove")
        removed = indexing.remove_documents(list(sources), index_path, settings)
        missing = [s for s in sources if s not in removed]
        click.echo(f"removed {len(removed)} document(s)")
        for m in missing:
            warning(f"no document with id {m!r}")


def _add(sources: tuple[str, ...], index_path: str, run: _FirstRun) -> None:
    from detector import api

    with user_errors(index_path):
        index_display(index_path)  # a malformed URL is a usage error before anything is read
        if not sources:
            fail("name at least one SOURCE (or document ids with --remove)")
        with progress_bar("indexing") as step:
            summary = api.index(sources, index=index_path, progress=step)
    for failure in summary.failures:
        error(f"{failure.uri}: {failure.error}")
    if summary.failures and run.fresh and summary.added == 0:
        n = len(summary.failures)
        errors = f"{n} error{'s' if n != 1 else ''}"
        fail(f"{index_display(index_path)}: not created: no input could be read ({errors})")
    run.keep = True
    c = summary.counts
    click.echo(
        f"indexed: {summary.added} added, {summary.replaced} replaced, {summary.unchanged} unchanged; "
        f"index now holds {c['documents']} documents, {c['passages']} passages"
    )
    if summary.failures:
        sys.exit(2)
