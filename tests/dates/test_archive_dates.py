"""Dates from archived inputs: a WARC response's Last-Modified header (the ``http`` kind, when the
page states no date) and a Parquet ``published`` column, timestamps included."""

from __future__ import annotations

import gzip
import uuid
from datetime import datetime
from pathlib import Path

import pytest

from detector.ingest import partitions
from detector.model import Document
from tests.dates.test_source_dates import article, page_html


def warc_response(url: str, body: bytes, last_modified: str) -> bytes:
    http = (
        f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nLast-Modified: {last_modified}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    head = (
        f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\n"
        f"WARC-Record-ID: <urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}>\r\n"
        f"WARC-Date: 2024-01-01T00:00:00Z\r\nContent-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    ).encode()
    return gzip.compress(head + http + b"\r\n\r\n")


def test_a_warc_response_is_dated_by_its_last_modified_header_when_the_page_says_nothing(
    tmp_path: Path,
) -> None:
    pytest.importorskip("warcio")
    warc = tmp_path / "crawl.warc.gz"
    stamp = "Tue, 12 Sep 2017 05:32:00 GMT"
    warc.write_bytes(
        warc_response("https://a.example/news/1.html", page_html(article(1), None).encode(), stamp)
        + warc_response(
            "https://a.example/news/2.html", page_html(article(2), "发布时间：2017-09-01").encode(), stamp
        )
    )
    docs = [d for d in partitions.iter_page_inputs([str(warc)]) if isinstance(d, Document)]
    assert [(d.published, d.published_from) for d in docs] == [
        ("2017-09-12T05:32:00+00:00", "http"),
        ("2017-09-01", "text"),
    ]


def test_a_parquet_published_column_dates_sources_timestamps_included(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "s.parquet"
    table = pa.table(
        {
            "id": ["a", "b", "c"],
            "text": [article(1), article(2), article(3)],
            "published": [datetime(2017, 9, 12, 13, 32), None, datetime(2016, 1, 2)],
        }
    )
    pq.write_table(table, path)
    docs = [d for d in partitions.iter_source_inputs([str(path)]) if isinstance(d, Document)]
    assert [(d.id, d.published) for d in docs] == [
        ("a", "2017-09-12T13:32:00"),
        ("b", None),
        ("c", "2016-01-02T00:00:00"),
    ]
