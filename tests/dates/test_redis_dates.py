"""Source dates in the Redis index: stored with each document; a document written before dates
existed (no ``published`` field) reads as null."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from detector.store.redis_codec import DocRecord
from tests.conftest import CliRun
from tests.dates.test_source_dates import article, page_html, repost, scan_pages, write_jsonl
from tests.redis_server import RedisServer, redis_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with redis_server(tmp_path_factory.mktemp("redis")) as s:
        yield s


def test_redis_keeps_source_dates_and_reads_old_documents_as_null(
    cli: CliRun, server: RedisServer, tmp_path: Path
) -> None:
    name = "d" + uuid.uuid4().hex[:10]
    url = server.url(name)
    sources = write_jsonl(
        tmp_path / "sources.jsonl",
        [
            {"id": "dated", "text": article(1), "published": "2017-09-10"},
            {"id": "old", "text": article(2), "published": "2017-01-01"},
        ],
    )
    assert cli("index", str(sources), "--index", url).exit_code == 0
    client: Any = server.client
    old_pk = int.from_bytes(client.hget(f"{name}:ids", "old")[:4], "big")
    rec = DocRecord.unpack(client.get(f"{name}:d:{old_pk}"))
    assert rec.strings["published"] == "2017-01-01"
    strings = {**rec.strings, "published": None}  # as written before dates existed
    client.set(f"{name}:d:{old_pk}", dataclasses.replace(rec, strings=strings).pack())

    dated, old = scan_pages(
        cli,
        tmp_path,
        url,
        [
            {"id": "a", "html": page_html(article(1), "发布时间：2017-09-12")},
            {"id": "b", "html": page_html(article(2), "发布时间：2017-09-12")},
        ],
    )
    assert repost(dated)["source"]["published"] == "2017-09-10"
    assert repost(dated)["first_published"] == "source"
    assert repost(old)["source"]["published"] is None
    assert repost(old)["first_published"] is None
