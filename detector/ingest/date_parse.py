"""One date string -> ISO 8601 (the reading behind detector.ingest.dates), and the date settings.

Every pattern uses bounded repeats only, so it runs in linear time on any input.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

from detector.config import DateSettings

DEFAULTS = DateSettings()


_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
# Bounded repeats only: every pattern here runs in linear time on any input.
YMD = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s{0,2}[-/.年]\s{0,2}(?P<m>\d{1,2})\s{0,2}[-/.月]\s{0,2}(?P<d>\d{1,2})(?!\d)"
    r"(?:\s{0,2}[日号])?"
    r"(?:[\sT,-]{1,3}(?:[^\d\s]{1,3}\s{0,2})?(?P<H>\d{1,2})\s{0,2}[:时]\s{0,2}(?P<M>\d{2})"
    r"(?:\s{0,2}[:分]\s{0,2}(?P<S>\d{2}))?(?:\.\d{1,9})?"
    r"(?P<tz>Z|\s{0,1}[+-]\d{2}:?\d{2}(?!\d))?)?"
)
_YMD_COMPACT = re.compile(r"^\s{0,3}(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?:\s{0,3}$|T)")
_CN_NUM = "〇零○Ｏ一二三四五六七八九"
YMD_CN = re.compile(
    rf"(?P<y>[{_CN_NUM}]{{4}})\s{{0,2}}年\s{{0,2}}(?P<m>[一二三四五六七八九十]{{1,2}})\s{{0,2}}月"
    rf"\s{{0,2}}(?P<d>[一二三四五六七八九十]{{1,3}})\s{{0,2}}[日号]"
)
# 发布时间：18-03-08 23:16 (Baidu's pages): a two-digit year, read only right after a publication label.
YMD_SHORT = re.compile(r"(?<![\d-])(?P<y>\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:(?=\d{2}:)|(?![\d-]))")
_UNIX = re.compile(r"^\s{0,3}(1\d{9})(?:\d{3})?\s{0,3}$")  # seconds (or milliseconds) since 1970


def _cn_number(text: str) -> int:
    """一 -> 1, 十二 -> 12, 二十一 -> 21, 三十 -> 30 (months and days)."""
    if "十" not in text:
        return _CN_DIGITS.get(text, -1) if len(text) == 1 else -1
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.get(tens, -100) if tens else 1) * 10 + (_CN_DIGITS.get(ones, -100) if ones else 0)


def plausible(day: date, today: date, settings: DateSettings) -> bool:
    return day.year >= settings.earliest_year and day <= today + timedelta(days=settings.future_days)


def _tz(raw: str | None) -> timezone | None:
    if not raw:
        return None
    raw = raw.strip()
    if raw == "Z":
        return UTC
    sign = -1 if raw[0] == "-" else 1
    digits = raw[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 14 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def from_match(m: re.Match[str]) -> str | None:
    try:
        day = date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None
    if m["H"] is None:
        return day.isoformat()
    hour, minute, second = int(m["H"]), int(m["M"]), int(m["S"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return day.isoformat()
    try:
        zone = _tz(m["tz"])
    except ValueError:
        zone = None
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=zone).isoformat()


def fold(text: str) -> str:
    """Full-width digits and punctuation to ASCII (NFKC), so one pattern reads both."""
    return unicodedata.normalize("NFKC", text)


def parse_date(raw: str, *, today: date | None = None, settings: DateSettings = DEFAULTS) -> str | None:
    """The first plausible date in a short string, as ISO 8601, or None.

    Reads ``2019-09-07T13:43:45+08:00``, ``2019-9-7 21:30:50``, ``2020年09月11日 18:05``,
    ``2017/9/12``, ``２０１７年９月１２日``, ``二〇一七年九月十二日``, ``20170912`` and Unix
    timestamps (a whole value only).
    """
    today = today or datetime.now(UTC).date()
    text = fold(raw[:200])
    for found in dates_in(text):
        if plausible(date.fromisoformat(found[:10]), today, settings):
            return found
    compact = _YMD_COMPACT.match(text)
    if compact:
        try:
            value = date(int(compact["y"]), int(compact["m"]), int(compact["d"]))
        except ValueError:
            value = None
        if value is not None and plausible(value, today, settings):
            return value.isoformat()
    unix = _UNIX.match(text)
    if unix:
        value = datetime.fromtimestamp(int(unix[1]), UTC).date()
        if plausible(value, today, settings):
            return value.isoformat()
    return None


def dates_in(text: str) -> Iterator[str]:
    """Every well-formed date in ``text`` (already folded), in order of position."""
    found: list[tuple[int, str]] = []
    for m in YMD.finditer(text):
        value = from_match(m)
        if value is not None:
            found.append((m.start(), value))
    for m in YMD_CN.finditer(text):
        year = "".join(str(_CN_DIGITS[c]) for c in m["y"])
        try:
            value = date(int(year), _cn_number(m["m"]), _cn_number(m["d"])).isoformat()
        except ValueError:
            continue
        found.append((m.start(), value))
    for _, value in sorted(found):
        yield value


def short_year(m: re.Match[str], today: date) -> str | None:
    year = 2000 + int(m["y"])
    if year > today.year:
        year -= 100
    try:
        return date(year, int(m["m"]), int(m["d"])).isoformat()
    except ValueError:
        return None
