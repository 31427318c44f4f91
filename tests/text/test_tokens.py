import unicodedata
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from detector.text.normalize import normalize
from detector.text.tokens import shingle_hashes, tokenize


def words(text: str) -> list[str]:
    t = tokenize(text)
    return [text[s:e] for s, e in zip(t.starts.tolist(), t.ends.tolist(), strict=True)]


def test_cjk_characters_are_single_tokens_and_latin_words_stay_whole() -> None:
    assert words("阿里巴巴B2B业务,CEO卫哲与Alibaba.com") == [
        "阿",
        "里",
        "巴",
        "巴",
        "B2B",
        "业",
        "务",
        "CEO",
        "卫",
        "哲",
        "与",
        "Alibaba",
        "com",
    ]


def test_a_chinese_sentence_is_not_one_token() -> None:
    # The \W trap: re.split(r"\W") keeps a whole Chinese sentence as one token.
    assert len(tokenize("这个目标快速传导到前端直销团队。")) == 15


def test_full_width_and_case_variants_hash_the_same() -> None:
    a, b = tokenize("ＡＬＩＢＡＢＡ 中供"), tokenize("alibaba 中供")
    assert np.array_equal(a.hashes, b.hashes)


def test_english_text_tokenises_into_words() -> None:
    assert words("The quick, brown fox's den.") == ["The", "quick", "brown", "fox", "s", "den"]


def test_a_passage_shorter_than_the_shingle_size_still_has_one_shingle() -> None:
    t = tokenize("短句")
    assert shingle_hashes(t.hashes, 5).shape == (1,)
    assert shingle_hashes(tokenize("").hashes, 5).shape == (0,)


def test_shingles_depend_on_token_order() -> None:
    a = shingle_hashes(tokenize("甲乙丙丁戊").hashes, 5)
    b = shingle_hashes(tokenize("戊丁丙乙甲").hashes, 5)
    assert a[0] != b[0]


@given(st.text())
def test_token_spans_lie_inside_the_text_in_order(text: str) -> None:
    t = tokenize(text)
    assert all(0 <= s < e <= len(text) for s, e in zip(t.starts.tolist(), t.ends.tolist(), strict=True))
    assert list(t.starts) == sorted(t.starts)


def _folds_to_one_char(ch: str) -> bool:
    return len(unicodedata.normalize("NFKC", ch).casefold()) == 1


@given(
    st.text(
        alphabet=st.characters(categories=["Lo", "Lu", "Ll", "Nd", "Zs", "Po"]).filter(_folds_to_one_char)
    )
)
def test_tokens_of_the_normalised_text_hash_like_the_original(text: str) -> None:
    # Characters whose fold expands (ligatures, ŉ) are hashed as themselves: documented in tokens.py.
    assert np.array_equal(tokenize(normalize(text).text).hashes, tokenize(text).hashes)


def test_the_character_tables_are_cached_as_plain_arrays_and_rebuilt_when_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from detector.text import tokens

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    expected = tokenize("阿里巴巴B2B业务").hashes
    tokens._tables.cache_clear()
    try:
        tokens._tables()
        (cached,) = (tmp_path / "detector").glob("token-tables-*.npz")
        with np.load(cached, allow_pickle=False) as data:
            assert data["classes"].shape == (0x10000,)
        cached.write_bytes(b"not an npz file")
        tokens._tables.cache_clear()
        assert np.array_equal(tokenize("阿里巴巴B2B业务").hashes, expected)
    finally:
        tokens._tables.cache_clear()
