"""The shared index: documents, passages' band entries and the manifest kept in Redis.

Many scanners on many machines read one index; writers take turns (the writer lock,
``redis_lock``). The layout (version 3, key ``P:layout``) is ours, made to be small and quick to
write: under 1 KB of Redis memory per indexed passage, texts included, where datasketch's
storage (one Redis set per LSH bucket, which had no ``P:layout``) took 5.4 KB. An index of an
older layout (none, or 2: band entries in sorted sets) is refused with one line saying how to
rebuild it. Keys (``P`` = the URL's ``?prefix=``; byte formats in ``redis_codec``):

    P:manifest, P:permutations  the Manifest JSON and the permutations, as in the SQLite store
    P:layout                    "3", the version of this layout
    P:d:PK                      one string per document: digest, counts, names, main spans, zlib text
    P:ids                       hash: id -> document number (4 bytes) + digest (32 bytes)
    P:live                      bitmap: bit PK is set when document PK is committed (visible)
    P:cat:NAME, P:categories    committed documents per category (sorted set, score = PK)
    P:stats                     hash: characters, passages, band_rows of committed documents
    P:lh, P:b:ADDR              the band table: 12-byte entries (band key, PK) appended to
                                strings grouped by linear hashing (``redis_buckets``)
    P:next_pk, P:pending        a counter; documents being written or removed (a set of PKs)
    P:k:PK                      the band keys of a pending document (so they can be removed)
    P:lock                      the writer lock

The band keys are ``signatures.band_keys`` (datasketch MinHash, the LSH bands and rows of the
manifest), the same in every store. A document and its band entries are all there or not at
all, as readers see it: each batch's records, band keys and pending marks are written first
(one MULTI/EXEC); the band entries of a *round* of batches are then appended, one APPEND per
bucket, and the round is committed in one MULTI/EXEC (bits in ``P:live``, ids). A round holds
``LIMITS.redis_round_per_bucket`` entries per bucket of the table (small indexes commit every
batch), so that each APPEND carries several entries; ``finish`` commits the last one. Readers
ignore entries of documents that are not committed. What a writer that died left pending is
removed by the next writer, or by ``--check``, under the lock. Every write is fenced by the
lock, so a writer that lost it changes nothing.
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
from detector.store.interface import PreparedDoc, SortedRun
from detector.store.location import RedisLocation
from detector.store.manifest import Manifest, read_manifest
from detector.store.redis_buckets import BucketTable
from detector.store.redis_check import structural_problems
from detector.store.redis_codec import (
    MAX_PK,
    DocRecord,
    id_hash,
    keys_blob,
    read_id_entry,
    read_keys_blob,
    read_pks,
    read_record,
    record_doc,
    record_of,
)
from detector.store.redis_lock import WriterLock, connect, guard, resp
from detector.store.redis_sample import sample_by_category
from detector.store.redis_visibility import RoundDoc, sorted_run, visibility_commands
from detector.store.signatures import SignatureParams

# The version of this layout, kept in ``P:layout`` (datasketch's one set per bucket had none;
# 2 kept band entries in sorted sets).
LAYOUT = b"3"


class RedisIndex:
    """An open shared index. Use ``RedisIndex.create_or_open`` or ``RedisIndex.open``."""

    needs_old_keys = True  # a document's band entries are found by its keys
    parts_ahead = LIMITS.redis_parts_ahead  # parts signed ahead per worker (indexing)

    def __init__(self, location: RedisLocation, client: Any, manifest: Manifest, params: SignatureParams):
        self.location = location
        self.where = location.display()
        self.client = client
        self.manifest = manifest
        self.params = params
        self.prefix = location.prefix
        self.lock = WriterLock(client, location, f"{location.prefix}:lock")
        self.buckets = BucketTable(client, location.prefix, self.lock, self.where)
        # The round being written: documents pending until their band entries are in.
        self._round: list[tuple[int, RoundDoc]] = []
        self._round_ids: set[str] = set()
        self._round_keys: dict[str, npt.NDArray[np.int64]] = {}
        self._round_entries = 0
        # Its band entries, a run sorted by key per batch (``sorted_run``): merged, they are by bucket.
        self._round_runs: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32]]] = []
        # Opened for writing with no document in it: then no id has a digest but the ones this
        # writer committed (hashes of them), and ``digest_of`` need not ask the server.
        self._fresh = False
        self._written: set[bytes] = set()

    # ---- opening -------------------------------------------------------------------------
    @classmethod
    def open(
        cls, location: RedisLocation, expected: Manifest | None, *, writable: bool = False
    ) -> RedisIndex:
        """Open an existing index; refuse a prefix that holds none, one of an older layout, or
        one built with other settings."""
        client = connect(location)
        where = location.display()
        p = location.prefix
        with guard(location):
            raw_manifest, raw_perms, raw_layout = client.mget(
                [f"{p}:manifest", f"{p}:permutations", f"{p}:layout"]
            )
        try:
            if raw_manifest is None:
                raise IndexFileError(
                    f"{where}: no such index (create it with `detector index SOURCE... --index {where}`)"
                )
            if raw_layout != LAYOUT:
                raise IndexFileError(
                    f"{where}: an index of an older layout that this version no longer reads:"
                    f" rebuild it with `detector index SOURCE... --index URL` under a new ?prefix="
                    f" (or after deleting the keys {p}:*)"
                )
            try:
                manifest, params = read_manifest(raw_manifest.decode("utf-8"), raw_perms, expected, where)
            except UnicodeDecodeError as err:
                raise IndexFileError(f"{where}: not a detector index (the manifest is not text)") from err
        except IndexFileError:
            client.close()
            raise
        store = cls(location, client, manifest, params)
        if writable:
            store.lock.acquire(LIMITS.redis_lock_wait_s)
            store._clean_pending()
            with guard(location):
                store._fresh = int(client.hlen(f"{p}:ids")) == 0
        return store

    @classmethod
    def create_or_open(
        cls, location: RedisLocation, manifest: Manifest, params: SignatureParams
    ) -> RedisIndex:
        import redis

        client = connect(location)
        p = location.prefix
        with guard(location), client.pipeline(transaction=True) as pipe:
            # An index appears whole (manifest, permutations, layout) or is left as it was.
            pipe.watch(f"{p}:manifest")
            if pipe.exists(f"{p}:manifest") == 0:
                pipe.multi()
                pipe.set(f"{p}:manifest", manifest.to_json())
                pipe.set(f"{p}:permutations", json.dumps([list(params.a), list(params.b)]))
                pipe.set(f"{p}:layout", LAYOUT)
                with contextlib.suppress(redis.WatchError):
                    pipe.execute()  # another writer created it first: open theirs
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

    def _b(self, name: str) -> bytes:
        return f"{self.prefix}:{name}".encode("utf-8", "surrogatepass")

    def _entries(self, ids: Sequence[str]) -> list[tuple[int, str] | None]:
        if not ids:
            return []
        with guard(self.location):
            raws = self.client.hmget(self._k("ids"), list(ids))
        return [
            None if raw is None else read_id_entry(raw, doc_id, self.where)
            for doc_id, raw in zip(ids, raws, strict=True)
        ]

    def digest_of(self, doc_id: str) -> str | None:
        return self.digests_of([doc_id])[0]

    def digests_of(self, ids: Sequence[str]) -> list[str | None]:
        """``digest_of`` for many ids, a chunk per round trip (the workers ask for every id)."""
        if any(doc_id in self._round_ids for doc_id in ids):
            self._commit_round()  # the round's copy is the one stored now
        out: list[str | None] = []
        step = LIMITS.redis_read_chunk
        for lo in range(0, len(ids), step):
            part = ids[lo : lo + step]
            if self._fresh:
                asked = [doc_id for doc_id in part if id_hash(doc_id) in self._written]
                known = dict(zip(asked, self._entries(asked), strict=True))
                out.extend(None if (e := known.get(doc_id)) is None else e[1] for doc_id in part)
            else:
                out.extend(None if e is None else e[1] for e in self._entries(part))
        return out

    def _pk_of(self, ids: Sequence[str]) -> list[int | None]:
        return [None if e is None else e[0] for e in self._entries(ids)]

    # ---- writing -------------------------------------------------------------------------
    def write(
        self, prepared: Sequence[PreparedDoc], replaced_keys: dict[str, npt.NDArray[np.int64]],
        run: SortedRun | None = None,
    ) -> None:
        """Write documents (replacing same ids), pending; they and their band entries are
        committed together with the rest of the round (``_commit_round``), at the latest by
        ``finish``."""
        if not prepared:
            return
        self.lock.extend()
        with guard(self.location):
            last = int(self.client.incrby(self._k("next_pk"), len(prepared)))
        if last > MAX_PK:
            raise IndexFileError(f"{self.where}: the index has used all document numbers: rebuild it")
        pks = list(range(last - len(prepared) + 1, last + 1))

        # 1. the records, pending (invisible to readers), with their band keys
        pairs: list[bytes] = []
        for pk, item in zip(pks, prepared, strict=True):
            pairs += [self._b(f"d:{pk}"), record_of(item), self._b(f"k:{pk}"), keys_blob(item.keys)]
        self.lock.commit_packed(
            [resp(b"MSET", *pairs), resp(b"SADD", self._b("pending"), *(b"%d" % pk for pk in pks))]
        )
        self._round += zip(pks, map(RoundDoc.of, prepared), strict=True)
        self._round_runs.append(sorted_run(prepared, pks, run))
        self._round_ids.update(item.doc.id for item in prepared)
        for doc_id, keys in replaced_keys.items():
            self._round_keys.setdefault(doc_id, keys)  # the keys of what is stored now
        self._round_entries += sum(int(item.keys.shape[0]) for item in prepared)
        if self._round_full():
            self._commit_round()

    def _round_full(self) -> bool:
        """Whether the round's entries fill ``LIMITS.redis_round_per_bucket`` per bucket of the
        band table they will be in (or reach ``LIMITS.redis_round_entries``): the appends of a
        round take one command per bucket, however many entries each bucket receives."""
        if self._round_entries >= LIMITS.redis_round_entries:
            return True
        with guard(self.location):
            stored = int(self.client.hget(self._k("stats"), "band_rows") or 0)
        buckets = (stored + self._round_entries) / LIMITS.redis_bucket_entries
        return self._round_entries >= LIMITS.redis_round_per_bucket * buckets

    def _commit_round(self) -> None:
        """Band entries of the round's documents, then every document of it made visible at once."""
        if not self._round:
            return
        pks = [pk for pk, _ in self._round]
        prepared = [item for _, item in self._round]
        replaced_keys = self._round_keys
        runs = self._round_runs
        self._round, self._round_ids, self._round_keys, self._round_entries = [], set(), {}, 0
        self._round_runs = []
        # 2. the band entries
        self._insert_bands(runs)
        # 3. commit: every document of the round becomes visible at once
        olds = self._pk_of([item.id for item in prepared])
        old_meta = self._meta([pk for pk in olds if pk is not None])
        steps: list[tuple[int, RoundDoc, int | None, DocRecord | None, Any]] = []
        latest: dict[str, tuple[int, RoundDoc]] = {}
        for pk, item, old in zip(pks, prepared, olds, strict=True):
            doc_id = item.id
            if doc_id in latest:  # the same id twice in one round: the later one wins
                prev_pk, prev_item = latest[doc_id]
                steps.append((pk, item, prev_pk, prev_item.meta(), prev_item.keys))
            else:
                meta = None if old is None else old_meta[old]
                steps.append((pk, item, old, meta, replaced_keys.get(doc_id)))
            latest[doc_id] = (pk, item)
        garbage = [prev for _, _, prev, _, _ in steps if prev is not None]

        shown = [(pk, item) for pk, item, _, _, _ in steps]
        hidden = [
            (prev, meta, keys) for _, _, prev, meta, keys in steps if prev is not None and meta is not None
        ]
        self.lock.commit_packed(visibility_commands(self._b, shown, hidden))
        self._written.update(id_hash(item.id) for item in prepared)
        # 4. what was replaced is removed (pending until then)
        self._discard(garbage)

    def _insert_bands(self, runs: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32]]]) -> None:
        keys = np.concatenate([k for k, _ in runs]) if runs else np.zeros(0, dtype=np.int64)
        if keys.size == 0:
            return
        # Merging sorted runs (a stable sort finds them) costs a third of sorting the addresses.
        order = np.argsort(keys.view(np.uint64), kind="stable")
        keys = keys[order]
        docs = np.concatenate([d for _, d in runs])[order]
        del order
        with guard(self.location):
            stored = int(self.client.hget(self._k("stats"), "band_rows") or 0)
            self.buckets.grow(stored + keys.shape[0])
            self.buckets.add(keys, docs, grouped=True)

    def _meta(self, pks: Sequence[int]) -> dict[int, DocRecord]:
        """The records of these documents (what uncommitting one needs)."""
        if not pks:
            return {}
        with guard(self.location):
            raws = self.client.mget([self._k(f"d:{pk}") for pk in pks])
        return {pk: read_record(raw, pk, self.where) for pk, raw in zip(pks, raws, strict=True)}

    def _discard(self, pks: Sequence[int]) -> None:
        """Remove uncommitted documents: their band entries (by the keys kept with each, or by
        looking through the whole band table when those are lost), then their records."""
        if not pks:
            return
        with guard(self.location):
            blobs = self.client.mget([self._k(f"k:{pk}") for pk in pks])
        keys, owners, unknown = [], [], set()
        for pk, blob in zip(pks, blobs, strict=True):
            if blob is None:
                unknown.add(pk)
                continue
            ks = read_keys_blob(blob, pk, self.where)
            keys.append(ks)
            owners.append(np.full(ks.shape[0], pk, dtype=np.int64))
        with guard(self.location):
            if keys:
                self.buckets.remove(np.concatenate(keys), np.concatenate(owners))
            if unknown:
                self.buckets.remove_documents(unknown)

        def drop(pipe: Any) -> None:
            for pk in pks:
                pipe.delete(self._k(f"d:{pk}"), self._k(f"k:{pk}"))
            pipe.srem(self._k("pending"), *pks)

        self.lock.commit(drop)

    def _clean_pending(self) -> int:
        """Remove what writers that died left pending (needs the lock). Returns how many."""
        with guard(self.location):
            raw = self.client.smembers(self._k("pending"))
        pending = sorted(read_pks(raw, "the pending set", self.where))
        if not pending:
            return 0
        live = self._committed(pending)
        if live:  # cannot happen (commit removes them from pending): only unmark them
            with guard(self.location):
                self.client.srem(self._k("pending"), *sorted(live))
        stale = [pk for pk in pending if pk not in live]
        self._discard(stale)
        return len(stale)

    def finish(self) -> None:
        """Commit the last round (every write is already in its final layout)."""
        self._commit_round()

    def remove(self, ids_and_keys: dict[str, npt.NDArray[np.int64] | None]) -> list[str]:
        """Remove documents by id; returns the ids that were there."""
        self._commit_round()
        self.lock.extend()
        ids = list(ids_and_keys)
        olds = self._pk_of(ids)
        found = [(doc_id, pk) for doc_id, pk in zip(ids, olds, strict=True) if pk is not None]
        meta = self._meta([pk for _, pk in found])

        if found:
            hidden = [(pk, meta[pk], ids_and_keys[doc_id]) for doc_id, pk in found]
            self.lock.commit_packed(visibility_commands(self._b, [], hidden, [d for d, _ in found]))
            self._discard([pk for _, pk in found])
        return [doc_id for doc_id, _ in found]

    # ---- reading -------------------------------------------------------------------------
    def _committed(self, pks: Sequence[int]) -> set[int]:
        out: set[int] = set()
        step = LIMITS.redis_read_chunk
        for lo in range(0, len(pks), step):
            part = pks[lo : lo + step]
            args: list[Any] = []
            for pk in part:
                args += ["GET", "u1", pk]
            with guard(self.location):
                bits = self.client.execute_command("BITFIELD_RO", self._k("live"), *args)
            out.update(pk for pk, bit in zip(part, bits, strict=True) if bit)
        return out

    def candidates(self, keys: npt.NDArray[np.int64]) -> list[tuple[int, int]]:
        """(band key, document number) pairs for the given keys, committed documents only."""
        uniq = np.unique(keys)
        if uniq.size == 0:
            return []
        with guard(self.location):
            pairs = self.buckets.lookup(uniq)
        live = self._committed(sorted({pk for _, pk in pairs}))
        return [(k, pk) for k, pk in pairs if pk in live]

    def _records(self, pks: Sequence[int]) -> list[DocRecord | None]:
        out: list[DocRecord | None] = []
        for lo in range(0, len(pks), LIMITS.redis_read_chunk):
            part = pks[lo : lo + LIMITS.redis_read_chunk]
            with guard(self.location):
                raws = self.client.mget([self._k(f"d:{pk}") for pk in part])
            out.extend(
                None if raw is None else read_record(raw, pk, self.where)
                for pk, raw in zip(part, raws, strict=True)
            )
        return out

    def documents(self, pks: Iterable[int]) -> dict[int, SourceDoc]:
        wanted = list(pks)
        return {
            pk: record_doc(rec, self.where)
            for pk, rec in zip(wanted, self._records(wanted), strict=True)
            if rec is not None
        }

    def document_by_id(self, doc_id: str) -> SourceDoc | None:
        if doc_id in self._round_ids:
            self._commit_round()
        pk = self._pk_of([doc_id])[0]
        if pk is None:
            return None
        return self.documents([pk]).get(pk)

    def _iter_pks(self) -> Iterator[int]:
        """Committed document numbers in order, from the bitmap, a slice per round trip."""
        step = 1 << 16
        lo = 0
        while True:
            with guard(self.location):
                raw = self.client.getrange(self._k("live"), lo, lo + step - 1)
            if not raw:
                return
            bits = np.unpackbits(np.frombuffer(raw, dtype=np.uint8))
            yield from (np.flatnonzero(bits) + lo * 8).tolist()
            lo += step

    def iter_documents(self) -> Iterator[tuple[int, SourceDoc, str]]:
        batch: list[int] = []
        for pk in self._iter_pks():
            batch.append(pk)
            if len(batch) >= LIMITS.redis_read_chunk:
                yield from self._docs_with_digest(batch)
                batch = []
        yield from self._docs_with_digest(batch)

    def _docs_with_digest(self, pks: Sequence[int]) -> Iterator[tuple[int, SourceDoc, str]]:
        for pk, rec in zip(pks, self._records(pks), strict=True):
            if rec is None:
                raise IndexFileError(f"{self.where}: committed document number {pk} has no record")
            yield pk, record_doc(rec, self.where), rec.digest.hex()

    def sample_by_category(
        self, per_category: int, total: int, *, texts: bool = True
    ) -> list[tuple[str, str, str]]:
        """(content text, category, text digest) of up to ``per_category`` documents of each
        category (``redis_sample``)."""
        return sample_by_category(self, per_category, total, texts=texts)

    def missing_bands(self, keys: npt.NDArray[np.int64], pk: int) -> int:
        """How many of ``keys`` lack an entry for document ``pk``."""
        with guard(self.location):
            return self.buckets.missing(keys, pk)

    def counts(self) -> dict[str, int]:
        with guard(self.location):
            docs = int(self.client.bitcount(self._k("live")))
            stats = self.client.hmget(self._k("stats"), ["characters", "passages", "band_rows"])
        chars, passages, bands = stats
        return {
            "documents": docs,
            "characters": int(chars or 0),
            "passages": int(passages or 0),
            "band_rows": int(bands or 0),
        }

    def structural_problems(self) -> list[str]:
        """Problems of the keys themselves (``redis_check``)."""
        return structural_problems(self)

