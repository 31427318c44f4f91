"""Sentence-level alignment: copied passages found by similar sentences, for obfuscated copies.

The token aligner (align.py) needs runs of identical tokens; a copy whose words were shuffled,
replaced by synonyms, translated back and forth or summarised has few of them. This strategy
works on sentences instead, after Sanchez-Perez, Sidorov and Gelbukh (PAN at CLEF 2014, the best
text-alignment system of PAN 2014), re-implemented here:

1. preprocessing: sentences (``.!?`` before white space, CJK ``。！？；``, blank lines); terms are
   lower-cased Porter stems of Latin words of three letters or more (optionally without
   stopwords) and CJK character bigrams; a sentence with fewer than ``min_sentence_terms``
   terms joins the next one;
2. seeding: every pair of sentences whose tf-idf cosine (idf over the sentences of both texts)
   and Dice coefficient (of their term sets) both pass a threshold is a seed;
3. extension: seeds are clustered, alternately by their suspicious and source positions, into
   groups whose consecutive sentences lie at most ``max_gap`` sentences apart, until the
   clusters stop splitting; a cluster becomes a passage (its first to last sentence on each
   side) when the cosine of the two passages' summed tf-idf vectors passes a threshold, or else
   it is clustered again with a smaller gap;
4. filtering: of passages that overlap in the suspicious text the better one is kept, and
   passages shorter than ``min_passage_chars`` on either side are dropped;
5. adaptive choices per pair: a summary (much more source than suspicious text) is found with a
   wide gap; a verbatim copy (long runs of identical words) is reported as the exact runs found
   by the token aligner, whose spans are exact to the word.

Every threshold lives in ``PanSettings`` with how it was calibrated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from detector.analysis.align import AlignSettings, align_tokens, to_passages
from detector.analysis.reuse import measure_reuse, prepare_page_text
from detector.config import LIMITS, Settings
from detector.model import AlignedPassage, Document, SourceDoc
from detector.text.english import STOPWORDS, stem
from detector.text.tokens import Tokens, tokenize

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class PanSettings:
    """Named settings of the sentence-level strategy (see the module docstring).

    Calibrated on the PAN 2013 text-alignment training corpus only (``python bench/pan13.py
    ../shared/data/pan13/pan13-text-alignment-training-corpus-2013-01-21 --out DIR --set NAME=VALUE``).
    The defaults are the values Sanchez-Perez et al. published, except where a comment says
    otherwise; with them the corpus scores plagdet 0.9116 overall (no obfuscation 0.998, random
    0.898, translation 0.883, summary 0.594). Each comment gives the overall plagdet of the
    neighbouring values tried, one setting changed at a time: the optimum is flat, so the
    published values were kept rather than fitted to this corpus.
    """

    # Seeds: sentence pairs with tf-idf cosine above seed_cosine and Dice above seed_dice.
    # seed_cosine 0.28: 0.9111, 0.38: 0.9067; seed_dice 0.28: 0.9110, 0.38: 0.9115.
    seed_cosine: float = 0.33
    seed_dice: float = 0.33
    # A cluster is a passage when the cosine of its two sides' summed tf-idf vectors passes this.
    # 0.30: 0.9119, 0.40: 0.9116, 0.45: 0.9055.
    min_passage_cosine: float = 0.34
    # Seeds at most this many sentences apart (on both sides) extend one passage; a cluster
    # that fails validation is tried again with one less, down to min_gap.
    # max_gap 3: 0.9115, 5: 0.9112; min_gap 2: 0.9116.
    max_gap: int = 4
    min_gap: int = 0
    # Summaries: a second extension with this gap; chosen when its passages hold at least
    # summary_ratio times more source than suspicious text. summary_gap 16: 0.9091 (summary
    # 0.508), 32: 0.9128 (summary 0.623, kept at the published 24: one small sub-corpus);
    # summary_ratio 2.0: 0.9105, 2.5: 0.9115.
    summary_gap: int = 24
    summary_ratio: float = 3.0
    # Sentences with fewer terms than this join the next sentence. 2: 0.9118, 4: 0.9114.
    min_sentence_terms: int = 3
    # Latin words shorter than this are not terms (the published choice: "of", "to", "in" drop).
    min_word_chars: int = 3
    # Stopwords removed as well: 0.9016 (random obfuscation 0.876): idf already weighs them down,
    # and they help Dice tell a shuffled copy from a sentence on the same topic.
    remove_stopwords: bool = False
    # Passages shorter than this (characters) on either side are dropped. 100: 0.9009, 200: 0.9070.
    min_passage_chars: int = 150
    # In those lengths a CJK character counts as this many characters: 150 English characters are
    # about 25 words, which Settings weighs as about 33 Chinese characters (15 words ~ 20 characters).
    # Not calibrated on PAN (English only); checked on the unit fixtures.
    cjk_char_weight: float = 4.5
    # A pair with an exact run (same tokens; punctuation, case and spacing aside) at least this long
    # is a verbatim copy: its passages are the exact runs of at least this length, found by the
    # token aligner with seeds of verbatim_seed_tokens tokens chained across verbatim_max_gap tokens
    # (a word-exact version of the published longest-common-substring step).
    # verbatim_min_chars 150: 0.9026, 400: 0.8953 (no obfuscation 0.947); verbatim_max_gap 2: 0.9083.
    verbatim_min_chars: int = 256
    verbatim_seed_tokens: int = 6
    verbatim_max_gap: int = 0


# Sentence ends: Latin terminators before white space (or the end), CJK terminators anywhere,
# blank lines.
_SENTENCE_END = re.compile(r"""[.!?]+["'”’)\]]*(?=\s|$)|[。！？；]+[”’」』）]*|\n\s*\n""")


@dataclass(frozen=True)
class Sentences:
    """A text's sentences: character spans and term counts (rows of a sparse matrix)."""

    spans: list[tuple[int, int]]
    counts: sparse.csr_matrix  # sentences x terms (global term ids)


_TERM_IDS: dict[str, int] = {}


def _term_id(term: str) -> int:
    tid = _TERM_IDS.get(term)
    if tid is None:
        tid = len(_TERM_IDS)
        _TERM_IDS[term] = tid
    return tid


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def sentences(text: str, settings: PanSettings, tokens: Tokens | None = None) -> Sentences:
    """Sentences of ``text`` with their terms; short ones merged into the next."""
    toks = tokens if tokens is not None else tokenize(text)
    spans = _sentence_spans(text)
    starts = toks.starts.tolist()
    ends = toks.ends.tolist()
    cjk = toks.is_cjk.tolist()
    sent_of_tok = np.searchsorted(np.array([s for s, _ in spans], dtype=np.int64), toks.starts, "right") - 1
    bounds = np.searchsorted(sent_of_tok, np.arange(len(spans) + 1), "left").tolist()
    min_len = settings.min_word_chars
    stop = STOPWORDS if settings.remove_stopwords else frozenset()
    rows: list[list[int]] = []
    row_spans: list[tuple[int, int]] = []
    pending: list[int] = []
    pending_start: int | None = None
    for i, (s, e) in enumerate(spans):
        terms: list[int] = []
        prev_cjk: str | None = None
        for t in range(bounds[i], bounds[i + 1]):
            word = text[starts[t] : ends[t]]
            if cjk[t]:
                if prev_cjk is not None and starts[t] == ends[t - 1]:
                    terms.append(_term_id(prev_cjk + word))
                prev_cjk = word
                continue
            prev_cjk = None
            if len(word) < min_len:
                continue
            word = word.lower()
            if word in stop:
                continue
            terms.append(_term_id(stem(word)))
        pending.extend(terms)
        if pending_start is None:
            pending_start = s
        if len(pending) >= settings.min_sentence_terms:
            rows.append(pending)
            row_spans.append((pending_start, e))
            pending, pending_start = [], None
    if pending:
        # A short last sentence stands alone (there is no next one to join).
        rows.append(pending)
        row_spans.append((pending_start or 0, spans[-1][1]))
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.fromiter((t for r in rows for t in r), dtype=np.int64, count=int(indptr[-1]))
    data = np.ones(indices.shape[0], dtype=np.float64)
    counts = sparse.csr_matrix((data, indices, indptr), shape=(len(rows), len(_TERM_IDS)))
    counts.sum_duplicates()
    return Sentences(row_spans, counts)


@dataclass(frozen=True)
class Prepared:
    """A text prepared once for several pairs: tokens and sentences."""

    text: str
    tokens: Tokens
    sentences: Sentences
    cjk_prefix: I64  # CJK tokens before token i


def prepare(text: str, settings: PanSettings) -> Prepared:
    toks = tokenize(text)
    prefix = np.concatenate(([0], np.cumsum(toks.is_cjk, dtype=np.int64)))
    return Prepared(text, toks, sentences(text, settings, toks), prefix)


Seeds = list[tuple[int, int]]


@dataclass(frozen=True)
class _Pair:
    """Per-pair tf-idf sentence vectors (raw and unit length) and the seeds."""

    susp_w: sparse.csr_matrix
    src_w: sparse.csr_matrix
    susp_unit: sparse.csr_matrix
    src_unit: sparse.csr_matrix

    def cosine(self, s0: int, s1: int, r0: int, r1: int) -> F64:
        """Sentence cosines of suspicious sentences ``s0..s1`` with source sentences ``r0..r1``."""
        block = self.susp_unit[s0 : s1 + 1] @ self.src_unit[r0 : r1 + 1].T
        return np.asarray(block.toarray(), dtype=np.float64)


# Seeding compares sentences in row blocks of at most this many cells, so that memory stays
# bounded for long documents (a dense all-pairs matrix of two 20 MB texts would not fit).


def _seeding(susp: Sentences, src: Sentences, settings: PanSettings) -> tuple[_Pair, Seeds]:
    width = max(susp.counts.shape[1], src.counts.shape[1])
    a = _widen(susp.counts, width)
    b = _widen(src.counts, width)
    used = np.unique(np.concatenate((a.indices, b.indices)))
    a = a[:, used]
    b = b[:, used]
    # idf over the sentences of both texts (a sentence is a document).
    df = np.asarray((a > 0).sum(axis=0)).ravel() + np.asarray((b > 0).sum(axis=0)).ravel()
    idf = np.log((a.shape[0] + b.shape[0]) / df)
    wa = sparse.csr_matrix(a @ sparse.diags(idf))
    wb = sparse.csr_matrix(b @ sparse.diags(idf))
    pair = _Pair(wa, wb, _normalise(wa), _normalise(wb))
    ba = sparse.csr_matrix((a > 0).astype(np.float64))
    bb_t = sparse.csr_matrix((b > 0).astype(np.float64)).T.tocsc()
    la = np.asarray(ba.sum(axis=1)).ravel()
    lb = np.asarray(bb_t.sum(axis=0)).ravel()
    src_unit_t = pair.src_unit.T.tocsc()
    rows = max(1, LIMITS.pan_block_cells // max(1, b.shape[0]))
    seeds: Seeds = []
    for lo in range(0, a.shape[0], rows):
        hi = min(a.shape[0], lo + rows)
        cos = (pair.susp_unit[lo:hi] @ src_unit_t).toarray()
        inter = (ba[lo:hi] @ bb_t).toarray()
        dice = 2 * inter / np.maximum(la[lo:hi, None] + lb[None, :], 1)
        hits = np.argwhere((cos > settings.seed_cosine) & (dice > settings.seed_dice))
        seeds.extend((lo + int(i), int(j)) for i, j in hits.tolist())
    return pair, seeds


def _widen(m: sparse.csr_matrix, width: int) -> sparse.csr_matrix:
    if m.shape[1] == width:
        return m
    return sparse.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], width))


def _normalise(m: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ m


def _cos(u: F64, v: F64) -> float:
    nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    if nu == 0 or nv == 0:
        return 0.0
    return float(u @ v) / (nu * nv)


def _split(seeds: Seeds, gap: int, side: int) -> list[Seeds]:
    ordered = sorted(seeds, key=lambda p: (p[side], p[1 - side]))
    groups: list[Seeds] = []
    for p in ordered:
        if groups and p[side] - groups[-1][-1][side] - 1 <= gap:
            groups[-1].append(p)
        else:
            groups.append([p])
    return groups


def _cluster(seeds: Seeds, gap: int, side: int = 0, first: bool = True) -> list[Seeds]:
    groups = _split(seeds, gap, side)
    if len(groups) <= 1 and not first:
        return groups
    out: list[Seeds] = []
    for g in groups:
        out.extend(_cluster(g, gap, 1 - side, False))
    return out


@dataclass(frozen=True)
class _Frag:
    s0: int  # first suspicious sentence
    s1: int  # last suspicious sentence (inclusive)
    r0: int  # first source sentence
    r1: int
    seeds: tuple[tuple[int, int], ...]
    similarity: float


def _fragment_cosine(pair: _Pair, s0: int, s1: int, r0: int, r1: int) -> float:
    u = np.asarray(pair.susp_w[s0 : s1 + 1].sum(axis=0)).ravel()
    v = np.asarray(pair.src_w[r0 : r1 + 1].sum(axis=0)).ravel()
    return _cos(u, v)


def _extend(pair: _Pair, seeds: Seeds, gap: int, settings: PanSettings) -> list[_Frag]:
    out: list[_Frag] = []
    for cluster in _cluster(seeds, gap):
        s0 = min(p[0] for p in cluster)
        s1 = max(p[0] for p in cluster)
        r0 = min(p[1] for p in cluster)
        r1 = max(p[1] for p in cluster)
        sim = _fragment_cosine(pair, s0, s1, r0, r1)
        if sim > settings.min_passage_cosine:
            out.append(_Frag(s0, s1, r0, r1, tuple(cluster), sim))
        elif gap > settings.min_gap:
            out.extend(_extend(pair, cluster, gap - 1, settings))
    return out


def _quality(pair: _Pair, f: _Frag, shared: range) -> float:
    """How well a passage's suspicious sentences match its source: the mean best cosine of the
    sentences it shares with a rival, raised by the mean over its other sentences."""
    best = pair.cosine(f.s0, f.s1, f.r0, f.r1).max(axis=1)
    own = np.arange(f.s0, f.s1 + 1)
    in_shared = (own >= shared.start) & (own < shared.stop)
    sim = float(best[in_shared].mean()) if in_shared.any() else 0.0
    if (~in_shared).any():
        sim = sim + (1 - sim) * float(best[~in_shared].mean())
    return sim


def _drop_overlaps(pair: _Pair, frags: list[_Frag]) -> list[_Frag]:
    kept: list[_Frag] = []
    for f in sorted(frags, key=lambda f: (f.s0, f.s1)):
        if kept and f.s0 <= kept[-1].s1:
            last = kept[-1]
            shared = range(max(f.s0, last.s0), min(f.s1, last.s1) + 1)
            qa, qb = _quality(pair, last, shared), _quality(pair, f, shared)
            if qa > 0.99 and qb > 0.99:
                better = f if (f.s1 - f.s0) > (last.s1 - last.s0) else last
            else:
                better = f if qb > qa else last
            kept[-1] = better
        else:
            kept.append(f)
    return kept


def _char_spans(susp: Sentences, src: Sentences, f: _Frag) -> tuple[tuple[int, int], tuple[int, int]]:
    return (susp.spans[f.s0][0], susp.spans[f.s1][1]), (src.spans[f.r0][0], src.spans[f.r1][1])


def _length(doc: Prepared, span: tuple[int, int], settings: PanSettings) -> float:
    """Characters of ``span``, a CJK character counting ``cjk_char_weight``."""
    lo, hi = np.searchsorted(doc.tokens.starts, span, side="left").tolist()
    cjk = int(doc.cjk_prefix[hi] - doc.cjk_prefix[lo])
    return span[1] - span[0] + (settings.cjk_char_weight - 1) * cjk


def _long_enough(susp: Prepared, src: Prepared, p: tuple[int, int], s: tuple[int, int], minimum: float,
                 settings: PanSettings) -> bool:  # fmt: skip
    return _length(susp, p, settings) >= minimum and _length(src, s, settings) >= minimum


def _filtered(
    pair: _Pair, susp: Prepared, src: Prepared, frags: list[_Frag], settings: PanSettings
) -> list[_Frag]:
    out = []
    for f in _drop_overlaps(pair, frags):
        p, s = _char_spans(susp.sentences, src.sentences, f)
        if _long_enough(susp, src, p, s, settings.min_passage_chars, settings):
            out.append(f)
    return out


def _verbatim(susp: Prepared, src: Prepared, settings: PanSettings) -> list[AlignedPassage]:
    susp_text, susp_tokens, src_text, src_tokens = susp.text, susp.tokens, src.text, src.tokens
    cfg = AlignSettings(
        seed_tokens=settings.verbatim_seed_tokens,
        max_gap=settings.verbatim_max_gap,
        min_tokens=settings.verbatim_seed_tokens,
        min_similarity=0.0,
    )
    blocks = np.zeros(len(susp_tokens), dtype=np.int64)
    found = align_tokens(susp_tokens, blocks, src_tokens, cfg)
    passages = to_passages(found, susp_text, susp_tokens, src_text, src_tokens)
    return [
        p
        for p in passages
        if _long_enough(susp, src, p.page, p.source, settings.verbatim_min_chars, settings)
    ]


def align_prepared(susp: Prepared, src: Prepared, settings: PanSettings) -> list[AlignedPassage]:
    """Copied passages between a suspicious text and a source, as spans on both sides."""
    verbatim = _verbatim(susp, src, settings)
    if verbatim:
        return verbatim
    ss, rs = susp.sentences, src.sentences
    if ss.counts.shape[0] == 0 or rs.counts.shape[0] == 0:
        return []
    pair, seeds = _seeding(ss, rs, settings)
    if not seeds:
        return []
    frags = _filtered(pair, susp, src, _extend(pair, seeds, settings.max_gap, settings), settings)
    if settings.summary_gap > settings.max_gap:
        wide = _filtered(pair, susp, src, _extend(pair, seeds, settings.summary_gap, settings), settings)
        susp_chars = src_chars = 0
        for f in wide:
            (a, b), (c, d) = _char_spans(ss, rs, f)
            susp_chars += b - a
            src_chars += d - c
        if src_chars and src_chars >= settings.summary_ratio * susp_chars:
            frags = wide
    out = []
    for f in frags:
        p, s = _char_spans(ss, rs, f)
        out.append(AlignedPassage(page=p, source=s, similarity=round(min(1.0, f.similarity), 4)))
    return out


def align_texts(susp_text: str, src_text: str, settings: PanSettings | None = None) -> list[AlignedPassage]:
    cfg = settings or PanSettings()
    return align_prepared(prepare(susp_text, cfg), prepare(src_text, cfg), cfg)


# ---- whole documents, as `detector align` shows them ----------------------------------------


def scan_alignment(
    page: Document, source: Document, settings: Settings | None = None
) -> list[AlignedPassage]:
    """The passages ``detector scan`` would report between ``page`` and ``source`` (same aligner,
    same settings, the page's blocks), over the whole text of both: nothing is left out as
    boilerplate, so that every copied passage shows."""
    cfg = settings or Settings()
    prepared = prepare_page_text(page, [(0, len(page.text))])
    src = SourceDoc(
        id=source.id,
        uri=source.uri,
        url=source.url,
        title=source.title,
        category=source.category,
        site=source.site,
        text=source.text,
    )
    reuse = measure_reuse(prepared, src, cfg)
    return list(reuse.passages) if reuse is not None else []


def pan_alignment(
    page: Document, source: Document, settings: PanSettings | None = None
) -> list[AlignedPassage]:
    """The sentence-level strategy with the PAN-tuned settings, over the whole text of both."""
    return align_texts(page.text, source.text, settings or PanSettings())
