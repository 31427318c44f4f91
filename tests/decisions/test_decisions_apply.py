"""Applying decisions: the scan and a saved scan JSON give the same result; allowed findings re-sort."""

from __future__ import annotations

import json
from pathlib import Path

from detector.decisions import apply_to_scan_dict, read_decisions
from tests.conftest import CliRun, scan_json

from .conftest import write_decisions

SEED = "corpus/pages/xinhengxing/news-alibaba-b2b.html"


def test_an_allowed_repost_is_info_and_moves_after_higher_findings(
    cli: CliRun, demo_index: Path, tmp_path: Path
) -> None:
    plain = scan_json(cli, SEED, "--index", str(demo_index))
    [repost, duplicate] = plain["pages"][0]["findings"]
    assert (repost["kind"], repost["severity"], duplicate["kind"]) == ("repost", "high", "duplicate-passage")
    path = write_decisions(
        tmp_path / "d.json", {"fingerprint": repost["fingerprint"], "decision": "allowed", "note": "licensed"}
    )
    decided = scan_json(cli, SEED, "--index", str(demo_index), "--decisions", str(path))
    findings = decided["pages"][0]["findings"]
    assert [(f["kind"], f["severity"]) for f in findings] == [
        ("duplicate-passage", "medium"),
        ("repost", "info"),
    ]
    assert findings[1]["decision"] == {"status": "allowed", "note": "licensed"}
    # `detector report --decisions` applies them to the saved JSON the same way, byte for byte
    again = apply_to_scan_dict(plain, read_decisions(path))
    assert json.dumps(again, ensure_ascii=False) == json.dumps(decided, ensure_ascii=False)


def test_decisions_applied_to_a_saved_scan_match_a_scan_with_them(run: CliRun, repo: Path) -> None:
    plain = json.loads(run("scan", "guide", "zh", "--json", "-").stdout)
    fps = {p["uri"]: f["fingerprint"] for p in plain["pages"] for f in p["findings"]}
    assert fps["zh/intro.md"] == fps["zh/history.md"]
    path = write_decisions(
        repo / "d.json",
        {"fingerprint": fps["guide/faq.md"], "decision": "dismissed"},
        {"fingerprint": fps["zh/intro.md"], "decision": "allowed", "uri": "zh/intro.md"},
        {"fingerprint": fps["zh/intro.md"], "decision": "confirmed", "uri": "zh/history.md"},
        {"fingerprint": "gone", "decision": "confirmed", "note": "old"},
    )
    decided = json.loads(run("scan", "guide", "zh", "--json", "-", "--decisions", str(path)).stdout)
    assert apply_to_scan_dict(plain, read_decisions(path)) == decided
    by_uri = {p["uri"]: p["findings"] for p in decided["pages"]}
    # one fingerprint on two pages: each page takes the decision that names it
    assert by_uri["zh/intro.md"][0]["decision"] == {"status": "allowed"}
    assert by_uri["zh/history.md"][0]["decision"] == {"status": "confirmed"}
