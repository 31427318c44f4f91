"""The commands that make documents of the Redis index visible to readers, or hide them again
(``redis_store``): one MULTI/EXEC, so readers see a batch's documents all at once; and a batch's
band entries sorted for its round."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from detector.store.interface import PreparedDoc, SortedRun
from detector.store.redis_codec import DocRecord, id_entry, keys_blob
from detector.store.redis_lock import resp


@dataclass(frozen=True)
class RoundDoc:
    """What committing a written document needs (a round keeps these, not the texts)."""

    id: str
    digest: str
    category: str | None
    chars: int
    passages: int
    keys: npt.NDArray[np.int64]

    @staticmethod
    def of(item: PreparedDoc) -> RoundDoc:
        d = item.doc
        return RoundDoc(d.id, item.stored_digest(), d.category, len(d.text), item.passages, item.keys)

    def meta(self) -> DocRecord:
        """What uncommitting it needs, without reading it back."""
        strings: dict[str, str | None] = {"id": self.id, "category": self.category}
        return DocRecord(b"", self.chars, self.passages, int(self.keys.shape[0]), strings, (), b"")


def visibility_commands(
    key: Callable[[str], bytes],
    shown: Sequence[tuple[int, RoundDoc]],
    hidden: Sequence[tuple[int, DocRecord, npt.NDArray[np.int64] | None]],
    dropped_ids: Sequence[str] = (),
) -> list[bytes]:
    """The commands that commit documents (``shown``) and uncommit others (``hidden``, back
    to pending with their band keys), for one MULTI/EXEC. A document of this batch may be
    shown and then hidden (the same id twice): every step that shows comes first."""
    bits: list[bytes] = []
    ids: dict[bytes, bytes] = {}
    cat_add: dict[str, list[bytes]] = {}
    cat_rem: dict[str, list[bytes]] = {}
    totals = {"characters": 0, "passages": 0, "band_rows": 0}
    for pk, item in shown:
        bits += [b"SET", b"u1", b"%d" % pk, b"1"]
        ids[item.id.encode("utf-8", "surrogatepass")] = id_entry(pk, item.digest)
        if item.category:
            cat_add.setdefault(item.category, []).append(b"%d" % pk)
        totals["characters"] += item.chars
        totals["passages"] += item.passages
        totals["band_rows"] += int(item.keys.shape[0])
    for pk, rec, _ in hidden:
        bits += [b"SET", b"u1", b"%d" % pk, b"0"]
        category = rec.strings["category"]
        if category:
            cat_rem.setdefault(category, []).append(b"%d" % pk)
        totals["characters"] -= rec.chars
        totals["passages"] -= rec.passages
        totals["band_rows"] -= rec.nkeys
    out = [resp(b"BITFIELD", key("live"), *bits)] if bits else []
    if ids:
        out.append(resp(b"HSET", key("ids"), *(x for pair in ids.items() for x in pair)))
    if dropped_ids:
        out.append(
            resp(b"HDEL", key("ids"), *(i.encode("utf-8", "surrogatepass") for i in dropped_ids))
        )
    for category, members in cat_add.items():
        out.append(resp(b"ZADD", key(f"cat:{category}"), *(x for m in members for x in (m, m))))
    if cat_add:
        out.append(resp(b"SADD", key("categories"), *(c.encode() for c in cat_add)))
    for category, members in cat_rem.items():
        out.append(resp(b"ZREM", key(f"cat:{category}"), *members))
    for name, delta in totals.items():
        if delta:
            out.append(resp(b"HINCRBY", key("stats"), name.encode(), b"%d" % delta))
    if shown:
        out.append(resp(b"SREM", key("pending"), *(b"%d" % pk for pk, _ in shown)))
        out.append(resp(b"DEL", *(key(f"k:{pk}") for pk, _ in shown)))
    if hidden:
        out.append(resp(b"SADD", key("pending"), *(b"%d" % pk for pk, _, _ in hidden)))
        known = [(pk, keys) for pk, _, keys in hidden if keys is not None]
        if known:
            out.append(resp(b"MSET", *(x for pk, k in known for x in (key(f"k:{pk}"), keys_blob(k)))))
    return out


def sorted_run(
    prepared: Sequence[PreparedDoc],
    pks: Sequence[int],
    run: SortedRun | None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32]]:
    """A batch's band entries sorted by key as unsigned numbers, with their document numbers:
    the run the batch came with (``run``: keys and the index of each one's document in
    ``prepared``), or one sorted here. A bucket holds the keys of one prefix of top bits, so
    merging a round's runs groups its entries by bucket (``BucketTable.add(grouped=True)``)."""
    numbers = np.array(pks, dtype=np.uint32)
    if run is not None:
        return run[0].astype(np.int64, copy=False), numbers[run[1]]
    if not prepared:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint32)
    keys = np.concatenate([item.keys for item in prepared]).astype(np.int64, copy=False)
    docs = np.repeat(numbers, [item.keys.shape[0] for item in prepared])
    order = np.argsort(keys.view(np.uint64), kind="stable")
    return keys[order], docs[order]
