"""Reposts: verified, aligned and aggregated reuse of source documents by one page.

Candidates come from the index (LSH keys return documents without scores); each candidate
is verified by alignment on the full texts, so a candidate that only shares a set phrase
yields no passage and no finding. Per source: coverage of the page's main text, coverage of
the source, and the passages. Sources that hold the same passages as a better one (one
story on several portals) are folded into its ``also_in``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from detector.analysis.align import SeedTable, TokenAlignment, align_tokens, to_passages
from detector.analysis.fingerprint import fingerprint
from detector.analysis.source_text import SourceText, prepare_source_text
from detector.analysis.spans import Mask, content_mask, fraction, span_mask
from detector.config import AlignSettings, PassageShape, Settings
from detector.model import AlignedPassage, Document, Finding, Severity, SourceDoc, SourceRef, Span
from detector.store.passage_signatures import PassageSignatures, batch_passage_signatures
from detector.store.signatures import SignatureParams
from detector.text.passages import MainTokens, main_tokens
from detector.text.tokens import Tokens, shingle_hashes, tokenize


@dataclass(frozen=True)
class PageText:
    """A page's text prepared once for all its candidates."""

    text: str
    main: MainTokens
    blocks: np.ndarray  # block number of each main token
    main_content: Mask  # non-white-space characters of the main blocks
    # Query passage signatures made for this page, by parameters and passage shape: the index
    # lookup and the site's duplicate search ask for the same ones (``page_signatures``).
    signed: dict[tuple[SignatureParams, PassageShape], PassageSignatures] = field(
        default_factory=dict, compare=False, repr=False
    )


def prepare_page_text(doc: Document, spans: list[Span]) -> PageText:
    """The page as every candidate is aligned against it: the tokens of ``spans`` (the main text
    for a scan, the whole text for `detector align`), each token's block, the content mask."""
    mt = main_tokens(doc.text, spans, tokenize(doc.text))
    block_starts = np.array([b.start for b in doc.blocks], dtype=np.int64)
    blocks = (np.searchsorted(block_starts, mt.tokens.starts, side="right") - 1).astype(np.int64)
    return PageText(doc.text, mt, blocks, content_mask(doc.text, spans))


def page_signatures(
    pages: Sequence[PageText], params: SignatureParams, shape: PassageShape
) -> list[PassageSignatures]:
    """The pages' passage signatures, each made once (those not made yet in one batch)."""
    key = (params, shape)
    missing = [p for p in pages if key not in p.signed]
    if missing:
        made = batch_passage_signatures([p.main for p in missing], params, shape)
        for p, ps in zip(missing, made, strict=True):
            p.signed[key] = ps
    return [p.signed[key] for p in pages]


@dataclass(frozen=True)
class SourceReuse:
    """What one page copies from one source, before findings are decided."""

    source: SourceDoc
    passages: tuple[AlignedPassage, ...]
    covered: Mask  # page characters covered (content only)
    coverage: float
    source_coverage: float
    copied_tokens: int
    source_chars: int  # content characters of the source (the fuller version of a story ranks first)


def align_settings(settings: Settings) -> AlignSettings:
    return AlignSettings(
        seed_tokens=settings.align_seed_tokens,
        max_gap=settings.align_max_gap,
        min_tokens=settings.min_copied_tokens,
        min_similarity=settings.min_passage_similarity,
    )


def measure_reuse(page: PageText, source: SourceDoc, settings: Settings) -> SourceReuse | None:
    return measure_prepared(page, prepare_source_text(source, settings.align_seed_tokens), settings)


def measure_prepared(
    page: PageText, prepared: SourceText, settings: Settings, page_seeds: np.ndarray | None = None
) -> SourceReuse | None:
    """``measure_reuse`` of a source prepared before (kept across the pages of a run);
    ``page_seeds``: ``page_seed_hashes(page, settings)``, made once for all candidates."""
    source, src_tokens = prepared.source, prepared.tokens
    found = align_tokens(
        page.main.tokens,
        page.blocks,
        src_tokens,
        align_settings(settings),
        source_seeds=prepared.seeds,
        page_seeds=page_seeds,
    )
    if not found:
        return None
    found = sorted(found + _short_copies(page, src_tokens, found, settings), key=lambda a: (a.p0, a.s0))
    passages = tuple(to_passages(found, page.text, page.main.tokens, source.text, src_tokens))
    covered = span_mask(len(page.text), (p.page for p in passages)) & page.main_content
    src_content = prepared.content
    src_covered = span_mask(len(source.text), (p.source for p in passages))
    # A source that holds its text twice (some portals publish it so) is aligned to one copy;
    # the page holds the other copy's characters as well.
    src_covered |= span_mask(len(source.text), _held_repeats(src_tokens, found, settings, prepared.seeds))
    copied_tokens = sum(a.p1 - a.p0 for a in found)
    return SourceReuse(
        source=source,
        passages=passages,
        covered=covered,
        coverage=fraction(covered, page.main_content),
        source_coverage=fraction(src_covered, src_content),
        copied_tokens=copied_tokens,
        source_chars=int(src_content.sum()),
    )


def page_seed_hashes(page: PageText, settings: Settings) -> np.ndarray | None:
    """The page's alignment seeds (None when it has fewer tokens than a seed)."""
    hashes = page.main.tokens.hashes
    k = settings.align_seed_tokens
    return shingle_hashes(hashes, k) if hashes.shape[0] >= k else None


def _held_repeats(
    source: Tokens, found: list[TokenAlignment], settings: Settings, seeds: SeedTable | None = None
) -> list[Span]:
    """Character spans of the source, outside the aligned passages, that repeat text of those
    passages word for word: runs of at least ``min_copied_tokens`` tokens whose every
    ``align_seed_tokens``-shingle also lies inside an aligned passage of the source."""
    n, k = len(source), settings.align_seed_tokens
    if n < k or not found:
        return []
    covered = np.zeros(n, dtype=np.bool_)
    for a in found:
        covered[a.s0 : a.s1] = True
    if covered.all():
        return []
    # shingle i holds tokens i .. i+k-1
    inside = np.convolve(covered.astype(np.int64), np.ones(k, dtype=np.int64), "valid") == k
    if seeds is not None and seeds.seed_tokens == k:
        # The seeds grouped by value: a shingle is held when its value occurs inside (no sort).
        in_group = np.zeros(seeds.values.shape[0], dtype=np.bool_)
        in_group[seeds.group[inside]] = True
        held = in_group[seeds.group] & ~inside
    else:
        sh = shingle_hashes(source.hashes, k)
        held = np.isin(sh, sh[inside]) & ~inside
    marked = np.zeros(n + 1, dtype=np.int64)
    np.add.at(marked, np.flatnonzero(held), 1)
    np.add.at(marked, np.flatnonzero(held) + k, -1)
    tok = (np.cumsum(marked[:n]) > 0) & ~covered
    edges = np.flatnonzero(np.diff(np.concatenate(([0], tok.astype(np.int8), [0]))))
    out: list[Span] = []
    for lo, hi in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
        if hi - lo >= settings.min_copied_tokens:
            out.append((int(source.starts[lo]), int(source.ends[hi - 1])))
    return out


def _short_copies(
    page: PageText, source: Tokens, found: list[TokenAlignment], settings: Settings
) -> list[TokenAlignment]:
    """Whole page paragraphs too short to be passages on their own (a subheading, a one-line
    quote) that occur verbatim in a source the page is already known to copy."""
    mt = page.main
    n = len(mt.tokens)
    if not found or n == 0 or mt.sentence_starts.size == 0:
        return []
    covered = np.zeros(n, dtype=np.bool_)
    for a in found:
        covered[a.p0 : a.p1] = True
    firsts = np.flatnonzero(np.concatenate(([True], mt.sentence_paragraph[1:] != mt.sentence_paragraph[:-1])))
    starts = mt.sentence_starts[firsts].tolist()
    starts[0] = 0
    ends = [*starts[1:], n]
    haystack = source.hashes.tobytes()
    extra: list[TokenAlignment] = []
    for lo, hi in zip(starts, ends, strict=True):
        size = hi - lo
        if not settings.min_fragment_tokens <= size < settings.min_copied_tokens or covered[lo:hi].any():
            continue
        needle = mt.tokens.hashes[lo:hi].tobytes()
        places: list[int] = []
        at = haystack.find(needle)
        while at >= 0:
            if at % 8 == 0:  # only matches aligned on whole tokens count
                places.append(at // 8)
            at = haystack.find(needle, at + 1)
        if places:
            # Of several places (a subheading also in the title), take the one where the source
            # continues from the passage before it on the page.
            before = [a for a in found if a.p1 <= lo]
            expected = max(before, key=lambda a: a.p1).s1 if before else min(a.s0 for a in found) - size
            start = min(places, key=lambda t: (abs(t - expected), t))
            extra.append(TokenAlignment(lo, hi, start, start + size, 1.0))
    return extra


def repost_severity(coverage: float, settings: Settings, allowed: bool) -> Severity:
    if allowed:
        return "info"
    if coverage >= settings.severity_high_coverage:
        return "high"
    if coverage >= settings.severity_medium_coverage:
        return "medium"
    return "low"


def _span(days: int) -> str:
    """2 days, 3 weeks, 4 months, 2 years: the unit a person would say."""
    for unit, size, below in (("day", 1, 14), ("week", 7, 60), ("month", 30, 730), ("year", 365, 10**9)):
        if days < below:
            n = max(1, round(days / size))
            return f"{n} {unit}{'s' if n != 1 else ''}"
    raise AssertionError("unreachable")


def first_published(page_published: str | None, source_published: str | None) -> tuple[str | None, str]:
    """Which side was published first (CONTRACT.md ``first_published``) and the clause that says so
    (``"; published 2 days after the source"``, or empty when either date is unknown)."""
    if page_published is None or source_published is None:
        return None, ""
    days = (date.fromisoformat(page_published[:10]) - date.fromisoformat(source_published[:10])).days
    if days == 0:
        return None, f"{DATE_CLAUSE}the same day as the source"
    if days > 0:
        return "source", f"{DATE_CLAUSE}{_span(days)} after the source"
    return "page", f"{DATE_CLAUSE}{_span(-days)} before the source: the source may have copied this page"


DATE_CLAUSE = "; published "


def with_date_clause(message: str, previous: str) -> str:
    """``message`` with the date clause of ``previous`` (a repost message), for a finding that
    replaces it (an off-topic repost)."""
    at = previous.find(DATE_CLAUSE)
    return message if at < 0 else message.removesuffix(".") + previous[at:]


def repost_findings(
    page: PageText,
    reuses: list[SourceReuse],
    settings: Settings,
    allowed: frozenset[str] = frozenset(),
    page_published: str | None = None,
) -> list[Finding]:
    """One finding per source the page copies; sources with the same passages fold into ``also_in``.
    ``page_published``: the page's date, compared with each source's (``first_published``)."""
    qualifying = [
        r
        for r in reuses
        if r.coverage >= settings.repost_min_coverage or r.copied_tokens >= settings.repost_min_tokens
    ]
    # Best first: most of the page covered; among equals the fullest version of the story.
    ranked = sorted(qualifying, key=lambda r: (-round(r.coverage, 3), -r.source_chars, r.source.id))
    groups: list[tuple[SourceReuse, list[SourceRef]]] = []
    for r in ranked:
        mine = int(r.covered.sum())
        home = None
        for best, _ in groups:
            if mine and int((r.covered & best.covered).sum()) >= settings.also_in_overlap * mine:
                home = best
                break
        if home is None:
            groups.append((r, []))
        else:
            next(g for g in groups if g[0] is home)[1].append(r.source.ref())
    findings: list[Finding] = []
    for best, also in groups:
        copied = [page.text[p.page[0] : p.page[1]] for p in best.passages]
        title = best.source.title or best.source.id
        n = len(best.passages)
        first, clause = first_published(page_published, best.source.published)
        findings.append(
            Finding(
                kind="repost",
                severity=repost_severity(best.coverage, settings, best.source.id in allowed),
                score=round(best.coverage, 4),
                message=(
                    f"Copies {n} passage{'s' if n != 1 else ''} from “{title}”, "
                    f"{best.coverage:.0%} of the page's main text{clause}."
                ),
                fingerprint=fingerprint("repost", copied, best.source.id),
                source=best.source.ref(),
                coverage=round(best.coverage, 4),
                source_coverage=round(best.source_coverage, 4),
                passages=best.passages,
                also_in_sources=tuple(sorted(also, key=lambda s: s.id)),
                first_published=first,
            )
        )
    return findings
