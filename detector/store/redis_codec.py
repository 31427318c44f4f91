"""The byte formats of the Redis index (layout version 3, ``redis_store``): plain bytes
with explicit lengths, nothing pickled, every value checked when read back (an index is data
that a hostile party may have written, CONTRACT.md "Hostile input").

- A document record (``P:d:PK``, one string): the SHA-256 of the text (32 raw bytes), then
  varints ``chars``, ``passages``, ``nkeys``, then seven optional UTF-8 strings (``id``, ``uri``,
  ``url``, ``title``, ``category``, ``site``, ``published``: varint length + 1, 0 for none), the
  main-text spans (varint count, then per span the gap from the previous end and the length),
  and last the text, zlib-compressed (inflated no further than ``chars`` allows).
- An id entry (field of ``P:ids``): the document number (4 bytes, big-endian) and the digest.
- A band entry: the band key (8 bytes, big-endian, the same key every store uses) and the
  document number (4 bytes, big-endian); a bucket (``P:b:ADDR``) is a string of such entries,
  concatenated in no order.
- Band keys of a document being written or removed (``P:k:PK``): 8 bytes each, big-endian.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from detector.errors import IndexFileError
from detector.model import SourceDoc
from detector.store.interface import PreparedDoc
from detector.store.stored_text import inflate_text

DIGEST_BYTES = 32
MEMBER_BYTES = 12
MAX_PK = 2**32 - 1
MEMBER = np.dtype([("key", ">i8"), ("pk", ">u4")])
_STRINGS = ("id", "uri", "url", "title", "category", "site", "published")
# A stored ``published`` value: an ISO 8601 date or date-time (as the SQLite store checks it).
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}[0-9T:.+Z-]{0,30}\Z")


class CorruptValue(ValueError):
    """A value read from Redis that does not have the layout's form."""


_ONE_BYTE = [bytes((i,)) for i in range(0x80)]


def _varint(value: int) -> bytes:
    # One and two bytes without the loop: most values of a record (a writer packs ~30 a document).
    if value < 0x80:
        return _ONE_BYTE[value]
    if value < 0x4000:
        return bytes(((value & 0x7F) | 0x80, value >> 7))
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


class _Reader:
    def __init__(self, raw: bytes):
        self.raw = raw
        self.pos = 0

    def varint(self) -> int:
        value = shift = 0
        while True:
            if self.pos >= len(self.raw) or shift > 63:
                raise CorruptValue("a number runs past the record")
            byte = self.raw[self.pos]
            self.pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value

    def take(self, n: int) -> bytes:
        if n > len(self.raw) - self.pos:
            raise CorruptValue("a field runs past the record")
        out = self.raw[self.pos : self.pos + n]
        self.pos += n
        return out


@dataclass(frozen=True)
class DocRecord:
    """A document record's fields, as stored (the text still compressed)."""

    digest: bytes
    chars: int
    passages: int
    nkeys: int
    strings: dict[str, str | None]
    main: tuple[tuple[int, int], ...]
    body: bytes

    def pack(self) -> bytes:
        parts = [self.digest, _varint(self.chars), _varint(self.passages), _varint(self.nkeys)]
        for name in _STRINGS:
            value = self.strings.get(name)
            if value is None:
                parts.append(b"\x00")
            else:
                raw = value.encode("utf-8", "surrogatepass")
                parts += [_varint(len(raw) + 1), raw]
        parts.append(_varint(len(self.main)))
        end = 0
        for s, e in self.main:
            parts += [_varint(s - end), _varint(e - s)]
            end = e
        parts.append(self.body)
        return b"".join(parts)

    @staticmethod
    def unpack(raw: bytes) -> DocRecord:
        """The fields of a record; raises CorruptValue when it is not one (its text unchecked)."""
        r = _Reader(raw)
        digest = r.take(DIGEST_BYTES)
        chars, passages, nkeys = r.varint(), r.varint(), r.varint()
        strings: dict[str, str | None] = {}
        for name in _STRINGS:
            n = r.varint()
            strings[name] = None if n == 0 else r.take(n - 1).decode("utf-8")
        spans: list[tuple[int, int]] = []
        end = 0
        for _ in range(r.varint()):
            start = end + r.varint()
            end = start + r.varint()
            if end > chars:
                raise CorruptValue(f"main span [{start}, {end}) lies outside the text")
            spans.append((start, end))
        published = strings["published"]
        if published is not None and not _ISO_DATE.match(published):
            raise CorruptValue("published is not a date")
        return DocRecord(digest, chars, passages, nkeys, strings, tuple(spans), raw[r.pos :])


def record_of(item: PreparedDoc) -> bytes:
    d = item.doc
    return DocRecord(
        digest=bytes.fromhex(item.stored_digest()),
        chars=len(d.text),
        passages=item.passages,
        nkeys=int(item.keys.shape[0]),
        strings={name: getattr(d, name) for name in _STRINGS},
        main=tuple(d.main_spans),
        body=item.stored_body(),
    ).pack()


def read_record(raw: bytes | None, pk: int, where: str) -> DocRecord:
    if raw is None:
        raise IndexFileError(f"{where}: document number {pk} has no record")
    try:
        return DocRecord.unpack(raw)
    except (CorruptValue, UnicodeDecodeError) as err:
        raise IndexFileError(f"{where}: document number {pk} is corrupt ({err})") from err


def record_doc(rec: DocRecord, where: str) -> SourceDoc:
    """A document from its record, the text inflated with a bound from the recorded length."""
    name = rec.strings["id"] or "?"
    try:
        text = inflate_text(rec.body, rec.chars)
    except (zlib.error, UnicodeDecodeError, ValueError) as err:
        raise IndexFileError(f"{where}: document {name!r} is corrupt ({err})") from err
    s = rec.strings
    return SourceDoc(
        id=name,
        uri=s["uri"],
        url=s["url"],
        title=s["title"],
        category=s["category"],
        site=s["site"],
        text=text,
        main_spans=rec.main,
        published=s["published"],
    )


def id_entry(pk: int, digest_hex: str) -> bytes:
    return pk.to_bytes(4, "big") + bytes.fromhex(digest_hex)


def id_hash(doc_id: str) -> bytes:
    """8 bytes that stand for an id (in memory only: which ids a writer has committed)."""
    return hashlib.blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()


def read_id_entry(raw: bytes, doc_id: str, where: str) -> tuple[int, str]:
    """(document number, hex digest) of an id entry."""
    if not isinstance(raw, bytes) or len(raw) != 4 + DIGEST_BYTES:
        raise IndexFileError(f"{where}: the entry of id {doc_id!r} is corrupt")
    return int.from_bytes(raw[:4], "big"), raw[4:].hex()


def read_pks(raws: object, what: str, where: str) -> list[int]:
    """Document numbers kept as decimal members of a set (``P:pending``, ``P:cat:NAME``)."""
    out: list[int] = []
    for raw in raws if isinstance(raws, list | set | tuple) else ():
        if not (isinstance(raw, bytes) and raw.isdigit() and len(raw) <= 10):
            raise IndexFileError(f"{where}: {what} holds a value that is not a document number")
        out.append(int(raw))
    return out


def keys_blob(keys: npt.NDArray[np.int64]) -> bytes:
    return np.asarray(keys, dtype=np.int64).astype(">i8").tobytes()


def read_keys_blob(raw: bytes, pk: int, where: str) -> npt.NDArray[np.int64]:
    if len(raw) % 8:
        raise IndexFileError(f"{where}: the band keys of document number {pk} are corrupt")
    return np.frombuffer(raw, dtype=">i8").astype(np.int64)


def members(
    keys: npt.NDArray[np.int64], pks: npt.NDArray[np.int64] | npt.NDArray[np.uint32]
) -> npt.NDArray[np.void]:
    """Bucket members (key, document number) as a structured array (``MEMBER``)."""
    out = np.empty(keys.shape[0], dtype=MEMBER)
    out["key"] = keys
    out["pk"] = pks
    return out


def read_bucket(raw: bytes | None, where: str) -> npt.NDArray[np.void]:
    """The entries of a bucket (``MEMBER``); an absent bucket has none."""
    if raw is None:
        return np.zeros(0, dtype=MEMBER)
    if not isinstance(raw, bytes) or len(raw) % MEMBER_BYTES:
        raise IndexFileError(f"{where}: a band bucket holds a value that is not a band entry")
    return np.frombuffer(raw, dtype=MEMBER)
