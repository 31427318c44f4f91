"""The order findings are shown in (CONTRACT.md): severity first, high on top, then position in the page.

The scan JSON is written in this order already; the report sorts again (stably) so that a scan saved by
an older version, or edited by hand, reads the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from detector.model import SEVERITIES


def _rank(raw: Mapping[str, Any]) -> int:
    severity = raw.get("severity")
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


def _start(raw: Mapping[str, Any]) -> int:
    """The first character of the finding on its page (0 when the dict does not say)."""
    span: object = None
    passages, occurrences = raw.get("passages"), raw.get("occurrences")
    if isinstance(passages, list) and passages and isinstance(passages[0], Mapping):
        span = passages[0].get("page")
    elif isinstance(occurrences, list) and occurrences:
        span = occurrences[0]
    if isinstance(span, list) and span and isinstance(span[0], int) and not isinstance(span[0], bool):
        return span[0]
    return 0


def ordered_findings(findings: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Findings of one page in display order (a stable sort: ties keep the JSON's order)."""
    return sorted(findings, key=lambda f: (-_rank(f), _start(f)))
