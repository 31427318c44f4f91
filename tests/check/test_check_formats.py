"""Every output format on the fixture repository: SARIF against the official schema, JUnit parsed as XML,
GitHub workflow commands, the scan JSON against the contract's schema, and the text lines."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from detector.check.config import CheckConfig
from detector.check.formats.github import annotation
from detector.check.run import CheckedFinding, CheckResult
from detector.model import Finding, Location
from detector.result import ScanResult
from tests.check.conftest import Check
from tests.conftest import eval_data, validate_scan

SARIF_SCHEMA = eval_data() / "sarif" / "sarif-schema-2.1.0.json"
TEXT_LINE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): "
    r"(?P<severity>info|low|medium|high) (?P<kind>[a-z-]+) (?P<message>.+)$"
)
GITHUB_LINE = re.compile(
    r"^::(?P<level>error|warning|notice) file=(?P<file>[^,]+),line=(?P<line>\d+),col=(?P<col>\d+),"
    r"endLine=(?P<end_line>\d+),title=(?P<title>[^:]+)::(?P<message>.+)$"
)


def sarif_of(check: Check, *args: str) -> dict[str, Any]:
    result = check(".", "--format", "sarif", *args)
    assert result.exit_code == 1, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    assert result.stderr.splitlines()[-1].startswith("8 files checked")  # the summary, off stdout
    return data


@pytest.mark.skipif(not SARIF_SCHEMA.is_file(), reason=f"SARIF schema not found at {SARIF_SCHEMA}")
def test_sarif_validates_against_the_official_schema(check: Check) -> None:
    data = sarif_of(check)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_sarif_has_one_rule_per_kind_regions_and_fingerprints(check: Check) -> None:
    data = sarif_of(check)
    assert data["version"] == "2.1.0"
    [run] = data["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [
        "repost",
        "off-topic-repost",
        "off-topic",
        "duplicate-passage",
        "duplicate-page",
    ]
    results = run["results"]
    assert results
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert re.fullmatch(r"[0-9a-f]{32}", r["partialFingerprints"]["detectorFingerprint/v1"])
        assert r["level"] == "error"  # medium findings under the default --fail-on medium
    news = next(
        r
        for r in results
        if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "zh/news.html"
    )
    region = news["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 11, "startColumn": 36, "endLine": 11, "endColumn": 36 + 43}
    [related] = news["relatedLocations"]
    assert related["physicalLocation"]["region"]["startLine"] == 13
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_sarif_levels_follow_fail_on(check: Check) -> None:
    data = check(".", "--format", "sarif", "--fail-on", "high")
    assert data.exit_code == 0
    assert {r["level"] for r in json.loads(data.stdout)["runs"][0]["results"]} == {"warning"}


def test_sarif_artifact_uris_are_encoded(check: Check, repo: Path) -> None:
    (repo / "zh" / "新闻 稿.md").write_text(
        "# 稿\n\n这是一段重复出现的文字，它在同一个文件中出现了两次，用来测试位置。\n\n"
        "这是一段重复出现的文字，它在同一个文件中出现了两次，用来测试位置。\n",
        encoding="utf-8",
    )
    run = json.loads(check("zh/新闻 稿.md", "--format", "sarif").stdout)["runs"][0]
    [r] = run["results"]
    location = r["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "zh/%E6%96%B0%E9%97%BB%20%E7%A8%BF.md", "uriBaseId": "%SRCROOT%"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.as_uri() + "/"


def test_junit_is_one_test_case_per_file_with_failures_for_findings(check: Check) -> None:
    result = check(".", "--format", "junit")
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout.encode("utf-8"))
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == {
        "README.md",
        "guide/faq.md",
        "guide/install.md",
        "news/why-static.md",
        "zh/about.txt",
        "zh/history.md",
        "zh/intro.md",
        "zh/news.html",
    }
    assert suite.get("tests") == str(len(cases))
    failing = {name for name, c in cases.items() if c.find("failure") is not None}
    assert {"guide/install.md", "guide/faq.md", "zh/news.html"} <= failing
    assert cases["README.md"].find("failure") is None and cases["zh/about.txt"].find("failure") is None
    assert suite.get("failures") == str(len(failing)) == root.get("failures")
    failure = cases["guide/install.md"].find("failure")
    assert failure is not None and failure.get("type") == "duplicate-passage"
    assert (failure.text or "").startswith("guide/install.md:15:1: medium duplicate-passage ")


def test_junit_lists_findings_below_fail_on_as_output_and_errors_as_errors(check: Check, repo: Path) -> None:
    (repo / "guide" / "empty.md").write_text("", "utf-8")
    result = check("guide", "--format", "junit", "--fail-on", "high")
    assert result.exit_code == 2
    suite = ET.fromstring(result.stdout.encode("utf-8")).find("testsuite")
    assert suite is not None and suite.get("errors") == "1" and suite.get("failures") == "0"
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    error = cases["guide/empty.md"].find("error")
    assert error is not None and "guide/empty.md" in (error.get("message") or "")
    out = cases["guide/install.md"].find("system-out")
    assert out is not None and "medium duplicate-passage" in (out.text or "")


def test_github_lines_are_workflow_commands(check: Check) -> None:
    result = check(".", "--format", "github")
    assert result.exit_code == 1
    *commands, summary = result.stdout.splitlines()
    assert summary.startswith("8 files checked")
    parsed = [GITHUB_LINE.match(line) for line in commands]
    assert all(parsed), commands
    by_file = {m["file"]: m for m in parsed if m}
    install = by_file["guide/install.md"]
    assert (install["level"], install["line"], install["col"], install["end_line"]) == (
        "error",
        "15",
        "1",
        "15",
    )
    assert install["title"] == "detector%3A duplicate-passage (medium)"
    assert "Also at guide/install.md:23." in install["message"]


def test_github_commands_cannot_be_injected(tmp_path: Path) -> None:
    finding = Finding(
        kind="repost",
        severity="low",
        score=0.1,
        message="Copies 1 passage from “evil\n::error::owned, 100%”.",
        fingerprint="0" * 32,
        location=Location(3, 1, 4, 1),
    )
    result = CheckResult(config=CheckConfig(root=tmp_path), scan=ScanResult(pages=()), findings=(), files=())
    line = annotation(result, CheckedFinding("a,b:c.md", finding))
    assert "\n" not in line
    assert line == (
        "::warning file=a%2Cb%3Ac.md,line=3,col=1,endLine=3,title=detector%3A repost (low)::"
        "Copies 1 passage from “evil%0A::error::owned, 100%25”."
    )


def test_json_is_the_scan_json_with_locations(check: Check) -> None:
    result = check(".", "--format", "json")
    data = json.loads(result.stdout)
    validate_scan(data)
    assert data["schema"] == "detector.scan/1"
    assert data["summary"]["findings"]["duplicate-passage"] >= 3
    assert all("location" in f for p in data["pages"] for f in p["findings"])


def test_json_is_byte_identical_across_runs(check: Check) -> None:
    assert check(".", "--format", "json").stdout == check(".", "--format", "json").stdout


def test_text_is_one_finding_per_line_then_the_summary(check: Check) -> None:
    result = check(".")
    *lines, summary = result.stdout.splitlines()
    assert lines and all(TEXT_LINE.match(line) for line in lines), lines
    assert re.fullmatch(
        r"8 files checked, \d+ findings \(duplicate-passage \d+; medium \d+\), "
        r"\d+ at or above medium: failed",
        summary,
    ), summary


def test_output_file_gets_the_format_and_stdout_the_summary(check: Check, repo: Path) -> None:
    result = check(".", "--format", "sarif", "--output", "reports/detector.sarif")
    assert result.exit_code == 1
    assert result.stdout.startswith("8 files checked")
    assert json.loads((repo / "reports" / "detector.sarif").read_text("utf-8"))["version"] == "2.1.0"
