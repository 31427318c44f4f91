"""Plain text and Markdown pages: the text is the file (line endings normalised), one block per line.

A text dump of a web page (``seeds/seed-page.txt``) carries the same chrome as the HTML did, so lines get
the same word patterns as HTML blocks, plus two rules of position: a first line that names the organisation
(it ends in 公司/厂/集团/网/Co., Ltd. ..., or reappears in the copyright line) is the site name, and the
first short line after it, before any article paragraph, is the title. Blank lines (and lines of only
``\\xa0`` or other spaces) are separators and belong to the block before them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate, compress

from detector.config import EXTRACTION
from detector.ingest import patterns
from detector.ingest.layout import Layout, RunBuilder, blocks_from_starts
from detector.model import BlockKind, OffsetMap

# The heading text is cut from its closing #s in Python: ``(.*?)\s*#*\s*$`` is cubic on a run of spaces.
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*)$")
_FRONT_MATTER_TITLE = re.compile(r"^\s*+title\s*+:\s*+(.*\S)\s*$")
_MD_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_MD_LINK_ONLY = re.compile(
    r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?(?:!?\[[^\]]*\]\([^)]*\)|<https?://[^>]+>)"
    r"(?:\s*+[|,·•/-]?+\s*+(?:!?\[[^\]]*\]\([^)]*\)|<https?://[^>]+>))*+\s*+[|,·•/-]?+\s*+$"
)
_MD_COMMENT = re.compile(r"^\s*+<!--.*-->\s*+$")
_TITLE_BAD_ENDINGS = "。.；;，,：:、"
_PLUS_ONE = (1).__add__


@dataclass(frozen=True, slots=True)
class PlainExtraction:
    layout: Layout
    title: str | None
    site_name: str | None
    nav_labels: tuple[str, ...]


def normalise_newlines(original: str) -> tuple[str, OffsetMap]:
    """``\\r\\n`` and ``\\r`` -> ``\\n``, with a map that skips the ``\\r`` of each ``\\r\\n``."""
    if "\r" not in original:
        return original, OffsetMap.identity(len(original)) if original else OffsetMap((), (), ())
    runs = RunBuilder()
    parts: list[str] = []
    pos = 0
    for m in re.finditer(r"\r\n|\r|[^\r]+", original):
        token = m.group()
        if token == "\r\n":
            runs.add(pos, m.start() + 1, 1, True)
            parts.append("\n")
            pos += 1
        elif token == "\r":
            runs.add(pos, m.start(), 1, False)  # a lone CR becomes LF: one character standing for another
            parts.append("\n")
            pos += 1
        else:
            runs.add(pos, m.start(), len(token), True)
            parts.append(token)
            pos += len(token)
    return "".join(parts), runs.build()


def extract_plain(
    original: str, *, markdown: bool = False, as_is: bool = False, title: str | None = None
) -> PlainExtraction:
    """Blocks for a text or Markdown page; ``as_is`` labels every line main (a source's own text)."""
    text, origin = normalise_newlines(original)
    if as_is:
        # Where each line that is not blank starts, without a Python step per line (that loop
        # was most of the cost of reading a JSONL source): line i starts at the sum of the
        # lengths of the lines before it plus their line breaks.
        every = text.split("\n")
        at = accumulate(map(_PLUS_ONE, map(len, every)), initial=0)
        starts = list(compress(at, map(str.strip, every)))
        kinds: list[BlockKind] = ["main"] * len(starts)
        page_title = title.strip() if title and title.strip() else None
        site_name = None
        nav: tuple[str, ...] = ()
    else:
        lines: list[tuple[int, str]] = []
        pos = 0
        for raw in text.split("\n"):
            if raw.strip():
                lines.append((pos, raw))
            pos += len(raw) + 1
        starts = [start for start, _ in lines]
        kinds, page_title, site_name, nav = _label([line for _, line in lines], markdown)
        if title and title.strip():
            page_title = title.strip()
    blocks = blocks_from_starts(starts, kinds, len(text))
    return PlainExtraction(Layout(text, blocks, origin), page_title, site_name, nav)


def _label(
    lines: list[str], markdown: bool
) -> tuple[list[BlockKind], str | None, str | None, tuple[str, ...]]:
    n = len(lines)
    kinds: list[BlockKind | None] = [None] * n
    title: str | None = None
    site_name: str | None = None
    nav: list[str] = []

    if markdown:
        title = _markdown_structure(lines, kinds)

    copyright_lines = [line for line in lines if patterns.COPYRIGHT.search(line)]
    first = next((i for i in range(n) if kinds[i] is None), None)
    if first is not None:
        head = lines[first].strip()
        if (
            len(head) <= 40
            and not any(p in head for p in patterns.CLAUSE_PUNCT)
            and not patterns.boilerplate_reason(head)
            and (
                any(head in c for c in copyright_lines if c.strip() != head)
                or patterns.ORG_SUFFIX.search(head)
            )
        ):
            kinds[first] = "boilerplate"
            site_name = head

    seen_main = False
    for i, line in enumerate(lines):
        if kinds[i] is not None:
            seen_main = seen_main or kinds[i] == "main"
            continue
        stripped = line.strip()
        reason = patterns.boilerplate_reason(stripped)
        if reason:
            kinds[i] = "boilerplate"
            if patterns.looks_like_link_list(stripped):
                nav.extend(item for item in patterns.link_list_items(stripped) if item not in nav)
            continue
        if (
            title is None
            and not seen_main
            and not markdown
            and len(stripped) <= EXTRACTION.title_max_chars
            and stripped[-1] not in _TITLE_BAD_ENDINGS
        ):
            kinds[i] = "title"
            title = stripped
            continue
        kinds[i] = "main"
        seen_main = True

    # Short lines after the last prose line (a lone "返回", a counter) are the page's tail, not its article.
    last_prose = max((i for i in range(n) if kinds[i] == "main" and _is_prose(lines[i])), default=-1)
    if last_prose >= 0:
        for i in range(last_prose + 1, n):
            short = len(lines[i].strip()) <= EXTRACTION.tail_short_chars
            if kinds[i] == "main" and short and not _has_clause(lines[i]):
                kinds[i] = "boilerplate"

    if site_name is None:
        site_name = patterns.site_name_from_copyright("\n".join(copyright_lines))
    final: list[BlockKind] = [k if k is not None else "main" for k in kinds]
    return final, title, site_name, tuple(nav)


def _markdown_structure(lines: list[str], kinds: list[BlockKind | None]) -> str | None:
    """Front matter, code fences, comments and link-only lines are chrome; the first heading is the title."""
    title: str | None = None
    fence: str | None = None
    start = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in {"---", "..."}), None)
        if end is not None:
            for i in range(0, end + 1):
                kinds[i] = "boilerplate"
                m = _FRONT_MATTER_TITLE.match(lines[i])
                if m and title is None:
                    title = m.group(1).strip("\"'")
            start = end + 1
    front_title = title
    title = None
    for i in range(start, len(lines)):
        line = lines[i]
        fence_match = _MD_FENCE.match(line)
        if fence is not None:
            kinds[i] = "boilerplate"
            if fence_match and fence_match.group(1) == fence:
                fence = None
            continue
        if fence_match:
            fence = fence_match.group(1)
            kinds[i] = "boilerplate"
            continue
        if _MD_LINK_ONLY.match(line) or _MD_COMMENT.match(line):
            kinds[i] = "boilerplate"
            continue
        heading = _MD_HEADING.match(line)
        if heading:
            text = heading.group(2).rstrip().rstrip("#").rstrip()
            if title is None and text:
                kinds[i] = "title"
                title = text
            else:
                kinds[i] = "main"
    return title or front_title


def _has_clause(line: str) -> bool:
    return any(p in line for p in patterns.CLAUSE_PUNCT)


def _is_prose(line: str) -> bool:
    return patterns.non_space_len(line) >= EXTRACTION.text_prose_min_chars and _has_clause(line)
