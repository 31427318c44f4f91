"""The band table of the Redis index: LSH buckets as strings of packed entries, grouped by linear hashing.

A band entry is 12 bytes (``redis_codec``: band key, document number). The entries of a bucket
are concatenated, in no order, in one Redis string ``P:b:ADDR``, one of ``2**L + S`` (state
``P:lh`` = ``"L S"``): ``ADDR`` is linear hashing on the bit-reversed key, its low ``L`` bits,
or its low ``L + 1`` bits when that is below ``S``, so a bucket holds the keys of one prefix of
top bits. A lookup reads a key's whole bucket (about ``LIMITS.redis_bucket_entries`` entries,
~1.5 KB) and keeps the entries of the keys asked.

Why strings: adding to a string (APPEND) costs the server a copy, where adding a member to a
sorted set (layout 2) cost a search and an insert in its listpack, 10x more; and a string is as
compact at any length (12 bytes per entry plus the allocator's slack), so buckets may be larger
than the 128 members Redis keeps compact in a sorted set, and a batch of entries touches fewer
of them. A writer appends the entries of a whole batch to each bucket with one APPEND.

Splits (the writer keeps about ``LIMITS.redis_bucket_entries`` entries per bucket as the index
grows) read the buckets being split, and write both halves and the new state in one MULTI/EXEC.
Removing entries rewrites the buckets that held them. Only the holder of the writer lock writes,
and every write is fenced by it (MULTI/EXEC under WATCH), so what a writer read back is what is
there. Readers pipeline their reads between two reads of the state (which only grows) and read
again when a split came in between, so they never look in the wrong bucket.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from detector.config import LIMITS
from detector.errors import IndexFileError
from detector.store.redis_codec import MEMBER, MEMBER_BYTES, members, read_bucket
from detector.store.redis_lock import WriterLock, read_packed, resp

_MAX_LEVEL = 40
State = tuple[int, int]


def parse_state(raw: bytes | None, where: str) -> State:
    if raw is None:
        return (0, 0)
    try:
        level, split = (int(x) for x in raw.split(b" "))
    except ValueError:
        level = split = -1
    if not (0 <= level <= _MAX_LEVEL and 0 <= split < 2**level):
        raise IndexFileError(f"{where}: the band table's state is corrupt")
    return (level, split)


_REVERSED_BYTE = np.array([int(f"{b:08b}"[::-1], 2) for b in range(256)], dtype=np.uint8)


def reversed_bits(keys: npt.NDArray[np.int64]) -> npt.NDArray[np.uint64]:
    """The keys' 64 bits in reverse order: bit i of the result is bit 63 - i of the key."""
    be = np.ascontiguousarray(np.asarray(keys, dtype=np.int64).astype(">i8")).view(np.uint8)
    return _REVERSED_BYTE[be].view("<u8").ravel()


def addresses(keys: npt.NDArray[np.int64], state: State) -> npt.NDArray[np.uint64]:
    """Linear hashing on the bit-reversed key: the bucket of a key is chosen by its top bits."""
    level, split = state
    rev = reversed_bits(keys)
    low = rev & np.uint64((1 << level) - 1)
    return np.where(low < np.uint64(split), rev & np.uint64((1 << (level + 1)) - 1), low)


def _runs(grouped_addr: npt.NDArray[np.uint64]) -> tuple[list[int], list[int]]:
    """The address of each run of equal addresses (sorted, or grouped so) and where each run
    starts and ends."""
    if grouped_addr.size == 0:
        return [], [0]
    starts = np.flatnonzero(grouped_addr[1:] != grouped_addr[:-1]) + 1
    starts = np.concatenate([np.zeros(1, dtype=starts.dtype), starts])
    return grouped_addr[starts].tolist(), [*starts.tolist(), int(grouped_addr.shape[0])]


class BucketTable:
    """The band table of one index, over one client; ``lock`` fences every write."""

    def __init__(self, client: Any, prefix: str, lock: WriterLock, where: str):
        self.client = client
        self.prefix = prefix
        self.lock = lock
        self.where = where
        self.state_key = f"{prefix}:lh"
        self._state: State | None = None
        self._name_head = f"{prefix}:b:".encode()

    def name(self, addr: int) -> bytes:
        return self._name_head + b"%d" % addr

    def state(self, fresh: bool = False) -> State:
        if self._state is None or fresh:
            self._state = parse_state(self.client.get(self.state_key), self.where)
        return self._state

    @staticmethod
    def size(state: State) -> int:
        return (1 << state[0]) + state[1]

    # ---- reading (consistent with splits) ------------------------------------------------
    def _consistent(self, commands: Callable[[State], list[bytes]]) -> list[Any]:
        """The replies of the reads ``commands`` makes for a state, pipelined between two reads
        of the state: the state only grows, so equal reads mean no split came in between (else
        again with the new state)."""
        state = self.state()
        get = resp(b"GET", self.state_key.encode())
        while True:
            out = read_packed(self.client, self.lock.location, [get, *commands(state), get])
            before, after = parse_state(out[0], self.where), parse_state(out[-1], self.where)
            if before == after == state:
                return out[1:-1]
            self._state = state = after

    def _buckets_of(
        self, keys: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.void], npt.NDArray[np.uint64], State]:
        """Every entry of the buckets of these keys, the bucket each came from, and the state."""
        seen: dict[str, Any] = {}

        def commands(state: State) -> list[bytes]:
            uniq = np.unique(addresses(keys, state))
            seen["addrs"], seen["state"] = uniq, state
            return [resp(b"GET", self.name(a)) for a in uniq.tolist()]

        raws = [raw or b"" for raw in self._consistent(commands)]
        sizes = [len(raw) for raw in raws]
        if any(size % MEMBER_BYTES for size in sizes) or not all(isinstance(r, bytes) for r in raws):
            raise IndexFileError(f"{self.where}: a band bucket holds a value that is not a band entry")
        found = np.frombuffer(b"".join(raws), dtype=MEMBER)
        origin = np.repeat(seen["addrs"], np.array(sizes, dtype=np.int64) // MEMBER_BYTES)
        return found, origin, seen["state"]

    def lookup(self, uniq: npt.NDArray[np.int64]) -> list[tuple[int, int]]:
        """(band key, document number) of every entry of the given keys (sorted, unique), by key
        then document number."""
        if uniq.size == 0:
            return []
        found, origin, state = self._buckets_of(uniq)
        key = found["key"].astype(np.int64)
        hit = uniq[np.minimum(np.searchsorted(uniq, key), uniq.size - 1)] == key  # uniq is sorted
        key, pk, origin = key[hit], found["pk"][hit].astype(np.int64), origin[hit]
        if bool((addresses(key, state) != origin).any()):
            raise IndexFileError(f"{self.where}: a band bucket holds an entry out of place")
        order = np.lexsort((pk, key))
        key, pk = key[order], pk[order]
        keep = np.ones(key.shape[0], dtype=bool)  # an entry written twice counts once
        keep[1:] = (key[1:] != key[:-1]) | (pk[1:] != pk[:-1])
        return list(zip(key[keep].tolist(), pk[keep].tolist(), strict=True))

    def missing(self, keys: npt.NDArray[np.int64], pk: int) -> int:
        """How many of ``keys`` lack an entry for document ``pk``."""
        keys = np.unique(np.asarray(keys, dtype=np.int64))
        if keys.size == 0:
            return 0
        found, origin, state = self._buckets_of(keys)
        key = found["key"].astype(np.int64)
        mine = (found["pk"].astype(np.int64) == pk) & (addresses(key, state) == origin)
        return int(np.isin(keys, key[mine], invert=True).sum())

    def scan(self) -> Iterator[tuple[int, npt.NDArray[np.void]]]:
        """Every bucket's address and entries, a chunk of buckets per round trip."""
        n = self.size(self.state(fresh=True))
        for lo in range(0, n, LIMITS.redis_read_chunk):
            addrs = range(lo, min(n, lo + LIMITS.redis_read_chunk))
            raws = self.client.mget([self.name(a) for a in addrs])
            for addr, raw in zip(addrs, raws, strict=True):
                yield addr, read_bucket(raw, self.where)

    # ---- writing (the writer lock held) ----------------------------------------------------
    def _rewrite(self, values: dict[int, bytes]) -> list[bytes]:
        """Commands that set buckets to these values (an empty value deletes the bucket)."""
        full = [x for a, v in values.items() if v for x in (self.name(a), v)]
        empty = [self.name(a) for a, v in values.items() if not v]
        return ([resp(b"MSET", *full)] if full else []) + ([resp(b"DEL", *empty)] if empty else [])

    def grow(self, entries: int) -> None:
        """Split buckets until there is one per ``LIMITS.redis_bucket_entries`` entries, a batch
        of splits at a time: the buckets split are read, and both halves written with the new
        state in one MULTI/EXEC."""
        target = -(-entries // LIMITS.redis_bucket_entries)
        state = self.state(fresh=True)
        if state == (0, 0) and target > 1 and not self.client.exists(self.name(0)):
            # An empty table (its one bucket is absent): nothing to move, only a new state.
            level = target.bit_length() - 1
            state = (level, target - (1 << level))
            self.lock.commit_packed([resp(b"SET", self.state_key.encode(), b"%d %d" % state)])
            self._state = state
        while self.size(state) < target:
            level, split = state
            # One level per batch: each bucket is split once, into itself and src + 2**level.
            end = min(1 << level, split + LIMITS.redis_split_batch, split + target - self.size(state))
            srcs = list(range(split, end))
            new_state = (level + 1, 0) if end == 1 << level else (level, end)
            raws = self.client.mget([self.name(a) for a in srcs])
            if not all(r is None or (isinstance(r, bytes) and len(r) % MEMBER_BYTES == 0) for r in raws):
                raise IndexFileError(f"{self.where}: a band bucket holds a value that is not a band entry")
            # All the batch's buckets at once (a split cost ~20 us of Python per bucket otherwise).
            sizes = np.array([len(raw) if raw else 0 for raw in raws], dtype=np.int64) // MEMBER_BYTES
            found = np.frombuffer(b"".join(raw for raw in raws if raw), dtype=MEMBER)
            src = np.repeat(np.array(srcs, dtype=np.uint64), sizes)
            moved = (reversed_bits(found["key"].astype(np.int64)) >> np.uint64(level)) & np.uint64(1)
            dest = src + moved * np.uint64(1 << level)
            order = np.argsort(dest, kind="stable")  # (the order within a bucket does not matter)
            raw, dest = found[order].tobytes(), dest[order]
            commands = self._split_commands(srcs, level, raw, dest)
            commands.append(resp(b"SET", self.state_key.encode(), b"%d %d" % new_state))
            self.lock.commit_packed(commands)
            self._state = state = new_state

    def _split_commands(
        self, srcs: list[int], level: int, raw: bytes, dest: npt.NDArray[np.uint64]
    ) -> list[bytes]:
        """An MSET of the split buckets that hold entries (``raw``, sorted by ``dest``) and a DEL
        of those left empty, in the wire format, built in one pass."""
        uniq, bounds = _runs(dest) if raw else ([], [0])
        head, pieces, n = self._name_head, [], 0
        for i, a in enumerate(uniq):
            name = head + b"%d" % a
            value = raw[bounds[i] * MEMBER_BYTES : bounds[i + 1] * MEMBER_BYTES]
            pieces.append(b"$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(name), name, len(value), value))
            n += 2
        full = set(uniq)
        empty = [self.name(a) for s in srcs for a in (s, s + (1 << level)) if a not in full]
        commands = [b"*%d\r\n$4\r\nMSET\r\n" % (n + 1) + b"".join(pieces)] if n else []
        return commands + ([resp(b"DEL", *empty)] if empty else [])

    def add(
        self, keys: npt.NDArray[np.int64], pks: npt.NDArray[np.int64] | npt.NDArray[np.uint32],
        *, grouped: bool = False,
    ) -> None:
        """Add entries (the caller has grown the table for them): one APPEND per bucket, a slice
        of ``LIMITS.redis_band_slice`` entries per MULTI/EXEC. ``grouped``: the keys are sorted
        as unsigned numbers, which puts each bucket's (one prefix of top bits) together."""
        if keys.size == 0:
            return
        state, chunk = self.state(), 1 << 20  # (addresses take ~5 temporary copies: by chunks)
        addr = np.concatenate([addresses(keys[i : i + chunk], state) for i in range(0, keys.size, chunk)])
        if not grouped:
            order = np.argsort(addr)  # (the order within a bucket does not matter)
            keys, pks, addr = keys[order], pks[order], addr[order]
        raw = members(keys, pks).view(np.uint8).data  # sliced without copies below
        uniq, bounds = _runs(addr)
        # The runs in address order: the server's APPENDs then go to buckets made (and allocated)
        # one after another, 1.0 us each where bucket after bucket in key order took 1.7.
        order = np.argsort(np.array(uniq, dtype=np.uint64), kind="stable").tolist()
        self.lock.commit_stream(self._appends(order, uniq, bounds, raw))

    def _appends(
        self, order: list[int], uniq: list[int], bounds: list[int], raw: memoryview
    ) -> Iterator[list[bytes]]:
        """The APPENDs of the runs (in this order), ``LIMITS.redis_band_slice`` entries per batch;
        each batch is built while the server runs the one before."""
        head, step = self._name_head, LIMITS.redis_band_slice
        commands: list[bytes] = []
        entries = 0
        for i in order:
            name = head + b"%d" % uniq[i]
            value = raw[bounds[i] * MEMBER_BYTES : bounds[i + 1] * MEMBER_BYTES]
            commands.append(
                b"*3\r\n$6\r\nAPPEND\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(name), name, len(value), value)
            )
            entries += bounds[i + 1] - bounds[i]
            if entries >= step:
                yield commands
                commands, entries = [], 0
        if commands:
            yield commands

    def remove(self, keys: npt.NDArray[np.int64], pks: npt.NDArray[np.int64]) -> None:
        """Remove these entries: the buckets that hold them are rewritten without them."""
        if keys.size == 0:
            return
        gone = members(keys, pks)
        addrs = np.unique(addresses(keys, self.state(fresh=True))).tolist()
        for lo in range(0, len(addrs), LIMITS.redis_read_chunk):
            part = addrs[lo : lo + LIMITS.redis_read_chunk]
            raws = self.client.mget([self.name(a) for a in part])
            values = {}
            for a, raw in zip(part, raws, strict=True):
                arr = read_bucket(raw, self.where)
                drop = np.isin(arr.view(f"V{MEMBER_BYTES}"), gone.view(f"V{MEMBER_BYTES}"))
                if drop.any():
                    values[a] = arr[~drop].tobytes()
            if values:
                self.lock.commit_packed(self._rewrite(values))

    def remove_documents(self, pks: set[int]) -> None:
        """Remove every entry of these documents, looking through all buckets (when their band
        keys are not known: a record lost in a crash, a damaged index)."""
        found = [arr[np.isin(arr["pk"], list(pks))] for _, arr in self.scan()]
        hits = np.concatenate([a for a in found if a.size] or [np.zeros(0, dtype=MEMBER)], dtype=MEMBER)
        self.remove(hits["key"].astype(np.int64), hits["pk"].astype(np.int64))
