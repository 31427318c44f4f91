"""HTML -> visible text with exact offsets, labelled blocks (title / main / boilerplate) and page metadata.

Parsing (htmlparse.py) yields text pieces with their exact positions in the decoded file and the stack of
elements around each block; this module labels the blocks and assembles text, blocks and offsets.

Labelling, in order:

1. The title block: an ``h1``/``h2`` (then ``h3`` or an element whose class says title) whose text resembles
   the ``<title>`` minus its site-name part, preferring one inside the main content.
2. Boilerplate by words (``patterns.boilerplate_reason``): copyright, bylines and date lines, breadcrumbs,
   contact lines, prev/next links, link lists written as text.
3. Boilerplate by place: inside ``nav``/``header``/``footer``/``aside`` or an element whose class or id names
   navigation, menus, footers, sidebars, breadcrumbs, comments, sharing, ads ... -- unless that element also
   holds the main content (``<div class="main-with-sidebar">`` wrapping the article is not a sidebar).
4. Boilerplate by link density: a block whose text is mostly link text.
5. The main content container is the deepest element holding 60% of the page's prose (blocks of 25+
   characters with clause punctuation and little link text). Inside it, what is left is main; outside it,
   only prose is main, so an article paragraph that sits outside is still kept. Prose in comment threads
   and teaser boxes does not count when choosing the container.

A page that is mostly a list of links (an index or list page) keeps its headlines as boilerplate: they
are not passages, and a shared headline must not become a finding on every list page that shows it.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from urllib.parse import urljoin, urlsplit

from detector.config import EXTRACTION
from detector.ingest import patterns
from detector.ingest.htmlparse import (
    _CONTAINER_TAGS,
    _HTML_WS,
    HtmlExtraction,
    _HSegment,
    _Link,
    _Node,
    _Parser,
)
from detector.ingest.layout import INSERTED, Piece, assemble
from detector.model import BlockKind

# Labelling thresholds (how each is used: the module docstring, steps 4 and 5).
# Prose under these markers never chooses the container: comment threads and teaser boxes.
_NOT_ARTICLE_MARKERS = frozenset({"comment", "related", "recommend"})
_NAV_MARKERS = ("nav", "menu", "header", "daohang", "dh", "top", "topbar")
_NORM_DROP = re.compile(r"[\W_]+")


_DECLARATION = re.compile(r"<!(?!--)")


def extract_html(original: str) -> HtmlExtraction:
    """Extract the visible text of a decoded HTML page, with labelled blocks and an offset map."""
    try:
        parser = _Parser(original)
        parser.feed(original)
        parser.finish()
    except AssertionError:
        # The stdlib parser asserts on some malformed declarations ("<![CDAT5…", "<!x[…"). Turn
        # every "<!" but comments into "<?" (a processing instruction: skipped, same length, so
        # every offset still points at the same place) and parse again.
        tamed = _DECLARATION.sub("<?", original)
        parser = _Parser(tamed)
        parser.feed(tamed)
        parser.finish()
    segments = parser.segments

    for seg in segments:
        seg.pieces = _trim(seg.pieces)
    container = _main_container(segments)
    inside = _ancestry(container)

    title_text = parser.title_text or None
    og_title = parser.meta.get("og:title")
    parts = patterns.split_title(title_text or og_title or "")
    site_part = parts[-1] if len(parts) > 1 else None
    title_candidates = [p for p in parts if p != site_part] or parts
    title_seg = _title_segment(
        segments, container, title_candidates + ([og_title] if og_title else []), site_part
    )

    for seg in segments:
        seg.kind = _classify(seg, seg is title_seg, container, inside)

    layout = assemble(segments)
    if title_seg is not None:
        title: str | None = _collapse(title_seg.text)
    elif title_candidates:
        title = title_candidates[0]
    else:
        title = og_title or _first_heading(segments)

    footer_text = "\n".join(s.text for s in segments if s.kind == "boilerplate")
    site_name = (
        parser.meta.get("og:site_name")
        or site_part
        or patterns.site_name_from_copyright(footer_text)
        or (parser.logo_alts[0] if parser.logo_alts else None)
    )
    keywords = patterns.split_keywords(parser.meta.get("keywords", ""))
    description = parser.meta.get("description") or parser.meta.get("og:description") or None
    return HtmlExtraction(
        layout=layout,
        title=title,
        site_name=_collapse(site_name) if site_name else None,
        url=_page_url(parser),
        keywords=keywords,
        description=_collapse(description) if description else None,
        nav_labels=_nav_labels(parser.links, inside),
    )


def _trim(pieces: list[Piece]) -> list[Piece]:
    """Drop HTML whitespace at both ends of a segment (collapsed spaces never start or end one)."""
    while pieces and pieces[0].orig == INSERTED and not pieces[0].text.strip():
        pieces = pieces[1:]
    while pieces and not pieces[-1].text.strip(_HTML_WS):
        pieces = pieces[:-1]
    return pieces


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _norm(text: str) -> str:
    return _NORM_DROP.sub("", text).casefold()


def _prose_weight(seg: _HSegment) -> int:
    if seg.chars < EXTRACTION.prose_min_chars or seg.link_chars > EXTRACTION.prose_max_link * seg.chars:
        return 0
    text = seg.text
    if not any(p in text for p in patterns.CLAUSE_PUNCT) or seg.reason():
        return 0
    return seg.chars - seg.link_chars


def _main_container(segments: list[_HSegment]) -> _Node | None:
    nodes: list[_Node] = []
    total = 0
    for seg in segments:
        weight = _prose_weight(seg)
        if not weight or seg.node is None:
            continue
        if _effective_marker(seg.node, set()) in _NOT_ARTICLE_MARKERS:
            continue  # readers' comments can outweigh a short article (guancha pages)
        total += weight
        node: _Node | None = seg.node
        while node is not None and node.tag not in _CONTAINER_TAGS:
            node = node.parent
        while node is not None:
            if node.prose == 0:
                nodes.append(node)
            node.prose += weight
            node = node.parent
    if total == 0:
        return None
    best = [n for n in nodes if n.prose >= EXTRACTION.container_share * total]
    return max(best, key=lambda n: n.depth) if best else None


def _ancestry(node: _Node | None) -> set[int]:
    out: set[int] = set()
    while node is not None:
        out.add(id(node))
        node = node.parent
    return out


def _inside(seg: _HSegment, container: _Node | None) -> bool:
    node = seg.node
    while node is not None:
        if node is container:
            return True
        node = node.parent
    return False


def _effective_marker(node: _Node | None, container_line: set[int]) -> str | None:
    """The nearest site-chrome marker among the ancestors, ignoring those that hold the main content."""
    while node is not None:
        if node.marker is not None and id(node) not in container_line:
            return node.marker
        node = node.parent
    return None


def _classify(seg: _HSegment, is_title: bool, container: _Node | None, container_line: set[int]) -> BlockKind:
    if is_title:
        return "title"
    text = seg.text
    if seg.reason():
        return "boilerplate"
    if _effective_marker(seg.node, container_line):
        return "boilerplate"
    if seg.chars and seg.link_chars > EXTRACTION.link_density_max * seg.chars:
        return "boilerplate"
    if container is None or _inside(seg, container):
        return "main"
    if (
        seg.chars >= EXTRACTION.outside_main_min_chars
        and seg.link_chars <= EXTRACTION.prose_max_link * seg.chars
        and any(p in text for p in patterns.CLAUSE_PUNCT)
    ):
        return "main"
    return "boilerplate"


def _resembles(text: str, title: str) -> bool:
    a, b = _norm(text), _norm(title)
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 4 and short in long_ and len(short) >= 0.5 * len(long_):
        return True
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.7


def _title_segment(
    segments: list[_HSegment], container: _Node | None, titles: list[str], site_part: str | None
) -> _HSegment | None:
    titles = [t for t in titles if t and _norm(t)]
    site = _norm(site_part) if site_part else None

    def ok(seg: _HSegment) -> bool:
        text = seg.text
        if (site and _norm(text) == site) or len(text) > 200 or seg.reason():
            return False
        return any(_resembles(text, t) for t in titles)

    def rank(seg: _HSegment) -> tuple[int, int]:
        return (
            0 if container is not None and _inside(seg, container) else 1,
            seg.node.heading if seg.node else 9,
        )

    if titles:
        for levels in ((1, 2), (3,)):
            found = [s for s in segments if s.node is not None and s.node.heading in levels and ok(s)]
            if found:
                return min(found, key=rank)
        hinted = [s for s in segments if s.node is not None and s.node.title_hint and ok(s)]
        if hinted:
            return min(hinted, key=rank)
        exact = {_norm(t) for t in titles}
        for seg in segments:
            if _norm(seg.text) in exact and not seg.reason():
                return seg
    return _title_before_byline(segments)


def _title_before_byline(segments: list[_HSegment]) -> _HSegment | None:
    """A CMS page whose <title> names only the section: its heading is the line right before the byline
    (发布时间：… 来源：…) that opens the article."""
    for j, seg in enumerate(segments):
        if j == 0 or seg.reason() != "byline":
            continue
        after = segments[j + 1 : j + 4]
        if not any(_prose_weight(s) for s in after):
            continue
        candidate = segments[j - 1]
        text = candidate.text.strip()
        if (
            4 <= candidate.chars <= 80
            and candidate.link_chars <= EXTRACTION.link_density_max * candidate.chars
            and text[-1] not in patterns.SENTENCE_FINAL
            and not candidate.reason()
        ):
            return candidate
        return None
    return None


def _first_heading(segments: list[_HSegment]) -> str | None:
    for seg in segments:
        if seg.node is not None and seg.node.heading == 1:
            return _collapse(seg.text)
    return None


def _page_url(parser: _Parser) -> str | None:
    base = None
    for candidate in (parser.meta.get("og:url"), parser.base_href):
        if candidate and _absolute_http(candidate):
            base = candidate
            break
    for candidate in (parser.canonical, parser.meta.get("og:url"), parser.base_href):
        if not candidate:
            continue
        resolved = candidate if _absolute_http(candidate) else (urljoin(base, candidate) if base else None)
        if resolved and _absolute_http(resolved):
            return resolved
    return None


def _absolute_http(url: str) -> bool:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


def _nav_labels(links: list[_Link], container_line: set[int]) -> tuple[str, ...]:
    out: list[str] = []
    for link in links:
        marker = _effective_marker(link.node, container_line)
        if marker is None or not any(marker.startswith(m) or marker == m for m in _NAV_MARKERS):
            continue
        label = _collapse(" ".join(link.parts))
        if label and len(label) <= 20 and label not in out:
            out.append(label)
    return tuple(out[:200])
