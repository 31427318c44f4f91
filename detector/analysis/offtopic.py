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

import numpy as np

from detector.analysis.fingerprint import fingerprint
from detector.analysis.topic import SiteInfo, SitePage, TopicReference, TopicSettings, judge_site
from detector.config import Settings
from detector.index.store import IndexStore
from detector.model import Document, Finding, Topic

# A repost that covers at least this share of the page makes the page a repost for the
# profile (its text is not the site's own) and is what an off-topic verdict converts.
REPOST_PAGE_COVERAGE = 0.2


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
            parts.append("".join(ch for ch, k in zip(doc.text[s:e], keep[s:e], strict=True) if k))
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


def _top_repost(findings: list[Finding]) -> Finding | None:
    reposts = [f for f in findings if f.kind == "repost" and (f.coverage or 0.0) >= REPOST_PAGE_COVERAGE]
    return max(reposts, key=lambda f: (f.coverage or 0.0, f.fingerprint)) if reposts else None


def judge(
    site: str,
    pages: Sequence[TopicInput],
    settings: TopicSettings,
    reference: TopicReference | None,
    user_profile: str | None,
) -> list[Topic]:
    """The topic of every page of one site, in order."""
    site_pages: list[SitePage] = []
    categories: dict[str, str | None] = {}
    for p in pages:
        top = _top_repost(p.findings)
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
    info = site_info(site, [p.doc for p in pages], user_profile)
    verdicts = judge_site(info, site_pages, settings, categories, reference)
    return [verdicts[p.doc.uri] for p in pages]


def judge_run(
    sites: dict[str, list[TopicInput]],
    store: IndexStore | None,
    settings: Settings,
    site_profile: str | None,
) -> dict[int, Topic]:
    """The topic of every page of the run (keyed by position in the run, pages listed per site
    in run order), each site judged against a reference fitted once for the run."""
    pages = [p for members in sites.values() for p in members]
    if not pages:
        return {}
    from detector.analysis.topic import fit_reference  # scikit-learn: imported only when needed

    texts = ["\n".join([p.doc.title or "", _main(p.doc)]) for p in pages]
    categories: list[str | None] = [None] * len(texts)
    if store is not None:
        for text, category in store.sample_by_category(
            settings.topic_reference_per_category, settings.topic_reference_total
        ):
            texts.append(text)
            categories.append(category)
    reference = fit_reference(texts, settings.topic, categories)
    out: dict[int, Topic] = {}
    for name, members in sites.items():
        for p, topic in zip(
            members, judge(name, members, settings.topic, reference, site_profile), strict=True
        ):
            out[p.position] = topic
    return out


def _terms(topic: Topic) -> str:
    page = "、".join(topic.page_terms[:4]) or "-"
    site = "、".join(topic.site_terms[:4]) or "-"
    return f"page is about {page}; the site about {site}"


def apply_topic(findings: list[Finding], topic: Topic) -> list[Finding]:
    """Findings of one page once its topic is known."""
    if topic.verdict != "off-topic":
        return findings
    sim = topic.similarity or 0.0
    converted = False
    out: list[Finding] = []
    for f in findings:
        if f.kind == "repost" and (f.coverage or 0.0) >= REPOST_PAGE_COVERAGE and f.source is not None:
            title = f.source.title or f.source.id
            out.append(
                replace(
                    f,
                    kind="off-topic-repost",
                    severity="high" if f.severity != "info" else "info",
                    message=(
                        f"Copies “{title}” ({(f.coverage or 0.0):.0%} of the main text) on a topic far "
                        f"from the site's (similarity {sim:.2f} < {topic.threshold or 0.0:.2f}): "
                        f"{_terms(topic)}."
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
                    f"The page's topic is far from the site's (similarity {sim:.2f} < "
                    f"{topic.threshold or 0.0:.2f}): {_terms(topic)}."
                ),
                fingerprint=fingerprint("off-topic", [" ".join(topic.page_terms)]),
                topic=topic,
            )
        )
    return out
