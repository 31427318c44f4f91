"""The words of a general Chinese dictionary (jieba's), as packed term ids.

Character n-grams across word boundaries (密机, 床附 of 精密机床附件) and single characters
are noise that drowns a short profile; words a reader would name (机床, 附件, 防护罩) are the
evidence. jieba ships a dictionary of 349,046 words with their frequencies in a general corpus
(``jieba/dict.txt``, MIT licence); we read only that file, never jieba's segmenter, so that the
terms stay a vectorised filter over n-gram ids: an n-gram of 2-3 CJK characters is a term when
the dictionary holds it (longer words count by their parts: 机床附件 as 机床 and 附件). Where
words overlap all count, which for topics is what we want.

The file is parsed with numpy once (about a second), kept as an array in the user's cache
folder and then read in milliseconds, only when a text is judged. Without jieba installed, no
dictionary: every n-gram counts (the analyzer's old way).
"""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from detector.safe_write import NPZ_READ_ERRORS, save_cache

_BITS = 21
WORD_MIN, WORD_MAX = 2, 3  # a term id packs at most three characters (21 bits each)


def dictionary_path() -> Path | None:
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "dict.txt"
    return path if path.is_file() else None


def _cache_file(path: Path, min_freq: int, tag: str = "") -> Path | None:
    """Where the parsed dictionary is kept between runs (the user's cache folder), keyed by the
    dictionary file's size and modification time."""
    base = os.environ.get("XDG_CACHE_HOME") or (str(Path.home() / ".cache") if Path.home().is_dir() else "")
    if not base:
        return None
    stat = path.stat()
    kind = f"-{tag}" if tag else ""
    return Path(base) / "detector" / f"words-{stat.st_size}-{int(stat.st_mtime)}-{min_freq}{kind}.npy"


def _load_cached(cache: Path) -> npt.NDArray[np.int64] | None:
    try:
        ids = np.load(cache, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    if ids.dtype != np.int64 or ids.ndim != 1 or (ids.shape[0] > 1 and not bool(np.all(ids[1:] > ids[:-1]))):
        return None
    return np.asarray(ids, dtype=np.int64)


def _save_cached(cache: Path, ids: npt.NDArray[np.int64]) -> None:
    save_cache(cache, lambda fh: np.save(fh, ids, allow_pickle=False))


# The dictionary tags of words that are never terms. Place names (ns: 辽宁, 洛阳, 晋江): a
# company site names its province and city on every page, and news names them for its sports
# teams. Numerals (m, mq: 三百, 一家, 十余, 两个): counts say nothing of a topic, yet news and
# company pages share them (一家 and 三百 of an Alibaba feature matched a machine-tool maker's
# 一家 and 三百台).
PLACE_TAGS = ("ns",)
NUMERAL_TAGS = ("m", "mq")


def place_ids() -> npt.NDArray[np.int64] | None:
    """Sorted ids of the dictionary's place names."""
    return unwanted_ids(True, False)


@lru_cache(maxsize=4)
def unwanted_ids(places: bool, numerals: bool) -> npt.NDArray[np.int64] | None:
    """Sorted ids of the dictionary words that are never terms: place names and/or numerals
    (None without a dictionary, or when neither is asked for)."""
    tags = (PLACE_TAGS if places else ()) + (NUMERAL_TAGS if numerals else ())
    parts = [ids for ids in (dictionary_ids(1, tag) for tag in tags) if ids is not None]
    return np.unique(np.concatenate(parts)) if parts else None


@lru_cache(maxsize=8)
def dictionary_ids(min_freq: int = 1, tag: str = "") -> npt.NDArray[np.int64] | None:
    """Sorted packed ids of the dictionary's words of 2-3 CJK characters with at least
    ``min_freq`` occurrences, or None when there is no dictionary. Parsed once, then read from
    the user's cache folder (a file that does not hold a sorted int64 array is parsed anew)."""
    path = dictionary_path()
    if path is None:
        return None
    try:
        cache = _cache_file(path, min_freq, tag)
    except OSError:
        return None
    if cache is not None:
        found = _load_cached(cache)
        if found is not None:
            return found
    ids = _parse(path, min_freq, tag)
    if ids is not None and cache is not None:
        _save_cached(cache, ids)
    return ids


def _parse(path: Path, min_freq: int, tag: str = "") -> npt.NDArray[np.int64] | None:
    try:
        raw = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    cp = np.frombuffer(raw.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    newline = np.flatnonzero(cp == 10)
    starts = np.concatenate([[0], newline + 1])
    ends = np.concatenate([newline, [cp.shape[0]]])
    spaces = np.flatnonzero(cp == 32)
    first = np.searchsorted(spaces, starts)
    ok = first < spaces.shape[0]
    starts, ends, first = starts[ok], ends[ok], first[ok]
    word_end = spaces[first]
    ok = word_end < ends
    starts, ends, word_end = starts[ok], ends[ok], word_end[ok]
    length = word_end - starts
    keep = (length >= WORD_MIN) & (length <= WORD_MAX)
    if min_freq > 1:
        freq = _frequencies(cp, word_end, ends)
        keep &= freq >= min_freq
    if tag:
        keep &= _has_tag(cp, word_end, ends, tag)
    starts, length = starts[keep], length[keep]
    ids = np.zeros(starts.shape[0], dtype=np.int64)
    cjk = np.ones(starts.shape[0], dtype=bool)
    for k in range(WORD_MAX):
        live = length > k
        chars = np.where(live, cp[np.minimum(starts + k, cp.shape[0] - 1)], 0)
        cjk &= ~live | ((chars >= 0x3400) & (chars <= 0x9FFF)) | ((chars >= 0xF900) & (chars <= 0xFAFF))
        ids = np.where(live, (ids << _BITS) | chars, ids)
    return np.unique(ids[cjk])


def _frequencies(
    cp: npt.NDArray[np.int64], word_end: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """The frequency field after each word: the digits from word_end + 1 to the next space."""
    freq = np.zeros(word_end.shape[0], dtype=np.int64)
    pos = word_end + 1
    live = pos < ends
    for _ in range(12):
        chars = cp[np.minimum(pos, cp.shape[0] - 1)]
        digit = live & (chars >= 48) & (chars <= 57)
        freq = np.where(digit, freq * 10 + (chars - 48), freq)
        live = digit
        pos = pos + 1
    return freq


def _has_tag(
    cp: npt.NDArray[np.int64], word_end: npt.NDArray[np.int64], ends: npt.NDArray[np.int64], tag: str
) -> npt.NDArray[np.bool_]:
    """Whether the line's last field (after the second space) is ``tag``."""
    start = ends - len(tag)
    ok = (start > word_end) & (cp[np.maximum(start - 1, 0)] == 32)
    for k, ch in enumerate(tag):
        ok &= cp[np.minimum(start + k, cp.shape[0] - 1)] == ord(ch)
    return np.asarray(ok, dtype=bool)


@lru_cache(maxsize=1)
def general_idf() -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], float] | None:
    """jieba's inverse document frequencies of words in a general corpus (``analyse/idf.txt``):
    sorted ids of its 2-3 character CJK words, their IDF, and the median IDF (what a word it
    does not know gets). None without jieba. Parsed once, then cached like the dictionary."""
    path = dictionary_path()
    if path is None:
        return None
    source = path.parent / "analyse" / "idf.txt"
    if not source.is_file():
        return None
    try:
        cache = _cache_file(source, 1, "idf")
    except OSError:
        return None
    found = None
    if cache is not None:
        try:
            with np.load(cache.with_suffix(".npz"), allow_pickle=False) as data:
                ids, idf = np.asarray(data["ids"], np.int64), np.asarray(data["idf"], np.float64)
            if ids.ndim == 1 and ids.shape == idf.shape and bool(np.all(ids[1:] > ids[:-1])):
                found = (ids, idf)
        except NPZ_READ_ERRORS:
            found = None
    if found is None:
        found = _parse_idf(source)
        if found is None:
            return None
        if cache is not None:
            _save_idf(cache.with_suffix(".npz"), *found)
    ids, idf = found
    return ids, idf, float(np.median(idf)) if idf.shape[0] else 0.0


def _parse_idf(source: Path) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]] | None:
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    table: dict[int, float] = {}
    for line in lines:
        word, _, value = line.partition(" ")
        if WORD_MIN <= len(word) <= WORD_MAX and all("\u3400" <= c <= "\u9fff" for c in word):
            try:
                number = float(value)
            except ValueError:
                continue
            packed = 0
            for ch in word:
                packed = (packed << _BITS) | ord(ch)
            table[packed] = number
    ids = np.array(sorted(table), dtype=np.int64)
    return ids, np.array([table[int(i)] for i in ids], dtype=np.float64)


def _save_idf(cache: Path, ids: npt.NDArray[np.int64], idf: npt.NDArray[np.float64]) -> None:
    save_cache(cache, lambda fh: np.savez(fh, ids=ids, idf=idf))


def is_word(ids: npt.NDArray[np.int64], words: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Which of ``ids`` the dictionary ``words`` holds."""
    if words.shape[0] == 0 or ids.shape[0] == 0:
        return np.zeros(ids.shape[0], dtype=bool)
    pos = np.minimum(np.searchsorted(words, ids), words.shape[0] - 1)
    return np.asarray(words[pos] == ids, dtype=bool)
