"""The library API of CONTRACT.md ("Library API"): ``detector.index`` and ``detector.scan``, the
JSON equal byte for byte to the CLI's, errors as ``detector.errors`` exceptions, and the README's
example run as written."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

import detector
from detector.errors import ConfigError, DetectorError, IndexFileError, InputError
from tests.conftest import ROOT, CliRun, validate_scan


def test_scan_to_json_is_the_cli_json_byte_for_byte(cli: CliRun, tmp_path: Path) -> None:
    index = tmp_path / "lib.idx"
    summary = detector.index(["corpus/sources"], index=index)  # cli fixture: cwd is the repo root
    assert summary.added > 0 and not summary.failures
    result = detector.scan(["corpus/pages"], index=index)
    cli_json = cli("scan", "corpus/pages", "--index", str(index), "--json", "-").stdout
    assert result.to_json() == cli_json
    assert isinstance(result, detector.ScanResult)
    kinds = {f.kind for page in result.pages for f in page.findings}
    assert "off-topic-repost" in kinds and "duplicate-passage" in kinds


def test_settings_are_keywords_and_an_unknown_one_is_a_config_error(cli: CliRun, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no_such_setting"):
        detector.scan(["corpus/pages"], no_such_setting=1)
    strict = detector.scan(["corpus/pages/xinhengxing"], repeat_min_weight=10_000.0)
    assert not any(f.kind == "duplicate-passage" for p in strict.pages for f in p.findings)


def test_errors_are_detector_errors_never_system_exit(cli: CliRun, tmp_path: Path) -> None:
    with pytest.raises(InputError):
        detector.scan([str(tmp_path / "missing.html")])
    not_an_index = tmp_path / "garbage.idx"
    not_an_index.write_bytes(b"not an index at all" * 10)
    with pytest.raises(IndexFileError):
        detector.scan(["corpus/pages"], index=not_an_index)
    with pytest.raises(DetectorError):
        detector.index([str(tmp_path / "missing")], index=tmp_path / "new.idx")


def test_the_readme_library_example_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- library-example -->\n```python\n(.*?)```", readme, re.S)
    assert found, "README.md has no library example"
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    exec(compile(found.group(1), "README.md", "exec"), {})
    data = json.loads((tmp_path / "scan.json").read_text(encoding="utf-8"))
    validate_scan(data)
    pages = [p for p in (tmp_path / "corpus" / "pages").rglob("*") if p.suffix in (".html", ".md")]
    assert data["summary"]["pages"] == len(pages) == 10


def test_the_public_api_is_exactly_this() -> None:
    # A guard, as httpx keeps one: a name added to or dropped from the API is a decision.
    assert sorted(detector.__all__) == ["ScanResult", "__version__", "index", "scan"]
    assert all(hasattr(detector, name) for name in detector.__all__)
