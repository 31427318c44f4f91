"""Shared fixtures: the demo corpus indexed once, a CLI runner, and the contract's schema."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result

from detector.cli import main

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEED_PAGE = CORPUS / "pages" / "xinhengxing" / "news-alibaba-b2b.html"
ORIGINAL_SOURCE_ID = "corpus/sources/portal-a/alibaba-b2b-18-years.html"
SECOND_PORTAL_ID = "corpus/sources/portal-b/alibaba-b2b-18-years.html"
REPEATED_SENTENCE = "戴珊是马云的学生,当年与丈夫追随马云创业,夫妻二人都是阿里巴巴十八罗汉成员"
SCHEMA = json.loads((ROOT / "tests" / "contract" / "scan.schema.json").read_text(encoding="utf-8"))


def eval_data() -> Path:
    return Path(os.environ.get("DETECTOR_EVAL_DATA") or ROOT.parent / "shared" / "data")


def validate_scan(data: dict[str, Any]) -> None:
    jsonschema.validate(data, SCHEMA)


CliRun = Callable[..., Result]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> CliRun:
    """Run the CLI in-process from the repository root (uris are relative to it)."""
    monkeypatch.chdir(ROOT)

    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)

    return run


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("index") / "demo.idx"
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(
            main, ["index", "corpus/sources", "--index", str(path)], catch_exceptions=False
        )
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    return path


def scan_json(cli: CliRun, *args: str) -> dict[str, Any]:
    result = cli("scan", *args, "--json", "-")
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    validate_scan(data)
    return data


def page_of(data: dict[str, Any], name: str) -> dict[str, Any]:
    matches = [p for p in data["pages"] if p["uri"].endswith(name)]
    assert len(matches) == 1, [p["uri"] for p in data["pages"]]
    return matches[0]


def findings(page: dict[str, Any], *kinds: str) -> list[dict[str, Any]]:
    return [f for f in page["findings"] if f["kind"] in kinds]
