"""The shared index: documents, passages' band keys and the manifest kept in Redis.

Many scanners on many machines read one index; writers take turns (a writer lock). The
band table is datasketch's Redis storage (``RedisSetStorage`` through ``unordered_storage``)
with bytes keys and values and no pickling (datasketch's ``prepickle=False`` mode): bucket key
= the 8 big-endian bytes of a ``band_keys`` key (the same function as every other store),
values = document numbers as ASCII. Inserts go through the storage's buffered pipeline, as in
datasketch's ``insertion_session``. Everything else is plain hashes, sets and JSON; nothing
read back from Redis is ever unpickled.

The keys and the document codec are described in ``redis_codec``; the writer lock in
``redis_lock``.

A document and its band entries are all there or not at all, as readers see it: a batch's
document records and band entries are written first, marked pending, and then committed in one
MULTI/EXEC (the document numbers join ``P:pks`` and ``P:ids``). Readers ignore band entries
whose document is not committed. Entries of a writer that died (or of a replaced document) stay
pending until the next writer, or ``--check``, takes the lock and removes them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from detector.config import LIMITS
from detector.errors import IndexFileError
from detector.model import SourceDoc
from detector.store.interface import PreparedDoc
from detector.store.location import RedisLocation
from detector.store.manifest import Manifest, read_manifest
from detector.store.redis_codec import DOC_FIELDS, doc_fields, key_bytes, meta_of, row_doc
from detector.store.redis_lock import WriterLock, connect, guard
from detector.store.signatures import SignatureParams


class RedisIndex:
    """An open shared index. Use ``RedisIndex.create_or_open`` or ``RedisIndex.open``."""

    needs_old_keys = True  # a document's band entries are found by its keys

    def __init__(self, location: RedisLocation, client: Any, manifest: Manifest, params: SignatureParams):
        self.location = location
        self.where = location.display()
        self.client = client
        self.manifest = manifest
        self.params = params
        self.prefix = location.prefix
        self._bands: Any = None
        self.lock = WriterLock(client, location, f"{location.prefix}:lock")

    # ---- errors --------------------------------------------------------------------------
    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        with guard(self.location):
            yield

    # ---- opening -------------------------------------------------------------------------
    @classmethod
    def open(
        cls, location: RedisLocation, expected: Manifest | None, *, writable: bool = False
    ) -> RedisIndex:
        """Open an existing index; refuse a prefix that holds none or one built with other settings."""
        client = connect(location)
        where = location.display()
        p = location.prefix
        with guard(location):
            raw_manifest, raw_perms = client.mget([f"{p}:manifest", f"{p}:permutations"])
        if raw_manifest is None:
            client.close()
            raise IndexFileError(
                f"{where}: no such index (create it with `detector index SOURCE... --index {where}`)"
            )
        try:
            manifest, params = read_manifest(raw_manifest.decode("utf-8"), raw_perms, expected, where)
        except UnicodeDecodeError as err:
            client.close()
            raise IndexFileError(f"{where}: not a detector index (the manifest is not text)") from err
        except IndexFileError:
            client.close()
            raise
        store = cls(location, client, manifest, params)
        if writable:
            store.lock.acquire(LIMITS.redis_lock_wait_s)
            store._clean_pending()
        return store

    @classmethod
    def create_or_open(
        cls, location: RedisLocation, manifest: Manifest, params: SignatureParams
    ) -> RedisIndex:
        client = connect(location)
        p = location.prefix
        with guard(location):
            pipe = client.pipeline(transaction=True)
            pipe.set(f"{p}:manifest", manifest.to_json(), nx=True)
            pipe.set(f"{p}:permutations", json.dumps([list(params.a), list(params.b)]), nx=True)
            pipe.execute()  # an index appears whole (both keys) or is left as it was
        client.close()
        return cls.open(location, manifest, writable=True)

    def close(self) -> None:
        try:
            if self.lock.held:
                self.lock.release()
        except Exception:  # closing after the server went away: nothing left to release
            pass
        with contextlib.suppress(Exception):
            self.client.close()

    @property
    def cache_base(self) -> Path:
        """Where a local cache derived from this index (the topic model) may be kept: the
        user's cache folder, one file per server, database and prefix (never the password)."""
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "detector"
        with contextlib.suppress(OSError):
            base.mkdir(parents=True, exist_ok=True)
        return base / f"redis-{hashlib.sha256(self.where.encode()).hexdigest()[:16]}"

    # ---- keys ----------------------------------------------------------------------------
    def _k(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    @property
    def bands(self) -> Any:
        """datasketch's Redis set storage holding bucket key -> document numbers."""
        if self._bands is None:
            from datasketch.storage import unordered_storage

            config = {
                "type": "redis",
                "redis": self.location.connection_kwargs(),
                "redis_buffer": {"transaction": True},
            }
            with self._guard():
                self._bands = unordered_storage(config, name=f"{self.prefix}:bands:".encode())
        return self._bands

    def _band_key(self, key: bytes) -> bytes:
        return f"{self.prefix}:bands:".encode() + key

    def digest_of(self, doc_id: str) -> str | None:
        with self._guard():
            raw = self.client.hget(self._k("ids"), doc_id)
        return None if raw is None else raw.decode().split(" ", 1)[1]

    def _pk_of(self, ids: Sequence[str]) -> list[int | None]:
        if not ids:
            return []
        with self._guard():
            raws = self.client.hmget(self._k("ids"), list(ids))
        return [None if raw is None else int(raw.split(b" ", 1)[0]) for raw in raws]

    def write(self, prepared: Sequence[PreparedDoc], replaced_keys: dict[str, npt.NDArray[np.int64]]) -> None:
        """Write documents (replacing same ids) and their band entries: committed together."""
        if not prepared:
            return
        self.lock.extend()
        with self._guard():
            last = int(self.client.incrby(self._k("next_pk"), len(prepared)))
        pks = list(range(last - len(prepared) + 1, last + 1))
        # 1. the records, pending (invisible to readers)
        with self._guard():
            pipe = self.client.pipeline(transaction=True)
            for pk, item in zip(pks, prepared, strict=True):
                pipe.hset(self._k(f"doc:{pk}"), mapping=doc_fields(item))
                pipe.sadd(self._k("pending"), pk)
            pipe.execute()
        # 2. the band entries, through datasketch's buffered session
        self._insert_bands(prepared, pks)
        # 3. commit: every document of the batch becomes visible at once
        olds = self._pk_of([item.doc.id for item in prepared])
        old_meta = self._meta([pk for pk in olds if pk is not None])
        steps: list[tuple[int, PreparedDoc, int | None, dict[str, Any] | None]] = []
        latest: dict[str, tuple[int, PreparedDoc]] = {}
        for pk, item, old in zip(pks, prepared, olds, strict=True):
            if item.doc.id in latest:  # the same id twice in one batch: the later one wins
                prev_pk, prev_item = latest[item.doc.id]
                steps.append((pk, item, prev_pk, meta_of(prev_item)))
            else:
                steps.append((pk, item, old, None if old is None else old_meta[old]))
            latest[item.doc.id] = (pk, item)
        garbage = [prev for _, _, prev, _ in steps if prev is not None]

        def build(pipe: Any) -> None:
            for pk, item, prev, meta in steps:
                if prev is not None and meta is not None:
                    self._uncommit(pipe, prev, meta)
                self._make_visible(pipe, pk, item)

        self.lock.commit(build)
        # 4. what was replaced is removed (pending until then)
        self._discard(garbage, replaced_keys)

    def _insert_bands(self, prepared: Sequence[PreparedDoc], pks: Sequence[int]) -> None:
        if not any(item.keys.size for item in prepared):
            return
        keys = np.concatenate([item.keys for item in prepared])
        docs = np.repeat(np.array(pks, dtype=np.int64), [item.keys.shape[0] for item in prepared])
        order = np.argsort(keys, kind="stable")
        keys, docs = keys[order], docs[order]
        storage = self.bands
        for lo in range(0, keys.shape[0], LIMITS.redis_band_slice):
            ks, ds = keys[lo : lo + LIMITS.redis_band_slice], docs[lo : lo + LIMITS.redis_band_slice]
            uniq, starts = np.unique(ks, return_index=True)
            bounds = [*starts.tolist(), ks.shape[0]]
            with self._guard():
                for i, kb in enumerate(key_bytes(uniq)):
                    vals = [str(d).encode() for d in ds[bounds[i] : bounds[i + 1]].tolist()]
                    storage.insert(kb, *vals, buffer=True)
                storage.empty_buffer()
            self.lock.extend()

    def _meta(self, pks: Sequence[int]) -> dict[int, dict[str, Any]]:
        if not pks:
            return {}
        with self._guard():
            pipe = self.client.pipeline(transaction=False)
            for pk in pks:
                pipe.hmget(self._k(f"doc:{pk}"), ["chars", "passages", "nkeys", "category", "id"])
            rows = pipe.execute()
        out: dict[int, dict[str, Any]] = {}
        for pk, (chars, passages, nkeys, category, doc_id) in zip(pks, rows, strict=True):
            out[pk] = {
                "chars": int(chars or 0),
                "passages": int(passages or 0),
                "nkeys": int(nkeys or 0),
                "category": None if category is None else category.decode(),
                "id": None if doc_id is None else doc_id.decode(),
            }
        return out

    def _uncommit(self, pipe: Any, pk: int, meta: dict[str, Any]) -> None:
        pipe.zrem(self._k("pks"), pk)
        if meta.get("category"):
            pipe.zrem(self._k(f"cat:{meta['category']}"), pk)
        pipe.hincrby(self._k("stats"), "characters", -meta["chars"])
        pipe.hincrby(self._k("stats"), "passages", -meta["passages"])
        pipe.hincrby(self._k("stats"), "band_rows", -meta["nkeys"])
        pipe.sadd(self._k("pending"), pk)

    def _make_visible(self, pipe: Any, pk: int, item: PreparedDoc) -> None:
        d = item.doc
        pipe.zadd(self._k("pks"), {str(pk): pk})
        pipe.hset(self._k("ids"), d.id, f"{pk} {item.stored_digest()}")
        if d.category:
            pipe.zadd(self._k(f"cat:{d.category}"), {str(pk): pk})
            pipe.sadd(self._k("categories"), d.category)
        pipe.hincrby(self._k("stats"), "characters", len(d.text))
        pipe.hincrby(self._k("stats"), "passages", item.passages)
        pipe.hincrby(self._k("stats"), "band_rows", int(item.keys.shape[0]))
        pipe.srem(self._k("pending"), pk)

    def _discard(
        self, pks: Sequence[int], known_keys: dict[str, npt.NDArray[np.int64]] | None = None
    ) -> None:
        """Remove uncommitted records and their band entries (the keys stored with each)."""
        for pk in pks:
            with self._guard():
                raw_keys, raw_id = self.client.hmget(self._k(f"doc:{pk}"), ["keys", "id"])
            if raw_keys is not None:
                keys = np.frombuffer(raw_keys, dtype="<i8").astype(np.int64)
            elif known_keys is not None and raw_id is not None and raw_id.decode() in known_keys:
                keys = known_keys[raw_id.decode()]
            else:
                keys = np.zeros(0, dtype=np.int64)
            member = str(pk).encode()
            names = [self._band_key(kb) for kb in key_bytes(np.unique(keys))]
            with self._guard():
                for lo in range(0, len(names), LIMITS.redis_band_slice):
                    chunk = names[lo : lo + LIMITS.redis_band_slice]
                    pipe = self.client.pipeline(transaction=False)
                    for name in chunk:
                        pipe.srem(name, member)
                    for name in chunk:
                        pipe.scard(name)
                    sizes = pipe.execute()[len(chunk) :]
                    empty = [
                        name[len(self._band_key(b"")) :]
                        for name, n in zip(chunk, sizes, strict=True)
                        if n == 0
                    ]
                    if empty:
                        self.client.hdel(f"{self.prefix}:bands:".encode(), *empty)
                pipe = self.client.pipeline(transaction=True)
                pipe.delete(self._k(f"doc:{pk}"))
                pipe.srem(self._k("pending"), pk)
                pipe.execute()

    def _clean_pending(self) -> int:
        """Remove what writers that died left pending (needs the lock). Returns how many."""
        with self._guard():
            pending = sorted(int(x) for x in self.client.smembers(self._k("pending")))
            if not pending:
                return 0
            scores = self.client.zmscore(self._k("pks"), [str(pk) for pk in pending])
        stale = [pk for pk, score in zip(pending, scores, strict=True) if score is None]
        committed = [pk for pk, score in zip(pending, scores, strict=True) if score is not None]
        if committed:  # cannot happen (commit removes them from pending): only unmark them
            with self._guard():
                self.client.srem(self._k("pending"), *committed)
        self._discard(stale)
        return len(stale)

    def finish(self) -> None:
        """Nothing to tidy after a run: every write is already in its final layout."""

    def remove(self, ids_and_keys: dict[str, npt.NDArray[np.int64] | None]) -> list[str]:
        """Remove documents by id; returns the ids that were there."""
        self.lock.extend()
        ids = list(ids_and_keys)
        olds = self._pk_of(ids)
        found = [(doc_id, pk) for doc_id, pk in zip(ids, olds, strict=True) if pk is not None]
        meta = self._meta([pk for _, pk in found])

        def build(pipe: Any) -> None:
            for doc_id, pk in found:
                pipe.hdel(self._k("ids"), doc_id)
                self._uncommit(pipe, pk, meta[pk])

        if found:
            self.lock.commit(build)
            known = {k: v for k, v in ids_and_keys.items() if v is not None}
            self._discard([pk for _, pk in found], known)
        return [doc_id for doc_id, _ in found]

    # ---- reading -------------------------------------------------------------------------
    def _committed(self, pks: Sequence[int]) -> set[int]:
        if not pks:
            return set()
        with self._guard():
            scores = self.client.zmscore(self._k("pks"), [str(pk) for pk in pks])
        return {pk for pk, s in zip(pks, scores, strict=True) if s is not None}

    def candidates(self, keys: npt.NDArray[np.int64]) -> list[tuple[int, int]]:
        """(band key, document number) pairs for the given keys, committed documents only."""
        uniq = np.unique(keys)
        if uniq.size == 0:
            return []
        storage = self.bands
        with self._guard():
            members = storage.getmany(*key_bytes(uniq))
        pairs = [(int(k), int(m)) for k, ms in zip(uniq.tolist(), members, strict=True) for m in ms]
        live = self._committed(sorted({pk for _, pk in pairs}))
        return [(k, pk) for k, pk in pairs if pk in live]

    def _fetch(self, pks: Sequence[int], extra: Sequence[str] = ()) -> list[list[Any] | None]:
        out: list[list[Any] | None] = []
        fields = [*DOC_FIELDS, *extra, "published"]  # last: absent (None) in older indexes
        for lo in range(0, len(pks), LIMITS.redis_read_chunk):
            with self._guard():
                pipe = self.client.pipeline(transaction=False)
                for pk in pks[lo : lo + LIMITS.redis_read_chunk]:
                    pipe.hmget(self._k(f"doc:{pk}"), fields)
                rows = pipe.execute()
            out.extend(None if row[0] is None else row for row in rows)
        return out

    def documents(self, pks: Iterable[int]) -> dict[int, SourceDoc]:
        wanted = list(pks)
        out: dict[int, SourceDoc] = {}
        for pk, row in zip(wanted, self._fetch(wanted), strict=True):
            if row is not None:
                out[pk] = row_doc(row, self.where)
        return out

    def document_by_id(self, doc_id: str) -> SourceDoc | None:
        pk = self._pk_of([doc_id])[0]
        if pk is None:
            return None
        return self.documents([pk]).get(pk)

    def _iter_pks(self) -> Iterator[int]:
        last = 0
        while True:
            with self._guard():
                batch = self.client.zrange(
                    self._k("pks"), f"({last}", "+inf", byscore=True, offset=0, num=LIMITS.redis_read_chunk
                )
            if not batch:
                return
            pks = [int(x) for x in batch]
            yield from pks
            last = pks[-1]

    def iter_documents(self) -> Iterator[tuple[int, SourceDoc, str]]:
        batch: list[int] = []
        for pk in self._iter_pks():
            batch.append(pk)
            if len(batch) >= LIMITS.redis_read_chunk:
                yield from self._docs_with_digest(batch)
                batch = []
        yield from self._docs_with_digest(batch)

    def _docs_with_digest(self, pks: Sequence[int]) -> Iterator[tuple[int, SourceDoc, str]]:
        for pk, row in zip(pks, self._fetch(pks, ("digest",)), strict=True):
            if row is not None:
                yield pk, row_doc(row, self.where), row[9].decode()

    def sample_by_category(
        self, per_category: int, total: int, *, texts: bool = True
    ) -> list[tuple[str, str, str]]:
        """(content text, category, text digest) of up to ``per_category`` documents of each
        category (the first indexed), at most ``total``, by category then index order: the
        same rows as the SQLite store's. ``texts=False`` leaves the text empty."""
        with self._guard():
            categories = sorted(c.decode() for c in self.client.smembers(self._k("categories")))
        chosen: list[tuple[str, int]] = []
        for category in categories:
            if len(chosen) >= total:
                break
            with self._guard():
                pks = self.client.zrange(self._k(f"cat:{category}"), 0, per_category - 1)
            chosen.extend((category, int(pk)) for pk in pks)
        chosen = chosen[:total]
        if not texts:
            with self._guard():
                pipe = self.client.pipeline(transaction=False)
                for _, pk in chosen:
                    pipe.hget(self._k(f"doc:{pk}"), "digest")
                digests = pipe.execute()
            return [("", c, d.decode()) for (c, _), d in zip(chosen, digests, strict=True) if d is not None]
        rows = self._fetch([pk for _, pk in chosen], ("digest",))
        out: list[tuple[str, str, str]] = []
        for (category, _), row in zip(chosen, rows, strict=True):
            if row is None:
                continue
            text = ""
            if texts:
                doc = row_doc(row, self.where)
                text = "\n".join(doc.text[s:e] for s, e in doc.content_spans())
            out.append((text, category, row[9].decode()))
        return out

    def missing_bands(self, keys: npt.NDArray[np.int64], pk: int) -> int:
        """How many of ``keys`` lack document ``pk``, in one round trip."""
        member = str(pk)
        with self._guard():
            pipe = self.client.pipeline(transaction=False)
            for kb in key_bytes(np.asarray(keys, dtype=np.int64)):
                pipe.sismember(self._band_key(kb), member)
            return sum(1 for found in pipe.execute() if not found)

    def counts(self) -> dict[str, int]:
        with self._guard():
            docs = int(self.client.zcard(self._k("pks")))
            stats = self.client.hmget(self._k("stats"), ["characters", "passages", "band_rows"])
        chars, passages, bands = stats
        return {
            "documents": docs,
            "characters": int(chars or 0),
            "passages": int(passages or 0),
            "band_rows": int(bands or 0),
        }

    def structural_problems(self) -> list[str]:
        """Problems of the keys themselves. First removes what a writer that died left pending,
        when no writer is at work (those entries were never visible to readers)."""
        problems: list[str] = []
        if not self.lock.held and self.lock.acquire(0):
            try:
                self._clean_pending()
            finally:
                self.lock.release()
        with self._guard():
            n_pks = int(self.client.zcard(self._k("pks")))
            n_ids = int(self.client.hlen(self._k("ids")))
            pending = {int(x) for x in self.client.smembers(self._k("pending"))}
        if n_pks != n_ids:
            problems.append(f"{n_pks} committed documents but {n_ids} ids")
        committed = set(self._iter_pks())
        orphans = 0
        hash_name = f"{self.prefix}:bands:".encode()
        cursor = 0
        while True:
            with self._guard():
                cursor, fields = self.client.hscan(hash_name, cursor, count=1000)
                names = [self._band_key(f) for f in fields]
                pipe = self.client.pipeline(transaction=False)
                for name in names:
                    pipe.smembers(name)
                sets = pipe.execute()
            for members in sets:
                orphans += sum(1 for m in members if int(m) not in committed and int(m) not in pending)
            if cursor == 0:
                break
        if orphans:
            problems.append(f"{orphans} band entries point at no document")
        return problems


