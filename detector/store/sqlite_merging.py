"""The band runs one writer of the embedded index adds, and their merging (``SqliteIndex``).

Each write transaction adds a run (``band_runs``); ``finish`` merges the runs written since the
index was opened into one, then any level that holds too many, and writes the band filter.
The entries of the runs this writer added are kept as written, up to
``LIMITS.sqlite_merge_whole_entries`` (16 bytes each): the merge then need not read them back
(a fifth of its time for 25 MB of text), and the filter is made from the keys the merge just
wrote instead of reading the table again. They are dropped as soon as another connection has
committed (SQLite's data_version): it may have merged them away.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import numpy.typing as npt

from detector.config import LIMITS
from detector.store import band_filter, band_runs

I64 = npt.NDArray[np.int64]
Merged = tuple[band_runs.Run | None, list[I64] | None]


class RunMerger:
    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path
        # Runs written since this index was opened: merged into one by ``finish``.
        self.first_new_run = 1 + max((run for run, _, _ in self.runs()), default=0)
        self.held: dict[band_runs.Run, tuple[I64, I64]] = {}
        self.version = self._data_version()

    def runs(self) -> list[band_runs.Run]:
        return band_runs.read_runs(self.conn)

    def _data_version(self) -> int:
        (version,) = self.conn.execute("PRAGMA data_version").fetchone()
        return int(version)

    def _drop_if_others_wrote(self) -> None:
        version = self._data_version()
        if version != self.version:
            self.held.clear()
        self.version = version

    def hold(self, added: tuple[band_runs.Run, I64, I64] | None) -> None:
        """Keep the entries of a run just committed by this connection, while they fit."""
        self._drop_if_others_wrote()
        if added is None:
            return
        run, keys, docs = added
        if sum(r[2] for r in self.held) + run[2] <= LIMITS.sqlite_merge_whole_entries:
            self.held[run] = (keys, docs)

    def finish(self) -> None:
        new = [run for run in self.runs() if run[0] >= self.first_new_run]
        merged: Merged = (None, None)
        if len(new) > 1:
            merged = self.merge(new)
        if self.merge_crowded():
            merged = (None, None)
        self.held.clear()
        # Gives the freed pages back (28 MB of 78 MB after indexing 25 MB of text); run as a
        # script, since the statement frees one page per step.
        self.conn.executescript("PRAGMA incremental_vacuum;")
        # One read transaction: the filter matches the state it records.
        self.conn.execute("BEGIN")
        try:
            current = band_filter.state(self.conn)
            run, keys = merged
            if run is not None and keys is not None and current[0] == (run,):
                built = band_filter.from_keys(current, keys)  # the merge's keys: not read again
            else:
                built = band_filter.build(self.conn)
        finally:
            self.conn.execute("COMMIT")
        if built is not None:
            band_filter.save(band_filter.cache_path(self.path), built)

    def merge(self, runs: list[band_runs.Run]) -> Merged:
        with self.conn:
            self._drop_if_others_wrote()
            # Without ORDER BY, SQLite reads the numbers from an index, not the table of texts.
            pks = self.conn.execute("SELECT pk FROM documents").fetchall()
            live = np.sort(np.array([pk for (pk,) in pks], dtype=np.int64))
            merged = band_runs.merge(self.conn, runs, live, self.held)
        for run in runs:
            self.held.pop(run, None)
        return merged

    def merge_crowded(self) -> bool:
        """Merge levels that hold too many runs; whether any did."""
        merged = False
        while crowded := band_runs.crowded_level(self.runs()):
            self.merge(crowded)
            merged = True
        return merged
