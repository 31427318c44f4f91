"""What every command shares: one-line errors, atomic writes, the progress bar, shared options.

Commands stay thin (parse, call the library, print, exit); the pieces here keep their errors,
output and options reading the same way.
"""

from __future__ import annotations

import importlib
import os
import re
import sqlite3
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, NoReturn

import click

from detector.errors import DetectorError
from detector.model import SEVERITIES
from detector.safe_write import write_text_atomically
from detector.textsafe import escape_control

SEVERITY_CHOICE = click.Choice(list(SEVERITIES))

# ``scheme://anything@``: credentials in a URL quoted by some library's message (defence in depth: the
# Redis location never prints them itself).
_URL_CREDENTIALS = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]{0,20}://)[^\s@/]*(?:/[^\s@/]*)*@")


def safe_line(message: str) -> str:
    """A line for a terminal or a CI log: no URL credentials, every control character escaped (so a
    file named ``x\n::warning ...`` cannot start a line of its own)."""
    return escape_control(_URL_CREDENTIALS.sub(r"\1***@", message))


def error(message: str) -> None:
    """``detector: error: MESSAGE`` on stderr, escaped."""
    click.echo(safe_line(f"detector: error: {message}"), err=True)


def warning(message: str) -> None:
    click.echo(safe_line(f"detector: warning: {message}"), err=True)


def closed_pipe_exit() -> NoReturn:
    """The reader of our output went away (``detector ... | head``): end quietly with exit 0, as
    ``cat`` and ``grep`` do. Later writes and the flush at exit go to /dev/null instead of raising."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):
            os.dup2(devnull, stream.fileno())
    sys.exit(0)


def fail(message: str) -> NoReturn:
    error(message)
    sys.exit(2)


def internal_error(err: BaseException) -> NoReturn:
    """An unexpected exception: one line and exit 2 (1 means findings); the traceback only with
    DETECTOR_DEBUG=1."""
    if os.environ.get("DETECTOR_DEBUG") == "1":
        traceback.print_exception(err, file=sys.stderr)
    reason = str(err).strip()
    # The first line of the message only, and not too much of it: it may quote input.
    reason = reason.splitlines()[0][:300] if reason else ""
    name = type(err).__name__
    click.echo(safe_line(f"detector: internal error: {name}{': ' + reason if reason else ''}"), err=True)
    sys.exit(2)


class Main(click.Group):
    """The command group with the last line of defence: no traceback, and never exit 1, on a bug; output
    to a closed pipe ends quietly with exit 0 (click alone would exit 1, which means findings).
    Its commands are named in ``commands_from`` (name -> module, attribute) and imported when
    asked for."""

    def __init__(
        self, *args: Any, commands_from: Mapping[str, tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.commands_from = dict(commands_from or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.commands_from})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.commands_from:
            module, attribute = self.commands_from[cmd_name]
            command = getattr(importlib.import_module(module), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{module}.{attribute} is not a click command")
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise  # click's own: usage errors (exit 2), --help, --version
        except BrokenPipeError:
            closed_pipe_exit()  # ``detector scan ... | head -1``: quietly, exit 0
        except Exception as err:
            internal_error(err)


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
    except (RecursionError, MemoryError) as err:
        # Input too deep or too big for what reads it (crafted JSON, an inflated index value).
        fail(f"input too deeply nested or too large ({type(err).__name__})")
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
    """Write a file whole or not at all, in place of what is there (never through a symlink)."""
    write_text_atomically(path, text)


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
