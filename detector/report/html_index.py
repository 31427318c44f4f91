"""The context of ``index.html``: run totals, sources hit, sites, and one data row per page.

Rows are not rendered on the server: the script draws 100 at a time from the JSON data island,
so that 10,000 pages sort, filter and search without a 10,000-row DOM.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from markupsafe import Markup

from detector.config import LIMITS
from detector.report.html_scan import (
    KINDS,
    PAGES_DIR,
    RANKS,
    REPOST_KINDS,
    SEVERITIES,
    Shared,
    content,
    dismissed,
    duplicated,
    json_island,
    mapping,
    maps,
    num,
    opt,
    source_view,
    text,
    worst,
)


@dataclass(frozen=True)
class Count:
    name: str
    count: int


@dataclass(frozen=True)
class SourceRow:
    title: str
    uri: str
    category: str | None
    pages: int
    max_coverage: float | None


@dataclass(frozen=True)
class SiteRow:
    """A site with its content shares; ``index`` points into the data island's ``sites``."""

    index: int
    site: str
    names: str
    pages: int
    unique: float | None
    shared: float | None
    copied: float | None
    duplicated: float | None
    duplicate_pages: int | None


@dataclass(frozen=True)
class IndexContext:
    """``index.html``: totals, counts by kind and severity, the filter options, sites, sources.

    ``data`` is the JSON island: ``rows`` (one per page: uri, title, site, worst rank, kinds, top
    coverage, report href, error, duplicated share, fingerprints ...), ``sites`` (names, by
    ``SiteRow.index``) and ``review`` (``html_review.review_data``).
    """

    shared: Shared
    script: Markup
    pages: int
    errors: int
    findings: int
    by_kind: list[Count]
    by_severity: list[Count]
    sources_hit: int
    sources: list[SourceRow]
    more_sources: int
    sites: list[SiteRow]
    site_names: list[str]
    kinds: list[str]
    ranks: list[str]
    data: Markup


def _counts(names: Sequence[str], given: Any, computed: Mapping[str, int]) -> list[Count]:
    """Counts in a fixed order; the summary's figure wins, the pages' count fills in."""
    given = mapping(given)
    extra = sorted(k for k in {*map(text, given), *computed} if k not in names)
    out = []
    for name in (*names, *extra):
        value = given.get(name)
        out.append(Count(name, value if isinstance(value, int) else computed.get(name, 0)))
    return out


def _row(page: Mapping[str, Any], href: str) -> dict[str, Any]:
    findings = maps(page.get("findings"))
    kinds = {text(f.get("kind")) for f in findings}
    coverages = [
        c for f in findings if f.get("kind") in REPOST_KINDS and (c := num(f.get("coverage"))) is not None
    ]
    searchable = [text(f.get("message")) for f in findings]
    searchable += [
        text(mapping(f.get("source")).get("title")) for f in findings if f.get("kind") in REPOST_KINDS
    ]
    searchable.append(text(page.get("text"))[:300])
    shares = content(page)
    return {
        "u": text(page.get("uri")),
        "t": text(page.get("title")),
        "s": text(page.get("site")),
        "n": text(page.get("site_name")),
        "w": RANKS.index(worst(page)),
        "k": [k for k in KINDS if k in kinds] + sorted(kinds - set(KINDS)),
        "c": max(coverages) if coverages else None,
        "h": f"{PAGES_DIR}/{href}",
        "e": opt(page.get("error")),
        "d": duplicated(shares),
        "ct": shares,
        "x": "\n".join(searchable),
        "f": [text(f.get("fingerprint")) for f in findings],
    }


def _sites(summary: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> list[SiteRow]:
    """Sites named by ``summary.sites`` or holding pages with content shares, most duplicated first."""
    given = mapping(summary.get("sites"))
    members: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        members.setdefault(row["s"], []).append(row)
    names = sorted({*map(text, given), *(s for s, rs in members.items() if any(r["ct"] for r in rs))})
    out = []
    for site in names:
        info = mapping(given.get(site))
        rs = members.get(site, [])
        parts: dict[str, float | None] = {}
        for key in ("unique", "shared", "copied"):
            value = num(info.get(key))
            if value is None:  # not in the summary: the mean over the site's pages
                values = [v for r in rs if r["ct"] and (v := r["ct"].get(key)) is not None]
                value = round(sum(values) / len(values), 4) if values else None
            parts[key] = value
        pages = info.get("pages")
        names_shown = ", ".join(sorted({r["n"] for r in rs if r["n"]})[:3])
        count = pages if isinstance(pages, int) and not isinstance(pages, bool) else len(rs)
        dup_pages = info.get("duplicate_pages")
        dup_pages = dup_pages if isinstance(dup_pages, int) and not isinstance(dup_pages, bool) else None
        out.append(
            SiteRow(
                0, site, names_shown, count, **parts, duplicated=duplicated(parts), duplicate_pages=dup_pages
            )
        )
    out.sort(key=lambda s: (-(s.duplicated or 0.0), s.site))
    return [replace(s, index=i) for i, s in enumerate(out)]


def _sources(pages: Sequence[Mapping[str, Any]], sources: Mapping[str, Any]) -> list[SourceRow]:
    seen: dict[str, tuple[Any, set[str], list[float]]] = {}
    for page in pages:
        for f in maps(page.get("findings")):
            if f.get("kind") not in REPOST_KINDS:
                continue
            view = source_view(f.get("source"), sources)
            entry = seen.setdefault(view.id, (view, set(), []))
            entry[1].add(text(page.get("uri")))
            if (c := num(f.get("coverage"))) is not None:
                entry[2].append(c)
    rows = [SourceRow(v.title, v.uri, v.category, len(p), max(c) if c else None) for v, p, c in seen.values()]
    rows.sort(key=lambda r: (-r.pages, -(r.max_coverage or 0.0), r.title))
    return rows


def index_context(
    scan: Mapping[str, Any],
    pages: Sequence[Mapping[str, Any]],
    names: Sequence[str],
    shared: Shared,
    script: Markup,
    review: Mapping[str, Any],
) -> IndexContext:
    """The context of index.html; ``names`` are the page reports' file names, in page order."""
    rows = [_row(p, n) for p, n in zip(pages, names, strict=True)]
    summary = mapping(scan.get("summary"))
    kinds: dict[str, int] = {}
    severities: dict[str, int] = {}
    for page in pages:
        for f in maps(page.get("findings")):
            if dismissed(f):  # counts nowhere (CONTRACT.md "decision")
                continue
            kinds[text(f.get("kind"))] = kinds.get(text(f.get("kind")), 0) + 1
            severities[text(f.get("severity"))] = severities.get(text(f.get("severity")), 0) + 1
    by_kind = _counts(KINDS, summary.get("findings"), kinds)
    by_severity = _counts(SEVERITIES[::-1], summary.get("severities"), severities)
    source_rows = _sources(pages, mapping(scan.get("sources")))
    sites = _sites(summary, rows)
    n_pages, n_errors = summary.get("pages"), summary.get("errors")
    return IndexContext(
        shared=shared,
        script=script,
        pages=n_pages if isinstance(n_pages, int) else len(pages),
        errors=n_errors if isinstance(n_errors, int) else sum(1 for p in pages if p.get("error") is not None),
        findings=sum(c.count for c in by_kind),
        by_kind=by_kind,
        by_severity=by_severity,
        sources_hit=len(source_rows),
        sources=source_rows[:LIMITS.sources_shown],
        more_sources=max(0, len(source_rows) - LIMITS.sources_shown),
        sites=sites,
        site_names=sorted({r["s"] for r in rows}),
        kinds=[c.name for c in by_kind],
        ranks=list(RANKS),
        data=json_island({"rows": rows, "sites": [s.site for s in sites], "review": review}),
    )
