"""Sources and pages that hold their text twice (issue 13, item 4): coverage counts the
source's characters the page holds, one repeated block is one finding, and the report
numbers each repeat group apart."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from detector.cli import main
from detector.model import merge_spans
from detector.report.html import write_html_report
from detector.report.html_scan import page_filenames
from detector.report.segments import group_letter, occurrence_label
from tests.conftest import CORPUS, CliRun, findings, scan_json


def article(doc_id: str) -> str:
    for line in (CORPUS / "sources" / "news.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["id"] == doc_id:
            return str(row["text"]).replace("\n", "")
    raise AssertionError(doc_id)


TEXT = article("news-003")


@pytest.fixture(scope="module")
def twice_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One source that publishes its article twice in a row, as cnews-0155/0650/0689/0881 do."""
    folder = tmp_path_factory.mktemp("twice")
    row = {"id": "twice", "title": "重复的文章", "text": TEXT + TEXT}
    other = {"id": "other", "title": "另一篇", "text": article("news-010")}
    lines = [json.dumps(r, ensure_ascii=False) for r in (row, other)]
    (folder / "src.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    index = folder / "twice.idx"
    result = CliRunner().invoke(main, ["index", str(folder / "src.jsonl"), "--index", str(index)])
    assert result.exit_code == 0, result.output
    return index


def page(path: Path, *paragraphs: str) -> Path:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    path.write_text(
        '<html><head><meta charset="utf-8"><title>新闻</title></head><body>'
        f'<div class="article">{body}</div></body></html>',
        encoding="utf-8",
    )
    return path


def sentences_of(text: str) -> list[str]:
    return [s for s in re.findall(r"[^。！？]*[。！？]?", text) if s]


def one(data: dict[str, Any], uri_end: str) -> dict[str, Any]:
    (p,) = [p for p in data["pages"] if p["uri"].endswith(uri_end)]
    return p


def test_a_page_copying_a_source_that_holds_its_text_twice_covers_all_of_it(
    cli: CliRun, twice_index: Path, tmp_path: Path
) -> None:
    paras = sentences_of(TEXT + TEXT)
    whole = page(tmp_path / "whole.html", *["".join(paras[i : i + 2]) for i in range(0, len(paras), 2)])
    once = page(tmp_path / "once.html", TEXT)
    for path in (whole, once):
        data = scan_json(cli, str(path), "--index", str(twice_index))
        (repost,) = findings(data["pages"][0], "repost", "off-topic-repost")
        assert repost["source"]["id"] == "twice"
        assert repost["source_coverage"] >= 0.95, path.name


def test_a_block_repeated_right_after_itself_is_one_finding_with_two_occurrences(
    cli: CliRun, tmp_path: Path
) -> None:
    # the seam falls inside a sentence: the copy starts again before the first one ended
    path = page(tmp_path / "seam.html", TEXT[:-1] + TEXT)
    data = scan_json(cli, str(path))
    (dup,) = findings(data["pages"][0], "duplicate-passage")
    assert len(dup["occurrences"]) == 2
    (_, b), (c, d) = dup["occurrences"]
    assert b <= c and d - c >= 0.9 * len(TEXT)


def test_a_repeated_block_shared_with_another_page_keeps_one_occurrence_per_place(
    cli: CliRun, tmp_path: Path
) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    paras = sentences_of(TEXT)
    page(folder / "twice.html", *paras, *paras)
    page(folder / "once.html", *paras)
    data = scan_json(cli, str(folder))
    dups = findings(one(data, "twice.html"), "duplicate-passage")
    assert len(dups) == 1
    occ = dups[0]["occurrences"]
    assert len(occ) == 2, occ
    assert all(x[1] <= y[0] for x, y in itertools.pairwise(occ))  # none nested


def test_the_page_view_numbers_each_repeat_group_apart(tmp_path: Path) -> None:
    one_s, two_s = "第一句重复的话在这里出现了两次而且很长。", "第二句重复的话也在这里出现了两次同样很长。"
    text = one_s + two_s + one_s + two_s
    n1, n2 = len(one_s), len(two_s)
    p1 = [[0, n1], [n1 + n2, 2 * n1 + n2]]
    p2 = [[n1, n1 + n2], [2 * n1 + n2, len(text)], [n1, n1 + 5]]  # a nested place counts once
    scan = {
        "schema": "detector.scan/1",
        "tool": {"name": "detector", "version": "0"},
        "settings": {},
        "index": None,
        "sources": {},
        "pages": [
            {
                "uri": "a.html", "url": None, "site": "s", "site_name": None, "title": None,
                "encoding": None, "text": text, "blocks": [{"kind": "main", "start": 0, "end": len(text)}],
                "findings": [
                    {"kind": "duplicate-passage", "severity": "medium", "score": 0.5, "message": "m",
                     "fingerprint": f"f{i}", "occurrences": occ, "also_in": []}
                    for i, occ in enumerate((p1, p2))
                ],
            }
        ],
        "summary": {"pages": 1, "errors": 0, "findings": {"duplicate-passage": 2},
                    "severities": {"medium": 2}},
    }  # fmt: skip
    write_html_report(scan, tmp_path)
    html = (tmp_path / "pages" / page_filenames(["a.html"])[0]).read_text(encoding="utf-8")
    assert re.findall(r'data-n="([^"]+)"', html) == ["A1", "B1", "A2", "B2"]


def test_occurrence_labels_and_merged_places() -> None:
    assert occurrence_label(0, 1, 3) == "3"
    assert [occurrence_label(g, 2, 1) for g in (0, 1)] == ["A1", "B1"]
    assert group_letter(25) == "Z" and group_letter(26) == "AA"
    assert merge_spans([(10, 157), (10, 1913), (159, 331), (1915, 3797)]) == [(10, 1913), (1915, 3797)]
