"""The embedded index's band table: sorted runs of (band key, document) entries, packed in blocks.

One SQLite row per band key per passage made the writer spend most of its time inside SQLite
(2.2 M rows for 25 MB of text). Here each write transaction adds a *run*: its entries sorted by
band key (as unsigned 64-bit numbers) and cut into blocks by the key's top ``bits`` bits, one
row per block of about ``LIMITS.sqlite_block_entries`` entries:

    runs(run, bits, entries)     a run, how many top key bits name its blocks, its entry count
    blocks(block, keys, docs)    block = run << 32 | key >> (64 - bits); ``keys`` the entries'
                                 band keys (little-endian int64), ``docs`` their document
                                 numbers (little-endian int32), entry i in both

A lookup computes, for every run, the block each key falls in and reads just those rows (one
query by rowid); writing a run appends rows at the end of the table. Runs are merged a slice of
the key space at a time (small runs read whole, large ones a slice at a time: memory stays
bounded) when an indexing run ends and whenever too many of one size pile up, so a lookup reads
few runs. Removing a document deletes its ``documents`` row
only: document numbers are never reused (AUTOINCREMENT), a lookup drops entries of documents
that are gone, and the next merge of their run leaves them out.

Everything read back is checked (blob lengths, ranges): an index is data, never trusted.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from detector.config import LIMITS

I64 = npt.NDArray[np.int64]
_KEYS = np.dtype("<i8")
_DOCS = np.dtype("<i4")
_MAX_DOC = 2**31 - 1
_MAX_RUN = 2**30


class BlockError(ValueError):
    """A run or block that is not as this module writes it."""


Run = tuple[int, int, int]  # (run, bits, entries)


def bits_for(entries: int) -> int:
    """Key bits that name a run's blocks: blocks of about ``LIMITS.sqlite_block_entries`` entries."""
    if entries <= LIMITS.sqlite_block_entries:
        return 0
    return max(0, min(32, round(math.log2(entries / LIMITS.sqlite_block_entries))))


def _parts(ukeys: npt.NDArray[np.uint64], bits: int) -> I64:
    if bits == 0:
        return np.zeros(ukeys.shape[0], dtype=np.int64)
    return (ukeys >> np.uint64(64 - bits)).astype(np.int64)


def read_runs(conn: sqlite3.Connection) -> list[Run]:
    out: list[Run] = []
    for run, bits, entries in conn.execute("SELECT run, bits, entries FROM runs ORDER BY run"):
        if not (
            type(run) is int
            and type(bits) is int
            and type(entries) is int
            and 0 < run < _MAX_RUN
            and 0 <= bits <= 32
            and entries >= 0
        ):
            raise BlockError(f"band run {run!r} is damaged (bits {bits!r}, entries {entries!r})")
        out.append((run, bits, entries))
    return out


# True for a block row whose blobs pair up, checked by SQLite as the rows are read (a blob's
# length is known without reading it).
_BLOBS_PAIR = (
    "(typeof(keys) = 'blob' AND typeof(docs) = 'blob' AND length(keys) % 8 = 0"
    " AND length(keys) = 2 * length(docs))"
)


def _check_blobs(block: object, keys: object, docs: object) -> None:
    if (
        not (isinstance(keys, bytes) and isinstance(docs, bytes))
        or len(keys) % 8
        or len(keys) != 2 * len(docs)
    ):
        raise BlockError(f"band block {block!r} is damaged (its keys and documents do not pair up)")


def _decode(block: object, keys: object, docs: object) -> tuple[I64, I64]:
    _check_blobs(block, keys, docs)
    assert isinstance(keys, bytes) and isinstance(docs, bytes)
    return np.frombuffer(keys, _KEYS).astype(np.int64), np.frombuffer(docs, _DOCS).astype(np.int64)


def _concat(pairs: list[tuple[I64, I64]]) -> tuple[I64, I64]:
    if not pairs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate([k for k, _ in pairs]), np.concatenate([d for _, d in pairs])


def _sorted(keys: I64, docs: I64, *, runs_of_sorted: bool = False) -> tuple[I64, I64]:
    """Entries in the order of their keys as unsigned numbers. ``runs_of_sorted``: the input is
    sorted pieces one after another (a merge), which the stable sort (timsort) joins cheaply."""
    order = np.argsort(keys.view(np.uint64), kind="stable" if runs_of_sorted else None)
    return keys[order], docs[order]


def _write_blocks(conn: sqlite3.Connection, run: int, bits: int, keys: I64, docs: I64) -> None:
    """Append sorted entries as blocks of ``run``."""
    n = keys.shape[0]
    if n == 0:
        return
    parts = _parts(keys.view(np.uint64), bits)
    cuts = np.flatnonzero(parts[1:] != parts[:-1]) + 1
    starts = [0, *cuts.tolist()]
    ends = [*cuts.tolist(), n]
    kb = keys.astype(_KEYS).tobytes()
    db = docs.astype(_DOCS).tobytes()
    base = run << 32
    conn.executemany(
        "INSERT INTO blocks(block, keys, docs) VALUES (?, ?, ?)",
        (
            (base + part, kb[8 * s : 8 * e], db[4 * s : 4 * e])
            for part, s, e in zip(parts[starts].tolist(), starts, ends, strict=True)
        ),
    )


def _next_run(conn: sqlite3.Connection) -> int:
    (last,) = conn.execute("SELECT coalesce(max(run), 0) FROM runs").fetchone()
    if type(last) is not int or not 0 <= last < _MAX_RUN - 1:
        raise BlockError(f"band run {last!r} is damaged")
    return last + 1


def add_run(
    conn: sqlite3.Connection, keys: I64, docs: I64, *, presorted: bool = False
) -> tuple[Run, I64, I64] | None:
    """Store entries as a new run (inside the caller's transaction); ``presorted``: already in
    the order of their keys as unsigned numbers (a signing worker sorted them). Returns the run
    and its entries as stored (sorted), or None when there were none."""
    if keys.shape[0] == 0:
        return None
    if int(docs.min()) < 1 or int(docs.max()) > _MAX_DOC:
        raise BlockError("document numbers beyond the band table's 31 bits")
    if not presorted:
        keys, docs = _sorted(keys, docs)
    run = _next_run(conn)
    bits = bits_for(keys.shape[0])
    _write_blocks(conn, run, bits, keys, docs)
    conn.execute("INSERT INTO runs(run, bits, entries) VALUES (?, ?, ?)", (run, bits, int(keys.shape[0])))
    return (run, bits, int(keys.shape[0])), keys, docs


def _run_range(run: int) -> tuple[int, int]:
    return run << 32, (run + 1) << 32


def _read_range(conn: sqlite3.Connection, lo: int, hi: int) -> tuple[I64, I64]:
    """The entries of blocks ``lo`` to ``hi`` (excluded), checked and decoded in one piece: one
    numpy call per block was half the cost of merging runs."""
    rows = conn.execute(
        f"SELECT keys, docs, {_BLOBS_PAIR} FROM blocks WHERE block >= ? AND block < ? ORDER BY block",
        (lo, hi),
    ).fetchall()
    if not all(ok for _, _, ok in rows):
        raise BlockError("a band block is damaged (its keys and documents do not pair up)")
    k = np.frombuffer(b"".join([kb for kb, _, _ in rows]), _KEYS).astype(np.int64)
    d = np.frombuffer(b"".join([db for _, db, _ in rows]), _DOCS).astype(np.int64)
    return k, d


def find(conn: sqlite3.Connection, keys: I64) -> tuple[I64, I64]:
    """Every stored entry (band key, document number) whose key is one of ``keys``; the caller
    drops documents that are gone. Call inside one read transaction (runs may be merged meanwhile)."""
    uniq = np.unique(keys)
    if uniq.shape[0] == 0:
        return _concat([])
    ukeys = uniq.view(np.uint64)
    ids = np.unique(
        np.concatenate([(run << 32) + _parts(ukeys, bits) for run, bits, _ in read_runs(conn)] or [uniq[:0]])
    )
    rows: list[tuple[object, object, object]] = []
    chunk = LIMITS.sqlite_query_chunk
    for lo in range(0, ids.shape[0], chunk):
        part = ids[lo : lo + chunk].tolist()
        marks = ",".join("?" * len(part))
        # Chunks in block order and rows in block order: a run's entries come out sorted.
        query = f"SELECT block, keys, docs FROM blocks WHERE block IN ({marks}) ORDER BY block"
        rows.extend(conn.execute(query, part))
    if not rows:
        return _concat([])
    # The blobs are checked here, a column at a time: in SQL (typeof, length) the check cost a
    # third of the query.
    blocks, kbs, dbs = zip(*rows, strict=True)
    sizes = np.fromiter(map(len, kbs), dtype=np.int64, count=len(kbs))
    if (
        set(map(type, kbs)) | set(map(type, dbs)) != {bytes}
        or np.any(sizes % 8)
        or np.any(sizes != 2 * np.fromiter(map(len, dbs), dtype=np.int64, count=len(dbs)))
    ):
        raise BlockError("a band block is damaged (its keys and documents do not pair up)")
    k = np.frombuffer(b"".join(kbs), _KEYS)
    d = np.frombuffer(b"".join(dbs), _DOCS)
    hit = _hits(k, np.array(blocks, dtype=np.int64) >> 32, sizes // 8, ukeys)
    return k[hit].astype(np.int64), d[hit].astype(np.int64)


def _hits(k: I64, row_run: I64, sizes: I64, ukeys: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
    """Which entries ``k`` (the rows' entries one after another, rows in block order, ``runs`` and
    ``sizes`` per row) hold one of ``ukeys``. Each run's entries are sorted, so the query's keys
    are searched among them (a few hundred binary searches) rather than every entry read among
    the query's keys (100,000 of them per page, 2.5 ms); entries out of order (a crafted file)
    are searched the slow way, with the same answer."""
    n = k.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.bool_)
    ku = k.view(np.uint64)
    wanted = np.sort(ukeys)
    ends = np.cumsum(sizes)
    # Where a run's entries begin and end: rows of one run are consecutive (block order).
    first_rows = np.flatnonzero(np.concatenate([[True], row_run[1:] != row_run[:-1]]))
    starts = np.concatenate([[0], ends[:-1]])[first_rows]
    stops = np.concatenate([starts[1:], [n]])
    step_ok = ku[1:] >= ku[:-1]
    later = starts[1:]
    step_ok[later[(later > 0) & (later < n)] - 1] = True  # a new run begins
    if not bool(np.all(step_ok)):
        return np.asarray(wanted[np.minimum(np.searchsorted(wanted, ku), wanted.shape[0] - 1)] == ku)
    mark = np.zeros(n + 1, dtype=np.int64)
    for s, e in zip(starts.tolist(), stops.tolist(), strict=True):
        seg = ku[s:e]
        lo = np.searchsorted(seg, wanted, side="left")
        hi = np.searchsorted(seg, wanted, side="right")
        found = hi > lo
        mark[s + lo[found]] += 1
        mark[s + hi[found]] -= 1
    return np.cumsum(mark[:n]) > 0


def _live_table(live: I64) -> npt.NDArray[np.bool_]:
    """For each document number up to the largest live one, whether it is live (document
    numbers are dense: a bit per document ever added, looked up in one step per entry)."""
    table = np.zeros(int(live.max()) + 2 if live.shape[0] else 1, dtype=np.bool_)
    table[live] = True
    return table


def _live_mask(docs: I64, table: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    return np.asarray(table[np.clip(docs, 0, table.shape[0] - 1)])  # a stray number is not live


def merge(
    conn: sqlite3.Connection,
    sources: list[Run],
    live: I64,
    held: dict[Run, tuple[I64, I64]] | None = None,
) -> tuple[Run | None, list[I64] | None]:
    """Replace ``sources`` by one run holding their entries of documents in ``live`` (sorted),
    a slice of the key space at a time (inside the caller's transaction). ``held``: entries of
    runs this process wrote (as stored), which need not be read back. Returns the merged run
    (None when no entry was left), and its keys, a slice after another, when every source was
    in memory (else None)."""
    held = held or {}
    if not sources:
        return None, []
    bits = bits_for(sum(entries for _, _, entries in sources))
    run = _next_run(conn)
    slice_bits = min(LIMITS.sqlite_merge_slice_bits, bits)
    table = _live_table(live)
    # Runs too small to have a block per slice, and the smallest others up to
    # ``LIMITS.sqlite_merge_whole_entries`` entries in all, are read once, whole. What is read
    # is deleted before the merged blocks are written, so that they reuse its pages.
    whole: dict[int, tuple[I64, I64, list[int]]] = {}
    budget = LIMITS.sqlite_merge_whole_entries
    for r, b, entries in sorted(sources, key=lambda run: run[2]):
        if b < slice_bits or entries <= budget:
            budget -= entries
            k, d = held[(r, b, entries)] if (r, b, entries) in held else _read_range(conn, *_run_range(r))
            conn.execute("DELETE FROM blocks WHERE block >= ? AND block < ?", _run_range(r))
            # Where each slice starts (the run is sorted): one search for all of them.
            firsts = np.arange(1, 1 << slice_bits, dtype=np.uint64) << np.uint64(64 - slice_bits)
            cuts = np.searchsorted(k.view(np.uint64), firsts) if slice_bits else np.zeros(0, np.int64)
            whole[r] = (k, d, [0, *cuts.tolist(), k.shape[0]])
    written = 0
    merged: list[I64] | None = [] if len(whole) == len(sources) else None
    for s in range(1 << slice_bits):
        pieces: list[tuple[I64, I64]] = []
        for r, b, _ in sources:
            if r in whole:
                k, d, bounds = whole[r]
                pieces.append((k[bounds[s] : bounds[s + 1]], d[bounds[s] : bounds[s + 1]]))
            else:
                shift = b - slice_bits
                lo, hi = (r << 32) + (s << shift), (r << 32) + ((s + 1) << shift)
                pieces.append(_read_range(conn, lo, hi))
                conn.execute("DELETE FROM blocks WHERE block >= ? AND block < ?", (lo, hi))
        k, d = _concat(pieces)
        keep = _live_mask(d, table)
        k, d = _sorted(k[keep], d[keep], runs_of_sorted=True)
        _write_blocks(conn, run, bits, k, d)
        written += int(k.shape[0])
        if merged is not None:
            merged.append(k)
    for r, _, _ in sources:
        conn.execute("DELETE FROM blocks WHERE block >= ? AND block < ?", _run_range(r))  # none left
        conn.execute("DELETE FROM runs WHERE run = ?", (r,))
    if not written:
        return None, merged
    conn.execute("INSERT INTO runs(run, bits, entries) VALUES (?, ?, ?)", (run, bits, written))
    return (run, bits, written), merged


def level(entries: int) -> int:
    """Runs of one level differ in size by less than ``LIMITS.sqlite_merge_fan_in`` times."""
    base = LIMITS.sqlite_block_entries * LIMITS.sqlite_merge_fan_in
    return 0 if entries < base else int(math.log(entries / base, LIMITS.sqlite_merge_fan_in))


def crowded_level(runs: Iterable[Run]) -> list[Run]:
    """The runs of the lowest level that holds ``LIMITS.sqlite_merge_fan_in`` runs or more (to be
    merged into one), or none: this bounds the runs a lookup reads to fan-in x levels."""
    by_level: dict[int, list[Run]] = {}
    for run in runs:
        by_level.setdefault(level(run[2]), []).append(run)
    for lvl in sorted(by_level):
        if len(by_level[lvl]) >= LIMITS.sqlite_merge_fan_in:
            return by_level[lvl]
    return []


def check(conn: sqlite3.Connection, last_doc: int) -> tuple[list[str], I64]:
    """Problems of the band table in words, and the document numbers it holds (sorted, unique)."""
    problems: list[str] = []
    try:
        runs = {run: (bits, entries) for run, bits, entries in read_runs(conn)}
    except BlockError as err:
        return [str(err)], np.zeros(0, dtype=np.int64)
    held = dict.fromkeys(runs, 0)
    docs: list[I64] = []
    strays = 0
    for block, kb, db in conn.execute("SELECT block, keys, docs FROM blocks ORDER BY block"):
        run = block >> 32 if type(block) is int else None
        if run not in runs:
            problems.append(f"band block {block!r} belongs to no run")
            continue
        try:
            k, d = _decode(block, kb, db)
        except BlockError as err:
            problems.append(str(err))
            continue
        bits = runs[run][0]
        if np.any(_parts(k.view(np.uint64), bits) != (block & 0xFFFFFFFF)):
            problems.append(f"band block {block} holds keys of other blocks")
        held[run] += int(k.shape[0])
        strays += int(np.count_nonzero((d < 1) | (d > last_doc)))
        docs.append(np.unique(d))
    for run, (_, entries) in runs.items():
        if held[run] != entries:
            problems.append(f"band run {run} records {entries} entries but holds {held[run]}")
    if strays:
        problems.append(f"{strays} band rows point at no document")
    return problems, np.unique(np.concatenate(docs)) if docs else np.zeros(0, dtype=np.int64)
