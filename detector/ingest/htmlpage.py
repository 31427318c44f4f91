"""HTML -> visible text with exact offsets, labelled blocks (title / main / boilerplate) and page metadata.

Parsing uses the stdlib ``HTMLParser`` with ``convert_charrefs=False`` so that every piece of text arrives
with its position in the decoded file: a run of text maps one to one, an entity becomes one character pointing
at its ``&``, separators and collapsed whitespace are inserted (they map to the next run). The parser keeps a
light stack of open elements (with the implied end tags that matter: ``p``, ``li``, ``td``, ``tr``,
``option``) so that each block of text knows its ancestors.

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
   only prose is main, so an article paragraph that sits outside is still kept.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from detector.ingest import patterns
from detector.ingest.layout import INSERTED, Layout, Piece, Segment, assemble
from detector.model import BlockKind

_HIDDEN_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "iframe",
        "object",
        "canvas",
        "math",
        "select",
        "textarea",
    }
)
_VOID = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
        "track", "wbr", "keygen", "basefont", "frame", "isindex",
    }
)  # fmt: skip
_HEAD_TAGS = frozenset({"title", "meta", "link", "base", "script", "style", "noscript", "template", "object"})
# Elements that end a line of text ("\n") and elements that end a paragraph ("\n\n").
_LINE_TAGS = frozenset(
    {"br", "li", "td", "th", "tr", "dt", "dd", "option", "caption", "figcaption", "legend"}
)
_PARA_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "center", "details", "dialog", "dir", "div",
        "dl", "fieldset", "figure", "footer", "form", "frameset", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hgroup", "hr", "html", "main", "menu", "nav", "ol", "p", "pre", "section", "summary",
        "table", "tbody", "thead", "tfoot", "ul", "title", "listing", "plaintext", "xmp", "iframe", "video",
        "audio",
    }
)  # fmt: skip
_CONTAINER_TAGS = frozenset(
    {
        "div", "section", "article", "main", "td", "th", "body", "html", "table", "tbody", "ul", "ol", "li",
        "blockquote", "form", "center", "dd", "dl", "#root",
    }
)  # fmt: skip
_P_CLOSERS = _PARA_TAGS - {"body", "html", "title", "iframe", "video", "audio"} | {"li"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BOILERPLATE_TAGS = frozenset({"nav", "header", "footer", "aside", "menu"})
# Parts of class/id values that name site chrome. Substrings, except the short ones in _MARKER_TOKENS, which
# must be a whole class name or a whole part of one (split on - and _).
_MARKER_SUBSTRINGS = (
    "nav", "menu", "footer", "header", "breadcrumb", "crumb", "sidebar", "copyright", "banquan", "share",
    "comment", "related", "login", "search", "position", "weizhi", "contact", "lianxi", "friendlink", "flink",
    "yqlj", "banner", "toolbar", "sitemap", "pagination", "recommend", "advert", "adsbygoogle", "daohang",
    "dh_", "footnav", "topbar", "bottom", "social", "cookie", "popup", "modal", "qrcode", "erweima",
)  # fmt: skip
_MARKER_TOKENS = frozenset(
    {
        "ad", "ads", "gg", "guanggao", "links", "link", "foot", "side", "aside", "top", "dh", "hot", "tags",
        "tag", "logo", "pager", "pages", "crumbs", "location", "path", "bread", "tool", "tools", "fenxiang",
        "footer", "nav", "menu",
    }
)  # fmt: skip
_MARKER_IGNORE = re.compile(r"^(?:position-(?:relative|absolute|static|fixed|sticky)|sticky-top|fixed-top)$")
_NAV_MARKERS = ("nav", "menu", "header", "daohang", "dh", "top", "topbar")
_TITLE_HINT = re.compile(r"title|headline|biaoti|tit\b|tit_|heading", re.IGNORECASE)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_HTML_WS = " \t\n\r\f"
_WS_OR_TEXT = re.compile(r"[ \t\n\r\f]+|[^ \t\n\r\f]+")
_PRE_LINES = re.compile(r"\r\n|\n|\r|[^\r\n]+")
_NORM_DROP = re.compile(r"[\W_]+")

_PROSE_MIN_CHARS = 25  # a block shorter than this is never "prose" for choosing the container
_PROSE_MAX_LINK = 0.3  # ... nor one with more than 30% link text
_CONTAINER_SHARE = 0.6  # the container is the deepest element holding this share of the prose
_OUTSIDE_MAIN_MIN_CHARS = 30  # prose outside the container is kept as main from this length
_LINK_DENSITY_MAX = 0.5  # a block with more link text than this is navigation
_LIST_PAGE_MAIN_CHARS = 50  # less main text than this: a list page, whose headlines are its content
_MAX_DEPTH = 512  # like browsers' tree builders: deeper elements nest no further (bounds every ancestor walk)


@dataclass(slots=True, eq=False)
class _Node:
    tag: str
    parent: _Node | None
    depth: int
    marker: str | None = None
    hidden: bool = False
    in_head: bool = False
    pre: bool = False
    heading: int = 0
    title_hint: bool = False
    prose: int = 0


@dataclass(slots=True, eq=False)
class _HSegment(Segment):
    node: _Node | None = None
    chars: int = 0
    link_chars: int = 0
    last_char: str = ""
    _reason: str | None = None
    _reason_known: bool = False

    def reason(self) -> str | None:
        """Why the words of this block are site chrome (``patterns.boilerplate_reason``), computed once."""
        if not self._reason_known:
            self._reason = patterns.boilerplate_reason(self.text)
            self._reason_known = True
        return self._reason


@dataclass(slots=True, eq=False)
class _Link:
    node: _Node
    parts: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class HtmlExtraction:
    layout: Layout
    title: str | None
    site_name: str | None
    url: str | None
    keywords: tuple[str, ...]
    description: str | None
    nav_labels: tuple[str, ...]


class _Parser(HTMLParser):
    def __init__(self, original: str) -> None:
        super().__init__(convert_charrefs=False)
        self.original = original
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", original)]
        self.root = _Node("#root", None, 0)
        self.stack: list[_Node] = [self.root]
        self.segments: list[_HSegment] = []
        self.cur: _HSegment | None = None
        self.pending_sep = 0
        self.ws: tuple[int, bool, bool] | None = None  # (position, exactly one space, had a newline)
        self.last_was_br = False
        self.after_link = False
        self.links: list[_Link] = []
        self.open_links: list[_Link] = []
        self.title_parts: list[str] | None = None
        self.title_text: str | None = None
        self.meta: dict[str, str] = {}
        self.canonical: str | None = None
        self.base_href: str | None = None
        self.logo_alts: list[str] = []

    # -- positions -------------------------------------------------------------------------------------
    def _pos(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    # -- tags ----------------------------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        top = self.stack[-1]
        if top.in_head and tag not in _HEAD_TAGS:
            self._close_head()
            top = self.stack[-1]
        values = {k.lower(): (v or "") for k, v in attrs}
        if not top.hidden:
            self._metadata(tag, values)
        if tag in _VOID:
            if tag == "br":
                self._break_line()
            elif tag in _PARA_TAGS or tag == "hr":
                self._boundary(2)
            return
        self._implied_end(tag)
        if tag in _PARA_TAGS:
            self._boundary(2)
        elif tag in _LINE_TAGS:
            self._boundary(1)
        top = self.stack[-1]
        if len(self.stack) >= _MAX_DEPTH:
            return
        node = _Node(tag, top, top.depth + 1)
        node.hidden = top.hidden or tag in _HIDDEN_TAGS or _is_hidden(values)
        node.in_head = (top.in_head or tag == "head") and tag != "title"
        node.pre = top.pre or tag in {"pre", "listing", "plaintext", "xmp"}
        node.heading = _HEADINGS.get(tag, top.heading)
        names = values.get("class", "") + " " + values.get("id", "")
        node.title_hint = top.title_hint or _title_hint(names)
        node.marker = _marker(tag, names)
        self.stack.append(node)
        if tag == "a":
            if self.after_link and self.cur is not None and self.ws is None:
                self.ws = (INSERTED, False, False)  # <a>首页</a><a>关于我们</a> reads as two words
            link = _Link(node)
            self.open_links.append(link)
            self.links.append(link)
        if tag == "title" and not top.hidden and self.title_text is None:
            self.title_parts = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            if tag == "br":  # browsers read </br> as <br>
                self._break_line()
            return
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                break
        else:
            return
        while len(self.stack) > i:
            self._pop()

    def _pop(self) -> None:
        node = self.stack.pop()
        if node.tag == "a":
            if self.open_links and self.open_links[-1].node is node:
                self.open_links.pop()
            self.after_link = True
        elif node.tag == "title" and self.title_parts is not None:
            self.title_text = " ".join("".join(self.title_parts).split())
            self.title_parts = None
        if node.tag in _PARA_TAGS:
            self._boundary(2)
        elif node.tag in _LINE_TAGS:
            self._boundary(1)

    def _close_head(self) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == "head":
                while len(self.stack) > i:
                    self._pop()
                return
        # in_head inherited without a head element on the stack cannot happen; be safe anyway
        self.stack[-1].in_head = False

    def _implied_end(self, tag: str) -> None:
        """The implied end tags that change ancestry: a new p/li/td/tr/option closes the open one."""
        if tag in _P_CLOSERS:
            self._close_open("p", stop=_CONTAINER_TAGS | {"button"})
        if tag == "li":
            self._close_open("li", stop=frozenset({"ul", "ol", "menu", "table"}))
        elif tag in {"td", "th"}:
            self._close_open("td", stop=frozenset({"tr", "table"}))
            self._close_open("th", stop=frozenset({"tr", "table"}))
        elif tag == "tr":
            self._close_open("tr", stop=frozenset({"table", "tbody", "thead", "tfoot"}))
        elif tag in {"dt", "dd"}:
            self._close_open("dt", stop=frozenset({"dl"}))
            self._close_open("dd", stop=frozenset({"dl"}))
        elif tag in {"option", "optgroup"}:
            self._close_open("option", stop=frozenset({"select", "datalist"}))
        elif tag == "a":
            self._close_open("a", stop=_CONTAINER_TAGS)

    def _close_open(self, tag: str, stop: frozenset[str]) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            name = self.stack[i].tag
            if name == tag:
                while len(self.stack) > i:
                    self._pop()
                return
            if name in stop:
                return

    def _metadata(self, tag: str, values: dict[str, str]) -> None:
        if tag == "meta":
            key = (
                (values.get("name") or values.get("property") or values.get("itemprop") or "").strip().lower()
            )
            content = values.get("content", "").strip()
            if key and content and key not in self.meta:
                self.meta[key] = html.unescape(content)
        elif tag == "link":
            rels = values.get("rel", "").lower().split()
            if "canonical" in rels and self.canonical is None and values.get("href", "").strip():
                self.canonical = html.unescape(values["href"].strip())
        elif tag == "base":
            if self.base_href is None and values.get("href", "").strip():
                self.base_href = html.unescape(values["href"].strip())
        elif tag == "img":
            where = " ".join((values.get("class", ""), values.get("id", ""), values.get("src", ""))).lower()
            alt = " ".join(html.unescape(values.get("alt", "")).split())
            if "logo" in where and alt:
                self.logo_alts.append(alt)

    # -- text ----------------------------------------------------------------------------------------------
    def handle_data(self, data: str) -> None:
        top = self.stack[-1]
        if self.title_parts is not None and top.tag == "title":
            self.title_parts.append(data)
            return
        if top.in_head and not top.hidden and data.strip(_HTML_WS):
            self._close_head()  # text in an unclosed <head> starts the body, as browsers read it
            top = self.stack[-1]
        if top.hidden or top.in_head:
            return
        pos = self._pos()
        if top.pre:
            for m in _PRE_LINES.finditer(data):
                token = m.group()
                if token[0] in "\r\n":
                    self._break_line()
                else:
                    self._word(token, pos + m.start(), exact=True)
            return
        for m in _WS_OR_TEXT.finditer(data):
            token = m.group()
            if token[0] in _HTML_WS:
                self._space(pos + m.start(), token)
            else:
                self._word(token, pos + m.start(), exact=True)

    def handle_entityref(self, name: str) -> None:
        self._reference("&" + name)

    def handle_charref(self, name: str) -> None:
        self._reference("&#" + name)

    def _reference(self, raw: str) -> None:
        top = self.stack[-1]
        pos = self._pos()
        if self.original.startswith(";", pos + len(raw)):
            raw += ";"
        value = html.unescape(raw)
        if self.title_parts is not None and top.tag == "title":
            self.title_parts.append(value)
            return
        if top.hidden or top.in_head:
            return
        if value == raw:  # not an entity after all: keep the characters as they are
            self._word(raw, pos, exact=True)
            return
        # "&copy2016" -> "©2016": the common tail is literal text, the head stands for the entity.
        tail = 0
        while tail < min(len(raw), len(value)) - 1 and raw[-1 - tail] == value[-1 - tail]:
            tail += 1
        head = value[: len(value) - tail]
        if head and all(c in _HTML_WS for c in head):
            self._space(INSERTED, " ")
        elif head:
            self._word(head, pos, exact=False)
        if tail:
            self._word(value[len(value) - tail :], pos + len(raw) - tail, exact=True)

    def _space(self, pos: int, token: str) -> None:
        if self.cur is None:
            return
        newline = "\n" in token or "\r" in token
        if self.ws is None:
            self.ws = (pos, token == " " and pos != INSERTED, newline)
        else:
            self.ws = (self.ws[0], False, self.ws[2] or newline)

    def _word(self, token: str, pos: int, *, exact: bool) -> None:
        seg = self.cur
        if seg is None:
            seg = _HSegment(sep="\n\n" if self.pending_sep >= 2 else "\n", node=self.stack[-1])
            self.cur = seg
            self.ws = None
        elif self.ws is not None:
            ws_pos, single, newline = self.ws
            if newline and patterns.is_cjk(seg.last_char) and patterns.is_cjk(token[0]):
                pass  # a line break between two Chinese characters is not a space
            elif single:
                seg.pieces.append(Piece(" ", ws_pos))
            else:
                seg.pieces.append(Piece(" ", INSERTED))
            self.ws = None
        seg.pieces.append(Piece(token, pos, exact))
        seg.last_char = token[-1]
        visible = len(token) - sum(1 for c in token if c.isspace())
        seg.chars += visible
        if self.open_links:
            seg.link_chars += visible
            self.open_links[-1].parts.append(token)
        self.last_was_br = False
        self.after_link = False

    def _break_line(self) -> None:
        if self.cur is None and self.last_was_br:
            self._boundary(2)  # <br><br> is a paragraph break
        else:
            self._boundary(1)
        self.last_was_br = True

    def _boundary(self, strength: int) -> None:
        self.ws = None
        self.after_link = False
        if self.cur is not None:
            seg = self.cur
            self.cur = None
            self.pending_sep = strength
            if seg.text.strip():
                self.segments.append(seg)
            return
        self.pending_sep = max(self.pending_sep, strength)
        self.last_was_br = False

    def finish(self) -> None:
        self.close()
        while len(self.stack) > 1:
            self._pop()
        self._boundary(2)
        if self.title_parts is not None:
            self.title_text = " ".join("".join(self.title_parts).split())
            self.title_parts = None


def _is_hidden(values: dict[str, str]) -> bool:
    if "hidden" in values:
        return True
    return bool(_HIDDEN_STYLE.search(values.get("style", "")))


def _title_hint(names: str) -> bool:
    return bool(_TITLE_HINT.search(names))


def _marker(tag: str, names: str) -> str | None:
    """Why an element is site chrome, from its tag or its class and id (``names``), or None."""
    if tag in _BOILERPLATE_TAGS:
        return tag
    for name in names.lower().split():
        if _MARKER_IGNORE.match(name):
            continue
        for sub in _MARKER_SUBSTRINGS:
            if sub in name:
                return sub
        for part in re.split(r"[-_]+", name):
            if part in _MARKER_TOKENS:
                return part
    return None


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
    if sum(s.chars for s in segments if s.kind == "main") < _LIST_PAGE_MAIN_CHARS:
        _rescue(segments, inside)

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
    if seg.chars < _PROSE_MIN_CHARS or seg.link_chars > _PROSE_MAX_LINK * seg.chars:
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
    best = [n for n in nodes if n.prose >= _CONTAINER_SHARE * total]
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
    if seg.chars and seg.link_chars > _LINK_DENSITY_MAX * seg.chars:
        return "boilerplate"
    if container is None or _inside(seg, container):
        return "main"
    if (
        seg.chars >= _OUTSIDE_MAIN_MIN_CHARS
        and seg.link_chars <= _PROSE_MAX_LINK * seg.chars
        and any(p in text for p in patterns.CLAUSE_PUNCT)
    ):
        return "main"
    return "boilerplate"


def _rescue(segments: list[_HSegment], container_line: set[int]) -> None:
    """A page with (almost) no article text is a list or index page: its content is the headlines, so the
    link blocks outside chrome areas that read as headlines (8+ characters) become main text."""
    for seg in segments:
        if seg.kind != "boilerplate" or seg.reason():
            continue
        if _effective_marker(seg.node, container_line) is None and seg.chars >= 8:
            seg.kind = "main"


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
            and candidate.link_chars <= _LINK_DENSITY_MAX * candidate.chars
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


def offset_line_starts(original: str) -> list[int]:
    """Start offsets of the lines of ``original`` (used by tests and by location helpers)."""
    return [0] + [m.end() for m in re.finditer("\n", original)]


def line_column(line_starts: list[int], offset: int) -> tuple[int, int]:
    """1-based line and column of an offset of the original."""
    line = bisect_right(line_starts, offset)
    return line, offset - line_starts[line - 1] + 1
