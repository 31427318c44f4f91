"""Stable finding fingerprints: from the kind, the normalised text involved and, for reposts,
the source id. Offsets, page layout and unrelated text never enter, so a CI baseline keeps
accepting a finding when other parts of the page change."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from detector.text.normalize import fold_char

_RUNS = re.compile(r"[^ ]+")


def normalized_text(text: str) -> str:
    """``text.normalize.normalize(text).text`` without the map back to original offsets, which a
    fingerprint never reads (and which was most of its cost): every character folded, space runs
    made one space, none at either end (a test holds the two equal)."""
    return " ".join(_RUNS.findall("".join(map(fold_char, text))))


def fingerprint(kind: str, texts: Iterable[str], source_id: str | None = None) -> str:
    h = hashlib.sha256()
    h.update(kind.encode())
    h.update(b"\x00")
    h.update((source_id or "").encode("utf-8", "surrogatepass"))
    for text in texts:
        h.update(b"\x00")
        h.update(normalized_text(text).encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:32]
