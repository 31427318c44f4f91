"""Scanning: pages -> findings (reposts, repeats, site duplicates, topics) -> ``ScanResult``.

Plain functions, no click and no printing: the CLI and the library API call ``scan``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from detector.analysis.offtopic import TopicInput, apply_topic, judge_run
from detector.analysis.repeats import repeat_findings
from detector.analysis.reuse import PageText, repost_findings
from detector.analysis.site import SitePage, learn_templates, site_duplicates
from detector.config import LIMITS, Settings
from detector.ingest.partitions import iter_page_inputs
from detector.model import (
    ContentShares,
    Document,
    Finding,
    InputFailure,
    PageResult,
    Progress,
    SourceDoc,
    merge_spans,
    no_progress,
    severity_rank,
)
from detector.result import ScanResult, SiteSummary
from detector.retrieval import Corpus, ReuseFinder, SourceLookup, open_index, prepare_page, signature_params
from detector.store.interface import Catalogue, IndexStore


@dataclass
class PageAnalysis:
    """One page while the run is analysed: its text, findings so far, and what was copied."""

    doc: Document
    page: PageText
    findings: list[Finding]
    copied: np.ndarray  # characters covered by passages copied from any source


def analyse_page(
    doc: Document, lookup: ReuseFinder | None, settings: Settings, page: PageText | None = None
) -> PageAnalysis:
    """One page's reposts and repeats; ``page`` is the page prepared already (``prepare_page``)."""
    page = page if page is not None else prepare_page(doc)
    findings: list[Finding] = []
    copied = np.zeros(len(doc.text), dtype=np.bool_)
    if lookup is not None:
        reuses = lookup.reuses(doc, page)
        findings.extend(
            repost_findings(page, reuses, settings, frozenset(settings.allow_sources), doc.published)
        )
        for r in reuses:
            copied |= r.covered
    findings.extend(repeat_findings(page, doc.main_spans(), settings))
    return PageAnalysis(doc, page, findings, copied)


def _merge_duplicate(findings: list[Finding], cross: Finding) -> None:
    """Fold a cross-page duplicate into the page's own repeat of the same passage, if any."""
    for i, f in enumerate(findings):
        if f.kind != "duplicate-passage":
            continue
        if any(s < ce and cs < e for s, e in f.occurrences for cs, ce in cross.occurrences):
            spans = merge_spans(set(f.occurrences) | set(cross.occurrences))  # nested ones are one place
            findings[i] = replace(f, occurrences=tuple(spans), also_in_pages=cross.also_in_pages)
            return
    findings.append(cross)


def content_shares(w: PageAnalysis, shared: np.ndarray | None) -> ContentShares:
    main = w.page.main_content
    total = int(main.sum())
    if total == 0:
        return ContentShares(0.0, 0.0, 0.0)
    copied = w.copied & main
    shared_only = (shared if shared is not None else np.zeros_like(main)) & main & ~copied
    c, sh = int(copied.sum()), int(shared_only.sum())
    return ContentShares(round((total - c - sh) / total, 4), round(sh / total, 4), round(c / total, 4))


def _sort_findings(findings: list[Finding]) -> tuple[Finding, ...]:
    """Severity first (high on top, CONTRACT.md), then position in the page."""
    return tuple(
        sorted(findings, key=lambda f: (-severity_rank(f.severity), f.first_offset(), f.kind, f.fingerprint))
    )


def scan(
    paths: Sequence[str],
    index: str | Path | IndexStore | None,
    settings: Settings,
    *,
    site: str | None = None,
    site_profile: str | None = None,
    progress: Progress = no_progress,
    corpus: Corpus | None = None,
    site_per_folder: bool = False,
    judge_topics: bool = True,
    inputs: Sequence[Document | InputFailure] | None = None,
) -> ScanResult:
    """Scan pages: reposts (with an index, or a ``corpus`` run by an engine), repeats, site-level
    duplicates and content shares, and each page's topic against its site's profile
    (``site_profile`` adds to every site's). ``inputs``, when given, are the pages already read
    (fetched ones among them, see detector.fetch) and ``paths`` is not read. ``index`` is a path
    or URL (opened and closed here) or an index the caller opened (``retrieval.open_index``) and
    keeps open across scans: a caller scanning one page at a time then opens and checks the
    file once, and its page cache stays warm."""
    if corpus is not None and index is not None:
        raise ValueError("scan takes an index or a corpus, not both")
    owned = isinstance(index, (str, Path))
    opened = open_index(index, settings) if isinstance(index, (str, Path)) else index
    store: Catalogue | None = corpus.store if corpus is not None else opened
    try:
        items = (
            list(inputs)
            if inputs is not None
            else list(
                iter_page_inputs(
                    paths, site=site, max_bytes=settings.max_page_bytes, site_per_folder=site_per_folder
                )
            )
        )
        # Template text is learned per site before anything else, so it never counts as content.
        by_site: dict[str, list[int]] = {}
        for i, item in enumerate(items):
            if isinstance(item, Document):
                by_site.setdefault(item.site, []).append(i)
        for members in by_site.values():
            learned = learn_templates([items[i] for i in members], settings)  # type: ignore[misc]
            for i, doc in zip(members, learned, strict=True):
                items[i] = doc

        lookup: ReuseFinder | None = None
        if corpus is not None:
            lookup = corpus.finder([item for item in items if isinstance(item, Document)], settings)
        elif opened is not None:
            lookup = SourceLookup(opened, settings)
        work: dict[int, PageAnalysis] = {}
        batch = LIMITS.scan_batch_pages
        for lo in range(0, len(items), batch):
            # Pages are signed and looked up in the index a batch at a time (SourceLookup.look_up).
            chunk = list(enumerate(items[lo : lo + batch], lo))
            prepared = {i: prepare_page(item) for i, item in chunk if isinstance(item, Document)}
            if isinstance(lookup, SourceLookup):
                lookup.look_up(list(prepared.values()))
            for i, item in chunk:
                progress(item.uri)
                if isinstance(item, Document):
                    work[i] = analyse_page(item, lookup, settings, prepared.pop(i))

        sites: dict[str, SiteSummary] = {}
        shared: dict[int, np.ndarray] = {}
        multi = {name: members for name, members in by_site.items() if len(members) > 1}
        if multi:
            params = store.params if store is not None else signature_params(settings)
            for name, members in multi.items():
                site_work = [work[i] for i in members]
                pages = [SitePage(w.doc.uri, w.doc, w.page) for w in site_work]
                dups = site_duplicates(pages, params, settings)
                for i, w, found, mask in zip(members, site_work, dups.findings, dups.shared, strict=True):
                    shared[i] = mask
                    for f in found:
                        if f.kind == "duplicate-passage":
                            _merge_duplicate(w.findings, f)
                        else:
                            w.findings.append(f)
                sites[name] = _site_summary([work[i] for i in members], [shared[i] for i in members])

        # ``detector check`` judges topics only with a configured profile (judge_topics False).
        topics = (
            judge_run(
                {
                    name: [TopicInput(i, work[i].doc, work[i].findings, work[i].copied) for i in members]
                    for name, members in by_site.items()
                },
                store,
                settings,
                site_profile,
            )
            if judge_topics
            else {}
        )

        results: list[PageResult] = []
        for i, item in enumerate(items):
            if isinstance(item, InputFailure):
                results.append(PageResult(document=None, failure=item))
                continue
            w = work[i]
            topic = topics.get(i)
            if topic is not None:
                w.findings = apply_topic(w.findings, topic, settings.topic)
            content = content_shares(w, shared.get(i)) if i in shared else None
            results.append(
                PageResult(
                    document=w.doc,
                    failure=None,
                    findings=_sort_findings(w.findings),
                    topic=topic,
                    content=content,
                )
            )

        sources: dict[str, SourceDoc] = {}
        if store is not None:
            for r in results:
                for f in r.findings:
                    if f.source is not None and f.source.id not in sources:
                        source = store.document_by_id(f.source.id)
                        if source is not None:
                            sources[source.id] = source
        manifest = store.manifest.public() if store is not None else None
    finally:
        if opened is not None and owned:
            opened.close()
    return ScanResult(
        pages=tuple(results),
        sources=dict(sorted(sources.items())),
        settings=settings.public(),
        index_manifest=manifest,
        sites=sites,
    )


def _site_summary(work: list[PageAnalysis], shared: list[np.ndarray]) -> SiteSummary:
    main_chars = unique = shared_n = copied_n = 0
    for w, mask in zip(work, shared, strict=True):
        shares = content_shares(w, mask)
        total = int(w.page.main_content.sum())
        main_chars += total
        unique += round(shares.unique * total)
        shared_n += round(shares.shared * total)
        copied_n += round(shares.copied * total)
    n = max(1, main_chars)
    return SiteSummary(
        pages=len(work),
        unique=round(unique / n, 4),
        shared=round(shared_n / n, 4),
        copied=round(copied_n / n, 4),
        duplicate_pages=sum(1 for w in work if any(f.kind == "duplicate-page" for f in w.findings)),
    )
