"""Topic verdicts of a prepared site (topic.py builds it): similarity, threshold, evidence.

The similarity of a page to its site's profile (leaving the page out) blends the lexical
cosine with the category agreement (see topic.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from detector.analysis.topic_site_terms import SiteTerms
from detector.analysis.topic_terms import F64, TermText, pick_terms
from detector.config import TopicSettings
from detector.model import Topic

SIGNAL_NAMES_BUSINESS = "the page names the business"
SIGNAL_BLEND = "words and categories"
SIGNAL_LEXICAL = "words"


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


@dataclass
class TermVector:
    """A text's terms: indices into the site's vocabulary, weights, category evidence."""

    idx: npt.NDArray[np.intp]  # local term indices, sorted
    tf: F64  # sublinear term frequencies
    vec: F64 = field(default_factory=lambda: np.zeros(0))  # unit-length weighted vector over idx
    evidence: F64 = field(default_factory=lambda: np.zeros(0))  # sum over its terms of w * P(. | term)
    mass: float = 0.0  # sum of those w


def dot(a: TermVector, b: TermVector) -> float:
    _, ia, ib = np.intersect1d(a.idx, b.idx, assume_unique=True, return_indices=True)
    return float(a.vec[ia] @ b.vec[ib])


_CJK_SCRIPT = re.compile("[\u3040-\u9fff\uac00-\ud7af]+")


def script_letters(text: str) -> tuple[int, int]:
    """(CJK letters, other letters) of a text: kana, Han and Hangul letters against the rest."""
    letters_all = sum(map(str.isalpha, text))
    cjk = sum(map(str.isalpha, "".join(_CJK_SCRIPT.findall(text))))
    return cjk, letters_all - cjk


def mostly_latin(text: str) -> bool:
    """Whether a text is written mostly in Latin script (fewer than 30% CJK letters)."""
    cjk, other = script_letters(text)
    return cjk + other > 0 and cjk < 0.3 * (cjk + other)


def letters(text: str) -> int:
    """Letters and digits of a text: how much it says, whatever its script."""
    return sum(map(str.isalnum, text))


@dataclass(frozen=True)
class PreparedSite:
    """A site's profile and its pages' vectors, before the verdicts (see topic.judge_site).

    ``profile`` and ``prof_evidence``/``prof_mass`` are sums over the site's texts, so leaving
    a page out subtracts its own share (``own_docs[i]``)."""

    pages: tuple[SitePage, ...]
    settings: TopicSettings
    source_categories: Mapping[str, str | None]
    has_user_text: bool  # a profile the user gave, or the trade read from the company name
    judged: list[str]  # title and whole main text of each page
    judged_normalised: list[str]  # the same through topic_terms.normalise
    own_chars: list[int]  # letters each page adds to the profile
    total_chars: int  # letters of the whole profile
    own_script: list[tuple[int, int]]  # (CJK, other) letters each page adds
    script_cjk: int
    script_other: int
    threshold: float
    page_docs: list[TermVector]
    own_docs: list[TermVector]
    named: list[bool]  # the page names the business (about, products, contact)
    readable: npt.NDArray[np.intp]  # vocabulary indices shown as terms
    is_readable: npt.NDArray[np.bool_]  # the same as a mask over the vocabulary
    name: Callable[[int], str]
    site_terms: SiteTerms
    spans: list[tuple[int, int]]  # each text's span in the site's text (site_terms)
    profile: F64
    prof_norm2: float
    prof_evidence: F64
    prof_mass: float
    n_cat: int
    cat_index: dict[str, int]
    reliability: float  # the category share's factor for the model's sample size

    def verdicts(self) -> dict[str, Topic]:
        """Every page's Topic."""
        result: dict[str, Topic] = {}
        for i, page in enumerate(self.pages):
            category = self.source_categories.get(page.uri)
            latin = mostly_latin(self.judged[i])
            reason = self._unknown_reason(i, latin)
            if reason is not None:
                result[page.uri] = Topic(
                    threshold=self.threshold, source_category=category, verdict="unknown", reason=reason
                )
            else:
                result[page.uri] = self._judge(i, category, latin)
        return result

    def _unknown_reason(self, i: int, latin: bool) -> str | None:
        settings = self.settings
        profile_chars = self.total_chars - self.own_chars[i]
        if not self.has_user_text and profile_chars < settings.min_profile_chars:
            return (
                f"the site has too little text of its own for a profile ({profile_chars} letters without "
                f"this page, {settings.min_profile_chars} needed); give a site profile"
            )
        cjk = self.script_cjk - self.own_script[i][0]
        total = self.script_cjk + self.script_other - sum(self.own_script[i])
        if latin != (cjk < 0.3 * total):
            return (
                "the page is written in another script than its site's profile; "
                "give a site profile in its script"
            )
        page_chars = letters(self.judged[i])
        if page_chars < settings.min_page_chars:
            return (
                f"the page has too little text to judge ({page_chars} letters, "
                f"{settings.min_page_chars} needed)"
            )
        return None

    def _judge(self, i: int, category: str | None, latin: bool) -> Topic:
        settings = self.settings
        pd, od = self.page_docs[i], self.own_docs[i]
        page_terms = pick_terms(
            pd.vec,
            np.flatnonzero(self.is_readable[pd.idx]),
            lambda j: self.name(int(pd.idx[j])),
            settings.top_terms,
            TermText(self.judged_normalised[i]),
        )[0]
        site_terms = self.site_terms.without(od, self.spans[2 + i])
        if self.named[i]:
            # The page describes the business itself (about, products, contact).
            return Topic(
                threshold=self.threshold,
                site_terms=site_terms,
                page_terms=page_terms,
                source_category=category,
                verdict="on-topic",
                signal=SIGNAL_NAMES_BUSINESS,
            )
        shared = float(self.profile[pd.idx] @ pd.vec) - dot(pd, od)
        norm2 = self.prof_norm2 - 2.0 * float(self.profile[od.idx] @ od.vec) + float(od.vec @ od.vec)
        norm = float(np.sqrt(max(norm2, 0.0))) * float(np.linalg.norm(pd.vec))
        lexical = min(max(shared / norm, 0.0), 1.0) if norm > 0 else 0.0
        similarity = lexical
        if self.n_cat:
            agreement = self._agreement(pd, od, category)
            share = settings.category_share * self.reliability
            similarity = lexical ** (1.0 - share) * min(max(agreement, 0.0), 1.0) ** share
        threshold = min(self.threshold, settings.threshold_latin) if latin else self.threshold
        return Topic(
            similarity=similarity,
            threshold=threshold,
            site_terms=site_terms,
            page_terms=page_terms,
            source_category=category,
            verdict="off-topic" if similarity < threshold else "on-topic",
            signal=SIGNAL_BLEND if self.n_cat else SIGNAL_LEXICAL,
        )

    def _agreement(self, pd: TermVector, od: TermVector, category: str | None) -> float:
        """The profile's share (leaving the page out) of the page's category: the copied
        source's when known, else the page's most likely one."""
        n_cat = self.n_cat
        mass = self.prof_mass - od.mass
        dist = (self.prof_evidence - od.evidence) / mass if mass > 0 else np.full(n_cat, 1.0 / n_cat)
        c = self.cat_index.get(category or "")
        if c is None and pd.mass > 0:
            c = int(np.argmax(pd.evidence))
        return float(dist[c]) if c is not None else 1.0 / n_cat
