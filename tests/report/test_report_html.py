"""The HTML report without a browser: structure, text fidelity, escaping, file names, robustness."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest

from detector.report.html import write_html_report
from detector.report.html_scan import page_filenames

from .conftest import validate
from .dom import Node, parse
from .scan_fixtures import (
    DUP_SENTENCE,
    EN_URI,
    ERROR_URI,
    HOSTILE_STRINGS,
    HOSTILE_URI,
    SEED_URI,
    bare_page,
    fresh,
    minimal_scan,
)

BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
SAFE_NAME = re.compile(r"^[a-z0-9-]{1,48}-[0-9a-f]{12}\.html$")


def bench_module() -> Any:
    """bench/report_load.py, loaded by path (bench/ is not a package)."""
    path = Path(__file__).resolve().parents[2] / "bench" / "report_load.py"
    spec = importlib.util.spec_from_file_location("report_load", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def report_of(index: Path, uri: str) -> Path:
    name = page_filenames([uri])[0]
    return index.parent / "pages" / name


def page_text(doc: Node) -> str:
    """The text shown in the page-text box, without the boilerplate toggles' labels."""
    return doc.by_id("text").text(skip=lambda n: n.tag == "summary")


def island(doc: Node) -> Any:
    return json.loads(doc.by_id("data").text())


def test_fixture_scan_is_valid_against_the_contract_schema(demo: dict[str, Any]) -> None:
    validate(demo)  # and the fixtures hold what the tests below rely on
    kinds = {f["kind"] for p in demo["pages"] for f in p["findings"]}
    assert kinds == {"repost", "off-topic-repost", "off-topic", "duplicate-passage", "duplicate-page"}


def test_index_and_one_report_per_page_are_written(demo: dict[str, Any], demo_report: Path) -> None:
    assert demo_report.name == "index.html"
    reports = sorted((demo_report.parent / "pages").iterdir())
    assert len(reports) == len(demo["pages"])
    assert all(SAFE_NAME.match(p.name) for p in reports)
    rows = island(parse(demo_report))["rows"]
    assert [r["u"] for r in rows] == [p["uri"] for p in demo["pages"]]
    for row in rows:
        assert (demo_report.parent / row["h"]).is_file()


def test_every_character_of_the_page_text_appears_once_in_order(
    demo: dict[str, Any], demo_report: Path
) -> None:
    for page in demo["pages"]:
        if page.get("error") or page["uri"] == HOSTILE_URI:
            continue
        doc = parse(report_of(demo_report, page["uri"]))
        assert page_text(doc) == page["text"], page["uri"]


def test_seed_report_marks_copied_passages_and_numbers_the_three_occurrences(
    demo: dict[str, Any], demo_report: Path
) -> None:
    doc = parse(report_of(demo_report, SEED_URI))
    marks = doc.by_id("text").all("mark")
    copied = [m for m in marks if "c" in m.classes]
    assert len(copied) > 8 and all("s0" in m.classes for m in copied)
    numbered = [m for m in marks if m.get("data-n")]
    assert [m.get("data-n") for m in numbered] == ["1", "2", "3"]
    assert all(m.text().startswith(DUP_SENTENCE) for m in numbered)
    assert all({"c", "r"} <= set(m.classes) for m in numbered)  # repeated and copied at once
    # title block emphasised, boilerplate collapsible, the off-topic evidence shown
    assert doc.by_id("text").one("div", "title").text().startswith("为何着眼中小型B2B服务?")
    assert len(doc.by_id("text").all("details", "bp")) == 3  # header, date line, footer
    verdict = doc.one("section", "off").text()
    for expected in ("0.04", "0.12", "机床附件", "阿里巴巴", "互联网/电子商务"):
        assert expected in verdict
    # shared passages link to the other page's report
    links = {a.get("href") for a in doc.by_id("findings").all("a")}
    assert page_filenames(["mirror/www.qyxhx.com/news/2017/0915-b2b-copy.html"])[0] in links
    # the side-by-side data: each copied passage with the source text around it
    stops = island(doc)["stops"]
    passages = [s for s in stops if s["t"] == "p"]
    assert passages and all(s["match"] and "before" in s and "after" in s for s in passages)
    assert [s["start"] for s in stops] == sorted(s["start"] for s in stops)
    assert "j" in doc.one("section", "keys").text()


def test_english_page_shows_unknown_topic_with_its_reason(demo_report: Path) -> None:
    doc = parse(report_of(demo_report, EN_URI))
    verdict = doc.one("section", "unknown").text()
    assert "Topic unknown" in verdict and "profile needs 500" in verdict
    href = doc.one("header").one("a", pred=lambda a: a.get("rel") is not None)
    assert (
        href.get("href").startswith("https://example.org/")
        and href.get("rel") == "noopener noreferrer nofollow"
    )


def test_error_page_shows_its_error_and_no_text(demo_report: Path) -> None:
    doc = parse(report_of(demo_report, ERROR_URI))
    assert "cannot decode the bytes" in doc.by_id("error").text()
    assert not doc.all(pred=lambda n: n.get("id") == "text")


def test_index_shows_totals_sites_and_sources(demo: dict[str, Any], demo_report: Path) -> None:
    doc = parse(demo_report)
    totals = [c.text() for c in doc.one("section", "totals").all("b")]
    found = sum(len(p["findings"]) for p in demo["pages"])
    assert totals == ["6", "1", str(found), "3", "—"]  # findings decided: counted by the script
    sites = [d.one("span", "name").one("bdi").text() for d in doc.one("section", "sites").all("details")]
    assert sites == ["www.qyxhx.com", "example.org"]  # most duplicated first
    assert "2 duplicate pages" in doc.one("section", "sites").text()
    assert "阿里巴巴B2B十八年" in doc.one("table", "sources").text()
    assert "shingle_size" in doc.one("footer").text()


def _inline_script_hash(doc: Node) -> str:
    code = doc.one("script", pred=lambda s: not s.get("type")).text()
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"


@pytest.mark.parametrize("which", ["index", "page"])
def test_strict_csp_allows_only_the_inline_script_by_hash(demo_report: Path, which: str) -> None:
    path = demo_report if which == "index" else report_of(demo_report, SEED_URI)
    doc = parse(path)
    csp = (
        doc.one("meta", pred=lambda m: m.get("http-equiv") == "Content-Security-Policy").get("content") or ""
    )
    assert csp.startswith("default-src 'none'; ")
    assert f"script-src {_inline_script_hash(doc)};" in csp
    assert "img-src data:" in csp and "style-src 'unsafe-inline'" in csp
    # nothing that could load: no external resources, no base, no forms
    loaders = {
        "link",
        "img",
        "iframe",
        "object",
        "embed",
        "base",
        "form",
        "video",
        "audio",
        "source",
        "frame",
    }
    assert not doc.all(pred=lambda n: n.tag in loaders or n.get("src") is not None)


def _hostile_checks(doc: Node, path: Path) -> None:
    assert [s.get("type") for s in doc.all("script")] == ["application/json", None], path
    assert len(doc.all("style")) == 1
    forbidden = {"img", "iframe", "svg", "textarea", "link", "object", "embed", "base", "title"}
    assert [n.tag for n in doc.all(pred=lambda n: n.tag in forbidden)] == ["title"]
    for element in doc.iter():
        for name, value in element.attrs.items():
            assert not name.startswith("on"), (element.tag, name)
            if name == "href":
                assert value.startswith(("https://", "http://", "../index.html")) or SAFE_NAME.match(value), (
                    value
                )
        # bidi controls only alone inside their isolating, named <bdi>
        for child in element.children:
            if isinstance(child, str) and BIDI.search(child) and element.tag != "script":
                assert element.tag == "bdi" and element.children == [child] and len(child) == 1, element.tag
                assert element.get("class") == "bidi" and element.get("data-c")
    data = doc.by_id("data").text()
    assert "<" not in data and ">" not in data and "&" not in data
    json.loads(data)


def test_hostile_page_shows_as_text_in_every_field(demo_report: Path) -> None:
    path = report_of(demo_report, HOSTILE_URI)
    doc = parse(path)
    _hostile_checks(doc, path)
    h = HOSTILE_STRINGS
    body = doc.one("body").text()
    for key, value in h.items():  # title, uri, url, site, site_name, source title and url, message, terms ...
        if key != "error":
            assert value in body, key  # bidi controls stay, each alone in its <bdi>
    title = doc.one("title").text()
    assert "<script>" in title and "\u27e6RLO\u27e7" in title and "\u202e" not in title
    # a javascript: url is text, never a link
    assert not [a for a in doc.all("a") if "javascript" in (a.get("href") or "")]
    # the hostile page's own text, control characters drawn, still in order
    text_box = page_text(doc)
    assert "</textarea></script><!-- <script>" in text_box and "\u2407bell" in text_box


def test_hostile_error_message_stays_text(tmp_path: Path) -> None:
    index = write_html_report(minimal_scan([bare_page("e.html", error=HOSTILE_STRINGS["error"])]), tmp_path)
    doc = parse(report_of(index, "e.html"))
    _hostile_checks(doc, index)
    assert doc.by_id("error").text().endswith(HOSTILE_STRINGS["error"])


def test_browser_tests_fail_instead_of_skipping_when_the_system_is_required(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from .conftest import _missing

    monkeypatch.setenv("DETECTOR_REQUIRE_SYSTEM", "1")
    with pytest.raises(pytest.fail.Exception, match="DETECTOR_REQUIRE_SYSTEM"):
        _missing("no chromium")
    monkeypatch.delenv("DETECTOR_REQUIRE_SYSTEM")
    with pytest.raises(pytest.skip.Exception):
        _missing("no chromium")


def test_hostile_strings_in_the_index_stay_text(demo_report: Path) -> None:
    doc = parse(demo_report)
    _hostile_checks(doc, demo_report)
    rows = island(doc)["rows"]
    hostile = next(r for r in rows if r["u"] == HOSTILE_URI)
    assert hostile["t"] == HOSTILE_STRINGS["title"] and hostile["s"] == HOSTILE_STRINGS["site"]
    options = [o.get("value") for o in doc.by_id("f-site").all("option")]
    assert HOSTILE_STRINGS["site"] in options


@pytest.mark.parametrize(
    "uri",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "C:\\Windows\\system32\\con",
        "a\x00b",
        "..",
        ".",
        "",
        "页面/新闻.html",
        "x" * 5000,
        "a/" * 300 + "index.html",
        "CON",
        "https://example.com/a?b=c#d",
    ],
)
def test_page_file_names_cannot_escape_and_are_short_and_stable(uri: str) -> None:
    (name,) = page_filenames([uri])
    assert SAFE_NAME.match(name), name
    assert len(name) <= 66 and "/" not in name and "\\" not in name and ".." not in name
    assert page_filenames([uri]) == [name]


def test_repeated_uris_get_distinct_names() -> None:
    names = page_filenames(["a.html", "a.html", "a.html", "b.html"])
    assert len(set(names)) == 4 and names[0] == page_filenames(["a.html"])[0]


def test_hostile_uris_write_only_inside_the_output_folder(tmp_path: Path) -> None:
    uris = [
        "../../escape.html",
        "/tmp/abs.html",
        "a\x00b",
        "..",
        "x" * 10000,
        "sub/../../up.html",
        "dup",
        "dup",
    ]
    scan = minimal_scan([bare_page(u, "text") for u in uris])
    out = tmp_path / "out"
    index = write_html_report(scan, out)
    assert index == out / "index.html"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    written = [p for p in out.rglob("*") if p.is_file()]
    assert len(written) == len(uris) + 1
    assert all(p.resolve().is_relative_to(out.resolve()) for p in written)


def test_rendering_is_deterministic(demo: dict[str, Any], tmp_path: Path) -> None:
    a = write_html_report(demo, tmp_path / "a").parent
    b = write_html_report(fresh(demo), tmp_path / "b").parent
    files = sorted(p.relative_to(a) for p in a.rglob("*.html"))
    assert files == sorted(p.relative_to(b) for p in b.rglob("*.html"))
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes()


def test_minimal_and_empty_scans_render(tmp_path: Path) -> None:
    write_html_report(minimal_scan(), tmp_path / "empty")
    doc = parse(tmp_path / "empty" / "index.html")
    assert island(doc)["rows"] == []
    index = write_html_report({"pages": [{"uri": "only-a-uri"}]}, tmp_path / "bare")
    assert len(list((index.parent / "pages").iterdir())) == 1


def test_malformed_optional_fields_do_not_break_the_report(tmp_path: Path) -> None:
    text = "标题\n正文第一段。\ud800 surrogate\n"
    page = bare_page(
        "odd.html",
        text,
        blocks=[
            {"start": 3, "end": 2, "kind": "main"},
            {"start": -4, "end": 3, "kind": "title"},
            {"kind": "x"},
        ],
        topic={"similarity": "high", "site_terms": "not a list"},
        content={"unique": None, "shared": "x"},
        findings=[
            {
                "kind": "repost",
                "severity": "catastrophic",
                "source": None,
                "passages": [{"page": [1, 999]}, {}],
            },
            {"kind": "repost", "source": {"id": "missing"}, "passages": [{"page": [0, 2], "source": [5, 1]}]},
            {"kind": "duplicate-passage", "occurrences": [[0, 1], "x", [9, 2], [0, 1]], "also_in": [{}]},
            {"kind": "duplicate-page", "other": "nope"},
            {"kind": "off-topic", "topic": None},
            {"kind": "future-kind", "score": "1"},
            "not a finding",
        ],
    )
    scan = {
        "pages": [page, None, {"uri": None}],
        "sources": [],
        "summary": {"sites": {"s": "x"}},
        "settings": None,
    }
    index = write_html_report(scan, tmp_path)
    doc = parse(report_of(index, "odd.html"))
    assert page_text(doc) == text.replace("\ud800", "\ufffd")
    assert "future-kind" in doc.by_id("findings").text()
    rows = island(parse(index))["rows"]
    assert len(rows) == 2


def test_one_megabyte_page_with_hundreds_of_findings_renders(tmp_path: Path) -> None:
    scan = bench_module().big_scan(chars=1_000_000, findings=300, pages=50)
    validate(scan)
    index = write_html_report(scan, tmp_path)
    big = report_of(index, scan["pages"][0]["uri"])
    assert page_text(parse(big)) == scan["pages"][0]["text"]
