"""Off-topic verdicts per site, turned into findings.

The topic module (topic.py) judges each page against its site's profile; this module
prepares what it needs from the run (own text without copied passages, the category of the
copied source, the site's metadata) and turns its verdicts into findings: a repost far from
the site's topic becomes an ``off-topic-repost`` (it replaces the ``repost`` finding for that
source); a page far from the site's topic that copies nothing becomes ``off-topic``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import compress

import numpy as np

from detector.analysis import topic_cache
from detector.analysis.fingerprint import fingerprint
from detector.analysis.numbers import compared
from detector.analysis.reuse import with_date_clause
from detector.analysis.topic import (
    SiteInfo,
    SitePage,
    TopicModel,
    TopicSettings,
    fit,
    judge_site,
)
from detector.analysis.topic_name import trade_profile
from detector.analysis.topic_verdicts import letters
from detector.config import Settings
from detector.model import Document, Finding, Topic
from detector.store.interface import Catalogue


@dataclass
class TopicInput:
    position: int  # the page's place in the run
    doc: Document
    findings: list[Finding]
    copied: np.ndarray  # characters copied from any source


def _main(doc: Document, keep: np.ndarray | None = None) -> str:
    parts = []
    for s, e in doc.main_spans():
        if keep is None:
            parts.append(doc.text[s:e])
        else:
            parts.append("".join(compress(doc.text[s:e], keep[s:e].tolist())))
    return "\n".join(parts)


def site_info(site: str, docs: Sequence[Document], user_profile: str | None) -> SiteInfo:
    names = Counter(d.site_name for d in docs if d.site_name)
    return SiteInfo(
        site=site,
        site_name=names.most_common(1)[0][0] if names else None,
        nav_labels=tuple(sorted({label for d in docs for label in d.nav_labels})),
        keywords=tuple(sorted({k for d in docs for k in d.keywords})),
        descriptions=tuple(sorted({d.description for d in docs if d.description})),
        user_profile=user_profile,
    )


def _top_repost(findings: list[Finding], min_coverage: float) -> Finding | None:
    reposts = [f for f in findings if f.kind == "repost" and (f.coverage or 0.0) >= min_coverage]
    return max(reposts, key=lambda f: (f.coverage or 0.0, f.fingerprint)) if reposts else None


def _site_input(
    site: str, pages: Sequence[TopicInput], user_profile: str | None, settings: TopicSettings
) -> tuple[SiteInfo, list[SitePage], dict[str, str | None]]:
    site_pages: list[SitePage] = []
    categories: dict[str, str | None] = {}
    for p in pages:
        top = _top_repost(p.findings, settings.repost_page_coverage)
        if top is not None and top.source is not None:
            categories[p.doc.uri] = top.source.category
        site_pages.append(
            SitePage(
                uri=p.doc.uri,
                title=p.doc.title,
                main_text=_main(p.doc, ~p.copied),
                full_main_text=_main(p.doc),
                is_repost=top is not None,
            )
        )
    return site_info(site, [p.doc for p in pages], user_profile), site_pages, categories


def _may_have_profile(info: SiteInfo, pages: Sequence[SitePage], settings: TopicSettings) -> bool:
    """Whether any page of the site can get a verdict (else no model is needed for it)."""
    if (info.user_profile or "").strip() or trade_profile(info.site_name, settings.min_trade_words):
        return True
    own = [0 if p.is_repost else letters(p.title or "") + letters(p.main_text) for p in pages]
    meta = letters(info.site_name or "") + sum(letters(t) for t in (*info.keywords, *info.descriptions))
    return bool(own) and meta + sum(own) - min(own) >= settings.min_profile_chars


def index_model(store: Catalogue, settings: Settings) -> TopicModel | None:
    """The topic model of the index's labelled sources (a sample of each category), or None
    when the index holds fewer than two categories. An embedded index keeps the fitted model
    in a cache file beside it, keyed by the sample's categories and text digests: reused while
    the sample is the same, refitted when the index changed it."""
    per_category = min(settings.topic_reference_per_category, settings.topic.reference_per_category)
    total = settings.topic_reference_total
    sample = store.sample_by_category(per_category, total, texts=False)
    if len({category for _, category, _ in sample}) < 2:
        return None
    key = topic_cache.model_key([(c, d) for _, c, d in sample], settings.topic)
    base = store.cache_base
    path = topic_cache.cache_path(base) if base is not None else None
    model = topic_cache.load(path, key) if path is not None else None
    if model is None:
        rows = store.sample_by_category(per_category, total)
        model = topic_cache.canonical(fit([t for t, _, _ in rows], [c for _, c, _ in rows], settings.topic))
        if path is not None:
            topic_cache.save(path, key, model)
    return model


def judge_run(
    sites: dict[str, list[TopicInput]],
    store: Catalogue | None,
    settings: Settings,
    site_profile: str | None,
) -> dict[int, Topic]:
    """The topic of every page of the run (keyed by position in the run, pages listed per site
    in run order), every site judged with one model for the run: the index's (labelled
    sources), else one fitted on the run's pages (IDF only)."""
    inputs = {
        name: _site_input(name, members, site_profile, settings.topic)
        for name, members in sites.items()
        if members
    }
    if not inputs:
        return {}
    model: TopicModel | None = None
    if any(_may_have_profile(info, pages, settings.topic) for info, pages, _ in inputs.values()):
        if store is not None:
            model = index_model(store, settings)
        if model is None:
            texts = [_join_page(p) for _, pages, _ in inputs.values() for p in pages]
            model = fit(texts, [None] * len(texts), settings.topic)
    out: dict[int, Topic] = {}
    for name, (info, pages, categories) in inputs.items():
        verdicts = judge_site(info, pages, settings.topic, categories, model)
        for p in sites[name]:
            out[p.position] = verdicts[p.doc.uri]
    return out


def _join_page(page: SitePage) -> str:
    return "\n".join([page.title or "", page.full_main_text])


def _terms(topic: Topic) -> str:
    page = "、".join(topic.page_terms[:4]) or "-"
    site = "、".join(topic.site_terms[:4]) or "-"
    return f"page is about {page}; the site about {site}"


def apply_topic(findings: list[Finding], topic: Topic, settings: TopicSettings) -> list[Finding]:
    """Findings of one page once its topic is known."""
    if topic.verdict != "off-topic":
        return findings
    sim = topic.similarity or 0.0
    shown_sim, shown_threshold = compared(sim, topic.threshold or 0.0)
    converted = False
    out: list[Finding] = []
    for f in findings:
        converts = (f.coverage or 0.0) >= settings.repost_page_coverage
        if f.kind == "repost" and converts and f.source is not None:
            title = f.source.title or f.source.id
            out.append(
                replace(
                    f,
                    kind="off-topic-repost",
                    severity="high" if f.severity != "info" else "info",
                    message=with_date_clause(
                        f"Copies “{title}” ({(f.coverage or 0.0):.0%} of the main text) on a topic far "
                        f"from the site's (similarity {shown_sim} < {shown_threshold}): "
                        f"{_terms(topic)}.",
                        f.message,
                    ),
                    fingerprint=fingerprint("off-topic-repost", [f.fingerprint], f.source.id),
                    topic=topic,
                )
            )
            converted = True
        else:
            out.append(f)
    if not converted and not any(f.kind == "repost" for f in findings):
        out.append(
            Finding(
                kind="off-topic",
                severity="medium",
                score=round(max(0.0, 1.0 - sim), 4),
                message=(
                    f"The page's topic is far from the site's (similarity {shown_sim} < "
                    f"{shown_threshold}): {_terms(topic)}."
                ),
                fingerprint=fingerprint("off-topic", [" ".join(topic.page_terms)]),
                topic=topic,
            )
        )
    return out
