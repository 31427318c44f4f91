"""Paths named on the command line -> Documents (or InputFailures), with the identities of CONTRACT.md.

- ``uri``: the path relative to the working directory when the file lies under it, else absolute, always
  with ``/``; a JSONL line is ``PATH#LINE`` (1-based).
- ``id``: the JSONL ``id``, else ``PATH#LINE`` for a JSONL line, else the uri.
- ``site``: ``--site`` when given; else the host of the page's url; else, for a page found in a folder named
  on the command line, the first-level subfolder holding it when that subfolder is named like a host
  (``crawl/www.a.example/...``, as wget and HTTrack lay out a crawl: the site is the host, lower case),
  else with ``site_per_folder`` that subfolder (as ``FOLDER/SUB``; pages directly in the folder form its
  own site), else the named folder; a file named directly: its folder relative to the working directory,
  or ``.``.

A path that does not exist raises InputError before anything is yielded (the CLI makes that a usage error);
every other problem with one file or line is yielded as an InputFailure so the run goes on. Files are never
read whole when larger than ``max_bytes``; JSONL files are streamed and the limit applies to each line.
"""

from __future__ import annotations

import ipaddress
import os
import posixpath
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from detector import safe_json
from detector.config import LIMITS
from detector.errors import InputError
from detector.ingest.build import Kind, build_document, bytes_look_like_html, looks_like_html
from detector.ingest.dates import given_date
from detector.ingest.decode import BINARY, EMPTY, UNDECODABLE, decode_bytes
from detector.model import Document, InputFailure

WALKED_EXTENSIONS = frozenset({".html", ".htm", ".txt", ".md", ".jsonl"})
NO_SUCH_FILE = "no such file or directory"
NO_TEXT = "no text found"
NOT_A_FILE = "not a regular file"


@dataclass(frozen=True, slots=True)
class Target:
    path: str  # absolute, for opening
    uri: str
    folder: str  # the site when nothing better is known


def iter_file_pages(
    paths: Sequence[str],
    *,
    site: str | None = None,
    max_bytes: int = 20_000_000,
    cwd: Path | None = None,
    site_per_folder: bool = False,
) -> Iterator[Document | InputFailure]:
    """Pages from files and folders. JSONL lines are ``{"id", "url", "html"}`` or ``{"id", "url", "text"}``.

    Raises InputError(path, "no such file or directory") at once, before anything is read, when a named
    path does not exist.
    """
    targets = targets_of(paths, _base(cwd), site_per_folder=site_per_folder)
    return read_targets(targets, site=site, max_bytes=max_bytes, sources=False)


def iter_file_sources(
    paths: Sequence[str], *, max_bytes: int = 20_000_000, cwd: Path | None = None
) -> Iterator[Document | InputFailure]:
    """Source documents: pages as above, and JSONL lines
    ``{"id", "url", "title", "site", "category", "text"}`` whose ``text`` is taken as is (every line main)."""
    targets = targets_of(paths, _base(cwd))
    return read_targets(targets, site=None, max_bytes=max_bytes, sources=True)


def uri_for(path: str, base: str) -> str:
    """The uri of a file: relative to ``base`` when under it, else absolute; ``/`` separators."""
    full = os.path.abspath(os.path.join(base, path))
    rel = os.path.relpath(full, base) if _is_under(full, base) else None
    out = full if rel is None else rel
    return out.replace(os.sep, "/")


def folder_site(named: str) -> str:
    """A folder as named on the command line: ``/`` separators, no trailing slash, ``./`` removed."""
    return posixpath.normpath(named.replace(os.sep, "/")) if named else "."


# A DNS name of two labels or more whose last label is alphabetic (a top-level domain), optionally
# with the port wget appends (``host:8080``, ``host+8080`` on Windows). ``v1.2`` or ``docs`` are not.
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_TLD = r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})"
_HOST_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.{_TLD}(?:[:+][0-9]{{1,5}})?")


def host_folder(name: str) -> str | None:
    """The host a folder of a crawl is named after (lower case, port kept), or None when the
    name is not a host name."""
    lowered = name.lower()
    if len(lowered) <= 259 and _HOST_NAME.fullmatch(lowered):
        return lowered
    try:
        ipaddress.IPv4Address(lowered.split(":")[0].split("+")[0])
    except ValueError:
        return None
    return lowered


def walked_site(folder: str, rel_parts: tuple[str, ...], *, site_per_folder: bool) -> str:
    """The site of a page found at ``rel_parts`` (subfolders, then the file name) under a folder
    named on the command line as ``folder`` (already normalised by ``folder_site``)."""
    if len(rel_parts) < 2:
        return folder  # directly in the named folder
    first = rel_parts[0]
    host = host_folder(first)  # named like the host its pages' URLs would give: the same site
    if host is not None:
        return host
    if site_per_folder:
        return first if folder == "." else f"{folder}/{first}"
    return folder


def url_host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return host.lower() if host else None


def _base(cwd: Path | None) -> str:
    return os.path.abspath(str(cwd) if cwd is not None else os.getcwd())


def _is_under(full: str, base: str) -> bool:
    try:
        return os.path.commonpath([full, base]) == base
    except ValueError:  # different drives
        return False


def targets_of(paths: Sequence[str], base: str, *, site_per_folder: bool = False) -> list[Target]:
    resolved: list[tuple[str, str]] = []
    for named in paths:
        full = os.path.abspath(os.path.join(base, named))
        if not os.path.exists(full):
            raise InputError(named, NO_SUCH_FILE)
        resolved.append((named, full))
    targets: list[Target] = []
    seen: set[str] = set()
    for named, full in resolved:
        if os.path.isdir(full):
            folder = folder_site(named)
            for parts, path in _walk(full):
                key = os.path.realpath(path)
                if key not in seen:
                    seen.add(key)
                    site = walked_site(folder, parts, site_per_folder=site_per_folder)
                    targets.append(Target(path, uri_for(path, base), site))
        else:
            key = os.path.realpath(full)
            if key in seen:
                continue
            seen.add(key)
            uri = uri_for(full, base)
            targets.append(Target(full, uri, posixpath.dirname(uri) or "."))
    return targets


def _walk(root: str) -> list[tuple[tuple[str, ...], str]]:
    """(path parts under ``root``, path) of the files under ``root`` with a page extension, hidden
    names skipped, in sorted path order."""
    found: list[tuple[tuple[str, ...], str]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        rel = os.path.relpath(dirpath, root)
        parts = () if rel == "." else tuple(rel.split(os.sep))
        for name in filenames:
            if name.startswith(".") or os.path.splitext(name)[1].lower() not in WALKED_EXTENSIONS:
                continue
            found.append(((*parts, name), os.path.join(dirpath, name)))
    found.sort(key=lambda item: item[0])
    return found


def _kind_of(path: str) -> Kind | None:
    """The kind a file's extension says; None for JSONL; ``text`` for anything else (sniffed later)."""
    ext = os.path.splitext(path)[1].lower()
    if ext in {".html", ".htm", ".xhtml", ".shtml"}:
        return "html"
    if ext in {".md", ".markdown"}:
        return "markdown"
    if ext == ".jsonl":
        return None
    return "text"


def read_targets(
    targets: list[Target], *, site: str | None, max_bytes: int, sources: bool
) -> Iterator[Document | InputFailure]:
    for target in targets:
        kind = _kind_of(target.path)
        if kind is None:
            yield from _jsonl(target, site=site, max_bytes=max_bytes, sources=sources)
        else:
            yield _file(target, kind, site=site, max_bytes=max_bytes)


def size_problem(max_bytes: int) -> str:
    return f"larger than the {max_bytes}-byte limit"


def os_problem(err: OSError) -> str:
    return (err.strerror or str(err)).lower()


def _file(target: Target, kind: Kind, *, site: str | None, max_bytes: int) -> Document | InputFailure:
    fallback_site = site or target.folder
    try:
        info = os.stat(target.path)
        if not stat.S_ISREG(info.st_mode):
            return InputFailure(target.uri, fallback_site, NOT_A_FILE)  # a FIFO or device would block
        size = info.st_size
        if size > max_bytes:
            return InputFailure(target.uri, fallback_site, size_problem(max_bytes))
        with open(target.path, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as err:
        return InputFailure(target.uri, fallback_site, os_problem(err))
    if len(data) > max_bytes:
        return InputFailure(target.uri, fallback_site, size_problem(max_bytes))
    try:
        sniffed = kind == "html" or (kind == "text" and bytes_look_like_html(data))
        text, encoding = decode_bytes(data, where=target.uri, is_html=sniffed)
    except InputError as err:
        return InputFailure(target.uri, fallback_site, err.problem)
    if kind == "text" and looks_like_html(text):
        kind = "html"
    doc = build_document(
        text, uri=target.uri, doc_id=target.uri, site=fallback_site, kind=kind, url=None, title=None,
        category=None, encoding=encoding, as_is=False,
    )  # fmt: skip
    return finish_document(doc, site=site, folder=target.folder)


# A page with more blocks than this is refused: no real article has it, and every later stage
# (segmentation, the report's segments) grows with the block count. 100,000 is 50x the
# largest page of gne-html (a news list page with about 2,000 blocks).


def finish_document(doc: Document, *, site: str | None, folder: str) -> Document | InputFailure:
    chosen = site or url_host(doc.url) or folder
    if not doc.text.strip():
        return InputFailure(doc.uri, chosen, NO_TEXT)
    if len(doc.blocks) > LIMITS.max_page_blocks:
        return InputFailure(doc.uri, chosen, f"more than {LIMITS.max_page_blocks} blocks")
    return doc if doc.site == chosen else replace(doc, site=chosen)


def _jsonl(
    target: Target, *, site: str | None, max_bytes: int, sources: bool
) -> Iterator[Document | InputFailure]:
    fallback_site = site or target.folder
    try:
        info = os.stat(target.path)
        if not stat.S_ISREG(info.st_mode):
            yield InputFailure(target.uri, fallback_site, NOT_A_FILE)
            return
        size = info.st_size
        if size == 0:
            yield InputFailure(target.uri, fallback_site, EMPTY)
            return
        with open(target.path, "rb") as f:
            head = f.read(8192)
            if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                # UTF-16 cannot be split into lines as bytes: decode it whole, within the limit.
                if size > max_bytes:
                    yield InputFailure(target.uri, fallback_site, size_problem(max_bytes))
                    return
                try:
                    whole, encoding = decode_bytes(head + f.read(max_bytes), where=target.uri, is_html=False)
                except InputError as err:
                    yield InputFailure(target.uri, fallback_site, err.problem)
                    return
                lines: Iterator[tuple[int, str | None, str]] = (
                    (n, line, encoding) for n, line in enumerate(whole.splitlines(), start=1)
                )
            elif b"\x00" in head:
                yield InputFailure(target.uri, fallback_site, BINARY)
                return
            else:
                f.seek(0)
                lines = decoded_lines(f, max_bytes)
            any_line = False
            for lineno, line, encoding in lines:
                if line is not None and (not line or line.isspace()):  # strip() copied the line
                    continue
                any_line = True
                yield jsonl_line(target, lineno, line, encoding, site=site, sources=sources)
            if not any_line:
                yield InputFailure(target.uri, fallback_site, EMPTY)
    except OSError as err:
        yield InputFailure(target.uri, fallback_site, os_problem(err))


def decoded_lines(
    f: BinaryIO, max_bytes: int, *, at_start: bool = True
) -> Iterator[tuple[int, str | None, str]]:
    """(line number, text or None when too long or undecodable, encoding or the problem);
    ``at_start``: the first line is the file's first (a byte-order mark there is dropped)."""
    lineno = 0
    while True:
        raw = f.readline(max_bytes + 1)
        if not raw:
            return
        lineno += 1
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            while True:  # skip the rest of the line without holding it
                chunk = f.readline(1 << 20)
                if not chunk or chunk.endswith(b"\n"):
                    break
            yield lineno, None, size_problem(max_bytes)
            continue
        if lineno == 1 and at_start:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        for encoding in ("utf-8", "gb18030", "big5"):
            try:
                yield lineno, raw.decode(encoding), encoding
                break
            except UnicodeDecodeError:
                continue
        else:
            yield lineno, None, UNDECODABLE


def jsonl_line(
    target: Target, lineno: int, line: str | None, encoding: str, *, site: str | None, sources: bool
) -> Document | InputFailure:
    uri = f"{target.uri}#{lineno}"
    fallback_site = site or target.folder
    if line is None:
        return InputFailure(uri, fallback_site, f"line {lineno}: {encoding}")
    try:
        record = safe_json.loads(line)
    except ValueError:
        return InputFailure(uri, fallback_site, f"line {lineno}: not valid JSON")
    if not isinstance(record, dict):
        return InputFailure(uri, fallback_site, f"line {lineno}: not a JSON object")
    doc_id = _string(record.get("id")) or uri
    url = _string(record.get("url"))
    record_site = _string(record.get("site")) if sources else None
    fallback_site = site or record_site or url_host(url) or target.folder
    html, text = record.get("html"), record.get("text")
    kind: Kind
    if sources:
        if not isinstance(text, str):
            return InputFailure(uri, fallback_site, f'line {lineno}: needs a "text" string')
        body, kind = text, "text"
    elif isinstance(html, str) and (html.strip() or not isinstance(text, str)):
        body, kind = html, "html"
    elif isinstance(text, str):
        body, kind = text, "text"
    else:
        return InputFailure(uri, fallback_site, f'line {lineno}: needs a "text" or "html" string')
    if not body.strip():
        return InputFailure(uri, fallback_site, NO_TEXT)
    doc = build_document(
        body,
        uri=uri,
        doc_id=doc_id,
        site=fallback_site,
        kind=kind,
        url=url,
        title=_string(record.get("title")) if sources else None,
        category=_string(record.get("category")) if sources else None,
        encoding=encoding,
        as_is=sources,
        published=given_date(record.get("published")),
    )
    return finish_document(doc, site=site or record_site, folder=target.folder)


def _string(value: object) -> str | None:
    """A JSON value used as a name: strings (stripped) and integers; anything else is absent."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None
