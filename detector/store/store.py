"""What the pipeline needs from an index, whatever keeps it (SQLite file, Redis).

Every store keeps the same manifest (settings that change signatures), the same band keys
(``detector.store.signatures.band_keys``: one function for every engine), documents whole or
not at all, and never unpickles anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from detector.model import SourceDoc
from detector.store.manifest import Manifest
from detector.store.signatures import SignatureParams
from detector.store.sqlite_store import PreparedDoc


class IndexStore(Protocol):
    manifest: Manifest
    params: SignatureParams

    def close(self) -> None: ...

    # writing: each call is atomic (all of its documents with their band rows, or nothing)
    def digest_of(self, doc_id: str) -> str | None: ...
    def write(
        self, prepared: Sequence[PreparedDoc], replaced_keys: dict[str, npt.NDArray[np.int64]]
    ) -> None: ...
    def remove(self, ids_and_keys: dict[str, npt.NDArray[np.int64] | None]) -> list[str]: ...

    # reading
    def candidates(self, keys: npt.NDArray[np.int64]) -> list[tuple[int, int]]: ...
    def documents(self, pks: Iterable[int]) -> dict[int, SourceDoc]: ...
    def document_by_id(self, doc_id: str) -> SourceDoc | None: ...
    def iter_documents(self) -> Iterator[tuple[int, SourceDoc, str]]: ...
    def has_band(self, key: int, pk: int) -> bool: ...
    def counts(self) -> dict[str, int]: ...
    def structural_problems(self) -> list[str]: ...
    def sample_by_category(
        self, per_category: int, total: int, *, texts: bool = True
    ) -> list[tuple[str, str, str]]: ...
