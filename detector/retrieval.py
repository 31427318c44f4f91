"""Retrieval: from a page to the sources it copies, verified and aligned.

Signs page passages, finds candidate sources by LSH band keys in an index (or a corpus held
for one run), and verifies each candidate by alignment. The in-process engine and the Dask
engine share these functions, so every engine finds the same sources.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from detector.config import LIMITS, Settings
from detector.model import Document, SourceDoc
from detector.store import open_store
from detector.store.interface import Catalogue, IndexStore, SearchableIndex, stored_forms
from detector.store.manifest import Manifest
from detector.store.passage_signatures import source_band_keys
from detector.store.signatures import SignatureParams, band_keys

# The scan side (SourceLookup, prepare_page) imports the analysis modules where it runs: the
# indexing process reads this module for its store functions and never aligns anything.
if TYPE_CHECKING:
    from detector.analysis.reuse import PageText, SourceReuse
    from detector.analysis.source_text import SourceText


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
    main = tuple([(b.start, b.end) for b in doc.blocks if b.kind == "main"])  # a list: no generator per block
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
        (keys, n, *stored_forms(src.text))
        for src, (keys, n) in zip(sources, sources_keys(sources, params, settings), strict=True)
    ]


def source_keys(source: SourceDoc, params: SignatureParams, settings: Settings) -> tuple[np.ndarray, int]:
    return sources_keys([source], params, settings)[0]


def prepare_page(doc: Document) -> PageText:
    from detector.analysis.reuse import prepare_page_text

    return prepare_page_text(doc, doc.main_spans())


class SourceLookup:
    """Finds and verifies the sources a page copies. Sources are kept prepared for alignment
    (tokens, seeds) across the pages of one run, least recently used first out, up to
    ``LIMITS.scan_cache_tokens`` tokens: pages of one site often copy the same sources."""

    def __init__(self, store: SearchableIndex, settings: Settings):
        self.store = store
        self.settings = settings
        self.cache: OrderedDict[int, SourceText] = OrderedDict()
        self.cached_tokens = 0
        # Pages looked up ahead by ``look_up``: id(page) -> (the page, its band keys and hits).
        self._looked_up: dict[int, tuple[PageText, tuple[np.ndarray, np.ndarray] | None]] = {}

    def _sources(self, pks: Iterable[int]) -> dict[int, SourceText]:
        from detector.analysis.source_text import prepare_source_text

        out: dict[int, SourceText] = {}
        missing = []
        for pk in pks:
            if pk in self.cache:
                self.cache.move_to_end(pk)
                out[pk] = self.cache[pk]
            else:
                missing.append(pk)
        for pk, doc in self.store.documents(missing).items():
            prepared = prepare_source_text(doc, self.settings.align_seed_tokens)
            out[pk] = prepared
            self.cache[pk] = prepared
            self.cached_tokens += len(prepared) + 1
            while self.cached_tokens > LIMITS.scan_cache_tokens and self.cache:
                _, old = self.cache.popitem(last=False)
                self.cached_tokens -= len(old) + 1
        return out

    def look_up(self, pages: Sequence[PageText]) -> None:
        """Sign ``pages`` and find their candidates in the index together; ``reuses`` then takes
        each page's from here. One page at a time, the fixed cost of each numpy and store call
        was a third of the lookup (100 pages: signing 100 ms against 20 ms in one batch)."""
        from detector.analysis.reuse import page_signatures

        params = self.store.params
        signed = page_signatures(pages, params, self.settings.passages(query=True))
        keys = [
            band_keys(ps.signatures, params.bands, params.rows) if ps.token_ranges else None for ps in signed
        ]
        asked = [k.ravel() for k in keys if k is not None]
        found = _pairs(self.store.candidates(np.concatenate(asked))) if asked else _pairs([])
        # A page's hits are the entries of its own keys (the store returns every entry of a key).
        by_key = found[np.argsort(found[:, 0], kind="stable")]
        for page, k in zip(pages, keys, strict=True):
            if k is None:
                self._looked_up[id(page)] = (page, None)
                continue
            wanted = np.unique(k)
            lo = np.searchsorted(by_key[:, 0], wanted, side="left")
            counts = np.searchsorted(by_key[:, 0], wanted, side="right") - lo
            rows = np.repeat(lo - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))
            self._looked_up[id(page)] = (page, (k, by_key[rows]))

    def _keys_and_hits(self, page: PageText) -> tuple[np.ndarray, np.ndarray] | None:
        """The page's band keys and its (band key, document) hits; None when it has no passage."""
        from detector.analysis.reuse import page_signatures

        ahead = self._looked_up.pop(id(page), None)
        if ahead is not None and ahead[0] is page:
            return ahead[1]
        ps = page_signatures([page], self.store.params, self.settings.passages(query=True))[0]
        if not ps.token_ranges:
            return None
        keys = band_keys(ps.signatures, self.store.params.bands, self.store.params.rows)
        return keys, _pairs(self.store.candidates(keys))

    def reuses(self, doc: Document, page: PageText) -> list[SourceReuse]:
        from detector.analysis.reuse import measure_prepared, page_seed_hashes

        s = self.settings
        looked_up = self._keys_and_hits(page)
        if looked_up is None:
            return []
        keys, hits = looked_up
        if not hits.shape[0]:
            return []
        ranked = rank_candidates(keys, hits, s.max_candidates)
        found: list[SourceReuse] = []
        page_seeds = page_seed_hashes(page, s)
        for _pk, prepared in sorted(self._sources(ranked).items()):
            if doc.url is not None and prepared.source.url == doc.url:
                continue  # the page itself is in the corpus
            reuse = measure_prepared(page, prepared, s, page_seeds)
            if reuse is not None:
                found.append(reuse)
        return found


def _pairs(hits: Sequence[tuple[int, int]]) -> np.ndarray:
    """(band key, document) hits of a store as an (n, 2) array."""
    return np.array(hits, dtype=np.int64).reshape(-1, 2)


def rank_candidates(keys: np.ndarray, hits: Sequence[tuple[int, int]] | np.ndarray, limit: int) -> list[int]:
    """The ``limit`` documents sharing a band key with the most page passages (then the lowest
    document number): ``keys[row]`` are passage ``row``'s band keys, ``hits`` (band key,
    document) pairs from the index. Vectorised: a page has ~800 keys and ~150 hits."""
    flat = keys.ravel()
    rows = np.repeat(np.arange(keys.shape[0], dtype=np.int64), keys.shape[1])
    order = np.argsort(flat, kind="stable")
    sorted_keys = flat[order]
    pairs = np.array(hits, dtype=np.int64).reshape(-1, 2)
    lo = np.searchsorted(sorted_keys, pairs[:, 0], side="left")
    counts = np.searchsorted(sorted_keys, pairs[:, 0], side="right") - lo
    total = int(counts.sum())
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    pair_doc = np.repeat(pairs[:, 1], counts)
    pair_row = rows[order[np.repeat(lo, counts) + offsets]]
    # Distinct (document, passage) pairs, then passages per document.
    by = np.lexsort((pair_row, pair_doc))
    pair_doc, pair_row = pair_doc[by], pair_row[by]
    first = np.ones(total, dtype=np.bool_)
    first[1:] = (pair_doc[1:] != pair_doc[:-1]) | (pair_row[1:] != pair_row[:-1])
    docs, passages = np.unique(pair_doc[first], return_counts=True)
    # A document whose hits match no passage key still ranks, with no passages.
    every = np.unique(pairs[:, 1])
    per_doc = np.zeros(every.shape[0], dtype=np.int64)
    per_doc[np.searchsorted(every, docs)] = passages
    best = np.lexsort((every, -per_doc))[:limit]
    return [int(pk) for pk in every[best]]


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
