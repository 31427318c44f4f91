"""Review decisions (CONTRACT.md "Review decisions"): read a decisions file, apply it to a scan.

A reviewer marks findings in the HTML report as ``confirmed``, ``dismissed`` (not a problem) or
``allowed`` (acceptable here: a licensed repost, an intended duplicate) and exports
``decisions.json``; ``scan``, ``check`` and ``report`` read it back with ``--decisions FILE``.
Decisions match findings by fingerprint (stable under edits elsewhere on the page). Applying them:

- every matched finding gets ``decision`` (``FindingDecision``: status and note);
- a dismissed finding stays, but counts in neither the summary nor ``--fail-on``;
- an allowed finding becomes ``info`` (the contract names reposts; any kind is treated alike);
- an entry whose fingerprint matches no finding of the run is stale: listed in
  ``summary.decisions.stale`` and on one line of the text output.

When a file names one fingerprint more than once, the entry whose ``uri`` is the finding's page wins,
else the last one (a decision appended later overrides an earlier one).

The file is validated against the contract's JSON Schema (``SCHEMA``, the same dict the HTML report's
script validates imports with) by a small validator for the keywords that schema uses.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from detector.config import LIMITS
from detector.errors import DecisionsError
from detector.model import (
    DECISION_OPTIONAL_FIELDS,
    FINDING_KINDS,
    SEVERITIES,
    DecisionEntry,
    DecisionsApplied,
    DecisionStatus,
    Finding,
    FindingDecision,
    PageResult,
    severity_rank,
)

SCHEMA_ID = "detector.decisions/1"
STATUSES: tuple[DecisionStatus, ...] = ("confirmed", "dismissed", "allowed")

# A copy of contract/decisions.schema.json (tests check that they are equal).
SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "detector review decisions",
    "type": "object",
    "required": ["schema", "decisions"],
    "properties": {
        "schema": {"const": SCHEMA_ID},
        "decisions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["fingerprint", "decision"],
                "properties": {
                    "fingerprint": {"type": "string", "minLength": 1},
                    "decision": {"enum": list(STATUSES)},
                    "kind": {"type": "string"},
                    "uri": {"type": "string"},
                    "note": {"type": "string"},
                    "by": {"type": "string"},
                    "at": {"type": "string"},
                },
            },
        },
    },
}
# The keywords ``schema_errors`` understands; annotations are ignored.
KEYWORDS = frozenset({"type", "required", "properties", "const", "enum", "items", "minLength"})
ANNOTATIONS = frozenset({"$schema", "$id", "title", "description"})

_TYPES: dict[str, Any] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


def schema_errors(value: Any, schema: Mapping[str, Any] = SCHEMA, where: str = "") -> list[str]:
    """Where ``value`` breaks ``schema`` (the subset of JSON Schema in KEYWORDS), as readable lines."""
    unknown = set(schema) - KEYWORDS - ANNOTATIONS
    if unknown:
        raise ValueError(f"schema keyword(s) not supported: {', '.join(sorted(unknown))}")
    at = where or "the file"
    if "type" in schema and not isinstance(value, _TYPES[schema["type"]]):
        return [f"{at}: must be {'an' if schema['type'][0] in 'ao' else 'a'} {schema['type']}"]
    if "const" in schema and value != schema["const"]:
        return [f"{at}: must be {json.dumps(schema['const'])}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{at}: must be one of {', '.join(map(str, schema['enum']))}"]
    if "minLength" in schema and isinstance(value, str) and len(value) < schema["minLength"]:
        return [f"{at}: must not be empty"]
    errors: list[str] = []
    if isinstance(value, dict):
        for key, sub in schema.get("properties", {}).items():  # a foreign "schema" is named first
            if key in value:
                errors += schema_errors(value[key], sub, f"{where}.{key}" if where else key)
        for key in schema.get("required", ()):
            if key not in value:
                errors.append(f"{at}: {json.dumps(key)} is missing")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += schema_errors(item, schema["items"], f"{where}[{i}]")
    return errors


@dataclass(frozen=True)
class Decisions:
    """The entries of a decisions file, in file order."""

    entries: tuple[DecisionEntry, ...] = ()
    # The entries by fingerprint, so that matching stays linear in findings plus entries.
    by_fingerprint: dict[str, list[DecisionEntry]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, list[DecisionEntry]] = {}
        for entry in self.entries:
            index.setdefault(entry.fingerprint, []).append(entry)
        object.__setattr__(self, "by_fingerprint", index)

    def lookup(self, fingerprint: str, uri: str | None) -> DecisionEntry | None:
        """The entry for a finding: one naming its page first, else the last for the fingerprint."""
        found = self.by_fingerprint.get(fingerprint, [])
        on_page = [e for e in found if e.uri is not None and e.uri == uri]
        best = on_page or found
        return best[-1] if best else None

    def stale(self, matched: Iterable[str]) -> tuple[DecisionEntry, ...]:
        seen = set(matched)
        return tuple(e for e in self.entries if e.fingerprint not in seen)


def parse_decisions(data: Any, where: str) -> Decisions:
    """Validate a decoded decisions file; DecisionsError names ``where`` and the first problem."""
    errors = schema_errors(data)
    if errors:
        n = len(errors) - 1
        more = f" (and {n} more problem{'s' if n != 1 else ''})" if n else ""
        raise DecisionsError(f"{where}: not a detector decisions file: {printable(errors[0])}{more}")
    entries = []
    for item in data["decisions"]:
        values = {k: item.get(k) for k in DECISION_OPTIONAL_FIELDS}
        entries.append(DecisionEntry(item["fingerprint"], item["decision"], **values))
    return Decisions(tuple(entries))


def read_decisions(path: Path) -> Decisions:
    """Read and validate ``--decisions FILE``: a missing, undecodable or foreign file is a DecisionsError."""
    where = printable(str(path))
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DecisionsError(f"{where}: no such decisions file") from None
    except IsADirectoryError:
        raise DecisionsError(f"{where}: is a folder, not a decisions file") from None
    except OSError as err:
        raise DecisionsError(f"{where}: decisions file cannot be read ({err.strerror or err})") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise DecisionsError(f"{where}: not a detector decisions file (not UTF-8 text)") from None
    except RecursionError:
        raise DecisionsError(f"{where}: not a detector decisions file (JSON nested too deeply)") from None
    except ValueError as err:
        raise DecisionsError(f"{where}: not a detector decisions file (invalid JSON: {err})") from None
    return parse_decisions(data, where)


def dumps_decisions(entries: Iterable[DecisionEntry]) -> str:
    """A decisions file, as the report exports it (entries in the order given)."""
    data = {"schema": SCHEMA_ID, "decisions": [e.to_json() for e in entries]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# --- applying decisions to a ScanResult (scan, check) -------------------------------------------


def _decided(f: Finding, entry: DecisionEntry) -> Finding:
    severity = "info" if entry.decision == "allowed" else f.severity
    return replace(f, severity=severity, decision=FindingDecision(entry.decision, entry.note))


def decide_page(page: PageResult, decisions: Decisions) -> PageResult:
    """The page with its findings' decisions; re-ordered by severity only when one changed."""
    if not page.findings:
        return page
    findings = []
    for f in page.findings:
        entry = decisions.lookup(f.fingerprint, page.uri)
        findings.append(f if entry is None else _decided(f, entry))
    if any(a.severity != b.severity for a, b in zip(findings, page.findings, strict=True)):
        findings.sort(key=lambda f: (-severity_rank(f.severity), f.first_offset()))
    return replace(page, findings=tuple(findings))


def decide_pages(
    pages: Sequence[PageResult], decisions: Decisions
) -> tuple[tuple[PageResult, ...], DecisionsApplied]:
    """Every page's findings with their decisions, and the counts and stale entries for the summary.

    ``ScanResult.with_decisions`` calls this (a result is above this module in the layers).
    """
    decided = tuple(decide_page(p, decisions) for p in pages)
    found = [f for p in decided for f in p.findings]
    counts = Counter(f.decision.status for f in found if f.decision is not None)
    applied = DecisionsApplied(
        confirmed=counts["confirmed"],
        dismissed=counts["dismissed"],
        allowed=counts["allowed"],
        stale=decisions.stale(f.fingerprint for f in found),
    )
    return decided, applied


def decisions_json(applied: DecisionsApplied) -> dict[str, Any]:
    """``summary.decisions``: counts by status, and the stale entries as the file had them."""
    stale = [
        {"fingerprint": s.fingerprint, "decision": s.decision}
        | {k: v for k in DECISION_OPTIONAL_FIELDS if (v := getattr(s, k)) is not None}
        for s in applied.stale
    ]
    return {
        "confirmed": applied.confirmed,
        "dismissed": applied.dismissed,
        "allowed": applied.allowed,
        "stale": stale,
    }


# --- applying decisions to a saved scan JSON (report) -------------------------------------------


def _first_offset(f: Mapping[str, Any]) -> int:
    for key, inner in (("passages", "page"), ("occurrences", None)):
        items = f.get(key)
        if isinstance(items, list) and items:
            first = items[0].get(inner) if inner and isinstance(items[0], dict) else items[0]
            if isinstance(first, list) and first and isinstance(first[0], int):
                return first[0]
    return 0


def _rank(f: Mapping[str, Any]) -> int:
    severity = f.get("severity")
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


def apply_to_scan_dict(scan: Mapping[str, Any], decisions: Decisions) -> dict[str, Any]:
    """A copy of a saved scan JSON with the decisions applied and the summary counted again.

    Meant for a scan made without decisions: a finding allowed by an earlier file is already ``info``.
    """
    out = json.loads(json.dumps(scan))
    matched: list[str] = []
    counts: Counter[str] = Counter()
    pages = out.get("pages") if isinstance(out.get("pages"), list) else []
    for page in pages:
        if not isinstance(page, dict) or not isinstance(page.get("findings"), list):
            continue
        uri = page.get("uri") if isinstance(page.get("uri"), str) else None
        findings = [f for f in page["findings"] if isinstance(f, dict)]
        before = [f.get("severity") for f in findings]
        for f in findings:
            f.pop("decision", None)
            fp = f.get("fingerprint")
            entry = decisions.lookup(fp, uri) if isinstance(fp, str) else None
            if entry is None:
                continue
            matched.append(entry.fingerprint)
            counts[entry.decision] += 1
            f["decision"] = {"status": entry.decision} | (
                {"note": entry.note} if entry.note is not None else {}
            )
            if entry.decision == "allowed":
                f["severity"] = "info"
        if before != [f.get("severity") for f in findings]:
            findings.sort(key=lambda f: (-_rank(f), _first_offset(f)))
        page["findings"] = findings
    summary = out.get("summary") if isinstance(out.get("summary"), dict) else {}
    kinds: Counter[str] = Counter()
    severities: Counter[str] = Counter()
    for page in pages:
        for f in page.get("findings", []) if isinstance(page, dict) else []:
            if f.get("decision", {}).get("status") != "dismissed":
                kinds[str(f.get("kind"))] += 1
                severities[str(f.get("severity"))] += 1
    summary["findings"] = _ordered(kinds, FINDING_KINDS)
    summary["severities"] = _ordered(severities, SEVERITIES)
    applied = DecisionsApplied(
        counts["confirmed"], counts["dismissed"], counts["allowed"], decisions.stale(matched)
    )
    summary["decisions"] = decisions_json(applied)
    out["summary"] = summary
    return cast(dict[str, Any], out)


def _ordered(counts: Counter[str], order: Sequence[str]) -> dict[str, int]:
    known = {k: counts[k] for k in order if counts[k]}
    return known | {k: counts[k] for k in sorted(counts) if k not in order}


# --- what the text outputs print ---------------------------------------------------------------

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(value: str) -> str:
    """Text for a terminal or CI log: control characters escaped (CONTRACT.md "Hostile input")."""

    def esc(m: re.Match[str]) -> str:
        code = ord(m.group())
        named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(m.group())
        return named or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")

    return _CONTROL.sub(esc, value)


def decision_tag(f: Finding) -> str:
    """`` [allowed: note]`` after a finding's message in text output; "" when undecided."""
    if f.decision is None:
        return ""
    note = f": {printable(f.decision.note)}" if f.decision.note else ""
    return f" [{f.decision.status}{note}]"




def stale_line(applied: DecisionsApplied | None) -> str | None:
    """One line naming the decisions whose finding no longer exists, or None."""
    if applied is None or not applied.stale:
        return None
    n = len(applied.stale)
    shown = ", ".join(printable(s.fingerprint) for s in applied.stale[: LIMITS.stale_shown])
    more = f" and {n - LIMITS.stale_shown} more" if n > LIMITS.stale_shown else ""
    return f"{n} stale decision{'s' if n != 1 else ''} (no such finding in this run): {shown}{more}"
