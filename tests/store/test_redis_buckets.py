"""The Redis band table (linear hashing over strings of packed entries) against a real redis-server:
entries are found at every size, a reader holding an old state is not misled by splits, and entries
are removed exactly."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from detector.errors import IndexFileError
from detector.store.location import parse_location
from detector.store.redis_buckets import BucketTable, addresses
from detector.store.redis_lock import WriterLock, resp, run_packed
from tests.redis_server import RedisServer, redis_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with redis_server(tmp_path_factory.mktemp("redis")) as s:
        yield s


def table(server: RedisServer, name: str, *, writer: bool) -> BucketTable:
    loc = parse_location(server.url(name))
    client: Any = server.connect()
    lock = WriterLock(client, loc, f"{name}:lock")  # type: ignore[arg-type]
    if writer:
        assert lock.acquire(5)
    return BucketTable(client, name, lock, loc.display())


def entries(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    keys = rng.integers(-(2**63), 2**63 - 1, size=n, dtype=np.int64)
    keys[: n // 10] = keys[n // 10 : 2 * (n // 10)]  # some keys shared by two documents
    return keys, rng.integers(1, 5000, size=n, dtype=np.int64)


def test_a_reader_with_an_old_state_finds_every_entry_after_splits(server: RedisServer) -> None:
    name = "lh" + uuid.uuid4().hex[:8]
    writer, reader = table(server, name, writer=True), table(server, name, writer=False)
    keys, pks = entries(3000, 1)
    writer.grow(len(keys))
    writer.add(keys, pks)
    uniq = np.unique(keys)
    expected = sorted(zip(keys.tolist(), pks.tolist(), strict=True))
    assert sorted(reader.lookup(uniq)) == expected
    old = reader.state()
    writer.grow(20 * len(keys))  # many splits after the reader cached its state
    assert writer.state() != old and reader.state() == old
    assert sorted(reader.lookup(uniq)) == expected
    assert reader.state() == writer.state()
    # Every bucket holds only its own keys, each entry once, as one string.
    client: Any = server.client
    held = 0
    for addr, arr in writer.scan():
        assert bool((addresses(arr["key"].astype(np.int64), writer.state()) == addr).all())
        held += arr.shape[0]
    assert held == len(keys)
    encodings = {client.object("encoding", writer.name(a)) for a in range(writer.size(writer.state()))}
    assert encodings - {None} <= {b"raw", b"embstr"}  # None: a bucket left empty by a split


def test_entries_added_sorted_by_key_land_each_in_its_bucket_in_one_append(
    server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The writer's rounds add entries sorted by key as unsigned numbers (no sort by address):
    # each bucket's keys are then together, a bucket is written once per add, in small slices too.
    import dataclasses

    from detector.store import redis_buckets

    name = "lh" + uuid.uuid4().hex[:8]
    writer = table(server, name, writer=True)
    keys, pks = entries(5000, 3)
    order = np.argsort(keys.view(np.uint64), kind="stable")
    keys, pks = keys[order], pks[order].astype(np.uint32)
    writer.grow(len(keys))
    server.client.config_resetstat()
    small = dataclasses.replace(redis_buckets.LIMITS, redis_band_slice=300)  # several batches
    monkeypatch.setattr(redis_buckets, "LIMITS", small)
    writer.add(keys, pks, grouped=True)
    appends = int(server.client.info("commandstats")["cmdstat_append"]["calls"])
    assert appends == np.unique(addresses(keys, writer.state())).size
    assert sorted(writer.lookup(np.unique(keys))) == sorted(
        zip(keys.tolist(), pks.astype(np.int64).tolist(), strict=True)
    )
    for addr, arr in writer.scan():
        assert bool((addresses(arr["key"].astype(np.int64), writer.state()) == addr).all())


def test_removing_entries_removes_those_only(server: RedisServer) -> None:
    name = "lh" + uuid.uuid4().hex[:8]
    writer = table(server, name, writer=True)
    keys, pks = entries(2000, 2)
    writer.grow(len(keys))
    writer.add(keys, pks)
    gone = pks == pks[0]
    writer.remove(keys[gone], pks[gone])
    writer.remove_documents({int(pks[1])})
    kept = ~gone & (pks != pks[1])
    assert sorted(writer.lookup(np.unique(keys))) == sorted(
        zip(keys[kept].tolist(), pks[kept].tolist(), strict=True)
    )
    assert writer.missing(keys[kept][:50], int(pks[kept][0])) == int((pks[kept][:50] != pks[kept][0]).sum())


def test_a_writer_that_lost_the_lock_changes_nothing(server: RedisServer, tmp_path: Path) -> None:
    name = "lh" + uuid.uuid4().hex[:8]
    writer = table(server, name, writer=True)
    keys, pks = entries(100, 3)
    client: Any = server.client
    client.set(f"{name}:lock", "someone-else")
    with pytest.raises(Exception, match="lost the writer lock"):
        writer.add(keys, pks)
    assert list(client.scan_iter(f"{name}:b:*")) == []


def test_a_command_refused_inside_a_transaction_applies_nothing_and_is_one_error(server: RedisServer) -> None:
    name = "lh" + uuid.uuid4().hex[:8]
    loc = parse_location(server.url(name))
    client: Any = server.connect()
    good = [resp(b"SET", f"{name}:x".encode(), b"%d" % i) for i in range(1000)]
    with pytest.raises(IndexFileError, match="redis error"):
        run_packed(client, loc, [*good, resp(b"APPEND", f"{name}:x".encode())])  # APPEND needs a value
    assert client.get(f"{name}:x") is None
    assert run_packed(client, loc, good[:2]) == [b"OK", b"OK"]  # the client is still usable
