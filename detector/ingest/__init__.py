"""Ingest: bytes and files -> ``Document`` (decoded text, extracted text, labelled blocks, offsets).

Modules: ``decode`` (bytes -> str), ``htmlparse`` (HTML -> positioned text pieces), ``htmlpage``
(labelled blocks, title, metadata), ``plain`` (text and Markdown pages), ``patterns`` (the words of site
chrome), ``layout`` (text, blocks and OffsetMap from segments), ``build`` (one Document), ``inputs``
(command-line paths -> Documents or InputFailures).
"""

from __future__ import annotations

from detector.ingest.build import document_from_bytes, document_from_text
from detector.ingest.decode import decode_bytes
from detector.ingest.inputs import iter_page_inputs, iter_source_inputs

__all__ = [
    "decode_bytes",
    "document_from_bytes",
    "document_from_text",
    "iter_page_inputs",
    "iter_source_inputs",
]
