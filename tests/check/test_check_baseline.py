"""Baselines: accept today's findings, then report only new ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detector.check.baseline import SCHEMA, BaselineEntry, read_baseline, split, write_baseline
from detector.errors import BaselineError
from tests.check.conftest import Check, check_json

NEW_PARAGRAPH = (
    "Keep a copy of the generated public folder on a second machine, so that a broken disk never takes "
    "the whole site offline at once."
)


def test_write_baseline_records_findings_by_fingerprint_and_passes(check: Check, repo: Path) -> None:
    result = check(".", "--write-baseline", "baseline.json")
    assert result.exit_code == 0, result.output
    assert "baseline: " in result.stderr
    data = json.loads((repo / "baseline.json").read_text(encoding="utf-8"))
    assert data["schema"] == SCHEMA
    entries = data["findings"]
    assert entries == sorted(entries, key=lambda e: (e["path"], e["kind"], e["fingerprint"]))
    assert any(e["path"] == "guide/install.md" and e["kind"] == "duplicate-passage" for e in entries)
    assert all(set(e) == {"fingerprint", "kind", "path"} for e in entries)
    fingerprints = {f["fingerprint"] for p in check_json(check, ".")["pages"] for f in p["findings"]}
    assert {e["fingerprint"] for e in entries} == fingerprints


def test_same_findings_with_baseline_exit_0(check: Check) -> None:
    assert check(".", "--write-baseline", "baseline.json").exit_code == 0
    result = check(".", "--baseline", "baseline.json")
    assert result.exit_code == 0, result.output
    [summary] = result.stdout.splitlines()
    assert "no findings" in summary and "accepted by the baseline" in summary


def test_new_finding_exits_1_and_only_it_is_reported(check: Check, repo: Path) -> None:
    assert check(".", "--write-baseline", "baseline.json").exit_code == 0
    faq = repo / "guide" / "faq.md"
    faq.write_text(
        faq.read_text(encoding="utf-8") + f"\n## Backups\n\n{NEW_PARAGRAPH}\n\nAgain: {NEW_PARAGRAPH}\n",
        encoding="utf-8",
    )
    result = check(".", "--baseline", "baseline.json")
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("guide/faq.md:17:1: medium duplicate-passage ")
    data = check_json(check, ".", "--baseline", "baseline.json")
    reported = [(p["uri"], f["kind"]) for p in data["pages"] for f in p["findings"]]
    assert reported == [("guide/faq.md", "duplicate-passage")]
    assert data["summary"]["findings"] == {"duplicate-passage": 1}


def test_edits_elsewhere_keep_the_baseline_valid(check: Check, repo: Path) -> None:
    assert check(".", "--write-baseline", "baseline.json").exit_code == 0
    install = repo / "guide" / "install.md"
    text = install.read_text(encoding="utf-8")
    install.write_text(
        text.replace("# Installing Acme Press\n", "# Installing Acme Press\n\nNew intro.\n"), "utf-8"
    )
    assert check(".", "--baseline", "baseline.json").exit_code == 0


def test_baseline_from_config_is_relative_to_the_config_file(check: Check, repo: Path) -> None:
    assert check(".", "--write-baseline", "ci/baseline.json").exit_code == 0
    (repo / "detector.toml").write_text('exclude = ["_site"]\nbaseline = "ci/baseline.json"\n', "utf-8")
    assert check("guide").exit_code == 0
    assert check(".").exit_code == 0


def test_baseline_paths_are_relative_to_the_project_root(
    check: Check, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert check(".", "--write-baseline", "baseline.json").exit_code == 0
    monkeypatch.chdir(repo / "guide")
    result = check(".", "--baseline", "../baseline.json")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"schema": "detector.baseline/1", "findings": [{"fingerprint": "ab', "invalid JSON"),
        ("", "invalid JSON"),
        ('{"schema": "other/1", "findings": []}', "schema is not detector.baseline/1"),
        ('{"schema": "detector.baseline/1", "findings": {}}', '"findings" is not a list'),
        ('{"schema": "detector.baseline/1", "findings": [{"kind": "repost"}]}', "finding 1 needs"),
    ],
)
def test_corrupt_baseline_exits_2_naming_the_file(
    check: Check, repo: Path, content: str, problem: str
) -> None:
    (repo / "baseline.json").write_text(content, encoding="utf-8")
    result = check(".", "--baseline", "baseline.json")
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("detector: error: baseline.json: ")
    assert problem in line


def test_write_baseline_replaces_a_corrupt_one(check: Check, repo: Path) -> None:
    (repo / "baseline.json").write_text("{", encoding="utf-8")
    result = check(".", "--baseline", "baseline.json", "--write-baseline", "baseline.json")
    assert result.exit_code == 0, result.output
    assert check(".", "--baseline", "baseline.json").exit_code == 0


def test_missing_baseline_says_how_to_create_it(check: Check) -> None:
    result = check(".", "--baseline", "nope.json")
    assert result.exit_code == 2
    assert "nope.json: no such baseline file (create it with --write-baseline nope.json)" in result.stderr


def test_baseline_is_not_written_when_a_file_cannot_be_read(check: Check, repo: Path) -> None:
    (repo / "guide" / "empty.md").write_text("", encoding="utf-8")
    result = check(".", "--write-baseline", "baseline.json")
    assert result.exit_code == 2
    assert "baseline not written" in result.stderr
    assert not (repo / "baseline.json").exists()


def test_each_entry_accepts_one_finding() -> None:
    a = BaselineEntry("a.md", "repost", "f1")
    b = BaselineEntry("b.md", "repost", "f1")
    parts = split([a, a], [a, b, a, a])
    assert parts.known == (0, 2) and parts.new == (1, 3) and parts.stale == 0
    assert split([a, b], [a]).stale == 1


def test_write_is_atomic_and_round_trips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "baseline.json"
    entries = [BaselineEntry("z.md", "duplicate-passage", "2"), BaselineEntry("a.md", "repost", "1")]
    write_baseline(path, entries)
    assert read_baseline(path) == tuple(sorted(entries))

    def broken(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", broken)
    with pytest.raises(OSError):
        write_baseline(path, [])
    assert read_baseline(path) == tuple(sorted(entries))  # the old baseline is intact
    assert [p.name for p in tmp_path.iterdir()] == ["baseline.json"]  # no temporary file left


def test_read_errors_are_baseline_errors(tmp_path: Path) -> None:
    (tmp_path / "b.json").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(BaselineError, match=r"b\.json"):
        read_baseline(tmp_path / "b.json")
