"""SARIF 2.1.0 for code-scanning services (GitHub code scanning, Azure DevOps, IDE viewers).

One rule per finding kind; one result per finding with its physical location (1-based lines, columns in
code points: ``"columnKind": "unicodeCodePoints"``; ``endColumn`` exclusive, as SARIF defines it), the
other places of a duplicate as related locations, and the finding's fingerprint as a partial fingerprint
so that a service tracks the same finding across commits. Levels: findings at or above ``--fail-on`` are
``error``, ``info`` findings ``note``, the rest ``warning``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from detector.check.run import CheckedFinding, CheckResult, Related
from detector.model import FINDING_KINDS, Location
from detector.version import __version__

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"

RULES: dict[str, tuple[str, str, str]] = {
    # kind: (name, short description, full description)
    "repost": (
        "Repost",
        "Content copied from a source article",
        "The page copies passages of a source document held in the index. Severity follows the share of "
        "the page's main text that is copied: high from 50%, medium from 20%, low below; info when the "
        "source is allowlisted (a syndication agreement).",
    ),
    "off-topic-repost": (
        "OffTopicRepost",
        "Copied content that is off the site's topic",
        "The page copies a source whose topic is far from what the site is about: the pattern search "
        "engines penalise as cross-domain scraping.",
    ),
    "off-topic": (
        "OffTopic",
        "Content off the site's topic",
        "The page's main text is far from the site's profile, and no source was found for it.",
    ),
    "duplicate-passage": (
        "DuplicatePassage",
        "Duplicated passage",
        "A sentence or paragraph of the main text occurs again, exactly or nearly, in the same file or in "
        "other checked files; one finding lists every place.",
    ),
    "duplicate-page": (
        "DuplicatePage",
        "Near-duplicate page",
        "Most of the page's main text is the same as another checked page.",
    ),
}


def _uri(path: str) -> dict[str, str]:
    if os.path.isabs(path):
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def _physical(path: str, loc: Location) -> dict[str, Any]:
    return {
        "artifactLocation": _uri(path),
        "region": {
            "startLine": loc.line,
            "startColumn": loc.column,
            "endLine": loc.end_line,
            "endColumn": loc.end_column,
        },
    }


def _related(index: int, r: Related, same_file: bool) -> dict[str, Any]:
    what = "Another occurrence" if same_file else f"Also in {r.path}"
    return {"id": index, "physicalLocation": _physical(r.path, r.location), "message": {"text": what}}


def _level(result: CheckResult, c: CheckedFinding) -> str:
    if result.fails(c.finding):
        return "error"
    return "note" if c.finding.severity == "info" else "warning"


def _result(result: CheckResult, c: CheckedFinding) -> dict[str, Any]:
    f = c.finding
    out: dict[str, Any] = {
        "ruleId": f.kind,
        "ruleIndex": FINDING_KINDS.index(f.kind),
        "level": _level(result, c),
        "message": {"text": f.message},
        "locations": [{"physicalLocation": _physical(c.path, c.location)}],
        "partialFingerprints": {"detectorFingerprint/v1": f.fingerprint},
        "properties": {"severity": f.severity, "score": round(f.score, 4)},
    }
    if c.related:
        out["relatedLocations"] = [_related(i, r, r.path == c.path) for i, r in enumerate(c.related, start=1)]
    if f.source is not None:
        out["properties"]["source"] = {"id": f.source.id, "url": f.source.url, "title": f.source.title}
    return out


def sarif_dict(result: CheckResult) -> dict[str, Any]:
    rules = [
        {
            "id": kind,
            "name": RULES[kind][0],
            "shortDescription": {"text": RULES[kind][1]},
            "fullDescription": {"text": RULES[kind][2]},
            "help": {"text": RULES[kind][2]},
            "defaultConfiguration": {"level": "warning"},
        }
        for kind in FINDING_KINDS
    ]
    notifications = [
        {
            "level": "error",
            "message": {"text": f"{failure.uri}: {failure.error}"},
            "locations": [{"physicalLocation": {"artifactLocation": _uri(failure.uri.split("#")[0])}}],
        }
        for failure in result.failures
    ]
    invocation: dict[str, Any] = {"executionSuccessful": not result.failures}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    cwd_uri = Path.cwd().as_uri().rstrip("/") + "/"
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "detector",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": cwd_uri}},
                "invocations": [invocation],
                "columnKind": "unicodeCodePoints",
                "results": [_result(result, c) for c in result.findings],
            }
        ],
    }


def render_sarif(result: CheckResult) -> str:
    return json.dumps(sarif_dict(result), ensure_ascii=False, indent=2) + "\n"
