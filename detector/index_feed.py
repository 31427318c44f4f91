"""What a signing worker of ``detector index`` does with one part of the inputs: read it, make
its source documents and sign them, so that the writer process only decides and writes.

Reading and labelling the JSONL took ~0.7 s of the writer's 2.4 s on 25 MB (bench/throughput.py)
while both cores signed; here it runs beside the signing, in parallel. A part's result keeps the
input order; the writer still decides, document by document and in that order, what is added,
replaced or unchanged (a later line with the same id wins), so the index is the same as when the
writer read everything itself.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence

import numpy as np
import numpy.typing as npt

from detector.config import LIMITS, Settings
from detector.ingest.partitions import Item, Part, read_part
from detector.model import InputFailure, SourceDoc
from detector.retrieval import prepare_sources, source_from_document
from detector.store import open_store
from detector.store.interface import IndexStore, PreparedDoc, text_digest
from detector.store.signatures import SignatureParams
from detector.store.stored_text import inflate_text
from detector.textsafe import has_control

I64 = npt.NDArray[np.int64]


@dataclasses.dataclass(frozen=True)
class Unsigned:
    """A document the index held unchanged when its part was read: not signed. The writer signs
    it itself in the rare case that an earlier part changed it since (the same id twice)."""

    doc: SourceDoc
    digest: str


FeedItem = InputFailure | PreparedDoc | Unsigned
Digests = Callable[[list[str]], list[str | None]]


@dataclasses.dataclass(frozen=True)
class FedPart:
    """A part's items in input order, and how their band entries sort: ``run_order`` orders the
    keys of its signed items, taken one after another, as unsigned numbers.

    A part crosses from a worker to the writer pickled: as columns (``__reduce__``), without the
    documents' texts (their stored form, ``body``, is sent and the text made again from it) and
    with the band keys once, not also as the sorted run. That is 45 of the 96 MB that 25 MB of
    input made, and half the CPU of pickling and unpickling them."""

    items: list[FeedItem]
    run_order: npt.NDArray[np.intp] | npt.NDArray[np.int32]
    # The signed items' keys one after another, when they arrived so (not compared: derived).
    flat_keys: I64 | None = dataclasses.field(default=None, compare=False, repr=False)

    def run(self) -> tuple[I64, I64]:
        """The band entries of the signed items, sorted by key as unsigned numbers, with the
        index of each entry's item."""
        at, keys = _signed(self.items)
        if not keys:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        flat = self.flat_keys if self.flat_keys is not None else np.concatenate(keys)
        owner = np.repeat(np.array(at, dtype=np.int64), [k.shape[0] for k in keys])
        return flat[self.run_order], owner[self.run_order]

    def __reduce__(self) -> tuple[Callable[..., FedPart], tuple[object, ...]]:
        return _unpack, _pack(self)


# The fields of a source document but its text, sent as a tuple each.
_DOC_FIELDS = tuple(f.name for f in dataclasses.fields(SourceDoc) if f.name != "text")


def _pack(fed: FedPart) -> tuple[object, ...]:
    rest: list[FeedItem | None] = []  # None where a signed document is, in the columns
    meta: list[tuple[object, ...]] = []
    texts: list[str | int] = []  # the text, or its length when the body gives it back
    bodies: list[bytes] = []
    digests: list[str] = []
    passages: list[int] = []
    keys: list[I64] = []
    for x in fed.items:
        if not isinstance(x, PreparedDoc):
            rest.append(x)
            continue
        d = x.doc
        rest.append(None)
        meta.append(tuple(getattr(d, name) for name in _DOC_FIELDS))
        texts.append(len(d.text) if x.body and len(d.text) < LIMITS.stored_max_chars else d.text)
        bodies.append(x.body)
        digests.append(x.digest)
        passages.append(x.passages)
        keys.append(x.keys)
    lengths = [k.shape[0] for k in keys]
    flat = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
    return rest, meta, texts, bodies, digests, passages, lengths, flat, fed.run_order.astype(np.int32)


def _unpack(
    rest: list[FeedItem | None],
    meta: list[tuple[object, ...]],
    texts: list[str | int],
    bodies: list[bytes],
    digests: list[str],
    passages: list[int],
    lengths: list[int],
    flat: I64,
    run_order: npt.NDArray[np.int32],
) -> FedPart:
    items: list[FeedItem] = []
    start = j = 0
    for x in rest:
        if x is not None:
            items.append(x)
            continue
        text = texts[j]
        if not isinstance(text, str):
            text = inflate_text(bodies[j], text)
        doc = SourceDoc(text=text, **dict(zip(_DOC_FIELDS, meta[j], strict=True)))  # type: ignore[arg-type]
        end = start + lengths[j]
        items.append(PreparedDoc(doc, flat[start:end], passages[j], bodies[j], digests[j]))
        start = end
        j += 1
    return FedPart(items, run_order, flat)


def start_worker(writer: int) -> None:
    """Pool initializer. What the worker inherited from the writer (modules, tables) is left out
    of its garbage collections, which then neither walk it nor copy its pages (Python's advice
    for forked workers; no speed difference measurable on this shared machine). The worker ends
    when its writer process is gone: a worker waits on a pipe that its sibling workers also hold
    open, so a killed writer left them waiting forever. Ctrl-C, which reaches the whole process
    group, is the writer's to handle (it shuts the pool down): a worker interrupted while reading
    its next job printed a traceback, and one interrupted holding the job queue's lock left its
    sibling, and the writer waiting for it, blocked for good."""
    gc.freeze()
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == writer:
            time.sleep(LIMITS.worker_watch_seconds)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


_stores: dict[str, IndexStore] = {}  # a worker's read-only view of the index, by location


# What a worker is given: a part to read itself, or items the writer read (a Parquet row group
# or a WARC file holds any number of documents, so the writer reads those in batches).
Job = Part | list[Item]


def jobs(parts: Sequence[Part], settings: Settings) -> Iterator[Job]:
    """The work of indexing ``parts``, in input order, each job small enough to sign at once."""
    for part in parts:
        if part.kind == "jsonl-lines" or (part.kind == "files" and _bytes(part) <= LIMITS.index_part_bytes):
            yield part
            continue
        batch: list[Item] = []
        for _, item in read_part(part, sources=True, site=None, max_bytes=settings.max_page_bytes):
            batch.append(item)
            if len(batch) >= settings.index_write_batch:
                yield batch
                batch = []
        if batch:
            yield batch


def _bytes(part: Part) -> int:
    total = 0
    for path, _, _ in part.targets:
        with contextlib.suppress(OSError):  # reading it reports the problem
            total += os.path.getsize(path)
    return total


def feed_in_worker(job: Job, params: SignatureParams, settings: Settings, index: str) -> FedPart:
    """``feed`` in a worker process, which opens the index once to read stored digests."""
    store = _stores.get(index)
    if store is None:
        store = _stores[index] = open_store(index, None)
    return feed(job, params, settings, store.digests_of)


def feed(job: Job, params: SignatureParams, settings: Settings, stored_digests: Digests) -> FedPart:
    """Read the job's part (or take its items) and sign its documents, but those whose digest
    the index holds already."""
    read: Iterable[Item] = (
        (item for _, item in read_part(job, sources=True, site=None, max_bytes=settings.max_page_bytes))
        if isinstance(job, Part)
        else job
    )
    items: list[FeedItem | SourceDoc] = []
    for item in read:
        if isinstance(item, InputFailure):
            items.append(item)
            continue
        source = source_from_document(item)
        if has_control(source.id):  # an id is printed in messages and logs: keep it one plain line
            items.append(InputFailure(item.uri, item.site, "the id holds a control character"))
        else:
            items.append(source)
    docs = [x for x in items if isinstance(x, SourceDoc)]
    stored = stored_digests([d.id for d in docs])
    unchanged: dict[int, str] = {}
    for n, (doc, digest) in enumerate(zip(docs, stored, strict=True)):
        if digest is not None and digest == text_digest(doc.text):
            unchanged[n] = digest
    made = iter(prepare_sources([d for n, d in enumerate(docs) if n not in unchanged], params, settings))
    out: list[FeedItem] = []
    n = 0
    for x in items:
        if isinstance(x, SourceDoc):
            out.append(Unsigned(x, unchanged[n]) if n in unchanged else PreparedDoc(x, *next(made)))
            n += 1
        else:
            out.append(x)
    return FedPart(out, run_order(out))


def _signed(items: Sequence[FeedItem]) -> tuple[list[int], list[I64]]:
    at = [i for i, x in enumerate(items) if isinstance(x, PreparedDoc)]
    return at, [x.keys for x in items if isinstance(x, PreparedDoc)]


def run_order(items: Sequence[FeedItem]) -> npt.NDArray[np.intp]:
    """The order of the signed items' band keys (taken one after another) as unsigned numbers."""
    _, keys = _signed(items)
    if not keys:
        return np.zeros(0, dtype=np.intp)
    return np.argsort(np.concatenate(keys).view(np.uint64))
