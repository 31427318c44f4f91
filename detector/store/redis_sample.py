"""The topic model's sample of a Redis index: the first documents of each category
(``RedisIndex.sample_by_category``), the same rows as the SQLite store's."""

from __future__ import annotations

from typing import Any

from detector.store.redis_codec import DIGEST_BYTES, read_pks, record_doc
from detector.store.redis_lock import guard, resp, run_packed


def sample_by_category(
    store: Any, per_category: int, total: int, *, texts: bool = True
) -> list[tuple[str, str, str]]:
    """(content text, category, text digest) of up to ``per_category`` documents of each
    category (the first indexed), at most ``total``, by category then index order: the
    same rows as the SQLite store's. ``texts=False`` leaves the text empty. (``store``: the
    ``RedisIndex``, which imports this module.)"""
    with guard(store.location):
        categories = sorted(c.decode() for c in store.client.smembers(store._k("categories")))
    chosen: list[tuple[str, int]] = []
    for category in categories:
        if len(chosen) >= total:
            break
        with guard(store.location):
            pks = store.client.zrange(store._k(f"cat:{category}"), 0, per_category - 1)
        chosen.extend((category, pk) for pk in read_pks(pks, f"category {category!r}", store.where))
    chosen = chosen[:total]
    if not texts:  # the digests only: the head of each record, prepacked (a scan asks each time)
        end = b"%d" % (DIGEST_BYTES - 1)
        commands = [resp(b"GETRANGE", store._k(f"d:{pk}").encode(), b"0", end) for _, pk in chosen]
        digests = run_packed(store.client, store.location, commands) if commands else []
        return [
            ("", c, d.hex()) for (c, _), d in zip(chosen, digests, strict=True) if len(d) == DIGEST_BYTES
        ]
    out: list[tuple[str, str, str]] = []
    for (category, _), rec in zip(chosen, store._records([pk for _, pk in chosen]), strict=True):
        if rec is not None:
            doc = record_doc(rec, store.where)
            text = "\n".join(doc.text[s:e] for s, e in doc.content_spans())
            out.append((text, category, rec.digest.hex()))
    return out
