"""Property: any tag soup gives a valid document (blocks tile the text, every offset points where it says)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from detector.ingest.build import document_from_text

from .invariants import check_document

TOKENS = [
    "<p>",
    "</p>",
    "<div class='nav'>",
    "<div class=content>",
    "</div>",
    "<br>",
    "<br/>",
    "<a href='/x'>",
    "</a>",
    "<h1>",
    "</h1>",
    "<li>",
    "<td>",
    "<pre>",
    "</pre>",
    "<script>",
    "</script>",
    "<style>",
    "<!--",
    "-->",
    "<title>",
    "</title>",
    "<head>",
    "</head>",
    "<body>",
    "<textarea>",
    "<svg>",
    "</svg>",
    "<![CDATA[",
    "]]>",
    "&amp;",
    "&nbsp;",
    "&#20013;",
    "&#x4e2d;",
    "&copy2016",
    "&bogus;",
    "&",
    "&#",
    "<",
    ">",
    "</",
    "<!",
    '"',
    " ",
    "  ",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "\xa0",
    "\u3000",
    "中文",
    "句子，",
    "。",
    "Copyright ©",
    "发布时间：",
    "word",
    "Word.",
    "版权所有",
    "|",
    "当前位置：",
    "<p class='footer'>",
    "<img alt='logo' src=logo.png>",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=60))
def test_tag_soup_gives_valid_documents(tokens: list[str]) -> None:
    doc = document_from_text("".join(tokens), uri="f.html", doc_id="f", site="s", kind="html")
    check_document(doc)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_as_html_or_text_gives_valid_documents(text: str) -> None:
    for kind in ("html", "text", "markdown"):
        doc = document_from_text(text, uri="f", doc_id="f", site="s", kind=kind)  # type: ignore[arg-type]
        check_document(doc)
