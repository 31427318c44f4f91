"""Bytes -> text: BOMs, declarations, detection, and the failures a user can cause."""

from __future__ import annotations

import codecs

import pytest

from detector.errors import InputError
from detector.ingest.decode import decode_bytes

from .paths import FIXTURES

ZH = "为何着眼中小型B2B服务？据内部调查，二三二六名客户涉嫌欺诈，平台招致很多国外客户的投诉。"
TW = "今年的臺灣國際機械展覽會吸引了許多國外買家，參展廠商表示訂單明顯增加。"


def test_utf8_without_bom() -> None:
    assert decode_bytes(ZH.encode("utf-8"), where="p", is_html=False) == (ZH, "utf-8")


def test_utf8_bom_is_removed() -> None:
    assert decode_bytes(codecs.BOM_UTF8 + ZH.encode("utf-8"), where="p", is_html=False) == (ZH, "utf-8")


@pytest.mark.parametrize(
    ("bom", "codec"), [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")]
)
def test_utf16_bom_wins_over_nul_bytes(bom: bytes, codec: str) -> None:
    assert decode_bytes(bom + ZH.encode(codec), where="p", is_html=False) == (ZH, codec)


def test_gbk_without_any_declaration_reads_as_gb18030() -> None:
    text, encoding = decode_bytes((FIXTURES / "gbk-undeclared.html").read_bytes(), where="p", is_html=True)
    assert encoding == "gb18030"
    assert "三爪卡盘、四爪卡盘和回转顶尖" in text


def test_gb2312_declaration_with_gbk_only_characters() -> None:
    data = (FIXTURES / "gb2312-declared-gbk-chars.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb2312")
    text, encoding = decode_bytes(data, where="p", is_html=True)
    assert encoding == "gb18030"
    assert "朱镕基" in text and "陶喆" in text


def test_big5_declared() -> None:
    text, encoding = decode_bytes((FIXTURES / "big5-declared.html").read_bytes(), where="p", is_html=True)
    assert encoding == "big5"
    assert "臺灣國際機械展覽會" in text


def test_big5_undeclared_is_told_from_gbk() -> None:
    data = (FIXTURES / "big5-undeclared.txt").read_bytes()
    data.decode("gb18030")  # the trap: Big5 bytes are valid GB18030 too
    text, encoding = decode_bytes(data, where="p", is_html=False)
    assert encoding == "big5"
    assert "參展廠商" in text


@pytest.mark.parametrize("sample", ["镕基总理", "朱镕基", ZH])
def test_short_gbk_is_not_mistaken_for_big5(sample: str) -> None:
    assert decode_bytes(sample.encode("gbk"), where="p", is_html=False) == (sample, "gb18030")


def test_meta_http_equiv_charset() -> None:
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=big5"></head>'
    text, encoding = decode_bytes((page + TW).encode("big5"), where="p", is_html=True)
    assert (text.endswith(TW), encoding) == (True, "big5")


def test_http_charset_is_used() -> None:
    assert decode_bytes(TW.encode("big5"), where="p", http_charset="Big5", is_html=False) == (TW, "big5")


def test_wrong_declared_charset_falls_back_to_detection() -> None:
    page = '<meta charset="utf-8">' + ZH
    assert decode_bytes(page.encode("gbk"), where="p", is_html=True) == (page, "gb18030")
    page = '<meta charset="x-no-such-charset">' + ZH
    assert decode_bytes(page.encode("gbk"), where="p", is_html=True) == (page, "gb18030")


def test_valid_utf8_wins_over_a_stale_legacy_declaration() -> None:
    # Scrapers re-save pages as UTF-8 and keep <meta charset=gb2312> (several GNE pages do).
    page = '<meta charset="gb2312">' + ZH
    assert decode_bytes(page.encode("utf-8"), where="p", is_html=True) == (page, "utf-8")


def test_line_endings_are_kept_in_the_decoded_text() -> None:
    assert decode_bytes(b"a\r\nb\rc", where="p", is_html=False)[0] == "a\r\nb\rc"


def test_undecodable_bytes_fail() -> None:
    with pytest.raises(InputError) as err:
        decode_bytes(bytes(range(0x80, 0x100)) * 20, where="pages/x.html", is_html=False)
    assert str(err.value) == "pages/x.html: cannot decode as UTF-8, GB18030 or Big5"


def test_nul_bytes_mean_binary() -> None:
    with pytest.raises(InputError) as err:
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", where="logo.png", is_html=False)
    assert err.value.problem == "binary file (NUL bytes)"


def test_empty_bytes_fail() -> None:
    with pytest.raises(InputError) as err:
        decode_bytes(b"", where="e.txt", is_html=False)
    assert err.value.problem == "empty file"
