"""The report of a real scan of the demo corpus (corpus/), plus a hostile page, in headless Chromium."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from detector.cli import main
from detector.report.html_scan import page_filenames

from .conftest import Watched, screenshot

ROOT = Path(__file__).resolve().parent.parent.parent
SEED = "corpus/pages/xinhengxing/news-alibaba-b2b.html"
REPEATED = "戴珊是马云的学生,当年与丈夫追随马云创业,夫妻二人都是阿里巴巴十八罗汉成员"
HOSTILE = (ROOT / "tests" / "fixtures" / "ingest" / "hostile.html").read_bytes()


@pytest.fixture(scope="module")
def real_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """`detector scan corpus/pages <hostile page> --index ... --report DIR`, run from the repository root."""
    work = tmp_path_factory.mktemp("real")
    hostile_dir = work / "hostile-site"
    hostile_dir.mkdir()
    (hostile_dir / "evil.html").write_bytes(HOSTILE)
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        runner = CliRunner()
        built = runner.invoke(main, ["index", "corpus/sources", "--index", str(work / "demo.idx")])
        assert built.exit_code == 0, built.output
        scanned = runner.invoke(
            main,
            ["scan", "corpus/pages", str(hostile_dir), "--index", str(work / "demo.idx"), "--json",
             str(work / "scan.json"), "--report", str(work / "report")],
        )  # fmt: skip
        assert scanned.exit_code == 0, scanned.output
    finally:
        os.chdir(cwd)
    data = json.loads((work / "scan.json").read_text(encoding="utf-8"))
    return work / "report" / "index.html", data


def test_index_lists_every_page_of_the_demo_scan(
    w: Watched, real_report: tuple[Path, dict[str, Any]]
) -> None:
    index, data = real_report
    w.goto(index)
    shown = w.page.eval_on_selector_all("#rows tr", "rs => rs.map(r => r.cells[0].textContent.trim())")
    assert sorted(shown) == sorted(p["uri"] for p in data["pages"])
    assert len(shown) == 11
    screenshot(w.page, "demo-index.png", full_page=True)


def test_the_seed_report_marks_the_copies_the_repeats_and_the_source(
    w: Watched, real_report: tuple[Path, dict[str, Any]]
) -> None:
    index, data = real_report
    w.goto(
        index.parent
        / "pages"
        / page_filenames([p["uri"] for p in data["pages"]])[[p["uri"] for p in data["pages"]].index(SEED)]
    )
    assert w.page.locator("#text mark.c").count() >= 30  # the copied passages, one colour per source
    numbered = w.page.locator("#text mark[data-n]")
    assert [numbered.nth(i).get_attribute("data-n") for i in range(numbered.count())] == ["1", "2", "3"]
    for i in range(3):
        assert (numbered.nth(i).text_content() or "").startswith(REPEATED)
    assert "off-topic" in (w.page.text_content("body") or "")
    w.page.locator("#text mark.c").nth(5).click()
    assert w.page.is_visible("#drawer")
    assert "阿里巴巴B2B十八年" in (w.page.text_content("#d-what") or "")
    assert w.page.locator("#d-right mark").count() >= 1
    screenshot(w.page, "demo-seed-side-by-side.png")


def test_the_hostile_page_of_the_run_shows_as_text(
    w: Watched, real_report: tuple[Path, dict[str, Any]]
) -> None:
    index, data = real_report
    uris = [p["uri"] for p in data["pages"]]
    evil = next(u for u in uris if u.endswith("evil.html"))
    w.goto(index.parent / "pages" / page_filenames(uris)[uris.index(evil)])
    assert w.page.locator("#text script").count() == 0
    assert w.page.locator("[onerror], [onload], [onclick]").count() == 0
    files = sorted(index.parent.rglob("*.html"))
    assert all(index.parent in f.resolve().parents or f == index for f in files)
