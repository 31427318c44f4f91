"""What every command shares: one-line errors, atomic writes, the progress bar, shared options.

Commands stay thin (parse, call the library, print, exit); the pieces here keep their errors,
output and options reading the same way.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import NoReturn

import click

from detector.errors import DetectorError
from detector.filemode import apply_umask
from detector.model import SEVERITIES

SEVERITY_CHOICE = click.Choice(list(SEVERITIES))


def closed_pipe_exit() -> NoReturn:
    """The reader of our output went away (``detector ... | head``): end quietly with exit 0, as
    ``cat`` and ``grep`` do. Later writes and the flush at exit go to /dev/null instead of raising."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):
            os.dup2(devnull, stream.fileno())
    sys.exit(0)


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
    except BrokenPipeError:
        raise  # the reader went away: the command group ends quietly (closed_pipe_exit)
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
            apply_umask(fh.fileno())
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


INDEX_HELP = (
    "The index: a file (SQLite, created by `detector index`) or a shared index in Redis, "
    "redis://[:PASSWORD@]HOST:PORT/DB?prefix=NAME (rediss:// for TLS)."
)


def index_display(value: str) -> str:
    """The index as it may be printed: a Redis URL without its password."""
    from detector.store.location import parse_location

    return parse_location(value).display()
