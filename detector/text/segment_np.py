"""Paragraphs and sentences of many documents at once, with numpy: the spans of ``segment.py``.

``segment.paragraphs`` and ``segment.sentences`` run a regular expression per paragraph and
a Python loop per match; signing a corpus spent a fifth of its time there. This module
computes the same spans, exactly, for a whole batch of documents joined into one text, from
per-character flags (``charclass.py``) and a few passes over the places that can end a
sentence. How the regular expression behaves, and so what is computed here:

- paragraphs are the runs of characters between line breaks inside each span, trimmed of
  ``TRIM_CHARS``, kept when something is left;
- inside a paragraph the matches of ``_SENTENCE`` tile it; each ends at the first *sentence
  end* at or after where it starts: a run of terminators (。！？!?；;) or a "." that ends a
  sentence (followed by white space or the paragraph's end; not after an ASCII digit and before
  a closing mark; between CJK characters), then any closing quotes and brackets. Since a match
  consumes only terminators and closing marks after its end, every run of terminators (or its
  part inside the paragraph) and every such "." ends one match, whatever came before;
- a "." looks back at the character before it even at the paragraph's start (a lookbehind sees
  before ``pos``) but never ahead past the paragraph's end (``endpos``);
- each match is trimmed; one with a letter or digit is a sentence, one without is added to
  the sentence before it in the same paragraph (or dropped when there is none).

The callers join documents with a line break, which no sentence or paragraph crosses and
which is neither an ASCII digit nor CJK, so each document's spans come out as on its own.
tests/text/test_batch_equivalence.py checks all of this against the regular expressions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from detector.text.charclass import (
    ALNUM,
    CJK_AFTER,
    CJK_BEFORE,
    CLOSE,
    DIGIT,
    DOT,
    NEWLINE,
    SPACE,
    TERM,
    TRIM,
)

I64 = npt.NDArray[np.int64]
U16 = npt.NDArray[np.uint16]


@dataclass(frozen=True)
class Segments:
    """Paragraphs and sentences as ``[start, end)`` offsets into the joined text, in order."""

    para_starts: I64
    para_ends: I64
    sent_starts: I64
    sent_ends: I64
    sent_para: I64  # index into the paragraphs of each sentence


class _Runs:
    """Runs of consecutive positions of a sparse sorted set: where the run holding a position
    starts and ends, for many positions at once."""

    def __init__(self, positions: I64):
        self.pos = positions
        if positions.size:
            breaks = np.flatnonzero(positions[1:] != positions[:-1] + 1)
            first = np.concatenate(([0], breaks + 1))
            last = np.concatenate((breaks, [positions.size - 1]))
            run_of = np.repeat(np.arange(first.size), last - first + 1)
            self.first = positions[first][run_of]
            self.after = positions[last][run_of] + 1
        else:
            self.first = self.after = positions

    def _hit(self, x: I64) -> tuple[I64, npt.NDArray[np.bool_]]:
        if not self.pos.size:
            return np.zeros(x.shape, dtype=np.int64), np.zeros(x.shape, dtype=np.bool_)
        i = np.minimum(np.searchsorted(self.pos, x), self.pos.size - 1)
        return i, self.pos[i] == x

    def skip_forward(self, x: I64) -> I64:
        """The first position >= x outside the set."""
        i, hit = self._hit(x)
        return np.where(hit, self.after[i] if self.pos.size else x, x)

    def skip_back(self, x: I64) -> I64:
        """The end of the last position < x outside the set (x itself when x - 1 is outside)."""
        i, hit = self._hit(x - 1)
        return np.where(hit, self.first[i] if self.pos.size else x, x)


def _trimmed(trim: _Runs, starts: I64, ends: I64) -> tuple[I64, I64, npt.NDArray[np.bool_]]:
    ts = trim.skip_forward(starts)
    te = trim.skip_back(ends)
    return ts, te, ts < ends


def segment(flags: U16, span_starts: I64, span_ends: I64) -> Segments:
    """Paragraphs and sentences inside spans (sorted, not overlapping) of a text with ``flags``."""
    # Everything but letters and digits (white space, punctuation, line breaks): one pass over
    # the text, and every later step works on these few positions only.
    other = np.flatnonzero((flags & ALNUM) == 0)
    kinds = flags[other]
    trim = _Runs(other[(kinds & TRIM) != 0])
    ps, pe = _paragraphs(other[(kinds & NEWLINE) != 0], trim, span_starts, span_ends)
    ss, se, sp = _sentences(flags, other, kinds, trim, ps, pe)
    return Segments(ps, pe, ss, se, sp)


def _paragraphs(nl: I64, trim: _Runs, starts: I64, ends: I64) -> tuple[I64, I64]:
    """Non-blank lines inside each span, trimmed (``segment.paragraphs``); ``nl``: line breaks."""
    i0 = np.searchsorted(nl, starts, "left")
    k = np.searchsorted(nl, ends, "left") - i0  # line breaks inside each span
    counts = k + 1
    span_of = np.repeat(np.arange(starts.shape[0]), counts)
    j = np.arange(span_of.shape[0]) - np.repeat(np.cumsum(counts) - counts, counts)
    padded = np.append(nl, 0)  # never read where it matters: keeps the indices in range
    at = i0[span_of] + j
    p_start = np.where(j == 0, starts[span_of], padded[np.maximum(at - 1, 0)] + 1)
    p_end = np.where(j == k[span_of], ends[span_of], padded[np.minimum(at, nl.shape[0])])
    ts, te, keep = _trimmed(trim, p_start, p_end)
    return ts[keep], te[keep]


def _sentences(flags: U16, other: I64, kinds: U16, trim: _Runs, ps: I64, pe: I64) -> tuple[I64, I64, I64]:
    """Sentences of the paragraphs ``[ps, pe)`` (``segment.sentences``); ``other``: the
    positions of all characters that are not letters or digits, ``kinds`` their flags."""
    empty = np.zeros(0, dtype=np.int64)
    if not ps.size:
        return empty, empty, empty
    n = flags.shape[0]
    # Places that can end a sentence, inside a paragraph.
    cand = other[(kinds & (TERM | DOT)) != 0]
    para = np.searchsorted(ps, cand, "right") - 1
    inside = para >= 0
    inside[inside] = cand[inside] < pe[para[inside]]
    cand, para = cand[inside], para[inside]
    f = flags[cand]
    before = np.where(cand > 0, flags[np.maximum(cand - 1, 0)], 0)
    after = np.where(cand + 1 < n, flags[np.minimum(cand + 1, n - 1)], 0)
    start, stop = ps[para], pe[para]
    term_event = (f & TERM).astype(bool) & ((cand == start) | ~(before & TERM).astype(bool))
    dot_event = (f & DOT).astype(bool) & (
        (cand + 1 == stop)
        | (after & SPACE).astype(bool)
        | ((after & CLOSE).astype(bool) & ~(before & DIGIT).astype(bool))
        | ((after & CJK_AFTER).astype(bool) & (before & CJK_BEFORE).astype(bool))
    )
    events = term_event | dot_event
    cand, para, term_event, stop = cand[events], para[events], term_event[events], stop[events]
    terms = _Runs(other[(kinds & TERM) != 0])
    closes = _Runs(other[(kinds & CLOSE) != 0])
    end = np.where(term_event, np.minimum(terms.skip_forward(cand), stop), cand + 1)
    end = np.minimum(closes.skip_forward(end), stop)
    cut = end < stop
    # Pieces: each paragraph cut at the ends of its matches.
    seg_start = np.concatenate((ps, end[cut]))
    seg_para = np.concatenate((np.arange(ps.shape[0]), para[cut]))
    order = np.argsort(seg_start, kind="stable")
    seg_start, seg_para = seg_start[order], seg_para[order]
    same = np.append(seg_para[1:] == seg_para[:-1], False)
    seg_end = np.where(same, np.append(seg_start[1:], 0), pe[seg_para])
    ts, te, keep = _trimmed(trim, seg_start, seg_end)
    ts, te, seg_para = ts[keep], te[keep], seg_para[keep]
    # A piece holds a letter or digit unless all its characters are among the others.
    has_word = np.searchsorted(other, te) - np.searchsorted(other, ts) < te - ts
    # A piece without letters or digits joins the sentence before it in its paragraph.
    idx = np.arange(ts.shape[0])
    owner = np.maximum.accumulate(np.where(has_word, idx, -1)) if idx.size else idx
    valid = owner >= 0
    valid[valid] = seg_para[owner[valid]] == seg_para[valid]
    owners = owner[valid]
    ends_of = te[valid]
    last = np.append(owners[1:] != owners[:-1], True)[: owners.shape[0]]
    sents = np.flatnonzero(has_word)
    return ts[sents], ends_of[last], seg_para[sents]
