"""What ``detector index --check`` verifies in the keys of a Redis index, besides each document's
band entries (which ``indexing.check_index`` recomputes from its text)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

import numpy as np

from detector.store.location import RedisLocation
from detector.store.redis_buckets import BucketTable, addresses
from detector.store.redis_codec import read_id_entry, read_pks
from detector.store.redis_lock import WriterLock, guard


class _Index(Protocol):
    """What is checked: the Redis index (``redis_store.RedisIndex``)."""

    client: Any
    location: RedisLocation
    where: str
    lock: WriterLock
    buckets: BucketTable

    def _k(self, name: str) -> str: ...
    def _iter_pks(self) -> Iterator[int]: ...
    def _clean_pending(self) -> int: ...


def structural_problems(store: _Index) -> list[str]:
    """Ids against committed documents, band entries pointing at no document or lying in the
    wrong set. First removes what a writer that died left pending, when no writer is at work
    (those entries were never visible to readers)."""
    problems: list[str] = []
    if not store.lock.held and store.lock.acquire(0):
        try:
            store._clean_pending()
        finally:
            store.lock.release()
    committed = np.fromiter(store._iter_pks(), dtype=np.int64)
    client, k = store.client, store._k
    with guard(store.location):
        n_ids = int(client.hlen(k("ids")))
        if committed.size != n_ids:
            problems.append(f"{committed.size} committed documents but {n_ids} ids")
        dangling = 0
        for doc_id, raw in client.hscan_iter(k("ids"), count=1000):
            pk, _ = read_id_entry(raw, doc_id.decode("utf-8", "replace"), store.where)
            dangling += int(not np.isin(pk, committed))
        if dangling:
            problems.append(f"{dangling} ids point at no committed document")
        state = store.buckets.state(fresh=True)
        orphans = misplaced = 0
        for addr, arr in store.buckets.scan():
            misplaced += int((addresses(arr["key"].astype(np.int64), state) != addr).sum())
            orphans += int((~np.isin(arr["pk"].astype(np.int64), committed)).sum())
        if orphans:  # entries of documents being written now are not orphans
            pending = np.array(read_pks(client.smembers(k("pending")), "the pending set", store.where))
            if pending.size:
                orphans = 0
                for _, arr in store.buckets.scan():
                    pks = arr["pk"].astype(np.int64)
                    orphans += int((~np.isin(pks, committed) & ~np.isin(pks, pending)).sum())
    if orphans:
        problems.append(f"{orphans} band entries point at no document")
    if misplaced:
        problems.append(f"{misplaced} band entries are in the wrong bucket set")
    return problems
