"""Terms for the topic analysis: the analyzer, the run's reference statistics, readable top terms.

One analyzer serves mixed text: character n-grams of CJK runs and whole Latin words, after
NFKC and case folding. Chinese function characters (的, 了, 是, 在 ...) end a CJK run, so that
n-grams such as "的产品" do not make every Chinese text look alike.

A :class:`TopicReference` is fitted once per run on texts at hand (the run's pages and a sample
of the corpus's sources). It gives document frequencies for IDF and, when some reference texts
carry a category, two things learned from them: how concentrated each term is in one category
(generic words such as 产品, 企业, 市场 get a weight near 0, words such as 楼盘, 基金, 球员
near 1), and the centroid of each category, so that a page copied from a source of a known
category can be judged by its category as well as by its own words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer
from sklearn.preprocessing import normalize

F64 = npt.NDArray[np.float64]

# CJK: kana, Han (extension A, compatibility ideographs, extensions B+), Hangul.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U000323af"
# Chinese function characters: particles, pronouns, prepositions, conjunctions, common
# auxiliaries. They carry no topic. Our own list, written by hand.
_CJK_STOP = "的了着过是在和与及或而并且也都就把被将对于从向为以之其这那此该我你他她它们吗呢吧啊呀么等个"
_TERM = re.compile(rf"[{_CJK}]+|[a-z0-9]+(?:[-.'][a-z0-9]+)*")
_CJK_RUN_SPLIT = re.compile(f"[{_CJK_STOP}]+")
_IS_CJK = re.compile(f"[{_CJK}]")


def analyze(text: str, ngram_min: int = 1, ngram_max: int = 3) -> list[str]:
    """The terms of ``text``: CJK character n-grams and Latin words (no stop words, no numbers)."""
    out: list[str] = []
    for m in _TERM.finditer(unicodedata.normalize("NFKC", text).casefold()):
        token = m.group()
        if not _IS_CJK.match(token):
            if len(token) > 1 and not token.isdigit() and token not in ENGLISH_STOP_WORDS:
                out.append(token)
            continue
        for run in _CJK_RUN_SPLIT.split(token):
            for n in range(ngram_min, min(ngram_max, len(run)) + 1):
                out.extend([run[i : i + n] for i in range(len(run) - n + 1)])
    return out


def analyzer(ngram_min: int, ngram_max: int) -> partial[list[str]]:
    return partial(analyze, ngram_min=ngram_min, ngram_max=ngram_max)


@dataclass(frozen=True)
class TopicReference:
    """Statistics of reference texts (a run's pages, a sample of sources), fitted once per run.

    ``doc_freq``: in how many reference texts each term occurs (terms seen once are dropped).
    ``concentration``: per term, how much its occurrences concentrate in one category of the
    labelled reference texts, in [0, 1]; empty when fewer than two categories were given.
    ``centroids``: per category, the unit-length mean of its texts' weighted vectors (top terms).
    """

    n_docs: int
    doc_freq: Mapping[str, int] = field(default_factory=dict)
    concentration: Mapping[str, float] = field(default_factory=dict)
    centroids: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    @property
    def labelled(self) -> bool:
        return bool(self.concentration)


def fit_reference(
    texts: Sequence[str],
    categories: Sequence[str | None] | None,
    *,
    ngram_min: int,
    ngram_max: int,
    smoothing: float,
    power: float,
    centroid_terms: int,
) -> TopicReference:
    """Reference statistics of ``texts``; ``categories[i]`` is the category of ``texts[i]`` or None."""
    cats = list(categories) if categories is not None else [None] * len(texts)
    if len(cats) != len(texts):
        raise ValueError("fit_reference: one category (or None) per text")
    keep = [i for i, t in enumerate(texts) if t.strip()]
    docs, cats = [texts[i] for i in keep], [cats[i] for i in keep]
    vec = CountVectorizer(analyzer=analyzer(ngram_min, ngram_max))
    try:
        counts = sparse.csr_matrix(vec.fit_transform(docs), dtype=np.float64)
    except ValueError:  # no text, or not a single term
        return TopicReference(len(docs))
    terms = [str(t) for t in vec.get_feature_names_out()]
    df = np.asarray((counts > 0).sum(axis=0)).ravel()
    doc_freq = {t: int(d) for t, d in zip(terms, df, strict=True) if d >= 2}
    labels = sorted({c for c in cats if c is not None})
    if len(labels) < 2:
        return TopicReference(len(docs), doc_freq)

    rows = {c: np.array([i for i, x in enumerate(cats) if x == c]) for c in labels}
    present = (counts > 0).astype(np.float64).tocsr()
    # P(category | term) from the rate of texts holding the term in each category, smoothed so
    # that a term seen in a handful of texts is not taken for a category's own word.
    rate = np.vstack(
        [(np.asarray(present[rows[c]].sum(axis=0)).ravel() + smoothing) / rows[c].size for c in labels]
    )
    share = rate / rate.sum(axis=0)
    entropy = -(share * np.log(share)).sum(axis=0) / np.log(len(labels))
    conc = np.clip(1.0 - entropy, 0.0, 1.0) ** power
    concentration = {t: float(w) for t, w in zip(terms, conc, strict=True) if w > 1e-9}

    idf = np.log((1.0 + len(docs)) / (1.0 + df)) + 1.0
    weighted = counts.copy()
    weighted.data = 1.0 + np.log(weighted.data)
    vectors = sparse.csr_matrix(normalize(weighted @ sparse.diags(idf * conc)))
    centroids: dict[str, dict[str, float]] = {}
    for c in labels:
        mean = np.asarray(vectors[rows[c]].mean(axis=0)).ravel()
        top = top_indices(mean, centroid_terms)
        norm = float(np.linalg.norm(mean[top]))
        if norm > 0:
            centroids[c] = {terms[i]: float(mean[i] / norm) for i in top if mean[i] > 0}
    return TopicReference(len(docs), doc_freq, concentration, centroids)


def top_indices(values: F64, k: int) -> npt.NDArray[np.intp]:
    """Indices of the ``k`` largest values, by value then index (deterministic)."""
    cand = np.arange(values.shape[0]) if values.shape[0] <= k else np.argpartition(-values, k - 1)[:k]
    return cand[np.lexsort((cand, -values[cand]))].astype(np.intp)


def is_readable(term: str) -> bool:
    """A term worth showing a person: a CJK word of 2-3 characters or a whole Latin word."""
    return len(term) >= 2 and not term.isdigit()


def _overlaps(term: str, chosen: Sequence[str]) -> bool:
    """``term`` is a fragment of the same word as a chosen term (contains, is contained, or
    continues it), so that 阿里巴巴 shows as 阿里 and not also as 里巴 and 巴巴."""
    for c in chosen:
        if term in c or c in term:
            return True
        k = min(len(term), len(c)) - 1
        if k > 0 and (term[:k] == c[-k:] or c[:k] == term[-k:]):
            return True
    return False


def pick_terms(values: F64, candidates: Iterable[int], terms: Sequence[str], k: int) -> tuple[str, ...]:
    """Up to ``k`` readable terms with the highest positive ``values`` (ties by term), no two
    fragments of one word. ``candidates`` are term indices; terms must be sorted (as
    CountVectorizer sorts them) so that index order is term order."""
    cand = np.fromiter(candidates, dtype=np.intp)
    cand = cand[values[cand] > 0]
    order = cand[np.lexsort((cand, -values[cand]))]
    chosen: list[str] = []
    for idx in order:
        term = terms[idx]
        if is_readable(term) and not _overlaps(term, chosen):
            chosen.append(term)
            if len(chosen) == k:
                break
    return tuple(chosen)
