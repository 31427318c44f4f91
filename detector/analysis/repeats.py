"""Duplicated passages inside one page's main text.

The page is aligned against itself (the same seed-and-extend as reuse, with each pair of
places taken once), so exact and lightly edited repeats are found, and so is a sentence
contained in a longer one. Each repeated place is widened to the sentences that hold it
(the longest form of a contained sentence is reported as is), places that overlap are one
occurrence, and occurrences linked by a repeat form one finding.
"""

from __future__ import annotations

import itertools

import numpy as np

from detector.analysis.align import align_tokens
from detector.analysis.fingerprint import fingerprint
from detector.analysis.groups import Groups
from detector.analysis.reuse import PageText
from detector.config import AlignSettings, Settings
from detector.model import Finding, Span, merge_spans
from detector.text.segment import sentences


def _weight(page: PageText, lo: int, hi: int, settings: Settings) -> float:
    cjk = page.main.tokens.is_cjk[lo:hi]
    n_cjk = int(cjk.sum())
    return n_cjk + (hi - lo - n_cjk) * settings.repeat_latin_word_weight


def repeat_findings(page: PageText, main_spans: list[Span], settings: Settings) -> list[Finding]:
    tokens = page.main.tokens
    min_tokens = int(settings.repeat_min_weight / max(1.0, settings.repeat_latin_word_weight)) or 1
    cfg = AlignSettings(
        seed_tokens=min(settings.align_seed_tokens, min_tokens),
        max_gap=settings.align_max_gap,
        min_tokens=min_tokens,
        min_similarity=settings.min_passage_similarity,
    )
    # Repeats may sit in different paragraphs: one block for the whole page.
    one_block = np.zeros(len(tokens), dtype=np.int64)
    pairs = align_tokens(tokens, one_block, tokens, cfg, self_pairs=True)
    if not pairs:
        return []
    sents = sentences(page.text, main_spans)
    sent_starts = np.array([s for s, _ in sents], dtype=np.int64)

    def widen_to_sentences(lo: int, hi: int) -> Span:
        cs, ce = int(tokens.starts[lo]), int(tokens.ends[hi - 1])
        i = max(0, int(np.searchsorted(sent_starts, cs, side="right")) - 1)
        j = max(0, int(np.searchsorted(sent_starts, ce - 1, side="right")) - 1)
        if sents and sents[i][0] <= cs < sents[i][1]:
            cs = sents[i][0]
        if sents and sents[j][0] < ce <= sents[j][1]:
            ce = sents[j][1]
        return cs, ce

    # Occurrences linked by a repeat, or overlapping on the page, are one group.
    groups: Groups[Span] = Groups()
    for a in pairs:
        if a.s0 < a.p1:  # the two places overlap (periodic text): not a repeat
            continue
        if _weight(page, a.p0, a.p1, settings) < settings.repeat_min_weight:
            continue
        first = widen_to_sentences(a.p0, a.p1)
        second = widen_to_sentences(a.s0, a.s1)
        if second[0] < first[1]:
            # A block repeated right after itself (a page holding its text twice) has its
            # seam inside one sentence: the two places meet there instead of overlapping.
            seam = int(tokens.starts[a.s0])
            first, second = (first[0], min(first[1], seam)), (max(second[0], seam), second[1])
        matched = min(
            tokens.ends[a.p1 - 1] - tokens.starts[a.p0], tokens.ends[a.s1 - 1] - tokens.starts[a.s0]
        )
        shorter = min(first[1] - first[0], second[1] - second[0])
        if shorter <= 0 or matched / shorter < settings.repeat_min_containment:
            continue
        groups.union(first, second)
    places = sorted({span for group in groups.groups() for span in group})
    for prev, cur in itertools.pairwise(places):
        if cur[0] < prev[1]:
            groups.union(prev, cur)

    main_chars = max(1, int(page.main_content.sum()))
    findings: list[Finding] = []
    for spans in groups.groups():
        merged = merge_spans(set(spans))
        if len(merged) < 2:
            continue
        shortest = min(merged, key=lambda s: (s[1] - s[0], s[0]))
        text = page.text[shortest[0] : shortest[1]]
        extra = sum(e - s for s, e in merged) - (merged[0][1] - merged[0][0])
        findings.append(
            Finding(
                kind="duplicate-passage",
                severity="medium",
                score=round(min(1.0, extra / main_chars), 4),
                message=(
                    f"A passage of {shortest[1] - shortest[0]} characters occurs "
                    f"{len(merged)} times on this page."
                ),
                fingerprint=fingerprint("duplicate-passage", [text]),
                occurrences=tuple(merged),
            )
        )
    findings.sort(key=lambda f: f.occurrences[0])
    return findings
