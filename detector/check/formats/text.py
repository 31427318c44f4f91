"""The format for people: one finding per line, ``path:line:col: severity kind message``, then a summary."""

from __future__ import annotations

from collections import Counter

from detector.check.run import CheckedFinding, CheckResult
from detector.config import LIMITS
from detector.decisions import decision_tag, stale_line
from detector.model import FINDING_KINDS, SEVERITIES
from detector.textsafe import escape_control


def finding_line(c: CheckedFinding) -> str:
    """One line whatever the file name or message holds (control characters escaped)."""
    loc = c.location
    f = c.finding
    line = f"{c.path}:{loc.line}:{loc.column}: {f.severity} {f.kind} {f.message}{decision_tag(f)}"
    if c.related:
        places = [
            f"{r.location.line}:{r.location.column}"
            if r.path == c.path
            else f"{r.path}:{r.location.line}:{r.location.column}"
            for r in c.related[:LIMITS.related_shown]
        ]
        more = len(c.related) - LIMITS.related_shown
        line += f" (also at {', '.join(places)}{f', and {more} more' if more > 0 else ''})"
    return escape_control(line)


def summary_line(result: CheckResult) -> str:
    """Counts by kind and severity, what the baseline and allowlist held back, and the verdict."""
    n_files = len(result.files)
    head = f"{n_files} file{'s' if n_files != 1 else ''} checked"
    findings = [c.finding for c in result.findings]
    if findings:
        kinds = Counter(f.kind for f in findings)
        sevs = Counter(f.severity for f in findings)
        by_kind = ", ".join(f"{k} {kinds[k]}" for k in FINDING_KINDS if kinds[k])
        by_sev = ", ".join(f"{s} {sevs[s]}" for s in reversed(SEVERITIES) if sevs[s])
        failing = sum(1 for f in findings if result.fails(f))
        body = (
            f"{len(findings)} finding{'s' if len(findings) != 1 else ''} ({by_kind}; {by_sev}), "
            f"{failing} at or above {result.config.fail_on}"
        )
    else:
        body = "no findings"
    extras: list[str] = []
    if result.baselined:
        extras.append(f"{result.baselined} accepted by the baseline")
    if result.stale:
        extras.append(f"{result.stale} baseline entr{'ies' if result.stale != 1 else 'y'} no longer found")
    if result.dismissed:
        extras.append(f"{result.dismissed} dismissed by decisions")
    stale = stale_line(result.scan.decisions)
    if stale is not None:
        extras.append(stale)
    if result.allowed:
        extras.append(f"{result.allowed} in allowed paths")
    if result.failures:
        extras.append(f"{len(result.failures)} unreadable file{'s' if len(result.failures) != 1 else ''}")
    verdict = {0: "passed", 1: "failed", 2: "failed (input errors)"}[result.exit_code]
    return f"{head}, {body}{''.join('; ' + e for e in extras)}: {verdict}"


def render_text(result: CheckResult) -> str:
    lines = [finding_line(c) for c in result.findings]
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"
