"""Site-level analysis on a generated 50-page site: template, duplicated passages, duplicate pages, shares."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, CliRun, scan_json

sys.path.insert(0, str(ROOT / "bench"))
from sitegen import CONTACT, SLOGAN, SPUN, GeneratedSite, generate_site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> GeneratedSite:
    return generate_site(tmp_path_factory.mktemp("sites") / "acme", pages=50, seed=1)


@pytest.fixture(scope="module")
def site_index(site: GeneratedSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from detector.config import Settings
    from detector.indexing import index_corpus

    folder = tmp_path_factory.mktemp("src")
    src = folder / "src.jsonl"
    src.write_text(json.dumps({"id": "src-1", "text": site.source_text}, ensure_ascii=False) + "\n", "utf-8")
    idx = folder / "src.idx"
    index_corpus([str(src)], idx, Settings())
    return idx


@pytest.fixture(scope="module")
def scanned(site: GeneratedSite, site_index: Path) -> dict[str, Any]:
    import os

    from click.testing import CliRunner

    from detector.cli import main

    cwd = os.getcwd()
    os.chdir(site.folder.parent)
    try:
        r = CliRunner().invoke(main, ["scan", "acme", "--index", str(site_index), "--json", "-"])
    finally:
        os.chdir(cwd)
    assert r.exit_code == 0, r.output
    data: dict[str, Any] = json.loads(r.stdout)
    from tests.conftest import validate_scan

    validate_scan(data)
    return data


def page(data: dict[str, Any], i: int) -> dict[str, Any]:
    return data["pages"][i]


def texts_of(p: dict[str, Any], kind: str) -> list[str]:
    return [p["text"][b["start"] : b["end"]].strip() for b in p["blocks"] if b["kind"] == kind]


def test_template_lines_are_boilerplate_with_and_without_markup(scanned: dict[str, Any]) -> None:
    for i in (0, 1, 2, 3, 49):  # even pages have <header>/<footer>, odd pages plain <div>s
        p = page(scanned, i)
        boiler = " ".join(texts_of(p, "boilerplate"))
        assert SLOGAN in boiler and CONTACT in boiler, (i, texts_of(p, "main")[:2])
        assert all(SLOGAN not in t and CONTACT not in t for t in texts_of(p, "main"))
    assert all(
        f["kind"] != "duplicate-passage"
        or SLOGAN not in page(scanned, 1)["text"][f["occurrences"][0][0] : f["occurrences"][0][1]]
        for f in page(scanned, 1)["findings"]
    )


def test_spun_paragraphs_are_one_finding_per_page_with_the_other_pages_in_also_in(
    scanned: dict[str, Any], site: GeneratedSite
) -> None:
    uris = [p["uri"] for p in scanned["pages"]]
    for k, pages in site.spun_pages.items():
        for i in pages:
            p = page(scanned, i)
            dups = [f for f in p["findings"] if f["kind"] == "duplicate-passage"]
            assert len(dups) == 1, (k, i, [f["message"] for f in p["findings"]])
            ((s, e),) = dups[0]["occurrences"]
            # The whole paragraph (lightly edited on some pages) is the occurrence.
            assert e - s == len(SPUN[k])
            assert sorted(a["uri"] for a in dups[0]["also_in"]) == sorted(uris[j] for j in pages if j != i)
            for other in dups[0]["also_in"]:
                j = uris.index(other["uri"])
                ((os_, oe),) = other["occurrences"]
                other_text = page(scanned, j)["text"][os_:oe]
                assert len(other_text) == len(SPUN[k])
                assert sum(x != y for x, y in zip(other_text, SPUN[k], strict=True)) <= 2  # lightly edited
    fingerprints = {f["fingerprint"] for i in site.spun_pages[0] for f in page(scanned, i)["findings"]}
    assert len(fingerprints) == 1  # the same passage has the same fingerprint on every page


def test_near_identical_pages_are_duplicate_pages(scanned: dict[str, Any], site: GeneratedSite) -> None:
    a, b = site.near_duplicates
    for me, other in ((a, b), (b, a)):
        found = [f for f in page(scanned, me)["findings"] if f["kind"] == "duplicate-page"]
        assert len(found) == 1
        assert found[0]["other"]["uri"] == page(scanned, other)["uri"]
        assert found[0]["similarity"] >= 0.8
        assert not [f for f in page(scanned, me)["findings"] if f["kind"] == "duplicate-passage"]


def test_unique_pages_have_no_findings_and_are_all_unique(
    scanned: dict[str, Any], site: GeneratedSite
) -> None:
    for i in site.unique_pages:
        p = page(scanned, i)
        assert p["findings"] == [], i
        assert p["content"] == {"unique": 1.0, "shared": 0.0, "copied": 0.0}


def test_shares_of_unique_shared_and_copied_text(scanned: dict[str, Any], site: GeneratedSite) -> None:
    spun = page(scanned, site.spun_pages[0][0])["content"]
    assert 0 < spun["shared"] < 1 and spun["copied"] == 0
    assert spun["unique"] + spun["shared"] + spun["copied"] == pytest.approx(1.0, abs=1e-3)
    assert site.copied_page is not None
    copied = page(scanned, site.copied_page)
    assert [f["source"]["id"] for f in copied["findings"] if f["kind"] == "repost"] == ["src-1"]
    assert 0 < copied["content"]["copied"] < 1
    dup = page(scanned, site.near_duplicates[0])["content"]
    assert dup["shared"] > 0.9
    summary = scanned["summary"]["sites"]["acme"]
    assert summary["pages"] == 50 and summary["duplicate_pages"] == 2
    assert summary["unique"] + summary["shared"] + summary["copied"] == pytest.approx(1.0, abs=1e-3)
    assert 0 < summary["shared"] < 0.5 and 0 < summary["copied"] < 0.1


def test_without_an_index_the_site_checks_still_run(cli: CliRun, site: GeneratedSite) -> None:
    data = scan_json(cli, str(site.folder))
    kinds = {f["kind"] for p in data["pages"] for f in p["findings"]}
    assert kinds == {"duplicate-passage", "duplicate-page"}


def test_pages_of_different_sites_are_not_compared(cli: CliRun, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    text = "<html><body><p>" + SPUN[0] + "</p><p>" + SPUN[1] + "</p></body></html>"
    (a / "x.html").write_text(text, encoding="utf-8")
    (b / "y.html").write_text(text, encoding="utf-8")
    data = scan_json(cli, str(a), str(b))
    assert [p["site"] for p in data["pages"]] == [str(a), str(b)]
    assert all(p["findings"] == [] for p in data["pages"])
    data = scan_json(cli, str(a), str(b), "--site", "one")
    assert all(any(f["kind"] == "duplicate-page" for f in p["findings"]) for p in data["pages"])
