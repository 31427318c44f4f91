"""Source dates in the index (JSONL ``published``, else read from the source page), old indexes
without them, and ``first_published`` on repost findings (CONTRACT.md)."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from detector.analysis.reuse import first_published
from tests.conftest import CliRun, scan_json

ALPHABET = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你能而子那得自下"
    "经济发展企业市场产品技术公司管理服务行业政策投资合作创新质量生产销售客户平台数据网络"
)


def article(i: int) -> str:
    """A distinct Chinese news-like text of about 400 characters (no 5-character run shared)."""
    rng = random.Random(i)
    sentences = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(25, 40))) + "。" for _ in range(12)]
    return "".join(sentences[:6]) + "\n" + "".join(sentences[6:])


def page_html(text: str, date_line: str | None) -> str:
    paras = "".join(f"<p>{p}</p>" for p in text.split("\n"))
    line = f"<div class='info'>{date_line}</div>" if date_line else ""
    return (
        "<html><head><title>公司新闻 - 鑫恒兴</title></head><body><div class='article'><h1>公司新闻</h1>"
        f"{line}{paras}</div></body></html>"
    )


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def index(cli: CliRun, tmp_path: Path) -> Path:
    sources = write_jsonl(
        tmp_path / "sources.jsonl",
        [
            {"id": "dated", "title": "有日期", "text": article(1), "published": "2017-09-10"},
            {"id": "undated", "title": "无日期", "text": article(2)},
            {"id": "unix", "title": "时间戳", "text": article(4), "published": 1505001600},
        ],
    )
    html_source = tmp_path / "portal" / "story.html"
    html_source.parent.mkdir()
    html_source.write_text(
        page_html(article(3), None).replace(
            "</head>", '<meta property="article:published_time" content="2016-05-01T08:00:00+08:00"></head>'
        ),
        encoding="utf-8",
    )
    idx = tmp_path / "dates.idx"
    result = cli("index", str(sources), str(html_source), "--index", str(idx))
    assert result.exit_code == 0, result.output
    return idx


def scan_pages(
    cli: CliRun, tmp_path: Path, idx: Path | str, pages: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    path = write_jsonl(tmp_path / "pages.jsonl", pages)
    data = scan_json(cli, str(path), "--index", str(idx))
    out: list[dict[str, Any]] = data["pages"]
    for page in out:
        for f in page["findings"]:
            if f["kind"] in ("repost", "off-topic-repost"):
                assert data["sources"][f["source"]["id"]]["published"] == f["source"]["published"]
    return out


def repost(page: dict[str, Any]) -> dict[str, Any]:
    found = [f for f in page["findings"] if f["kind"] in ("repost", "off-topic-repost")]
    assert len(found) == 1, page["findings"]
    return found[0]


def test_a_page_published_after_its_source_names_the_source_first(
    cli: CliRun, tmp_path: Path, index: Path
) -> None:
    (page,) = scan_pages(
        cli, tmp_path, index, [{"id": "p", "html": page_html(article(1), "发布时间：2017-09-12 13:32")}]
    )
    assert (page["published"], page["published_from"]) == ("2017-09-12T13:32:00", "text")
    f = repost(page)
    assert f["source"]["published"] == "2017-09-10"
    assert f["first_published"] == "source"
    assert "published 2 days after the source" in f["message"]


def test_a_page_published_months_before_its_source_says_the_source_may_have_copied_it(
    cli: CliRun, tmp_path: Path, index: Path
) -> None:
    (page,) = scan_pages(
        cli, tmp_path, index, [{"id": "p", "html": page_html(article(1), "日期:2017年6月8日")}]
    )
    f = repost(page)
    assert f["first_published"] == "page"
    assert "published 3 months before the source: the source may have copied this page" in f["message"]


def test_the_same_day_or_an_unknown_date_decides_nothing(cli: CliRun, tmp_path: Path, index: Path) -> None:
    same, undated_page, undated_source = scan_pages(
        cli,
        tmp_path,
        index,
        [
            {"id": "same", "html": page_html(article(1), "发布时间：2017-09-10 23:59")},
            {"id": "nodate", "html": page_html(article(1), None)},
            {"id": "nosource", "html": page_html(article(2), "发布时间：2017-09-10")},
        ],
    )
    assert repost(same)["first_published"] is None
    assert "the same day as the source" in repost(same)["message"]
    assert undated_page["published"] is None
    assert repost(undated_page)["first_published"] is None
    assert "published" not in repost(undated_page)["message"].split("main text")[-1]
    assert repost(undated_source)["source"]["published"] is None
    assert repost(undated_source)["first_published"] is None


def test_a_source_without_a_published_field_is_dated_from_its_page(
    cli: CliRun, tmp_path: Path, index: Path
) -> None:
    (page,) = scan_pages(cli, tmp_path, index, [{"id": "p", "html": page_html(article(3), "2017/9/12")}])
    f = repost(page)
    assert f["source"]["published"] == "2016-05-01T08:00:00+08:00"
    assert f["first_published"] == "source"
    assert "published 17 months after the source" in f["message"]


def test_a_unix_time_published_field_is_a_date(cli: CliRun, tmp_path: Path, index: Path) -> None:
    (page,) = scan_pages(cli, tmp_path, index, [{"id": "p", "html": page_html(article(4), None)}])
    assert repost(page)["source"]["published"] == "2017-09-10"


def test_a_page_line_s_published_field_wins_and_says_so(cli: CliRun, tmp_path: Path, index: Path) -> None:
    (page,) = scan_pages(
        cli,
        tmp_path,
        index,
        [{"id": "p", "html": page_html(article(1), "2017/9/12"), "published": "2017-08-01"}],
    )
    assert (page["published"], page["published_from"]) == ("2017-08-01", "index")
    assert repost(page)["first_published"] == "page"


def test_a_crafted_published_value_is_a_one_line_error(cli: CliRun, tmp_path: Path, index: Path) -> None:
    conn = sqlite3.connect(index)
    with conn:
        conn.execute("UPDATE documents SET published = 'yesterday; DROP TABLE x' WHERE id = 'dated'")
    conn.close()
    path = write_jsonl(tmp_path / "pages.jsonl", [{"id": "p", "html": page_html(article(1), None)}])
    result = cli("scan", str(path), "--index", str(index), "--json", "-")
    assert result.exit_code == 2
    assert "corrupt" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("page", "source", "first", "words"),
    [
        ("2017-09-12", "2017-09-10", "source", "; published 2 days after the source"),
        ("2017-09-11T01:00:00+08:00", "2017-09-10", "source", "; published 1 day after the source"),
        ("2017-10-01", "2017-09-10", "source", "; published 3 weeks after the source"),
        ("2017-06-08", "2017-09-10", "page", "; published 3 months before the source: the source may"),
        ("2015-09-10", "2017-09-10", "page", "; published 2 years before the source"),
        ("2017-09-10T08:00:00", "2017-09-10T23:00:00", None, "; published the same day as the source"),
        (None, "2017-09-10", None, ""),
        ("2017-09-10", None, None, ""),
    ],
)
def test_first_published_and_its_words(
    page: str | None, source: str | None, first: str | None, words: str
) -> None:
    got, clause = first_published(page, source)
    assert got == first
    assert clause.startswith(words) and (words or not clause)
