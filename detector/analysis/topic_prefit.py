"""Fitting an embedded index's topic model during ``detector index``, so the first scan reads it.

The first scan after indexing fitted the index's topic model (``offtopic.index_model``): ~0.45 s
of a 100-page scan's 1.9 s against a 25 MB index. A child process fits it instead and writes the
model's cache file beside the index (``topic_cache``), which the first scan reads.

The model is fitted on a sample: the first documents of each category. In a corpus whose
categories all reach their share early, the sample is final long before the last document is
written; fitted only then (as it was), the fit (~0.6 s for 25 MB) ended the run alone, with one
core idle. So the writer tells the child once most parts are written, when every category it
wrote so far has its share (``Prefit.written``, ``Prefit.nearly_written``): the child fits
then, on one snapshot of the index (a read transaction: the sample's key and its texts are the
same documents), beside the signing workers. When everything is written
(``Prefit.all_written``) it runs ``index_model`` again, which reuses that fit when the final
sample is the same (its key is in the cache file) and fits anew when not (a category or
document came later): the model is the one a scan fits either way.

The child is forked before the index is opened or the signing workers start: no SQLite
connection or thread is inherited. It reads the index through its own read-only connection
(WAL: the writer's commits do not disturb it). It is best effort: a fit that fails leaves no
cache, and the first scan fits as before. It waits on a pipe: when the writer ends without
saying the index is complete (killed, or failed), it reads end-of-file and exits.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sqlite3
from collections import Counter
from collections.abc import Iterable
from multiprocessing.process import BaseProcess
from pathlib import Path

from detector.config import Settings
from detector.errors import DetectorError
from detector.store.location import FileLocation, parse_location
from detector.store.sqlite_store import SqliteIndex

_EARLY = b"e"  # fit on the index as it is now: its sample looks final
_FINAL = b"f"  # everything is written: make sure the cached model is the final sample's


def _fit(path: Path, settings: Settings) -> None:
    from detector.analysis.offtopic import index_model  # in the child: indexing never imports it

    try:
        store = SqliteIndex.open(path, None)
        try:
            # One read transaction: the sample's key and the texts fitted come from one state
            # of the index, however many parts the writer commits meanwhile.
            store.conn.execute("BEGIN")
            index_model(store, settings)
        finally:
            store.close()
    except (DetectorError, OSError, sqlite3.Error, ValueError, MemoryError):
        pass  # the first scan fits the model, as it did before


def _serve(read_end: int, write_end: int, path: Path, settings: Settings) -> None:
    # Ctrl-C reaches the whole process group: the writer handles it and ends this child (or
    # this child reads end-of-file), which is not to print a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.close(write_end)  # the writer's
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        command = pipe.read(1)
        if command == _EARLY:
            _fit(path, settings)
            command = pipe.read(1)
        if command == _FINAL:
            _fit(path, settings)


class Prefit:
    """The child fitting an index's topic model, and what the writer tells it."""

    def __init__(self, proc: BaseProcess, commands: int, settings: Settings):
        self.proc = proc
        self._commands: int | None = commands  # the pipe's write end: the child reads the other
        self._per_category = min(settings.topic_reference_per_category, settings.topic.reference_per_category)
        self._counts: Counter[str] = Counter()
        self._early = False
        self._nearly = False
        self._replaced = False

    def _send(self, command: bytes) -> None:
        if self._commands is None:
            return
        with contextlib.suppress(OSError):  # the child is gone: the first scan fits the model
            os.write(self._commands, command)
        if command == _FINAL:
            self.close()

    def written(self, categories: Iterable[str | None], *, replaced: bool) -> None:
        """Documents of these categories were committed, in index order."""
        self._counts.update(c for c in categories if c)
        self._replaced = self._replaced or replaced
        self._maybe_early()

    def nearly_written(self) -> None:
        """Most parts are written (``LIMITS.index_prefit_parts_share``), or the last ones are
        in flight."""
        self._nearly = True
        self._maybe_early()

    def _maybe_early(self) -> None:
        """The child fits early once most parts are written (started earlier, the fit would end
        long before the merge, leaving a core idle at the end of the run) and every category
        written has its share of the sample, unless a document was replaced (it may have been
        in the sample): the final fit decides then."""
        if (
            not self._early
            and self._nearly
            and not self._replaced
            and len(self._counts) >= 2
            and min(self._counts.values()) >= self._per_category
        ):
            self._early = True
            self._send(_EARLY)

    def all_written(self) -> None:
        """Every document is written: the child fits the final sample (or finds it fitted)."""
        self._send(_FINAL)

    def close(self) -> None:
        if self._commands is not None:
            os.close(self._commands)
            self._commands = None


def start(index: str | Path, settings: Settings) -> Prefit | None:
    """Fork the child that fits the topic model of ``index`` when it is an index file (a Redis
    index is left to its first scan). Call before the index is opened; ``finish`` waits for it."""
    loc = parse_location(index)
    if not isinstance(loc, FileLocation):
        return None
    read_end, write_end = os.pipe()
    # Forked like the signing workers: the child needs no pickled state and starts in ~10 ms.
    proc = multiprocessing.get_context("fork").Process(
        target=_serve, args=(read_end, write_end, loc.path, settings), daemon=True
    )
    try:
        proc.start()
    except BaseException:
        os.close(write_end)
        raise
    finally:
        os.close(read_end)  # the child's
    return Prefit(proc, write_end, settings)


def finish(prefit: Prefit | None, *, cancel: bool = False) -> None:
    """Wait for the fit (or, with ``cancel``, stop it: the indexing run failed)."""
    if prefit is None:
        return
    prefit.close()  # a child not told that everything is written reads end-of-file and ends
    if cancel and prefit.proc.is_alive():
        prefit.proc.terminate()
    prefit.proc.join()
