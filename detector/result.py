"""The result of a scan and its JSON (CONTRACT.md): fixed key order, floats rounded to 4 places,
byte-identical for the same inputs and settings (no timestamps, no absolute paths beyond what the
user named). ``ScanResult.to_json()`` is what ``detector scan --json`` writes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from detector import indented_json
from detector.decisions import Decisions, decide_pages, decisions_json
from detector.model import (
    FINDING_KINDS,
    SEVERITIES,
    DecisionsApplied,
    FetchError,
    Finding,
    InputFailure,
    PageResult,
    SourceDoc,
    SourceRef,
    Topic,
)
from detector.version import __version__

SCHEMA = "detector.scan/1"


@dataclass(frozen=True)
class SiteSummary:
    """Per site, as Siteliner reports it: shares of all main text, and the near-duplicate pages."""

    pages: int
    unique: float
    shared: float
    copied: float
    duplicate_pages: int

    def to_dict(self) -> dict[str, object]:
        return {
            "pages": self.pages,
            "unique": self.unique,
            "shared": self.shared,
            "copied": self.copied,
            "duplicate_pages": self.duplicate_pages,
        }


@dataclass(frozen=True)
class ScanResult:
    """Everything a scan found: the pages with their findings, the sources they name, the
    settings and index manifest of the run, and per-site summaries."""

    pages: tuple[PageResult, ...]
    sources: dict[str, SourceDoc] = field(default_factory=dict)
    settings: dict[str, object] = field(default_factory=dict)
    index_manifest: dict[str, object] | None = None
    sites: dict[str, SiteSummary] = field(default_factory=dict)
    # Sources of a corpus read for this run (``scan --corpus``) that could not be read; not in the JSON.
    corpus_failures: tuple[InputFailure, ...] = ()
    # Set by ``with_decisions``: counts by status and the stale decisions (``summary.decisions``).
    decisions: DecisionsApplied | None = None
    # Crawled links that failed (``summary.fetch_errors``); None when no URL was fetched.
    fetch_errors: tuple[FetchError, ...] | None = None
    interrupted: bool = False  # Ctrl-C stopped the crawl: the pages are those fetched by then

    def with_corpus_failures(self, failures: Sequence[InputFailure]) -> ScanResult:
        return replace(self, corpus_failures=tuple(failures))

    def with_fetch(self, errors: Sequence[FetchError], interrupted: bool) -> ScanResult:
        return replace(self, fetch_errors=tuple(errors), interrupted=interrupted)

    def with_decisions(self, decisions: Decisions) -> ScanResult:
        """The result with review decisions applied (``detector.decisions``, ``--decisions FILE``)."""
        pages, applied = decide_pages(self.pages, decisions)
        return replace(self, pages=pages, decisions=applied)

    def to_dict(self) -> dict[str, Any]:
        """The scan JSON as plain data."""
        return scan_dict(self)

    def to_json(self) -> str:
        """The scan JSON, byte for byte what ``detector scan --json`` writes."""
        return dumps(scan_dict(self))


def _r(x: float) -> float:
    return round(float(x), 4)


def _ref(ref: SourceRef) -> dict[str, Any]:
    return {
        "id": ref.id,
        "uri": ref.uri,
        "url": ref.url,
        "title": ref.title,
        "category": ref.category,
        "published": ref.published,
    }


def _topic(t: Topic) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if t.verdict is not None:
        out["verdict"] = t.verdict
    if t.similarity is not None:
        out["similarity"] = _r(t.similarity)
    if t.threshold is not None:
        out["threshold"] = _r(t.threshold)
    if t.similarity is not None or t.site_terms or t.page_terms:
        out["site_terms"] = list(t.site_terms)
        out["page_terms"] = list(t.page_terms)
        out["source_category"] = t.source_category
    if t.signal is not None:
        out["signal"] = t.signal
    if t.reason is not None:
        out["reason"] = t.reason
    return out


def finding_dict(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": f.kind,
        "severity": f.severity,
        "score": _r(f.score),
        "message": f.message,
        "fingerprint": f.fingerprint,
    }
    if f.kind in ("repost", "off-topic-repost"):
        if f.source is None:
            raise ValueError(f"a {f.kind} finding names no source")
        out["source"] = _ref(f.source)
        out["coverage"] = _r(f.coverage or 0.0)
        out["source_coverage"] = _r(f.source_coverage or 0.0)
        out["passages"] = [
            {"page": list(p.page), "source": list(p.source), "similarity": _r(p.similarity)}
            for p in f.passages
        ]
        out["also_in"] = [_ref(s) for s in f.also_in_sources]
        out["first_published"] = f.first_published
    if f.kind == "duplicate-passage":
        out["occurrences"] = [list(o) for o in f.occurrences]
        out["also_in"] = [
            {"uri": a.uri, "occurrences": [list(o) for o in a.occurrences], "published": a.published}
            for a in f.also_in_pages
        ]
    if f.kind == "duplicate-page":
        out["other"] = {"uri": f.other_uri}
        out["similarity"] = _r(f.similarity or 0.0)
    if f.topic is not None:
        out["topic"] = _topic(f.topic)
    if f.location is not None:
        loc = f.location
        out["location"] = {
            "line": loc.line,
            "column": loc.column,
            "end_line": loc.end_line,
            "end_column": loc.end_column,
        }
    if f.decision is not None:
        out["decision"] = {"status": f.decision.status}
        if f.decision.note is not None:
            out["decision"]["note"] = f.decision.note
    return out


def page_dict(r: PageResult) -> dict[str, Any]:
    if r.document is None:
        if r.failure is None:
            raise ValueError("a page result holds a document or a failure")
        return {
            "uri": r.failure.uri,
            "url": None,
            "site": r.failure.site,
            "site_name": None,
            "title": None,
            "encoding": None,
            "published": None,
            "published_from": None,
            "text": "",
            "blocks": [],
            "error": r.failure.error,
            "findings": [],
        }
    d = r.document
    out: dict[str, Any] = {
        "uri": d.uri,
        "url": d.url,
        "site": d.site,
        "site_name": d.site_name,
        "title": d.title,
        "encoding": d.encoding,
        "published": d.published,
        "published_from": d.published_from,
        "text": d.text,
        "blocks": [{"start": b.start, "end": b.end, "kind": b.kind} for b in d.blocks],
    }
    if d.fetch is not None:
        out["fetch"] = {
            "status": d.fetch.status,
            "final_url": d.fetch.final_url,
            "content_type": d.fetch.content_type,
        }
    if r.topic is not None:
        out["topic"] = _topic(r.topic)
    if r.content is not None:
        out["content"] = {
            "unique": _r(r.content.unique),
            "shared": _r(r.content.shared),
            "copied": _r(r.content.copied),
        }
    out["findings"] = [finding_dict(f) for f in r.findings]
    return out


def _source(s: SourceDoc) -> dict[str, Any]:
    return {
        "id": s.id,
        "uri": s.uri,
        "url": s.url,
        "title": s.title,
        "category": s.category,
        "published": s.published,
        "text": s.text,
    }


def scan_dict(result: ScanResult) -> dict[str, Any]:
    kinds: Counter[str] = Counter()
    severities: Counter[str] = Counter()
    for r in result.pages:
        for f in r.findings:
            if f.dismissed:  # stays in the JSON, counts nowhere (CONTRACT.md "decision")
                continue
            kinds[f.kind] += 1
            severities[f.severity] += 1
    summary: dict[str, Any] = {
        "pages": len(result.pages),
        "errors": sum(1 for r in result.pages if r.failure is not None),
        "findings": {k: kinds[k] for k in FINDING_KINDS if kinds[k]},
        "severities": {s: severities[s] for s in SEVERITIES if severities[s]},
    }
    if result.sites:
        summary["sites"] = {k: result.sites[k].to_dict() for k in sorted(result.sites)}
    if result.fetch_errors is not None:
        summary["fetch_errors"] = [{"url": e.url, "error": e.error} for e in result.fetch_errors]
    if result.decisions is not None:
        summary["decisions"] = decisions_json(result.decisions)
    return {
        "schema": SCHEMA,
        "tool": {"name": "detector", "version": __version__},
        "settings": result.settings,
        "index": result.index_manifest,
        "sources": {k: _source(result.sources[k]) for k in sorted(result.sources)},
        "pages": [page_dict(r) for r in result.pages],
        "summary": summary,
    }


def dumps(data: dict[str, Any]) -> str:
    return indented_json.dumps(data) + "\n"  # json.dumps(data, ensure_ascii=False, indent=2)
