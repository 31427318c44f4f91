"""Decoded text or raw bytes -> ``Document``."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Literal

from detector.ingest.dates import page_date
from detector.ingest.decode import decode_bytes
from detector.ingest.htmlpage import extract_html
from detector.ingest.layout import Layout
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
    last_modified: str | None = None,
) -> Document:
    """Decode (see ``decode_bytes``) and extract. Raises InputError(uri, problem) on unreadable bytes.
    ``last_modified``: the HTTP header of a fetched page (its date when the page states none)."""
    text, encoding = decode_bytes(data, where=uri, http_charset=http_charset, is_html=kind == "html")
    return build_document(
        text, uri=uri, doc_id=doc_id, site=site, kind=kind, url=url, title=None, category=None,
        encoding=encoding, as_is=False, last_modified=last_modified,
    )  # fmt: skip


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
    published: str | None = None,
    last_modified: str | None = None,
) -> Document:
    """``as_is``: a source's own text (a JSONL ``text`` field): every line is main, nothing is guessed.
    ``published``: a date given with the input record (ISO 8601), else read from the page."""
    if kind == "html":
        page = extract_html(text)
        published, published_from, layout = _dated(
            published, text, page.layout, url or page.url, True, last_modified
        )
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
            keywords=page.keywords,
            description=page.description,
            nav_labels=page.nav_labels,
            original=text,
            origin=layout.origin,
            published=published,
            published_from=published_from,
        )
    plain = extract_plain(text, markdown=kind == "markdown", as_is=as_is, title=title)
    layout = plain.layout
    published, published_from, layout = _dated(published, text, layout, url, False, last_modified, as_is)
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
        nav_labels=plain.nav_labels,
        original=text,
        origin=layout.origin,
        published=published,
        published_from=published_from,
    )


def _dated(
    given: str | None,
    original: str,
    layout: Layout,
    url: str | None,
    is_html: bool,
    last_modified: str | None,
    as_is: bool = False,
) -> tuple[str | None, str | None, Layout]:
    """The date, where it was read, and the layout with the date line labelled boilerplate (a
    date line is page chrome, CONTRACT.md; the boilerplate patterns miss some, 发表于… or 二〇一七年…)."""
    if given is not None:
        return given, "index", layout
    found = page_date(
        original, layout.text, layout.blocks, url=url, is_html=is_html, last_modified=last_modified
    )
    if found is None:
        return None, None, layout
    if found.block is not None and not as_is and layout.blocks[found.block].kind == "main":
        blocks = list(layout.blocks)
        blocks[found.block] = replace(blocks[found.block], kind="boilerplate")
        layout = replace(layout, blocks=tuple(blocks))
    return found.value, found.source, layout
