"""The context of a page report (``page.html``), built from one page dict of the scan JSON.

The text is cut into pieces by every highlighted span (``segments.mark_up``). The places a reader
can visit ("stops": each copied passage of a repost, each occurrence of a repeated passage) go to
the script as a JSON data island, with what the side-by-side view shows: the page passage and the
source text around the matching passage, cut to ``SHOW_CHARS`` and ``CONTEXT_CHARS``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from markupsafe import Markup

from detector.config import LIMITS
from detector.decisions import STATUSES
from detector.model import merge_spans
from detector.report.html_scan import (
    REPOST_KINDS,
    TOPIC_KINDS,
    Shared,
    SourceView,
    content,
    http_href,
    json_island,
    mapping,
    maps,
    num,
    opt,
    source_view,
    strs,
    text,
    worst,
)
from detector.report.order import ordered_findings
from detector.report.segments import (
    Highlight,
    MarkedBlock,
    clamp,
    mark_up,
    normalise_blocks,
    occurrence_label,
)

PALETTE_SIZE = 8  # source colours .s0 ... .s7 in style.css, reused cyclically
_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Link:
    """Another page of the run; ``href`` is None when the run holds no report for it."""

    uri: str
    href: str | None
    note: str


@dataclass(frozen=True)
class TopicView:
    heading: str
    verdict: str
    similarity: float | None
    threshold: float | None
    site_terms: list[str]
    page_terms: list[str]
    source_category: str | None
    reason: str | None
    signal: str | None = None  # what decided the verdict


@dataclass(frozen=True)
class StopLink:
    """A button that jumps to a stop: ``id`` as in the data island, ``label`` its number."""

    id: str
    label: str
    similarity: float | None


@dataclass(frozen=True)
class FindingView:
    kind: str
    severity: str
    score: float | None
    message: str
    fingerprint: str
    colour: int | None
    source: SourceView | None
    coverage: float | None
    source_coverage: float | None
    passages: list[StopLink]
    also_sources: list[SourceView]
    occurrences: list[StopLink]
    also_pages: list[Link]
    other: Link | None
    similarity: float | None
    topic: TopicView | None
    decision: str | None  # from --decisions: confirmed, dismissed or allowed
    note: str | None


@dataclass(frozen=True)
class LegendItem:
    colour: int
    title: str
    coverage: float | None
    passages: int


@dataclass(frozen=True)
class BlockGroup:
    """Consecutive boilerplate blocks shown as one collapsible group; any other block alone."""

    kind: str
    chars: int
    blocks: list[MarkedBlock]


@dataclass(frozen=True)
class PageHead:
    uri: str
    url: str | None
    url_href: str | None
    site: str
    site_name: str | None
    title: str
    encoding: str | None
    worst: str
    content: dict[str, float | None] | None
    published: str | None = None


@dataclass(frozen=True)
class PageContext:
    """``page.html``: header, error, topic verdicts, findings, legend, the marked-up text, footer.

    ``blocks`` hold the page text cut into pieces; ``stops`` counts the places the keyboard visits;
    ``data`` is the JSON island the script reads: the stops in page order, the page's uri and the
    review (``html_review.review_data``); each finding element carries its fingerprint and decision.
    """

    shared: Shared
    script: Markup
    index_href: str
    page: PageHead
    error: str | None
    topics: list[TopicView]
    findings: list[FindingView]
    legend: list[LegendItem]
    blocks: list[BlockGroup]
    lang: str
    stops: int
    data: Markup


def _groups(blocks: list[MarkedBlock]) -> list[BlockGroup]:
    groups: list[BlockGroup] = []
    for block in blocks:
        last = groups[-1] if groups else None
        if block.kind == "boilerplate" and last is not None and last.kind == "boilerplate":
            groups[-1] = BlockGroup(last.kind, last.chars + block.chars, [*last.blocks, block])
        else:
            groups.append(BlockGroup(block.kind, block.chars, [block]))
    return groups


def _cut(passage: str) -> str:
    return (
        passage
        if len(passage) <= LIMITS.show_chars
        else passage[: LIMITS.show_chars] + f" … (+{len(passage) - LIMITS.show_chars})"
    )


@dataclass
class _Stops:
    """Collects the stops of one page: their highlights and their JSON for the script."""

    text: str
    sources: Mapping[str, Any]
    href_of: Mapping[str, str]
    highlights: list[Highlight] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    repeat_groups: int = 0  # duplicate-passage findings on the page
    repeat_seen: int = 0

    def _add(self, span: tuple[int, int], payload: dict[str, Any], highlight: Highlight) -> str:
        self.highlights.append(highlight)
        self.items.append({**payload, "id": highlight.id, "start": span[0]})
        return highlight.id

    def passage(
        self, number: int, finding: int, colour: int, src: SourceView, raw: Mapping[str, Any]
    ) -> StopLink | None:
        span = clamp(raw.get("page"), len(self.text))
        if span is None:
            return None
        similarity = num(raw.get("similarity"))
        source_text = text(mapping(self.sources.get(src.id)).get("text"))
        payload: dict[str, Any] = {"t": "p", "f": finding, "n": number, "c": colour, "sim": similarity}
        payload |= {"src": src.title, "page": _cut(self.text[span[0] : span[1]])}
        if src.published:
            payload["srcdate"] = src.published
        sspan = clamp(raw.get("source"), len(source_text))
        if sspan is not None:
            s, e = sspan
            payload["before"] = source_text[max(0, s - LIMITS.context_chars) : s]
            payload["match"] = _cut(source_text[s:e])
            payload["after"] = source_text[e : e + LIMITS.context_chars]
            payload["bmore"] = s > LIMITS.context_chars
            payload["amore"] = e + LIMITS.context_chars < len(source_text)
        sid = f"p{len(self.items)}"
        self._add(span, payload, Highlight(*span, sid, ("c",), f"s{colour}"))
        return StopLink(sid, str(number), similarity)

    def occurrences(self, finding: int, raw: Mapping[str, Any]) -> tuple[list[StopLink], list[Link]]:
        found = (clamp(o, len(self.text)) for o in (raw.get("occurrences") or []))
        spans = merge_spans({s for s in found if s is not None})
        group = self.repeat_seen
        self.repeat_seen += 1
        also: list[Link] = []
        for other in maps(raw.get("also_in")):
            count = len(other["occurrences"]) if isinstance(other.get("occurrences"), list) else 0
            uri = text(other.get("uri"))
            also.append(Link(uri, self.href_of.get(uri), f"{count}×" if count else ""))
        also_json = [{"uri": a.uri, "href": a.href, "note": a.note} for a in also]
        classes = ("r", "x") if also else ("r",)
        links: list[StopLink] = []
        for number, span in enumerate(spans, 1):
            label = occurrence_label(group, self.repeat_groups, number)
            payload = {"t": "o", "f": finding, "n": label, "of": len(spans)}
            payload |= {"page": _cut(self.text[span[0] : span[1]]), "also": also_json}
            sid = self._add(span, payload, Highlight(*span, f"o{len(self.items)}", classes, None, label))
            links.append(StopLink(sid, label, None))
        return links, also


def _topic_view(topic: Any, heading: str) -> TopicView | None:
    if not isinstance(topic, Mapping):
        return None
    similarity, threshold = num(topic.get("similarity")), num(topic.get("threshold"))
    verdict = opt(topic.get("verdict"))
    if verdict is None and similarity is not None and threshold is not None:
        verdict = "off-topic" if similarity < threshold else "on-topic"
    if verdict is None:
        verdict = "off-topic" if heading.startswith("Off-topic") else "—"
    heading = "Topic unknown" if verdict == "unknown" else heading
    terms = strs(topic.get("site_terms")), strs(topic.get("page_terms"))
    return TopicView(
        heading,
        verdict,
        similarity,
        threshold,
        *terms,
        opt(topic.get("source_category")),
        opt(topic.get("reason")),
        opt(topic.get("signal")),
    )


def _finding(index: int, raw: Mapping[str, Any], stops: _Stops, colours: dict[str, int]) -> FindingView:
    kind = text(raw.get("kind"))
    source: SourceView | None = None
    colour: int | None = None
    passages: list[StopLink] = []
    occurrences: list[StopLink] = []
    also_pages: list[Link] = []
    if kind in REPOST_KINDS:
        source = source_view(raw.get("source"), stops.sources)
        colour = colours.setdefault(source.id, len(colours)) % PALETTE_SIZE
        for number, passage in enumerate(maps(raw.get("passages")), 1):
            link = stops.passage(number, index, colour, source, passage)
            if link is not None:
                passages.append(link)
    elif kind == "duplicate-passage":
        occurrences, also_pages = stops.occurrences(index, raw)
    other = raw.get("other")
    other_uri = text(other.get("uri")) if isinstance(other, Mapping) else None
    heading = "Off-topic repost" if kind == "off-topic-repost" else "Off-topic"
    decision = mapping(raw.get("decision"))
    return FindingView(
        kind=kind,
        severity=text(raw.get("severity")),
        score=num(raw.get("score")),
        message=text(raw.get("message")),
        fingerprint=text(raw.get("fingerprint")),
        colour=colour,
        source=source,
        coverage=num(raw.get("coverage")),
        source_coverage=num(raw.get("source_coverage")),
        passages=passages,
        also_sources=[source_view(a, stops.sources) for a in maps(raw.get("also_in"))] if source else [],
        occurrences=occurrences,
        also_pages=also_pages,
        other=None if other_uri is None else Link(other_uri, stops.href_of.get(other_uri), ""),
        similarity=num(raw.get("similarity")),
        topic=_topic_view(raw.get("topic"), heading) if kind in TOPIC_KINDS else None,
        decision=status if (status := decision.get("status")) in STATUSES else None,
        note=opt(decision.get("note")) if status in STATUSES else None,
    )


def page_context(
    page: Mapping[str, Any],
    sources: Mapping[str, Any],
    href_of: Mapping[str, str],
    shared: Shared,
    script: Markup,
    review: Mapping[str, Any],
) -> PageContext:
    """The context of one page report. ``href_of`` maps the uri of every page of the run to its report."""
    body = text(page.get("text"))
    uri = text(page.get("uri"))
    stops = _Stops(body, sources, href_of)
    stops.repeat_groups = sum(1 for f in maps(page.get("findings")) if f.get("kind") == "duplicate-passage")
    colours: dict[str, int] = {}
    findings = [
        _finding(i, f, stops, colours) for i, f in enumerate(ordered_findings(maps(page.get("findings"))))
    ]
    legend = [
        LegendItem(f.colour, f.source.title, f.coverage, len(f.passages))
        for f in findings
        if f.source is not None and f.colour is not None
    ]
    topics = [f.topic for f in findings if f.topic is not None]
    page_topic = _topic_view(page.get("topic"), "Topic")
    if page_topic is not None and not any(replace(page_topic, heading=t.heading) == t for t in topics):
        topics.append(page_topic)
    blocks = _groups(mark_up(body, normalise_blocks(page.get("blocks"), len(body)), stops.highlights))
    order = sorted(range(len(stops.items)), key=lambda i: (stops.items[i]["start"], i))
    title = opt(page.get("title"))
    head = PageHead(
        uri=uri,
        url=opt(page.get("url")),
        url_href=http_href(page.get("url")),
        site=text(page.get("site")),
        site_name=opt(page.get("site_name")),
        title=title or uri or "(untitled page)",
        encoding=opt(page.get("encoding")),
        worst=worst(page),
        content=content(page),
        published=opt(page.get("published")),
    )
    return PageContext(
        shared=shared,
        script=script,
        index_href="../index.html",
        page=head,
        error=opt(page.get("error")),
        topics=topics,
        findings=findings,
        legend=legend,
        blocks=blocks,
        lang="zh" if _CJK.search(body, 0, 5000) else "",
        stops=len(order),
        data=json_island({"stops": [stops.items[i] for i in order], "uri": uri, "review": review}),
    )
