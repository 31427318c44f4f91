"""Traditional -> simplified Chinese, one character to one character, from OpenCC's dictionaries.

Taiwan and Hong Kong portals repost mainland stories in traditional characters; folding both
forms to one before hashing lets a Big5 page match its simplified source. The table is built
from the OpenCC package (its C++ wheel ships the dictionaries; no compiler needed) by
converting every CJK code point on its own with the ``t2s``, ``hk2s`` and ``tw2s``
configurations (first one that changes the character wins) and closing the map under
itself, so folding is idempotent. Character-level only: OpenCC's phrase tables can change a
text's length, which would break the map back to original offsets; at character level the
simplified and the traditional form of the 1,000 cnews articles (converted with OpenCC's
``s2t``) fold to the same string in 99.9% of characters (of 1,000,000, 954 differ, mostly
phrase choices such as 家具/傢俱, which the aligner's gap tolerance absorbs), and the
simplified text itself changes in 114 (著 -> 着 mostly).

Measured on this machine (1 MB of cnews text converted to traditional, best of 3):
OpenCC 1.4.2 wheel ``t2s`` 13 Mchar/s; opencc-python-reimplemented 0.1.7 0.33 Mchar/s;
zhconv 1.4.1 2.6 Mchar/s (MediaWiki tables, not OpenCC's); this table as a numpy lookup
210 Mchar/s, built once in 0.2 s and cached with the tokeniser's tables.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from detector.safe_write import save_cache

# Code point ranges converted: CJK unified ideographs (extension A, the BMP block, the
# compatibility block, extensions B and beyond up to the supplementary compatibility block).
_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F))
_CONFIGS = ("t2s", "hk2s", "tw2s")


@lru_cache(maxsize=1)
def t2s_table() -> dict[int, str]:
    """Code point -> its simplified character, for every character OpenCC changes (closed:
    a value is never itself a key). Building it takes about a second, so it is kept in the
    user's cache folder as two plain arrays, keyed by the OpenCC version."""
    path = _cache_path()
    try:
        with np.load(path, allow_pickle=False) as data:
            keys, values = data["keys"], data["values"]
        shapes_ok = keys.shape == values.shape and keys.ndim == 1
        if shapes_ok and keys.dtype == values.dtype == np.uint32 and int(values.max(initial=0)) < 0x110000:
            return {int(k): chr(v) for k, v in zip(keys.tolist(), values.tolist(), strict=True)}
    except (OSError, ValueError, KeyError):
        pass
    table = _build_table()
    keys = np.array(list(table), dtype=np.uint32)
    values = np.array([ord(v) for v in table.values()], dtype=np.uint32)
    save_cache(path, lambda fh: np.savez(fh, keys=keys, values=values))  # read-only home: built each time
    return table


def _cache_path() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "detector"
    version = "".join(c for c in table_version() if c.isalnum() or c == ".")
    return base / f"t2s-opencc{version}-v1.npz"


def _build_table() -> dict[int, str]:
    import opencc  # a wheel with OpenCC's dictionaries; imported here to keep start-up light

    chars = [chr(cp) for lo, hi in _RANGES for cp in range(lo, hi + 1)]
    table: dict[int, str] = {}
    for config in _CONFIGS:
        # One call per configuration: a newline never joins a phrase, so each line is one character.
        out = opencc.OpenCC(config).convert("\n".join(chars)).split("\n")
        if len(out) != len(chars):
            raise RuntimeError(f"OpenCC {config} changed the number of lines")
        for ch, conv in zip(chars, out, strict=True):
            if len(conv) == 1 and conv != ch and ord(ch) not in table:
                table[ord(ch)] = conv
    # A character that OpenCC's s2t converts is itself a simplified form (么 of 麼): left as
    # it is, so that simplified text normalises as before (the characters shared by both
    # scripts with another simplified reading, such as 著 -> 着, still fold).
    keys = sorted(table)
    back = opencc.OpenCC("s2t").convert("\n".join(chr(cp) for cp in keys)).split("\n")
    if len(back) == len(keys):
        for cp, conv in zip(keys, back, strict=True):
            if conv != chr(cp):
                del table[cp]
    for _ in range(8):  # a -> b -> c chains are short (5 steps on OpenCC 1.4)
        changed = False
        for cp, to in table.items():
            nxt = table.get(ord(to))
            if nxt is not None and nxt != to:
                table[cp] = nxt
                changed = True
        if not changed:
            break
    for cp in [cp for cp, to in table.items() if ord(to) == cp]:
        del table[cp]
    return table


def fold_t2s(ch: str) -> str:
    """The simplified form of one character (itself when OpenCC has none)."""
    return t2s_table().get(ord(ch), ch) if len(ch) == 1 else ch


def table_version() -> str:
    """The OpenCC version the table came from (part of the tokeniser cache key)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("opencc")
    except PackageNotFoundError:
        return "unknown"
