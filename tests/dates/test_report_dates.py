"""The HTML report shows both dates beside the side-by-side view of a repost."""

from __future__ import annotations

import html
from pathlib import Path

from tests.conftest import CliRun
from tests.dates.test_source_dates import article, page_html, write_jsonl


def test_the_page_report_shows_the_page_s_and_the_source_s_dates(cli: CliRun, tmp_path: Path) -> None:
    sources = write_jsonl(
        tmp_path / "sources.jsonl",
        [{"id": "src", "title": "来源文章", "text": article(1), "published": "2017-09-10"}],
    )
    idx = tmp_path / "d.idx"
    assert cli("index", str(sources), "--index", str(idx)).exit_code == 0
    pages = write_jsonl(
        tmp_path / "pages.jsonl", [{"id": "p", "html": page_html(article(1), "发布时间：2017-09-12 13:32")}]
    )
    out = tmp_path / "report"
    result = cli("scan", str(pages), "--index", str(idx), "--report", str(out))
    assert result.exit_code == 0, result.output
    (page_report,) = [p for p in out.rglob("*.html") if p.name != "index.html"]
    body = html.unescape(page_report.read_text(encoding="utf-8"))
    assert "published: this page 2017-09-12T13:32:00 · source 2017-09-10" in body
    assert "<h3>This page · published 2017-09-12T13:32:00</h3>" in body
    assert '"srcdate": "2017-09-10"' in body or '"srcdate":"2017-09-10"' in body
