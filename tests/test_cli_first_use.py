"""What a new user hit on real pages (issue 13, items 1 and 6-15): sites, exit codes, pipes, file
modes, the order of findings and the small print of the CLI."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from detector.analysis.numbers import compared
from detector.analysis.offtopic import apply_topic
from detector.ingest.inputs import host_folder, iter_file_pages
from detector.model import Document, Finding, Topic
from detector.report.order import ordered_findings
from tests.conftest import ROOT, SEED_PAGE, CliRun, eval_data, scan_json

PAGE = (
    "<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
    "<p>{body}</p></article></body></html>"
)
OWN_TEXT = (
    "本厂专业生产各类机床附件，产品远销海内外，质量可靠，价格合理，"
    "欢迎新老客户来电咨询订购，我们竭诚为您服务。"
)


def page(path: Path, title: str, body: str = OWN_TEXT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PAGE.format(title=title, body=body), encoding="utf-8")
    return path


def sites(data: dict[str, Any]) -> dict[str, str]:
    return {p["uri"].split("/", 1)[1] if "/" in p["uri"] else p["uri"]: p["site"] for p in data["pages"]}


@pytest.fixture
def crawl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A crawl laid out as wget writes it, plus a folder that is not a host and a page at the top."""
    page(tmp_path / "crawl" / "www.a.example" / "index.html", "A 首页")
    page(tmp_path / "crawl" / "www.a.example" / "news" / "1.html", "A 新闻")
    page(tmp_path / "crawl" / "B.Example" / "x.html", "B 页面")
    page(tmp_path / "crawl" / "notes" / "y.html", "笔记")
    page(tmp_path / "crawl" / "top.html", "顶层")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "crawl"


# ---- 1. sites -------------------------------------------------------------------------------


def test_host_named_first_level_folders_are_sites_of_their_own(cli: CliRun, crawl: Path) -> None:
    data = scan_json(cli, "crawl")
    assert sites(data) == {
        "www.a.example/index.html": "www.a.example",
        "www.a.example/news/1.html": "www.a.example",
        "B.Example/x.html": "b.example",
        "notes/y.html": "crawl",
        "top.html": "crawl",
    }


def test_site_per_folder_makes_every_first_level_subfolder_a_site(cli: CliRun, crawl: Path) -> None:
    data = scan_json(cli, "crawl", "--site-per-folder")
    assert sites(data) == {
        "www.a.example/index.html": "www.a.example",
        "www.a.example/news/1.html": "www.a.example",
        "B.Example/x.html": "b.example",
        "notes/y.html": "crawl/notes",
        "top.html": "crawl",
    }


def test_the_library_api_groups_sites_as_the_cli_does(crawl: Path) -> None:
    import detector

    result = detector.scan(["crawl"], site_per_folder=True)
    assert sorted({p.document.site for p in result.pages if p.document is not None}) == [
        "b.example",
        "crawl",
        "crawl/notes",
        "www.a.example",
    ]


def test_two_folders_named_are_two_sites_and_a_file_alone_is_its_folder(cli: CliRun, crawl: Path) -> None:
    data = scan_json(cli, "crawl/notes", "crawl/B.Example", "crawl/top.html")
    assert [p["site"] for p in data["pages"]] == ["crawl/notes", "crawl/B.Example", "crawl"]


def test_site_and_site_per_folder_together_are_a_usage_error(cli: CliRun, crawl: Path) -> None:
    r = cli("scan", "crawl", "--site", "x", "--site-per-folder")
    assert r.exit_code == 2 and "--site-per-folder" in r.stderr


@pytest.mark.parametrize(
    ("name", "host"),
    [
        ("www.a.example", "www.a.example"),
        ("News.Sina.com.CN", "news.sina.com.cn"),
        ("www.a.example:8080", "www.a.example:8080"),
        ("www.a.example+8080", "www.a.example+8080"),
        ("127.0.0.1", "127.0.0.1"),
        ("xn--fiqs8s.xn--fiqs8s", "xn--fiqs8s.xn--fiqs8s"),
        ("docs", None),
        ("v1.2", None),
        ("-bad.example", None),
        ("a..example", None),
        ("163", None),
        ("tests", None),
    ],
)
def test_a_folder_is_a_host_only_when_named_like_one(name: str, host: str | None) -> None:
    assert host_folder(name) == host


def test_gne_html_publishers_are_not_one_site_with_site_per_folder() -> None:
    root = eval_data() / "gne-html" / "tests"
    if not root.is_dir():
        pytest.skip(f"evaluation data not found at {root}")
    docs = [d for d in iter_file_pages([str(root)], site_per_folder=True) if isinstance(d, Document)]
    publishers_of: dict[str, set[str]] = {}
    for d in docs:
        publisher = Path(d.uri).relative_to(root).parts[0] if Path(d.uri).is_absolute() else d.uri
        publishers_of.setdefault(d.site, set()).add(str(publisher))
    assert len(docs) >= 50
    assert all(len(p) == 1 for p in publishers_of.values()), publishers_of
    assert len(publishers_of) >= 20


# ---- 6. nothing to check ----------------------------------------------------------------------


def test_check_of_an_empty_folder_fails_with_one_line(
    cli: CliRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "image.png").write_bytes(b"\x89PNG")
    monkeypatch.chdir(tmp_path)
    r = cli("check", "docs")
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1 and "docs" in r.stderr and "nothing to check" in r.stderr
    assert "passed" not in r.output


# `scan` of a folder without pages: tests/test_cli_scan_errors.py


# ---- 7. a failed first index run --------------------------------------------------------------


def test_a_failed_first_index_run_leaves_no_index(cli: CliRun, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    idx = tmp_path / "new.idx"
    r = cli("index", str(tmp_path / "empty.txt"), "--index", str(idx))
    assert r.exit_code == 2 and "empty.txt" in r.stderr and "not created" in r.stderr
    assert list(tmp_path.glob("new.idx*")) == []


def test_a_failed_run_on_an_existing_index_leaves_it_as_it_was(cli: CliRun, tmp_path: Path) -> None:
    idx = tmp_path / "old.idx"
    assert cli("index", str(ROOT / "corpus/sources/news.jsonl"), "--index", str(idx)).exit_code == 0
    before = cli("index", "--info", "--index", str(idx)).stdout
    (tmp_path / "empty.txt").write_bytes(b"")
    assert cli("index", str(tmp_path / "empty.txt"), "--index", str(idx)).exit_code == 2
    assert cli("index", "--info", "--index", str(idx)).stdout == before
    assert cli("index", "--check", "--index", str(idx)).exit_code == 0


# ---- 8. a closed pipe -------------------------------------------------------------------------


def run_into_closed_pipe(*args: str) -> subprocess.CompletedProcess[bytes]:
    """Run the CLI with stdout a pipe whose reader is already gone (as `| head -1` ends up)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        return subprocess.run(
            [sys.executable, "-m", "detector", *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=env,
        )
    finally:
        os.close(write_end)


@pytest.mark.parametrize("command", ["info", "scan"])
def test_output_to_a_closed_pipe_ends_quietly_with_exit_0(command: str, demo_index: Path) -> None:
    if command == "info":
        done = run_into_closed_pipe("index", "--info", "--index", str(demo_index))
    else:
        done = run_into_closed_pipe("scan", str(SEED_PAGE), "--index", str(demo_index))
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""


# ---- 9. severity first, then position ------------------------------------------------------------


@pytest.fixture
def repeat_then_copy(tmp_path: Path, demo_index: Path, cli: CliRun) -> Path:
    """A page whose own repeated sentence comes before the text it copies from a source."""
    seed = scan_json(cli, str(SEED_PAGE), "--index", str(demo_index))["pages"][0]
    copied = "\n".join(seed["text"][s:e] for s, e, kind in _blocks(seed) if kind == "main")
    path = tmp_path / "site" / "page.txt"
    path.parent.mkdir()
    own = [f"{OWN_TEXT}第{n}段的其他内容在这里写一些文字。" for n in range(3)]
    path.write_text("\n\n".join(["标题", *own, copied]), encoding="utf-8")
    return path


def _blocks(page: dict[str, Any]) -> Iterator[tuple[int, int, str]]:
    for b in page["blocks"]:
        yield b["start"], b["end"], b["kind"]


def test_findings_come_high_first_then_by_position(
    cli: CliRun, demo_index: Path, repeat_then_copy: Path
) -> None:
    data = scan_json(cli, str(repeat_then_copy), "--index", str(demo_index), "--site", "s")
    found = data["pages"][0]["findings"]
    assert [f["severity"] for f in found][:2] == ["high", "medium"]
    dup = next(f for f in found if f["kind"] == "duplicate-passage")
    assert dup["occurrences"][0][0] < found[0]["passages"][0]["page"][0]  # the medium one starts first
    ranks = ["info", "low", "medium", "high"]
    assert [ranks.index(f["severity"]) for f in found] == sorted(
        (ranks.index(f["severity"]) for f in found), reverse=True
    )
    text = cli("scan", str(repeat_then_copy), "--index", str(demo_index), "--site", "s").stdout
    assert text.index("high ") < text.index("medium duplicate-passage")


def test_the_page_view_lists_findings_high_first_whatever_the_json_order(
    cli: CliRun, demo_index: Path, repeat_then_copy: Path, tmp_path: Path
) -> None:
    data = scan_json(cli, str(repeat_then_copy), "--index", str(demo_index), "--site", "s")
    data["pages"][0]["findings"].reverse()  # as an older scan, or a hand-edited one, may hold them
    saved = tmp_path / "scan.json"
    saved.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert cli("report", str(saved), "-o", str(tmp_path / "r")).exit_code == 0
    (page_html,) = (tmp_path / "r" / "pages").glob("*.html")
    html = page_html.read_text(encoding="utf-8")
    shown = re.findall(r'<div class="finding[^"]*"[^>]*>\s*<div><span class="sev sev-(\w+)"', html)
    assert shown[:2] == ["high", "medium"], shown


def test_ordered_findings_sorts_by_severity_then_position_stably() -> None:
    raw: list[dict[str, Any]] = [
        {"severity": "medium", "occurrences": [[0, 5]], "n": 1},
        {"severity": "high", "passages": [{"page": [40, 90]}], "n": 2},
        {"severity": "high", "passages": [{"page": [10, 20]}], "n": 3},
        {"severity": "medium", "occurrences": [[0, 5]], "n": 4},
        {"severity": "bogus", "n": 5},
    ]
    assert [f["n"] for f in ordered_findings(raw)] == [3, 2, 1, 4, 5]


# ---- 10. the umask -------------------------------------------------------------------------------


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_every_file_is_written_with_the_users_umask(
    cli: CliRun, tmp_path: Path, umask: int, mode: int
) -> None:
    old = os.umask(umask)
    try:
        r = cli(
            "scan", str(SEED_PAGE), "--json", str(tmp_path / "scan.json"), "--report", str(tmp_path / "r")
        )
        assert r.exit_code == 0
    finally:
        os.umask(old)
    for path in (tmp_path / "scan.json", tmp_path / "r" / "index.html"):
        assert stat.S_IMODE(path.stat().st_mode) == mode, path


# ---- 11. numbers against thresholds ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "threshold", "shown"),
    [
        (0.0912, 0.0949, ("0.091", "0.095")),
        (0.0899, 0.09, ("0.0899", "0.0900")),
        (0.12, 0.3, ("0.12", "0.30")),
        (0.09, 0.09, ("0.09", "0.09")),
    ],
)
def test_compared_numbers_show_the_digits_that_order_them(
    value: float, threshold: float, shown: tuple[str, str]
) -> None:
    assert compared(value, threshold) == shown


def test_an_off_topic_message_never_reads_equal_numbers_as_less() -> None:
    topic = Topic(
        similarity=0.0912, threshold=0.0949, site_terms=("机床",), page_terms=("马云",), verdict="off-topic"
    )
    (finding,) = apply_topic([], topic)
    assert isinstance(finding, Finding)
    sim, threshold = re.findall(r"similarity ([0-9.]+) < ([0-9.]+)", finding.message)[0]
    assert float(sim) < float(threshold) and (sim, threshold) == ("0.091", "0.095")


# ---- 12. reposts not checked -----------------------------------------------------------------------


def test_scan_without_an_index_says_once_that_reposts_were_not_checked(cli: CliRun, demo_index: Path) -> None:
    r = cli("scan", str(ROOT / "corpus/pages"))
    assert r.exit_code == 0
    assert r.stderr.count("reposts were not checked") == 1 and "--index" in r.stderr
    assert "not checked" not in cli("scan", str(SEED_PAGE), "--index", str(demo_index)).stderr


# ---- 13. a damaged index named in words ----------------------------------------------------------------


def test_index_check_names_the_damaged_document_and_what_is_wrong(cli: CliRun, tmp_path: Path) -> None:
    idx = tmp_path / "a.idx"
    assert cli("index", str(ROOT / "corpus/sources/news.jsonl"), "--index", str(idx)).exit_code == 0
    with sqlite3.connect(idx) as conn:
        (doc_id,) = conn.execute("SELECT id FROM documents WHERE pk = 2").fetchone()
        conn.execute("UPDATE documents SET body = 'not compressed' WHERE pk = 2")
    r = cli("index", "--check", "--index", str(idx))
    assert r.exit_code == 2
    assert repr(doc_id) in r.stderr and "table documents" in r.stderr and "stored text" in r.stderr
    assert "bytes-like" not in r.stderr and "None" not in r.stderr


def test_a_scan_names_a_document_whose_text_does_not_inflate(cli: CliRun, tmp_path: Path) -> None:
    idx = tmp_path / "a.idx"
    assert cli("index", str(ROOT / "corpus/sources"), "--index", str(idx)).exit_code == 0
    with sqlite3.connect(idx) as conn:
        conn.execute("UPDATE documents SET body = X'00112233445566'")
    r = cli("scan", str(SEED_PAGE), "--index", str(idx))
    assert r.exit_code == 2
    assert "stored text is not valid compressed data" in r.stderr and "Error -3" not in r.stderr


# ---- 14. output options ------------------------------------------------------------------------------


def test_report_writes_under_reports_by_default(
    cli: CliRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = tmp_path / "demo-scan.json"
    r = cli("scan", str(SEED_PAGE), "--json", str(saved))
    assert r.exit_code == 0
    monkeypatch.chdir(tmp_path)
    r = cli("report", "demo-scan.json")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "reports" / "demo-scan" / "index.html").is_file()
    assert "reports/demo-scan/index.html" in r.stdout
    assert "reports/" in cli("report", "--help").stdout


def test_commands_that_write_one_file_take_dash_o(
    cli: CliRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = tmp_path / "scan.json"
    assert cli("scan", str(SEED_PAGE), "--json", str(saved)).exit_code == 0
    assert cli("report", str(saved), "-o", str(tmp_path / "r1")).exit_code == 0
    assert cli("report", str(saved), "--out", str(tmp_path / "r2")).exit_code == 0  # the old spelling
    assert (tmp_path / "r1" / "index.html").is_file() and (tmp_path / "r2" / "index.html").is_file()
    src = ROOT / "corpus/sources/portal-a/alibaba-b2b-18-years.html"
    assert cli("align", str(SEED_PAGE), str(src), "-o", str(tmp_path / "a.json")).exit_code == 0
    assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["passages"]
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# Title\n\n" + OWN_TEXT + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    r = cli("check", "docs", "--format", "json", "-o", "out.json")
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["schema"] == "detector.scan/1"


# ---- 15. the report line comes last ------------------------------------------------------------------


def test_the_report_line_is_printed_after_the_findings(cli: CliRun, demo_index: Path, tmp_path: Path) -> None:
    r = cli("scan", str(SEED_PAGE), "--index", str(demo_index), "--report", str(tmp_path / "r"))
    lines = r.stdout.splitlines()
    assert lines[-1] == f"report: {tmp_path / 'r' / 'index.html'}"
    assert any("repost" in line for line in lines[:-1])
