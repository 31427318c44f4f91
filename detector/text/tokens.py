"""Tokens and shingles, computed with numpy over whole texts (no Python call per token).

A token is one CJK character (Han, kana, Hangul) or one run of other letters and digits
(a Latin word, a number), so that "B2B", "CEO" and "Alibaba.com" inside Chinese text are
words and a Chinese sentence is not one giant token (the `\\W` trap). Punctuation and white
space separate tokens and are not tokens. Every token keeps its ``[start, end)`` offsets in
the original text, and its hash is computed from its normalised form (NFKC, case folding:
see normalize.py) and traditional characters folded to simplified ones (t2s.py), so "ＡＢＣ"
and "abc" hash the same, and so do 數據 and 数据.

A shingle is ``k`` consecutive tokens; its hash feeds MinHash (32 bits, datasketch's
``affine32`` scheme) and the aligner's seeds (64 bits).

Folding is per character and only where the NFKC + casefold result is one character (all
CJK, full-width and Latin letters); the rare characters whose fold expands (ligatures such
as "ﬁ", "ŉ") are hashed as themselves.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from detector.safe_write import save_cache
from detector.text.t2s import fold_t2s, table_version

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

OTHER, CJK, WORD, INVISIBLE = 0, 1, 2, 3

_CJK_RANGES = (
    (0x3040, 0x30FF),  # kana
    (0x3400, 0x4DBF),  # Han extension A
    (0x4E00, 0x9FFF),  # Han
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # compatibility ideographs (NFKC folds them to Han)
    (0x20000, 0x323AF),  # Han extensions B..H
)


def _classify(cp: int) -> tuple[int, int]:
    """Class and folded code point of one character (the tables below hold the BMP)."""
    ch = chr(cp)
    if 0xD800 <= cp <= 0xDFFF:
        return OTHER, cp
    if unicodedata.category(ch) == "Cf":  # zero-width and bidi controls: as if absent
        return INVISIBLE, cp
    norm = unicodedata.normalize("NFKC", ch).casefold()
    if len(norm) == 1:
        norm = fold_t2s(norm)  # traditional -> simplified (t2s.py)
    fold = ord(norm) if len(norm) == 1 else cp
    base = ord(norm[0]) if norm else cp
    if any(lo <= base <= hi for lo, hi in _CJK_RANGES) and norm[0].isalnum():
        return CJK, fold
    if norm and all(c.isalnum() for c in norm):
        return WORD, fold
    return OTHER, fold


@lru_cache(maxsize=4096)
def _classify_astral(cp: int) -> tuple[int, int]:
    return _classify(cp)


@lru_cache(maxsize=1)
def _tables() -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint32]]:
    """Per BMP code point: its class and its folded code point (NFKC + casefold when one character).

    Computing them takes 65,536 unicodedata calls (~0.25 s, 5% of indexing 25 MB), so they are
    kept in the user's cache folder as plain arrays, keyed by the Unicode version and
    NORMALIZER_VERSION; an unreadable or odd cache file is ignored and rebuilt."""
    cached = _load_tables()
    if cached is not None:
        return cached
    classes = np.zeros(0x10000, dtype=np.uint8)
    folded = np.arange(0x10000, dtype=np.uint32)
    for cp in range(0x10000):
        classes[cp], folded[cp] = _classify(cp)
    _save_tables(classes, folded)
    return classes, folded


def _tables_path() -> Path:
    from detector.text.normalize import NORMALIZER_VERSION

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "detector"
    opencc = "".join(c for c in table_version() if c.isalnum() or c == ".")
    return base / f"token-tables-u{unicodedata.unidata_version}-n{NORMALIZER_VERSION}-o{opencc}.npz"


def _load_tables() -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint32]] | None:
    try:
        with np.load(_tables_path(), allow_pickle=False) as data:
            classes, folded = data["classes"], data["folded"]
    except (OSError, ValueError, KeyError):
        return None
    if classes.shape != (0x10000,) or folded.shape != (0x10000,):
        return None
    if classes.dtype != np.uint8 or folded.dtype != np.uint32 or int(classes.max()) > INVISIBLE:
        return None
    return classes, folded


def _save_tables(classes: npt.NDArray[np.uint8], folded: npt.NDArray[np.uint32]) -> None:
    # A read-only home: they are computed each time.
    save_cache(_tables_path(), lambda fh: np.savez(fh, classes=classes, folded=folded))


_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)
_R = np.uint64(0x9E3779B97F4A7C15)  # odd, so invertible modulo 2**64
_CJK_SALT = np.uint64(0x2545F4914F6CDD1D)
_LEN_SALT = np.uint64(0x94D049BB133111EB)
# Odd multipliers that combine the k tokens of a shingle (position matters).
_SHINGLE_MULT = np.array(
    [(0x9E3779B97F4A7C15 * (2 * j + 1) + 0x632BE59BD9B4E019 * j) % (1 << 64) | 1 for j in range(64)],
    dtype=np.uint64,
)


def fmix64(h: U64) -> U64:
    """MurmurHash3's 64-bit finaliser: an avalanching bijection (wraps modulo 2**64)."""
    h = h ^ (h >> _S33)  # a new array: the caller's is left alone, the rest works in place
    h *= _M1
    h ^= h >> _S33
    h *= _M2
    h ^= h >> _S33
    return h


# Words are hashed on their first 64 characters and their length (longer "words" are
# URLs or base64 junk, where the prefix and length tell them apart well enough).
_WORD_PREFIX = 64


def _powers(base: np.uint64, n: int) -> U64:
    out = np.empty(n, dtype=np.uint64)
    if n:
        out[0] = 1
        out[1:] = base
        np.cumprod(out, out=out)
    return out


_R_POWERS = _powers(_R, _WORD_PREFIX)


@dataclass(frozen=True)
class Tokens:
    """Tokens of a text: parallel arrays of original offsets, hashes and kinds."""

    starts: I64
    ends: I64
    hashes: U64
    is_cjk: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return int(self.starts.shape[0])

    def slice(self, lo: int, hi: int) -> Tokens:
        return Tokens(self.starts[lo:hi], self.ends[lo:hi], self.hashes[lo:hi], self.is_cjk[lo:hi])


def codepoints(text: str) -> npt.NDArray[np.uint32]:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def tokenize(text: str) -> Tokens:
    """All tokens of ``text``, in order. Invisible format characters (zero-width space, bidi
    controls) are skipped as if absent, as normalize() drops them: "ab\u200bc" is one word."""
    return tokenize_codepoints(codepoints(text))


def classify(cps: npt.NDArray[np.uint32]) -> tuple[npt.NDArray[np.uint8], U64]:
    """Class and folded code point of every character (BMP from the tables; the few distinct
    astral characters one by one)."""
    classes, folded = _tables()
    bmp = cps < 0x10000
    low = np.where(bmp, cps, 0)
    cls = classes[low]
    fold = np.where(bmp, folded[low], cps).astype(np.uint64)
    astral = np.flatnonzero(~bmp)
    if astral.size:  # rare: look the few distinct characters up one by one
        distinct, which = np.unique(cps[astral], return_inverse=True)
        looked = [_classify_astral(int(cp)) for cp in distinct.tolist()]
        cls[astral] = np.array([c for c, _ in looked], dtype=np.uint8)[which]
        fold[astral] = np.array([f for _, f in looked], dtype=np.uint64)[which]
    return cls, fold


@lru_cache(maxsize=1)
def _cjk_hashes() -> U64:
    """The token hash of every BMP code point as a CJK character (used only where it is one)."""
    _, folded = _tables()
    return fmix64(folded.astype(np.uint64) ^ _CJK_SALT)


def tokenize_codepoints(cps: npt.NDArray[np.uint32]) -> Tokens:
    """``tokenize`` of the text whose UTF-32 code units are ``cps``; offsets index ``cps``."""
    if cps.size and int(cps.max()) >= 0x10000:  # astral characters: fold every character
        cls, fold = classify(cps)
    else:
        cls, fold = _tables()[0][cps], None
    invisible = cls == INVISIBLE
    if not invisible.any():
        return _tokens_of(cps, cls, fold)
    keep = np.flatnonzero(~invisible)
    t = _tokens_of(cps[keep], cls[keep], None if fold is None else fold[keep])
    return Tokens(keep[t.starts], keep[t.ends - 1] + 1, t.hashes, t.is_cjk)


def _tokens_of(cps: npt.NDArray[np.uint32], cls: npt.NDArray[np.uint8], fold: U64 | None) -> Tokens:
    """Tokens of visible characters with classes ``cls``; ``fold``: every character's folded
    code point, or None when all are in the BMP (then looked up where needed)."""
    folded = _tables()[1]
    is_word = cls == WORD
    edges = np.diff(is_word.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    run_starts = np.flatnonzero(edges == 1)
    run_ends = np.flatnonzero(edges == -1)
    # A token starts at every CJK character and at the start of every word run: one pass finds
    # them in text order. Every token is first hashed as a CJK character (one table look-up),
    # then the words' hashes replace theirs (placing the two kinds by masks cost 3x more).
    begins = cls == CJK
    begins[run_starts] = True
    starts = np.flatnonzero(begins)
    hashes = _cjk_hashes()[cps[starts]] if fold is None else fmix64(fold[starts] ^ _CJK_SALT)
    ends = starts + 1  # a CJK token is one character; words end where their run does
    is_cjk = np.ones(starts.shape[0], dtype=np.bool_)
    if run_starts.size:
        # Polynomial hash of each run over its first _WORD_PREFIX characters, plus its length:
        # sum f[m] * R**(m - s), computed only over the word characters (few in Chinese text).
        lengths = run_ends - run_starts
        word_pos = np.flatnonzero(is_word)
        run_of = np.repeat(np.arange(run_starts.size), lengths)
        offset = word_pos - run_starts[run_of]
        inside = offset < _WORD_PREFIX
        weight = _R_POWERS[np.minimum(offset, _WORD_PREFIX - 1)]
        word_fold = folded[cps[word_pos]].astype(np.uint64) if fold is None else fold[word_pos]
        terms = np.where(inside, word_fold * weight, np.uint64(0))
        run_vals = np.add.reduceat(terms, np.cumsum(lengths) - lengths)
        word_at = np.searchsorted(starts, run_starts)
        hashes[word_at] = fmix64(run_vals ^ (lengths.astype(np.uint64) * _LEN_SALT))
        ends[word_at] = run_ends
        is_cjk[word_at] = False
    # utf-32 units are code points, which is what Python string indices count.
    return Tokens(starts, ends, hashes, is_cjk)


def shingle_hashes(token_hashes: U64, k: int) -> U64:
    """64-bit hashes of every run of ``k`` consecutive tokens; one shingle of all tokens when fewer.

    Never empty for a non-empty input: a passage shorter than ``k`` must not get an empty
    signature, since empty sets all collide and then everything "matches".
    """
    t = token_hashes.shape[0]
    if t == 0:
        return np.zeros(0, dtype=np.uint64)
    width = min(k, t)
    count = t - width + 1
    acc = np.zeros(count, dtype=np.uint64)
    for j in range(width):
        acc += token_hashes[j : j + count] * _SHINGLE_MULT[j]
    return fmix64(acc ^ np.uint64(width))


def minhash_input(shingles: U64) -> npt.NDArray[np.uint32]:
    """The 32-bit values fed to MinHash (the high half of the 64-bit shingle hash)."""
    return (shingles >> np.uint64(32)).astype(np.uint32)


def shingle_hashes_batch(token_hashes: U64, k: int) -> U64:
    """``shingle_hashes`` of every run of exactly ``k`` tokens of a sequence that holds many
    documents end to end (the caller keeps the runs inside one document); empty when shorter."""
    count = token_hashes.shape[0] - k + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint64)
    acc = token_hashes[:count] * _SHINGLE_MULT[0]
    for j in range(1, k):
        acc += token_hashes[j : j + count] * _SHINGLE_MULT[j]
    return fmix64(acc ^ np.uint64(k))
