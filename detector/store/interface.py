"""What the pipeline needs from an index, split by role, and what every store shares.

Roles (each a Protocol; a store implements the ones it can):

- ``Catalogue``: the manifest, the signature parameters, source documents, the topic sample.
  Every corpus has one: a persistent index, a corpus held in this process, a Dask corpus.
- ``SearchableIndex``: a catalogue that also finds candidate documents by band key (a
  persistent index, or a corpus held in this process; the Dask engine joins instead).
- ``IndexWriter``: adds, replaces and removes whole documents (persistent indexes only).
- ``IndexChecker``: what ``detector index --check`` reads (persistent indexes only).
- ``IndexStore``: all of them, as the SQLite file and the Redis index implement.

Every store keeps the same manifest, the same band keys (``detector.store.signatures.band_keys``),
documents whole or not at all, and never unpickles anything.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from detector.config import LIMITS
from detector.model import SourceDoc
from detector.store.manifest import Manifest
from detector.store.signatures import SignatureParams
from detector.store.stored_text import UTF16_TAG

# Band keys sorted as unsigned numbers, and for each the index of its document in a batch.
SortedRun = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]


@dataclass(frozen=True)
class PreparedDoc:
    """A source document with its band keys, ready to be written."""

    doc: SourceDoc
    keys: npt.NDArray[np.int64]  # unique band keys of all its passages
    passages: int
    # The stored form of the text, made where the keys are (a worker process), not by the writer.
    body: bytes = b""
    digest: str = ""

    def stored_body(self) -> bytes:
        return self.body or compress_text(self.doc.text)

    def stored_digest(self) -> str:
        return self.digest or text_digest(self.doc.text)


def text_digest(text: str) -> str:
    return hashlib.sha256(_utf8(text)[0]).hexdigest()


def compress_text(text: str) -> bytes:
    """The stored form of a text (read back by ``stored_text.inflate_text``): mostly-CJK text as
    UTF-16 after a tag byte, which on the cnews corpus is 8% larger than zlib's output of its UTF-8
    and 25x cheaper to make (zlib took ~1 s of the ~7 s of CPU that indexing 25 MB cost); other
    text (and text with surrogates or characters beyond the BMP) as zlib-compressed UTF-8."""
    return _compressed(text, *_utf8(text))


def stored_forms(text: str) -> tuple[bytes, str]:
    """``compress_text(text)`` and ``text_digest(text)`` from one UTF-8 encoding of the text."""
    utf8, surrogates = _utf8(text)
    return _compressed(text, utf8, surrogates), hashlib.sha256(utf8).hexdigest()


def _utf8(text: str) -> tuple[bytes, bool]:
    """The text's UTF-8 (lone surrogates passed through), and whether it holds any. The strict
    codec fails on surrogates only, and is ~2x faster than "surrogatepass" and a search for them."""
    try:
        return text.encode("utf-8"), False
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass"), True


def _compressed(text: str, utf8: bytes, surrogates: bool) -> bytes:
    if text and not surrogates and len(utf8) >= LIMITS.stored_utf16_min_utf8_ratio * len(text):
        raw = text.encode("utf-16-le")
        if len(raw) == 2 * len(text):
            return UTF16_TAG + raw
    return zlib.compress(utf8, 6)


def content_text(doc: SourceDoc) -> str:
    """The text a topic model learns from: the document's content spans, a line each."""
    return "\n".join(doc.text[s:e] for s, e in doc.content_spans())


T = TypeVar("T")


def first_per_category(
    rows: Iterable[tuple[str, int, T]], per_category: int, total: int
) -> list[tuple[str, int, T]]:
    """The topic sample's rule, the same in every store: of (category, order, item) rows with a
    category, the first ``per_category`` of each category by order, at most ``total``, sorted by
    category then order."""
    ordered = sorted((r for r in rows if r[0]), key=lambda r: (r[0], r[1]))
    out: list[tuple[str, int, T]] = []
    taken: dict[str, int] = {}
    for row in ordered:
        if len(out) >= total:
            break
        if taken.get(row[0], 0) >= per_category:
            continue
        taken[row[0]] = taken.get(row[0], 0) + 1
        out.append(row)
    return out


class Catalogue(Protocol):
    """Reading a corpus: its settings and its documents."""

    manifest: Manifest
    params: SignatureParams

    def close(self) -> None: ...
    def documents(self, pks: Iterable[int]) -> dict[int, SourceDoc]: ...
    def document_by_id(self, doc_id: str) -> SourceDoc | None: ...
    def sample_by_category(
        self, per_category: int, total: int, *, texts: bool = True
    ) -> list[tuple[str, str, str]]:
        """(content text, category, text digest) of up to ``per_category`` documents of each
        category (the first indexed), at most ``total``, by category then index order;
        ``texts=False`` leaves the texts empty (the digests tell whether a cached model holds)."""
        ...

    @property
    def cache_base(self) -> Path | None:
        """The path that caches derived from this corpus (the topic model) are named after, or
        None when nothing is cached (a corpus read for one run)."""
        ...


class SearchableIndex(Catalogue, Protocol):
    """A catalogue that finds candidates: (band key, document number) for each key found."""

    def candidates(self, keys: npt.NDArray[np.int64]) -> list[tuple[int, int]]: ...


class IndexWriter(Catalogue, Protocol):
    """Writing: each call is atomic (all of its documents with their band rows, or nothing)."""

    # Whether ``write`` and ``remove`` need the band keys of the documents they replace or remove
    # (recomputed from the stored text, which costs as much as signing them anew).
    needs_old_keys: bool
    # Parts signed ahead per signing worker while the writer writes (``indexing``): more where
    # the writer commits in long rounds (Redis), so that the workers sign on meanwhile.
    parts_ahead: int

    def digest_of(self, doc_id: str) -> str | None: ...
    def digests_of(self, ids: Sequence[str]) -> list[str | None]:
        """``digest_of`` of each id, in a few round trips."""
        ...
    def write(
        self,
        prepared: Sequence[PreparedDoc],
        replaced_keys: dict[str, npt.NDArray[np.int64]],
        run: SortedRun | None = None,
    ) -> None:
        """``run``, when given: the band entries of ``prepared`` already sorted by key as unsigned
        numbers, each with the index of its document in ``prepared`` (made by a worker)."""
        ...
    def remove(self, ids_and_keys: dict[str, npt.NDArray[np.int64] | None]) -> list[str]: ...
    def finish(self) -> None:
        """Called once after the last ``write`` of a run: tidy up (the SQLite store merges the
        band runs it wrote; the Redis store commits its last round of writes); each step atomic,
        a store that needs none does nothing."""
        ...

    def counts(self) -> dict[str, int]: ...


class IndexChecker(Catalogue, Protocol):
    """What ``detector index --check`` reads."""

    def iter_documents(self) -> Iterator[tuple[int, SourceDoc, str]]: ...
    def missing_bands(self, keys: npt.NDArray[np.int64], pk: int) -> int:
        """How many of ``keys`` lack a band row for document ``pk``."""
        ...

    def structural_problems(self) -> list[str]: ...
    def counts(self) -> dict[str, int]: ...


class IndexStore(SearchableIndex, IndexWriter, IndexChecker, Protocol):
    """A persistent index: the SQLite file or the Redis index."""
