"""Decoded text or raw bytes -> ``Document``."""

from __future__ import annotations

import re
from typing import Literal

from detector.ingest.decode import decode_bytes
from detector.ingest.htmlpage import extract_html
from detector.ingest.patterns import guess_language
from detector.ingest.plain import extract_plain
from detector.model import Document

Kind = Literal["html", "text", "markdown"]

_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL)
_HTML_START_BYTES = re.compile(rb"^\s*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """Content that starts with ``<!doctype html`` or ``<html`` (after a BOM, spaces or comments)."""
    return bool(_HTML_START.match(text.lstrip("\ufeff")[:4096]))


def bytes_look_like_html(data: bytes) -> bool:
    return bool(_HTML_START_BYTES.match(data.removeprefix(b"\xef\xbb\xbf")[:1024]))


def document_from_bytes(
    data: bytes,
    *,
    uri: str,
    doc_id: str,
    site: str,
    kind: Kind,
    url: str | None = None,
    http_charset: str | None = None,
) -> Document:
    """Decode (see ``decode_bytes``) and extract. Raises InputError(uri, problem) on unreadable bytes."""
    text, encoding = decode_bytes(data, where=uri, http_charset=http_charset, is_html=kind == "html")
    return document_from_text(text, uri=uri, doc_id=doc_id, site=site, kind=kind, url=url, encoding=encoding)


def document_from_text(
    text: str,
    *,
    uri: str,
    doc_id: str,
    site: str,
    kind: Kind,
    url: str | None = None,
    title: str | None = None,
    category: str | None = None,
    encoding: str | None = None,
) -> Document:
    """Extract a page from decoded text. ``url`` and ``title`` given here win over what the page says."""
    return build_document(
        text, uri=uri, doc_id=doc_id, site=site, kind=kind, url=url, title=title, category=category,
        encoding=encoding, as_is=False,
    )  # fmt: skip


def build_document(
    text: str,
    *,
    uri: str,
    doc_id: str,
    site: str,
    kind: Kind,
    url: str | None,
    title: str | None,
    category: str | None,
    encoding: str | None,
    as_is: bool,
) -> Document:
    """``as_is``: a source's own text (a JSONL ``text`` field): every line is main, nothing is guessed."""
    if kind == "html":
        page = extract_html(text)
        layout = page.layout
        return Document(
            id=doc_id,
            uri=uri,
            url=url or page.url,
            site=site,
            site_name=page.site_name,
            title=(title.strip() or None) if title else page.title,
            encoding=encoding,
            text=layout.text,
            blocks=layout.blocks,
            category=category,
            language=guess_language(layout.text),
            keywords=page.keywords,
            description=page.description,
            nav_labels=page.nav_labels,
            original=text,
            origin=layout.origin,
        )
    plain = extract_plain(text, markdown=kind == "markdown", as_is=as_is, title=title)
    layout = plain.layout
    return Document(
        id=doc_id,
        uri=uri,
        url=url,
        site=site,
        site_name=plain.site_name,
        title=plain.title,
        encoding=encoding,
        text=layout.text,
        blocks=layout.blocks,
        category=category,
        language=guess_language(layout.text),
        nav_labels=plain.nav_labels,
        original=text,
        origin=layout.origin,
    )
