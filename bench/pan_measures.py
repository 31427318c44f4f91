"""The PAN text-alignment measures: macro recall and precision, granularity, plagdet.

After Potthast, Stein, Barron-Cedeno and Rosso, "An Evaluation Framework for Plagiarism Detection"
(COLING 2010), as PAN's own evaluation script computes them:

- a case or a detection is a pair of character ranges: ``this`` in the suspicious document and
  ``source`` in the source document (with the two document names);
- a detection *detects* a case when both its ranges overlap the case's (same two documents);
- recall of one case = (characters of the case's suspicious range covered by the detections that
  detect it + the same on the source side) / (case's suspicious length + case's source length);
  macro recall is the mean over all cases;
- precision is the same with cases and detections swapped (mean over all detections);
- with no cases and no detections, recall and precision are 1; with only one of them missing, 0;
- granularity = mean number of detections per detected case (1 when no case is detected);
- plagdet = F1(precision, recall) / log2(1 + granularity) (0 when F1 is 0).

Ranges are half-open ``[offset, offset + length)``; coverage is a union, so overlapping detections
count each character once.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Annotation:
    """A plagiarism case (truth) or a detection: ``this`` = suspicious side."""

    this_reference: str
    this_offset: int
    this_length: int
    source_reference: str
    source_offset: int
    source_length: int

    @property
    def this_end(self) -> int:
        return self.this_offset + self.this_length

    @property
    def source_end(self) -> int:
        return self.source_offset + self.source_length


@dataclass(frozen=True)
class Scores:
    recall: float
    precision: float
    granularity: float
    plagdet: float
    cases: int
    detections: int


def _overlaps(a: Annotation, b: Annotation) -> bool:
    return (
        a.this_reference == b.this_reference
        and a.source_reference == b.source_reference
        and b.this_offset < a.this_end
        and a.this_offset < b.this_end
        and b.source_offset < a.source_end
        and a.source_offset < b.source_end
    )


def _covered(lo: int, hi: int, ranges: Iterable[tuple[int, int]]) -> int:
    """Characters of ``[lo, hi)`` inside the union of ``ranges``."""
    clipped = sorted((max(lo, s), min(hi, e)) for s, e in ranges if s < hi and e > lo)
    total, reach = 0, lo
    for s, e in clipped:
        s = max(s, reach)
        if e > s:
            total += e - s
            reach = e
    return total


def _by_pair(annotations: Iterable[Annotation]) -> dict[tuple[str, str], list[Annotation]]:
    groups: dict[tuple[str, str], list[Annotation]] = defaultdict(list)
    for a in annotations:
        groups[(a.this_reference, a.source_reference)].append(a)
    return groups


def _coverage_per(items: Sequence[Annotation], others: Sequence[Annotation]) -> list[float]:
    """For each item: the share of its characters (both sides) covered by the others that overlap it."""
    groups = _by_pair(others)
    out: list[float] = []
    for item in items:
        hits = [o for o in groups.get((item.this_reference, item.source_reference), []) if _overlaps(item, o)]
        size = item.this_length + item.source_length
        if size <= 0:
            out.append(0.0)
            continue
        this = _covered(item.this_offset, item.this_end, ((o.this_offset, o.this_end) for o in hits))
        src = _covered(item.source_offset, item.source_end, ((o.source_offset, o.source_end) for o in hits))
        out.append((this + src) / size)
    return out


def macro_recall(cases: Sequence[Annotation], detections: Sequence[Annotation]) -> float:
    if not cases and not detections:
        return 1.0
    if not cases or not detections:
        return 0.0
    per_case = _coverage_per(cases, detections)
    return sum(per_case) / len(per_case)


def macro_precision(cases: Sequence[Annotation], detections: Sequence[Annotation]) -> float:
    return macro_recall(detections, cases)


def granularity(cases: Sequence[Annotation], detections: Sequence[Annotation]) -> float:
    groups = _by_pair(detections)
    counts = [
        sum(1 for d in groups.get((c.this_reference, c.source_reference), []) if _overlaps(c, d))
        for c in cases
    ]
    detected = [n for n in counts if n > 0]
    if not detected:
        return 1.0
    return sum(detected) / len(detected)


def plagdet(recall: float, precision: float, gran: float) -> float:
    if recall <= 0 or precision <= 0 or gran < 1:
        return 0.0
    f1 = 2 * recall * precision / (recall + precision)
    return f1 / math.log2(1 + gran)


def score(cases: Sequence[Annotation], detections: Sequence[Annotation]) -> Scores:
    r = macro_recall(cases, detections)
    p = macro_precision(cases, detections)
    g = granularity(cases, detections)
    return Scores(r, p, g, plagdet(r, p, g), len(cases), len(detections))
