"""The HTML parser behind htmlpage.py: text pieces with their exact positions in the decoded file,
and the light element stack (tags, classes, links) that the labelling reads.

Parsing uses the stdlib ``HTMLParser`` with ``convert_charrefs=False`` so that every piece of text arrives
with its position in the decoded file: a run of text maps one to one, an entity becomes one character pointing
at its ``&``, separators and collapsed whitespace are inserted (they map to the next run). The parser keeps a
light stack of open elements (with the implied end tags that matter: ``p``, ``li``, ``td``, ``tr``,
``option``) so that each block of text knows its ancestors.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from detector.ingest import patterns
from detector.ingest.layout import INSERTED, Layout, Piece, Segment

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
        # the teaser of the next story after an article (163: post_next_post_wrap), prev/next boxes
        "next", "prev", "prenext", "nextpost", "teaser",
    }
)  # fmt: skip
_MARKER_IGNORE = re.compile(r"^(?:position-(?:relative|absolute|static|fixed|sticky)|sticky-top|fixed-top)$")
_TITLE_HINT = re.compile(r"title|headline|biaoti|tit\b|tit_|heading", re.IGNORECASE)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_HTML_WS = " \t\n\r\f"
_WS_OR_TEXT = re.compile(r"[ \t\n\r\f]+|[^ \t\n\r\f]+")
_PRE_LINES = re.compile(r"\r\n|\n|\r|[^\r\n]+")

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
