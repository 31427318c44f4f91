"""End to end through the CLI on the demo corpus: the worked example of DESIGN.md."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

from tests.conftest import (
    CORPUS,
    ORIGINAL_SOURCE_ID,
    REPEATED_SENTENCE,
    SECOND_PORTAL_ID,
    SEED_PAGE,
    CliRun,
    findings,
    page_of,
    scan_json,
)

REPOST_KINDS = ("repost", "off-topic-repost")


def check_seed_page(page: dict[str, Any]) -> None:
    reposts = findings(page, *REPOST_KINDS)
    assert len(reposts) == 1, [f["source"]["id"] for f in reposts]
    repost = reposts[0]
    assert repost["source"]["id"] == ORIGINAL_SOURCE_ID
    assert repost["coverage"] >= 0.95
    assert repost["severity"] == "high"
    assert [s["id"] for s in repost["also_in"]] == [SECOND_PORTAL_ID]
    text = page["text"]
    for p in repost["passages"]:
        s, e = p["page"]
        assert 0 <= s < e <= len(text)
    dups = findings(page, "duplicate-passage")
    assert len(dups) == 1
    occurrences = dups[0]["occurrences"]
    assert len(occurrences) == 3
    for s, e in occurrences:
        assert text[s:e].startswith(REPEATED_SENTENCE)
    assert text[occurrences[0][0] : occurrences[0][1]].endswith("称作MM。")


def block_texts(page: dict[str, Any], kind: str) -> list[str]:
    return [page["text"][b["start"] : b["end"]].strip() for b in page["blocks"] if b["kind"] == kind]


def test_seed_page_reposts_the_original_with_the_second_portal_in_also_in(
    cli: CliRun, demo_index: Path
) -> None:
    data = scan_json(cli, str(SEED_PAGE.relative_to(CORPUS.parent)), "--index", str(demo_index))
    page = data["pages"][0]
    check_seed_page(page)
    assert ORIGINAL_SOURCE_ID in data["sources"]
    assert data["sources"][ORIGINAL_SOURCE_ID]["text"]


def test_seed_page_navigation_copyright_and_site_map_are_boilerplate(cli: CliRun, demo_index: Path) -> None:
    page = scan_json(cli, str(SEED_PAGE), "--index", str(demo_index))["pages"][0]
    boiler = block_texts(page, "boilerplate")
    assert "公司简介 | 公司新闻 | 行业新闻 | 产品介绍 | 产品展示 |" in boiler
    assert "Copyright 2015-2016 山东庆云鑫恒兴机床附件制造厂 版权所有" in boiler
    assert "网站地图 |" in boiler
    assert "发布时间:2017-09-12 13:32" in boiler
    assert block_texts(page, "title") == ["为何着眼中小型B2B服务?"]
    main_text = "".join(block_texts(page, "main"))
    assert "版权所有" not in main_text and "公司简介 |" not in main_text


def test_the_sites_own_pages_have_no_repost(cli: CliRun, demo_index: Path) -> None:
    data = scan_json(cli, "corpus/pages", "--index", str(demo_index))
    for name in (
        "xinhengxing/about.html",
        "xinhengxing/products.html",
        "xinhengxing/news-tradefair.html",
        "lvyuan-property/about.html",
        "lvyuan-property/projects.html",
        "english-blog/about.html",
    ):
        assert findings(page_of(data, name), *REPOST_KINDS) == [], name
    check_seed_page(page_of(data, "xinhengxing/news-alibaba-b2b.html"))
    assert data["summary"]["pages"] == 10 and data["summary"]["errors"] == 0


def test_on_topic_and_english_reposts_are_found(cli: CliRun, demo_index: Path) -> None:
    data = scan_json(cli, "corpus/pages", "--index", str(demo_index))
    market = findings(page_of(data, "lvyuan-property/news-market.html"), *REPOST_KINDS)
    assert [f["source"]["id"] for f in market] == ["news-014"]
    english = findings(page_of(data, "english-blog/index-post.html"), *REPOST_KINDS)
    assert [f["source"]["id"] for f in english] == ["en-002"]
    assert english[0]["coverage"] >= 0.8
    notes = findings(page_of(data, "english-blog/notes.md"), "duplicate-passage")
    assert len(notes) == 1 and len(notes[0]["occurrences"]) == 2


def test_gbk_page_without_charset_gives_the_same_findings(
    cli: CliRun, demo_index: Path, tmp_path: Path
) -> None:
    html = SEED_PAGE.read_text(encoding="utf-8").replace('<meta charset="utf-8">', "")
    assert "charset" not in html
    site = tmp_path / "xinhengxing"
    site.mkdir()
    (site / "news.html").write_bytes(html.encode("gbk"))
    page = scan_json(cli, str(site), "--index", str(demo_index))["pages"][0]
    assert page["encoding"] == "gb18030"
    check_seed_page(page)


def test_shuffled_paragraphs_give_the_same_findings(cli: CliRun, demo_index: Path, tmp_path: Path) -> None:
    html = SEED_PAGE.read_text(encoding="utf-8")
    paras = re.findall(r"<p>.*?</p>", html, flags=re.S)
    assert len(paras) > 30
    shuffled = paras[:]
    random.Random(5).shuffle(shuffled)
    first, last = html.index(paras[0]), html.index(paras[-1]) + len(paras[-1])
    (tmp_path / "shuffled.html").write_text(
        html[:first] + "\n".join(shuffled) + html[last:], encoding="utf-8"
    )
    page = scan_json(cli, str(tmp_path / "shuffled.html"), "--index", str(demo_index))["pages"][0]
    check_seed_page_unordered(page)


def check_seed_page_unordered(page: dict[str, Any]) -> None:
    reposts = findings(page, *REPOST_KINDS)
    assert [f["source"]["id"] for f in reposts] == [ORIGINAL_SOURCE_ID]
    assert reposts[0]["coverage"] >= 0.95
    dups = findings(page, "duplicate-passage")
    assert len(dups) == 1 and len(dups[0]["occurrences"]) == 3


def test_the_seed_text_file_is_handled_line_by_line(cli: CliRun, demo_index: Path, tmp_path: Path) -> None:
    seed = CORPUS.parent.parent / "shared" / "seeds" / "seed-page.txt"
    text = seed.read_text(encoding="utf-8") if seed.exists() else None
    if text is None:  # the seed ships with the shared folder; the HTML test covers the rest
        return
    (tmp_path / "seed-page.txt").write_text(text, encoding="utf-8")
    page = scan_json(cli, str(tmp_path / "seed-page.txt"), "--index", str(demo_index))["pages"][0]
    check_seed_page_unordered(page)
    boiler = block_texts(page, "boilerplate")
    assert "Copyright 2015-2016 山东庆云鑫恒兴机床附件制造厂 版权所有" in boiler
    assert "网站地图 |" in boiler


def test_same_inputs_give_byte_identical_json(cli: CliRun, demo_index: Path) -> None:
    first = cli("scan", "corpus/pages", "--index", str(demo_index), "--json", "-").stdout
    second = cli("scan", "corpus/pages", "--index", str(demo_index), "--json", "-").stdout
    assert first == second
    assert '"schema": "detector.scan/1"' in first


def test_the_seed_page_is_an_off_topic_repost_and_the_sites_own_pages_are_on_topic(
    cli: CliRun, demo_index: Path
) -> None:
    data = scan_json(cli, "corpus/pages", "--index", str(demo_index))
    seed = page_of(data, "xinhengxing/news-alibaba-b2b.html")
    (finding,) = findings(seed, "off-topic-repost")
    assert finding["source"]["id"] == ORIGINAL_SOURCE_ID
    assert finding["severity"] == "high"
    topic = finding["topic"]
    assert topic["similarity"] < topic["threshold"] and topic["site_terms"] and topic["page_terms"]
    assert findings(seed, "repost") == []  # the off-topic repost replaces the repost finding
    for name in ("xinhengxing/about.html", "xinhengxing/products.html", "xinhengxing/news-tradefair.html"):
        page = page_of(data, name)
        assert page["topic"]["verdict"] == "on-topic", name
        assert findings(page, "off-topic", "off-topic-repost") == []
    # On-topic reposts stay reposts: property news on a developer's site, a business article on
    # a machine shop's blog (English).
    assert [
        f["kind"] for f in findings(page_of(data, "lvyuan-property/news-market.html"), *REPOST_KINDS)
    ] == ["repost"]
    assert [f["kind"] for f in findings(page_of(data, "english-blog/index-post.html"), *REPOST_KINDS)] == [
        "repost"
    ]


def test_every_float_in_the_json_is_rounded_to_four_places(cli: CliRun, demo_index: Path) -> None:
    data = scan_json(cli, "corpus/pages", "--index", str(demo_index))

    def floats(value: Any) -> list[float]:
        if isinstance(value, float):
            return [value]
        if isinstance(value, dict):
            return [f for v in value.values() for f in floats(v)]
        if isinstance(value, list):
            return [f for v in value for f in floats(v)]
        return []

    found = floats(data)
    assert found and all(f == round(f, 4) for f in found)
