"""The band table of the Redis index: LSH buckets grouped into small sorted sets by linear hashing.

One Redis key per LSH bucket (datasketch's layout) costs ~200 bytes per band entry. Here a band
entry is a 12-byte member (``redis_codec``: band key, document number) of one of ``2**L + S``
sorted sets ``P:b:ADDR`` (all scores 0, so members sort by bytes): ``ADDR`` is the key's low
``L`` bits, or its low ``L + 1`` bits when that is below ``S`` (linear hashing, state ``P:lh`` =
``"L S"``). A band key's documents are one lexicographic range of its set (``ZRANGEBYLEX``).

Redis keeps a sorted set of at most 128 members of at most 64 bytes as one listpack
(``zset-max-listpack-entries``/``-value``, the defaults of every Redis since 7.0; older servers
call it ziplist, with the same defaults): ~16 bytes per member. The writer keeps about
``LIMITS.redis_bucket_entries`` members per set by splitting sets one at a time as the index
grows (each split rewrites one set in one MULTI/EXEC with the new state), so the layout stays
compact at any size without changing the server's configuration. A set that grows past 128 (many
documents sharing band keys) only costs more memory; nothing is lost.

Writes are blind (ZADD/ZREM of exact members, no read-modify-write) and fenced by the writer
lock; readers fetch the state and their ranges in one MULTI/EXEC and retry when a split
happened in between, so they never look in the wrong set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from detector.config import LIMITS
from detector.errors import IndexFileError
from detector.store.redis_codec import MEMBER, member_list, members, read_members
from detector.store.redis_lock import WriterLock

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


def addresses(keys: npt.NDArray[np.int64], state: State) -> npt.NDArray[np.uint64]:
    level, split = state
    u = np.asarray(keys, dtype=np.int64).view(np.uint64)
    low = u & np.uint64((1 << level) - 1)
    return np.where(low < np.uint64(split), u & np.uint64((1 << (level + 1)) - 1), low)


class BucketTable:
    """The band table of one index, over one client; ``lock`` fences every write."""

    def __init__(self, client: Any, prefix: str, lock: WriterLock, where: str):
        self.client = client
        self.prefix = prefix
        self.lock = lock
        self.where = where
        self.state_key = f"{prefix}:lh"
        self._state: State | None = None

    def name(self, addr: int) -> bytes:
        return f"{self.prefix}:b:{addr}".encode()

    def state(self, fresh: bool = False) -> State:
        if self._state is None or fresh:
            self._state = parse_state(self.client.get(self.state_key), self.where)
        return self._state

    @staticmethod
    def size(state: State) -> int:
        return (1 << state[0]) + state[1]

    # ---- reading (consistent with splits) ------------------------------------------------
    def _consistent(self, queue: Callable[[Any, State], None]) -> list[Any]:
        """Run the reads ``queue`` adds for a state in one MULTI/EXEC with the state itself,
        again with the new state when a split came in between."""
        state = self.state()
        while True:
            pipe = self.client.pipeline(transaction=True)
            pipe.get(self.state_key)
            queue(pipe, state)
            out = pipe.execute()
            now = parse_state(out[0], self.where)
            if now == state:
                return list(out[1:])
            self._state = state = now

    def lookup(self, uniq: npt.NDArray[np.int64]) -> list[tuple[int, int]]:
        """(band key, document number) of every entry of the given unique keys."""
        raw = uniq.astype(">i8").tobytes()
        bounds = [
            (b"[" + raw[i : i + 8] + b"\0" * 4, b"[" + raw[i : i + 8] + b"\xff" * 4)
            for i in range(0, len(raw), 8)
        ]

        def queue(pipe: Any, state: State) -> None:
            for (lo, hi), addr in zip(bounds, addresses(uniq, state).tolist(), strict=True):
                pipe.zrangebylex(self.name(addr), lo, hi)

        out: list[tuple[int, int]] = []
        for key, found in zip(uniq.tolist(), self._consistent(queue), strict=True):
            arr = read_members(found, self.where)
            if arr.size and bool((arr["key"] != key).any()):
                raise IndexFileError(f"{self.where}: a band bucket holds an entry out of place")
            out.extend((key, pk) for pk in arr["pk"].tolist())
        return out

    def missing(self, keys: npt.NDArray[np.int64], pk: int) -> int:
        """How many of ``keys`` lack an entry for document ``pk``."""
        arr = members(np.asarray(keys, dtype=np.int64), np.full(len(keys), pk, dtype=np.int64))
        ms = member_list(arr)

        def queue(pipe: Any, state: State) -> None:
            for m, addr in zip(ms, addresses(arr["key"].astype(np.int64), state).tolist(), strict=True):
                pipe.zscore(self.name(addr), m)

        return sum(1 for score in self._consistent(queue) if score is None)

    def scan(self) -> Iterator[tuple[int, npt.NDArray[np.void]]]:
        """Every bucket set's address and members, a chunk of sets per round trip."""
        n = self.size(self.state(fresh=True))
        for lo in range(0, n, LIMITS.redis_read_chunk):
            pipe = self.client.pipeline(transaction=False)
            addrs = range(lo, min(n, lo + LIMITS.redis_read_chunk))
            for addr in addrs:
                pipe.zrange(self.name(addr), 0, -1)
            for addr, found in zip(addrs, pipe.execute(), strict=True):
                yield addr, read_members(found, self.where)

    # ---- writing (the writer lock held) ----------------------------------------------------
    def grow(self, entries: int) -> None:
        """Split sets until there is one per ``LIMITS.redis_bucket_entries`` entries."""
        target = -(-entries // LIMITS.redis_bucket_entries)
        state = self.state(fresh=True)
        held: dict[int, npt.NDArray[np.void]] = {}
        while self.size(state) < target:
            level, split = state
            plan: list[tuple[int, int, int]] = []
            while self.size(state) < target and len(plan) < LIMITS.redis_split_batch:
                plan.append((split, split + (1 << level), level))
                split += 1
                if split == 1 << level:
                    level, split = level + 1, 0
                state = (level, split)
            fetch = sorted({src for src, _, _ in plan if src not in held})
            pipe = self.client.pipeline(transaction=False)
            for src in fetch:
                pipe.zrange(self.name(src), 0, -1)
            for src, found in zip(fetch, pipe.execute(), strict=True):
                held[src] = read_members(found, self.where)
            touched: set[int] = set()
            for src, dst, bit in plan:
                arr = held.pop(src)
                move = (
                    (arr["key"].astype(np.int64).view(np.uint64) >> np.uint64(bit)) & np.uint64(1)
                ).astype(bool)
                held[src], held[dst] = arr[~move], arr[move]
                touched.update((src, dst))
            self._rewrite({a: held[a] for a in sorted(touched)}, state)
            # Keep only what later splits of this call can read again (the sets of the new level).
            held = {a: v for a, v in held.items() if a < (1 << state[0])}

    def _rewrite(self, sets: dict[int, npt.NDArray[np.void]], state: State) -> None:
        def build(pipe: Any) -> None:
            for addr, arr in sets.items():
                pipe.delete(self.name(addr))
                if arr.size:
                    pipe.execute_command("ZADD", self.name(addr), *_scored(member_list(arr)))
            pipe.set(self.state_key, f"{state[0]} {state[1]}")

        self.lock.commit(build)
        self._state = state

    def add(self, keys: npt.NDArray[np.int64], pks: npt.NDArray[np.int64]) -> None:
        """Add entries (the caller has grown the table for them)."""
        self._apply("ZADD", keys, pks)

    def remove(self, keys: npt.NDArray[np.int64], pks: npt.NDArray[np.int64]) -> None:
        self._apply("ZREM", keys, pks)

    def _apply(self, command: str, keys: npt.NDArray[np.int64], pks: npt.NDArray[np.int64]) -> None:
        if keys.size == 0:
            return
        state = self.state()
        addr = addresses(keys, state)
        order = np.argsort(addr, kind="stable")
        arr, addr = members(keys[order], pks[order]), addr[order]
        step = LIMITS.redis_band_slice
        for lo in range(0, arr.shape[0], step):
            part, part_addr = arr[lo : lo + step], addr[lo : lo + step]
            uniq, starts = np.unique(part_addr, return_index=True)
            bounds = [*starts.tolist(), part.shape[0]]
            ms = member_list(part)

            def build(pipe: Any, uniq: Any = uniq, bounds: Any = bounds, ms: Any = ms) -> None:
                for i, a in enumerate(uniq.tolist()):
                    chunk = ms[bounds[i] : bounds[i + 1]]
                    args = _scored(chunk) if command == "ZADD" else chunk
                    pipe.execute_command(command, self.name(a), *args)

            self.lock.commit(build)
            self.lock.extend()

    def remove_documents(self, pks: set[int]) -> None:
        """Remove every entry of these documents, looking through all sets (when their band keys
        are not known: a record lost in a crash, a damaged index)."""
        found = [arr[np.isin(arr["pk"], list(pks))] for _, arr in self.scan()]
        hits = np.concatenate([a for a in found if a.size] or [np.zeros(0, dtype=MEMBER)])
        self.remove(hits["key"].astype(np.int64), hits["pk"].astype(np.int64))


def _scored(ms: list[bytes]) -> list[bytes]:
    out: list[bytes] = []
    for m in ms:
        out += (b"0", m)
    return out
