"""Thresholds of text extraction (HTML and text pages -> title, main text, boilerplate) and of
decoding. They change what a page's main text is, so findings depend on them; they are fixed per
version (``EXTRACTION``), calibrated on the pages of ``../shared/data/gne-html`` against trafilatura
and GNE (``python bench/extract.py``: mean F1 0.86 against GNE, 0.80 against trafilatura) and on the
ingest fixtures."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExtractionSettings:
    # --- HTML pages (how each is used: detector/ingest/htmlpage.py, steps 4 and 5) ---
    container_share: float = 0.6  # the container is the deepest element holding this share of the prose
    link_density_max: float = 0.5  # a block with more link text than this is navigation
    outside_main_min_chars: int = 30  # prose outside the container is kept as main from this length
    prose_max_link: float = 0.3  # ... nor one with more than 30% link text
    prose_min_chars: int = 25  # a block shorter than this is never "prose" for choosing the container
    # --- text and Markdown pages (detector/ingest/plain.py) ---
    title_max_chars: int = 60  # a first line longer than this is not the title
    text_prose_min_chars: int = 25  # a line this long with clause punctuation is article prose
    tail_short_chars: int = 20  # short non-prose lines after the last prose line are page chrome
    # --- dates (detector/ingest/dates.py) ---
    date_label_reach: int = 12  # a label counts when it ends at most this many characters before the date
    # --- decoding (detector/ingest/decode.py) ---
    # Real Chinese text has ~85% of its non-ASCII characters among the common ones of its script; a
    # wrong reading of Chinese bytes about half; Latin-1 bytes read as GB18030 far less.
    min_common_share: float = 0.4


EXTRACTION = ExtractionSettings()
