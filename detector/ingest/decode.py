"""Bytes -> text: BOM, HTTP charset, ``<meta charset>``, then detection (UTF-8, GB18030, Big5, a guess).

Decisions worth knowing:

- GBK, GB2312, GB18030 (and their aliases) are all read as GB18030, a superset: pages that declare gb2312
  routinely use GBK-only characters such as 镕 or 喆.
- Bytes that are valid UTF-8 and contain multi-byte sequences are read as UTF-8 even when the page declares a
  legacy charset: scrapers re-save pages as UTF-8 and keep the old ``<meta charset=gb2312>`` (several pages in
  the GNE test set do), and legacy Chinese text of any length is practically never valid UTF-8.
- GB18030 and Big5 accept most of each other's byte sequences, so an undeclared page that decodes both ways is
  settled by which reading puts more of its characters among the commonly used ones of that script (the 3,755
  first-level GB2312 hanzi, the 5,401 frequent Big5 hanzi). charset-normalizer is unreliable on short Chinese
  text (it calls four GBK characters Big5), so it only gets the last word.
"""

from __future__ import annotations

import codecs
import contextlib
import re
from functools import cache

import charset_normalizer

from detector.config import EXTRACTION
from detector.errors import InputError

UNDECODABLE = "cannot decode as UTF-8, GB18030 or Big5"
BINARY = "binary file (NUL bytes)"
EMPTY = "empty file"

_GB_FAMILY = frozenset({"gbk", "gb2312", "gb18030", "cp936", "ms936", "euc-cn", "euccn", "x-gbk", "csgb2312"})
_BIG5_FAMILY = frozenset({"big5", "big5-hkscs", "big5hkscs", "cp950", "ms950", "x-x-big5", "csbig5"})
_META_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)


def decode_bytes(
    data: bytes, *, where: str, http_charset: str | None = None, is_html: bool
) -> tuple[str, str]:
    """-> (text, the encoding used, lowercase). Raises InputError(where, problem).

    The text is the decoded file exactly (line endings untouched, a BOM removed), so offsets into it are
    the columns an editor shows.
    """
    if not data:
        raise InputError(where, EMPTY)
    bom = _from_bom(data)
    if bom is not None:
        encoding, skip = bom
        try:
            return data[skip:].decode(encoding), encoding
        except UnicodeDecodeError:
            raise InputError(where, UNDECODABLE) from None
    if b"\x00" in data[:8192]:
        raise InputError(where, BINARY)

    if data.isascii():
        return data.decode("ascii"), "utf-8"

    declared = [http_charset] if http_charset else []
    if is_html:
        declared.append(sniff_declared_charset(data) or "")
    utf8 = _try(data, "utf-8")
    for name in declared:
        family = canonical_charset(name) if name else None
        if family is None:
            continue
        if utf8 is not None:
            # Valid multi-byte UTF-8 wins over a legacy declaration (see the module docstring).
            return utf8, "utf-8"
        decoded = _decode_family(data, family)
        if decoded is not None:
            return decoded

    if utf8 is not None:
        return utf8, "utf-8"
    chinese = _chinese(data)
    if chinese is not None:
        return chinese
    guess = _guess(data)
    if guess is not None:
        return guess
    raise InputError(where, UNDECODABLE)


def canonical_charset(name: str) -> str | None:
    """A declared charset -> the codec we read it with (``gb2312`` -> ``gb18030``); None if unknown."""
    label = name.strip().strip("\"'").lower()
    if not label:
        return None
    if label in _GB_FAMILY:
        return "gb18030"
    if label in _BIG5_FAMILY:
        return "big5"
    if label in {"iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii", "iso8859-1"}:
        return "cp1252"  # what browsers do (WHATWG encoding standard)
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    if info.name in _GB_FAMILY:
        return "gb18030"
    if info.name in _BIG5_FAMILY:
        return "big5"
    if info.name.startswith("utf-16") or info.name.startswith("utf-32"):
        return None  # a declaration without a BOM cannot be trusted to describe the bytes
    return info.name


def sniff_declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first 4 KB (``<meta charset>``, http-equiv, XML declaration)."""
    head = data[:4096]
    xml = _XML_ENCODING.match(head)
    if xml:
        return xml.group(1).decode("ascii", "replace")
    head = _COMMENT.sub(b"", head)
    match = _META_CHARSET.search(head)
    if match:
        return match.group(1).decode("ascii", "replace")
    return None


def _from_bom(data: bytes) -> tuple[str, int] | None:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if data.startswith(codecs.BOM_UTF32_LE) and len(data) % 4 == 0:
        return "utf-32-le", 4
    if data.startswith(codecs.BOM_UTF32_BE):
        return "utf-32-be", 4
    if data.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    return None


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _decode_family(data: bytes, family: str) -> tuple[str, str] | None:
    """Strict decoding with the codec for a family; Big5 tries the Microsoft and HKSCS extensions too."""
    candidates = ("big5", "cp950", "big5hkscs") if family == "big5" else (family,)
    for encoding in candidates:
        decoded = _try(data, encoding)
        if decoded is not None:
            return decoded, encoding.replace("big5hkscs", "big5-hkscs")
    return None


def _chinese(data: bytes) -> tuple[str, str] | None:
    """GB18030 or Big5, whichever reads as more ordinary Chinese; None when neither looks like Chinese."""
    readings: list[tuple[float, str, str]] = []
    gb = _try(data, "gb18030")
    if gb is not None:
        readings.append((_common_share(gb, _gb_common()), gb, "gb18030"))
    big5 = _decode_family(data, "big5")
    if big5 is not None:
        readings.append((_common_share(big5[0], _big5_common()), big5[0], big5[1]))
    if not readings:
        return None
    share, text, encoding = max(readings, key=lambda r: r[0])  # ties keep GB18030 (listed first)
    if share < EXTRACTION.min_common_share:
        # Neither reading is ordinary Chinese (Latin-1 text can be valid GB18030): ask for a guess first.
        guess = _guess(data)
        if guess is not None and guess[1] not in {"gb18030", "big5", "cp950", "big5-hkscs"}:
            return guess
    return text, encoding


def _guess(data: bytes) -> tuple[str, str] | None:
    best = charset_normalizer.from_bytes(data).best()
    if best is None or best.encoding is None:
        return None
    encoding = str(best.encoding).lower().replace("_", "-")
    family = canonical_charset(encoding) or encoding
    decoded = _decode_family(data, family)
    if decoded is not None:
        return decoded
    return str(best), encoding


def _common_share(text: str, common: frozenset[str]) -> float:
    chars = [c for c in text[:20000] if ord(c) >= 0x80]
    if not chars:
        return 0.0
    return sum(1 for c in chars if c in common) / len(chars)


def _two_byte_chars(encoding: str, leads: range, trails: list[int]) -> frozenset[str]:
    out: set[str] = set()
    for lead in leads:
        for trail in trails:
            with contextlib.suppress(UnicodeDecodeError):
                out.add(bytes((lead, trail)).decode(encoding))
    return frozenset(out)


@cache
def _gb_common() -> frozenset[str]:
    """The 3,755 first-level GB2312 hanzi plus the full-width punctuation row."""
    return _two_byte_chars("gb2312", range(0xB0, 0xD8), list(range(0xA1, 0xFF))) | _two_byte_chars(
        "gb2312", range(0xA1, 0xA4), list(range(0xA1, 0xFF))
    )


@cache
def _big5_common() -> frozenset[str]:
    """The 5,401 frequent Big5 hanzi plus the Big5 punctuation rows."""
    trails = list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF))
    return _two_byte_chars("big5", range(0xA4, 0xC7), trails) | _two_byte_chars(
        "big5", range(0xA1, 0xA3), trails
    )
