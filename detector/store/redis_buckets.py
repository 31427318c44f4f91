"""The band table of the Redis index: LSH buckets grouped into small sorted sets by linear hashing.

One Redis set per LSH bucket (datasketch's storage) costs ~200 bytes per band entry. Here a band
entry is a 12-byte member (``redis_codec``: band key, document number) of one of ``2**L + S``
sorted sets ``P:b:ADDR``, all scores 0, so members sort by bytes and a band key's documents are
one lexicographic range of its set (``ZRANGEBYLEX``). ``ADDR`` is linear hashing on the
bit-reversed key (state ``P:lh`` = ``"L S"``): its low ``L`` bits, or its low ``L + 1`` bits
when that is below ``S``; that is, a set holds the keys of one prefix of top bits, and splitting
it moves the keys whose next bit is 1, one lexicographic range, which the server moves itself
(ZRANGESTORE, ZREMRANGEBYLEX: nothing is read back) in one MULTI/EXEC with the new state.

Redis keeps a sorted set of at most 128 members of at most 64 bytes as one listpack
(``zset-max-listpack-entries``/``-value``; the defaults since Redis 2.8, called ziplist before
7.0): ~16 bytes per member. The writer splits sets as the index grows, keeping about
``LIMITS.redis_bucket_entries`` members per set, so the layout stays compact at any size on a
server with the default configuration. A set that grows past 128 (many documents sharing band
keys) only costs more memory; nothing is lost. Needs Redis 6.2 or later (ZRANGESTORE).

Writes are blind (ZADD/ZREM of exact members, no read-modify-write), sent prepacked, one
MULTI/EXEC per slice, fenced by the writer lock. Readers pipeline their ranges between two reads
of the state (which only grows) and read again when a split came in between, so they never
look in the wrong set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from detector.config import LIMITS
from detector.errors import IndexFileError
from detector.store.redis_codec import MEMBER, MEMBER_BYTES, member_list, members, read_members
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


def addresses(keys: npt.NDArray[np.int64], state: State) -> npt.NDArray[np.uint64]:
    """Linear hashing on the bit-reversed key: the set of a key is chosen by its top bits, so
    the entries a split moves are one lexicographic range (moved by the server, unread)."""
    level, split = state
    be = np.ascontiguousarray(np.asarray(keys, dtype=np.int64).astype(">i8")).view(np.uint8)
    rev = _REVERSED_BYTE[be].view("<u8").ravel()  # bytes reversed in order and in bits
    low = rev & np.uint64((1 << level) - 1)
    return np.where(low < np.uint64(split), rev & np.uint64((1 << (level + 1)) - 1), low)


def _moved_range(src: int, level: int) -> tuple[bytes, bytes]:
    """The members a split of set ``src`` at ``level`` moves: keys whose top ``level`` bits
    are ``src`` reversed and whose next bit is 1, as ZRANGEBYLEX bounds."""
    top = int(f"{src:0{level}b}"[::-1], 2) if level else 0
    lo = (top << (64 - level)) | (1 << (63 - level))
    hi = lo | ((1 << (63 - level)) - 1)
    return b"[" + lo.to_bytes(8, "big") + b"\0" * 4, b"[" + hi.to_bytes(8, "big") + b"\xff" * 4


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

    def lookup(self, uniq: npt.NDArray[np.int64]) -> list[tuple[int, int]]:
        """(band key, document number) of every entry of the given unique keys."""
        raw = uniq.astype(">i8").tobytes()
        bounds = [
            (b"[" + raw[i : i + 8] + b"\0" * 4, b"[" + raw[i : i + 8] + b"\xff" * 4)
            for i in range(0, len(raw), 8)
        ]

        def commands(state: State) -> list[bytes]:
            return [
                resp(b"ZRANGEBYLEX", self.name(addr), lo, hi)
                for (lo, hi), addr in zip(bounds, addresses(uniq, state).tolist(), strict=True)
            ]

        replies = self._consistent(commands)
        arr = read_members([m for found in replies for m in found], self.where)
        asked = np.repeat(uniq, [len(found) for found in replies])
        if bool((arr["key"] != asked).any()):
            raise IndexFileError(f"{self.where}: a band bucket holds an entry out of place")
        return list(zip(asked.tolist(), arr["pk"].tolist(), strict=True))

    def missing(self, keys: npt.NDArray[np.int64], pk: int) -> int:
        """How many of ``keys`` lack an entry for document ``pk``."""
        arr = members(np.asarray(keys, dtype=np.int64), np.full(len(keys), pk, dtype=np.int64))
        ms = member_list(arr)

        def commands(state: State) -> list[bytes]:
            addrs = addresses(arr["key"].astype(np.int64), state).tolist()
            return [resp(b"ZSCORE", self.name(a), m) for m, a in zip(ms, addrs, strict=True)]

        return sum(1 for score in self._consistent(commands) if score is None)

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
        """Split sets until there is one per ``LIMITS.redis_bucket_entries`` entries. A split
        moves one lexicographic range to a new set on the server (ZRANGESTORE), and is applied
        with the new state in one MULTI/EXEC, a batch of splits at a time."""
        target = -(-entries // LIMITS.redis_bucket_entries)
        state = self.state(fresh=True)
        if state == (0, 0) and target > 1 and not self.client.exists(self.name(0)):
            # An empty table (its one set is absent): nothing to move, only a new state.
            level = target.bit_length() - 1
            state = (level, target - (1 << level))
            self.lock.commit_packed([resp(b"SET", self.state_key.encode(), b"%d %d" % state)])
            self._state = state
        while self.size(state) < target:
            level, split = state
            plan: list[tuple[int, int, int]] = []
            while self.size((level, split)) < target and len(plan) < LIMITS.redis_split_batch:
                plan.append((split, split + (1 << level), level))
                split += 1
                if split == 1 << level:
                    level, split = level + 1, 0
            state = (level, split)

            commands = []
            for src, dst, bit in plan:
                lo, hi = _moved_range(src, bit)
                commands.append(resp(b"ZRANGESTORE", self.name(dst), self.name(src), lo, hi, b"BYLEX"))
                commands.append(resp(b"ZREMRANGEBYLEX", self.name(src), lo, hi))
            commands.append(resp(b"SET", self.state_key.encode(), b"%d %d" % state))
            self.lock.commit_packed(commands)
            self._state = state

    def add(self, keys: npt.NDArray[np.int64], pks: npt.NDArray[np.int64]) -> None:
        """Add entries (the caller has grown the table for them)."""
        self._apply("ZADD", keys, pks)

    def remove(self, keys: npt.NDArray[np.int64], pks: npt.NDArray[np.int64]) -> None:
        self._apply("ZREM", keys, pks)

    def _apply(self, command: str, keys: npt.NDArray[np.int64], pks: npt.NDArray[np.int64]) -> None:
        if keys.size == 0:
            return
        addr = addresses(keys, self.state())
        order = np.argsort(addr, kind="stable")
        blocks, addr = _packed_members(members(keys[order], pks[order]), command == "ZADD"), addr[order]
        step = LIMITS.redis_band_slice
        for lo in range(0, blocks.shape[0], step):
            part, part_addr = blocks[lo : lo + step], addr[lo : lo + step]
            uniq, starts = np.unique(part_addr, return_index=True)
            bounds = [*starts.tolist(), part.shape[0]]
            commands = []
            for i, a in enumerate(uniq.tolist()):
                name = self.name(a)
                n = bounds[i + 1] - bounds[i]
                head = b"*%d\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (
                    2 + n * (2 if command == "ZADD" else 1),
                    len(command),
                    command.encode(),
                    len(name),
                    name,
                )
                commands.append(head + part[bounds[i] : bounds[i + 1]].tobytes())
            self.lock.commit_packed(commands)

    def remove_documents(self, pks: set[int]) -> None:
        """Remove every entry of these documents, looking through all sets (when their band keys
        are not known: a record lost in a crash, a damaged index)."""
        found = [arr[np.isin(arr["pk"], list(pks))] for _, arr in self.scan()]
        hits = np.concatenate([a for a in found if a.size] or [np.zeros(0, dtype=MEMBER)])
        self.remove(hits["key"].astype(np.int64), hits["pk"].astype(np.int64))


def _packed_members(arr: npt.NDArray[np.void], scored: bool) -> npt.NDArray[np.uint8]:
    """Each member as the RESP arguments of ZADD (score 0, member) or ZREM (member), one row
    each: commands are joined from rows instead of packed argument by argument."""
    arg = b"$12\r\n"
    head = (b"$1\r\n0\r\n" if scored else b"") + arg
    out = np.empty((arr.shape[0], len(head) + MEMBER_BYTES + 2), dtype=np.uint8)
    out[:, : len(head)] = np.frombuffer(head, dtype=np.uint8)
    out[:, len(head) : len(head) + MEMBER_BYTES] = arr.view(np.uint8).reshape(-1, MEMBER_BYTES)
    out[:, -2:] = np.frombuffer(b"\r\n", dtype=np.uint8)
    return out
