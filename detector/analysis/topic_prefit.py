"""Fitting an embedded index's topic model at the end of ``detector index``, beside the merge.

The first scan after indexing fitted the index's topic model (``offtopic.index_model``): ~0.45 s
of a 100-page scan's 1.9 s against a 25 MB index. The documents are final once the writer has
stored the last batch; the writer then merges its band runs on one core (~2 s for 25 MB). A
child process fitted on the other core meanwhile writes the model's cache file beside the index
(``topic_cache``), so the first scan reads it. It reads the index through its own read-only
connection (WAL: the writer's merge does not disturb it) and the writer waits for it before
closing. It is best effort: a fit that fails here leaves no cache, and the scan fits as before
(findings are the same either way: the cache holds the model exactly as a scan fits it).
"""

from __future__ import annotations

import multiprocessing
import sqlite3
from multiprocessing.process import BaseProcess
from pathlib import Path

from detector.config import Settings
from detector.errors import DetectorError
from detector.store import open_store
from detector.store.location import FileLocation, parse_location


def _fit(path: Path, settings: Settings) -> None:
    from detector.analysis.offtopic import index_model  # in the child: indexing never imports it

    try:
        store = open_store(path, None)
        try:
            index_model(store, settings)
        finally:
            store.close()
    except (DetectorError, OSError, sqlite3.Error, ValueError, MemoryError):
        pass  # the first scan fits the model, as it did before


def start(index: str | Path, settings: Settings) -> BaseProcess | None:
    """Begin fitting the topic model of ``index`` in a child process when it is an index file
    (a Redis index is left to its first scan); ``finish`` waits for it."""
    loc = parse_location(index)
    if not isinstance(loc, FileLocation):
        return None
    # Forked like the signing workers: the child needs no pickled state and starts in ~10 ms.
    proc = multiprocessing.get_context("fork").Process(target=_fit, args=(loc.path, settings), daemon=True)
    proc.start()
    return proc


def finish(proc: BaseProcess | None, *, cancel: bool = False) -> None:
    """Wait for the fit (or, with ``cancel``, stop it: the indexing run failed)."""
    if proc is None:
        return
    if cancel and proc.is_alive():
        proc.terminate()
    proc.join()
