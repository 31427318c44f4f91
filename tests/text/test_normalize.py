from hypothesis import given
from hypothesis import strategies as st

from detector.text.normalize import normalize


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
