"""Orchestration: index_corpus(), remove_documents(), scan(). No click, no printing.

Progress is reported through an optional callback so the CLI can draw a bar; the library
itself never writes to the terminal.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import numpy as np

from detector.analysis.offtopic import TopicInput, apply_topic, judge_run
from detector.analysis.repeats import repeat_findings
from detector.analysis.reuse import PageText, SourceReuse, measure_reuse, prepare_page_text, repost_findings
from detector.analysis.site import SitePage, learn_templates, site_duplicates
from detector.config import Settings
from detector.engine.inputs import iter_page_inputs, iter_source_inputs
from detector.errors import IndexFileError
from detector.model import (
    ContentShares,
    Document,
    Finding,
    InputFailure,
    PageResult,
    ScanResult,
    SourceDoc,
)
from detector.store.location import create_or_open_store, open_store
from detector.store.manifest import Manifest
from detector.store.signatures import SignatureParams, band_keys
from detector.store.sqlite_store import PreparedDoc, compress_text, text_digest
from detector.store.store import IndexStore
from detector.text.passages import batch_passage_signatures, main_tokens, passage_signatures
from detector.text.tokens import tokenize
from detector.textsafe import has_control

Progress = Callable[[str], None]
# Documents per write transaction: each transaction holds whole documents only.
_WRITE_BATCH = 500


def _noop(_: str) -> None:
    return None


# ---- the index ---------------------------------------------------------------------------


def settings_manifest(settings: Settings, params: SignatureParams) -> Manifest:
    return Manifest.for_settings(
        settings.shingle_size,
        settings.num_perm,
        settings.seed,
        settings.lsh_threshold,
        settings.chunk_tokens,
        settings.min_passage_tokens,
        params,
    )


def signature_params(settings: Settings) -> SignatureParams:
    return SignatureParams.from_datasketch(settings.num_perm, settings.seed, settings.lsh_threshold)


def open_index(path: str | Path, settings: Settings, *, writable: bool = False) -> IndexStore:
    """Open an existing index (a file or a redis:// URL), refusing one built with other
    settings than ``settings``."""
    probe = open_store(path, None, writable=False)
    manifest = probe.manifest
    probe.close()
    # bands/rows follow from threshold and num_perm, so compare the settings the user controls.
    wanted = settings_manifest(
        settings, SignatureParams(settings.num_perm, settings.seed, manifest.bands, manifest.rows, (), ())
    )
    return open_store(path, wanted, writable=writable)


def source_from_document(doc: Document) -> SourceDoc:
    main = tuple((b.start, b.end) for b in doc.blocks if b.kind == "main")
    return SourceDoc(
        id=doc.id,
        uri=doc.uri,
        url=doc.url,
        title=doc.title,
        category=doc.category,
        site=doc.site or None,
        text=doc.text,
        main_spans=main,
    )


def sources_keys(
    sources: Sequence[SourceDoc], params: SignatureParams, settings: Settings
) -> list[tuple[np.ndarray, int]]:
    """For each source: the unique band keys of all its passages, and how many passages."""
    mts = [main_tokens(src.text, src.content_spans()) for src in sources]
    signed = batch_passage_signatures(
        mts, params, settings.shingle_size, settings.chunk_tokens, settings.min_passage_tokens
    )
    out: list[tuple[np.ndarray, int]] = []
    for ps in signed:
        if not ps.token_ranges:
            out.append((np.zeros(0, dtype=np.int64), 0))
            continue
        keys = band_keys(ps.signatures, params.bands, params.rows)
        out.append((np.unique(keys.ravel()), len(ps.token_ranges)))
    return out


def prepare_sources(
    sources: Sequence[SourceDoc], params: SignatureParams, settings: Settings
) -> list[tuple[np.ndarray, int, bytes, str]]:
    """Everything a store writes for each source but the source itself: band keys, passage count,
    compressed text and digest. Runs in the worker processes, so the writer only writes."""
    return [
        (keys, n, compress_text(src.text), text_digest(src.text))
        for src, (keys, n) in zip(sources, sources_keys(sources, params, settings), strict=True)
    ]


def source_keys(source: SourceDoc, params: SignatureParams, settings: Settings) -> tuple[np.ndarray, int]:
    return sources_keys([source], params, settings)[0]


@dataclass(frozen=True)
class IndexSummary:
    added: int
    replaced: int
    unchanged: int
    failures: tuple[InputFailure, ...]
    counts: dict[str, int]


def index_corpus(
    paths: Sequence[str], index_path: str | Path, settings: Settings, progress: Progress = _noop
) -> IndexSummary:
    """Add or replace source documents; each write transaction holds whole documents only."""
    params = signature_params(settings)
    store = create_or_open_store(index_path, settings_manifest(settings, params), params)
    added = replaced = unchanged = 0
    failures: list[InputFailure] = []
    pending: OrderedDict[str, SourceDoc] = OrderedDict()
    previous: dict[str, SourceDoc] = {}
    # Signing runs in worker processes once the corpus fills more than one batch; the
    # writer (this process) stores finished batches in input order, so each transaction
    # still holds whole documents only.
    pool: ProcessPoolExecutor | None = None
    in_flight: deque[
        tuple[Future[list[tuple[np.ndarray, int, bytes, str]]], list[SourceDoc], dict[str, np.ndarray]]
    ] = deque()
    flight_ids: set[str] = set()
    workers = settings.index_workers or min(2, os.cpu_count() or 1)

    def write_done(block: bool) -> None:
        while in_flight and (block or in_flight[0][0].done()):
            future, docs, old_keys = in_flight.popleft()
            flight_ids.difference_update(d.id for d in docs)
            store.write(
                [PreparedDoc(d, *made) for d, made in zip(docs, future.result(), strict=True)], old_keys
            )

    def flush(final: bool) -> None:
        nonlocal pool
        if pending:
            docs = list(pending.values())
            old = list(previous.values())
            old_keys = {d.id: k for d, (k, _) in zip(old, sources_keys(old, params, settings), strict=True)}
            pending.clear()
            previous.clear()
            if pool is None and not final and workers > 1:
                tokenize("")  # build the lookup tables once, before the workers fork
                pool = ProcessPoolExecutor(
                    max_workers=workers, mp_context=multiprocessing.get_context("fork")
                )
            if pool is None:
                made = prepare_sources(docs, params, settings)
                store.write([PreparedDoc(d, *m) for d, m in zip(docs, made, strict=True)], old_keys)
            else:
                in_flight.append((pool.submit(prepare_sources, docs, params, settings), docs, old_keys))
                flight_ids.update(d.id for d in docs)
        write_done(block=final or len(in_flight) > workers)

    try:
        for item in iter_source_inputs(paths, max_bytes=settings.max_page_bytes):
            if isinstance(item, InputFailure):
                failures.append(item)
                progress(item.uri)
                continue
            source = source_from_document(item)
            progress(source.uri or source.id)
            if has_control(source.id):  # an id is printed in messages and logs: keep it one plain line
                failures.append(InputFailure(item.uri, item.site, "the id holds a control character"))
                continue
            if source.id in pending:
                del pending[source.id]  # a later line with the same id wins
            else:
                if source.id in flight_ids:
                    write_done(block=True)  # the earlier copy must be stored before it is replaced
                digest = store.digest_of(source.id)
                if digest == text_digest(source.text):
                    unchanged += 1
                    continue
                if digest is not None:
                    old_doc = store.document_by_id(source.id)
                    if old_doc is not None:
                        previous[source.id] = old_doc
                    replaced += 1
                else:
                    added += 1
            pending[source.id] = source
            if len(pending) >= _WRITE_BATCH:
                flush(final=False)
        flush(final=True)
        counts = store.counts()
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        store.close()
    return IndexSummary(added, replaced, unchanged, tuple(failures), counts)


def remove_documents(ids: Sequence[str], index_path: str | Path, settings: Settings) -> list[str]:
    store = open_index(index_path, settings, writable=True)
    try:
        with_keys: dict[str, np.ndarray | None] = {}
        for doc_id in ids:
            doc = store.document_by_id(doc_id)
            with_keys[doc_id] = None if doc is None else source_keys(doc, store.params, settings)[0]
        return store.remove(with_keys)
    finally:
        store.close()


def index_info(index_path: str | Path) -> tuple[dict[str, object], dict[str, int]]:
    store = open_store(index_path, None)
    try:
        return store.manifest.public(), store.counts()
    finally:
        store.close()


def check_index(index_path: str | Path, settings: Settings, progress: Progress = _noop) -> list[str]:
    """Problems found in the index (empty when sound): the store's structure, orphans, and every
    document's band rows recomputed from its text."""
    store = open_store(index_path, None)
    try:
        problems = store.structural_problems()
        recomputed = signature_params(
            Settings(
                num_perm=store.manifest.num_perm,
                seed=store.manifest.seed,
                lsh_threshold=store.manifest.lsh_threshold,
            )
        )
        if (recomputed.a, recomputed.b) != (store.params.a, store.params.b):
            problems.append("the stored permutations differ from datasketch's for the manifest's seed")
        doc_settings = settings.with_overrides(**_manifest_settings(store.manifest))
        for pk, doc, digest in store.iter_documents():
            progress(doc.id)
            if text_digest(doc.text) != digest:
                problems.append(f"document {doc.id!r}: text does not match its digest")
                continue
            keys, _ = source_keys(doc, store.params, doc_settings)
            batched = getattr(store, "missing_bands", None)  # a networked store asks in one round trip
            if batched is not None:
                missing = int(batched(keys, pk))
            else:
                missing = sum(1 for k in keys if not store.has_band(int(k), pk))
            if missing:
                problems.append(f"document {doc.id!r}: {missing} of {len(keys)} band rows missing")
        return problems
    except IndexFileError as err:
        return [str(err)]
    finally:
        store.close()


def _manifest_settings(m: Manifest) -> dict[str, object]:
    return {
        "shingle_size": m.shingle_size,
        "num_perm": m.num_perm,
        "seed": m.seed,
        "lsh_threshold": m.lsh_threshold,
        "chunk_tokens": m.chunk_tokens,
        "min_passage_tokens": m.min_passage_tokens,
    }


# ---- scanning ----------------------------------------------------------------------------


def prepare_page(doc: Document) -> PageText:
    return prepare_page_text(doc, doc.main_spans())


class SourceLookup:
    """Finds and verifies the sources a page copies, with a small cache of source documents."""

    def __init__(self, store: IndexStore, settings: Settings, cache_size: int = 256):
        self.store = store
        self.settings = settings
        self.cache: OrderedDict[int, SourceDoc] = OrderedDict()
        self.cache_size = cache_size

    def _documents(self, pks: Iterable[int]) -> dict[int, SourceDoc]:
        out: dict[int, SourceDoc] = {}
        missing = []
        for pk in pks:
            if pk in self.cache:
                self.cache.move_to_end(pk)
                out[pk] = self.cache[pk]
            else:
                missing.append(pk)
        for pk, doc in self.store.documents(missing).items():
            out[pk] = doc
            self.cache[pk] = doc
            if len(self.cache) > self.cache_size:
                self.cache.popitem(last=False)
        return out

    def reuses(self, doc: Document, page: PageText) -> list[SourceReuse]:
        s = self.settings
        ps = passage_signatures(
            page.main,
            self.store.params,
            s.shingle_size,
            s.chunk_tokens,
            s.min_passage_tokens,
            s.query_windows,
        )
        if not ps.token_ranges:
            return []
        keys = band_keys(ps.signatures, self.store.params.bands, self.store.params.rows)
        hits = self.store.candidates(keys)
        if not hits:
            return []
        key_passages: dict[int, list[int]] = {}
        for row, row_keys in enumerate(keys):
            for k in row_keys.tolist():
                key_passages.setdefault(k, []).append(row)
        passages_per_doc: dict[int, set[int]] = {}
        for key, pk in hits:
            passages_per_doc.setdefault(pk, set()).update(key_passages.get(key, ()))
        ranked = sorted(passages_per_doc, key=lambda pk: (-len(passages_per_doc[pk]), pk))[: s.max_candidates]
        found: list[SourceReuse] = []
        for _pk, source in sorted(self._documents(ranked).items()):
            if doc.url is not None and source.url == doc.url:
                continue  # the page itself is in the corpus
            reuse = measure_reuse(page, source, s)
            if reuse is not None:
                found.append(reuse)
        return found


class ReuseFinder(Protocol):
    """What a page copies from which sources: ``SourceLookup`` (an index, or a corpus held in
    process) or a batch engine's precomputed answer (detector.engine)."""

    def reuses(self, doc: Document, page: PageText) -> list[SourceReuse]: ...


class Corpus(Protocol):
    """Sources given for one run instead of an index (``scan --corpus``), see detector.engine:
    ``store`` answers for the manifest, parameters, topic sample and source documents."""

    @property
    def store(self) -> IndexStore: ...

    def finder(self, docs: Sequence[Document], settings: Settings) -> ReuseFinder: ...


@dataclass
class PageAnalysis:
    """One page while the run is analysed: its text, findings so far, and what was copied."""

    doc: Document
    page: PageText
    findings: list[Finding]
    copied: np.ndarray  # characters covered by passages copied from any source


def analyse_page(doc: Document, lookup: ReuseFinder | None, settings: Settings) -> PageAnalysis:
    page = prepare_page(doc)
    findings: list[Finding] = []
    copied = np.zeros(len(doc.text), dtype=np.bool_)
    if lookup is not None:
        reuses = lookup.reuses(doc, page)
        findings.extend(repost_findings(page, reuses, settings, frozenset(settings.allow_sources)))
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
            spans = sorted(set(f.occurrences) | set(cross.occurrences))
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
    return tuple(sorted(findings, key=lambda f: (f.first_offset(), f.kind, f.fingerprint)))


def scan(
    paths: Sequence[str],
    index_path: str | Path | None,
    settings: Settings,
    *,
    site: str | None = None,
    site_profile: str | None = None,
    progress: Progress = _noop,
    corpus: Corpus | None = None,
) -> ScanResult:
    """Scan pages: reposts (with an index, or a ``corpus`` run by an engine), repeats, site-level
    duplicates and content shares, and each page's topic against its site's profile
    (``site_profile`` adds to every site's)."""
    if corpus is not None and index_path is not None:
        raise ValueError("scan takes an index or a corpus, not both")
    if corpus is not None:
        store: IndexStore | None = corpus.store
    else:
        store = open_index(index_path, settings) if index_path is not None else None
    try:
        items = list(iter_page_inputs(paths, site=site, max_bytes=settings.max_page_bytes))
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
        elif store is not None:
            lookup = SourceLookup(store, settings)
        work: dict[int, PageAnalysis] = {}
        for i, item in enumerate(items):
            progress(item.uri)
            if isinstance(item, Document):
                work[i] = analyse_page(item, lookup, settings)

        sites: dict[str, dict[str, object]] = {}
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

        topics = judge_run(
            {
                name: [TopicInput(i, work[i].doc, work[i].findings, work[i].copied) for i in members]
                for name, members in by_site.items()
            },
            store,
            settings,
            site_profile,
        )

        results: list[PageResult] = []
        for i, item in enumerate(items):
            if isinstance(item, InputFailure):
                results.append(PageResult(document=None, failure=item))
                continue
            w = work[i]
            topic = topics.get(i)
            if topic is not None:
                w.findings = apply_topic(w.findings, topic)
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
        if store is not None and corpus is None:
            store.close()
    return ScanResult(
        pages=tuple(results),
        sources=dict(sorted(sources.items())),
        settings=settings.public(),
        index_manifest=manifest,
        sites=sites,
    )


def _site_summary(work: list[PageAnalysis], shared: list[np.ndarray]) -> dict[str, object]:
    """Per site, as Siteliner reports it: shares of all main text, and the duplicate pages."""
    main_chars = unique = shared_n = copied_n = 0
    for w, mask in zip(work, shared, strict=True):
        shares = content_shares(w, mask)
        total = int(w.page.main_content.sum())
        main_chars += total
        unique += round(shares.unique * total)
        shared_n += round(shares.shared * total)
        copied_n += round(shares.copied * total)
    n = max(1, main_chars)
    return {
        "pages": len(work),
        "unique": round(unique / n, 4),
        "shared": round(shared_n / n, 4),
        "copied": round(copied_n / n, 4),
        "duplicate_pages": sum(1 for w in work if any(f.kind == "duplicate-page" for f in w.findings)),
    }
