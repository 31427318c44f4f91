"""Topic analysis: is a page about what its site is about?

A site's *profile* is what the site says about itself: its name, navigation labels, meta
keywords and descriptions, an optional profile the user wrote (``--site-profile``), and the
own text of its pages (titles and main text; copied text removed, reposts left out). Each
page is compared with the profile of its site *without that page* (leave-one-out) by the
cosine similarity of TF-IDF vectors (terms: see topic_terms.py); below the threshold it is
off-topic.

With a :class:`TopicReference` whose texts carry categories (the corpus's sources), term
weights are IDF times how concentrated the term is in one category, and a page copied from a
source of category C is compared together with C's centroid: a property-news repost on a
developer's site shares 房地产 and 楼盘 with the category even where the article's own words
(a district, a price) are not in the profile. Without categories the weights are plain IDF.

The profile vector is the sum of the unit vectors of its documents (the site's metadata, the
user profile and each own page, with weights); leaving a page out subtracts its own vector,
so a site of 1,000 pages is judged without refitting anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

from detector.analysis.topic_settings import TopicSettings
from detector.analysis.topic_terms import (
    F64,
    TopicReference,
    analyzer,
    pick_terms,
    top_indices,
)
from detector.analysis.topic_terms import fit_reference as _fit_reference
from detector.model import Topic

__all__ = ["SiteInfo", "SitePage", "TopicReference", "TopicSettings", "fit_reference", "judge_site"]


@dataclass(frozen=True)
class SitePage:
    """What the pipeline hands over per page of a site."""

    uri: str
    title: str | None
    main_text: str  # main text with copied passages removed (text found in the corpus)
    full_main_text: str  # the whole main text: what is judged
    is_repost: bool  # the page copies a source; it is then no part of the profile


@dataclass(frozen=True)
class SiteInfo:
    site: str
    site_name: str | None = None
    nav_labels: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    descriptions: tuple[str, ...] = ()
    user_profile: str | None = None  # --site-profile: always suffices, even one line


def fit_reference(
    texts: Sequence[str], settings: TopicSettings, categories: Sequence[str | None] | None = None
) -> TopicReference:
    """Reference statistics for a run: ``texts`` are the run's page texts and (better) a sample of
    the corpus's sources; ``categories[i]`` is the category of ``texts[i]`` (None for pages)."""
    return _fit_reference(
        texts,
        categories,
        ngram_min=settings.cjk_ngram_min,
        ngram_max=settings.cjk_ngram_max,
        smoothing=settings.category_smoothing,
        power=settings.category_power,
        centroid_terms=settings.centroid_terms,
    )


def _chars(text: str) -> int:
    return sum(1 for c in text if c.isalnum())


def _join(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


def _row_dots(a: sparse.csr_matrix, b: sparse.csr_matrix) -> F64:
    return np.asarray(a.multiply(b).sum(axis=1), dtype=np.float64).ravel()


def judge_site(
    info: SiteInfo,
    pages: Sequence[SitePage],
    settings: TopicSettings,
    source_categories: Mapping[str, str | None],
    reference: TopicReference | None = None,
) -> dict[str, Topic]:
    """For every page uri: a Topic with similarity, threshold and terms, or verdict 'unknown' with a reason.

    ``source_categories`` maps a page uri to the category of the source it copies (absent or
    None when unknown). ``reference``: see :func:`fit_reference`; without it IDF comes from the
    site's own texts alone. A page is never part of its own site's profile (leave-one-out),
    and neither is copied text nor any text of a repost.
    """
    if not pages:
        return {}
    n = len(pages)
    user_text = (info.user_profile or "").strip()
    judged = [_join(p.title, p.full_main_text) for p in pages]
    own = ["" if p.is_repost else _join(p.title, p.main_text) for p in pages]
    docs = [
        _join(info.site_name, *info.nav_labels, *info.keywords, *info.descriptions),
        user_text,
        *judged,
        *own,
    ]

    vec = CountVectorizer(analyzer=analyzer(settings.cjk_ngram_min, settings.cjk_ngram_max))
    try:
        counts = sparse.csr_matrix(vec.fit_transform(docs), dtype=np.float64)
        terms = [str(t) for t in vec.get_feature_names_out()]
    except ValueError:  # not a single term anywhere
        counts, terms = sparse.csr_matrix((len(docs), 0), dtype=np.float64), []
    labelled = reference is not None and reference.labelled
    weights = _idf(counts[: 2 + n], terms, reference)
    if reference is not None and labelled:
        floor = settings.concentration_floor
        conc = np.array([reference.concentration.get(t, 0.0) for t in terms], dtype=np.float64)
        weights = weights * (floor + (1.0 - floor) * conc)
    counts.data = 1.0 + np.log(counts.data)  # sublinear tf
    weighted = counts @ sparse.diags(weights) if terms else counts
    vectors = sparse.csr_matrix(normalize(weighted) if terms else weighted)
    page_vecs, own_vecs = vectors[2 : 2 + n], vectors[2 + n :]
    profile = settings.meta_weight * vectors[0].toarray().ravel()
    profile += settings.user_profile_weight * vectors[1].toarray().ravel()
    profile += np.asarray(own_vecs.sum(axis=0)).ravel()

    # Cosine of each page with (profile - its own vector), all pages at once.
    own_dot_page = _row_dots(own_vecs, page_vecs)
    dot = page_vecs @ profile - own_dot_page
    p_dot_own = own_vecs @ profile
    prof_norm2 = np.maximum(float(profile @ profile) - 2.0 * p_dot_own + _row_dots(own_vecs, own_vecs), 0.0)
    page_norm2 = _row_dots(page_vecs, page_vecs)

    # A repost of a known category is compared as (page + w * centroid of its category).
    if reference is not None and labelled and settings.category_weight > 0:
        index = {t: i for i, t in enumerate(terms)}
        lam = settings.category_weight
        for i, page in enumerate(pages):
            centroid = reference.centroids.get(source_categories.get(page.uri) or "")
            if centroid is None:
                continue
            cent = np.zeros(len(terms))
            for t, v in centroid.items():
                j = index.get(t)
                if j is not None:
                    cent[j] = v
            page_cent = float((page_vecs[i] @ cent)[0])
            dot[i] += lam * (float(profile @ cent) - float((own_vecs[i] @ cent)[0]))
            page_norm2[i] += 2.0 * lam * page_cent + lam * lam  # the centroid has unit length

    if reference is None or not reference.n_docs:
        threshold = settings.threshold_site_only
    else:
        threshold = settings.threshold if labelled else settings.threshold_unlabelled
    meta_chars = _chars(_join(info.site_name, *info.keywords, *info.descriptions))
    own_chars = [0 if p.is_repost else _chars(_join(p.title, p.main_text)) for p in pages]
    total_chars = meta_chars + sum(own_chars)
    site_terms = _SiteTerms(profile, terms, settings.top_terms)

    result: dict[str, Topic] = {}
    for i, page in enumerate(pages):
        category = source_categories.get(page.uri)
        profile_chars = total_chars - own_chars[i]
        page_chars = _chars(judged[i])
        reason = None
        if not user_text and profile_chars < settings.min_profile_chars:
            reason = (
                f"the site has too little text of its own for a profile ({profile_chars} letters without "
                f"this page, {settings.min_profile_chars} needed); give a site profile"
            )
        elif page_chars < settings.min_page_chars:
            reason = (
                f"the page has too little text to judge ({page_chars} letters, "
                f"{settings.min_page_chars} needed)"
            )
        if reason is not None:
            result[page.uri] = Topic(
                threshold=threshold, source_category=category, verdict="unknown", reason=reason
            )
            continue
        norm = float(np.sqrt(prof_norm2[i] * page_norm2[i]))
        similarity = min(max(float(dot[i]) / norm, 0.0), 1.0) if norm > 0 else 0.0
        row = page_vecs[i]
        page_values = np.zeros(len(terms))
        page_values[row.indices] = row.data
        own_row = own_vecs[i]
        result[page.uri] = Topic(
            similarity=similarity,
            threshold=threshold,
            site_terms=site_terms.without(own_row.indices, own_row.data),
            page_terms=pick_terms(page_values, row.indices, terms, settings.top_terms),
            source_category=category,
            verdict="off-topic" if similarity < threshold else "on-topic",
        )
    return result


def _idf(counts: sparse.csr_matrix, terms: list[str], reference: TopicReference | None) -> F64:
    """Smoothed IDF (as scikit-learn's) over the texts at hand plus the reference's."""
    df = np.asarray((counts > 0).sum(axis=0), dtype=np.float64).ravel()
    n_docs = float(np.count_nonzero(counts.getnnz(axis=1)))
    if reference is not None and reference.n_docs:
        get = reference.doc_freq.get
        df = df + np.array([get(t, 0) for t in terms], dtype=np.float64)
        n_docs += reference.n_docs
    out: F64 = np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
    return out


class _SiteTerms:
    """Top terms of ``profile - own vector`` for every page, without ranking the whole profile
    each time: subtracting only lowers values, so unless a page removed most of the profile's
    best candidates, the answer lies among them (checked; else the whole profile is ranked)."""

    def __init__(self, profile: F64, terms: list[str], k: int) -> None:
        self.profile, self.terms, self.k = profile, terms, k
        self.cand = top_indices(profile, max(64, 16 * k))
        rest = np.delete(profile, self.cand)
        self.bound = float(rest.max()) if rest.size else 0.0
        self.position = {terms[i]: int(i) for i in self.cand}
        self.shared = pick_terms(profile, self.cand, terms, k)

    def without(self, own_idx: np.ndarray, own_val: F64) -> tuple[str, ...]:
        if own_idx.size == 0 or self.k == 0:
            return self.shared
        values = self.profile.copy()
        values[own_idx] -= own_val
        picked = pick_terms(values, self.cand, self.terms, self.k)
        lowest = min((values[self.position[t]] for t in picked), default=0.0)
        if len(picked) == self.k and lowest > self.bound:
            return picked
        return pick_terms(values, range(values.shape[0]), self.terms, self.k)
