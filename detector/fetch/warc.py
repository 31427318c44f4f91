"""``--save-warc``: every request and response of a run, as WARC 1.1 (gzip, one member a record).

A response record holds the payload exactly as received (still gzip/deflate/br encoded, as its
Content-Encoding says), so ``detector scan FILE`` decodes the same bytes the live scan did. A
response that was refused before it was read whole (over the size limit, past the deadline, not a
page) is not stored as a partial response, which a reader would take for the page: the request is
followed by a ``metadata`` record saying what happened instead.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from detector.fetch.client import Exchange

# Headers that describe the connection rather than the message: the stored payload is
# de-chunked, so a Transfer-Encoding header would make a reader de-chunk it again.
_HOP_HEADERS = frozenset({"transfer-encoding", "connection", "keep-alive"})


class WarcLog:
    def __init__(self, path: Path, software: str) -> None:
        from warcio.warcwriter import WARCWriter

        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # Written beside the target and renamed over it when closed: a symlink planted at the path
        # is replaced, not followed, and a crash leaves no half-written file under the name.
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        self.tmp = Path(tmp)
        self.file: BinaryIO = os.fdopen(fd, "wb")
        self.writer = WARCWriter(self.file, gzip=True, warc_version="1.1")
        info = self.writer.create_warcinfo_record(
            path.name, {"software": software, "format": "WARC File Format 1.1"}
        )
        self.writer.write_record(info)

    def record(self, exchange: Exchange) -> None:
        from warcio.statusandheaders import StatusAndHeaders

        req_headers = StatusAndHeaders(
            exchange.request_line, list(exchange.request_headers), is_http_request=True
        )
        request = self.writer.create_warc_record(
            exchange.url, "request", payload=io.BytesIO(b""), length=0, http_headers=req_headers
        )
        request_id = request.rec_headers.get_header("WARC-Record-ID")
        complete = exchange.status is not None and exchange.body is not None
        if not complete:
            self.writer.write_record(request)
            self._metadata(exchange, request_id)
            return
        kept = [(k, v) for k, v in exchange.headers if k.lower() not in _HOP_HEADERS]
        kept = [(k, v) for k, v in kept if k.lower() != "content-length"]
        kept.append(("Content-Length", str(len(exchange.raw))))
        status = f"{exchange.status} {exchange.reason}".strip()
        http_headers = StatusAndHeaders(status, kept, protocol=exchange.http_version)
        response = self.writer.create_warc_record(
            exchange.url,
            "response",
            payload=io.BytesIO(exchange.raw),
            length=len(exchange.raw),
            http_headers=http_headers,
        )
        response.rec_headers.add_header("WARC-Concurrent-To", request_id)
        self.writer.write_record(request)
        self.writer.write_record(response)

    def _metadata(self, exchange: Exchange, request_id: str) -> None:
        lines = [f"fetch-status: {exchange.status if exchange.status is not None else 'none'}"]
        why = exchange.error or exchange.skipped or "not read"
        lines.append(f"fetch-outcome: {' '.join(why.split())}")
        for k, v in exchange.headers:
            if k.lower() in ("content-type", "content-encoding", "content-length"):
                lines.append(f"http-{k.lower()}: {' '.join(v.split())}")
        block = ("\r\n".join(lines) + "\r\n").encode("utf-8")
        record = self.writer.create_warc_record(
            exchange.url,
            "metadata",
            payload=io.BytesIO(block),
            length=len(block),
            warc_content_type="application/warc-fields",
        )
        record.rec_headers.add_header("WARC-Concurrent-To", request_id)
        self.writer.write_record(record)

    def close(self) -> None:
        """Finish the file under its name (every record written so far is whole)."""
        if not self.file.closed:
            self.file.flush()
            self.file.close()
            os.chmod(self.tmp, 0o666 & ~_umask())
            os.replace(self.tmp, self.path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
