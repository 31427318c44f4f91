"""The off-topic benchmarks hold their pinned floors: family 1 (bench/offtopic.py, the data the
thresholds were calibrated on) and family 2 (bench/offtopic_family2.py, held out: never tuned on).
Floors sit just under the figures measured when they were pinned; a floor is never lowered
silently. Skipped without the evaluation data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, eval_data

DATA = eval_data()
NEEDED = [DATA / "cnews-1000", DATA / "company-scope-zh", DATA / "thucnews-titles"]

# Measured with the commands below (closing note of issue 14): family 1 off-topic F1 0.953 and
# 0.960, repost F1 1.000; family 2 off-topic F1 0.936 / 0.937 / 0.917 (mean 0.930), repost F1
# 0.981-0.994.
FAMILY1_OFF_TOPIC_F1 = 0.95
FAMILY2_MEAN_OFF_TOPIC_F1 = 0.92
FAMILY2_DRAW_OFF_TOPIC_F1 = 0.90
REPOST_F1 = 0.98

pytestmark = pytest.mark.skipif(
    not all(p.exists() for p in NEEDED), reason=f"evaluation data not found under {DATA}"
)


def run(script: str, tmp_path: Path) -> list[list[str]]:
    env = {**os.environ, "DETECTOR_EVAL_DATA": str(DATA)}
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--keep", str(tmp_path / "work")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return [line.split() for line in result.stdout.splitlines()]


def test_family_1_keeps_its_calibrated_figures(tmp_path: Path) -> None:
    rows = [r for r in run("offtopic.py", tmp_path) if r[:1] in (["A"], ["B"]) and "industries" not in r]
    assert len(rows) == 2, rows
    for r in rows:
        repost_f1, off_f1 = float(r[-5]), float(r[-2])
        assert repost_f1 >= REPOST_F1 and off_f1 >= FAMILY1_OFF_TOPIC_F1, r


def test_family_2_held_out_keeps_its_figures(tmp_path: Path) -> None:
    rows = run("offtopic_family2.py", tmp_path)
    draws = [r for r in rows if len(r) == 10 and r[0].isdigit() and r[1].isdigit()]
    (mean,) = [r for r in rows if r[:1] == ["mean"]]
    assert len(draws) == 3, draws
    for r in draws:
        assert float(r[5]) >= REPOST_F1 and float(r[8]) >= FAMILY2_DRAW_OFF_TOPIC_F1, r
    assert float(mean[-1]) >= FAMILY2_MEAN_OFF_TOPIC_F1, mean
