"""The in-process engine: a corpus read once and held as an in-memory index.

``CorpusIndex`` implements the ``IndexStore`` protocol for reading (documents, a sorted band
table computed with ``band_keys`` like every store, the topic sample), so the scan queries it
through ``pipeline.SourceLookup`` exactly as it queries a file or Redis index.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from detector.config import Settings
from detector.engine.inputs import partitions, read_part
from detector.model import Document, InputFailure, SourceDoc
from detector.pipeline import (
    ReuseFinder,
    SourceLookup,
    settings_manifest,
    signature_params,
    source_from_document,
    sources_keys,
)
from detector.store.manifest import Manifest
from detector.store.signatures import SignatureParams
from detector.store.sqlite_store import PreparedDoc, text_digest

_SIGN_BATCH = 500


def content_text(doc: SourceDoc) -> str:
    return "\n".join(doc.text[s:e] for s, e in doc.content_spans())


def sample_rows(
    rows: Iterable[tuple[str, int, SourceDoc]], per_category: int, total: int, texts: bool
) -> list[tuple[str, str, str]]:
    """The topic sample of the SQLite store from (category, order, document) rows: up to
    ``per_category`` first documents of each category, by category then order, at most ``total``."""
    ordered = sorted(((c, o, d) for c, o, d in rows if c), key=lambda row: (row[0], row[1]))
    out: list[tuple[str, str, str]] = []
    taken: dict[str, int] = {}
    for category, _, doc in ordered:
        if len(out) >= total:
            break
        if taken.get(category, 0) >= per_category:
            continue
        taken[category] = taken.get(category, 0) + 1
        out.append((content_text(doc) if texts else "", category, text_digest(doc.text)))
    return out


class CorpusIndex:
    """An in-memory, read-only index of a corpus: document numbers 1..n in corpus order."""

    def __init__(self, docs: Sequence[SourceDoc], settings: Settings):
        self.params: SignatureParams = signature_params(settings)
        self.manifest: Manifest = settings_manifest(settings, self.params)
        self.path: Path | None = None  # no topic model cache beside a corpus read for one run
        self.docs = {pk: doc for pk, doc in enumerate(docs, start=1)}
        self.by_id = {doc.id: pk for pk, doc in self.docs.items()}
        self.passages: dict[int, int] = {}
        keys: list[npt.NDArray[np.int64]] = []
        pks: list[npt.NDArray[np.int64]] = []
        for lo in range(0, len(docs), _SIGN_BATCH):
            batch = docs[lo : lo + _SIGN_BATCH]
            for pk, (k, n) in enumerate(sources_keys(batch, self.params, settings), start=lo + 1):
                keys.append(k)
                pks.append(np.full(k.shape[0], pk, dtype=np.int64))
                self.passages[pk] = n
        all_keys = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
        all_pks = np.concatenate(pks) if pks else np.zeros(0, dtype=np.int64)
        order = np.lexsort((all_pks, all_keys))
        self.keys, self.pks = all_keys[order], all_pks[order]

    def close(self) -> None:
        return None

    # writing: a corpus is read for one run
    def digest_of(self, doc_id: str) -> str | None:
        pk = self.by_id.get(doc_id)
        return None if pk is None else text_digest(self.docs[pk].text)

    def write(self, prepared: Sequence[PreparedDoc], replaced_keys: dict[str, npt.NDArray[np.int64]]) -> None:
        raise TypeError("a corpus read for one scan is not written to")

    def remove(self, ids_and_keys: dict[str, npt.NDArray[np.int64] | None]) -> list[str]:
        raise TypeError("a corpus read for one scan is not written to")

    # reading
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

    def iter_documents(self) -> Iterator[tuple[int, SourceDoc, str]]:
        for pk, doc in self.docs.items():
            yield pk, doc, text_digest(doc.text)

    def has_band(self, key: int, pk: int) -> bool:
        a = int(np.searchsorted(self.keys, key, side="left"))
        b = int(np.searchsorted(self.keys, key, side="right"))
        return bool(np.any(self.pks[a:b] == pk))

    def counts(self) -> dict[str, int]:
        return {
            "documents": len(self.docs),
            "characters": sum(len(d.text) for d in self.docs.values()),
            "passages": sum(self.passages.values()),
            "band_rows": int(self.keys.shape[0]),
        }

    def structural_problems(self) -> list[str]:
        return []

    def sample_by_category(
        self, per_category: int, total: int, *, texts: bool = True
    ) -> list[tuple[str, str, str]]:
        return sample_rows(
            ((d.category or "", pk, d) for pk, d in self.docs.items()), per_category, total, texts
        )


def read_sources(
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
    """``pipeline.Corpus`` in this process."""

    store: CorpusIndex
    failures: list[InputFailure] = field(default_factory=list)

    @staticmethod
    def read(paths: Sequence[str], settings: Settings) -> LocalCorpus:
        sources, failures = read_sources(paths, settings)
        return LocalCorpus(CorpusIndex([s for _, s in sources], settings), failures)

    def finder(self, docs: Sequence[Document], settings: Settings) -> ReuseFinder:
        return SourceLookup(self.store, settings)
