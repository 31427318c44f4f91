"""Extraction on the 64 real scraped Chinese pages of GNE (read in place, never copied; hostile input).

Skipped when the evaluation data is absent (``DETECTOR_EVAL_DATA``, default ``../shared/data``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from detector.ingest.inputs import iter_file_pages
from detector.model import Document

from .invariants import check_document
from .paths import eval_data

GNE = eval_data() / "gne-html"
PAGES = sorted(GNE.rglob("*.html")) if GNE.is_dir() else []


@pytest.mark.skipif(not PAGES, reason=f"no GNE pages under {GNE}")
@pytest.mark.parametrize("path", PAGES, ids=[str(p.relative_to(GNE)) if GNE.is_dir() else "" for p in PAGES])
def test_real_page_extracts_with_valid_blocks_and_offsets(path: Path) -> None:
    (doc,) = iter_file_pages([str(path)])
    assert isinstance(doc, Document), doc
    check_document(doc)
    main = "".join(doc.text[b.start : b.end] for b in doc.blocks if b.kind == "main")
    assert len("".join(main.split())) >= 20, "some main text"
    assert doc.title, "a title"
    assert "<script" not in doc.text.lower() and "document.write(" not in doc.text


@pytest.mark.skipif(not PAGES, reason=f"no GNE pages under {GNE}")
def test_article_pages_have_their_title_block() -> None:
    articles = [p for p in PAGES if "test_list_page" not in p.parts]
    with_title = 0
    for path in articles:
        (doc,) = iter_file_pages([str(path)])
        assert isinstance(doc, Document)
        with_title += any(b.kind == "title" for b in doc.blocks)
    assert with_title >= len(articles) - 3  # measured: 59 of 60
