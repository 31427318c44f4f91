"""Inputs in partitions: what ``detector index`` and ``detector scan`` read, cut into pieces
that an engine can read anywhere (in this process or on Dask workers), in a fixed order.

Besides what ``detector.ingest`` reads (HTML, text, Markdown, JSONL, folders), files named on
the command line may be:

- Parquet (``.parquet``): one row per document, the columns of a JSONL line (``id``, ``url``,
  ``html`` or ``text``; for sources ``title``, ``site``, ``category``, ``text``); read one row
  group at a time; ``uri`` is ``PATH#ROW`` (1-based).
- WARC (``.warc``, ``.warc.gz``) of a web crawl: response records only (other records, and
  responses that are not text or HTML, not 2xx, or the crawler's robots.txt, are skipped);
  a page keeps the response's status and Content-Type in ``fetch``; the URL is ``WARC-Target-URI``; ``uri`` is
  ``PATH#N`` for the N-th record of the file (1-based). Decompression is bounded: at most
  ``max_bytes`` + 1 bytes of a payload are decoded, the rest is skipped in blocks.

A large JSONL file is read in ranges of lines found by a first pass over its bytes; a small
one, and every other kind, goes through ``detector.ingest`` unchanged, so the documents are the
same whichever engine reads them. Every item has a position (partition number, index), which
orders the corpus the same way in every engine.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from detector.config import LIMITS
from detector.errors import InputError
from detector.ingest import inputs as ingest
from detector.ingest.build import document_from_bytes
from detector.ingest.decode import EMPTY
from detector.model import Document, FetchInfo, InputFailure

PartKind = Literal["files", "jsonl-lines", "parquet", "warc"]
Item = Document | InputFailure

# A JSONL file above this size is read in ranges of lines.
_TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


@dataclass(frozen=True)
class Part:
    """One partition of the inputs: small, picklable, read with ``read_part``."""

    number: int
    kind: PartKind
    targets: tuple[tuple[str, str, str], ...]  # (path, uri, folder) as ingest names them
    start: int = 0  # jsonl-lines: byte offset; parquet: row group
    first: int = 1  # jsonl-lines: number of the first line; parquet: number of the first row
    count: int = 0  # jsonl-lines: lines to read

    def position(self, index: int) -> int:
        """The item's place in the whole input, as one sortable integer."""
        return (self.number << 32) | index


def partitions(
    paths: Sequence[str],
    cwd: Path | None = None,
    *,
    site_per_folder: bool = False,
    split_bytes: int | None = None,
    lines_per_part: int | None = None,
) -> list[Part]:
    """The inputs named on the command line, cut into partitions, in input order: a JSONL file
    above ``split_bytes`` in ranges of ``lines_per_part`` lines. Raises InputError for a named
    path that does not exist, before anything is read."""
    split_bytes = LIMITS.split_jsonl_bytes if split_bytes is None else split_bytes
    lines_per_part = lines_per_part or LIMITS.lines_per_part
    base = os.path.abspath(str(cwd) if cwd is not None else os.getcwd())
    targets = ingest.targets_of(paths, base, site_per_folder=site_per_folder)
    parts: list[Part] = []
    files: list[tuple[str, str, str]] = []

    def add(kind: PartKind, tgts: tuple[tuple[str, str, str], ...], **kw: int) -> None:
        parts.append(Part(len(parts), kind, tgts, **kw))

    def flush_files() -> None:
        if files:
            add("files", tuple(files))
            files.clear()

    for t in targets:
        spec = (t.path, t.uri, t.folder)
        lower = t.path.lower()
        if lower.endswith(".parquet"):
            flush_files()
            for group, first in _parquet_groups(t.path):
                add("parquet", (spec,), start=group, first=first)
        elif lower.endswith((".warc", ".warc.gz")):
            flush_files()
            add("warc", (spec,))
        elif lower.endswith(".jsonl") and _splittable(t.path, split_bytes):
            flush_files()
            for offset, first, count in _line_ranges(t.path, lines_per_part):
                add("jsonl-lines", (spec,), start=offset, first=first, count=count)
        else:
            files.append(spec)
            if len(files) >= LIMITS.files_per_part:
                flush_files()
    flush_files()
    return parts


def read_part(part: Part, *, sources: bool, site: str | None, max_bytes: int) -> Iterator[tuple[int, Item]]:
    """(position, document or failure) of one partition, in order."""
    items: Iterator[Item]
    if part.kind == "files":
        targets = [ingest.Target(*t) for t in part.targets]
        items = ingest.read_targets(targets, site=site, max_bytes=max_bytes, sources=sources)
    elif part.kind == "jsonl-lines":
        items = _jsonl_lines(part, sources=sources, site=site, max_bytes=max_bytes)
    elif part.kind == "parquet":
        items = _parquet_rows(part, sources=sources, site=site, max_bytes=max_bytes)
    else:
        items = _warc_records(part, sources=sources, site=site, max_bytes=max_bytes)
    for i, item in enumerate(items):
        yield part.position(i), item


def iter_inputs(
    paths: Sequence[str],
    *,
    sources: bool,
    site: str | None = None,
    max_bytes: int = 20_000_000,
    site_per_folder: bool = False,
) -> Iterator[Item]:
    """Every input in order, read in this process."""
    for part in partitions(paths, site_per_folder=site_per_folder):
        for _, item in read_part(part, sources=sources, site=site, max_bytes=max_bytes):
            yield item


def iter_page_inputs(
    paths: Sequence[str],
    *,
    site: str | None = None,
    max_bytes: int = 20_000_000,
    site_per_folder: bool = False,
) -> Iterator[Item]:
    """``detector.ingest.inputs.iter_file_pages`` plus Parquet and WARC files (and split JSONL)."""
    return iter_inputs(paths, sources=False, site=site, max_bytes=max_bytes, site_per_folder=site_per_folder)


def iter_source_inputs(paths: Sequence[str], *, max_bytes: int = 20_000_000) -> Iterator[Item]:
    """``detector.ingest.inputs.iter_file_sources`` plus Parquet and WARC files (and split JSONL)."""
    return iter_inputs(paths, sources=True, site=None, max_bytes=max_bytes)


# ---- JSONL in ranges of lines ----------------------------------------------------------------


def _splittable(path: str, split_bytes: int) -> bool:
    try:
        if os.path.getsize(path) <= split_bytes:
            return False
        with open(path, "rb") as f:
            head = f.read(8192)
    except OSError:
        return False  # ingest reports it
    return not head.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" not in head


def _line_ranges(path: str, lines: int) -> list[tuple[int, int, int]]:
    """(byte offset, first line number, line count) of ranges of ``lines`` lines."""
    out: list[tuple[int, int, int]] = []
    offset, first, in_range, pos, line_end = 0, 1, 0, 0, 0
    with open(path, "rb") as f:
        while block := f.read(16 << 20):
            start = 0
            while (nl := block.find(b"\n", start)) != -1:
                in_range += 1
                start = nl + 1
                line_end = pos + start
                if in_range == lines:
                    out.append((offset, first, in_range))
                    offset, first, in_range = line_end, first + in_range, 0
            pos += len(block)
    if pos > line_end:
        in_range += 1  # a last line without a newline
    if in_range:
        out.append((offset, first, in_range))
    return out


def _jsonl_lines(part: Part, *, sources: bool, site: str | None, max_bytes: int) -> Iterator[Item]:
    target = ingest.Target(*part.targets[0])
    try:
        with open(target.path, "rb") as f:
            f.seek(part.start)
            lines = ingest.decoded_lines(f, max_bytes, at_start=part.start == 0)
            for n, (rel, line, encoding) in enumerate(lines):
                if n >= part.count:
                    break
                if line is not None and (not line or line.isspace()):  # strip() copied the line
                    continue
                lineno = part.first + rel - 1
                yield ingest.jsonl_line(target, lineno, line, encoding, site=site, sources=sources)
    except OSError as err:
        yield InputFailure(target.uri, site or target.folder, ingest.os_problem(err))


# ---- Parquet ---------------------------------------------------------------------------------


def _parquet_groups(path: str) -> list[tuple[int, int]]:
    """(row group, number of its first row) of a Parquet file; one empty group when unreadable
    (the failure is reported when the partition is read)."""
    try:
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(path).metadata
    except Exception:  # pyarrow raises several kinds for a file that is not Parquet
        return [(-1, 1)]
    out, first = [], 1
    for g in range(meta.num_row_groups):
        out.append((g, first))
        first += meta.row_group(g).num_rows
    return out or [(-1, 1)]


_COLUMNS = ("id", "url", "html", "text", "title", "site", "category", "published")


def _parquet_rows(part: Part, *, sources: bool, site: str | None, max_bytes: int) -> Iterator[Item]:
    target = ingest.Target(*part.targets[0])
    fallback = site or target.folder
    try:
        import pyarrow.parquet as pq

        if part.start < 0:
            pq.ParquetFile(target.path)  # raises the reason
            yield InputFailure(target.uri, fallback, EMPTY)
            return
        pf = pq.ParquetFile(target.path)
        columns = [c for c in _COLUMNS if c in pf.schema_arrow.names]
        rows = pf.read_row_group(part.start, columns=columns).to_pylist()
    except ImportError:
        yield InputFailure(
            target.uri, fallback, "reading Parquet needs pyarrow (pip install 'detector[scale]')"
        )
        return
    except Exception as err:  # not Parquet, truncated, unreadable
        yield InputFailure(target.uri, fallback, f"not a readable Parquet file ({type(err).__name__})")
        return
    for i, row in enumerate(rows):
        record = {k: v for k, v in row.items() if v is not None}
        if "published" in record and not isinstance(record["published"], str | int):
            record["published"] = str(record["published"])  # a Parquet timestamp or date
        line = json.dumps(record, ensure_ascii=False)
        if len(line.encode("utf-8")) > max_bytes:
            yield InputFailure(f"{target.uri}#{part.first + i}", fallback, ingest.size_problem(max_bytes))
            continue
        yield ingest.jsonl_line(target, part.first + i, line, "utf-8", site=site, sources=sources)


# ---- WARC ------------------------------------------------------------------------------------


def _warc_records(part: Part, *, sources: bool, site: str | None, max_bytes: int) -> Iterator[Item]:
    target = ingest.Target(*part.targets[0])
    fallback = site or target.folder
    try:
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed
    except ImportError:
        yield InputFailure(target.uri, fallback, "reading WARC needs warcio (pip install 'detector[scale]')")
        return
    try:
        with open(target.path, "rb") as f:
            for n, record in enumerate(ArchiveIterator(f), start=1):
                if record.rec_type != "response":
                    continue
                item = _warc_response(record, f"{target.uri}#{n}", fallback, site, sources, max_bytes)
                if item is not None:
                    yield item
    except (ArchiveLoadFailed, OSError, ValueError, EOFError) as err:
        yield InputFailure(target.uri, fallback, f"not a readable WARC file ({_short(err)})")


def _short(err: Exception) -> str:
    return (str(err).splitlines() or [type(err).__name__])[0][:200]


def _warc_response(
    record: object, uri: str, fallback: str, site: str | None, sources: bool, max_bytes: int
) -> Item | None:
    headers = getattr(record, "http_headers", None)
    content_type = (headers.get_header("Content-Type") if headers is not None else None) or "text/html"
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime not in _TEXT_TYPES:
        return None
    status = _status(headers)
    url = record.rec_headers.get_header("WARC-Target-URI")  # type: ignore[attr-defined]
    if status is not None and not 200 <= status < 300:
        return None  # a redirect or an error page is not the page
    if urlsplit(url or "").path == "/robots.txt":
        return None  # the crawler's robots.txt, not a page of the site
    charset = None
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    data = record.content_stream().read(max_bytes + 1)  # type: ignore[attr-defined]
    chosen = site or ingest.url_host(url) or fallback
    if len(data) > max_bytes:
        return InputFailure(uri, chosen, ingest.size_problem(max_bytes))
    kind: Literal["html", "text"] = "text" if mime == "text/plain" else "html"
    try:
        last_modified = headers.get_header("Last-Modified") if headers is not None else None
        doc = document_from_bytes(
            data, uri=uri, doc_id=uri, site=chosen, kind=kind, url=url, http_charset=charset,
            last_modified=last_modified,
        )  # fmt: skip
    except InputError as err:
        return InputFailure(uri, chosen, err.problem)
    if status is not None and url:
        raw_type = headers.get_header("Content-Type") if headers is not None else None
        doc = replace(doc, fetch=FetchInfo(status, url, raw_type))
    return ingest.finish_document(doc, site=site, folder=fallback)


def _status(headers: object) -> int | None:
    code = str(getattr(headers, "get_statuscode", lambda: "")() or "")
    return int(code) if code.isdigit() else None
