"""The PAN measures on small cases worked out by hand (bench/pan_measures.py)."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pan_measures", BENCH / "pan_measures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["pan_measures"] = module
    spec.loader.exec_module(module)
    return module


pm = _load()
A = pm.Annotation

# One case: suspicious characters [100, 200) copied from source characters [0, 100).
CASE = A("susp-1.txt", 100, 100, "src-1.txt", 0, 100)


def test_a_perfect_detection_scores_one() -> None:
    s = pm.score([CASE], [CASE])
    assert (s.recall, s.precision, s.granularity, s.plagdet) == (1.0, 1.0, 1.0, 1.0)


def test_a_half_detection() -> None:
    # Half of each side found: recall (50 + 50) / (100 + 100) = 0.5; every detected character
    # is plagiarised: precision 1; F1 = 2 * 0.5 * 1 / 1.5 = 2/3; one detection: granularity 1.
    half = A("susp-1.txt", 100, 50, "src-1.txt", 0, 50)
    s = pm.score([CASE], [half])
    assert s.recall == pytest.approx(0.5)
    assert s.precision == pytest.approx(1.0)
    assert s.granularity == 1.0
    assert s.plagdet == pytest.approx(2 / 3)


def test_a_detection_split_in_two() -> None:
    # Both halves found: recall 1, precision 1, but two detections for one case: granularity 2,
    # plagdet = 1 / log2(3) = 0.6309.
    first = A("susp-1.txt", 100, 50, "src-1.txt", 0, 50)
    second = A("susp-1.txt", 150, 50, "src-1.txt", 50, 50)
    s = pm.score([CASE], [first, second])
    assert (s.recall, s.precision, s.granularity) == (1.0, 1.0, 2.0)
    assert s.plagdet == pytest.approx(1 / math.log2(3))
    assert s.plagdet == pytest.approx(0.6309, abs=1e-4)


def test_a_false_detection_in_a_pair_without_plagiarism() -> None:
    false = A("susp-2.txt", 0, 300, "src-2.txt", 0, 300)
    # Alone: no cases but a detection: recall and precision 0, plagdet 0.
    alone = pm.score([], [false])
    assert (alone.recall, alone.precision, alone.plagdet) == (0.0, 0.0, 0.0)
    # Beside a perfect detection of another pair's case: recall 1, precision (1 + 0) / 2 = 0.5,
    # F1 = 2/3, granularity 1.
    s = pm.score([CASE], [CASE, false])
    assert (s.recall, s.precision, s.granularity) == (1.0, 0.5, 1.0)
    assert s.plagdet == pytest.approx(2 / 3)


def test_nothing_to_find_and_nothing_found_scores_one() -> None:
    s = pm.score([], [])
    assert (s.recall, s.precision, s.granularity, s.plagdet) == (1.0, 1.0, 1.0, 1.0)


def test_a_case_without_any_detection_scores_zero() -> None:
    s = pm.score([CASE], [])
    assert (s.recall, s.precision, s.plagdet) == (0.0, 0.0, 0.0)


def test_overlap_on_one_side_only_does_not_detect() -> None:
    # Right place in the suspicious document, wrong place in the source: not a detection of the case.
    wrong_source = A("susp-1.txt", 100, 100, "src-1.txt", 500, 100)
    s = pm.score([CASE], [wrong_source])
    assert (s.recall, s.precision, s.plagdet) == (0.0, 0.0, 0.0)
    assert s.granularity == 1.0
    # Same offsets, other source document: not a detection either.
    other_doc = A("susp-1.txt", 100, 100, "src-9.txt", 0, 100)
    assert pm.score([CASE], [other_doc]).recall == 0.0


def test_too_long_a_detection_loses_precision_and_overlaps_count_once() -> None:
    # Detection twice as long on both sides: recall 1, precision (100 + 100) / (200 + 200) = 0.5.
    long = A("susp-1.txt", 50, 200, "src-1.txt", 0, 200)
    s = pm.score([CASE], [long])
    assert (s.recall, s.precision) == (1.0, 0.5)
    # Two overlapping detections covering [100, 160) and [140, 200): the overlap is counted once
    # for recall (union = the whole case), granularity 2.
    a = A("susp-1.txt", 100, 60, "src-1.txt", 0, 60)
    b = A("susp-1.txt", 140, 60, "src-1.txt", 40, 60)
    s2 = pm.score([CASE], [a, b])
    assert s2.recall == 1.0
    assert s2.precision == 1.0
    assert s2.granularity == 2.0


def test_two_cases_macro_average() -> None:
    # Case 1 found whole, case 2 (another pair) missed: macro recall (1 + 0) / 2.
    case2 = A("susp-3.txt", 0, 400, "src-3.txt", 0, 400)
    s = pm.score([CASE, case2], [CASE])
    assert s.recall == 0.5
    assert s.precision == 1.0
    assert s.granularity == 1.0
