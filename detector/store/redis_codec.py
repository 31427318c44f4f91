"""How a document is kept in the Redis index: one hash per document, plain bytes, nothing pickled.

Keys (``P`` = the URL's ``?prefix=``):
    P:manifest, P:permutations   the Manifest JSON and the permutations, as in the SQLite store
    P:doc:PK                     hash: id, uri, url, title, site, category, chars, passages,
                                 digest, main (JSON spans), body (zlib text), keys (int64 LE),
                                 published (ISO 8601; absent when unknown or written before dates)
    P:pks                        sorted set of committed document numbers (score = PK)
    P:ids                        hash: id -> "PK DIGEST" (committed documents only)
    P:cat:NAME, P:categories     committed documents per category (score = PK)
    P:stats                      hash: characters, passages, band_rows of committed documents
    P:next_pk, P:pending, P:lock a counter, documents being written or discarded, the writer lock
    P:bands:...                  datasketch's storage: P:bands: (hash) and one set per bucket
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from detector.errors import IndexFileError
from detector.model import SourceDoc
from detector.store.interface import PreparedDoc
from detector.store.stored_text import inflate_text, read_spans

DOC_FIELDS = ("id", "uri", "url", "title", "category", "site", "main", "body", "chars")
# A stored ``published`` value: an ISO 8601 date or date-time (as the SQLite store checks it).
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}[0-9T:.+Z-]{0,30}\Z")


def key_bytes(keys: npt.NDArray[np.int64]) -> list[bytes]:
    raw = keys.astype(">i8").tobytes()
    return [raw[i : i + 8] for i in range(0, len(raw), 8)]


def row_doc(row: Sequence[Any], where: str) -> SourceDoc:
    """A document from its hash fields (``DOC_FIELDS`` order, as ``HMGET`` returns them; the store
    asks for ``published`` last, after any extra field)."""
    doc_id, uri, url, title, category, site, main, body, chars = row[:9]
    name = doc_id.decode("utf-8", "replace") if doc_id is not None else "?"
    try:
        # Checked as the SQLite store checks its rows: inflation bounded by the recorded length.
        recorded = int(chars) if chars is not None and chars.isdigit() and len(chars) < 12 else -1
        text = inflate_text(body, recorded)
        main_spans = read_spans(main.decode("utf-8"), len(text))
        fields = [None if v is None else v.decode("utf-8") for v in (uri, url, title, category, site)]
        published = None if len(row) <= len(DOC_FIELDS) or row[-1] is None else row[-1].decode("ascii")
        if published is not None and not _ISO_DATE.match(published):
            raise ValueError("published is not a date")
    except (zlib.error, UnicodeDecodeError, TypeError, ValueError) as err:
        raise IndexFileError(f"{where}: document {name!r} is corrupt ({err})") from err
    return SourceDoc(
        id=name,
        uri=fields[0],
        url=fields[1],
        title=fields[2],
        category=fields[3],
        site=fields[4],
        text=text,
        main_spans=main_spans,
        published=published,
    )


def doc_fields(item: PreparedDoc) -> dict[str, bytes | str | int]:
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
    for name in ("uri", "url", "title", "site", "category", "published"):
        value = getattr(d, name)
        if value is not None:
            fields[name] = value
    return fields


def meta_of(item: PreparedDoc) -> dict[str, Any]:
    return {
        "chars": len(item.doc.text),
        "passages": item.passages,
        "nkeys": int(item.keys.shape[0]),
        "category": item.doc.category,
        "id": item.doc.id,
    }
