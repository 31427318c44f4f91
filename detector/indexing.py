"""Building and keeping an index: add or replace documents, remove them, describe and check it.

Reading, labelling and signing run in worker processes (``index_feed``), a part of the input
each, while this process (the writer) decides in input order what is added, replaced or
unchanged and writes; each write transaction holds a part's documents, whole, so an
interrupted run loses nothing already stored.

The run's shape (bench/index_timeline.py): the process starts and imports; a child that will
fit the topic model is forked, then the index is opened and the workers start; the writer takes
the parts in order as they come; once most parts are written the child fits the topic model
beside the workers (``topic_prefit``); after the last part the writer merges the band runs it
wrote (``SqliteIndex.finish``) while the child checks its fit against the final sample.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from detector.analysis import topic_prefit
from detector.config import LIMITS, Settings
from detector.errors import IndexFileError
from detector.index_feed import (
    FedPart,
    Job,
    Unsigned,
    feed,
    feed_in_worker,
    jobs,
    start_worker,
)
from detector.ingest.partitions import partitions
from detector.model import InputFailure, Progress, SourceDoc, no_progress
from detector.retrieval import (
    open_index,
    prepare_sources,
    settings_manifest,
    signature_params,
    source_keys,
    sources_keys,
)
from detector.store import create_or_open_store, open_store, params_cache
from detector.store.interface import IndexStore, PreparedDoc, text_digest
from detector.store.signatures import SignatureParams
from detector.text.charclass import bmp_table
from detector.text.tokens import tokenize


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
    # Forked before the index is opened: the child inherits no connection (topic_prefit).
    fitting = topic_prefit.start(index, settings)
    try:
        store = create_or_open_store(index, settings_manifest(settings, params), params)
    except BaseException:
        topic_prefit.finish(fitting, cancel=True)
        raise
    writer = _Writer(store, params, settings, progress, fitting)
    workers = settings.index_workers or min(2, os.cpu_count() or 1)
    pool: ProcessPoolExecutor | None = None
    try:
        parts = partitions(
            paths, split_bytes=LIMITS.index_split_jsonl_bytes, lines_per_part=settings.index_write_batch
        )
        todo = jobs(parts, settings)
        first = list(itertools.islice(todo, 2))
        todo = itertools.chain(first, todo)
        if workers > 1 and len(first) > 1:
            # Worker processes read, label and sign parts; this process (the writer) stores them
            # in input order, each in one transaction, while the workers go on.
            tokenize("")  # build the lookup tables once, before the workers fork
            bmp_table()
            pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=start_worker,
                initargs=(os.getpid(),),
            )
            last = fitting.nearly_written if fitting is not None else None
            early = LIMITS.index_prefit_parts_share * len(parts)
            ahead = workers * store.parts_ahead
            fed_parts = _in_order(pool, todo, params, settings, str(index), ahead, last)
            for n, fed in enumerate(fed_parts, 1):
                writer.take(fed)
                if last is not None and n >= early:
                    last()
            # The workers end now, while runs merge (waiting for them took 10-50 ms); they are
            # reaped below.
            pool.shutdown(wait=False)
        else:
            for job in todo:
                writer.take(feed(job, params, settings, store.digests_of))
        if fitting is not None:
            fitting.all_written()  # the child fits (or checks its early fit) while runs merge
        store.finish()
        topic_prefit.finish(fitting)
        fitting = None
        counts = store.counts()
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)  # waits for the workers to end
        topic_prefit.finish(fitting, cancel=True)
        store.close()
    return IndexSummary(writer.added, writer.replaced, writer.unchanged, tuple(writer.failures), counts)


def _in_order(
    pool: ProcessPoolExecutor,
    todo: Iterator[Job],
    params: SignatureParams,
    settings: Settings,
    index: str,
    ahead: int,
    last: Callable[[], None] | None = None,
) -> Iterator[FedPart]:
    """The jobs fed by the pool, in input order, with at most ``ahead`` of them in flight;
    ``last`` is called once the last job is submitted."""
    queue: deque[Future[FedPart]] = deque()
    for job in todo:
        queue.append(pool.submit(feed_in_worker, job, params, settings, index))
        if len(queue) >= ahead:
            break
    while queue:
        fed = queue.popleft().result()
        following = next(todo, None)
        if following is not None:
            queue.append(pool.submit(feed_in_worker, following, params, settings, index))
        elif last is not None:
            last()
            last = None
        yield fed


class _Writer:
    """Decides, item by item in input order, what is added, replaced or unchanged, and writes
    each fed part in one transaction."""

    def __init__(
        self,
        store: IndexStore,
        params: SignatureParams,
        settings: Settings,
        progress: Progress,
        fitting: topic_prefit.Prefit | None = None,
    ):
        self.store = store
        self.fitting = fitting
        self.params = params
        self.settings = settings
        self.progress = progress
        self.added = self.replaced = self.unchanged = 0
        self.failures: list[InputFailure] = []

    def take(self, fed: FedPart) -> None:
        store = self.store
        pending: OrderedDict[str, int] = OrderedDict()  # id -> item, in writing order
        previous: dict[str, SourceDoc] = {}
        # What the index holds for the part's ids, looked up at once: nothing is written before
        # the part's decisions are made.
        ids = [item.doc.id for item in fed.items if not isinstance(item, InputFailure)]
        held = dict(zip(ids, store.digests_of(ids), strict=True))
        for i, item in enumerate(fed.items):
            if isinstance(item, InputFailure):
                self.failures.append(item)
                self.progress(item.uri)
                continue
            doc, digest = item.doc, item.digest
            self.progress(doc.uri or doc.id)
            if doc.id in pending:
                # A later line with the same id wins; it is counted against the earlier one,
                # as it would be had the two come in different parts.
                earlier = fed.items[pending[doc.id]]
                if not isinstance(earlier, InputFailure) and earlier.digest == digest:
                    self.unchanged += 1
                    continue
                self.replaced += 1
                del pending[doc.id]
            else:
                stored = held[doc.id]
                if stored == digest:
                    self.unchanged += 1
                    continue
                if stored is not None:
                    old_doc = store.document_by_id(doc.id) if store.needs_old_keys else None
                    if old_doc is not None:
                        previous[doc.id] = old_doc
                    self.replaced += 1
                else:
                    self.added += 1
            pending[doc.id] = i
        if not pending:
            return
        old = list(previous.values())
        old_made = sources_keys(old, self.params, self.settings) if old else []
        old_keys = {d.id: k for d, (k, _) in zip(old, old_made, strict=True)}
        # A document unchanged when its part was read but changed by an earlier part since (the
        # same id twice in the input) was not signed: sign it here.
        unsigned = [x.doc for i in pending.values() if isinstance(x := fed.items[i], Unsigned)]
        signed = iter(prepare_sources(unsigned, self.params, self.settings) if unsigned else [])
        prepared: list[PreparedDoc] = []
        for i in pending.values():
            x = fed.items[i]
            prepared.append(x if isinstance(x, PreparedDoc) else PreparedDoc(x.doc, *next(signed)))  # type: ignore[union-attr]
        run = None
        if not unsigned:  # the part's sorted entries, less those of documents not written
            at = np.full(len(fed.items), -1, dtype=np.int64)
            at[list(pending.values())] = np.arange(len(pending))
            run_keys, run_items = fed.run()
            mine = at[run_items]
            keep = mine >= 0
            run = (run_keys[keep], mine[keep])
        store.write(prepared, old_keys, run)
        if self.fitting is not None:
            self.fitting.written((item.doc.category for item in prepared), replaced=self.replaced > 0)


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
