"""Terms for the topic analysis: integer term ids, the labelled topic model, readable terms.

One analyzer serves mixed text, vectorised with numpy (no per-n-gram Python strings): after
NFKC and case folding, every CJK character n-gram (n from ``ngram_min`` to ``ngram_max``) of a
run of CJK characters is packed into one int64 (21 bits per code point, so the id is exact and
decodes back to the n-gram), and every Latin word gets a negative id from a hash of it.
Chinese function characters (的, 了, 是, 在 ...) and the formula words of Chinese business
scopes (经营, 销售, 生产, 技术, 咨询, 服务 ...: they say how a company trades, not what it is
about, and every company's scope is full of them) end a CJK run, so that n-grams such as
"的产品" or "技术开发" do not make every company site look alike.

A :class:`TopicModel` is fitted on texts with categories (a sample of the index's sources):
per term, in how many texts it occurs (IDF), the distribution of the categories of those texts
(P(category | term), smoothed) and how concentrated it is in one category (1 - normalised
entropy, sharpened by a power): generic words such as 产品, 市场 get a weight near 0, words
such as 楼盘, 基金, 球员 near 1. A text's category distribution is the average of P(c | term)
over its terms, weighted by tf-idf times concentration.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from detector.analysis.topic_words import is_word
from detector.config import LIMITS

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

# CJK: kana, Han (extension A, compatibility ideographs, extensions B+), Hangul.
_CJK_RANGES = (
    (0x3040, 0x30FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xAC00, 0xD7AF),
    (0xF900, 0xFAFF),
    (0x20000, 0x323AF),
)
_CJK = "".join(f"{chr(a)}-{chr(b)}" for a, b in _CJK_RANGES)
# Chinese function characters: particles, pronouns, prepositions, conjunctions, common
# auxiliaries. They carry no topic. Our own list, written by hand.
_CJK_STOP = "的了着过是在和与及或而并且也都就把被将对于从向为以之其这那此该我你他她它们吗呢吧啊呀么等个"
# The formula words of Chinese business scopes (经营范围): activities and legal boilerplate
# that every company lists. Our own list, written by hand.
_FORMULA_TEXT = (
    "经营 销售 生产 加工 制造 制作 开发 研发 研究 设计 技术 咨询 服务 管理 推广 转让 批发 零售 "
    "代理 经销 购销 进出口 货物 项目 产品 业务 相关 企业 公司 有限 一般 许可 依法 批准 部门 开展 "
    "活动 国内 贸易 商品 安装 维修 维护 承接 提供 从事 范围 信息 策划 除外 涉及 "
)
FORMULA_WORDS = tuple(_FORMULA_TEXT.split())
_FORMULA = re.compile("|".join(sorted(FORMULA_WORDS, key=len, reverse=True)))
_LATIN = re.compile(r"[a-z0-9]+(?:[-.'][a-z0-9]+)*")
# Words that carry no topic in English (scikit-learn's list would import scikit-learn; a short
# list of our own suffices for topic terms).
_EN_STOP_TEXT = (
    "a about above after again against all also am an and any are as at be because been before being "
    "below between both but by can could did do does doing down during each few for from further had "
    "has have having he her here hers herself him himself his how i if in into is it its itself just "
    "me more most my myself no nor not now of off on once only or other our ours ourselves out over "
    "own same she should so some such than that the their theirs them themselves then there these "
    "they this those through to too under until up very was we were what when where which while who "
    "whom why will with would you your yours yourself yourselves said says one two new year years "
)
_EN_STOP = frozenset(_EN_STOP_TEXT.split())

_BITS = 21
_MASK = (1 << _BITS) - 1
_OK = np.zeros(0x110000, dtype=bool)
for _a, _b in _CJK_RANGES:
    _OK[_a : _b + 1] = True
for _c in _CJK_STOP:
    _OK[ord(_c)] = False


def normalise(text: str) -> str:
    """NFKC, case folding, and business-scope formula words blanked out."""
    return _FORMULA.sub(" ", unicodedata.normalize("NFKC", text).casefold())


def latin_id(word: str) -> int:
    """A negative id for a Latin word (stable across processes, unlike hash())."""
    digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
    return -1 - (int.from_bytes(digest, "little") & ((1 << 62) - 1))


def _latin_words(text: str) -> list[str]:
    return [w for w in _LATIN.findall(text) if len(w) > 1 and not w.isdigit() and w not in _EN_STOP]


def term_ids(
    text: str,
    ngram_min: int = 1,
    ngram_max: int = 3,
    latin: dict[int, str] | None = None,
    words: I64 | None = None,
    places: I64 | None = None,
) -> I64:
    """The term ids of ``text`` (with repeats): CJK n-grams and Latin words. ``latin``, when
    given, collects id -> word for the Latin words seen (for display). With ``words`` (sorted
    ids of a dictionary's words, topic_words.py), only the n-grams it holds are terms; no n-gram
    overlapping a word of ``places`` (place names, numerals) is a term."""
    return normalised_term_ids(normalise(text), ngram_min, ngram_max, latin, words, places)


def normalised_term_ids(
    norm: str,
    ngram_min: int = 1,
    ngram_max: int = 3,
    latin: dict[int, str] | None = None,
    words: I64 | None = None,
    places: I64 | None = None,
) -> I64:
    """:func:`term_ids` of a text already through ``normalise`` (a site's texts are normalised
    once for their terms and their display: NFKC was a tenth of judging a site)."""
    cp = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    ok = _OK[cp]
    grams = {n: _ngram_ids(cp, n) for n in range(min(ngram_min, 2), ngram_max + 1) if cp.shape[0] >= n}
    if places is not None and words is not None:
        # Over dictionary words, the characters of a place name or numeral (杭州市, 三百) are no
        # part of any term: dropping the word alone left its fragments (州市 of 杭州市 matched
        # the 德州市 of an address). Over n-grams (a labelled model), only the n-grams that are
        # such words go (below): the n-grams around them are evidence (宁队 of 辽宁队), and
        # masking measured worse there (family 1 seed 1 F1 0.947 against 0.953, family 2 0.927
        # against 0.931).
        ok &= ~_inside(ok, grams, places)
    bad = _prefix_count(~ok)
    parts: list[I64] = []
    for n, ids in grams.items():
        if n < ngram_min:
            continue
        kept = ids[_window(bad, n) == 0]
        if words is not None:
            kept = kept[is_word(kept, words)]
        elif places is not None and n >= 2:
            kept = kept[~is_word(kept, places)]
        parts.append(kept)
    found = _latin_words(norm)
    if found:
        wids = [latin_id(w) for w in found]
        if latin is not None:
            latin.update(zip(wids, found, strict=True))
        parts.append(np.array(wids, dtype=np.int64))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _ngram_ids(cp: I64, n: int) -> I64:
    """The packed id of the n characters starting at each position (n <= length)."""
    m = cp.shape[0] - n + 1
    ids = cp[:m].copy()
    for k in range(1, n):
        ids = (ids << _BITS) | cp[k : k + m]
    return ids


def _prefix_count(flags: npt.NDArray[np.bool_]) -> I64:
    return np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(flags)])


def _window(prefix: I64, n: int) -> I64:
    """How many flagged characters each n-character window holds (``prefix`` of the flags)."""
    m = prefix.shape[0] - n
    return prefix[n : n + m] - prefix[:m]


def _inside(ok: npt.NDArray[np.bool_], grams: Mapping[int, I64], words: I64) -> npt.NDArray[np.bool_]:
    """Which characters lie inside one of ``words`` (an n-gram of 2 or more valid characters)."""
    bad = _prefix_count(~ok)
    covered = np.zeros(ok.shape[0] + 1, dtype=np.int64)
    for n, ids in grams.items():
        if n >= 2:
            at = np.flatnonzero((_window(bad, n) == 0) & is_word(ids, words))
            np.add.at(covered, at, 1)
            np.add.at(covered, at + n, -1)
    return np.asarray(np.cumsum(covered)[: ok.shape[0]] > 0, dtype=bool)


def decode(term: int, latin: Mapping[int, str] | None = None) -> str:
    """The text of a term id ("" for a Latin id that ``latin`` does not know)."""
    if term < 0:
        return (latin or {}).get(term, "")
    if 0 < term < 1 << (3 * _BITS):
        # Up to three characters (every term the analyzer makes), without the loop.
        a, b, c = term >> (2 * _BITS), (term >> _BITS) & _MASK, term & _MASK
        return (chr(a) if a else "") + (chr(b) if a or b else "") + chr(c)
    chars = []
    while term:
        chars.append(chr(term & _MASK))
        term >>= _BITS
    return "".join(reversed(chars))


def ngram_length(terms: I64) -> npt.NDArray[np.int64]:
    """Characters per CJK id (1, 2, 3 ...); 0 for Latin ids."""
    out = np.zeros(terms.shape[0], dtype=np.int64)
    rest = terms.copy()
    live = rest > 0
    while live.any():
        out[live] += 1
        rest[live] >>= _BITS
        live = rest > 0
    return out


def analyze(text: str, ngram_min: int = 1, ngram_max: int = 3) -> list[str]:
    """The terms of ``text`` as strings (for tests and for reading)."""
    latin: dict[int, str] = {}
    return [decode(int(t), latin) for t in term_ids(text, ngram_min, ngram_max, latin)]


@dataclass(frozen=True)
class TopicModel:
    """Term statistics of a sample of labelled texts (see the module's docstring).

    ``terms`` are sorted ids; ``doc_freq[i]`` counts the texts holding ``terms[i]`` (terms seen
    in one text only are dropped); ``prob[i, c]`` is P(categories[c] | terms[i]);
    ``concentration[i]`` in [0, 1]; ``category_docs[c]`` counts the texts of each category.
    A model of fewer than two categories is unlabelled: it gives IDF only.
    """

    n_docs: int
    categories: tuple[str, ...] = ()
    terms: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    doc_freq: F64 = field(default_factory=lambda: np.zeros(0))
    prob: F64 = field(default_factory=lambda: np.zeros((0, 0)))
    concentration: F64 = field(default_factory=lambda: np.zeros(0))
    category_docs: F64 = field(default_factory=lambda: np.zeros(0))  # texts per category

    @property
    def labelled(self) -> bool:
        return len(self.categories) >= 2

    def lookup(self, ids: I64) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
        """Row of each id in the model and whether it is there."""
        if self.terms.shape[0] == 0:
            return np.zeros(ids.shape[0], dtype=np.intp), np.zeros(ids.shape[0], dtype=bool)
        pos = np.minimum(np.searchsorted(self.terms, ids), self.terms.shape[0] - 1)
        return pos.astype(np.intp), self.terms[pos] == ids


def fit_model(
    texts: Sequence[str],
    categories: Sequence[str | None],
    *,
    ngram_min: int,
    ngram_max: int,
    smoothing: float,
    power: float,
    words: I64 | None = None,
    places: I64 | None = None,
) -> TopicModel:
    """Term statistics of ``texts``; ``categories[i]`` is the category of ``texts[i]`` or None."""
    if len(categories) != len(texts):
        raise ValueError("fit_model: one category (or None) per text")
    labels = sorted({c for c in categories if c})
    index = {c: i for i, c in enumerate(labels)}
    n_cat = max(1, len(labels))
    uniq: list[I64] = []
    cats: list[npt.NDArray[np.int64]] = []
    n_docs = 0
    for text, cat in zip(texts, categories, strict=True):
        ids = np.unique(term_ids(text, ngram_min, ngram_max, words=words, places=places))
        if ids.shape[0] == 0:
            continue
        n_docs += 1
        uniq.append(ids)
        cats.append(np.full(ids.shape[0], index.get(cat or "", -1), dtype=np.int64))
    if not uniq:
        return TopicModel(n_docs)
    all_ids, all_cats = np.concatenate(uniq), np.concatenate(cats)
    terms, inverse = np.unique(all_ids, return_inverse=True)
    doc_freq = np.bincount(inverse, minlength=terms.shape[0]).astype(np.float64)
    keep = doc_freq >= 2
    if len(labels) < 2:
        return TopicModel(n_docs, (), terms[keep], doc_freq[keep])
    labelled = all_cats >= 0
    counts = np.bincount(
        inverse[labelled] * n_cat + all_cats[labelled], minlength=terms.shape[0] * n_cat
    ).reshape(terms.shape[0], n_cat)[keep]
    per_cat = np.bincount([int(c[0]) for c in cats if c[0] >= 0], minlength=n_cat).astype(np.float64)
    # P(category | term) from the rate of texts holding the term in each category, smoothed so
    # that a term seen in a handful of texts is not taken for a category's own word.
    rate = (counts + smoothing) / (per_cat + 2.0 * smoothing)
    prob = rate / rate.sum(axis=1, keepdims=True)
    entropy = -(prob * np.log(prob)).sum(axis=1) / np.log(n_cat)
    conc = np.clip(1.0 - entropy, 0.0, 1.0) ** power
    return TopicModel(n_docs, tuple(labels), terms[keep], doc_freq[keep], prob, conc, per_cat)


def top_indices(values: F64, k: int) -> npt.NDArray[np.intp]:
    """Indices of the ``k`` largest values, by value then index (deterministic)."""
    cand = np.arange(values.shape[0]) if values.shape[0] <= k else np.argpartition(-values, k - 1)[:k]
    return cand[np.lexsort((cand, -values[cand]))].astype(np.intp)


# --- readable terms ---------------------------------------------------------------------------



# Numerals and counters: 十一, 三种, 四栋 say nothing about a topic.
_COUNTING = frozenset("〇零一二三四五六七八九十百千万亿两几余多每数第半整种个次届年月日号位名家条项份批层栋")


def is_readable(term: str) -> bool:
    """A term worth showing a person: a CJK word of 2-4 characters (not only numerals and
    counters) or a whole Latin word."""
    return len(term) >= 2 and not term.isdigit() and not set(term) <= _COUNTING


def _overlaps(term: str, chosen: Sequence[str]) -> bool:
    """``term`` is a fragment of the same word as a chosen term (contains, is contained, or
    continues it), so that 阿里巴巴 shows once and not also as 里巴 and 巴巴."""
    for c in chosen:
        if term in c or c in term:
            return True
        k = min(len(term), len(c)) - 1
        if k > 0 and (term[:k] == c[-k:] or c[:k] == term[-k:]):
            return True
    return False


def _is_word_char(ch: str) -> bool:
    return bool(_OK[ord(ch)])


class TermText:
    """A normalised text that terms are completed and counted in; with ``skip``, a span of it
    (the judged page's own text) is left out, as the profile leaves the page out."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: dict[str, npt.NDArray[np.int64]] = {}

    def starts(self, term: str, skip: tuple[int, int] = (0, 0)) -> npt.NDArray[np.int64]:
        found = self._starts.get(term)
        if found is None:
            positions, at = [], self.text.find(term)
            while at >= 0:
                positions.append(at)
                at = self.text.find(term, at + 1)
            found = np.array(positions, dtype=np.int64)
            self._starts[term] = found
        lo, hi = skip
        return found[(found < lo) | (found >= hi)] if hi > lo else found

    def occurs_twice(self, term: str, skip: tuple[int, int] = (0, 0)) -> bool:
        """Whether ``starts(term, skip)`` holds two positions or more, found without listing them
        all (most terms of a page occur once: the list made per term cost a third of judging)."""
        found = self._starts.get(term)
        if found is not None:
            return bool(self.starts(term, skip).shape[0] >= 2)
        lo, hi = skip
        seen, at = 0, self.text.find(term)
        while at >= 0:
            if hi <= lo or at < lo or at >= hi:
                seen += 1
                if seen == 2:
                    return True
            at = self.text.find(term, at + 1)
        return False

    def complete(self, term: str, skip: tuple[int, int] = (0, 0)) -> str:
        """``term`` grown to the word it is a fragment of: while every occurrence (two at
        least) has the same CJK character on one side, take it in (八罗 in 十八罗汉 x3 becomes
        十八罗汉), up to four characters; "" when it is a piece of a longer repeated phrase (a
        fair's full name), where no word can be told."""
        if not term or not _is_word_char(term[0]):
            return term
        starts = self.starts(term, skip)
        if starts.shape[0] < 2:
            return term
        # Plain Python over the (few) occurrences: numpy's per-call cost dominated here.
        text, size = self.text, len(self.text)
        positions: list[int] = starts.tolist()
        first_at, last_at = positions[0], positions[-1]  # ascending
        begin, end = 0, len(term)  # offsets relative to each occurrence
        while end - begin <= LIMITS.topic_word_max_chars:
            grown = False
            for side in (-1, 1):
                offset = begin - 1 if side < 0 else end
                if first_at + offset < 0 or last_at + offset >= size:
                    continue
                ch = text[first_at + offset]
                if _OK[ord(ch)] and all(text[p + offset] == ch for p in positions):
                    begin, end = (begin - 1, end) if side < 0 else (begin, end + 1)
                    grown = True
            if not grown:
                break
        if end - begin > LIMITS.topic_word_max_chars:
            return ""
        first = int(starts[0])
        return self.text[first + begin : first + end]


def complete_word(term: str, text: str) -> str:
    """See :meth:`TermText.complete`."""
    return TermText(text).complete(term)


def pick_terms(
    values: F64,
    candidates: Iterable[int],
    name: Callable[[int], str],
    k: int,
    text: TermText | None = None,
    skip: tuple[int, int] = (0, 0),
) -> tuple[tuple[str, ...], float]:
    """Up to ``k`` readable terms with the highest positive ``values`` (ties by index), no two
    fragments of one word, and the lowest value taken; ``name(i)`` is the text of candidate
    ``i``. With ``text`` (less its ``skip`` span), each term is completed to the word it is a
    fragment of there (see :meth:`TermText.complete`), and terms that occur there twice or more come first: a
    bigram seen once (国国 of 中国国际) is as likely a seam between two words as a word."""
    cand = (
        candidates.astype(np.intp)
        if isinstance(candidates, np.ndarray)
        else np.fromiter(candidates, dtype=np.intp)
    )
    cand = cand[values[cand] > 0]
    order = cand[np.lexsort((cand, -values[cand]))]
    chosen: list[tuple[str, float]] = []
    chosen_terms: list[str] = []
    once: list[tuple[str, float]] = []
    for idx in order.tolist():
        term = name(idx)
        if (
            text is not None
            and len(once) >= k
            and term
            and _is_word_char(term[0])
            and not text.occurs_twice(term, skip)
        ):
            # Seen once: completing keeps it as it is, and it could only join ``once``, which is
            # full. Most of a page's terms are such (a lone page's judging spent 8 ms here).
            continue
        if text is not None:
            term = text.complete(term, skip)
        if not is_readable(term) or _overlaps(term, chosen_terms):
            continue
        if text is not None and _is_word_char(term[0]) and text.starts(term, skip).shape[0] < 2:
            if len(once) < k:
                once.append((term, float(values[idx])))
            continue
        chosen.append((term, float(values[idx])))
        chosen_terms.append(term)
        if len(chosen) == k:
            break
    for term, value in once:
        if len(chosen) == k:
            break
        if not _overlaps(term, chosen_terms):
            chosen.append((term, value))
            chosen_terms.append(term)
    picked = sorted(chosen, key=lambda tv: -tv[1])
    return tuple(t for t, _ in picked), min((v for _, v in picked), default=0.0)
