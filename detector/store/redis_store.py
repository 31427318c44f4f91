"""The shared index: documents, passages' band keys and the manifest kept in Redis.

Many scanners on many machines read one index; writers take turns (a writer lock). The
band table is datasketch's Redis storage (``RedisSetStorage`` through ``unordered_storage``)
with bytes keys and values and no pickling (datasketch's ``prepickle=False`` mode): bucket key
= the 8 big-endian bytes of a ``band_keys`` key (the same function as every other store),
values = document numbers as ASCII. Inserts go through the storage's buffered pipeline, as in
datasketch's ``insertion_session``. Everything else is plain hashes, sets and JSON; nothing
read back from Redis is ever unpickled.

Keys (``P`` = the URL's ``?prefix=``):
    P:manifest, P:permutations   the Manifest JSON and the permutations, as in the SQLite store
    P:doc:PK                     hash: id, uri, url, title, site, category, chars, passages,
                                 digest, main (JSON spans), body (zlib text), keys (int64 LE)
    P:pks                        sorted set of committed document numbers (score = PK)
    P:ids                        hash: id -> "PK DIGEST" (committed documents only)
    P:cat:NAME, P:categories     committed documents per category (score = PK)
    P:stats                      hash: characters, passages, band_rows of committed documents
    P:next_pk, P:pending, P:lock a counter, documents being written or discarded, the writer lock
    P:bands:...                  datasketch's storage: P:bands: (hash) and one set per bucket

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
import re
import time
import uuid
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from detector.errors import IndexFileError
from detector.model import SourceDoc
from detector.store.location import RedisLocation
from detector.store.manifest import Manifest, read_manifest
from detector.store.signatures import SignatureParams
from detector.store.sqlite_store import PreparedDoc, inflate_text, read_spans

_LOCK_MS = 60_000  # a writer that dies frees the index after this long
_LOCK_WAIT_S = 60.0  # as long as the SQLite store waits for a busy file
_BAND_SLICE = 20_000  # band entries per buffered flush; the lock is extended between slices
_READ_CHUNK = 500
_DOC_FIELDS = ("id", "uri", "url", "title", "category", "site", "main", "body", "chars")


class IndexUnavailableError(IndexFileError):
    """The Redis server cannot be reached, or went away during the run."""


def _reason(err: Exception, secret: str | None) -> str:
    text = str(err).strip() or type(err).__name__
    text = re.sub(
        r"^Error -?\d+ (?:connecting to|while writing to socket|while reading from) \S+\.\s+", "", text
    )
    text = re.sub(r"^Error -?\d+ ", "", text).rstrip(".")
    if secret:
        text = text.replace(secret, "***")
    return text or type(err).__name__


def _key_bytes(keys: npt.NDArray[np.int64]) -> list[bytes]:
    raw = keys.astype(">i8").tobytes()
    return [raw[i : i + 8] for i in range(0, len(raw), 8)]


class RedisIndex:
    """An open shared index. Use ``RedisIndex.create_or_open`` or ``RedisIndex.open``."""

    def __init__(self, location: RedisLocation, client: Any, manifest: Manifest, params: SignatureParams):
        self.location = location
        self.where = location.display()
        self.r = client
        self.manifest = manifest
        self.params = params
        self.p = location.prefix
        self._bands: Any = None
        self._lock_token: str | None = None

    # ---- errors --------------------------------------------------------------------------
    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        with _guard(self.location):
            yield

    # ---- opening -------------------------------------------------------------------------
    @staticmethod
    def _connect(location: RedisLocation) -> Any:
        try:
            import redis
        except ImportError as err:  # pragma: no cover - the 'scale' extra is missing
            raise IndexFileError(
                f"{location.display()}: a Redis index needs the redis package (pip install 'detector[scale]')"
            ) from err
        with _guard(location):
            client = redis.Redis(**location.connection_kwargs())  # type: ignore[arg-type]
            client.ping()
        return client

    @classmethod
    def open(
        cls, location: RedisLocation, expected: Manifest | None, *, writable: bool = False
    ) -> RedisIndex:
        """Open an existing index; refuse a prefix that holds none or one built with other settings."""
        client = cls._connect(location)
        where = location.display()
        p = location.prefix
        with _guard(location):
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
            store._acquire_lock(_LOCK_WAIT_S)
            store._clean_pending()
        return store

    @classmethod
    def create_or_open(
        cls, location: RedisLocation, manifest: Manifest, params: SignatureParams
    ) -> RedisIndex:
        client = cls._connect(location)
        p = location.prefix
        with _guard(location):
            pipe = client.pipeline(transaction=True)
            pipe.set(f"{p}:manifest", manifest.to_json(), nx=True)
            pipe.set(f"{p}:permutations", json.dumps([list(params.a), list(params.b)]), nx=True)
            pipe.execute()  # an index appears whole (both keys) or is left as it was
        client.close()
        return cls.open(location, manifest, writable=True)

    def close(self) -> None:
        try:
            if self._lock_token is not None:
                self._release_lock()
        except Exception:  # closing after the server went away: nothing left to release
            pass
        with contextlib.suppress(Exception):
            self.r.close()

    @property
    def path(self) -> Path:
        """Where a local cache derived from this index (the topic model) may be kept: the
        user's cache folder, one file per server, database and prefix (never the password)."""
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "detector"
        with contextlib.suppress(OSError):
            base.mkdir(parents=True, exist_ok=True)
        return base / f"redis-{hashlib.sha256(self.where.encode()).hexdigest()[:16]}"

    # ---- keys ----------------------------------------------------------------------------
    def _k(self, name: str) -> str:
        return f"{self.p}:{name}"

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
                self._bands = unordered_storage(config, name=f"{self.p}:bands:".encode())
        return self._bands

    def _band_key(self, key: bytes) -> bytes:
        return f"{self.p}:bands:".encode() + key

    # ---- the writer lock -----------------------------------------------------------------
    def _acquire_lock(self, wait: float) -> bool:
        token = uuid.uuid4().hex
        deadline = time.monotonic() + wait
        with self._guard():
            while True:
                if self.r.set(self._k("lock"), token, nx=True, px=_LOCK_MS):
                    self._lock_token = token
                    return True
                if time.monotonic() >= deadline:
                    if wait <= 0:
                        return False
                    raise IndexFileError(
                        f"{self.where}: another writer holds the index (try again when it has finished)"
                    )
                time.sleep(0.1)

    def _locked(self, pipe: Any) -> None:
        """Inside a WATCH: fail unless this writer still holds the lock."""
        pipe.watch(self._k("lock"))
        held = pipe.get(self._k("lock"))
        if held is None or held.decode() != self._lock_token:
            pipe.reset()
            raise IndexFileError(
                f"{self.where}: lost the writer lock (the run was too slow); nothing was committed"
            )

    def _extend_lock(self) -> None:
        if self._lock_token is None:
            raise IndexFileError(f"{self.where}: not opened for writing")
        import redis

        with self._guard(), self.r.pipeline(transaction=True) as pipe:
            try:
                self._locked(pipe)
                pipe.multi()
                pipe.pexpire(self._k("lock"), _LOCK_MS)
                pipe.execute()
            except redis.WatchError as err:
                raise IndexFileError(f"{self.where}: lost the writer lock; nothing was committed") from err

    def _release_lock(self) -> None:
        with self.r.pipeline(transaction=True) as pipe:
            pipe.watch(self._k("lock"))
            held = pipe.get(self._k("lock"))
            if held is not None and held.decode() == self._lock_token:
                pipe.multi()
                pipe.delete(self._k("lock"))
                pipe.execute()
        self._lock_token = None

    def _commit(self, build: Any) -> None:
        """Run ``build(pipe)`` as one MULTI/EXEC that applies only while this writer holds the lock."""
        import redis

        with self._guard(), self.r.pipeline(transaction=True) as pipe:
            try:
                self._locked(pipe)
                pipe.multi()
                build(pipe)
                pipe.execute()
            except redis.WatchError as err:
                raise IndexFileError(f"{self.where}: lost the writer lock; nothing was committed") from err

    # ---- writing -------------------------------------------------------------------------
    def digest_of(self, doc_id: str) -> str | None:
        with self._guard():
            raw = self.r.hget(self._k("ids"), doc_id)
        return None if raw is None else raw.decode().split(" ", 1)[1]

    def _pk_of(self, ids: Sequence[str]) -> list[int | None]:
        if not ids:
            return []
        with self._guard():
            raws = self.r.hmget(self._k("ids"), list(ids))
        return [None if raw is None else int(raw.split(b" ", 1)[0]) for raw in raws]

    def write(self, prepared: Sequence[PreparedDoc], replaced_keys: dict[str, npt.NDArray[np.int64]]) -> None:
        """Write documents (replacing same ids) and their band entries: committed together."""
        if not prepared:
            return
        self._extend_lock()
        with self._guard():
            last = int(self.r.incrby(self._k("next_pk"), len(prepared)))
        pks = list(range(last - len(prepared) + 1, last + 1))
        # 1. the records, pending (invisible to readers)
        with self._guard():
            pipe = self.r.pipeline(transaction=True)
            for pk, item in zip(pks, prepared, strict=True):
                pipe.hset(self._k(f"doc:{pk}"), mapping=_doc_fields(item))
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
                steps.append((pk, item, prev_pk, _meta_of(prev_item)))
            else:
                steps.append((pk, item, old, None if old is None else old_meta[old]))
            latest[item.doc.id] = (pk, item)
        garbage = [prev for _, _, prev, _ in steps if prev is not None]

        def build(pipe: Any) -> None:
            for pk, item, prev, meta in steps:
                if prev is not None and meta is not None:
                    self._uncommit(pipe, prev, meta)
                self._make_visible(pipe, pk, item)

        self._commit(build)
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
        for lo in range(0, keys.shape[0], _BAND_SLICE):
            ks, ds = keys[lo : lo + _BAND_SLICE], docs[lo : lo + _BAND_SLICE]
            uniq, starts = np.unique(ks, return_index=True)
            bounds = [*starts.tolist(), ks.shape[0]]
            with self._guard():
                for i, kb in enumerate(_key_bytes(uniq)):
                    vals = [str(d).encode() for d in ds[bounds[i] : bounds[i + 1]].tolist()]
                    storage.insert(kb, *vals, buffer=True)
                storage.empty_buffer()
            self._extend_lock()

    def _meta(self, pks: Sequence[int]) -> dict[int, dict[str, Any]]:
        if not pks:
            return {}
        with self._guard():
            pipe = self.r.pipeline(transaction=False)
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
                raw_keys, raw_id = self.r.hmget(self._k(f"doc:{pk}"), ["keys", "id"])
            if raw_keys is not None:
                keys = np.frombuffer(raw_keys, dtype="<i8").astype(np.int64)
            elif known_keys is not None and raw_id is not None and raw_id.decode() in known_keys:
                keys = known_keys[raw_id.decode()]
            else:
                keys = np.zeros(0, dtype=np.int64)
            member = str(pk).encode()
            names = [self._band_key(kb) for kb in _key_bytes(np.unique(keys))]
            with self._guard():
                for lo in range(0, len(names), _BAND_SLICE):
                    chunk = names[lo : lo + _BAND_SLICE]
                    pipe = self.r.pipeline(transaction=False)
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
                        self.r.hdel(f"{self.p}:bands:".encode(), *empty)
                pipe = self.r.pipeline(transaction=True)
                pipe.delete(self._k(f"doc:{pk}"))
                pipe.srem(self._k("pending"), pk)
                pipe.execute()

    def _clean_pending(self) -> int:
        """Remove what writers that died left pending (needs the lock). Returns how many."""
        with self._guard():
            pending = sorted(int(x) for x in self.r.smembers(self._k("pending")))
            if not pending:
                return 0
            scores = self.r.zmscore(self._k("pks"), [str(pk) for pk in pending])
        stale = [pk for pk, score in zip(pending, scores, strict=True) if score is None]
        committed = [pk for pk, score in zip(pending, scores, strict=True) if score is not None]
        if committed:  # cannot happen (commit removes them from pending): only unmark them
            with self._guard():
                self.r.srem(self._k("pending"), *committed)
        self._discard(stale)
        return len(stale)

    def remove(self, ids_and_keys: dict[str, npt.NDArray[np.int64] | None]) -> list[str]:
        """Remove documents by id; returns the ids that were there."""
        self._extend_lock()
        ids = list(ids_and_keys)
        olds = self._pk_of(ids)
        found = [(doc_id, pk) for doc_id, pk in zip(ids, olds, strict=True) if pk is not None]
        meta = self._meta([pk for _, pk in found])

        def build(pipe: Any) -> None:
            for doc_id, pk in found:
                pipe.hdel(self._k("ids"), doc_id)
                self._uncommit(pipe, pk, meta[pk])

        if found:
            self._commit(build)
            known = {k: v for k, v in ids_and_keys.items() if v is not None}
            self._discard([pk for _, pk in found], known)
        return [doc_id for doc_id, _ in found]

    # ---- reading -------------------------------------------------------------------------
    def _committed(self, pks: Sequence[int]) -> set[int]:
        if not pks:
            return set()
        with self._guard():
            scores = self.r.zmscore(self._k("pks"), [str(pk) for pk in pks])
        return {pk for pk, s in zip(pks, scores, strict=True) if s is not None}

    def candidates(self, keys: npt.NDArray[np.int64]) -> list[tuple[int, int]]:
        """(band key, document number) pairs for the given keys, committed documents only."""
        uniq = np.unique(keys)
        if uniq.size == 0:
            return []
        storage = self.bands
        with self._guard():
            members = storage.getmany(*_key_bytes(uniq))
        pairs = [(int(k), int(m)) for k, ms in zip(uniq.tolist(), members, strict=True) for m in ms]
        live = self._committed(sorted({pk for _, pk in pairs}))
        return [(k, pk) for k, pk in pairs if pk in live]

    def _fetch(self, pks: Sequence[int], extra: Sequence[str] = ()) -> list[list[Any] | None]:
        out: list[list[Any] | None] = []
        fields = [*_DOC_FIELDS, *extra]
        for lo in range(0, len(pks), _READ_CHUNK):
            with self._guard():
                pipe = self.r.pipeline(transaction=False)
                for pk in pks[lo : lo + _READ_CHUNK]:
                    pipe.hmget(self._k(f"doc:{pk}"), fields)
                rows = pipe.execute()
            out.extend(None if row[0] is None else row for row in rows)
        return out

    def documents(self, pks: Iterable[int]) -> dict[int, SourceDoc]:
        wanted = list(pks)
        out: dict[int, SourceDoc] = {}
        for pk, row in zip(wanted, self._fetch(wanted), strict=True):
            if row is not None:
                out[pk] = self._row_doc(row)
        return out

    def _row_doc(self, row: Sequence[Any]) -> SourceDoc:
        doc_id, uri, url, title, category, site, main, body, chars = row[:9]
        name = doc_id.decode("utf-8", "replace") if doc_id is not None else "?"
        try:
            # Checked as the SQLite store checks its rows: inflation bounded by the recorded length.
            recorded = int(chars) if chars is not None and chars.isdigit() and len(chars) < 12 else -1
            text = inflate_text(body, recorded)
            main_spans = read_spans(main.decode("utf-8"), len(text))
            fields = [None if v is None else v.decode("utf-8") for v in (uri, url, title, category, site)]
        except (zlib.error, UnicodeDecodeError, TypeError, ValueError) as err:
            raise IndexFileError(f"{self.where}: document {name!r} is corrupt ({err})") from err
        return SourceDoc(
            id=name,
            uri=fields[0],
            url=fields[1],
            title=fields[2],
            category=fields[3],
            site=fields[4],
            text=text,
            main_spans=main_spans,
        )

    def document_by_id(self, doc_id: str) -> SourceDoc | None:
        pk = self._pk_of([doc_id])[0]
        if pk is None:
            return None
        return self.documents([pk]).get(pk)

    def _iter_pks(self) -> Iterator[int]:
        last = 0
        while True:
            with self._guard():
                batch = self.r.zrange(
                    self._k("pks"), f"({last}", "+inf", byscore=True, offset=0, num=_READ_CHUNK
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
            if len(batch) >= _READ_CHUNK:
                yield from self._docs_with_digest(batch)
                batch = []
        yield from self._docs_with_digest(batch)

    def _docs_with_digest(self, pks: Sequence[int]) -> Iterator[tuple[int, SourceDoc, str]]:
        for pk, row in zip(pks, self._fetch(pks, ("digest",)), strict=True):
            if row is not None:
                yield pk, self._row_doc(row), row[9].decode()

    def sample_by_category(
        self, per_category: int, total: int, *, texts: bool = True
    ) -> list[tuple[str, str, str]]:
        """(content text, category, text digest) of up to ``per_category`` documents of each
        category (the first indexed), at most ``total``, by category then index order: the
        same rows as the SQLite store's. ``texts=False`` leaves the text empty."""
        with self._guard():
            categories = sorted(c.decode() for c in self.r.smembers(self._k("categories")))
        chosen: list[tuple[str, int]] = []
        for category in categories:
            if len(chosen) >= total:
                break
            with self._guard():
                pks = self.r.zrange(self._k(f"cat:{category}"), 0, per_category - 1)
            chosen.extend((category, int(pk)) for pk in pks)
        chosen = chosen[:total]
        if not texts:
            with self._guard():
                pipe = self.r.pipeline(transaction=False)
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
                doc = self._row_doc(row)
                text = "\n".join(doc.text[s:e] for s, e in doc.content_spans())
            out.append((text, category, row[9].decode()))
        return out

    def has_band(self, key: int, pk: int) -> bool:
        name = self._band_key(_key_bytes(np.array([key], dtype=np.int64))[0])
        with self._guard():
            return bool(self.r.sismember(name, str(pk)))

    def missing_bands(self, keys: npt.NDArray[np.int64], pk: int) -> int:
        """How many of ``keys`` lack document ``pk`` (``has_band`` for many keys, one round trip)."""
        member = str(pk)
        with self._guard():
            pipe = self.r.pipeline(transaction=False)
            for kb in _key_bytes(np.asarray(keys, dtype=np.int64)):
                pipe.sismember(self._band_key(kb), member)
            return sum(1 for found in pipe.execute() if not found)

    def counts(self) -> dict[str, int]:
        with self._guard():
            docs = int(self.r.zcard(self._k("pks")))
            chars, passages, bands = self.r.hmget(self._k("stats"), ["characters", "passages", "band_rows"])
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
        if self._lock_token is None and self._acquire_lock(0):
            try:
                self._clean_pending()
            finally:
                self._release_lock()
        with self._guard():
            n_pks = int(self.r.zcard(self._k("pks")))
            n_ids = int(self.r.hlen(self._k("ids")))
            pending = {int(x) for x in self.r.smembers(self._k("pending"))}
        if n_pks != n_ids:
            problems.append(f"{n_pks} committed documents but {n_ids} ids")
        committed = set(self._iter_pks())
        orphans = 0
        hash_name = f"{self.p}:bands:".encode()
        cursor = 0
        while True:
            with self._guard():
                cursor, fields = self.r.hscan(hash_name, cursor, count=1000)
                names = [self._band_key(f) for f in fields]
                pipe = self.r.pipeline(transaction=False)
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


@contextlib.contextmanager
def _guard(location: RedisLocation) -> Iterator[None]:
    """Redis errors become one line naming the index (never its password)."""
    try:
        import redis
    except ImportError:  # pragma: no cover
        yield
        return
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError, ConnectionError, TimeoutError) as err:
        raise IndexUnavailableError(
            f"{location.display()}: cannot connect ({_reason(err, location.password)})"
        ) from None
    except redis.RedisError as err:
        raise IndexFileError(
            f"{location.display()}: redis error ({_reason(err, location.password)})"
        ) from None


def _doc_fields(item: PreparedDoc) -> dict[str, bytes | str | int]:
    d = item.doc
    fields: dict[str, bytes | str | int] = {
        "id": d.id,
        "chars": len(d.text),
        "passages": item.passages,
        "nkeys": int(item.keys.shape[0]),
        "digest": item.stored_digest(),
        "main": json.dumps([list(span) for span in d.main_spans]),
        "body": item.stored_body(),
        "keys": item.keys.astype("<i8").tobytes(),
    }
    for name in ("uri", "url", "title", "site", "category"):
        value = getattr(d, name)
        if value is not None:
            fields[name] = value
    return fields


def _meta_of(item: PreparedDoc) -> dict[str, Any]:
    return {
        "chars": len(item.doc.text),
        "passages": item.passages,
        "nkeys": int(item.keys.shape[0]),
        "category": item.doc.category,
        "id": item.doc.id,
    }
