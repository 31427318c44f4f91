"""When a page was published: its date and where it was read (CONTRACT.md, "Dates").

Kinds, in order of trust (the first that yields a plausible date wins):

1. ``meta``: ``<meta>`` tags that name a publication date (article:published_time, pubdate,
   publishdate, PubDate, DC.date, og:time ...).
2. ``json-ld``: ``datePublished`` (else ``dateCreated``) in ``application/ld+json``, in any
   ``@graph``; the shallowest one wins, so the article's own date beats an item list's.
3. ``text``: the page's date line (发布时间：2017-09-12 13:32, 日期:2017年9月12日, 发表于2014-08-24
   21:30, 二〇一七年九月十二日, full-width digits), read from the short blocks between the
   title and the body; below the body only a labelled publication line counts, so a comment's
   or a "related articles" teaser's date never wins. Then htmldate's element and text heuristics,
   unless the date they find is written only below the article.
4. ``url``: /2017/0912/, /20170912/, /2017-09-12/, /2019-12/10/.
5. ``http``: the Last-Modified header of a fetched page (``last_modified``).

A date before ``DateSettings.earliest_year`` or after today (plus a day for time zones) is
ignored. htmldate is given an lxml tree we parsed, never a string: given a string that looks
like a URL it would download it.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from detector.config import EXTRACTION, DateSettings
from detector.ingest.date_parse import (
    DEFAULTS,
    YMD,
    YMD_CN,
    YMD_SHORT,
    dates_in,
    fold,
    from_match,
    parse_date,
    plausible,
    short_year,
)
from detector.model import Block

DateSource = Literal["meta", "json-ld", "text", "url", "http", "index"]


@dataclass(frozen=True)
class PageDate:
    """An ISO 8601 date (``2017-09-12``) or date-time (``2017-09-12T13:32:00+08:00``), and its kind."""

    value: str
    source: DateSource
    block: int | None = None  # the date line's block (``text`` dates read by us)

    @property
    def day(self) -> date:
        return date.fromisoformat(self.value[:10])


# ---- the page's date line (text) ------------------------------------------------------------------

# A label right before the date says what the date is.
_PUBLISHED_LABEL = re.compile(
    r"(?:发布|发表|发稿|刊发|刊登|出版|上传|录入|添加|创建|撰写)(?:时间|日期|于)|发布|发表于|日期|时间|"
    r"published|posted|date",
    re.IGNORECASE,
)
_OTHER_LABEL = re.compile(
    r"(?:更新|修改|编辑|最后|评论|回复|截止|报名|开始|结束|活动|会议|有效)(?:时间|日期|于)?|"
    r"updated|modified|edited|expires?|deadline",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Line:
    block: int
    value: str
    labelled: bool
    bare: bool  # the block holds the date (and time) and nothing else


def _label_of(text: str, start: int) -> str | None:
    """``published``, ``other`` or None: what the words just before a date call it."""
    before = text[max(0, start - EXTRACTION.date_label_reach) : start]
    other = None
    for m in _OTHER_LABEL.finditer(before):
        other = m.end()
    published = None
    for m in _PUBLISHED_LABEL.finditer(before):
        published = m.end()
    if other is not None and (published is None or other >= published):
        return "other"
    return "published" if published is not None else None


def _visible(raw: str) -> int:
    """Characters that are not white space (``str.split`` runs in C)."""
    return len("".join(raw.split()))


def _lines(text: str, blocks: Sequence[Block], today: date, settings: DateSettings) -> list[_Line]:
    out: list[_Line] = []
    most = settings.max_line_chars
    for i, b in enumerate(blocks):
        if b.kind == "title":
            continue
        raw = text[b.start : b.end]
        # Inline, no call per block; a block of at most ``most`` characters needs no count.
        if b.end - b.start > most and len("".join(raw.split())) > most:
            continue
        folded = " ".join(fold(raw).split())  # a short line, however much white space it holds
        candidates: list[tuple[int, int, str]] = []
        for m in YMD.finditer(folded):
            value = from_match(m)
            if value is not None:
                candidates.append((m.start(), m.end(), value))
        for m in YMD_CN.finditer(folded):
            value = parse_date(m[0], today=today, settings=settings)
            if value is not None:
                candidates.append((m.start(), m.end(), value))
        for m in YMD_SHORT.finditer(folded):
            if not candidates and _label_of(folded, m.start()) == "published":
                short = short_year(m, today)
                if short is not None:
                    candidates.append((m.start(), m.end(), short))
        for start, end, value in sorted(candidates):
            if not plausible(date.fromisoformat(value[:10]), today, settings):
                continue
            label = _label_of(folded, start)
            if label == "other":
                continue
            bare = not any(c.isalnum() for c in folded[:start] + folded[end:])
            out.append(_Line(i, value, label == "published", bare))
            break  # one date per line: the first that is not an update or a comment date
    return out


def _is_body(b: Block, text: str, settings: DateSettings) -> bool:
    """A main block of prose: long, or a sentence (a date line has no full stop)."""
    if b.kind != "main":
        return False
    raw = text[b.start : b.end]
    size = _visible(raw)
    return size > settings.max_line_chars or (
        size >= settings.min_prose_chars and bool(_SENTENCE.search(raw))
    )


_SENTENCE = re.compile(r"[。！？!?]|\.(?:\s|$)")


def _body_start(text: str, blocks: Sequence[Block], title: int | None, settings: DateSettings) -> int:
    after = -1 if title is None else title
    return next((i for i, b in enumerate(blocks) if i > after and _is_body(b, text, settings)), len(blocks))


def find_date_line(
    text: str, blocks: Sequence[Block], *, today: date | None = None, settings: DateSettings = DEFAULTS
) -> tuple[str, int] | None:
    """The date of the page's date line and its block: the first date between the title and the
    body (without a title: the last one before the body, if labelled or right above it); else the
    first labelled publication date below the body's start. Comment and teaser dates (unlabelled,
    or labelled as updates, replies ...) never count."""
    today = today or datetime.now(UTC).date()
    lines = _lines(text, blocks, today, settings)
    if not lines:
        return None
    title = next((i for i, b in enumerate(blocks) if b.kind == "title"), None)
    body = _body_start(text, blocks, title, settings)
    chosen: _Line | None = None
    if title is not None:
        head = [ln for ln in lines if title < ln.block < body]
        # else a date line right above the title (a few CMS put it there)
        above = [ln for ln in lines if title - 3 <= ln.block < title and ln.labelled]
        chosen = head[0] if head else (above[-1] if above else None)
    else:
        head = [ln for ln in lines if ln.block < body and (ln.labelled or ln.block >= body - 3)]
        chosen = head[-1] if head else None
    if chosen is None:
        # Below the body's start: a labelled publication line, or a bare date right after article
        # text (a gallery's caption, then its date); a comment's date comes with a name.
        below = [
            ln
            for ln in lines
            if ln.block > body and (ln.labelled or (ln.bare and blocks[ln.block - 1].kind == "main"))
        ]
        chosen = below[0] if below else None
    return None if chosen is None else (chosen.value, chosen.block)


def date_line(
    text: str, blocks: Sequence[Block], *, today: date | None = None, settings: DateSettings = DEFAULTS
) -> str | None:
    found = find_date_line(text, blocks, today=today, settings=settings)
    return None if found is None else found[0]


def _only_below_body(day: str, text: str, blocks: Sequence[Block], settings: DateSettings) -> bool:
    """Whether ``day`` is written on the page only below the start of its body (a comment's or a
    teaser's date), so that a heuristic that found it has not found the article's."""
    title = next((i for i, b in enumerate(blocks) if b.kind == "title"), None)
    body = _body_start(text, blocks, title, settings)
    places = [i for i, b in enumerate(blocks) if day in _days_in(text[b.start : b.end])]
    return bool(places) and min(places) > body


def _days_in(raw: str) -> set[str]:
    return {value[:10] for value in dates_in(fold(raw))}


# ---- meta, JSON-LD, URL, HTTP ---------------------------------------------------------------------

# Lower-cased, spaces removed; most specific first.
META_NAMES = (
    "article:published_time", "og:article:published_time", "og:published_time", "article:published",
    "published_time", "publish_time", "publishtime", "publishdate", "publish_date", "publish-date",
    "pubdate", "pub_date", "pubtime", "firstpublishedtime", "datepublished", "dc.date.issued",
    "dcterms.issued", "dc.date.created", "dcterms.created", "dc.date", "dcterms.date",
    "citation_publication_date", "citation_date", "sailthru.date", "parsely-pub-date",
    "weibo:article:create_at", "og:release_date", "og:time", "apub:time", "date", "datecreated",
)  # fmt: skip
_META_RANK = {name: i for i, name in enumerate(META_NAMES)}
_WS = re.compile(r"\s{1,50}")


def meta_date(tree: Any, *, today: date, settings: DateSettings = DEFAULTS) -> str | None:
    best: tuple[int, str] | None = None
    for elem in tree.iterfind(".//meta"):
        key = elem.get("name") or elem.get("property") or elem.get("itemprop") or ""
        rank = _META_RANK.get(_WS.sub("", key).lower())
        content = elem.get("content") or elem.get("datetime")
        if rank is None or not content or (best is not None and best[0] <= rank):
            continue
        value = parse_date(content, today=today, settings=settings)
        if value is not None:
            best = (rank, value)
    return best[1] if best else None


def json_ld_date(tree: Any, *, today: date, settings: DateSettings = DEFAULTS) -> str | None:
    for script in tree.iterfind(".//script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = script.text or ""
        if not raw.strip() or len(raw) > settings.json_ld_max_chars:
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        for key in ("datePublished", "dateCreated"):
            value = _shallowest(data, key)
            parsed = parse_date(value, today=today, settings=settings) if value else None
            if parsed is not None:
                return parsed
    return None


def _shallowest(data: object, key: str) -> str | None:
    """Breadth first through objects and lists (so ``@graph`` members are reached), bounded."""
    queue: deque[object] = deque([data])
    seen = 0
    while queue and seen < 10_000:
        item = queue.popleft()
        seen += 1
        if isinstance(item, dict):
            value = item.get(key)
            if isinstance(value, str):
                return value
            queue.extend(item.values())
        elif isinstance(item, list):
            queue.extend(item)
    return None


_URL_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})(?:[/_-](?P<m1>0?[1-9]|1[0-2])[/_-](?P<d1>0?[1-9]|[12]\d|3[01])"
    r"|/?(?P<m2>0[1-9]|1[0-2])(?P<d2>0[1-9]|[12]\d|3[01]))(?!\d)"
)


def url_date(url: str | None, *, today: date | None = None, settings: DateSettings = DEFAULTS) -> str | None:
    """/2017/0912/, /20170912/, /2017-09-12/, /2019-12/10/ in the URL's path."""
    if not url:
        return None
    today = today or datetime.now(UTC).date()
    try:
        path = urlsplit(url.strip()[:2000]).path
    except ValueError:
        return None
    for m in _URL_DATE.finditer(path):
        try:
            day = date(int(m["y"]), int(m["m1"] or m["m2"]), int(m["d1"] or m["d2"]))
        except ValueError:
            continue
        if plausible(day, today, settings):
            return day.isoformat()
    return None


def http_date(
    header: str | None, *, today: date | None = None, settings: DateSettings = DEFAULTS
) -> str | None:
    """An HTTP date (``Tue, 12 Sep 2017 05:32:00 GMT``) as ISO 8601."""
    if not header:
        return None
    today = today or datetime.now(UTC).date()
    try:
        when = parsedate_to_datetime(header.strip()[:100])
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if not plausible(when.date(), today, settings):
        return None
    return when.isoformat()


# ---- the page ------------------------------------------------------------------------------------


def parse_tree(original: str) -> Any:
    """An lxml tree of the page, or None when lxml cannot read it."""
    import lxml.etree
    import lxml.html

    try:
        parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, huge_tree=False)
        return lxml.html.document_fromstring(original.encode("utf-8", "replace"), parser=parser)
    except (lxml.etree.ParserError, ValueError, TypeError):
        return None


def _htmldate_text(tree: Any, today: date) -> str | None:
    """htmldate's element and text heuristics (``<time>``, date classes, text patterns) on the page
    without what the other kinds read: its meta tags, JSON-LD and links go (htmldate reads dates
    out of all three, and leniently: 2017-02-30 becomes 2017-02-01), and ``url=""`` keeps it from
    the page's URL."""
    from htmldate import find_date

    for elem in list(tree.iter("meta", "link", "script")):
        parent = elem.getparent()
        if parent is not None:
            parent.remove(elem)
    opts = _htmldate_options(today)
    return _checked(
        find_date(
            tree, extensive_search=False, original_date=True, url="", min_date=opts.min, max_date=opts.max
        )
    )


def _htmldate_options(today: date) -> Any:
    from htmldate.utils import Extractor

    latest = datetime(today.year, today.month, today.day) + timedelta(days=DEFAULTS.future_days)
    return Extractor(False, latest, datetime(DEFAULTS.earliest_year, 1, 1), True, "%Y-%m-%d")


def _checked(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def page_date(
    original: str | None,
    text: str,
    blocks: Sequence[Block],
    *,
    url: str | None = None,
    is_html: bool = True,
    last_modified: str | None = None,
    today: date | None = None,
    settings: DateSettings = DEFAULTS,
) -> PageDate | None:
    """The page's publication date, from the most trusted kind that has one (module docstring).

    ``original``: the decoded HTML (None or ``is_html=False`` for text pages: only the date line
    and the URL are read); ``text``/``blocks``: the extracted text; ``last_modified``: the HTTP
    header of a fetched page.
    """
    today = today or datetime.now(UTC).date()
    tree = parse_tree(original) if is_html and original else None
    use_htmldate = tree is not None and original is not None and len(original) <= settings.htmldate_max_chars
    if tree is not None:
        found = meta_date(tree, today=today, settings=settings)
        if found is not None:
            return PageDate(found, "meta")
        found = json_ld_date(tree, today=today, settings=settings)
        if found is not None:
            return PageDate(found, "json-ld")
    line = find_date_line(text, blocks, today=today, settings=settings)
    if line is not None:
        return PageDate(line[0], "text", line[1])
    if use_htmldate:
        found = _htmldate_text(tree, today)
        if found is not None and not _only_below_body(found, text, blocks, settings):
            return PageDate(found, "text")
    found = url_date(url, today=today, settings=settings)
    if found is not None:
        return PageDate(found, "url")
    found = http_date(last_modified, today=today, settings=settings)
    if found is not None:
        return PageDate(found, "http")
    return None


def given_date(raw: object, *, today: date | None = None) -> str | None:
    """A ``published`` value given with an input record (a JSONL field): a string or a Unix time."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int | float):
        raw = str(int(raw))
    if not isinstance(raw, str):
        return None
    return parse_date(raw, today=today)
