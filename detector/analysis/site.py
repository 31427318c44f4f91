"""Site-level analysis: template text, passages duplicated across pages, near-duplicate pages.

What Siteliner shows, with Chinese-first text handling and exact spans:
- template text: lines that recur on a large share of a site's pages are the site's
  boilerplate (a header, a slogan, a footer the HTML did not mark), relabelled as such;
- duplicated content: other passages found on two or more pages, exactly or nearly;
- near-duplicate pages: two pages whose main text is mostly the same.

The passages of a site are indexed once (LSH band keys of every page's chunks in one sorted
numpy table); only pages that share a bucket are aligned, so a site of 10,000 pages is not
compared pairwise.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from detector.analysis.align import align_tokens
from detector.analysis.fingerprint import fingerprint, normalized_text
from detector.analysis.groups import Groups
from detector.analysis.reuse import PageText, align_settings, page_signatures
from detector.analysis.spans import span_mask
from detector.config import Settings
from detector.model import AlsoInPage, Block, Document, Finding, Span, merge_spans
from detector.store.signatures import SignatureParams, band_keys
from detector.text.segment import paragraphs, sentences

# ---- template text -------------------------------------------------------------------------


def _line_key(text: str) -> str:
    return normalized_text(text)  # normalize(text).text, without the offsets


def learn_templates(docs: list[Document], settings: Settings) -> list[Document]:
    """Relabel as boilerplate the main-text lines that recur on a large share of the pages."""
    if len(docs) < settings.template_min_pages:
        return docs
    df: Counter[str] = Counter()
    lines_of: list[list[tuple[int, int, str]]] = []
    for doc in docs:
        lines = [(s, e, _line_key(doc.text[s:e])) for s, e in paragraphs(doc.text, doc.main_spans())]
        lines_of.append(lines)
        df.update({key for _, _, key in lines if key})
    floor = max(settings.template_min_pages, math.ceil(settings.template_min_share * len(docs)))
    template = {key for key, n in df.items() if n >= floor}
    if not template:
        return docs
    out: list[Document] = []
    for doc, lines in zip(docs, lines_of, strict=True):
        marked = [(s, e) for s, e, key in lines if key in template]
        out.append(replace(doc, blocks=_relabel(doc, marked)) if marked else doc)
    return out


def _relabel(doc: Document, spans: list[Span]) -> tuple[Block, ...]:
    """Blocks with the given spans of main text turned into boilerplate; still gap-free."""
    cuts: list[Block] = []
    for b in doc.blocks:
        if b.kind != "main":
            cuts.append(b)
            continue
        pos = b.start
        for s, e in spans:
            if e <= b.start or s >= b.end:
                continue
            if s > pos:
                cuts.append(Block(pos, s, "main"))
            # The line's trailing separators go with it, so main text keeps its shape.
            end = e
            while end < b.end and doc.text[end] in "\r\n":
                end += 1
            cuts.append(Block(max(s, pos), end, "boilerplate"))
            pos = end
        if pos < b.end:
            cuts.append(Block(pos, b.end, "main"))
    merged: list[Block] = []
    for blk in cuts:
        if merged and merged[-1].kind == blk.kind == "boilerplate" and merged[-1].end == blk.start:
            merged[-1] = Block(merged[-1].start, blk.end, "boilerplate")
        elif blk.end > blk.start:
            merged.append(blk)
    return tuple(merged)


# ---- duplicates across pages ---------------------------------------------------------------


@dataclass(frozen=True)
class SitePage:
    uri: str
    doc: Document
    page: PageText


@dataclass
class SiteDuplicates:
    """Per page (by position in the site): findings to add and the characters shared with other pages."""

    findings: list[list[Finding]]
    shared: list[npt.NDArray[np.bool_]]


def _candidate_pairs(
    pages: list[SitePage], params: SignatureParams, settings: Settings
) -> list[tuple[int, int]]:
    signed = page_signatures([p.page for p in pages], params, settings.passages(query=True))
    key_parts: list[npt.NDArray[np.int64]] = []
    page_parts: list[npt.NDArray[np.int64]] = []
    rows = settings.site_lsh_rows
    for i, ps in enumerate(signed):
        if ps.token_ranges:
            keys = np.unique(band_keys(ps.signatures, params.num_perm // rows, rows).ravel())
            key_parts.append(keys)
            page_parts.append(np.full(keys.shape[0], i, dtype=np.int64))
    if not key_parts:
        return []
    keys = np.concatenate(key_parts)
    owners = np.concatenate(page_parts)
    order = np.lexsort((owners, keys))
    keys, owners = keys[order], owners[order]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    sizes = np.diff(np.append(starts, keys.shape[0]))
    pairs: set[tuple[int, int]] = set()
    for s, n in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist(), strict=True):
        members = owners[s : s + n].tolist()
        if n <= settings.site_bucket_cap:
            pairs.update((a, b) for i, a in enumerate(members) for b in members[i + 1 :])
        else:  # a very common passage: a star is enough to connect its pages
            pairs.update((members[0], b) for b in members[1:])
    return sorted(pairs)


def _widen_to_sentences(spans: list[Span], span: Span) -> Span:
    cs, ce = span
    for s, e in spans:
        if s <= cs < e:
            cs = s
        if s < ce <= e:
            ce = e
    return cs, ce


def site_duplicates(pages: list[SitePage], params: SignatureParams, settings: Settings) -> SiteDuplicates:
    n = len(pages)
    shared = [np.zeros(len(p.doc.text), dtype=np.bool_) for p in pages]
    findings: list[list[Finding]] = [[] for _ in pages]
    if n < 2:
        return SiteDuplicates(findings, shared)
    cfg = align_settings(settings)  # passages between pages are found as reposts are
    sents = [sentences(p.doc.text, p.doc.main_spans()) for p in pages]
    # Nodes: (page, span); edges: aligned passages between two pages.
    linked: Groups[tuple[int, Span]] = Groups()

    duplicate_pages: list[tuple[int, int, float]] = []
    for a, b in _candidate_pairs(pages, params, settings):
        pa, pb = pages[a].page, pages[b].page
        found = align_tokens(pa.main.tokens, pa.blocks, pb.main.tokens, cfg)
        if not found:
            continue
        spans_a, spans_b = [], []
        for al in found:
            sa = (int(pa.main.tokens.starts[al.p0]), int(pa.main.tokens.ends[al.p1 - 1]))
            sb = (int(pb.main.tokens.starts[al.s0]), int(pb.main.tokens.ends[al.s1 - 1]))
            spans_a.append(sa)
            spans_b.append(sb)
        cover_a = span_mask(len(pa.text), spans_a) & pa.main_content
        cover_b = span_mask(len(pb.text), spans_b) & pb.main_content
        total_a, total_b = int(pa.main_content.sum()), int(pb.main_content.sum())
        ca = int(cover_a.sum()) / total_a if total_a else 0.0
        cb = int(cover_b.sum()) / total_b if total_b else 0.0
        if min(ca, cb) >= settings.duplicate_page_similarity:
            duplicate_pages.append(
                (a, b, (int(cover_a.sum()) + int(cover_b.sum())) / max(1, total_a + total_b))
            )
            shared[a] |= cover_a
            shared[b] |= cover_b
            continue  # reported as a duplicate page, not passage by passage
        for sa, sb in zip(spans_a, spans_b, strict=True):
            wa = _widen_to_sentences(sents[a], sa)
            wb = _widen_to_sentences(sents[b], sb)
            linked.union((a, wa), (b, wb))
            shared[a][sa[0] : sa[1]] = True
            shared[b][sb[0] : sb[1]] = True
    for i in range(n):
        shared[i] &= pages[i].page.main_content

    # Groups of (page, span) across pages; spans of one page in a group merge.
    groups: list[dict[int, list[Span]]] = []
    for group in linked.groups():
        per_page: dict[int, list[Span]] = {}
        for page, span in group:
            per_page.setdefault(page, []).append(span)
        groups.append(per_page)
    for members in groups:
        if len(members) < 2:
            continue
        per_page = {p: merge_spans(spans) for p, spans in members.items()}
        shortest = min(
            ((p, s) for p, spans in per_page.items() for s in spans), key=lambda ps: (ps[1][1] - ps[1][0], ps)
        )
        text = pages[shortest[0]].doc.text[shortest[1][0] : shortest[1][1]]
        fp = fingerprint("duplicate-passage", [text])
        original = _earliest(pages, list(per_page))
        for p, spans in sorted(per_page.items()):
            others = tuple(
                AlsoInPage(pages[q].uri, tuple(other_spans), pages[q].doc.published)
                for q, other_spans in sorted(per_page.items())
                if q != p
            )
            chars = sum(e - s for s, e in spans)
            main_chars = max(1, int(pages[p].page.main_content.sum()))
            findings[p].append(
                Finding(
                    kind="duplicate-passage",
                    severity="medium",
                    score=round(min(1.0, chars / main_chars), 4),
                    message=(
                        f"A passage of {shortest[1][1] - shortest[1][0]} characters also occurs on "
                        f"{len(others)} other page{'s' if len(others) != 1 else ''} of this site"
                        f"{_original_clause(pages, original, p)}."
                    ),
                    fingerprint=fp,
                    occurrences=tuple(spans),
                    also_in_pages=others,
                )
            )
    for a, b, sim in duplicate_pages:
        for me, other in ((a, b), (b, a)):
            findings[me].append(
                Finding(
                    kind="duplicate-page",
                    severity="medium",
                    score=round(sim, 4),
                    message=f"Most of this page's main text ({sim:.0%}) is the same as {pages[other].uri}.",
                    fingerprint=fingerprint(
                        "duplicate-page", [_main_text(pages[me].doc), _main_text(pages[other].doc)]
                    ),
                    other_uri=pages[other].uri,
                    similarity=round(sim, 4),
                )
            )
    return SiteDuplicates(findings, shared)


def _earliest(pages: list[SitePage], members: list[int]) -> int | None:
    """The page of a group published on the earliest day, when two or more have dates and one
    day is strictly the first: the likely original of a passage they share."""
    dated = sorted((str(pages[p].doc.published)[:10], p) for p in members if pages[p].doc.published)
    if len(dated) < 2 or dated[0][0] == dated[1][0]:
        return None
    return dated[0][1]


def _original_clause(pages: list[SitePage], original: int | None, me: int) -> str:
    if original is None:
        return ""
    day = str(pages[original].doc.published)[:10]
    if original == me:
        return f"; this page was published first ({day}), likely the original"
    return f"; the earliest is {pages[original].uri} (published {day}), likely the original"


def _main_text(doc: Document) -> str:
    return "\n".join(doc.text[s:e] for s, e in doc.main_spans())
