"""Fixtures of the decisions tests: a copy of the check tests' docs repository and decisions files.

The repository (``tests/check/fixtures/docs-repo``) gives four duplicate-passage findings, all
``medium``: ``guide/faq.md``, ``guide/install.md``, ``zh/news.html``, and one passage that
``zh/history.md`` and ``zh/intro.md`` share (one fingerprint on both pages).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from detector.cli import main

# The check tests' copy of the docs repository, as a fixture here too.
from tests.check.conftest import repo  # noqa: F401

Run = Callable[..., Result]
CONTRACT = Path(__file__).resolve().parents[1] / "contract" / "decisions.schema.json"


@pytest.fixture
def run(repo: Path) -> Run:  # noqa: F811 (the imported fixture)
    """``detector ARGS`` in the repository copy; stdout and stderr kept apart."""

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


def findings_by_uri(scan: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {p["uri"]: p["findings"] for p in scan["pages"]}


def fingerprint(run: Run, uri: str) -> str:
    """The fingerprint of the one finding of ``uri`` in a scan of guide/ and zh/."""
    result = run("scan", "guide", "zh", "--json", "-")
    assert result.exit_code == 0, result.output
    found = findings_by_uri(json.loads(result.stdout))[uri]
    assert len(found) == 1
    return str(found[0]["fingerprint"])


def write_decisions(path: Path, *entries: dict[str, Any]) -> Path:
    path.write_text(
        json.dumps({"schema": "detector.decisions/1", "decisions": list(entries)}), encoding="utf-8"
    )
    return path
