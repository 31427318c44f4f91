"""A crafted Redis index (issue 20, item 4): document values are checked as the SQLite store's rows are."""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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
    for pk in client.zrange(f"{prefix}:pks", 0, -1):
        client.hset(f"{prefix}:doc:{int(pk)}", mapping={"body": bomb, "chars": "3"})
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
    for pk in client.zrange(f"{prefix}:pks", 0, -1):
        client.hset(f"{prefix}:doc:{int(pk)}", mapping={"chars": "99999999999999999999"})
    r = cli("scan", str(SEED_PAGE), "--index", url, "--json", "-")
    assert r.exit_code == 2 and "Traceback" not in r.output
