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
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from detector.analysis.repeats import repeat_findings
from detector.analysis.reuse import PageText, SourceReuse, measure_reuse, repost_findings
from detector.analysis.spans import content_mask
from detector.config import Settings
from detector.errors import IndexFileError
from detector.index.manifest import Manifest
from detector.index.signatures import SignatureParams, band_keys
from detector.index.sqlite_store import PreparedDoc, SqliteIndex, text_digest
from detector.ingest import iter_page_inputs, iter_source_inputs
from detector.model import Document, Finding, InputFailure, PageResult, ScanResult, SourceDoc
from detector.text.passages import batch_passage_signatures, main_tokens, passage_signatures
from detector.text.tokens import tokenize

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


def expected_manifest(settings: Settings) -> Manifest:
    return settings_manifest(settings, signature_params(settings))


def open_index(path: Path, settings: Settings, *, writable: bool = False) -> SqliteIndex:
    """Open an existing index, refusing one built with other settings than ``settings``."""
    probe = SqliteIndex.open(path, None, writable=False)
    manifest = probe.manifest
    probe.close()
    wanted = Manifest.for_settings(
        settings.shingle_size,
        settings.num_perm,
        settings.seed,
        settings.lsh_threshold,
        settings.chunk_tokens,
        settings.min_passage_tokens,
        SignatureParams(settings.num_perm, settings.seed, manifest.bands, manifest.rows, (), ()),
    )
    # bands/rows follow from threshold and num_perm, so compare the settings the user controls.
    return SqliteIndex.open(path, wanted, writable=writable)


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
    paths: Sequence[str], index_path: Path, settings: Settings, progress: Progress = _noop
) -> IndexSummary:
    """Add or replace source documents; each write transaction holds whole documents only."""
    params = signature_params(settings)
    store = SqliteIndex.create_or_open(index_path, settings_manifest(settings, params), params)
    added = replaced = unchanged = 0
    failures: list[InputFailure] = []
    pending: OrderedDict[str, SourceDoc] = OrderedDict()
    previous: dict[str, SourceDoc] = {}
    # Signing runs in worker processes once the corpus fills more than one batch; the
    # writer (this process) stores finished batches in input order, so each transaction
    # still holds whole documents only.
    pool: ProcessPoolExecutor | None = None
    in_flight: deque[tuple[Future[list[tuple[np.ndarray, int]]], list[SourceDoc], dict[str, np.ndarray]]] = (
        deque()
    )
    flight_ids: set[str] = set()
    workers = settings.index_workers or min(2, os.cpu_count() or 1)

    def write_done(block: bool) -> None:
        while in_flight and (block or in_flight[0][0].done()):
            future, docs, old_keys = in_flight.popleft()
            flight_ids.difference_update(d.id for d in docs)
            keyed = future.result()
            store.write([PreparedDoc(d, k, n) for d, (k, n) in zip(docs, keyed, strict=True)], old_keys)

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
                keyed = sources_keys(docs, params, settings)
                store.write([PreparedDoc(d, k, n) for d, (k, n) in zip(docs, keyed, strict=True)], old_keys)
            else:
                in_flight.append((pool.submit(sources_keys, docs, params, settings), docs, old_keys))
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


def remove_documents(ids: Sequence[str], index_path: Path, settings: Settings) -> list[str]:
    store = open_index(index_path, settings, writable=True)
    try:
        with_keys: dict[str, np.ndarray | None] = {}
        for doc_id in ids:
            doc = store.document_by_id(doc_id)
            with_keys[doc_id] = None if doc is None else source_keys(doc, store.params, settings)[0]
        return store.remove(with_keys)
    finally:
        store.close()


def index_info(index_path: Path) -> tuple[dict[str, object], dict[str, int]]:
    store = SqliteIndex.open(index_path, None)
    try:
        return store.manifest.public(), store.counts()
    finally:
        store.close()


def check_index(index_path: Path, settings: Settings, progress: Progress = _noop) -> list[str]:
    """Problems found in the index (empty when sound): SQLite structure, orphans, and every
    document's band rows recomputed from its text."""
    store = SqliteIndex.open(index_path, None)
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
    spans = doc.main_spans()
    mt = main_tokens(doc.text, spans, tokenize(doc.text))
    block_starts = np.array([b.start for b in doc.blocks], dtype=np.int64)
    blocks = np.searchsorted(block_starts, mt.tokens.starts, side="right") - 1
    return PageText(doc.text, mt, blocks.astype(np.int64), content_mask(doc.text, spans))


class SourceLookup:
    """Finds and verifies the sources a page copies, with a small cache of source documents."""

    def __init__(self, store: SqliteIndex, settings: Settings, cache_size: int = 256):
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


def _sort_findings(findings: list[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: (f.first_offset(), f.kind, f.fingerprint)))


def scan_document(doc: Document, lookup: SourceLookup | None, settings: Settings) -> PageResult:
    page = prepare_page(doc)
    findings: list[Finding] = []
    if lookup is not None:
        findings.extend(
            repost_findings(page, lookup.reuses(doc, page), settings, frozenset(settings.allow_sources))
        )
    findings.extend(repeat_findings(page, doc.main_spans(), settings))
    return PageResult(document=doc, failure=None, findings=_sort_findings(findings))


def scan(
    paths: Sequence[str],
    index_path: Path | None,
    settings: Settings,
    *,
    site: str | None = None,
    progress: Progress = _noop,
) -> ScanResult:
    store = open_index(index_path, settings) if index_path is not None else None
    try:
        lookup = SourceLookup(store, settings) if store is not None else None
        results: list[PageResult] = []
        for item in iter_page_inputs(paths, site=site, max_bytes=settings.max_page_bytes):
            if isinstance(item, InputFailure):
                results.append(PageResult(document=None, failure=item))
                progress(item.uri)
                continue
            progress(item.uri)
            results.append(scan_document(item, lookup, settings))
        sources: dict[str, SourceDoc] = {}
        if store is not None:
            for r in results:
                for f in r.findings:
                    if f.source is not None and f.source.id not in sources:
                        doc = store.document_by_id(f.source.id)
                        if doc is not None:
                            sources[doc.id] = doc
        manifest = store.manifest.public() if store is not None else None
    finally:
        if store is not None:
            store.close()
    return ScanResult(
        pages=tuple(results),
        sources=dict(sorted(sources.items())),
        settings=settings.public(),
        index_manifest=manifest,
    )
