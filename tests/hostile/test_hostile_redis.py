"""A crafted Redis index (issue 20, item 4): document values are checked as the SQLite store's rows are."""

from __future__ import annotations

import dataclasses
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from detector.store.redis_codec import DocRecord
from tests.conftest import SEED_PAGE, CliRun
from tests.redis_server import RedisServer, redis_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with redis_server(tmp_path_factory.mktemp("redis")) as s:
        yield s


def test_a_zlib_bomb_in_a_redis_document_is_refused_as_corrupt(cli: CliRun, server: RedisServer) -> None:
    prefix = "h" + uuid.uuid4().hex[:10]
    url = server.url(prefix)
    assert cli("index", "corpus/sources", "--index", url).exit_code == 0
    client: Any = server.client
    bomb = zlib.compress(b"A" * (64 * 2**20), 9)
    rewrite_records(client, prefix, body=bomb, chars=3, main=())
    r = cli("scan", str(SEED_PAGE), "--index", url, "--json", "-")
    assert r.exit_code == 2, r.output
    assert "inflates beyond" in r.stderr and "Traceback" not in r.output
    check = cli("index", "--check", "--index", url)
    assert check.exit_code == 2 and "inflates beyond" in check.stderr


def test_redis_value_with_a_forged_length_is_refused(
    cli: CliRun, server: RedisServer, tmp_path: Path
) -> None:
    prefix = "h" + uuid.uuid4().hex[:10]
    url = server.url(prefix)
    assert cli("index", "corpus/sources", "--index", url).exit_code == 0
    client: Any = server.client
    rewrite_records(client, prefix, chars=99999999999999999999)
    r = cli("scan", str(SEED_PAGE), "--index", url, "--json", "-")
    assert r.exit_code == 2 and "Traceback" not in r.output


def rewrite_records(client: Any, prefix: str, **changes: object) -> None:
    for key in client.scan_iter(f"{prefix}:d:*"):
        rec = DocRecord.unpack(client.get(key))
        client.set(key, dataclasses.replace(rec, **changes).pack())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("truncated records", "is corrupt (a field runs past the record)"),
        ("a record of garbage", "is corrupt"),
        ("a band entry of the wrong length", "a band bucket holds a value that is not a band entry"),
        ("a forged band table state", "the band table's state is corrupt"),
        ("a forged id entry", "is corrupt"),
    ],
)
def test_damaged_redis_values_are_one_line_errors(
    cli: CliRun, server: RedisServer, damage: str, message: str
) -> None:
    prefix = "h" + uuid.uuid4().hex[:10]
    url = server.url(prefix)
    assert cli("index", "corpus/sources", "--index", url).exit_code == 0
    client: Any = server.client
    if damage == "truncated records":
        for key in client.scan_iter(f"{prefix}:d:*"):
            client.set(key, client.get(key)[:40])
    elif damage == "a record of garbage":
        for key in client.scan_iter(f"{prefix}:d:*"):
            client.set(key, b"\xff" * 200)
    elif damage == "a band entry of the wrong length":
        for key in client.scan_iter(f"{prefix}:b:*"):
            client.append(key, b"x")
    elif damage == "a forged band table state":
        client.set(f"{prefix}:lh", b"99 -3")
    else:
        for doc_id in client.hkeys(f"{prefix}:ids"):
            client.hset(f"{prefix}:ids", doc_id, b"12")
    r = cli("scan", str(SEED_PAGE), "--index", url, "--json", "-")
    assert r.exit_code == 2 and message in r.stderr and "Traceback" not in r.output
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    check = cli("index", "--check", "--index", url)
    assert check.exit_code == 2 and "Traceback" not in check.output
