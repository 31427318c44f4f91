"""What a Chinese company name says about the business, and pages that describe the business.

A Chinese company name reads place + brand + trade + legal form (山东庆云 | 鑫恒兴 | 机床附件制造 |
厂): the trade is a profile in itself, so that a lone page of a named company can be judged.
The trade is the run of dictionary words (topic_words.py) that ends the name once the legal
form is cut off, read backwards until a piece is no word (the brand, 鑫恒兴, usually is not).

A page whose own main text names the business (the name less its legal form, or less its place
too) describes the business: about, products and contact pages do, reposts and injected spam
do not. Such a page is on-topic whatever its words.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

from detector.analysis.topic_words import WORD_MAX, WORD_MIN, dictionary_ids, is_word

# Legal forms and kinds of establishment that end a company name, longest first.
_FORMS = (  # noqa: SIM905 (a list of words reads better as one string)
    "股份有限公司 有限责任公司 集团有限公司 集团股份有限公司 有限公司 分公司 集团 公司 总厂 分厂 厂 "
    "商行 经营部 门市部 工作室 事务所 合作社 专业合作社 研究院 研究所 中心 医院 门诊部 诊所 学校 "
    "大酒店 酒店 宾馆 店 站 场"
).split()
_FORM = re.compile("(?:" + "|".join(sorted(_FORMS, key=len, reverse=True)) + ")+$")
_CJK_ONLY = re.compile(r"^[\u3400-\u9fff]+$")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def legal_core(name: str | None) -> str:
    """The name without its legal form (山东庆云鑫恒兴机床附件制造厂 -> 山东庆云鑫恒兴机床附件制造)."""
    if not name:
        return ""
    return _FORM.sub("", _norm(name))


def _pack(word: str) -> int:
    out = 0
    for ch in word:
        out = (out << 21) | ord(ch)
    return out


def trade_words(name: str | None) -> tuple[str, ...]:
    """The words of the trade part of a company name, in order (() when none can be told)."""
    core = legal_core(name)
    if not core or not _CJK_ONLY.match(core) or core == _norm(name or ""):
        return ()
    words = dictionary_ids()
    if words is None:
        return ()
    found: list[str] = []
    end = len(core)
    while end >= WORD_MIN:
        for size in range(min(WORD_MAX, end), WORD_MIN - 1, -1):
            piece = core[end - size : end]
            if bool(is_word(np.array([_pack(piece)], dtype=np.int64), words)[0]):
                found.append(piece)
                end -= size
                break
        else:
            break
    return tuple(reversed(found))


def trade_profile(name: str | None, min_words: int) -> str:
    """The trade of a company name as profile text ("" when fewer than ``min_words`` words)."""
    words = trade_words(name)
    return "".join(words) if len(words) >= min_words else ""


def names_business(name: str | None, text: str) -> bool:
    """Whether ``text`` names the business: its name less the legal form, or that less a
    leading place (the core's last characters down to the brand, at least four)."""
    core = legal_core(name)
    if len(core) < 4 or core == _norm(name or ""):
        return False
    body = unicodedata.normalize("NFKC", text)
    # The core, then the core less two and four leading characters (a province, a city).
    for cut in (0, 2, 4):
        part = core[cut:]
        if len(part) >= 4 and part in body:
            return True
    return False
