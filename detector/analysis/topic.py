"""Topic analysis: is a page about what its site is about?

A site's *profile* is what the site says about itself: its name, navigation labels, meta
keywords and descriptions, an optional profile the user wrote (``--site-profile``), and the
own text of its pages (titles and main text; copied text removed, reposts left out). Each
page is compared with the profile of its site *without that page* (leave-one-out).

Two measures, both numpy over integer term ids (topic_terms.py), no model fitted per site:

- lexical: the cosine of TF-IDF vectors (sublinear tf; with a labelled model, IDF times how
  concentrated the term is in one category, so that generic words weigh little);
- categorical (labelled model only): the profile's distribution over the sources' categories
  (P(category | term) averaged over its terms) and the share of it on the page's category:
  the category of the copied source when the page is a repost, else the page's own most
  likely category. A camera review on a software firm's site shares few words with the
  firm's business scope, but the scope's 电子, 软件, 硬件 point to the same category.

The similarity is lex^(1-s) * cat^s (s = ``category_share``), or lex alone without a labelled
model; below the threshold the page is off-topic. The profile's vector and category evidence
are sums over its documents, so leaving a page out subtracts its own share: a site of 1,000
pages is judged in one pass.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from detector.analysis.topic_name import names_business, trade_profile
from detector.analysis.topic_site_terms import SiteTerms
from detector.analysis.topic_terms import (
    I64,
    TermText,
    TopicModel,
    decode,
    fit_model,
    ngram_length,
    normalise,
    normalised_term_ids,
)
from detector.analysis.topic_verdicts import (
    PreparedSite,
    SiteInfo,
    SitePage,
    TermVector,
    letters,
    script_letters,
)
from detector.analysis.topic_words import dictionary_ids, general_idf, is_word, unwanted_ids
from detector.config import TopicSettings
from detector.model import Topic

__all__ = [
    "PreparedSite",
    "SiteInfo",
    "SitePage",
    "TopicModel",
    "TopicSettings",
    "fit",
    "judge_site",
    "prepare_site",
]


def fit(texts: Sequence[str], categories: Sequence[str | None], settings: TopicSettings) -> TopicModel:
    """The topic model of labelled reference texts (a sample of the index's sources)."""
    return fit_model(
        [t[: settings.reference_chars] for t in texts],
        categories,
        ngram_min=settings.cjk_ngram_min,
        ngram_max=settings.cjk_ngram_max,
        smoothing=settings.category_smoothing,
        power=settings.category_power,
        words=vocabulary(settings, _texts_per_category([c for c in categories if c])),
        places=unwanted_ids(settings.drop_places, settings.drop_numerals),
    )


def _texts_per_category(categories: Sequence[str]) -> float:
    """The median number of texts per category (0 with fewer than two categories)."""
    counts = Counter(categories)
    return float(np.median(list(counts.values()))) if len(counts) >= 2 else 0.0


def vocabulary(settings: TopicSettings, texts_per_category: float) -> I64 | None:
    """The dictionary words terms are restricted to (None: every n-gram is a term). Without a
    labelled model, or with one of a handful of texts per category (fewer than
    category_texts_half), the evidence is the site's few words against the page's, and
    fragments (东庆, 云鑫 of 山东庆云鑫恒兴) or single characters make any two texts look alike:
    words. With a labelled sample, the categories of n-grams measured better (the settings)."""
    if settings.dictionary_words or texts_per_category < settings.category_texts_half:
        return dictionary_ids(settings.dictionary_min_freq)
    return None


def _join(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


def judge_site(
    info: SiteInfo,
    pages: Sequence[SitePage],
    settings: TopicSettings,
    source_categories: Mapping[str, str | None],
    model: TopicModel | None = None,
) -> dict[str, Topic]:
    """For every page uri: a Topic with similarity, threshold and terms, or verdict 'unknown' with a reason.

    ``source_categories`` maps a page uri to the category of the source it copies (absent or
    None when unknown). ``model``: see :func:`fit`; without it IDF comes from the site's own
    texts alone. A page is never part of its own site's profile (leave-one-out), and neither
    is copied text nor any text of a repost.
    """
    return prepare_site(info, pages, settings, source_categories, model).verdicts()


def prepare_site(
    info: SiteInfo,
    pages: Sequence[SitePage],
    settings: TopicSettings,
    source_categories: Mapping[str, str | None],
    model: TopicModel | None = None,
) -> PreparedSite:
    """A site's profile and its pages' term vectors: everything :func:`judge_site` reads."""
    n = len(pages)
    # A company name that says its trade is a profile of its own, as a user's profile is.
    # A profile the user wrote says what the site is about and replaces its metadata (a site
    # named 资讯网 whose user says it makes machine-tool accessories is judged by the latter).
    user_profile = (info.user_profile or "").strip()
    user_text = user_profile or trade_profile(info.site_name, settings.min_trade_words)
    meta_text = (
        "" if user_profile else _join(info.site_name, *info.nav_labels, *info.keywords, *info.descriptions)
    )
    judged = [_join(p.title, p.full_main_text) for p in pages]
    own = ["" if p.is_repost else _join(p.title, p.main_text) for p in pages]
    texts = [meta_text, user_text, *judged, *own]

    latin: dict[int, str] = {}
    raw: list[tuple[I64, npt.NDArray[np.int64]]] = []
    per_category = float(np.median(model.category_docs)) if model is not None and model.labelled else 0.0
    words = vocabulary(settings, per_category)
    places = unwanted_ids(settings.drop_places, settings.drop_numerals)
    normalised: dict[str, str] = {}  # each distinct text normalised once (NFKC is slow on CJK)
    for text in texts:
        if text not in normalised:
            normalised[text] = normalise(text)
    for text in texts:
        ids, counts = np.unique(
            normalised_term_ids(
                normalised[text], settings.cjk_ngram_min, settings.cjk_ngram_max, latin, words, places
            ),
            return_counts=True,
        )
        raw.append((ids, counts))
    vocab = np.unique(np.concatenate([ids for ids, _ in raw])) if raw else np.zeros(0, dtype=np.int64)
    docs = [
        TermVector(np.searchsorted(vocab, ids).astype(np.intp), 1.0 + np.log(counts.astype(np.float64)))
        for ids, counts in raw
    ]

    # IDF over the judged texts (metadata, user profile, pages) and the model's texts.
    df = np.zeros(vocab.shape[0])
    for d in docs[: 2 + n]:
        df[d.idx] += 1.0
    n_docs = float(sum(1 for d in docs[: 2 + n] if d.idx.size))
    labelled = model is not None and model.labelled
    rows, hit = model.lookup(vocab) if model is not None else (np.zeros(0, np.intp), np.zeros(0, bool))
    if model is not None and model.n_docs:
        df[hit] += model.doc_freq[rows[hit]]
        n_docs += model.n_docs
    idf = np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
    general = general_idf() if words is not None and settings.general_idf else None
    if general is not None:
        # Words are weighed by a general corpus's document frequencies (jieba's), where a
        # handful of pages cannot tell 公司, 一起 from 卡盘, 防护罩; a word it lacks gets its median.
        ids, values, median = general
        cjk = vocab >= 0
        known = is_word(vocab, ids)
        pos = np.minimum(np.searchsorted(ids, vocab), max(ids.shape[0] - 1, 0))
        idf = np.where(cjk, np.where(known, values[pos] if ids.shape[0] else median, median), idf)
    weights = idf.copy()
    conc = np.zeros(vocab.shape[0])
    if model is not None and labelled:
        conc[hit] = model.concentration[rows[hit]]
        floor = settings.concentration_floor
        weights *= floor + (1.0 - floor) * conc
    for d in docs:
        v = d.tf * weights[d.idx]
        norm = float(np.linalg.norm(v))
        d.vec = v / norm if norm > 0 else v

    # Category evidence per document: terms the model knows, of category_ngram_min chars or more.
    n_cat = len(model.categories) if model is not None and labelled else 0
    if model is not None and labelled:
        lengths = ngram_length(vocab)
        usable = hit & ((lengths >= settings.category_ngram_min) | (vocab < 0))
        term_w = np.where(usable, idf * conc, 0.0)
        for d in docs:
            w = d.tf * term_w[d.idx]
            d.mass = float(w.sum())
            d.evidence = w @ model.prob[rows[d.idx]] if d.mass > 0 else np.zeros(n_cat)
            if settings.page_votes and d.mass > 0:
                # Each text one vote: a long page must not outweigh the short pages that
                # describe the business (its vector is of unit length too).
                d.evidence, d.mass = d.evidence / d.mass, 1.0

    page_docs, own_docs = docs[2 : 2 + n], docs[2 + n :]
    # Pages that name the business describe it; when a site has such pages, its other own text
    # (news written or copied from sources not in the index) weighs less in the profile.
    named = [not p.is_repost and names_business(info.site_name, p.full_main_text) for p in pages]
    if any(named) and settings.unnamed_own_weight != 1.0:
        for d, is_named in zip(own_docs, named, strict=True):
            if not is_named:
                d.vec = d.vec * settings.unnamed_own_weight
                d.evidence = d.evidence * settings.unnamed_own_weight
                d.mass *= settings.unnamed_own_weight
    profile = np.zeros(vocab.shape[0])
    for weight, d in ((settings.meta_weight, docs[0]), (settings.user_profile_weight, docs[1])):
        profile[d.idx] += weight * d.vec
    for d in own_docs:
        profile[d.idx] += d.vec
    prof_norm2 = float(profile @ profile)
    prof_evidence = np.zeros(n_cat)
    prof_mass = 0.0
    if n_cat:
        prof_evidence = (
            settings.meta_weight * docs[0].evidence + settings.user_profile_weight * docs[1].evidence
        )
        prof_mass = settings.meta_weight * docs[0].mass + settings.user_profile_weight * docs[1].mass
        for d in own_docs:
            prof_evidence = prof_evidence + d.evidence
            prof_mass += d.mass

    if model is None or not model.n_docs:
        threshold = settings.threshold_site_only
    else:
        threshold = settings.threshold if labelled else settings.threshold_unlabelled
    meta_chars = letters(_join(info.site_name, *info.keywords, *info.descriptions))
    own_chars = [0 if p.is_repost else letters(_join(p.title, p.main_text)) for p in pages]
    total_chars = meta_chars + sum(own_chars)
    # The profile's script, leaving each page out: a page is judged only against a profile in
    # its own script (a Chinese page in an English docs site is unknown, not off-topic).
    own_script = [(0, 0) if p.is_repost else script_letters(_join(p.title, p.main_text)) for p in pages]
    base_script = script_letters(_join(meta_text, user_text))
    script_cjk = base_script[0] + sum(c for c, _ in own_script)
    script_other = base_script[1] + sum(o for _, o in own_script)
    cat_index = {c: i for i, c in enumerate(model.categories)} if model is not None else {}
    # The category evidence is only as good as the labelled sample: with a handful of texts per
    # category, P(category | term) is mostly smoothing, so its weight shrinks.
    reliability = 0.0
    if model is not None and labelled:
        texts_per_category = float(np.median(model.category_docs))
        reliability = texts_per_category / (texts_per_category + settings.category_texts_half)
        # The similarity blends the lexical cosine and the category agreement, and so does its
        # threshold: with a handful of labelled texts the verdict rests on the words, on the
        # scale of the lexical threshold.
        share = settings.category_share * reliability
        threshold = settings.threshold_unlabelled ** (1.0 - share) * settings.threshold**share

    def name(i: int) -> str:
        return decode(int(vocab[i]), latin)

    is_readable = (ngram_length(vocab) >= 2) | (vocab < 0)
    readable = np.flatnonzero(is_readable)
    # The site's own text, for completing and counting its terms; each page's own part is
    # left out when that page is judged.
    parts = [normalised[t] for t in (meta_text, user_text, *own)]
    spans, offset = [], 0
    for part in parts:
        spans.append((offset, offset + len(part)))
        offset += len(part) + 1
    site_text = TermText("\n".join(parts))
    site_terms = SiteTerms(
        profile, readable, name, settings.top_terms, site_text, len(pages) <= settings.exact_term_pages
    )

    return PreparedSite(
        pages=tuple(pages),
        settings=settings,
        source_categories=source_categories,
        has_user_text=bool(user_text),
        judged=judged,
        judged_normalised=[normalised[t] for t in judged],
        own_chars=own_chars,
        total_chars=total_chars,
        own_script=own_script,
        script_cjk=script_cjk,
        script_other=script_other,
        threshold=threshold,
        page_docs=page_docs,
        own_docs=own_docs,
        named=named,
        readable=readable,
        is_readable=is_readable,
        name=name,
        site_terms=site_terms,
        spans=spans,
        profile=profile,
        prof_norm2=prof_norm2,
        prof_evidence=prof_evidence,
        prof_mass=prof_mass,
        n_cat=n_cat,
        cat_index=cat_index,
        reliability=reliability,
    )
