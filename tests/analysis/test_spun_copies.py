"""Copies that change punctuation width or script are still found (issue 13, items 2 and 3),
and an index built by the previous normaliser is refused with a line saying to rebuild it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import opencc
import pytest
from click.testing import CliRunner

from detector.cli import main
from tests.conftest import CORPUS, CliRun, findings, scan_json

REPOST_KINDS = ("repost", "off-topic-repost")


def source_text(doc_id: str) -> str:
    for line in (CORPUS / "sources" / "news.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["id"] == doc_id:
            return str(row["text"])
    raise AssertionError(doc_id)


def write_page(path: Path, body: str, encoding: str, title: str = "公司新闻") -> Path:
    html = (
        f'<html><head><meta charset="{encoding}"><title>{title}</title></head><body>'
        f'<div class="nav"><a href="/">{title[2:]}</a></div>'
        f'<div class="article"><p>{body}</p></div></body></html>'
    )
    path.write_bytes(html.encode(encoding))
    return path


@pytest.fixture(scope="module")
def one_line_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's news sources with each article on one line, as cnews-1000 holds them: the
    index chunks then end at sentence ends about every 60 characters."""
    folder = tmp_path_factory.mktemp("one-line")
    rows = []
    for line in (CORPUS / "sources" / "news.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        rows.append(json.dumps({**row, "text": row["text"].replace("\n", "")}, ensure_ascii=False))
    (folder / "news.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    index = folder / "news.idx"
    result = CliRunner().invoke(main, ["index", str(folder / "news.jsonl"), "--index", str(index)])
    assert result.exit_code == 0, result.output
    return index


def reposts_of(data: dict[str, Any], doc_id: str) -> list[dict[str, Any]]:
    (page,) = data["pages"]
    return [f for f in findings(page, *REPOST_KINDS) if f["source"]["id"] == doc_id]


def test_a_short_gbk_copy_with_half_width_punctuation_is_found(
    cli: CliRun, one_line_index: Path, tmp_path: Path
) -> None:
    lead = source_text("news-009").replace("\n", "")[:262]
    lead = lead[:40] + "甲" + lead[41:150] + "乙" + lead[151:]
    spun = lead.replace("，", ",").replace("。", ".")
    page = write_page(tmp_path / "spun.html", spun, "gbk")
    (repost,) = reposts_of(scan_json(cli, str(page), "--index", str(one_line_index)), "news-009")
    assert repost["coverage"] >= 0.95


def test_a_copy_without_any_sentence_end_is_found(cli: CliRun, one_line_index: Path, tmp_path: Path) -> None:
    lead = source_text("news-013").replace("\n", "")[:300]
    spun = lead.replace("。", ",").replace("，", ",")
    page = write_page(tmp_path / "commas.html", spun, "gbk")
    (repost,) = reposts_of(scan_json(cli, str(page), "--index", str(one_line_index)), "news-013")
    assert repost["coverage"] >= 0.95


def test_a_big5_page_in_traditional_characters_is_found_with_its_coverage(
    cli: CliRun, demo_index: Path, tmp_path: Path
) -> None:
    simplified = source_text("news-005")
    traditional = opencc.OpenCC("s2tw").convert(simplified)
    assert sum(a != b for a, b in zip(simplified, traditional, strict=True)) > 50
    page = write_page(tmp_path / "big5.html", traditional.replace("\n", "</p><p>"), "big5", "公司新聞")
    data = scan_json(cli, str(page), "--index", str(demo_index))
    assert data["pages"][0]["encoding"] == "big5"
    (repost,) = reposts_of(data, "news-005")
    assert repost["coverage"] >= 0.95 and repost["source_coverage"] >= 0.95


def test_an_index_built_by_the_previous_normaliser_is_refused_with_one_line_saying_to_rebuild_it(
    cli: CliRun, tmp_path: Path
) -> None:
    index = tmp_path / "old.idx"
    assert cli("index", "corpus/sources/news.jsonl", "--index", str(index)).exit_code == 0
    with sqlite3.connect(index) as conn:
        (raw,) = conn.execute("SELECT value FROM manifest WHERE key = 'manifest'").fetchone()
        manifest = json.loads(raw)
        manifest["normalizer_version"] = 1
        conn.execute("UPDATE manifest SET value = ? WHERE key = 'manifest'", (json.dumps(manifest),))
    before = index.read_bytes()
    result = cli("scan", "corpus/pages/xinhengxing", "--index", str(index))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "normalizer_version is 1 in the index" in lines[0] and "rebuild it" in lines[0]
    assert index.read_bytes() == before
