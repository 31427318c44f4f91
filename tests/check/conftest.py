"""Fixtures of the check tests: a fresh copy of the fixture docs repository, and a CLI runner in it.

The fixture repository (``fixtures/docs-repo``) holds Markdown, HTML and text pages in English and Chinese:

- ``guide/install.md``: a paragraph repeated under two headings (lines 15 and 23);
- ``guide/faq.md``: a sentence of 27 words repeated in two paragraphs (lines 5 and 9);
- ``zh/news.html``: a Chinese sentence repeated after ``&amp;`` and ``&nbsp;`` entities (lines 11 and 13);
- ``zh/history.md`` and ``zh/intro.md``: one paragraph in both files;
- ``README.md``, ``zh/about.txt``: clean; ``news/why-static.md``: copies ``fixtures/sources/partner.jsonl``;
- ``_site/`` (excluded by ``detector.toml``) and ``.drafts/`` (hidden) repeat text that must never be read.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from detector.cli import main

HERE = Path(__file__).resolve().parent
FIXTURE_REPO = HERE / "fixtures" / "docs-repo"
SOURCES = HERE / "fixtures" / "sources"

Check = Callable[..., Result]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixture repository (with a ``.git`` folder, so config discovery stops there),
    and the working directory inside it."""
    dest = tmp_path / "acme-docs"
    shutil.copytree(FIXTURE_REPO, dest)
    (dest / ".git").mkdir()
    monkeypatch.chdir(dest)
    return dest


@pytest.fixture
def check(repo: Path) -> Check:
    """Run ``detector check ARGS`` in the repository copy; stdout and stderr kept apart."""

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, ["check", *args], catch_exceptions=False)

    return run


@pytest.fixture(scope="session")
def partner_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index holding the one source article that ``news/why-static.md`` copies."""
    path = tmp_path_factory.mktemp("check-index") / "partner.idx"
    result = CliRunner().invoke(
        main, ["index", str(SOURCES / "partner.jsonl"), "--index", str(path)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return path


def check_json(run: Check, *args: str) -> dict[str, Any]:
    result = run(*args, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def findings_in(data: dict[str, Any], uri: str) -> list[dict[str, Any]]:
    pages = [p for p in data["pages"] if p["uri"] == uri]
    assert len(pages) == 1, [p["uri"] for p in data["pages"]]
    found: list[dict[str, Any]] = pages[0]["findings"]
    return found


def position(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """(line, column) of the nth occurrence of ``needle`` in ``text``, 1-based, code points: an oracle
    independent of the code under test."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    before = text[:at]
    return before.count("\n") + 1, at - (before.rfind("\n") + 1) + 1
