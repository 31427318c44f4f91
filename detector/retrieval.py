"""Retrieval: from a page to the sources it copies, verified and aligned.

Signs page passages, finds candidate sources by LSH band keys in an index (or a corpus held
for one run), and verifies each candidate by alignment. The in-process engine and the Dask
engine share these functions, so every engine finds the same sources.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from detector.analysis.reuse import PageText, SourceReuse, measure_reuse, prepare_page_text
from detector.config import Settings
from detector.model import Document, SourceDoc
from detector.store import open_store
from detector.store.interface import Catalogue, IndexStore, SearchableIndex, compress_text, text_digest
from detector.store.manifest import Manifest
from detector.store.passage_signatures import passage_signatures, source_band_keys
from detector.store.signatures import SignatureParams, band_keys


def settings_manifest(settings: Settings, params: SignatureParams) -> Manifest:
    return Manifest.for_settings(settings.manifest(), params)


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
        published=doc.published,
    )


def sources_keys(
    sources: Sequence[SourceDoc], params: SignatureParams, settings: Settings
) -> list[tuple[np.ndarray, int]]:
    """For each source: the unique band keys of all its passages, and how many passages."""
    return source_band_keys([(src.text, src.content_spans()) for src in sources], params, settings.passages())


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


def prepare_page(doc: Document) -> PageText:
    return prepare_page_text(doc, doc.main_spans())


class SourceLookup:
    """Finds and verifies the sources a page copies, with a small cache of source documents."""

    def __init__(self, store: SearchableIndex, settings: Settings, cache_size: int = 256):
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
        ps = passage_signatures(page.main, self.store.params, s.passages(query=True))
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
    def store(self) -> Catalogue: ...

    def finder(self, docs: Sequence[Document], settings: Settings) -> ReuseFinder: ...
