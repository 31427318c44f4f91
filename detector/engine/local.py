"""The in-process engine: a corpus read once and held as an in-memory index.

``CorpusIndex`` is a ``SearchableIndex`` (documents, a sorted band table computed with
``band_keys`` like every store, the topic sample), so the scan queries it through
``retrieval.SourceLookup`` exactly as it queries a file or Redis index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from detector.config import Settings
from detector.ingest.partitions import partitions, read_part
from detector.model import Document, InputFailure, SourceDoc
from detector.retrieval import (
    ReuseFinder,
    SourceLookup,
    settings_manifest,
    signature_params,
    source_from_document,
    sources_keys,
)
from detector.store.interface import content_text, first_per_category, text_digest
from detector.store.manifest import Manifest
from detector.store.signatures import SignatureParams


class CorpusIndex:
    """An in-memory, read-only index of a corpus: document numbers 1..n in corpus order."""

    def __init__(self, docs: Sequence[SourceDoc], settings: Settings):
        self.params: SignatureParams = signature_params(settings)
        self.manifest: Manifest = settings_manifest(settings, self.params)
        self.docs = {pk: doc for pk, doc in enumerate(docs, start=1)}
        self.by_id = {doc.id: pk for pk, doc in self.docs.items()}
        keys: list[npt.NDArray[np.int64]] = []
        pks: list[npt.NDArray[np.int64]] = []
        for lo in range(0, len(docs), settings.sign_batch):
            batch = docs[lo : lo + settings.sign_batch]
            for pk, (k, _) in enumerate(sources_keys(batch, self.params, settings), start=lo + 1):
                keys.append(k)
                pks.append(np.full(k.shape[0], pk, dtype=np.int64))
        all_keys = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
        all_pks = np.concatenate(pks) if pks else np.zeros(0, dtype=np.int64)
        order = np.lexsort((all_pks, all_keys))
        self.keys, self.pks = all_keys[order], all_pks[order]

    @property
    def cache_base(self) -> Path | None:
        return None  # no topic model cache for a corpus read for one run

    def close(self) -> None:
        return None

    def candidates(self, keys: npt.NDArray[np.int64]) -> list[tuple[int, int]]:
        uniq = np.unique(keys)
        lo = np.searchsorted(self.keys, uniq, side="left")
        hi = np.searchsorted(self.keys, uniq, side="right")
        out: list[tuple[int, int]] = []
        for k, a, b in zip(uniq.tolist(), lo.tolist(), hi.tolist(), strict=True):
            out.extend((k, pk) for pk in self.pks[a:b].tolist())
        return out

    def documents(self, pks: Iterable[int]) -> dict[int, SourceDoc]:
        return {pk: self.docs[pk] for pk in pks if pk in self.docs}

    def document_by_id(self, doc_id: str) -> SourceDoc | None:
        pk = self.by_id.get(doc_id)
        return None if pk is None else self.docs[pk]

    def sample_by_category(
        self, per_category: int, total: int, *, texts: bool = True
    ) -> list[tuple[str, str, str]]:
        rows = first_per_category(
            ((d.category or "", pk, d) for pk, d in self.docs.items()), per_category, total
        )
        return [(content_text(d) if texts else "", c, text_digest(d.text)) for c, _, d in rows]


def read_corpus(
    paths: Sequence[str], settings: Settings
) -> tuple[list[tuple[int, SourceDoc]], list[InputFailure]]:
    """The corpus in order, (position, source); an id given twice: the last one wins."""
    latest: dict[str, tuple[int, SourceDoc]] = {}
    failures: list[InputFailure] = []
    for part in partitions(paths):
        for pos, item in read_part(part, sources=True, site=None, max_bytes=settings.max_page_bytes):
            if isinstance(item, InputFailure):
                failures.append(item)
            else:
                source = source_from_document(item)
                latest[source.id] = (pos, source)
    return sorted(latest.values(), key=lambda x: x[0]), failures


@dataclass
class LocalCorpus:
    """``retrieval.Corpus`` in this process."""

    store: CorpusIndex
    failures: list[InputFailure] = field(default_factory=list)

    @staticmethod
    def read(paths: Sequence[str], settings: Settings) -> LocalCorpus:
        sources, failures = read_corpus(paths, settings)
        return LocalCorpus(CorpusIndex([s for _, s in sources], settings), failures)

    def finder(self, docs: Sequence[Document], settings: Settings) -> ReuseFinder:
        return SourceLookup(self.store, settings)
