"""Findings do not change by accident: the scan JSON of the demo corpus and of the generated
corpus is byte-identical to the recorded one (see golden_runs.py to re-record on purpose)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.golden.golden_runs import HERE, RUNS


@pytest.mark.parametrize("name", sorted(RUNS))
def test_scan_json_is_byte_identical_to_the_recorded_one(name: str, tmp_path: Path) -> None:
    expected = (HERE / f"{name}.json").read_text(encoding="utf-8")
    got = RUNS[name](tmp_path)
    assert got == expected, f"tests/golden/{name}.json differs: re-record only for an intended change"
