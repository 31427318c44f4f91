"""Where indexes are kept: the embedded SQLite file (``sqlite_store``) and the shared Redis index
(``redis_store``), behind the role interfaces of ``interface``; ``open_store`` picks one from the
value of ``--index`` (``location``). Signatures and band keys (``signatures``,
``passage_signatures``) are computed the same way for every store and engine.
"""

from __future__ import annotations

from pathlib import Path

from detector.store.interface import IndexStore
from detector.store.location import FileLocation, IndexLocation, RedisLocation, parse_location
from detector.store.manifest import Manifest
from detector.store.signatures import SignatureParams

__all__ = ["create_or_open_store", "open_store"]


def _location(index: str | Path | IndexLocation) -> IndexLocation:
    return index if isinstance(index, FileLocation | RedisLocation) else parse_location(index)


def open_store(
    index: str | Path | IndexLocation, expected: Manifest | None, *, writable: bool = False
) -> IndexStore:
    """Open an existing index wherever it lives (file -> SqliteIndex, redis URL -> RedisIndex),
    refusing one whose manifest differs from ``expected`` (when given)."""
    loc = _location(index)
    if isinstance(loc, RedisLocation):
        from detector.store.redis_store import RedisIndex

        return RedisIndex.open(loc, expected, writable=writable)
    from detector.store.sqlite_store import SqliteIndex

    return SqliteIndex.open(loc.path, expected, writable=writable)


def create_or_open_store(
    index: str | Path | IndexLocation, manifest: Manifest, params: SignatureParams
) -> IndexStore:
    """Open an index for writing, creating it (with ``manifest``) when missing."""
    loc = _location(index)
    if isinstance(loc, RedisLocation):
        from detector.store.redis_store import RedisIndex

        return RedisIndex.create_or_open(loc, manifest, params)
    from detector.store.sqlite_store import SqliteIndex

    return SqliteIndex.create_or_open(loc.path, manifest, params)
