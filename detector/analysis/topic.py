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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from detector.analysis.topic_name import names_business, trade_profile
from detector.analysis.topic_terms import (
    F64,
    I64,
    TermText,
    TopicModel,
    decode,
    fit_model,
    ngram_length,
    normalise,
    pick_terms,
    term_ids,
    top_indices,
)
from detector.analysis.topic_words import dictionary_ids, general_idf, is_word, place_ids
from detector.config import TopicSettings
from detector.model import Topic

SIGNAL_NAMES_BUSINESS = "the page names the business"
SIGNAL_BLEND = "words and categories"
SIGNAL_LEXICAL = "words"

__all__ = ["SiteInfo", "SitePage", "TopicModel", "TopicSettings", "fit", "judge_site"]


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
        places=place_ids() if settings.drop_places else None,
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


def _mostly_latin(text: str) -> bool:
    """Whether a text is written mostly in Latin script (fewer than 30% CJK letters)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    cjk = sum(1 for c in letters if "\u3040" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7af")
    return cjk < 0.3 * len(letters)


def _script_letters(text: str) -> tuple[int, int]:
    """(CJK letters, other letters) of a text."""
    cjk = other = 0
    for c in text:
        if c.isalpha():
            if "\u3040" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7af":
                cjk += 1
            else:
                other += 1
    return cjk, other


def _chars(text: str) -> int:
    return sum(1 for c in text if c.isalnum())


def _join(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


@dataclass
class _Doc:
    idx: npt.NDArray[np.intp]  # local term indices, sorted
    tf: F64  # sublinear term frequencies
    vec: F64 = field(default_factory=lambda: np.zeros(0))  # unit-length weighted vector over idx
    evidence: F64 = field(default_factory=lambda: np.zeros(0))  # sum over its terms of w * P(. | term)
    mass: float = 0.0  # sum of those w


def _dot(a: _Doc, b: _Doc) -> float:
    _, ia, ib = np.intersect1d(a.idx, b.idx, assume_unique=True, return_indices=True)
    return float(a.vec[ia] @ b.vec[ib])


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
    if not pages:
        return {}
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
    places = place_ids() if settings.drop_places else None
    for text in texts:
        ids, counts = np.unique(
            term_ids(text, settings.cjk_ngram_min, settings.cjk_ngram_max, latin, words, places),
            return_counts=True,
        )
        raw.append((ids, counts))
    vocab = np.unique(np.concatenate([ids for ids, _ in raw])) if raw else np.zeros(0, dtype=np.int64)
    docs = [
        _Doc(np.searchsorted(vocab, ids).astype(np.intp), 1.0 + np.log(counts.astype(np.float64)))
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
    meta_chars = _chars(_join(info.site_name, *info.keywords, *info.descriptions))
    own_chars = [0 if p.is_repost else _chars(_join(p.title, p.main_text)) for p in pages]
    total_chars = meta_chars + sum(own_chars)
    # The profile's script, leaving each page out: a page is judged only against a profile in
    # its own script (a Chinese page in an English docs site is unknown, not off-topic).
    own_script = [(0, 0) if p.is_repost else _script_letters(_join(p.title, p.main_text)) for p in pages]
    base_script = _script_letters(_join(meta_text, user_text))
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

    readable = np.flatnonzero((ngram_length(vocab) >= 2) | (vocab < 0))
    # The site's own text, for completing and counting its terms; each page's own part is
    # left out when that page is judged.
    parts = [normalise(t) for t in (meta_text, user_text, *own)]
    spans, offset = [], 0
    for part in parts:
        spans.append((offset, offset + len(part)))
        offset += len(part) + 1
    site_text = TermText("\n".join(parts))
    site_terms = _SiteTerms(
        profile, readable, name, settings.top_terms, site_text, len(pages) <= settings.exact_term_pages
    )

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
        elif _mostly_latin(judged[i]) != (
            (script_cjk - own_script[i][0]) < 0.3 * (script_cjk + script_other - sum(own_script[i]))
        ):
            reason = (
                "the page is written in another script than its site's profile; "
                "give a site profile in its script"
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
        pd, od = page_docs[i], own_docs[i]
        page_terms = pick_terms(
            pd.vec,
            np.flatnonzero(np.isin(pd.idx, readable)),
            lambda j, idx=pd.idx: name(int(idx[j])),  # type: ignore[misc]
            settings.top_terms,
            TermText(normalise(judged[i])),
        )[0]
        if named[i]:
            # The page describes the business itself (about, products, contact).
            result[page.uri] = Topic(
                threshold=threshold,
                site_terms=site_terms.without(od, spans[2 + i]),
                page_terms=page_terms,
                source_category=category,
                verdict="on-topic",
                signal=SIGNAL_NAMES_BUSINESS,
            )
            continue
        dot = float(profile[pd.idx] @ pd.vec) - _dot(pd, od)
        norm2 = prof_norm2 - 2.0 * float(profile[od.idx] @ od.vec) + float(od.vec @ od.vec)
        page_norm = float(np.linalg.norm(pd.vec))
        norm = float(np.sqrt(max(norm2, 0.0))) * page_norm
        lexical = min(max(dot / norm, 0.0), 1.0) if norm > 0 else 0.0
        similarity = lexical
        if n_cat:
            mass = prof_mass - od.mass
            dist = (prof_evidence - od.evidence) / mass if mass > 0 else np.full(n_cat, 1.0 / n_cat)
            c = cat_index.get(category or "")
            if c is None and pd.mass > 0:
                c = int(np.argmax(pd.evidence))
            agreement = float(dist[c]) if c is not None else 1.0 / n_cat
            share = settings.category_share * reliability
            similarity = lexical ** (1.0 - share) * min(max(agreement, 0.0), 1.0) ** share
        page_threshold = min(threshold, settings.threshold_latin) if _mostly_latin(judged[i]) else threshold
        result[page.uri] = Topic(
            similarity=similarity,
            threshold=page_threshold,
            site_terms=site_terms.without(od, spans[2 + i]),
            page_terms=page_terms,
            source_category=category,
            verdict="off-topic" if similarity < page_threshold else "on-topic",
            signal=SIGNAL_BLEND if n_cat else SIGNAL_LEXICAL,
        )
    return result




class _CachedTermText(TermText):
    """A TermText whose answers are remembered per term (the whole text; no span skipped)."""

    def __init__(self, inner: TermText) -> None:
        self.__dict__.update(inner.__dict__)
        self._starts: dict[str, npt.NDArray[np.int64]] = {}
        self._complete: dict[str, str] = {}

    def starts(self, term: str, skip: tuple[int, int] = (0, 0)) -> npt.NDArray[np.int64]:
        if term not in self._starts:
            self._starts[term] = super().starts(term)
        return self._starts[term]

    def complete(self, term: str, skip: tuple[int, int] = (0, 0)) -> str:
        if term not in self._complete:
            self._complete[term] = super().complete(term)
        return self._complete[term]


class _SiteTerms:
    """Top terms of ``profile - own vector`` for every page, without ranking the whole profile
    each time: subtracting only lowers values, so unless a page removed most of the profile's
    best candidates, the answer lies among them (checked; else the whole profile is ranked)."""

    def __init__(
        self,
        profile: F64,
        readable: npt.NDArray[np.intp],
        name: Callable[[int], str],
        k: int,
        text: TermText,
        exact: bool = True,
    ) -> None:
        self.name, self.k, self.text = name, k, text
        self.values = np.zeros_like(profile)
        self.values[readable] = profile[readable]
        self.cand = top_indices(self.values, max(64, 16 * k))
        rest = np.delete(self.values, self.cand)
        self.bound = float(rest.max()) if rest.size else 0.0
        self.shared = pick_terms(self.values, self.cand, name, k, text)[0]
        self.exact = exact
        self.cached = _CachedTermText(text)

    def without(self, own: _Doc, skip: tuple[int, int]) -> tuple[str, ...]:
        if own.idx.size == 0 or self.k == 0:
            return self.shared
        values = self.values.copy()
        values[own.idx] -= own.vec
        # The ranking always leaves the page out. Spelling fragments out to words and counting
        # them reads the site's text less the page on small sites; on large ones (more than
        # exact_term_pages pages) the whole site's text, read once and cached: per page it made
        # a site of 10,000 pages quadratic, for a difference only in how a term is spelled out.
        text: TermText = self.text if self.exact else self.cached
        span = skip if self.exact else (0, 0)
        picked, lowest = pick_terms(values, self.cand, self.name, self.k, text, span)
        if len(picked) == self.k and lowest > self.bound:
            return picked
        return pick_terms(values, range(values.shape[0]), self.name, self.k, text, span)[0]
