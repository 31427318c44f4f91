"""Corrupt and oversized inputs: a clear error naming the file, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import detector.ingest.inputs as inputs
from tests.conftest import ROOT, CliRun


@pytest.fixture
def small_index(cli: CliRun, tmp_path: Path) -> Path:
    idx = tmp_path / "small.idx"
    assert cli("index", str(ROOT / "corpus" / "sources" / "news.jsonl"), "--index", str(idx)).exit_code == 0
    return idx


@pytest.mark.parametrize("keep", [0.5, 0.1])
def test_a_truncated_index_is_refused_with_its_name(cli: CliRun, small_index: Path, keep: float) -> None:
    data = small_index.read_bytes()
    small_index.write_bytes(data[: int(len(data) * keep)])
    for args in (
        ("scan", str(ROOT / "corpus" / "pages"), "--index", str(small_index)),
        ("index", "--check", "--index", str(small_index)),
    ):
        r = cli(*args)
        assert r.exit_code == 2, r.output
        assert str(small_index) in r.stderr
        assert "Traceback" not in r.output
        assert len([line for line in r.stderr.splitlines() if str(small_index) in line]) >= 1


def test_garbage_after_a_valid_header_is_refused(cli: CliRun, small_index: Path) -> None:
    data = bytearray(small_index.read_bytes())
    data[4096:] = bytes((i * 7919) % 256 for i in range(len(data) - 4096))
    small_index.write_bytes(bytes(data))
    r = cli("scan", str(ROOT / "corpus" / "pages"), "--index", str(small_index))
    assert r.exit_code == 2 and str(small_index) in r.stderr and "Traceback" not in r.output


def test_a_page_with_too_many_blocks_is_refused(
    cli: CliRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inputs, "MAX_BLOCKS", 50)
    page = tmp_path / "many.html"
    page.write_text(
        "<html><body>" + "".join(f"<p>第{i}段正文内容</p>" for i in range(200)) + "</body></html>", "utf-8"
    )
    r = cli("scan", str(page), "--json", "-")
    assert r.exit_code == 2
    data = json.loads(r.stdout)
    assert data["pages"][0]["error"] == "more than 50 blocks"
    assert "many.html" in r.stderr


def test_a_page_over_the_size_limit_is_refused_without_reading_it(cli: CliRun, tmp_path: Path) -> None:
    from detector.config import Settings

    page = tmp_path / "huge.html"
    with page.open("wb") as fh:  # sparse: 30 MB that are never read
        fh.truncate(30_000_000)
    r = cli("scan", str(page), "--json", "-")
    assert r.exit_code == 2
    assert (
        json.loads(r.stdout)["pages"][0]["error"] == f"larger than the {Settings().max_page_bytes}-byte limit"
    )


def test_damage_found_part_way_through_a_scan_is_one_clear_line(cli: CliRun, small_index: Path) -> None:
    import sqlite3

    with sqlite3.connect(small_index) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(small_index.read_bytes())
    pages = len(data) // 4096
    for i in range(pages * 3 // 4, pages):  # the manifest (early pages) stays readable
        data[i * 4096 : (i + 1) * 4096] = b"\x5a" * 4096
    small_index.write_bytes(bytes(data))
    r = cli("scan", str(ROOT / "corpus" / "pages"), "--index", str(small_index))
    assert r.exit_code == 2
    assert f"{small_index}: " in r.stderr and "corrupt" in r.stderr
    assert "Traceback" not in r.output
