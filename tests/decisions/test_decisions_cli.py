"""``--decisions`` on scan, report and check: the contract's behaviour, stale decisions, malformed files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import validate_scan

from .conftest import Run, findings_by_uri, fingerprint, write_decisions

FAQ, INSTALL, NEWS, HISTORY, INTRO = (
    "guide/faq.md",
    "guide/install.md",
    "zh/news.html",
    "zh/history.md",
    "zh/intro.md",
)


@pytest.fixture
def decisions(run: Run, repo: Path) -> Path:
    """faq dismissed (with a note), install allowed, news confirmed, and one stale decision."""
    return write_decisions(
        repo / "decisions.json",
        {
            "fingerprint": fingerprint(run, FAQ),
            "decision": "dismissed",
            "note": "a quoted rule, repeated on purpose",
        },
        {"fingerprint": fingerprint(run, INSTALL), "decision": "allowed", "kind": "duplicate-passage"},
        {"fingerprint": fingerprint(run, NEWS), "decision": "confirmed", "uri": NEWS},
        {"fingerprint": "0ld\x1b[2Jfinding", "decision": "dismissed", "uri": "guide/old.md", "by": "ann"},
    )


def test_scan_json_carries_decisions_and_leaves_dismissed_findings_out_of_the_summary(
    run: Run, decisions: Path
) -> None:
    result = run("scan", "guide", "zh", "--json", "-", "--decisions", str(decisions))
    assert result.exit_code == 0, result.output
    scan = json.loads(result.stdout)
    validate_scan(scan)
    found = findings_by_uri(scan)
    assert found[FAQ][0]["decision"] == {"status": "dismissed", "note": "a quoted rule, repeated on purpose"}
    assert found[FAQ][0]["severity"] == "medium"  # dismissed: kept as it was, counted nowhere
    assert found[INSTALL][0]["decision"] == {"status": "allowed"} and found[INSTALL][0]["severity"] == "info"
    assert found[NEWS][0]["decision"] == {"status": "confirmed"}
    assert "decision" not in found[HISTORY][0] and "decision" not in found[INTRO][0]
    summary = scan["summary"]
    assert summary["findings"] == {"duplicate-passage": 4}  # 5 findings, 1 dismissed
    assert summary["severities"] == {"info": 1, "medium": 3}
    assert summary["decisions"] == {
        "confirmed": 1,
        "dismissed": 1,
        "allowed": 1,
        "stale": [
            {"fingerprint": "0ld\x1b[2Jfinding", "decision": "dismissed", "uri": "guide/old.md", "by": "ann"}
        ],
    }


def test_scan_fail_on_ignores_dismissed_and_allowed_findings(run: Run, repo: Path) -> None:
    assert run("scan", "guide", "--fail-on", "medium").exit_code == 1
    path = write_decisions(
        repo / "d.json",
        {"fingerprint": fingerprint(run, FAQ), "decision": "dismissed"},
        {"fingerprint": fingerprint(run, INSTALL), "decision": "allowed"},
    )
    result = run("scan", "guide", "--fail-on", "medium", "--decisions", str(path))
    assert result.exit_code == 0, result.output
    assert run("scan", "guide", "--fail-on", "info", "--decisions", str(path)).exit_code == 1  # allowed: info


def test_scan_text_shows_decisions_and_one_line_for_stale_ones(run: Run, decisions: Path) -> None:
    result = run("scan", "guide", "zh", "--decisions", str(decisions))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert any(line.endswith("[dismissed: a quoted rule, repeated on purpose]") for line in lines)
    assert any("info" in line and line.endswith("[allowed]") for line in lines)
    assert "6 page(s), 4 finding(s) (1 more dismissed), 0 error(s)" in lines
    stale = [line for line in lines if "stale" in line]
    assert stale == ["1 stale decision (no such finding in this run): 0ld\\x1b[2Jfinding"]


def test_report_renders_the_decisions_of_a_saved_scan(run: Run, repo: Path, decisions: Path) -> None:
    assert run("scan", "guide", "zh", "--json", "scan.json").exit_code == 0
    result = run("report", "scan.json", "--out", "out", "--decisions", str(decisions))
    assert result.exit_code == 0, result.output
    html = "\n".join(p.read_text(encoding="utf-8") for p in (repo / "out" / "pages").glob("*.html"))
    assert html.count('class="finding dec-dismissed"') == 1 and html.count('class="finding dec-allowed"') == 1
    assert html.count('class="finding dec-confirmed"') == 1
    assert "a quoted rule, repeated on purpose" in html
    index = (repo / "out" / "index.html").read_text(encoding="utf-8")
    assert "0ld\\u001b[2Jfinding" in index  # the stale decision travels on, for the next export


def test_scan_report_and_report_command_write_the_same_review(run: Run, repo: Path, decisions: Path) -> None:
    assert (
        run(
            "scan", "guide", "zh", "--report", "a", "--json", "scan.json", "--decisions", str(decisions)
        ).exit_code
        == 0
    )
    assert run("scan", "guide", "zh", "--json", "plain.json").exit_code == 0
    assert run("report", "plain.json", "--out", "b", "--decisions", str(decisions)).exit_code == 0
    for name in ("index.html", *(p.name for p in (repo / "a" / "pages").iterdir())):
        sub = "" if name == "index.html" else "pages/"
        assert (repo / "a" / sub / name).read_text() == (repo / "b" / sub / name).read_text(), name


def test_check_honours_decisions_from_the_flag(run: Run, repo: Path) -> None:
    assert run("check").exit_code == 1
    path = write_decisions(
        repo / "reviewed.json",
        *[{"fingerprint": fingerprint(run, uri), "decision": "dismissed"} for uri in (FAQ, INSTALL, NEWS)],
        {"fingerprint": fingerprint(run, HISTORY), "decision": "allowed", "note": "shared on purpose"},
    )
    result = run("check", "--decisions", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "8 files checked, 1 finding (duplicate-passage 1; info 1), 0 at or above medium; "
        "3 dismissed by decisions: passed"
    )
    assert "[allowed: shared on purpose]" in result.stdout
    scan = json.loads(run("check", "--decisions", str(path), "--format", "json").stdout)
    validate_scan(scan)
    statuses = sorted(f["decision"]["status"] for p in scan["pages"] for f in p["findings"])
    assert statuses == ["allowed", "dismissed", "dismissed", "dismissed"]  # dismissed stay in the JSON
    assert scan["summary"]["findings"] == {"duplicate-passage": 1}
    sarif = json.loads(run("check", "--decisions", str(path), "--format", "sarif").stdout)
    assert len(sarif["runs"][0]["results"]) == 1


def test_check_reads_decisions_from_its_config_relative_to_the_config_file(run: Run, repo: Path) -> None:
    (repo / "review").mkdir()
    write_decisions(
        repo / "review" / "decisions.json",
        *[
            {"fingerprint": fingerprint(run, uri), "decision": "dismissed"}
            for uri in (FAQ, INSTALL, NEWS, HISTORY)
        ],
        {"fingerprint": "gone", "decision": "confirmed"},
    )
    config = repo / "detector.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + 'decisions = "review/decisions.json"\n', encoding="utf-8"
    )
    result = run("check", "guide")  # run from a subfolder path: the key is relative to the config file
    assert result.exit_code == 0, result.output
    assert "stale decision" in result.stdout.splitlines()[-1]
    bad = run("check", "--config", str(config), "--decisions", "missing.json")  # the flag overrides the key
    assert bad.exit_code == 2 and bad.stderr == "detector: error: missing.json: no such decisions file\n"


def test_check_config_refuses_a_decisions_key_that_is_not_a_path(run: Run, repo: Path) -> None:
    config = repo / "detector.toml"
    config.write_text("decisions = 3\n", encoding="utf-8")
    result = run("check")
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"detector: error: {config.resolve()}: decisions: must be a non-empty string, not 3\n"
    )


MALFORMED = [
    (b"{", "invalid JSON"),
    (
        b'{"schema": "detector.decisions/1", "decisions": [{"fingerprint": "x", "decision": "ok"}]}',
        "decisions[0].decision: must be one of confirmed, dismissed, allowed",
    ),
    (b'{"schema": "detector.baseline/1", "findings": []}', 'schema: must be "detector.decisions/1"'),
    (b"\xff\xfe", "not UTF-8"),
]


@pytest.mark.parametrize(("content", "problem"), MALFORMED)
@pytest.mark.parametrize("command", ["scan", "report", "check"])
def test_a_malformed_decisions_file_is_one_line_exit_2_and_nothing_written(
    run: Run, repo: Path, content: bytes, problem: str, command: str
) -> None:
    bad = repo / "bad.json"
    bad.write_bytes(content)
    if command == "report":
        assert run("scan", "guide", "--json", "scan.json").exit_code == 0
        args = ["report", "scan.json", "--out", "out"]
    elif command == "scan":
        args = ["scan", "guide", "--json", "out.json", "--report", "out"]
    else:
        args = ["check", "--output", "out.json"]
    result = run(*args, "--decisions", str(bad))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"detector: error: {bad}: ") and problem in result.stderr
    assert not (repo / "out").exists() and not (repo / "out.json").exists()


@pytest.mark.parametrize("command", ["scan", "report", "check"])
def test_a_missing_decisions_file_or_a_folder_is_exit_2(run: Run, repo: Path, command: str) -> None:
    assert run("scan", "guide", "--json", "scan.json").exit_code == 0
    head = {"scan": ["scan", "guide"], "report": ["report", "scan.json", "--out", "out"], "check": ["check"]}
    for target, problem in (("nope.json", "no such decisions file"), ("guide", "is a folder")):
        result = run(*head[command], "--decisions", target)
        assert result.exit_code == 2
        assert problem in result.stderr and result.stderr.count("\n") == 1, result.stderr
