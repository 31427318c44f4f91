"""``detector check``: files -> scan -> decisions -> locations -> allowlist -> baseline -> exit code.

No printing. Dismissed findings stay in ``scan`` (the JSON output) but not in ``findings`` (what the
other formats report and the exit code counts); allowed ones are ``info`` (``detector.decisions``).

All checked files form one site (``CheckConfig.site_name``), so a passage repeated across them is one
finding with ``also_in`` (CONTRACT.md), located at its first occurrence.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path

from detector import scanning
from detector.check.baseline import BaselineEntry, read_baseline, split, write_baseline
from detector.check.config import CheckConfig
from detector.check.files import Globs, expand_paths, relative_to_root
from detector.check.locations import Locator, finding_spans, locate_finding
from detector.config import Settings
from detector.decisions import read_decisions
from detector.errors import InputError
from detector.model import (
    Document,
    Finding,
    InputFailure,
    Location,
    PageResult,
    Progress,
    no_progress,
    severity_rank,
)
from detector.result import ScanResult


@dataclass(frozen=True)
class Related:
    """Another place of a finding: a further occurrence on its page or one in another file."""

    path: str
    location: Location


@dataclass(frozen=True)
class CheckedFinding:
    path: str  # the page's uri: relative to the working directory when under it
    finding: Finding  # with its location
    related: tuple[Related, ...] = ()

    @property
    def location(self) -> Location:
        if self.finding.location is None:
            raise ValueError("a checked finding has a location")
        return self.finding.location


@dataclass(frozen=True)
class CheckResult:
    config: CheckConfig
    scan: ScanResult  # the scan with only the reported findings, each with its location
    findings: tuple[CheckedFinding, ...]  # the reported findings, file by file
    files: tuple[str, ...]  # uris of the checked files
    baselined: int = 0  # findings the baseline accepts (not reported)
    dismissed: int = 0  # new findings a reviewer dismissed (in the JSON, not reported)
    allowed: int = 0  # findings in allow.paths files (not reported)
    stale: int = 0  # baseline entries that match no finding any more
    baseline_written: Path | None = None
    failures: tuple[InputFailure, ...] = ()
    skipped: tuple[str, ...] = ()  # files and folders not read: their real path leaves the project

    def fails(self, finding: Finding) -> bool:
        return severity_rank(finding.severity) >= severity_rank(self.config.fail_on)

    @property
    def exit_code(self) -> int:
        if self.failures:
            return 2
        return 1 if any(self.fails(c.finding) for c in self.findings) else 0


def run_check(
    config: CheckConfig,
    *,
    write_baseline_to: Path | None = None,
    progress: Progress = no_progress,
) -> CheckResult:
    """Check the configured paths. Raises DetectorError (InputError, ConfigError, BaselineError,
    IndexFileError) for what stops the run at once: a missing path, a bad baseline or index."""
    cwd = Path.cwd()
    named = config.paths or (cwd,)
    skipped: list[Path] = []
    files = expand_paths(
        [(_shown(p, cwd), p) for p in named],
        config.root,
        config.include,
        config.exclude,
        project=config.project,
        skipped=skipped,
    )
    if not files:  # a gate pointed at the wrong folder must not pass for ever
        where = " ".join(_shown(p, cwd) for p in named)
        raise InputError(
            where,
            f"nothing to check: no file matches {' '.join(config.include)} "
            "(hidden and excluded files skipped)",
        )
    # Writing a baseline accepts every current finding: the old one (maybe corrupt) is not read.
    reading = config.baseline is not None and write_baseline_to is None
    baseline = read_baseline(config.baseline) if reading and config.baseline is not None else None
    decisions = read_decisions(config.decisions) if config.decisions is not None else None

    settings = Settings().with_overrides(allow_sources=config.allow_sources)
    profile = config.profile_for(config.site_name)
    result = scanning.scan(
        [str(f) for f in files],
        config.index,
        settings,
        site=config.site_name,
        site_profile=profile,
        progress=progress,
        # A docs folder is about many things: topics are judged only against a configured profile.
        judge_topics=bool(profile and profile.strip()),
    )
    if decisions is not None:
        result = result.with_decisions(decisions)

    docs = {r.document.uri: r.document for r in result.pages if r.document is not None}
    locators: dict[str, Locator] = {}

    def locator(uri: str) -> Locator | None:
        if uri not in locators and uri in docs:
            locators[uri] = Locator(docs[uri])
        return locators.get(uri)

    allowed_paths = Globs.of(config.allow_paths)
    current: list[tuple[PageResult, CheckedFinding, BaselineEntry]] = []
    allowed = 0
    reported_across: set[str] = set()
    for page in result.pages:
        doc = page.document
        if doc is None:
            continue
        rel = relative_to_root(Path(os.path.abspath(doc.uri)), config.root)
        if allowed_paths.match(rel):
            allowed += len(page.findings)
            continue
        here = locator(doc.uri)
        if here is None:
            raise ValueError(f"{doc.uri}: checked but not located")
        for f in page.findings:
            if f.kind == "duplicate-passage" and f.also_in_pages:
                # A passage repeated across files is one finding, at its first place (pages come in
                # path order): the same passage on a later page is already in that finding's also_in.
                if f.fingerprint in reported_across:
                    continue
                reported_across.add(f.fingerprint)
            f = _allow_url(f, config.allow_source_urls)
            f = replace(f, location=locate_finding(here, f))
            checked = CheckedFinding(doc.uri, f, _related(doc, f, here, locator))
            current.append((page, checked, BaselineEntry(rel, f.kind, f.fingerprint)))

    written: Path | None = None
    failures = tuple(r.failure for r in result.pages if r.failure is not None)
    if write_baseline_to is not None and not failures:
        write_baseline(write_baseline_to, [entry for _, _, entry in current])
        written = write_baseline_to
        accepted: tuple[BaselineEntry, ...] | None = tuple(entry for _, _, entry in current)
    else:
        accepted = baseline
    if accepted is not None:
        parts = split(accepted, [entry for _, _, entry in current])
        reported = [current[i] for i in parts.new]
        baselined, stale = len(parts.known), parts.stale
    else:
        reported, baselined, stale = current, 0, 0

    kept: dict[int, list[Finding]] = {}
    for page, checked, _ in reported:
        kept.setdefault(id(page), []).append(checked.finding)  # dismissed ones too: the JSON keeps them
    pages = tuple(
        replace(r, findings=tuple(kept.get(id(r), []))) if r.document is not None else r for r in result.pages
    )
    return CheckResult(
        config=config,
        scan=replace(result, pages=pages),
        findings=tuple(checked for _, checked, _ in reported if not checked.finding.dismissed),
        files=tuple(r.uri for r in result.pages),
        baselined=baselined,
        dismissed=sum(1 for _, checked, _ in reported if checked.finding.dismissed),
        allowed=allowed,
        stale=stale,
        baseline_written=written,
        failures=failures,
        skipped=tuple(_shown(p, cwd) for p in skipped),
    )


def _shown(path: Path, cwd: Path) -> str:
    """A path as a message shows it: relative to the working directory when under it."""
    shown = relative_to_root(path, cwd)
    return shown or "."


def _allow_url(f: Finding, patterns: tuple[str, ...]) -> Finding:
    """A repost of a source whose URL is allowlisted is ``info`` (as for allowlisted ids)."""
    if f.kind != "repost" or f.source is None or f.source.url is None or f.severity == "info":
        return f
    if any(fnmatchcase(f.source.url, p) for p in patterns):
        return replace(f, severity="info")
    return f


def _related(
    doc: Document, f: Finding, here: Locator, locator: Callable[[str], Locator | None]
) -> tuple[Related, ...]:
    out = [Related(doc.uri, here.locate(span)) for span in finding_spans(doc, f)[1:]]
    for other in f.also_in_pages:
        there = locator(other.uri)
        if there is None:
            continue
        out.extend(Related(other.uri, there.locate(span)) for span in other.occurrences)
    return tuple(out)
