"""Settings of the aligners: the token aligner of scan (``AlignSettings``, made from ``Settings``)
and the sentence-level strategy of ``detector align --preset pan`` (``PanSettings``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AlignSettings:
    """The token aligner's parameters, made from ``Settings`` by ``reuse.align_settings`` (scan) and
    ``repeats`` (a page against itself); see ``Settings`` for how each was calibrated."""

    seed_tokens: int = 6
    max_gap: int = 24
    min_tokens: int = 20
    min_similarity: float = 0.5
    # A seed occurring more often than this in the source is a set phrase: not a seed.
    max_seed_occurrences: int = 64


@dataclass(frozen=True)
class PanSettings:
    """Named settings of `detector align --preset pan`, the sentence-level strategy of
    ``detector.analysis.align_pan`` (see its docstring).

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
