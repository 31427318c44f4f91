"""With an index, check also finds reposts; the allowlist turns syndicated sources into `info`."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.check.conftest import Check, check_json, findings_in, position

FIRST_COPIED = "Small teams are moving their documentation away from hosted wikis"


def test_without_index_a_repost_is_not_a_finding(check: Check) -> None:
    assert check("news").exit_code == 0


def test_repost_is_found_and_located(check: Check, partner_index: Path) -> None:
    data = check_json(check, "news", "--index", str(partner_index))
    [f] = findings_in(data, "news/why-static.md")
    assert f["kind"] == "repost" and f["severity"] == "high"
    assert f["source"]["id"] == "partner-001"
    text = Path("news/why-static.md").read_text(encoding="utf-8")
    assert (f["location"]["line"], f["location"]["column"]) == position(text, FIRST_COPIED) == (3, 1)
    assert check("news", "--index", str(partner_index)).exit_code == 1


def test_allowlisted_source_id_is_info_and_passes(check: Check, repo: Path, partner_index: Path) -> None:
    (repo / "detector.toml").write_text('[allow]\nsources = ["partner-001"]\n', "utf-8")
    result = check("news", "--index", str(partner_index))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("news/why-static.md:3:1: info repost ")


def test_allowlisted_source_url_is_info_and_passes(check: Check, repo: Path, partner_index: Path) -> None:
    (repo / "detector.toml").write_text('[allow]\nsource-urls = ["https://partner.example.com/*"]\n', "utf-8")
    result = check("news", "--index", str(partner_index))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("news/why-static.md:3:1: info repost ")
    (repo / "detector.toml").write_text('[allow]\nsource-urls = ["https://other.example.com/*"]\n', "utf-8")
    assert check("news", "--index", str(partner_index)).exit_code == 1


def test_index_from_config(check: Check, repo: Path, partner_index: Path) -> None:
    # A config file names paths inside the project only (CONTRACT.md, "Hostile input"): copy the index in.
    shutil.copy(partner_index, repo / "partner.idx")
    (repo / "detector.toml").write_text('index = "partner.idx"\nfail-on = "high"\n', "utf-8")
    result = check("news")
    assert result.exit_code == 1
    assert " high repost " in result.stdout


def test_missing_index_exits_2(check: Check) -> None:
    result = check("news", "--index", "nope.idx")
    assert result.exit_code == 2
    assert result.stderr.startswith("detector: error: ") and "nope.idx" in result.stderr
