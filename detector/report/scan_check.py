"""A saved scan JSON checked before it is rendered: the values that become CSS class names.

The report writes a finding's ``severity`` and ``kind`` and a block's ``kind`` into ``class`` attributes.
Autoescaping keeps them inside the attribute, but a crafted JSON could still add class tokens of its own
(hide a finding, restyle the page), so ``detector report`` refuses values outside the schema's enums.
"""

from __future__ import annotations

from typing import Any

from detector.model import FINDING_KINDS, SEVERITIES

BLOCK_KINDS = ("title", "main", "boilerplate")


def enum_problem(scan: dict[str, Any]) -> str | None:
    """Where the scan holds a severity or kind outside the schema's enums, or None."""
    pages = scan.get("pages")
    if not isinstance(pages, list):
        return None
    for n, page in enumerate(pages, start=1):
        if not isinstance(page, dict):
            continue
        for m, block in enumerate(_dicts(page.get("blocks")), start=1):
            if block.get("kind") not in BLOCK_KINDS:
                return f"page {n} block {m}: kind {block.get('kind')!r} is not a block kind"
        for m, finding in enumerate(_dicts(page.get("findings")), start=1):
            if finding.get("severity") not in SEVERITIES:
                return f"page {n} finding {m}: severity {finding.get('severity')!r} is not a severity"
            if finding.get("kind") not in FINDING_KINDS:
                return f"page {n} finding {m}: kind {finding.get('kind')!r} is not a finding kind"
    return None


def _dicts(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
