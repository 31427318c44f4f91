"""Finding fingerprints read the normalised text without its offsets map (analysis/fingerprint.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from detector.analysis.fingerprint import normalized_text
from detector.text.normalize import normalize

# Characters that fold to nothing, to several characters or to a space, among plain ones.
_TRICKY = "\u200b\u00a0\u3000\ufb01\u00a8\u2460\uff21\u300a\u2014\u2026 \t\n\u7e41\u9ad4ab1，。"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(_TRICKY) | st.characters(), max_size=60))
def test_the_fingerprint_text_is_the_normalised_text(text: str) -> None:
    assert normalized_text(text) == normalize(text).text


def test_the_fingerprint_text_of_known_strings() -> None:
    for text in ("", "   ", " 繁體 ，中文 ", "\u200b", "ﬁne\u00a0\u00a0print…", "Ａ\u3000Ｂ\n\nC"):
        assert normalized_text(text) == normalize(text).text
    assert normalized_text(" 繁體 ，中文 ") == "繁体 ,中文"
