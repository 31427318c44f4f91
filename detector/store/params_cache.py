"""Signature parameters without importing datasketch on every run.

Importing datasketch imports scipy.integrate: 0.9 s of the 1.5 s that `detector index` of one
document took on the benchmark machine, only to choose (bands, rows) for the threshold and to
draw the permutations. Both depend on (num_perm, seed, threshold) and datasketch's version
alone, so they are computed with datasketch once and kept in the user's cache folder. A cache
file is data: one that does not hold parameters of the right shape and range is ignored and
rewritten; `detector index --check` compares an index's permutations with datasketch itself.
"""

from __future__ import annotations

import json
import os
from importlib import metadata
from pathlib import Path

from detector import safe_json
from detector.safe_write import save_cache
from detector.store.signatures import SignatureParams


def _path(num_perm: int, seed: int, threshold: float) -> Path | None:
    try:
        version = metadata.version("datasketch")
    except metadata.PackageNotFoundError:
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "detector"
    tag = "".join(c for c in version if c.isalnum() or c == ".")
    return base / f"minhash-params-d{tag}-p{num_perm}-s{seed}-t{threshold!r}.json"


def _load(path: Path, num_perm: int, seed: int) -> SignatureParams | None:
    try:
        data = safe_json.loads(path.read_text(encoding="utf-8"))
        bands, rows, a, b = data["bands"], data["rows"], data["a"], data["b"]
    except (OSError, ValueError, TypeError, KeyError):
        return None
    numbers = [bands, rows, *a, *b] if isinstance(a, list) and isinstance(b, list) else []
    if not numbers or not all(type(x) is int for x in numbers):
        return None
    if not (bands >= 1 and rows >= 1 and bands * rows <= num_perm and len(a) == len(b) == num_perm):
        return None
    if not all(0 <= x < 2**32 for x in [*a, *b]):
        return None
    return SignatureParams(num_perm, seed, bands, rows, tuple(a), tuple(b))


def signature_params(num_perm: int, seed: int, threshold: float) -> SignatureParams:
    """``SignatureParams.from_datasketch``, read from the cache when datasketch computed it before."""
    path = _path(num_perm, seed, threshold)
    cached = None if path is None else _load(path, num_perm, seed)
    if cached is not None:
        return cached
    params = SignatureParams.from_datasketch(num_perm, seed, threshold)
    if path is not None:
        text = json.dumps(
            {"bands": params.bands, "rows": params.rows, "a": list(params.a), "b": list(params.b)}
        )
        save_cache(path, lambda fh: fh.write(text.encode("utf-8")))
    return params
