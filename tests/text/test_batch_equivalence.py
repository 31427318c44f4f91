"""The batched text path (main_batch, segment_np, plan_batch, passage_signatures) gives exactly
what the one-document reference gives (tests/text/reference.py, the code it replaced, and
segment.py's regular expressions): tokens, offsets, sentences, paragraphs, passages,
signatures and band keys, on text of every kind and on the corpora we have."""

from __future__ import annotations

import itertools
import random
import re
import unicodedata

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from detector.config import PassageShape, Settings
from detector.model import Span
from detector.store.passage_signatures import batch_passage_signatures, source_band_keys
from detector.store.signatures import SignatureParams, band_keys
from detector.text import charclass
from detector.text.charclass import char_flags
from detector.text.main_batch import TokenBatch, main_tokens_batch
from detector.text.main_reference import MainTokens
from detector.text.passages import main_tokens, main_tokens_reference
from detector.text.plan_batch import plan_batch
from detector.text.plan_one import plan_one
from detector.text.segment import paragraphs, sentences
from detector.text.segment_np import segment
from detector.text.tokens import codepoints, tokenize
from tests.conftest import CORPUS, eval_data
from tests.text.reference import batch_passage_signatures_reference, tokenize_reference

PARAMS = SignatureParams.from_datasketch(128, 1, 0.5)
# Characters that steer tokens and sentences: Chinese (simplified and traditional), kana,
# Hangul, Latin in both widths, digits, every terminator and closing mark, the "." in its
# contexts, white space of all kinds, zero-width and bidi controls, control characters,
# ligatures that expand under NFKC, emoji and astral Han.
SPECIAL = (
    "中文字数据數據臺灣学習。，、；：！？“”‘’「」『』（）《》【】…—·"
    "あアｱ한국ABCabcＡＢＣｘ0123456789１２.,;:!?\"'()[]-_/@#%&*+="
    " \t\r\n\f\v\u00a0\u3000\u2003\u200b\u200c\u200d\u200e\u202e\ufeff\u2028\u2029"
    "\x00\x01\x1b\x1c\x7f\x85\x9f"
    "ﬁﬂŉǅⅫ①é\u0301"
    "😀👍🏽\U0001f1e8\U0001f1f3𠀀𪚥\U0002f800"
)
TEXT = st.text(alphabet=st.sampled_from(SPECIAL) | st.characters(), max_size=120)
CJK_HEAVY = st.text(alphabet=st.sampled_from(SPECIAL), max_size=400)
# Few characters, so that runs of terminators, dots between CJK or digits, closing marks and
# span edges inside them come up often.
PUNCT_HEAVY = st.text(alphabet=st.sampled_from("中文ab1.。!;；”」）“（ \n\u3000\u200b"), max_size=40)
SLOW = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def doc(draw: st.DrawFn, text: st.SearchStrategy[str] = TEXT) -> tuple[str, list[Span]]:
    """A text and main spans: the whole text, none, or sorted spans; sometimes out of order."""
    t = draw(text)
    kind = draw(st.sampled_from(["whole", "sorted", "sorted", "none", "any"]))
    if kind == "whole":
        return t, [(0, len(t))]
    if kind == "none":
        return t, []
    cuts = draw(st.lists(st.integers(0, len(t)), max_size=8))
    if kind == "sorted":
        cuts = sorted(cuts)[: len(cuts) // 2 * 2]
        return t, [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2)]
    pairs = [(min(a, b), max(a, b)) for a, b in zip(cuts[::2], cuts[1::2], strict=False)]
    return t, pairs


def assert_same_tokens(a: MainTokens, b: MainTokens) -> None:
    for name in ("starts", "ends", "hashes", "is_cjk"):
        x, y = getattr(a.tokens, name), getattr(b.tokens, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name
    for name in ("sentence_starts", "sentence_paragraph"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name


def reference(text: str, spans: list[Span]) -> MainTokens:
    return main_tokens_reference(text, spans, tokenize_reference(text))


@SLOW
@given(st.text(max_size=200) | TEXT)
def test_tokens_equal_the_reference_tokeniser_on_any_text(text: str) -> None:
    a, b = tokenize(text), tokenize_reference(text)
    for name in ("starts", "ends", "hashes", "is_cjk"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name


def assert_same_segments(docs: list[tuple[str, list[Span]]]) -> None:
    """Paragraphs and sentences of documents joined by line breaks, as the batched path joins them."""
    ordered = [
        (t, sp) for t, sp in docs if sp == sorted(sp) and all(a[1] <= b[0] for a, b in itertools.pairwise(sp))
    ]
    joined = "\n".join(t for t, _ in ordered)
    base, starts, ends, want_p, want_s = 0, [], [], [], []
    for t, sp in ordered:
        starts += [s + base for s, _ in sp]
        ends += [e + base for _, e in sp]
        want_p += [(s + base, e + base) for s, e in paragraphs(t, sp)]
        want_s += [(s + base, e + base) for s, e in sentences(t, sp)]
        base += len(t) + 1
    seg = segment(char_flags(codepoints(joined)), np.array(starts, np.int64), np.array(ends, np.int64))
    assert list(zip(seg.para_starts.tolist(), seg.para_ends.tolist(), strict=True)) == want_p, ordered
    assert list(zip(seg.sent_starts.tolist(), seg.sent_ends.tolist(), strict=True)) == want_s, ordered


@settings(max_examples=1000, deadline=None)
@given(st.lists(doc(PUNCT_HEAVY) | doc(), min_size=1, max_size=4))
@example([("a。。b", [(2, 4)])])  # a span starting inside a run of terminators
@example([("中.文 1.", [(0, 2), (2, 6)])])  # a "." at a span's start looks back past it
@example([("1.”中 a.”中 中.a a.中 ”.「 a.b 1.98 a!!”b 中文。……", [(0, 40)])])
def test_paragraphs_and_sentences_equal_the_regular_expressions(docs: list[tuple[str, list[Span]]]) -> None:
    assert_same_segments(docs)


def test_paragraphs_and_sentences_equal_the_regular_expressions_on_random_punctuation() -> None:
    # Uniformly random text over the characters that decide where sentences end, with spans cut
    # anywhere: finds what a shrinking search rarely builds (a digit, a "." and a closing mark).
    alphabet = list("中文字ab1.。!?;；”’」』）)]\"'“「（ \t\n\u3000\u00a0\u200b\ufeff\u2028…、,_😀")
    rng = random.Random(15)
    for _ in range(4000):
        docs = []
        for _ in range(rng.randint(1, 3)):
            t = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
            cuts = sorted(rng.randint(0, len(t)) for _ in range(2 * rng.randint(0, 3)))
            whole = rng.random() < 0.3
            docs.append(
                (t, [(0, len(t))] if whole else [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2)])
            )
        assert_same_segments(docs)


@SLOW
@given(doc(CJK_HEAVY) | doc())
def test_main_tokens_equal_the_reference(item: tuple[str, list[Span]]) -> None:
    text, spans = item
    assert_same_tokens(main_tokens(text, spans), reference(text, spans))
    assert_same_tokens(main_tokens(text, spans, tokenize(text)), reference(text, spans))


@SLOW
@given(st.lists(doc(CJK_HEAVY) | doc(), min_size=1, max_size=5))
def test_a_batch_of_documents_equals_each_document_on_its_own(docs: list[tuple[str, list[Span]]]) -> None:
    batch = main_tokens_batch(docs)
    assert len(batch) == len(docs)
    for i, (text, spans) in enumerate(docs):
        assert_same_tokens(batch.main_tokens(i), reference(text, spans))


SHAPES = st.builds(
    PassageShape,
    shingle_size=st.integers(1, 6),
    chunk_tokens=st.integers(1, 14),
    min_tokens=st.integers(1, 8),
    query_windows=st.sampled_from([0, 0, 1, 3]),
)


@SLOW
@given(st.lists(doc(CJK_HEAVY), min_size=1, max_size=5), SHAPES)
def test_passages_and_signatures_equal_the_reference(
    docs: list[tuple[str, list[Span]]], shape: PassageShape
) -> None:
    mts = [reference(t, sp) for t, sp in docs]
    got = batch_passage_signatures(mts, PARAMS, shape)
    want = batch_passage_signatures_reference(mts, PARAMS, shape)
    for g, w in zip(got, want, strict=True):
        assert g.token_ranges == w.token_ranges
        assert g.signatures.dtype == w.signatures.dtype and np.array_equal(g.signatures, w.signatures)
    # numpy's plan for a single document too (one page is planned in plan_one's loop)
    for mt in mts:
        one = plan_batch(TokenBatch.of([mt]), shape.chunk_tokens, shape.min_tokens, shape.query_windows)
        loop = plan_one(mt, shape.chunk_tokens, shape.min_tokens, shape.query_windows)
        assert one.token_ranges.tolist() == ([] if loop is None else [list(r) for r in loop.token_ranges])


def reference_keys(docs: list[tuple[str, list[Span]]], shape: PassageShape) -> list[tuple[np.ndarray, int]]:
    out = []
    for ps in batch_passage_signatures_reference([reference(t, sp) for t, sp in docs], PARAMS, shape):
        keys = band_keys(ps.signatures, PARAMS.bands, PARAMS.rows)
        out.append(
            (np.unique(keys.ravel()) if ps.token_ranges else np.zeros(0, np.int64), len(ps.token_ranges))
        )
    return out


def assert_same_keys(docs: list[tuple[str, list[Span]]], shape: PassageShape) -> None:
    for (k1, n1), (k2, n2) in zip(
        source_band_keys(docs, PARAMS, shape), reference_keys(docs, shape), strict=True
    ):
        assert n1 == n2
        assert k1.dtype == k2.dtype and np.array_equal(k1, k2)


@SLOW
@given(st.lists(doc(CJK_HEAVY), min_size=1, max_size=5), SHAPES)
@example(  # overlapping spans: sentences out of order, planned by the loop
    [("", [(0, 0)]), ("00[00:0000000;0", [(0, 15), (0, 2), (1, 5)])], PassageShape(1, 1, 1, 0)
)
def test_band_keys_of_sources_equal_the_reference(
    docs: list[tuple[str, list[Span]]], shape: PassageShape
) -> None:
    assert_same_keys(docs, shape)


def test_band_keys_equal_the_reference_on_the_demo_corpus_and_cnews() -> None:
    # The demo corpus read as `detector index` reads it: HTML pages with their main-text blocks.
    from detector.ingest.partitions import iter_source_inputs
    from detector.model import InputFailure
    from detector.retrieval import source_from_document

    read = iter_source_inputs(
        [str(CORPUS / "sources"), str(CORPUS / "pages")], max_bytes=Settings().max_page_bytes
    )
    sources = [source_from_document(d) for d in read if not isinstance(d, InputFailure)]
    docs = [(s.text, s.content_spans()) for s in sources]
    assert sum(len(sp) > 1 for _, sp in docs) > 3  # pages with several main blocks among them
    cnews = eval_data() / "cnews-1000" / "cnews.subset1000.txt"
    if cnews.exists():
        for line in cnews.read_text(encoding="utf-8").splitlines()[:300]:
            # one line per article: a paragraph per three sentences
            text = re.sub(r"((?:[^。]*。){3})", "\\1\n", line.split("\t", 1)[-1])
            docs.append((text, [(0, len(text))]))
    for shape in (Settings().passages(), Settings().passages(query=True)):
        assert_same_keys(docs, shape)


def test_the_flag_table_matches_the_regular_expressions_classes_for_every_bmp_character() -> None:
    table = charclass.bmp_table()
    checks = {
        charclass.TERM: re.compile(r"[。！？!?；;]"),
        charclass.CLOSE: re.compile(r"[”’\"'」』)）\]]"),
        charclass.SPACE: re.compile(r"\s"),
        charclass.DIGIT: re.compile(r"[0-9]"),
        charclass.ALNUM: re.compile(r"[^\W_]"),
        charclass.NEWLINE: re.compile(r"\n"),
    }
    for cp in range(0x10000):
        ch = chr(cp)
        for flag, pattern in checks.items():
            assert bool(table[cp] & flag) == bool(pattern.fullmatch(ch)), (hex(cp), flag)


@pytest.mark.parametrize("ch", ["😀", "𠀀", "\U0001d7ce", "\U000e0001"])
def test_astral_characters_get_their_unicode_flags(ch: str) -> None:
    flags = int(char_flags(codepoints(ch))[0])
    assert bool(flags & charclass.ALNUM) == ch.isalnum()
    assert not flags & charclass.CJK_BEFORE  # the regex's CJK class holds the BMP only
    assert unicodedata.category(ch)  # a real code point
