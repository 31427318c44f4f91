"""A fetched response -> the same Document (or InputFailure) that reading it from a WARC gives.

Both go through ``document_from_bytes`` with the charset of the Content-Type header first (then
the page's own ``<meta charset>``, then detection), so a scan repeated offline from the WARC
finds the same text, blocks and findings.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from detector.errors import InputError
from detector.fetch.client import Exchange, charset_of, mime_of
from detector.ingest import inputs as ingest
from detector.ingest.build import document_from_bytes
from detector.model import Document, FetchInfo, InputFailure

# Content types read as pages: the ones a WARC input is read for (detector.engine.inputs).
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})


def is_page_type(mime: str) -> bool:
    return mime in PAGE_TYPES or mime == ""  # no Content-Type: sniffed as HTML, as WARC input is


def page_item(exchange: Exchange, *, uri: str, final_url: str, site: str | None) -> Document | InputFailure:
    """The page of a complete 2xx answer. ``uri`` names the page as the user named it (the URL on
    the command line, or the link followed); ``url`` is the final URL after redirects."""
    host = ingest.url_host(final_url) or uri
    chosen = site or host
    assert exchange.body is not None and exchange.status is not None
    content_type = exchange.header("content-type")
    kind: Literal["html", "text"] = "text" if mime_of(content_type) == "text/plain" else "html"
    try:
        doc = document_from_bytes(
            exchange.body,
            uri=uri,
            doc_id=uri,
            site=chosen,
            kind=kind,
            url=final_url,
            http_charset=charset_of(content_type),
        )
    except InputError as err:
        return InputFailure(uri, chosen, err.problem)
    doc = replace(doc, fetch=FetchInfo(exchange.status, final_url, content_type))
    return ingest.finish_document(doc, site=site, folder=host)
