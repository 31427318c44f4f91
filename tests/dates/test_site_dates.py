"""Duplicates across a site's pages: each ``also_in`` page carries its ``published``, and the
earliest is named as the likely original."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import CliRun, scan_json
from tests.dates.test_source_dates import article, page_html, write_jsonl

SHARED = article(100).split("\n")[0]


def site_page(i: int, date_line: str | None) -> str:
    own = article(200 + i).split("\n")[0]
    return page_html(own + "\n" + SHARED, date_line)


def duplicates(page: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in page["findings"] if f["kind"] == "duplicate-passage"]


def scan_site(cli: CliRun, tmp_path: Path, dates: list[str | None]) -> list[dict[str, Any]]:
    pages = [
        {"id": f"p{i}", "url": f"https://a.example/news/{i}.html", "html": site_page(i, d)}
        for i, d in enumerate(dates)
    ]
    data = scan_json(cli, str(write_jsonl(tmp_path / "site.jsonl", pages)))
    out: list[dict[str, Any]] = data["pages"]
    return out


def test_the_earliest_page_of_a_shared_passage_is_named_as_the_likely_original(
    cli: CliRun, tmp_path: Path
) -> None:
    first, second, third = scan_site(cli, tmp_path, ["发布时间：2019-05-02", "发布时间：2019-03-01", None])
    (dup,) = duplicates(first)
    assert {a["uri"]: a["published"] for a in dup["also_in"]} == {
        second["uri"]: "2019-03-01",
        third["uri"]: None,
    }
    assert f"the earliest is {second['uri']} (published 2019-03-01), likely the original" in dup["message"]
    (mine,) = duplicates(second)
    assert "this page was published first (2019-03-01), likely the original" in mine["message"]


def test_no_original_is_named_when_dates_are_missing_or_tied(cli: CliRun, tmp_path: Path) -> None:
    for dates in (
        ["发布时间：2019-05-02", None, None],
        ["发布时间：2019-05-02", "发布时间：2019-05-02", None],
    ):
        for page in scan_site(cli, tmp_path, dates):
            for f in duplicates(page):
                assert "original" not in f["message"]
