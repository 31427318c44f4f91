"""A membership filter of an embedded index's band keys, kept beside it as ``<index>.bands.npz``.

Most band keys of a scanned page are in no document (a page copies a few paragraphs: ~80% of
its ~800 keys miss), yet each cost a random read of one block: ~5 us at 1M paragraphs, 4-6 ms
of a page's scan. This filter answers "absent" for most of them in memory, so that only the
rest are read. It never answers "absent" for a key that is there: lookups return the same
entries with or without it.

It is a blocked Bloom filter: one 64-bit word per ~8 entries, the word chosen by the key's top
32 bits (so a run's sorted keys fill the words in order, a slice at a time), two bits in it by
the key's low 12 bits (band keys are fmix64 hashes: every bit is as good as any). About 6% of
absent keys pass.

The file holds plain arrays (``numpy.savez``, read with ``allow_pickle=False``: nothing in it can
run code) and the state of the index it was built for: its band runs (run, bits, entries) and
the documents' sequence number (which every added document raises). A lookup uses the filter
only while the index is in that state (checked in the lookup's read transaction); a file that
is stale, unreadable or malformed is ignored. The writer builds it when it finishes
(``SqliteIndex.finish``). A forged filter can only hide band entries, as a forged index can.
"""

from __future__ import annotations

import os
import sqlite3
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

from detector.config import LIMITS
from detector.safe_write import NPZ_READ_ERRORS, save_cache
from detector.store import band_runs

FORMAT = "detector.bands/1"
_ENTRIES_PER_WORD = 8
_LOW6 = np.uint64(63)

State = tuple[tuple[band_runs.Run, ...], int]


def cache_path(index_path: Path) -> Path:
    return index_path.with_name(index_path.name + ".bands.npz")


def state(conn: sqlite3.Connection) -> State:
    """The band runs and the documents' sequence number: what a filter is valid for."""
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'documents'").fetchone()
    seq = row[0] if row is not None and type(row[0]) is int else 0
    return tuple(band_runs.read_runs(conn)), seq


def _words_of(ku: npt.NDArray[np.uint64], n_words: int) -> npt.NDArray[np.intp]:
    # Multiply-shift: monotonic in the key, uniform over the words.
    return (((ku >> np.uint64(32)) * np.uint64(n_words)) >> np.uint64(32)).astype(np.intp)


def _masks(ku: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    one = np.uint64(1)
    return (one << (ku & _LOW6)) | (one << ((ku >> np.uint64(6)) & _LOW6))


@dataclass(frozen=True)
class BandFilter:
    state: State
    words: npt.NDArray[np.uint64]

    def maybe(self, keys: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        """False for keys that are in no band entry; True for the others (and ~6% of those)."""
        ku = keys.view(np.uint64)
        masks = _masks(ku)
        return np.asarray((self.words[_words_of(ku, self.words.shape[0])] & masks) == masks)


def maybe_present(
    filt: BandFilter | None, conn: sqlite3.Connection, keys: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """``keys`` less those ``filt`` knows are in no entry, when it holds for the index's current
    state (call inside the lookup's read transaction); else ``keys`` as they are."""
    if filt is None or filt.state != state(conn):
        return keys
    flat = keys.ravel()
    return flat[filt.maybe(flat)]


def _size(current: State) -> int:
    """Words of the filter of ``current``, or 0 when there is nothing to filter or it is too large."""
    entries = sum(n for _, _, n in current[0])
    n_words = -(-entries // _ENTRIES_PER_WORD)
    return 0 if n_words * 8 > LIMITS.band_filter_max_bytes else n_words


def _add(words: npt.NDArray[np.uint64], ku: npt.NDArray[np.uint64]) -> None:
    """Set the bits of keys ``ku`` (sorted, as a run's are, else sorted here)."""
    if ku.shape[0] == 0:
        return
    at = _words_of(ku, words.shape[0])
    masks = _masks(ku)
    if not bool(np.all(at[1:] >= at[:-1])):  # a run's keys are sorted (unless crafted)
        order = np.argsort(at, kind="stable")
        at, masks = at[order], masks[order]
    starts = np.flatnonzero(np.concatenate([[True], at[1:] != at[:-1]]))
    words[at[starts]] |= np.bitwise_or.reduceat(masks, starts)


def build(conn: sqlite3.Connection) -> BandFilter | None:
    """The filter of every band entry of the index (inside the caller's read transaction), or
    None when the band table is empty, too large for one or damaged (lookups report that)."""
    current = state(conn)
    n_words = _size(current)
    if n_words == 0:
        return None  # nothing to filter (a failed first run leaves no file), or too large
    words = np.zeros(n_words, dtype=np.uint64)
    for run, _, _ in current[0]:
        span = (run << 32, (run + 1) << 32)
        cursor = conn.execute("SELECT keys FROM blocks WHERE block >= ? AND block < ? ORDER BY block", span)
        while rows := cursor.fetchmany(LIMITS.band_filter_rows):
            blobs = [kb for (kb,) in rows]
            if set(map(type, blobs)) != {bytes} or np.any(np.fromiter(map(len, blobs), np.int64) % 8):
                return None
            _add(words, np.frombuffer(b"".join(blobs), dtype="<u8").astype(np.uint64))
    return BandFilter(current, words)


def from_keys(current: State, keys: list[npt.NDArray[np.int64]]) -> BandFilter | None:
    """The filter ``build`` makes for an index in state ``current`` whose band entries' keys
    are ``keys`` (pieces of sorted keys: the run a merge just wrote, which need not be read
    back), or None as ``build`` gives."""
    n_words = _size(current)
    if n_words == 0:
        return None
    words = np.zeros(n_words, dtype=np.uint64)
    for k in keys:
        _add(words, k.view(np.uint64))
    return BandFilter(current, words)


def save(path: Path, filt: BandFilter) -> None:
    """Write ``filt`` atomically; quietly nothing when the folder is not writable."""

    def write(fh: BinaryIO) -> None:
        np.savez(
            fh,
            format=np.array(FORMAT),
            runs=np.array([list(r) for r in filt.state[0]], dtype=np.int64).reshape(-1, 3),
            seq=np.array(filt.state[1], dtype=np.int64),
            words=filt.words,
        )

    save_cache(path, write)


# Filters read in this process, by file identity: a caller that opens the index for every page
# read the file each time (45 MB at 1M paragraphs, ~40 ms). A rewritten file is read anew.
_READ: dict[tuple[str, int, int, int], BandFilter] = {}
_READ_MAX = 4


def load(path: Path) -> BandFilter | None:
    """The filter in ``path`` when it is sound (whatever index state it was built for), else None."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    identity = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
    found = _READ.get(identity)
    if found is None:
        found = _read(path)
        if found is not None:
            found.words.setflags(write=False)  # shared by later lookups: nobody may change it
            if len(_READ) >= _READ_MAX:
                _READ.pop(next(iter(_READ)))
            _READ[identity] = found
    return found


def _read(path: Path) -> BandFilter | None:
    try:
        with zipfile.ZipFile(path) as archive:
            if sum(info.file_size for info in archive.infolist()) > LIMITS.band_filter_max_bytes:
                return None
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as data:
            if str(data["format"]) != FORMAT:
                return None
            runs = np.asarray(data["runs"])
            seq = np.asarray(data["seq"])
            words = np.asarray(data["words"])
    except NPZ_READ_ERRORS:
        return None
    if (
        runs.dtype != np.int64
        or runs.ndim != 2
        or runs.shape[1] != 3
        or seq.dtype != np.int64
        or seq.shape != ()
        or words.dtype != np.uint64
        or words.ndim != 1
        or words.shape[0] == 0
    ):
        return None
    saved = tuple((int(r), int(b), int(n)) for r, b, n in runs.tolist())
    return BandFilter((saved, int(seq)), words)
