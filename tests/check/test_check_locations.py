"""Text offsets -> line and column of the original file: CRLF, entities, CJK, Markdown, JSONL."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from detector.check.locations import Locator, SourceLines, finding_spans
from detector.ingest.build import document_from_text
from detector.model import Finding, Location
from tests.check.conftest import position


def locate(original: str, kind: str, needle: str, uri: str = "page") -> Location:
    doc = document_from_text(original, uri=uri, doc_id=uri, site="s", kind=kind)  # type: ignore[arg-type]
    start = doc.text.index(needle)
    return Locator(doc).locate((start, start + len(needle)))


def test_plain_text_with_crlf_counts_lines_as_editors_do() -> None:
    original = "第一行\r\n第二行：这里有一句话。\r\n第三行\r\n"
    assert locate(original, "text", "这里有一句话") == Location(2, 5, 2, 11)


def test_lone_cr_ends_a_line_too() -> None:
    lines = SourceLines.of("a\rb\nc\r\nd")
    assert [lines.position(i) for i in (1, 2, 4, 5, 7)] == [(1, 2), (2, 1), (3, 1), (3, 2), (4, 1)]


def test_markdown_columns_count_code_points() -> None:
    original = "# 标题\n\n> 引用：**重点**文字 😀 emoji here\n"
    line, column = position(original, "emoji here")
    assert (line, column) == (3, 17)  # 😀 is one code point (two UTF-16 units)
    assert locate(original, "markdown", "emoji here") == Location(3, 17, 3, 27)


def test_html_entities_before_and_inside_the_span() -> None:
    original = (
        "<html><body><article>\n<p>A&amp;B &lt;x&gt; then the passage &copy; here.</p>\n"
        "</article></body></html>"
    )
    loc = locate(original, "html", "then the passage © here")
    line, column = position(original, "then the passage")
    assert (loc.line, loc.column) == (line, column)
    assert (loc.end_line, loc.end_column) == (line, position(original, " here.")[1] + len(" here"))


def test_numeric_entity_at_the_end_extends_the_span() -> None:
    original = "<html><body><p>文字&#20013;</p></body></html>"
    loc = locate(original, "html", "文字中")
    assert (loc.column, loc.end_column) == (16, 16 + len("文字&#20013;"))


def test_a_passage_spanning_lines() -> None:
    original = "<html><body><p>first line of it\nsecond line of it</p></body></html>"
    loc = locate(original, "html", "line of it second")
    assert (loc.line, loc.end_line, loc.end_column) == (1, 2, 7)


def test_surrounding_whitespace_is_not_part_of_the_location() -> None:
    doc = document_from_text("one\n\n  two words  \n", uri="p", doc_id="p", site="s", kind="text")
    start = doc.text.index("  two")
    assert Locator(doc).locate((start - 1, start + 13)) == Location(3, 3, 3, 12)


def test_jsonl_pages_point_at_their_line() -> None:
    doc = document_from_text("some text", uri="pages.jsonl#7", doc_id="x", site="s", kind="text")
    assert Locator(doc).locate((0, 4)) == Location(7, 1, 8, 1)


def test_page_level_findings_cover_the_main_text() -> None:
    doc = document_from_text(
        "Title\n\nBody of the page, long enough to be main text.\n",
        uri="p",
        doc_id="p",
        site="s",
        kind="text",
    )
    finding = Finding(kind="off-topic", severity="medium", score=0.5, message="m", fingerprint="f")
    [span] = finding_spans(doc, finding)
    assert doc.text[span[0] : span[1]].startswith("Body of the page")


@given(st.lists(st.sampled_from(["a", "中", "\n", "\r\n", "😀", " "]), max_size=40))
def test_positions_agree_with_splitlines(parts: list[str]) -> None:
    original = "".join(parts)
    lines = SourceLines.of(original)
    for offset in range(len(original) + 1):
        line, column = lines.position(offset)
        before = original[:offset]
        # str.splitlines knows more breaks than we do; with these characters they agree.
        expected_line = len(before.replace("\r\n", "\n").split("\n"))
        assert line == expected_line
        assert column == len(before.replace("\r\n", "\n").split("\n")[-1]) + 1
