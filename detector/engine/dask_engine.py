"""The Dask engine: a batch scan against a corpus as a ``dask.distributed`` computation.

1. Sources are read in partitions on the workers (``ingest.partitions``) and kept in cluster memory.
2. Every source's band keys (``retrieval.sources_keys``: the one ``band_keys`` of every store)
   and every page passage's band keys (the same query passages as ``SourceLookup``) become
   two dataframes, ``(key, pk)`` and ``(key, page, row)``, joined on ``key`` with a shuffle.
3. Per page, sources are ranked by how many of the page's passages hit them, as
   ``SourceLookup`` ranks them, and the best ``max_candidates`` are verified and aligned on the
   workers with ``analysis.reuse.measure_prepared``.
4. The driver gets each page's ``SourceReuse`` list; findings, site analysis and topics are then
   made by ``scanning.scan`` exactly as for an index.

A source's number (``pk``) is its position in the input, so candidates and the topic sample are
ordered as in an index built from the same inputs; an id given twice: the last one wins.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from detector.analysis.reuse import PageText, SourceReuse, measure_prepared, page_seed_hashes
from detector.analysis.source_text import SourceText, prepare_source_text
from detector.config import Settings
from detector.errors import EngineError
from detector.ingest.partitions import Part, partitions, read_part
from detector.model import Document, InputFailure, SourceDoc
from detector.retrieval import (
    ReuseFinder,
    prepare_page,
    settings_manifest,
    signature_params,
    source_from_document,
    sources_keys,
)
from detector.store.interface import content_text, first_per_category, text_digest
from detector.store.manifest import Manifest
from detector.store.passage_signatures import passage_signatures
from detector.store.signatures import SignatureParams, band_keys


def _mod(name: str) -> Any:
    """A Dask module, untyped: dask and distributed are only partly annotated."""
    return importlib.import_module(name)


# ---- functions that run on the workers ------------------------------------------------------


def read_sources(parts: Iterable[Part], max_bytes: int) -> list[tuple[int, SourceDoc | InputFailure]]:
    out: list[tuple[int, SourceDoc | InputFailure]] = []
    for part in parts:
        for pos, item in read_part(part, sources=True, site=None, max_bytes=max_bytes):
            out.append((pos, item if isinstance(item, InputFailure) else source_from_document(item)))
    return out


def source_key_frame(
    records: Sequence[tuple[int, SourceDoc]],
    superseded: frozenset[int],
    params: SignatureParams,
    settings: Settings,
) -> Any:
    """(key, pk) of every band entry of the partition's sources."""
    import pandas as pd

    docs = [(pos, doc) for pos, doc in records if pos not in superseded]
    keys: list[npt.NDArray[np.int64]] = []
    pks: list[npt.NDArray[np.int64]] = []
    for lo in range(0, len(docs), settings.sign_batch):
        batch = docs[lo : lo + settings.sign_batch]
        for (pos, _), (k, _n) in zip(
            batch, sources_keys([d for _, d in batch], params, settings), strict=True
        ):
            keys.append(k)
            pks.append(np.full(k.shape[0], pos, dtype=np.int64))
    return pd.DataFrame(
        {
            "key": np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64),
            "pk": np.concatenate(pks) if pks else np.zeros(0, dtype=np.int64),
        }
    )


def page_key_frame(pages: Sequence[tuple[int, Document]], params: SignatureParams, settings: Settings) -> Any:
    """(key, page, row) of every query passage of the pages, as ``SourceLookup.reuses`` makes them."""
    import pandas as pd

    keys: list[npt.NDArray[np.int64]] = []
    page_ids: list[npt.NDArray[np.int64]] = []
    rows: list[npt.NDArray[np.int64]] = []
    s = settings
    for index, doc in pages:
        page = prepare_page(doc)
        ps = passage_signatures(page.main, params, s.passages(query=True))
        if not ps.token_ranges:
            continue
        k = band_keys(ps.signatures, params.bands, params.rows)
        keys.append(k.ravel())
        rows.append(np.repeat(np.arange(k.shape[0], dtype=np.int64), k.shape[1]))
        page_ids.append(np.full(k.size, index, dtype=np.int64))
    empty = np.zeros(0, dtype=np.int64)
    return pd.DataFrame(
        {
            "key": np.concatenate(keys) if keys else empty,
            "page": np.concatenate(page_ids) if page_ids else empty,
            "row": np.concatenate(rows) if rows else empty,
        }
    )


def verify(
    tasks: Sequence[tuple[int, Document, list[SourceDoc]]], settings: Settings
) -> list[tuple[int, list[SourceReuse]]]:
    """Align each page with its candidate sources (in document-number order), as ``SourceLookup``."""
    out: list[tuple[int, list[SourceReuse]]] = []
    # A source that is a candidate of several pages of the batch is tokenised once.
    prepared: dict[SourceDoc, SourceText] = {}
    for index, doc, sources in tasks:
        page = prepare_page(doc)
        page_seeds = page_seed_hashes(page, settings)
        found: list[SourceReuse] = []
        for source in sources:
            if doc.url is not None and source.url == doc.url:
                continue  # the page itself is in the corpus
            ready = prepared.get(source)
            if ready is None:
                ready = prepared[source] = prepare_source_text(source, settings.align_seed_tokens)
            reuse = measure_prepared(page, ready, settings, page_seeds)
            if reuse is not None:
                found.append(reuse)
        out.append((index, found))
    return out


def sample_candidates(
    records: Sequence[tuple[int, SourceDoc]], superseded: frozenset[int], per_category: int, texts: bool
) -> list[tuple[str, int, str, str]]:
    """(category, pk, text, digest) of the first ``per_category`` sources of each category here."""
    live = ((doc.category or "", pos, doc) for pos, doc in records if pos not in superseded)
    return [
        (c, pos, content_text(doc) if texts else "", text_digest(doc.text))
        for c, pos, doc in first_per_category(live, per_category, len(records))
    ]


def _is_doc(record: tuple[int, object]) -> bool:
    return isinstance(record[1], SourceDoc)


def _is_failure(record: tuple[int, object]) -> bool:
    return isinstance(record[1], InputFailure)


def _doc_id(record: tuple[int, SourceDoc]) -> str:
    return record[1].id


# ---- the driver -----------------------------------------------------------------------------


class DaskCatalogue:
    """What ``scanning.scan`` asks of a corpus that lives on the cluster: manifest, parameters,
    the topic sample and the sources that findings name. Candidates come from the join, so it
    is a ``Catalogue`` only."""

    def __init__(self, corpus: DaskCorpus):
        self.corpus = corpus
        self.params: SignatureParams = corpus.params
        self.manifest: Manifest = settings_manifest(corpus.settings, corpus.params)
        self.known: dict[str, SourceDoc] = {}

    @property
    def cache_base(self) -> Path | None:
        return None  # no topic model cache for a corpus read for one run

    def close(self) -> None:
        return None

    def documents(self, pks: Iterable[int]) -> dict[int, SourceDoc]:
        wanted = frozenset(pks)
        return {pos: doc for pos, doc in self.corpus.fetch(lambda pos, _d: pos in wanted)}

    def document_by_id(self, doc_id: str) -> SourceDoc | None:
        if doc_id not in self.known:
            found = self.corpus.fetch(lambda _p, d: d.id == doc_id)
            if not found:
                return None
            self.known[doc_id] = max(found, key=lambda r: r[0])[1]
        return self.known[doc_id]

    def sample_by_category(
        self, per_category: int, total: int, *, texts: bool = True
    ) -> list[tuple[str, str, str]]:
        dask = _mod("dask")
        parts = [
            dask.delayed(sample_candidates)(p, self.corpus.superseded, per_category, texts)
            for p in self.corpus.docs.to_delayed()
        ]
        rows = [(c, pk, (text, digest)) for chunk in dask.compute(*parts) for c, pk, text, digest in chunk]
        return [(text, c, digest) for c, _, (text, digest) in first_per_category(rows, per_category, total)]


class DaskFinder:
    """Each page's verified reuses, computed for the whole batch at once."""

    def __init__(self, docs: Sequence[Document], found: dict[int, list[SourceReuse]]):
        self.index = {id(doc): i for i, doc in enumerate(docs)}
        self.docs = docs  # keeps the identities above valid
        self.found = found

    def reuses(self, doc: Document, page: PageText) -> list[SourceReuse]:
        return self.found.get(self.index.get(id(doc), -1), [])


class DaskCorpus:
    """``retrieval.Corpus`` on a Dask cluster."""

    def __init__(self, client: Any, parts: list[Part], settings: Settings):
        db = _mod("dask.bag")
        self.client = client
        self.settings = settings
        self.params = signature_params(settings)
        bag = db.from_sequence(parts, npartitions=max(1, len(parts))).map_partitions(
            read_sources, settings.max_page_bytes
        )
        records = bag.persist()
        self.failures: list[InputFailure] = [f for _, f in records.filter(_is_failure).compute()]
        self.docs = records.filter(_is_doc).persist()
        dup_ids = {i for i, n in self.docs.map(_doc_id).frequencies().filter(lambda kv: kv[1] > 1).compute()}
        superseded: set[int] = set()
        if dup_ids:
            latest: dict[str, int] = {}
            for pos, doc_id in (
                self.docs.filter(lambda r: r[1].id in dup_ids).map(lambda r: (r[0], r[1].id)).compute()
            ):
                if doc_id in latest:
                    superseded.add(min(pos, latest[doc_id]))
                latest[doc_id] = max(pos, latest.get(doc_id, pos))
        self.superseded = frozenset(superseded)
        self.store = DaskCatalogue(self)

    @classmethod
    @contextlib.contextmanager
    def start(
        cls, paths: Sequence[str], settings: Settings, *, scheduler: str | None
    ) -> Iterator[DaskCorpus]:
        parts = partitions(paths)  # a missing path is an input error before any cluster starts
        try:
            distributed = _mod("distributed")
        except ImportError as err:  # pragma: no cover - the 'scale' extra is missing
            raise EngineError(
                "--engine dask needs dask[distributed] (pip install 'detector[scale]')"
            ) from err
        cluster = None
        try:
            if scheduler is not None:
                client = distributed.Client(scheduler, timeout=10)
            else:
                cluster = distributed.LocalCluster(
                    n_workers=os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",
                    silence_logs=logging.ERROR,
                )
                client = distributed.Client(cluster)
        except (OSError, TimeoutError) as err:
            if cluster is not None:
                cluster.close()
            where = scheduler or "a local cluster"
            raise EngineError(f"{where}: cannot start or reach the Dask scheduler ({err})") from None
        try:
            yield cls(client, parts, settings)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    def fetch(self, keep: Any) -> list[tuple[int, SourceDoc]]:
        """Sources (position, document) for which ``keep(position, document)`` holds."""
        sup = self.superseded
        return list(self.docs.filter(lambda r: r[0] not in sup and keep(r[0], r[1])).compute())

    def finder(self, docs: Sequence[Document], settings: Settings) -> ReuseFinder:
        dask, dd, db = _mod("dask"), _mod("dask.dataframe"), _mod("dask.bag")
        import pandas as pd

        params = self.params
        if not docs:
            return DaskFinder(docs, {})
        key_meta = pd.DataFrame({"key": pd.Series(dtype="int64"), "pk": pd.Series(dtype="int64")})
        page_meta = pd.DataFrame(
            {
                "key": pd.Series(dtype="int64"),
                "page": pd.Series(dtype="int64"),
                "row": pd.Series(dtype="int64"),
            }
        )
        src = dd.from_delayed(
            [
                dask.delayed(source_key_frame)(p, self.superseded, params, settings)
                for p in self.docs.to_delayed()
            ],
            meta=key_meta,
            verify_meta=False,
        )
        per_task = settings.dask_pages_per_task
        chunks = [list(enumerate(docs))[lo : lo + per_task] for lo in range(0, len(docs), per_task)]
        scattered = self.client.scatter(chunks)
        pages = dd.from_delayed(
            [dask.delayed(page_key_frame)(c, params, settings) for c in scattered],
            meta=page_meta,
            verify_meta=False,
        )
        pairs = pages.merge(src, on="key", how="inner")[["page", "row", "pk"]].drop_duplicates()
        hits = pairs.groupby(["page", "pk"]).size().compute()
        ranked: dict[int, list[int]] = {}
        for (page, pk), _n in sorted(hits.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1])):
            chosen = ranked.setdefault(int(page), [])
            if len(chosen) < settings.max_candidates:
                chosen.append(int(pk))
        wanted = frozenset(pk for pks in ranked.values() for pk in pks)
        sources = dict(self.fetch(lambda pos, _d: pos in wanted))
        for doc in sources.values():
            self.store.known[doc.id] = doc
        tasks = [
            (i, docs[i], [sources[pk] for pk in sorted(pks) if pk in sources]) for i, pks in ranked.items()
        ]
        bag = db.from_sequence(tasks, partition_size=settings.dask_pages_per_task)
        results = bag.map_partitions(verify, settings).compute()
        return DaskFinder(docs, dict(results))
