"""Content-Encoding decoding with a bound on the decoded size.

A response body is decoded as it arrives, one small step at a time, and decoding stops as soon
as the output passes ``limit`` bytes: a compression bomb (a few KB of gzip that inflate to
gigabytes) costs at most ``limit`` plus one step of memory, never its whole inflated size.
"""

from __future__ import annotations

import zlib

import brotli

from detector.config import LIMITS

# What the client asks for: every encoding decoded here.
ACCEPT_ENCODING = "gzip, deflate, br"


class TooLarge(Exception):
    """The decoded body passed the limit."""


class BadEncoding(Exception):
    """The body is not valid for its Content-Encoding, or the encoding is unknown."""


class BoundedDecoder:
    """Feed raw body bytes in; ``body`` is the decoded bytes so far, never more than limit + a step."""

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1:
            raise BadEncoding(f"stacked content encodings are not decoded ({content_encoding})")
        self.coding = codings[0] if codings else None
        if self.coding not in (None, "gzip", "x-gzip", "deflate", "br"):
            raise BadEncoding(f"unknown content encoding {self.coding!r}")
        self.limit = limit
        self.body = bytearray()
        self._zlib: zlib._Decompress | None = None
        self._brotli: brotli.Decompressor | None = None
        if self.coding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(31)
        elif self.coding == "br":
            self._brotli = brotli.Decompressor()
        self._first = True

    def feed(self, data: bytes) -> None:
        if not data:
            return
        if self.coding is None:
            self._add(data)
        elif self._brotli is not None:
            self._feed_brotli(data)
        else:
            self._feed_zlib(data)

    def finish(self) -> bytes:
        if self._zlib is not None:
            try:
                self._add(self._zlib.flush())
            except zlib.error as err:
                raise BadEncoding(f"bad {self.coding} data ({err})") from None
        return bytes(self.body)

    def _add(self, chunk: bytes) -> None:
        self.body += chunk
        if len(self.body) > self.limit:
            raise TooLarge

    def _feed_zlib(self, data: bytes) -> None:
        if self._zlib is None:  # deflate: zlib-wrapped as the RFC says, or raw as some servers send
            self._zlib = zlib.decompressobj(15 if (data[0] & 0x0F) == 8 else -15)
        try:
            while data:
                self._add(self._zlib.decompress(data, LIMITS.inflate_step_bytes))
                data = self._zlib.unconsumed_tail
        except zlib.error as err:
            raise BadEncoding(f"bad {self.coding} data ({err})") from None

    def _feed_brotli(self, data: bytes) -> None:
        assert self._brotli is not None
        try:
            chunk = self._brotli.process(data, output_buffer_limit=LIMITS.inflate_step_bytes)
            # Output held back by the buffer limit comes out with empty input, a step at a time.
            while chunk:
                self._add(chunk)
                if self._brotli.is_finished():
                    break
                chunk = self._brotli.process(b"", output_buffer_limit=LIMITS.inflate_step_bytes)
        except brotli.error as err:
            raise BadEncoding(f"bad br data ({err})") from None
