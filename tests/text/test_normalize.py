import random

from hypothesis import given
from hypothesis import strategies as st

from detector.text.normalize import Normalized, fold_char, normalize


def test_full_width_and_punctuation_fold_to_one_form() -> None:
    assert normalize("ＡＢＣ，１２３。").text == normalize("abc,123.").text


def test_whitespace_runs_including_nbsp_and_ideographic_space_become_one_space() -> None:
    assert normalize("\u00a0 \u3000据内部调查\n\n  2009年").text == "据内部调查 2009年"


def test_zero_width_and_bidi_controls_are_dropped() -> None:
    assert normalize("马\u200b云\u202e说").text == "马云说"


def test_offsets_point_back_at_the_original_characters() -> None:
    original = "  Ｃｏｐｙ，right\u00a0版权"
    n = normalize(original)
    for i, ch in enumerate(n.text):
        if ch != " ":
            src = original[n.offsets[i]]
            assert normalize(src).text == ch or ch in normalize(src).text


@given(st.text())
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalize(text).text
    assert normalize(once).text == once


@given(st.text())
def test_every_offset_lies_inside_the_original(text: str) -> None:
    n = normalize(text)
    assert len(n.offsets) == len(n.text) + 1
    assert all(0 <= o <= len(text) for o in n.offsets)
    assert list(n.offsets[:-1]) == sorted(n.offsets[:-1])


def _normalize_by_loop(text: str) -> Normalized:
    """The one-loop form of normalize() (before its fast path): the reference it must equal."""
    out: list[str] = []
    offsets: list[int] = []
    pending = -1
    for i, ch in enumerate(text):
        for c in fold_char(ch):
            if c == " ":
                if pending < 0:
                    pending = i
                continue
            if pending >= 0:
                if out:
                    out.append(" ")
                    offsets.append(pending)
                pending = -1
            out.append(c)
            offsets.append(i)
    offsets.append(len(text))
    return Normalized("".join(out), tuple(offsets))


def test_the_fast_path_equals_the_character_loop_on_mixed_text() -> None:
    # Spaces of every kind, format controls (fold to nothing), ligatures and circled digits
    # (fold to several characters), full-width forms, traditional characters, combining marks.
    rng = random.Random(11)
    pool = " \t\n\u00a0\u3000\u200b\ufb01\u2460abcABC，。、“”中文字體繁體ＡＢＣ１２３…—·ﬀ\u0301e"
    for _ in range(5000):
        text = "".join(rng.choice(pool) for _ in range(rng.randrange(0, 30)))
        assert normalize(text) == _normalize_by_loop(text), repr(text)
