"""Partitioned inputs: Parquet rows, WARC response records, large JSONL files in line ranges,
read the same in this process and on Dask workers, for `index` and `scan` alike."""

from __future__ import annotations

import dataclasses
import gzip
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from detector.ingest import partitions as inputs
from detector.ingest.inputs import iter_file_sources as ingest_sources
from detector.model import Document, InputFailure
from tests.conftest import ROOT, CliRun

SOURCE = (ROOT / "corpus" / "sources" / "portal-a" / "alibaba-b2b-18-years.html").read_text(encoding="utf-8")


def records() -> list[dict[str, str]]:
    return [
        {
            "id": "a",
            "title": "阿里巴巴",
            "category": "财经",
            "text": "第一段文字,讲述平台的发展历程和重要节点。\n第二段。",
        },
        {
            "id": "b",
            "url": "https://x.example/b",
            "text": "另一篇稿件的正文内容,与前一篇没有关系,讲的是机床行业。",
        },
        {"id": "c", "text": "   "},
    ]


def test_parquet_rows_read_as_jsonl_lines(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "s.parquet"
    rows = records()
    table = pa.Table.from_pylist([{**{"url": None, "title": None, "category": None}, **r} for r in rows])
    pq.write_table(table, path, row_group_size=2)
    jsonl = tmp_path / "s.jsonl"
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    parts = inputs.partitions([str(path)])
    assert [p.kind for p in parts] == ["parquet", "parquet"]  # one per row group
    got = list(inputs.iter_source_inputs([str(path)]))
    want = list(ingest_sources([str(jsonl)]))
    assert len(got) == len(want) == 3
    for g, w in zip(got, want, strict=True):
        assert type(g) is type(w)
        if isinstance(g, Document) and isinstance(w, Document):
            assert (g.id, g.text, g.blocks, g.url, g.title, g.category) == (
                w.id,
                w.text,
                w.blocks,
                w.url,
                w.title,
                w.category,
            )
            assert g.uri.endswith("s.parquet#" + w.uri.rsplit("#", 1)[1])
    assert isinstance(got[2], InputFailure) and got[2].error == "no text found"


def test_a_file_that_is_not_parquet_is_one_failure(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 not really")
    (failure,) = list(inputs.iter_page_inputs([str(path)]))
    assert isinstance(failure, InputFailure) and "not a readable Parquet file" in failure.error


def warc_record(kind: str, url: str, block: bytes, content_type: str) -> bytes:
    """One gzip member holding one WARC record, written by hand (as the format spells it)."""
    head = (
        f"WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {url}\r\n"
        f"WARC-Record-ID: <urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, kind + url)}>\r\n"
        f"WARC-Date: 2024-01-01T00:00:00Z\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(block)}\r\n\r\n"
    ).encode()
    return gzip.compress(head + block + b"\r\n\r\n")


def http_response(body: bytes, ctype: str) -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


def write_warc(path: Path, max_bytes: int) -> None:
    pytest.importorskip("warcio")
    msg = "application/http; msgtype=response"
    big = b"<html><body>" + b"x" * (max_bytes + 10) + b"</body></html>"
    path.write_bytes(
        warc_record("warcinfo", "", b"software: test\r\n", "application/warc-fields")
        + warc_record(
            "request",
            "https://factory.example/news/1",
            b"GET /news/1 HTTP/1.1\r\n\r\n",
            "application/http; msgtype=request",
        )
        + warc_record(
            "response",
            "https://factory.example/news/1",
            http_response(SOURCE.encode("gb18030"), "text/html; charset=gbk"),
            msg,
        )
        + warc_record(
            "response", "https://factory.example/logo.png", http_response(b"\x89PNG....", "image/png"), msg
        )
        + warc_record("response", "https://factory.example/big", http_response(big, "text/html"), msg)
    )


def test_warc_response_records_are_pages(cli: CliRun, tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, 200_000)
    items = list(inputs.iter_page_inputs([str(warc)], max_bytes=200_000))
    docs = [i for i in items if isinstance(i, Document)]
    fails = [i for i in items if isinstance(i, InputFailure)]
    assert [d.url for d in docs] == ["https://factory.example/news/1"]
    assert docs[0].site == "factory.example" and docs[0].uri.endswith("crawl.warc.gz#3")
    assert "阿里巴巴" in docs[0].text and docs[0].encoding in ("gb18030", "gbk")
    assert len(fails) == 1 and "limit" in fails[0].error  # the oversized payload, read no further
    r = cli("scan", str(warc), "--corpus", "corpus/sources", "--json", "-")
    data = json.loads(r.output)
    assert r.exit_code == 0
    assert [f["kind"] for f in data["pages"][0]["findings"]].count("repost") >= 1


def test_warc_sources_are_indexed(cli: CliRun, tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, 200_000)
    idx = tmp_path / "w.idx"
    r = cli("index", str(warc), "--index", str(idx))
    assert "2 added" in r.output  # the article and the large page; not the PNG nor the request
    page = ROOT / "corpus" / "pages" / "xinhengxing" / "news-alibaba-b2b.html"
    data = json.loads(cli("scan", str(page), "--index", str(idx), "--json", "-").output)
    found = [f for f in data["pages"][0]["findings"] if "source" in f]
    assert found and found[0]["source"]["url"] == "https://factory.example/news/1"


def test_a_large_jsonl_is_read_in_line_ranges_as_ingest_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [json.dumps(r, ensure_ascii=False) for r in records()]
    lines += ["", "not json", '{"id": "d", "text": "最后一行没有换行符,但仍然是一篇完整的稿件正文。"}']
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    small = dataclasses.replace(inputs.LIMITS, split_jsonl_bytes=0, lines_per_part=2)
    monkeypatch.setattr(inputs, "LIMITS", small)
    parts = inputs.partitions([str(path)])
    assert [p.kind for p in parts] == ["jsonl-lines"] * 3 and [p.first for p in parts] == [1, 3, 5]
    got = list(inputs.iter_source_inputs([str(path)]))
    want = list(ingest_sources([str(path)]))
    summary: Any = lambda items: [(i.uri, getattr(i, "text", None), getattr(i, "error", None)) for i in items]  # noqa: E731
    assert summary(got) == summary(want)


def test_a_gzip_bomb_in_a_warc_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """A response whose HTTP body is gzip-encoded to 1 GB of zeros (1 MB on disk): refused at the
    size limit after reading at most the limit, not inflated whole."""
    pytest.importorskip("warcio")
    import resource
    import zlib

    inflated = 1 << 30
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # a gzip stream, written in pieces
    zeros = b"\0" * (1 << 20)
    body = b"".join(packer.compress(zeros) for _ in range(inflated >> 20)) + packer.flush()
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    warc = tmp_path / "bomb.warc.gz"
    warc.write_bytes(
        warc_record("response", "https://bomb.example/", head + body, "application/http; msgtype=response")
        + warc_record(
            "response",
            "https://factory.example/news/1",
            http_response(SOURCE.encode("utf-8"), "text/html; charset=utf-8"),
            "application/http; msgtype=response",
        )
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    items = list(inputs.iter_page_inputs([str(warc)], max_bytes=1_000_000))
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    fails = [i for i in items if isinstance(i, InputFailure)]
    assert len(fails) == 1 and "limit" in fails[0].error
    assert [i.url for i in items if isinstance(i, Document)] == ["https://factory.example/news/1"]
    assert grown_mb < 200  # far below the 1 GB the bomb inflates to
