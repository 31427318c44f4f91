"""Building and keeping an index: add or replace documents, remove them, describe and check it.

Signing runs in worker processes while this process writes; each write transaction holds
whole documents only, so an interrupted run loses nothing already stored.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import OrderedDict, deque
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path

import numpy as np

from detector.analysis import topic_prefit
from detector.config import Settings
from detector.errors import IndexFileError
from detector.ingest.partitions import iter_source_inputs
from detector.model import InputFailure, Progress, SourceDoc, no_progress
from detector.retrieval import (
    open_index,
    prepare_sources,
    settings_manifest,
    signature_params,
    source_from_document,
    source_keys,
    sources_keys,
)
from detector.store import create_or_open_store, open_store, params_cache
from detector.store.interface import PreparedDoc, text_digest
from detector.text.charclass import bmp_table
from detector.text.tokens import tokenize
from detector.textsafe import has_control


@dataclass(frozen=True)
class IndexSummary:
    added: int
    replaced: int
    unchanged: int
    failures: tuple[InputFailure, ...]
    counts: dict[str, int]


def index_corpus(
    paths: Sequence[str], index: str | Path, settings: Settings, progress: Progress = no_progress
) -> IndexSummary:
    """Add or replace source documents; each write transaction holds whole documents only."""
    # From the cache when datasketch computed them before: importing it costs ~0.9 s a run.
    params = params_cache.signature_params(settings.num_perm, settings.seed, settings.lsh_threshold)
    store = create_or_open_store(index, settings_manifest(settings, params), params)
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
    fitting: BaseProcess | None = None
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
                bmp_table()
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
                    old_doc = store.document_by_id(source.id) if store.needs_old_keys else None
                    if old_doc is not None:
                        previous[source.id] = old_doc
                    replaced += 1
                else:
                    added += 1
            pending[source.id] = source
            if len(pending) >= settings.index_write_batch:
                flush(final=False)
        flush(final=True)
        if pool is not None:
            pool.shutdown()  # the workers' memory is free before the band runs are merged
            pool = None
        fitting = topic_prefit.start(index, settings)  # on the other core, while runs merge
        store.finish()
        topic_prefit.finish(fitting)
        fitting = None
        counts = store.counts()
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        topic_prefit.finish(fitting, cancel=True)
        store.close()
    return IndexSummary(added, replaced, unchanged, tuple(failures), counts)


def remove_documents(ids: Sequence[str], index: str | Path, settings: Settings) -> list[str]:
    store = open_index(index, settings, writable=True)
    try:
        with_keys: dict[str, np.ndarray | None] = {}
        for doc_id in ids:
            doc = store.document_by_id(doc_id) if store.needs_old_keys else None
            with_keys[doc_id] = None if doc is None else source_keys(doc, store.params, settings)[0]
        return store.remove(with_keys)
    finally:
        store.close()


def index_info(index: str | Path) -> tuple[dict[str, object], dict[str, int]]:
    store = open_store(index, None)
    try:
        return store.manifest.public(), store.counts()
    finally:
        store.close()


def check_index(index: str | Path, settings: Settings, progress: Progress = no_progress) -> list[str]:
    """Problems found in the index (empty when sound): the store's structure, orphans, and every
    document's band rows recomputed from its text."""
    store = open_store(index, None)
    problems: list[str] = []
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
        doc_settings = settings.with_overrides(**store.manifest.settings())
        for pk, doc, digest in store.iter_documents():
            progress(doc.id)
            if text_digest(doc.text) != digest:
                problems.append(f"document {doc.id!r}: text does not match its digest")
                continue
            keys, _ = source_keys(doc, store.params, doc_settings)
            missing = store.missing_bands(keys, pk)
            if missing:
                problems.append(f"document {doc.id!r}: {missing} of {len(keys)} band rows missing")
        return problems
    except IndexFileError as err:
        return problems or [str(err)]  # the structural check names damaged rows already
    finally:
        store.close()
